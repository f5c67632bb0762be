# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    proactive_booking_confirmation = fields.Boolean(
        string="Confirm Bookings",
        default=True,
        help="Send the booking confirmation (email, text or assisted activity) "
        "once per booking when a lead of this company reaches a Booked stage.",
    )
