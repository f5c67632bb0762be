# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo.fields import Domain
from odoo.tests import tagged, users

from .common import NEXT_WEEK, PREVIOUS_WEEK, WEEK, ProactiveKpiCase

MEASURES = [
    "__count",
    "responded_count:sum",
    "first_response_minutes:avg",
    "first_response_seconds:avg",
    "within_sla_count:sum",
    "within_sla_rate:avg",
    "replied_count:sum",
    "reply_rate:avg",
    "qualified_count:sum",
    "qualified_rate:avg",
    "booked_count:sum",
    "booked_rate:avg",
    "recovered_count:sum",
    "recovered_rate:avg",
    "won_count:sum",
    "lost_count:sum",
    "touch_count:sum",
]


@tagged("lead_proactive_kpi")
class TestLeadReport(ProactiveKpiCase):
    def _week_figures(self, company=None, week=WEEK, extra_domain=None):
        Report = self.env["proactive.lead.report"]
        domain = Domain("week", "=", week) & Domain(
            "company_id", "=", (company or self.company_chicago).id
        )
        if extra_domain:
            domain &= Domain(extra_domain)
        [row] = Report._read_group(domain, [], MEASURES)
        return dict(zip(MEASURES, row))

    def test_week_figures_match_hand_computation(self):
        figures = self._week_figures()
        self.assertEqual(figures["__count"], 5)
        self.assertEqual(figures["responded_count:sum"], 4)
        # (120 + 240 + 60 + 600) / 4 seconds; the unanswered lead is left out.
        self.assertAlmostEqual(figures["first_response_seconds:avg"], 255.0)
        self.assertAlmostEqual(figures["first_response_minutes:avg"], 4.25)
        # Within 5 minutes: 120 s, 240 s and 60 s; 600 s and "never" are not.
        self.assertEqual(figures["within_sla_count:sum"], 3)
        self.assertAlmostEqual(figures["within_sla_rate:avg"], 60.0)
        self.assertEqual(figures["replied_count:sum"], 2)
        self.assertAlmostEqual(figures["reply_rate:avg"], 40.0)
        # Qualified: the Qualified-stage lead and the won lead.
        self.assertEqual(figures["qualified_count:sum"], 2)
        self.assertAlmostEqual(figures["qualified_rate:avg"], 40.0)
        self.assertEqual(figures["booked_count:sum"], 1)
        self.assertAlmostEqual(figures["booked_rate:avg"], 20.0)
        self.assertEqual(figures["recovered_count:sum"], 1)
        self.assertAlmostEqual(figures["recovered_rate:avg"], 20.0)
        self.assertEqual(figures["won_count:sum"], 1)
        self.assertEqual(figures["lost_count:sum"], 1)
        self.assertEqual(figures["touch_count:sum"], 7)

    def test_rows_per_lead(self):
        rows = self.env["proactive.lead.report"].search(
            [("lead_id", "in", self.week_leads.ids)]
        )
        by_lead = {row.lead_id: row for row in rows}
        self.assertEqual(set(by_lead), set(self.week_leads))

        recovered = by_lead[self.lead_recovered]
        self.assertEqual(recovered.recovered_count, 1)
        self.assertEqual(recovered.milestone, "qualified")
        self.assertEqual(recovered.touch_count, 2)
        self.assertEqual(recovered.source_id, self.source_website)
        self.assertEqual(recovered.team_id, self.team)
        self.assertEqual(recovered.user_id, self.user_salesman)

        won = by_lead[self.lead_won]
        self.assertEqual(won.recovered_count, 0, "replied to the instant reply")
        self.assertEqual(won.booked_count, 1)
        self.assertEqual(won.won_status, "won")

        lost = by_lead[self.lead_lost]
        self.assertEqual(lost.lost_count, 1)
        self.assertEqual(lost.within_sla_count, 0, "600 s is past the 5-minute target")
        self.assertEqual(lost.first_response_minutes, 10.0)

        unanswered = by_lead[self.lead_unanswered]
        self.assertEqual(unanswered.responded_count, 0)
        self.assertEqual(unanswered.within_sla_count, 0)

    def test_week_in_company_time_zone(self):
        Report = self.env["proactive.lead.report"]
        week_of = {
            row.lead_id: row.week
            for row in Report.search(
                [("lead_id", "in", (self.lead_unanswered | self.lead_previous | self.lead_tokyo).ids)]
            )
        }
        # Monday 16 June 03:00 UTC is still Sunday evening in Chicago...
        self.assertEqual(week_of[self.lead_unanswered], WEEK)
        # ...and already Monday noon in Tokyo.
        self.assertEqual(week_of[self.lead_tokyo], NEXT_WEEK)
        # Monday 9 June 04:00 UTC is Sunday 23:00 in Chicago.
        self.assertEqual(week_of[self.lead_previous], PREVIOUS_WEEK)

        tokyo = self._week_figures(company=self.company_tokyo, week=NEXT_WEEK)
        self.assertEqual(tokyo["__count"], 1)
        self.assertEqual(self._week_figures(week=NEXT_WEEK)["__count"], 0)

    def test_time_zone_change_moves_weeks(self):
        self.assertEqual(self.lead_tokyo.proactive_arrival_week, NEXT_WEEK)
        self.company_tokyo.partner_id.tz = "America/Chicago"
        # Monday 03:00 UTC is Sunday evening in Chicago.
        self.assertEqual(self.lead_tokyo.proactive_arrival_week, WEEK)
        row = self.env["proactive.lead.report"].search([("lead_id", "=", self.lead_tokyo.id)])
        self.assertEqual(row.week, WEEK)

    def test_time_zone_unknown_to_postgresql(self):
        Company = self.env["res.company"]
        with self.assertLogs("odoo.addons.lead_proactive_kpi.models.res_company", "WARNING"):
            self.assertEqual(Company._proactive_kpi_check_tz("Mars/Olympus_Mons"), "UTC")
        self.assertEqual(Company._proactive_kpi_check_tz("Asia/Tokyo"), "Asia/Tokyo")
        self.assertEqual(Company._proactive_kpi_check_tz(False), "UTC")

    def test_week_follows_lead_changes(self):
        self.lead_tokyo.company_id = self.company_chicago
        self.assertEqual(self.lead_tokyo.proactive_arrival_week, WEEK)
        self.lead_tokyo.proactive_arrival_date = datetime.datetime(2025, 6, 16, 6, 0)
        self.assertEqual(self.lead_tokyo.proactive_arrival_week, NEXT_WEEK)

    def test_group_by_week_and_source(self):
        groups = self.env["proactive.lead.report"].formatted_read_group(
            [("company_id", "=", self.company_chicago.id)],
            ["week:day", "source_id"],
            ["booked_rate:avg", "first_response_minutes:avg", "__count"],
        )
        cells = {
            (group["week:day"][1], group["source_id"][1]): group for group in groups
        }
        craigslist = next(
            group for (week, source), group in cells.items()
            if source == self.source_craigslist.name and week.startswith("09")
        )
        self.assertEqual(craigslist["__count"], 2)
        # (120 + 600) / 2 seconds = 6 minutes.
        self.assertAlmostEqual(craigslist["first_response_minutes:avg"], 6.0)
        self.assertAlmostEqual(craigslist["booked_rate:avg"], 0.0)
        website = next(
            group for (week, source), group in cells.items()
            if source == self.source_website.name and week.startswith("09")
        )
        self.assertEqual(website["__count"], 3)
        self.assertAlmostEqual(website["booked_rate:avg"], 100.0 / 3)

    def test_target_read_from_system_parameter(self):
        params = self.env["ir.config_parameter"]
        params.set_param("lead_proactive_kpi.first_reply_target_minutes", "2")
        # 60 s and 120 s are within 2 minutes.
        self.assertEqual(self._week_figures()["within_sla_count:sum"], 2)

        params.set_param("lead_proactive_kpi.first_reply_target_minutes", "soon")
        self.assertEqual(
            self._week_figures()["within_sla_count:sum"], 3,
            "an invalid value falls back to 5 minutes",
        )

    @users("proactive_salesman")
    def test_salesperson_sees_own_and_unassigned_leads(self):
        rows = self.env["proactive.lead.report"].search([])
        self.assertEqual(
            rows.lead_id.sudo(),
            self.lead_silent | self.lead_recovered | self.lead_unanswered | self.lead_previous,
            "own leads and unassigned ones of the salesperson's company only",
        )
        figures = self._week_figures()
        self.assertEqual(figures["__count"], 3)

    @users("proactive_manager")
    def test_manager_sees_all_leads(self):
        rows = self.env["proactive.lead.report"].search(
            [("company_id", "=", self.company_chicago.id)]
        )
        self.assertEqual(rows.lead_id.sudo(), self.week_leads | self.lead_previous)
