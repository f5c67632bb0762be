# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo.tests import tagged, users

from .common import ProactiveKpiCase


@tagged("lead_proactive_kpi")
class TestLeakageReport(ProactiveKpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The view compares with the transaction time, which cr.now() returns.
        now = cls.env.cr.now()
        minutes = lambda count: now - datetime.timedelta(minutes=count)  # noqa: E731
        cls.lead_waiting_long = cls._create_lead(
            "Waiting long", minutes(10), None, proactive_channel="email",
            user=cls.user_salesman,
        )
        cls.lead_waiting_short = cls._create_lead(
            "Waiting short", minutes(2), None, proactive_channel="email",
            user=cls.user_sales_manager,
        )

        cls.lead_opted_out = cls._create_lead(
            "Opted out", minutes(30), None, proactive_channel="email",
            proactive_opt_out=True,
        )
        cls.lead_typed_in = cls._create_lead(
            "Typed in", minutes(30), None, proactive_channel="manual"
        )

        cls.lead_qualified_idle = cls._create_lead(
            "Qualified idle", minutes(90), 30, stage=cls.stage_qualified
        )
        # Qualified an hour ago: past the grace period for a next step.
        cls.lead_qualified_idle.date_last_stage_update = minutes(60)
        cls.lead_qualified_planned = cls._create_lead(
            "Qualified planned", minutes(90), 30, stage=cls.stage_qualified
        )
        cls.lead_qualified_planned.activity_schedule(
            "mail.mail_activity_data_call", user_id=cls.user_salesman.id
        )

        cls.lead_lost_after_followups = cls._create_lead("Lost after follow-ups", minutes(3000), 30)
        cls._create_touch(cls.lead_lost_after_followups, 0)
        cls._create_touch(cls.lead_lost_after_followups, 1)
        cls.lead_lost_after_followups.action_set_lost()
        cls.lead_lost_after_followups.date_closed = minutes(60)
        cls.lead_lost_other = cls._create_lead("Lost, no follow-up", minutes(3000), 30)
        cls._create_touch(cls.lead_lost_other, 0)
        cls.lead_lost_other.action_set_lost()
        cls.lead_lost_other.date_closed = minutes(60)

        cls.leakage_leads = (
            cls.lead_waiting_long | cls.lead_waiting_short | cls.lead_opted_out
            | cls.lead_typed_in | cls.lead_qualified_idle | cls.lead_qualified_planned
            | cls.lead_lost_after_followups | cls.lead_lost_other
        )

    def _categories(self):
        rows = self.env["proactive.leakage.report"].search(
            [("lead_id", "in", self.leakage_leads.ids)]
        )
        return {(row.lead_id.sudo(), row.category): row for row in rows}

    def _past_sla_leads(self):
        """Leads whose running SLA deadline, as the SLA policies set it, has passed."""
        now = self.env.cr.now()
        return self.leakage_leads.filtered(
            lambda lead: lead.sla_status == "breached"
            or (lead.sla_deadline and lead.sla_deadline < now
                and lead.sla_status in ("on_track", "at_risk"))
        )

    def test_categories(self):
        rows = self._categories()
        past_sla = self._past_sla_leads()
        # Unanswered for 10 minutes: past the 5-minute first-reply target.
        self.assertIn(self.lead_waiting_long, past_sla)
        self.assertNotIn(self.lead_waiting_short, past_sla)
        self.assertEqual(
            set(rows),
            {
                (self.lead_waiting_long, "waiting_reply"),
                (self.lead_waiting_short, "waiting_reply"),
                (self.lead_qualified_idle, "no_next_step"),
                (self.lead_lost_after_followups, "lost_after_sequence"),
            } | {(lead, "past_sla") for lead in past_sla},
        )

    def test_waiting_time(self):
        rows = self._categories()
        waiting = rows[(self.lead_waiting_long, "waiting_reply")]
        self.assertEqual(waiting.waited_minutes, 10)
        self.assertAlmostEqual(waiting.waited_hours, 10 / 60)
        self.assertEqual(waiting.since, self.lead_waiting_long.proactive_arrival_date)
        # Past the deadline the first-reply policy set, about minute 5 of its 10.
        late = self.env.cr.now() - self.lead_waiting_long.sla_deadline
        self.assertEqual(
            rows[(self.lead_waiting_long, "past_sla")].waited_minutes,
            int(late.total_seconds() // 60),
        )
        self.assertIn(rows[(self.lead_waiting_long, "past_sla")].waited_minutes, (4, 5))
        self.assertEqual(rows[(self.lead_lost_after_followups, "lost_after_sequence")].waited_minutes, 60)

    def test_answered_lead_leaves_the_list(self):
        self.lead_waiting_long.write(
            {
                "proactive_first_response_date": self.env.cr.now(),
                "proactive_first_response_seconds": 600,
            }
        )
        self.assertNotIn(
            (self.lead_waiting_long, "waiting_reply"), self._categories()
        )

    @users("proactive_salesman")
    def test_salesperson_sees_own_and_unassigned(self):
        leads = {lead for lead, _category in self._categories()}
        self.assertIn(self.lead_waiting_long, leads)
        self.assertIn(self.lead_qualified_idle, leads, "unassigned")
        self.assertNotIn(self.lead_waiting_short, leads, "assigned to the manager")

    def test_waits_not_totalled_in_groups(self):
        # The list view requests the aggregate of each field of the view that
        # has an aggregator, and shows it in the group rows.
        Report = self.env["proactive.leakage.report"]
        view_fields = Report.get_views([(False, "list")])["models"][Report._name]["fields"]
        self.assertIn("waited_minutes", view_fields)
        self.assertIn("waited_hours", view_fields)
        self.assertFalse(view_fields["waited_minutes"].get("aggregator"))
        self.assertFalse(view_fields["waited_hours"].get("aggregator"))

        aggregates = [
            "%s:%s" % (name, description["aggregator"])
            for name, description in view_fields.items()
            if description.get("aggregator")
        ]
        groups = Report.web_read_group(
            [("lead_id", "in", self.leakage_leads.ids)], ["category"], aggregates
        )["groups"]
        self.assertTrue(groups)
        for group in groups:
            self.assertNotIn("waited_minutes", group)
            self.assertNotIn("waited_hours", group)
