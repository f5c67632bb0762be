# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import kpi_sql

_logger = logging.getLogger(__name__)


class ResCompany(models.Model):
    _inherit = "res.company"

    proactive_kpi_tz = fields.Char(
        string="KPI Time Zone",
        compute="_compute_proactive_kpi_tz",
        store=True,
        help="Technical: the company's time zone if PostgreSQL knows it, else "
        "UTC. The lead KPIs bucket leads into weeks in this time zone.",
    )

    @api.depends("partner_id.tz")
    def _compute_proactive_kpi_tz(self):
        # Checked once here rather than in the views: a time zone name that
        # PostgreSQL does not know would make every KPI query fail.
        for company in self:
            company.proactive_kpi_tz = self._proactive_kpi_check_tz(company.partner_id.tz)

    @api.model
    def _proactive_kpi_check_tz(self, name):
        """Return ``name`` if it is in PostgreSQL's pg_timezone_names, else 'UTC'."""
        if not name:
            return "UTC"
        self.env.cr.execute(SQL("SELECT 1 FROM pg_timezone_names WHERE name = %s", name))
        if self.env.cr.fetchone():
            return name
        _logger.warning(
            "Time zone %r is unknown to PostgreSQL: the lead KPIs use UTC for the "
            "companies that have it",
            name,
        )
        return "UTC"

    def write(self, vals):
        result = super().write(vals)
        if "partner_id" in vals:
            self._proactive_kpi_update_lead_weeks()
        return result

    def _proactive_kpi_update_lead_weeks(self):
        """Recompute the arrival week of the companies' leads after a change of
        time zone, in one UPDATE: the ORM would load every lead."""
        if not self:
            return
        self.env.flush_all()
        week = kpi_sql.arrival_week("lead", SQL("company.proactive_kpi_tz"))
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_lead lead
                   SET proactive_arrival_week = %(week)s
                  FROM res_company company
                 WHERE company.id = lead.company_id
                   AND company.id IN %(companies)s
                   AND lead.proactive_arrival_week IS DISTINCT FROM %(week)s
                """,
                week=week,
                companies=tuple(self.ids),
            )
        )
        _logger.info(
            "Updated the arrival week of %s leads of companies %s",
            self.env.cr.rowcount,
            self.ids,
        )
        self.env["crm.lead"].invalidate_model(["proactive_arrival_week"])
