# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # An assisted reply is sent by hand in another app: marking its
        # activity done is the moment the lead got its first response.
        assisted_types = self.env["crm.lead"]._proactive_assisted_activity_types()
        leads = self.env["crm.lead"]
        for activity in self:
            if activity.activity_type_id in assisted_types and activity.res_model == "crm.lead":
                leads |= self.env["crm.lead"].browse(activity.res_id)
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if leads:
            leads.sudo()._proactive_record_first_response(self.env.cr.now())
        return result
