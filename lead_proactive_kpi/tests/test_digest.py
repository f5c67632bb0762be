# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo.tests import tagged

from .common import ProactiveKpiCase

# Monday 9 June 00:00 to Monday 16 June 00:00 in Chicago, in UTC.
START = datetime.datetime(2025, 6, 9, 5, 0)
END = datetime.datetime(2025, 6, 16, 5, 0)


@tagged("lead_proactive_kpi")
class TestDigestKpis(ProactiveKpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.digest = cls.env["digest.digest"].create(
            {
                "name": "Sales digest",
                "company_id": cls.company_chicago.id,
                "kpi_proactive_booked": True,
                "kpi_proactive_median_response": True,
                "kpi_proactive_qualified_rate": True,
            }
        )

    def _values(self, user):
        digest = self.digest.with_user(user).with_context(start_datetime=START, end_datetime=END)
        return (
            digest.kpi_proactive_booked_value,
            digest.kpi_proactive_median_response_value,
            digest.kpi_proactive_qualified_rate_value,
        )

    def test_values_for_manager(self):
        booked, median, qualified = self._values(self.user_sales_manager)
        self.assertEqual(booked, 1)
        self.assertAlmostEqual(median, 3.0)
        self.assertAlmostEqual(qualified, 40.0)

    def test_values_follow_record_rules(self):
        # The salesperson sees the silent, recovered and unanswered leads:
        # answered in 120 and 240 s, one of three qualified, none booked.
        booked, median, qualified = self._values(self.user_salesman)
        self.assertEqual(booked, 0)
        self.assertAlmostEqual(median, 3.0)
        self.assertAlmostEqual(qualified, 100.0 / 3)

    def test_kpis_in_digest_email(self):
        kpis = self.digest._compute_kpis(self.company_chicago, self.user_sales_manager)
        names = [kpi["kpi_name"] for kpi in kpis]
        self.assertIn("kpi_proactive_booked", names)
        self.assertIn("kpi_proactive_median_response", names)
        self.assertIn("kpi_proactive_qualified_rate", names)
        booked = next(kpi for kpi in kpis if kpi["kpi_name"] == "kpi_proactive_booked")
        self.assertIn("lead_proactive_kpi.proactive_lead_report_action", booked["kpi_action"])
        self.assertTrue(
            self.env.ref("digest.digest_digest_default").kpi_proactive_booked,
            "enabled in the default digest",
        )
