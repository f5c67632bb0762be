# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

TOUCH_CHANNELS = [
    ("email", "Email"),
    ("assisted", "Assisted (activity)"),
]
TOUCH_STATES = [
    ("claimed", "Sending"),
    ("sent", "Sent"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
]


class ProactiveTouch(models.Model):
    """One automated message to a lead: the instant reply (step 0) or a
    follow-up step. The (lead, step) pair is unique, so a step is claimed by
    inserting its row before anything is sent, and a second run that tries
    the same step fails on the constraint instead of sending twice."""

    _name = "proactive.touch"
    _description = "Lead Touch"
    _order = "date desc, id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one(
        "crm.lead", string="Lead", required=True, ondelete="cascade", index=True
    )
    step = fields.Integer(
        required=True,
        help="0 is the instant reply; follow-up steps count from 1.",
    )
    kind = fields.Selection(
        [("instant_reply", "Instant Reply"), ("followup", "Follow-up")],
        required=True,
        default="instant_reply",
    )
    channel = fields.Selection(TOUCH_CHANNELS, required=True, default="email")
    state = fields.Selection(TOUCH_STATES, required=True, default="claimed")
    skip_reason = fields.Char(
        string="Reason", help="Why the touch was skipped or failed."
    )
    mail_template_id = fields.Many2one(
        "mail.template", string="Script", ondelete="set null", index="btree_not_null"
    )
    message_id = fields.Many2one(
        "mail.message", string="Message", ondelete="set null", index="btree_not_null"
    )
    activity_id = fields.Many2one(
        "mail.activity", string="Activity", ondelete="set null"
    )
    date = fields.Datetime(
        string="Date",
        required=True,
        default=fields.Datetime.now,
        help="When the touch was sent, queued, skipped or handed to a salesperson.",
    )
    # Denormalised for reporting: grouping touches by team or source must not
    # join crm_lead on every read.
    team_id = fields.Many2one(
        related="lead_id.team_id", store=True, string="Sales Team", index=True
    )
    source_id = fields.Many2one(
        related="lead_id.source_id", store=True, string="Source"
    )
    replied = fields.Boolean(
        readonly=True,
        help="The lead answered after this touch and before the next one.",
    )

    _lead_step_unique = models.UniqueIndex(
        "(lead_id, step)", "A lead can receive each step of its sequence only once."
    )

    @api.depends("lead_id", "step", "kind")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for touch in self:
            touch.display_name = self.env._(
                "%(lead)s: %(kind)s (step %(step)s)",
                lead=touch.lead_id.display_name,
                kind=kinds.get(touch.kind),
                step=touch.step,
            )
