# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _proactive_confirmation_channel(self):
        """Text the booking confirmation to SMS leads, and to leads with a
        valid phone number but no email address."""
        self.ensure_one()
        if self.proactive_channel == "sms" or (
            not self.email_from and self._proactive_sms_number()
        ):
            return "sms"
        return super()._proactive_confirmation_channel()

    def _proactive_send_confirmation(self, step, channel):
        """Text the confirmation (the ``confirmation`` SMS script) through
        the SMS touch, which checks the guard and defers it outside the
        recipient's sending hours."""
        if channel != "sms":
            return super()._proactive_send_confirmation(step, channel)
        self.ensure_one()
        template = (
            self.env["sms.template"]
            .sudo()
            ._proactive_select("confirmation", self.source_id)
        )
        return self._proactive_send_sms_touch(template, step, kind="confirmation")
