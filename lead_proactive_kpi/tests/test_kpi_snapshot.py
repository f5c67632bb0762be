# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged, users

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import NEXT_WEEK, WEEK, ProactiveKpiCase


@tagged("lead_proactive_kpi")
class TestKpiSnapshot(ProactiveKpiCase):
    def _rows(self, week=WEEK, company=None):
        rows = self.env["proactive.kpi.snapshot"].search(
            [("week", "=", week), ("company_id", "=", (company or self.company_chicago).id)]
        )
        return {(row.scope, row.team_id, row.source_id): row for row in rows}

    def test_median_and_p90_per_scope(self):
        self.env["proactive.kpi.snapshot"]._compute_snapshots([WEEK])
        rows = self._rows()
        Team, Source = self.env["crm.team"], self.env["utm.source"]

        # Answered in 60, 120, 240 and 600 s. percentile_cont interpolates:
        # median (120 + 240) / 2 = 180 s; p90 at rank 0.9 * 3 = 2.7, so
        # 240 + 0.7 * (600 - 240) = 492 s.
        company = rows[("all", Team, Source)]
        self.assertEqual(company.lead_count, 5)
        self.assertEqual(company.responded_count, 4)
        self.assertAlmostEqual(company.median_response_minutes, 3.0)
        self.assertAlmostEqual(company.p90_response_minutes, 8.2)
        self.assertEqual(company.booked_count, 1)
        self.assertAlmostEqual(company.booked_rate, 20.0)
        self.assertAlmostEqual(company.qualified_rate, 40.0)
        self.assertAlmostEqual(company.within_sla_rate, 60.0)
        self.assertEqual(company.recovered_count, 1)
        self.assertEqual(company.won_count, 1)
        self.assertEqual(company.lost_count, 1)

        # Craigslist: 120 and 600 s, median 360 s, p90 120 + 0.9 * 480 = 552 s.
        craigslist = rows[("source", Team, self.source_craigslist)]
        self.assertEqual(craigslist.lead_count, 2)
        self.assertAlmostEqual(craigslist.median_response_minutes, 6.0)
        self.assertAlmostEqual(craigslist.p90_response_minutes, 9.2)
        # Website: 60 and 240 s (the third lead is unanswered), median 150 s,
        # p90 60 + 0.9 * 180 = 222 s.
        website = rows[("source", Team, self.source_website)]
        self.assertEqual(website.lead_count, 3)
        self.assertEqual(website.responded_count, 2)
        self.assertAlmostEqual(website.median_response_minutes, 2.5)
        self.assertAlmostEqual(website.p90_response_minutes, 3.7)
        self.assertAlmostEqual(website.booked_rate, 100.0 / 3)

        team = rows[("team", self.team, Source)]
        self.assertEqual(team.lead_count, 5)
        self.assertAlmostEqual(team.median_response_minutes, 3.0)
        team_craigslist = rows[("team_source", self.team, self.source_craigslist)]
        self.assertAlmostEqual(team_craigslist.median_response_minutes, 6.0)
        self.assertEqual(len(rows), 6, "company, team, 2 sources, 2 team-sources")

    def test_weeks_follow_company_time_zone(self):
        self.env["proactive.kpi.snapshot"]._compute_snapshots([NEXT_WEEK])
        Team, Source = self.env["crm.team"], self.env["utm.source"]
        tokyo = self._rows(week=NEXT_WEEK, company=self.company_tokyo)
        self.assertEqual(tokyo[("all", Team, Source)].lead_count, 1)
        self.assertAlmostEqual(tokyo[("all", Team, Source)].median_response_minutes, 1.5)
        self.assertFalse(self._rows(week=NEXT_WEEK), "Chicago has no lead that week")

    def test_recompute_replaces_week(self):
        Snapshot = self.env["proactive.kpi.snapshot"]
        Snapshot._compute_snapshots([WEEK])
        self.lead_silent.stage_id = self.stage_booked
        Snapshot._compute_snapshots([WEEK])
        company = self._rows()[("all", self.env["crm.team"], self.env["utm.source"])]
        self.assertEqual(company.booked_count, 2)
        self.assertEqual(Snapshot.search_count([("week", "=", WEEK), ("scope", "=", "all")]), 1)

    @users("proactive_manager")
    def test_refresh_button(self):
        with self.mock_datetime_and_now(datetime.datetime(2025, 6, 12, 12, 0)):
            self.env["proactive.kpi.snapshot"].action_refresh()
        company = self._rows()[("all", self.env["crm.team"], self.env["utm.source"])]
        self.assertEqual(company.lead_count, 5)

    def test_refresh_button_needs_sales_administrator(self):
        user = mail_new_test_user(
            self.env,
            login="kpi_all_leads",
            groups="sales_team.group_sale_salesman_all_leads",
        )
        with self.assertRaises(AccessError):
            self.env["proactive.kpi.snapshot"].with_user(user).action_refresh()

    def test_cron_fills_missing_and_recent_weeks(self):
        Snapshot = self.env["proactive.kpi.snapshot"]
        cron = self.env.ref("lead_proactive_kpi.ir_cron_lead_proactive_kpi_snapshot")
        self.assertEqual(cron.code, "model._cron_compute_snapshots()")
        now = datetime.datetime(2025, 6, 25, 12, 0)
        IrCron = type(self.env["ir.cron"])
        with self.mock_datetime_and_now(now), patch.object(
            IrCron, "_commit_progress", return_value=float("inf")
        ) as progress:
            Snapshot._cron_compute_snapshots()
        weeks = set(Snapshot.search([]).mapped("week"))
        self.assertTrue({datetime.date(2025, 6, 2), WEEK, NEXT_WEEK} <= weeks)
        # Eight recent weeks (23 June back to 5 May) plus the weeks with leads.
        progress.assert_any_call(remaining=8)
