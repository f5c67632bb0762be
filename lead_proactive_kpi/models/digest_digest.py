# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import SQL


class DigestDigest(models.Model):
    _inherit = "digest.digest"

    kpi_proactive_booked = fields.Boolean(string="Booked Next Steps")
    kpi_proactive_booked_value = fields.Integer(
        compute="_compute_kpi_proactive_booked_value"
    )
    kpi_proactive_median_response = fields.Boolean(string="Median First Response (min)")
    kpi_proactive_median_response_value = fields.Float(
        compute="_compute_kpi_proactive_median_response_value"
    )
    kpi_proactive_qualified_rate = fields.Boolean(string="Qualified Leads (%)")
    kpi_proactive_qualified_rate_value = fields.Float(
        compute="_compute_kpi_proactive_qualified_rate_value"
    )

    # Each KPI covers the leads that arrived in the digest's period, read
    # through proactive.lead.report with the recipient's record rules.

    def _compute_kpi_proactive_booked_value(self):
        self._proactive_check_kpi_access()
        self._calculate_company_based_kpi(
            "proactive.lead.report",
            "kpi_proactive_booked_value",
            date_field="arrival_date",
            additional_domain=[("booked_count", "=", 1)],
        )

    def _compute_kpi_proactive_median_response_value(self):
        self._proactive_check_kpi_access()
        start, end, companies = self._get_kpi_compute_parameters()
        query = self.env["proactive.lead.report"]._search(
            self._proactive_kpi_domain(start, end, companies)
            & Domain("responded_count", "=", 1)
        )
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT report.company_id,
                          percentile_cont(0.5) WITHIN GROUP (
                              ORDER BY report.first_response_seconds) / 60.0
                     FROM proactive_lead_report report
                    WHERE report.id IN %s
                    GROUP BY report.company_id""",
                query.subselect(),
            )
        )
        medians = dict(self.env.cr.fetchall())
        for digest in self:
            company = digest.company_id or self.env.company
            digest.kpi_proactive_median_response_value = medians.get(company.id) or 0.0

    def _compute_kpi_proactive_qualified_rate_value(self):
        self._proactive_check_kpi_access()
        start, end, companies = self._get_kpi_compute_parameters()
        groups = self.env["proactive.lead.report"]._read_group(
            self._proactive_kpi_domain(start, end, companies),
            ["company_id"],
            ["qualified_rate:avg"],
        )
        rates = {company.id: rate for company, rate in groups}
        for digest in self:
            company = digest.company_id or self.env.company
            digest.kpi_proactive_qualified_rate_value = rates.get(company.id) or 0.0

    def _proactive_check_kpi_access(self):
        if not self.env.user.has_group("sales_team.group_sale_salesman"):
            raise AccessError(
                self.env._(
                    "Sales access is needed for the lead response KPIs: they are "
                    "left out of this user's digest."
                )
            )

    def _proactive_kpi_domain(self, start, end, companies):
        return Domain(
            [
                ("company_id", "in", companies.ids),
                ("arrival_date", ">=", start),
                ("arrival_date", "<", end),
            ]
        )

    def _compute_kpis_actions(self, company, user):
        res = super()._compute_kpis_actions(company, user)
        action = "lead_proactive_kpi.proactive_lead_report_action?menu_id=%s" % (
            self.env.ref("crm.crm_menu_root").id
        )
        res["kpi_proactive_booked"] = action
        res["kpi_proactive_median_response"] = action
        res["kpi_proactive_qualified_rate"] = action
        return res
