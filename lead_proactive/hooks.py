# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Install-time set-up of the pipeline stages.

The suite's pipeline is New, Qualified, Options Sent, Booked, Won; Lost uses
Odoo's lost flow. Stages that already exist are reused, matched first by
Odoo's own xml id and then by name, so an administrator's stages keep their
leads, names and order.
"""

import logging

_logger = logging.getLogger(__name__)

# (milestone, xml id Odoo's crm ships or None, names that match, name to create)
PIPELINE = [
    ("new", "crm.stage_lead1", ["New"], "New", 1),
    ("qualified", "crm.stage_lead2", ["Qualified"], "Qualified", 2),
    ("options_sent", "crm.stage_lead3", ["Options Sent", "Proposition"], "Options Sent", 3),
    ("booked", None, ["Booked"], "Booked", 4),
    ("won", "crm.stage_lead4", ["Won"], "Won", 70),
]


def post_init_hook(env):
    setup_pipeline_stages(env)


def setup_pipeline_stages(env):
    Stage = env["crm.stage"].with_context(active_test=False)
    for milestone, xmlid, names, create_name, sequence in PIPELINE:
        if Stage.search_count([("proactive_milestone", "=", milestone)], limit=1):
            continue
        stage = env.ref(xmlid, raise_if_not_found=False) if xmlid else None
        if not stage:
            stage = Stage.search(
                [("name", "in", names)], order="sequence, id", limit=1
            )
        if stage:
            values = {"proactive_milestone": milestone}
            # Odoo's demo name for the proposal step; the suite calls it Options Sent.
            if stage.name == "Proposition":
                values["name"] = create_name
            stage.write(values)
            continue
        values = {
            "name": create_name,
            "sequence": sequence,
            "proactive_milestone": milestone,
        }
        if milestone == "won":
            values["is_won"] = True
        stage = Stage.create(values)
        env["ir.model.data"].create(
            {
                "module": "lead_proactive",
                "name": "crm_stage_%s" % milestone,
                "model": "crm.stage",
                "res_id": stage.id,
                "noupdate": True,
            }
        )
        _logger.info("Created pipeline stage %r for milestone %s", create_name, milestone)
