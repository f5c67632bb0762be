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
        recipient's sending hours. A paused lead's confirmation goes to a
        salesperson instead (see lead_proactive's crm_lead_booking_handover.py)."""
        if channel != "sms" or self._proactive_confirmation_needs_owner(channel):
            return super()._proactive_send_confirmation(step, channel)
        self.ensure_one()
        template = (
            self.env["sms.template"]
            .sudo()
            ._proactive_select("confirmation", self.source_id)
        )
        # A paused lead reaches this line only when another guard check blocks
        # the text too: the skip note names that check rather than the pause.
        lead = self.with_context(proactive_guard_ignore_pause=self.proactive_paused)
        return lead._proactive_send_sms_touch(template, step, kind="confirmation")
