# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo.tests import tagged

from .common import ProactiveKpiCase

GRACE_PARAM = "lead_proactive_kpi.no_next_step_grace_minutes"


@tagged("lead_proactive_kpi")
class TestLeakageGrace(ProactiveKpiCase):
    def setUp(self):
        super().setUp()
        # The leakage view compares with the transaction time, as cr.now() does.
        self.now = self.env.cr.now()
        self.lead_recent = self._qualify_at("Qualified 10 min ago", minutes_ago=10)
        self.lead_slipping = self._qualify_at("Qualified 20 min ago", minutes_ago=20)

    def _qualify_at(self, name, minutes_ago):
        lead = self._create_lead(
            name, self.now - datetime.timedelta(hours=2), 30, proactive_channel="email"
        )
        with self.mock_datetime_and_now(self.now - datetime.timedelta(minutes=minutes_ago)):
            lead.stage_id = self.stage_qualified
        return lead

    def _no_next_step_rows(self):
        rows = self.env["proactive.leakage.report"].search(
            [
                ("lead_id", "in", (self.lead_recent | self.lead_slipping).ids),
                ("category", "=", "no_next_step"),
            ]
        )
        return {row.lead_id: row for row in rows}

    def test_default_grace_is_fifteen_minutes(self):
        self.assertEqual(
            self.lead_recent.date_last_stage_update,
            self.now - datetime.timedelta(minutes=10),
        )
        rows = self._no_next_step_rows()
        self.assertNotIn(self.lead_recent, rows, "still inside the grace period")
        self.assertIn(self.lead_slipping, rows)
        self.assertEqual(rows[self.lead_slipping].waited_minutes, 20)

    def test_grace_parameter_read_at_query_time(self):
        self.env["ir.config_parameter"].set_param(GRACE_PARAM, "5")
        self.assertEqual(
            set(self._no_next_step_rows()), {self.lead_recent, self.lead_slipping}
        )
        self.env["ir.config_parameter"].set_param(GRACE_PARAM, "30")
        self.assertFalse(self._no_next_step_rows())

    def test_invalid_grace_falls_back_to_default(self):
        self.env["ir.config_parameter"].set_param(GRACE_PARAM, "soon")
        self.assertEqual(set(self._no_next_step_rows()), {self.lead_slipping})

    def test_planned_activity_removes_lead(self):
        self.lead_slipping.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.user_salesman.id
        )
        self.assertNotIn(self.lead_slipping, self._no_next_step_rows())
