# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import zoneinfo

from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # Stored because converting each lead's arrival to its company's time
    # zone inside the KPI view made a pivot over a million leads about five
    # times slower (bench/kpi_bench.py).
    proactive_arrival_week = fields.Date(
        string="Arrival Week",
        compute="_compute_proactive_arrival_week",
        store=True,
        index=True,
        readonly=True,
        copy=False,
        help="Monday of the week the lead arrived in, in its company's time "
        "zone (UTC for leads without a company).",
    )

    # The digest and the "Arrived On" filter select leads by arrival, which
    # falls back to the creation date for leads captured before
    # lead_proactive was installed. The index is on that same expression.
    _proactive_kpi_arrival_index = models.Index(
        "(COALESCE(proactive_arrival_date, create_date))"
    )

    # A change of a company's time zone updates the week of its leads in SQL
    # (res.company._proactive_kpi_update_lead_weeks), not through this compute.
    @api.depends("proactive_arrival_date", "create_date", "company_id")
    def _compute_proactive_arrival_week(self):
        utc = datetime.timezone.utc
        for lead in self:
            arrival = lead.proactive_arrival_date or lead.create_date
            if not arrival:
                lead.proactive_arrival_week = False
                continue
            try:
                tz = zoneinfo.ZoneInfo(lead.company_id.proactive_kpi_tz or "UTC")
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                tz = utc
            local = arrival.replace(tzinfo=utc).astimezone(tz).date()
            lead.proactive_arrival_week = local - datetime.timedelta(days=local.weekday())
