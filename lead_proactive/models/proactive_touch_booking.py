# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProactiveTouch(models.Model):
    _inherit = "proactive.touch"

    # Booking confirmations are steps 201 onwards, one per booking
    # (crm_lead_booking.CONFIRMATION_STEP_BASE + the booking's number).
    step = fields.Integer(
        help="0 is the instant reply, 1 to 99 the follow-up steps, 100 the "
        "options message, 201 onwards the booking confirmations (one per "
        "booking)."
    )
    kind = fields.Selection(
        selection_add=[("confirmation", "Booking Confirmation")],
        ondelete={"confirmation": "cascade"},
    )
