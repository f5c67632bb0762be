# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    # Set by the mail gateway when the incoming email was written by a machine
    # (out-of-office, bounce, list, bulk). Such a message stays in the chatter
    # but never counts as the lead replying and never gets an automated reply.
    proactive_auto_reason = fields.Char(
        string="Automatic Message Reason", readonly=True, copy=False
    )
