# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    proactive_usage = fields.Selection(
        selection_add=[("booking_confirmation", "Booking Confirmation")],
        ondelete={"booking_confirmation": "set null"},
    )
