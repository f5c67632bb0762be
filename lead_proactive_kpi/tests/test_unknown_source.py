# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo.tests import tagged

from .common import WEEK, ProactiveKpiCase


@tagged("lead_proactive_kpi")
class TestUnknownSource(ProactiveKpiCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unknown = cls.env.ref("lead_proactive_kpi.utm_source_unknown")
        cls.lead_no_source = cls._create_lead(
            "No source", datetime.datetime(2025, 6, 11, 15, 0), 90
        )

    def test_lead_report_names_missing_source(self):
        row = self.env["proactive.lead.report"].search(
            [("lead_id", "=", self.lead_no_source.id)]
        )
        self.assertEqual(row.source_id, self.unknown)
        self.assertEqual(self.unknown.name, "Unknown source")

    def test_lead_report_groups_have_no_empty_source(self):
        groups = self.env["proactive.lead.report"]._read_group(
            [("week", "=", WEEK)], ["source_id"], ["__count"]
        )
        counts = {source: count for source, count in groups}
        self.assertNotIn(self.env["utm.source"], counts)
        self.assertEqual(counts[self.unknown], 1)
        self.assertEqual(counts[self.source_website], 3)

    def test_lead_source_kept(self):
        row = self.env["proactive.lead.report"].search(
            [("lead_id", "=", self.lead_won.id)]
        )
        self.assertEqual(row.source_id, self.source_website)
        self.assertFalse(self.lead_no_source.source_id, "the lead itself is unchanged")

    def test_leakage_names_missing_source(self):
        lead = self._create_lead(
            "Waiting, no source", self.env.cr.now() - datetime.timedelta(minutes=3),
            None, proactive_channel="email",
        )
        rows = self.env["proactive.leakage.report"].search([("lead_id", "=", lead.id)])
        self.assertTrue(rows)
        self.assertEqual(rows.source_id, self.unknown)
