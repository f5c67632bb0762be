# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

MILESTONES = [
    ("new", "New"),
    ("qualified", "Qualified"),
    ("options_sent", "Options Sent"),
    ("booked", "Booked"),
    ("won", "Won"),
]
# Position of each milestone in the pipeline, to tell "already past it".
MILESTONE_RANK = {key: rank for rank, (key, _label) in enumerate(MILESTONES)}


class CrmStage(models.Model):
    _inherit = "crm.stage"

    proactive_milestone = fields.Selection(
        MILESTONES,
        string="Milestone",
        help="What reaching this stage means for the lead automation. Stages "
        "can be renamed and reordered freely: the automation moves leads by "
        "milestone, to the first stage that carries it.",
    )

    def _proactive_find(self, milestone, team=None):
        """Return the first stage carrying ``milestone`` usable by ``team``."""
        domain = [("proactive_milestone", "=", milestone)]
        if team:
            domain += ["|", ("team_ids", "=", False), ("team_ids", "in", team.ids)]
        return self.search(domain, order="sequence, id", limit=1)
