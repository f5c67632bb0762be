# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from ..tools import sms_keywords

KEYWORDS = [
    (sms_keywords.OPT_OUT, "Opt-out (STOP)"),
    (sms_keywords.OPT_IN, "Opt-in (START)"),
    (sms_keywords.HELP, "Help (HELP)"),
]


class MailMessage(models.Model):
    _inherit = "mail.message"

    # Outgoing texts are message_type 'sms' too: this flag tells the texts a
    # lead sent us from the ones we sent.
    proactive_sms_inbound = fields.Boolean(
        string="Inbound SMS", readonly=True, copy=False
    )
    # A keyword text is logged on the lead but is not a reply: the lead flow
    # (qualification, instant reply, routing) skips it.
    proactive_sms_keyword = fields.Selection(
        KEYWORDS, string="SMS Keyword", readonly=True, copy=False
    )

    def _proactive_sms_send_after_commit(self):
        """Send the queued texts of these messages after the commit."""
        texts = (
            self.env["sms.sms"]
            .sudo()
            .search([("mail_message_id", "in", self.ids), ("state", "=", "outgoing")])
        )
        texts._proactive_send_after_commit()
