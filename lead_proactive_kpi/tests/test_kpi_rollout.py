# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo.tests import tagged

from odoo.addons.lead_proactive.tests.common import ProactiveCase


@tagged("lead_proactive_kpi", "lead_proactive_rollout")
class TestKpiRollout(ProactiveCase):
    def status(self):
        entries = self.env["proactive.rollout.item"]._proactive_rollout_status(self.env.company)
        return {entry["key"]: entry for entry in entries}

    def test_weekly_report_item(self):
        cron = self.env.ref("lead_proactive_kpi.ir_cron_lead_proactive_kpi_weekly_report")
        cron.active = False
        problems = " | ".join(self.status()["weekly_report"]["problems"])
        self.assertIn("emails the weekly report is off", problems)

        cron.active = True
        # user_sales_manager is a sales manager with an email address.
        self.assertTrue(self.status()["weekly_report"]["done"], self.status()["weekly_report"])

    def test_weekly_report_configure_link(self):
        items = self.env["proactive.rollout.item"]._proactive_sync_items(self.env.company)
        item = items.filtered(lambda i: i.key == "weekly_report")
        cron = self.env.ref("lead_proactive_kpi.ir_cron_lead_proactive_kpi_weekly_report")
        cron.active = False
        action = item.action_configure()
        self.assertEqual(action["res_model"], "ir.cron")
        self.assertEqual(self.env["ir.cron"].with_context(active_test=False).search(action["domain"]), cron)

        # With the scheduled action on, what is left is a manager's address.
        cron.active = True
        action = item.action_configure()
        self.assertEqual(action["res_model"], "res.users")
        managers = self.env["res.users"].search(action["domain"])
        self.assertIn(self.user_sales_manager, managers)
        self.assertNotIn(self.user_salesman, managers)

    def test_weekly_review_from_sent_report(self):
        self.env["digest.digest"].search([]).write({"state": "deactivated"})
        review = self.status()["weekly_review"]
        self.assertTrue(review["check"], "lead_proactive_kpi checks this item")
        self.assertFalse(review["done"])

        now = self.env.cr.now()
        report = self.env["proactive.weekly.report"].create(
            {"company_id": self.env.company.id, "week": (now - datetime.timedelta(days=10)).date()}
        )
        report.sent_date = now - datetime.timedelta(days=9)
        self.assertFalse(self.status()["weekly_review"]["done"], "sent too long ago")
        report.sent_date = now - datetime.timedelta(days=2)
        self.assertTrue(self.status()["weekly_review"]["done"])

    def test_weekly_review_not_ticked_by_digest(self):
        self.env["digest.digest"].create(
            {
                "name": "Lead KPIs",
                "kpi_proactive_median_response": True,
                "user_ids": [(4, self.user_sales_manager.id)],
                "company_id": self.env.company.id,
            }
        )
        self.assertFalse(self.status()["weekly_review"]["done"])

    def test_recovery_needs_snapshot(self):
        problems = " | ".join(self.status()["followup_recovery"]["problems"])
        self.assertIn("no KPI snapshot", problems)
        self.env["crm.lead"].create({"name": "This week's lead", "team_id": self.team.id})
        Snapshot = self.env["proactive.kpi.snapshot"]
        Snapshot._compute_week(Snapshot._recent_weeks()[-1])
        problems = " | ".join(self.status()["followup_recovery"]["problems"])
        self.assertNotIn("no KPI snapshot", problems)
