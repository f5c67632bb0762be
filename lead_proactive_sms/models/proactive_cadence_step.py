# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProactiveCadenceStep(models.Model):
    _inherit = "proactive.cadence.step"

    channel = fields.Selection(
        selection_add=[("sms", "SMS")], ondelete={"sms": "set default"}
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Script",
        domain=[("model", "=", "crm.lead")],
        ondelete="restrict",
        help="The text sent at this step when its channel is SMS.",
    )

    @api.constrains("channel", "sms_template_id")
    def _check_sms_template(self):
        for step in self:
            if step.channel == "sms" and not step.sms_template_id:
                raise ValidationError(
                    self.env._(
                        "The SMS step %(step)s needs an SMS script.", step=step.display_name
                    )
                )
