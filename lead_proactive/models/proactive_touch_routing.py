# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProactiveTouch(models.Model):
    _inherit = "proactive.touch"

    # The options message is step 100 (crm_lead_routing.OPTIONS_STEP), out of
    # the follow-up range, so the unique (lead, step) index sends it once.
    step = fields.Integer(
        help="0 is the instant reply, 1 to 99 the follow-up steps, 100 the "
        "options message."
    )
    kind = fields.Selection(
        selection_add=[("options", "Options")],
        ondelete={"options": "cascade"},
    )
