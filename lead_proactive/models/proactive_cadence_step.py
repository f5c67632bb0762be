# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import random

from odoo import api, fields, models
from odoo.exceptions import ValidationError

DELAY_UNITS = [
    ("minutes", "Minutes"),
    ("hours", "Hours"),
    ("days", "Days"),
]
STEP_CHANNELS = [
    ("email", "Email"),
]


class ProactiveCadenceStep(models.Model):
    """One touch of a follow-up sequence, sent a delay after the previous one."""

    _name = "proactive.cadence.step"
    _description = "Lead Follow-up Step"
    _order = "cadence_id, sequence, id"

    cadence_id = fields.Many2one(
        "proactive.cadence",
        string="Follow-up Sequence",
        required=True,
        ondelete="cascade",
        index=True,
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(
        string="Purpose",
        translate=True,
        help="What this touch is for, e.g. 'Quick check'.",
    )
    delay = fields.Integer(
        string="Delay",
        default=1,
        help="Time to wait after the previous touch (the instant reply for the first step).",
    )
    delay_max = fields.Integer(
        string="Delay Up To",
        help="When set, the delay is picked at random between Delay and this "
        "value, so touches do not look automated. 0 means exactly Delay.",
    )
    delay_unit = fields.Selection(
        DELAY_UNITS, string="Unit", required=True, default="hours"
    )
    channel = fields.Selection(STEP_CHANNELS, required=True, default="email")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Script",
        ondelete="restrict",
        domain=[("model", "=", "crm.lead")],
        help="The email sent at this step.",
    )

    _delay_positive = models.Constraint(
        "CHECK (delay >= 0)", "A step's delay cannot be negative."
    )
    _delay_max_after_delay = models.Constraint(
        "CHECK (delay_max = 0 OR delay_max >= delay)",
        "A step's 'Delay Up To' must be 0 or at least its delay.",
    )

    @api.depends("cadence_id", "sequence", "name", "delay", "delay_max", "delay_unit")
    def _compute_display_name(self):
        units = dict(self._fields["delay_unit"]._description_selection(self.env))
        for step in self:
            delay = (
                "%s-%s" % (step.delay, step.delay_max)
                if step.delay_max
                else str(step.delay)
            )
            step.display_name = self.env._(
                "%(name)s (%(delay)s %(unit)s)",
                name=step.name or step.cadence_id.name or "",
                delay=delay,
                unit=(units.get(step.delay_unit) or "").lower(),
            )

    @api.constrains("channel", "mail_template_id")
    def _check_mail_template(self):
        for step in self:
            if step.channel == "email" and not step.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "Email step %(step)s of sequence %(cadence)s needs an email script.",
                        step=step.name or step.sequence,
                        cadence=step.cadence_id.name,
                    )
                )

    def _proactive_pick_delay(self):
        """Return the wait before this step as a timedelta, drawn at random
        within [delay, delay_max] when a maximum is set."""
        self.ensure_one()
        amount = float(self.delay)
        if self.delay_max > self.delay:
            amount = random.uniform(self.delay, self.delay_max)
        seconds = round(datetime.timedelta(**{self.delay_unit: amount}).total_seconds())
        return datetime.timedelta(seconds=seconds)
