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

    # Set by the lead-source webhooks on the messages they post.
    proactive_intake_kind = fields.Selection(
        [
            ("request", "Lead request"),
            ("conversation", "Conversation message"),
            ("summary", "Summary of a lead without text"),
        ],
        string="Lead Source Text",
        readonly=True,
        copy=False,
        help="Lead request: the person's request, which the platform sends "
        "again with every delivery, so it never counts as a reply. "
        "Conversation message: a later message of the person. Summary: a "
        "note the webhook wrote for a lead that came without text.",
    )
