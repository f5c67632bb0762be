# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _get_message_create_valid_field_names(self):
        return super()._get_message_create_valid_field_names() | {
            "proactive_sms_inbound",
            "proactive_sms_keyword",
        }
