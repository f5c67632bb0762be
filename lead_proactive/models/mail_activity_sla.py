# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # A user who marks a call or a chat reply done has contacted the
        # lead in person: that meets the lead's running SLA, whatever its
        # target. The scheduler (superuser) closing activities does not.
        user = self.env.user
        leads = self.env["crm.lead"]
        if user._is_internal() and not user._is_superuser():
            contact_types = leads._sla_contact_activity_types()
            lead_ids = {
                activity.res_id
                for activity in self
                if activity.res_model == "crm.lead" and activity.activity_type_id in contact_types
            }
            leads = leads.browse(lead_ids)
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if leads:
            leads.sudo().exists()._sla_mark_met(self.env.cr.now().replace(microsecond=0))
        return result
