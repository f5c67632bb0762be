# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # An assisted booking confirmation is sent by hand in another app:
        # marking its activity done meets the Booked Confirmation SLA.
        touches = (
            self.env["proactive.touch"]
            .sudo()
            .search([("activity_id", "in", self.ids), ("kind", "=", "confirmation")])
        )
        leads = touches.lead_id
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if leads:
            leads._proactive_confirmation_sent(self.env.cr.now())
        return result
