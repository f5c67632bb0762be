# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # The KPI views filter and group leads by their arrival, which falls back
    # to the creation date for leads captured before lead_proactive was
    # installed. Indexing the same expression keeps one week's snapshot and
    # the date filters of the report from scanning every lead.
    _proactive_kpi_arrival_index = models.Index(
        "(COALESCE(proactive_arrival_date, create_date))"
    )
