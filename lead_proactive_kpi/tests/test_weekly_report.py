# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
from unittest.mock import patch

from odoo.tests import tagged

from .common import WEEK, ProactiveKpiCase


@tagged("lead_proactive_kpi")
class TestWeeklyReport(ProactiveKpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Qualified an hour ago: past the leakage grace period for a next step.
        cls.lead_recovered.date_last_stage_update = cls.env.cr.now() - datetime.timedelta(hours=1)

    def _report(self, **values):
        report = self.env["proactive.weekly.report"].create(
            {"company_id": self.company_chicago.id, "week": WEEK}
        )
        report._compute_figures()
        if values:
            report.write(values)
        return report

    def test_figures_against_previous_weeks(self):
        report = self._report()
        self.assertEqual(report.lead_count, 5)
        self.assertEqual(report.booked_count, 1)
        self.assertAlmostEqual(report.booked_rate, 20.0)
        self.assertAlmostEqual(report.median_response_minutes, 3.0)
        self.assertAlmostEqual(report.p90_response_minutes, 8.2)
        self.assertAlmostEqual(report.within_sla_rate, 60.0)
        self.assertAlmostEqual(report.qualified_rate, 40.0)
        self.assertEqual(report.recovered_count, 1)
        self.assertEqual((report.won_count, report.lost_count), (1, 1))
        # The four weeks before hold one lead, answered in 30 s: counts are
        # weekly averages, rates and medians are over that one lead.
        self.assertAlmostEqual(report.prev_lead_count, 0.25)
        self.assertAlmostEqual(report.prev_median_response_minutes, 0.5)
        self.assertAlmostEqual(report.prev_within_sla_rate, 100.0)
        self.assertAlmostEqual(report.prev_booked_rate, 0.0)
        self.assertEqual(report.first_reply_target_minutes, 5.0)
        # Each source has only two answered leads: too few to name the slowest.
        self.assertFalse(report.worst_source_id)
        # The Qualified lead has no activity, and no message went out after
        # it was qualified, so it is also past its qualified follow-up SLA.
        self.assertEqual(report.no_next_step_count, 1)
        self.assertEqual(report.past_sla_count, 1)
        self.assertEqual(report.waiting_count, 0)
        self.assertEqual(
            report.action_plan.splitlines(),
            [
                "Leads past an SLA: 1. See CRM > Reporting > Lead Leakage.",
                "Qualified leads with no next step: 1. Schedule an activity or send them options.",
            ],
        )

    def test_slowest_source(self):
        self._create_lead(
            "Slow Craigslist", datetime.datetime(2025, 6, 13, 15, 0), 1200,
            source=self.source_craigslist,
        )
        report = self._report()
        # Craigslist answered in 120, 600 and 1200 s: median 600 s.
        self.assertEqual(report.worst_source_id, self.source_craigslist)
        self.assertAlmostEqual(report.worst_source_median_minutes, 10.0)
        self.assertEqual(report.worst_source_responded_count, 3)
        self.assertIn(
            "Median first reply on Craigslist leads was 10 minutes: check that its "
            "alias forwards to Odoo.",
            report.action_plan.splitlines(),
        )

    def test_action_plan_rules(self):
        report = self._report(
            worst_source_id=self.source_craigslist.id,
            worst_source_median_minutes=14.2,
            lead_count=20,
            within_sla_rate=50.0,
            booked_rate=10.0,
            prev_booked_rate=30.0,
            waiting_count=3,
            past_sla_count=2,
            no_next_step_count=0,
            lost_after_sequence_count=5,
        )
        self.assertEqual(
            report._get_action_plan_lines(),
            [
                "Median first reply on Craigslist leads was 14 minutes: check that "
                "its alias forwards to Odoo.",
                "Only 50% of leads got a first reply within 5 minutes: check that "
                "the lead automation rule is active and that every source has an "
                "instant-reply script.",
                "Leads waiting for a first reply: 3, 2 of them past an SLA. Answer "
                "them from CRM > Reporting > Lead Leakage.",
                "The booked rate fell from 30% to 10%: review the scripts and the "
                "leads that replied but did not book.",
                "Leads lost after the whole follow-up sequence in the last four "
                "weeks: 5. Try a different last follow-up.",
            ],
        )

    def test_action_plan_thresholds(self):
        report = self._report(
            worst_source_id=self.source_craigslist.id,
            worst_source_median_minutes=4.0,  # within the 5-minute target
            lead_count=9,  # too few leads to judge rates
            within_sla_rate=10.0,
            booked_rate=0.0,
            prev_booked_rate=50.0,
            no_next_step_count=0,
            past_sla_count=0,
            lost_after_sequence_count=4,
        )
        self.assertEqual(
            report._get_action_plan_lines(),
            ["No rule fired this week: every figure is within its threshold."],
        )

    def test_email_renders_kpis_and_plan(self):
        report = self._report()
        template = self.env.ref("lead_proactive_kpi.mail_template_weekly_kpi_report")
        body = template._render_field("body_html", report.ids)[report.id]
        subject = template._render_field("subject", report.ids)[report.id]
        self.assertIn(self.company_chicago.name, subject)
        self.assertIn("Booked next steps", body)
        self.assertIn("1 (20.0 %)", body)
        self.assertIn("Median first reply (minutes)", body)
        self.assertIn(">3.0<", body)
        self.assertIn(">8.2<", body)
        self.assertIn("Qualified leads with no next step: 1.", body)
        self.assertIn("<table", body)
        self.assertNotIn("<style", body)
        self.assertNotIn("<script", body)
        self.assertNotIn("<link", body)

    def test_cron_emails_managers_once(self):
        IrCron = type(self.env["ir.cron"])
        Report = self.env["proactive.weekly.report"]
        # Tuesday 17 June: the last complete week in Chicago starts on 9 June.
        now = datetime.datetime(2025, 6, 17, 12, 0)
        with self.mock_datetime_and_now(now), patch.object(
            IrCron, "_commit_progress", return_value=float("inf")
        ), self.mock_mail_gateway():
            Report._cron_send_weekly_report()
            report = Report.search([("company_id", "=", self.company_chicago.id)])
            self.assertEqual(report.week, WEEK)
            self.assertEqual(report.sent_date, now)
            mails = self._new_mails.filtered(
                lambda mail: mail.model == "proactive.weekly.report" and mail.res_id == report.id
            )
            self.assertEqual(len(mails), 1)
            self.assertIn(self.user_sales_manager.partner_id, mails.recipient_ids)
            self.assertNotIn(self.user_salesman.partner_id, mails.recipient_ids)
            self.assertIn("Qualified leads with no next step: 1.", str(mails.body_html))
            self.assertFalse(
                Report.search([("company_id", "=", self.company_tokyo.id)]),
                "no lead in Tokyo that week: no report",
            )

            Report._cron_send_weekly_report()
            self.assertEqual(
                len(self._new_mails.filtered(lambda mail: mail.model == "proactive.weekly.report")),
                1,
                "a second run sends nothing",
            )
