# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class ProactiveTouch(models.Model):
    _inherit = "proactive.touch"

    # The lead report looks up, for each lead, whether a follow-up earned a
    # reply. This partial index serves that lookup with one probe per lead.
    _proactive_kpi_replied_index = models.Index("(lead_id, kind) WHERE replied")
