# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

# Steps of the lead flow that an automation rule switches on. The flow runs
# them in a fixed order (see crm.lead._proactive_inbound_phases).
INBOUND_STEPS = [
    ("qualification", "Qualification"),
    ("routing", "Routing"),
    ("reply", "Instant reply"),
    ("followup", "Follow-up scheduling"),
]


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    proactive_inbound_step = fields.Selection(
        INBOUND_STEPS,
        string="Lead Flow Step",
        copy=False,
        help="The step of the lead flow this rule enables. The step runs on a "
        "lead's new messages while the rule is active and the lead matches "
        "the rule's conditions; archive the rule to switch the step off.",
    )
