# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Split the single lead automation rule into one rule per step, and keep
the existing follow-up sequences shared between companies.

Before 19.0.1.1.0, the rule ``base_automation_process_inbound`` ran the whole
lead flow; it now enables the instant reply only, and the upgrade has just
created the qualification, routing and follow-up rules. A database where an
administrator had archived the old rule keeps the whole flow off: the new
rules are archived too.

Follow-up sequences got a company in 19.0.1.1.0, filled with the main
company when the column was added. Every sequence was shared before, so the
company is cleared on the existing ones.
"""

import logging

from odoo import api

_logger = logging.getLogger(__name__)

NEW_RULE_XMLIDS = (
    "lead_proactive.base_automation_inbound_qualification",
    "lead_proactive.base_automation_inbound_routing",
    "lead_proactive.base_automation_inbound_followup",
)


def migrate(cr, version):
    env = api.Environment(cr, api.SUPERUSER_ID, {"active_test": False})
    cadences = env["proactive.cadence"].search([("company_id", "!=", False)])
    cadences.write({"company_id": False})
    _logger.info("Follow-up sequences %s are shared between companies", cadences.ids)

    old_rule = env.ref("lead_proactive.base_automation_process_inbound", False)
    if not old_rule or old_rule.active:
        return
    new_rules = env["base.automation"]
    for xmlid in NEW_RULE_XMLIDS:
        new_rules |= env.ref(xmlid, False) or env["base.automation"]
    new_rules.write({"active": False})
    _logger.info(
        "Lead automation rule %s was archived: archived the new step rules %s too",
        old_rule.id,
        new_rules.ids,
    )
