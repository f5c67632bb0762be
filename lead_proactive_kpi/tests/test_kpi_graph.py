# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import ProactiveKpiCase


@tagged("lead_proactive_kpi")
class TestKpiGraph(ProactiveKpiCase):
    def _action_context(self, today):
        action = self.env.ref("lead_proactive_kpi.proactive_lead_report_action")
        return safe_eval(
            action.context,
            {"context_today": lambda: today, "relativedelta": relativedelta},
        )

    def test_graph_counts_leads_per_week(self):
        arch = self.env["proactive.lead.report"].get_view(view_type="graph")["arch"]
        graph = etree.fromstring(arch)
        self.assertEqual(graph.get("type"), "bar")
        fields = graph.findall("field")
        self.assertEqual(
            [(field.get("name"), field.get("interval")) for field in fields],
            [("week", "week"), ("source_id", None)],
        )
        self.assertFalse([field for field in fields if field.get("type") == "measure"])

    def test_action_fills_thirteen_weeks(self):
        # A Sunday, a Monday and a Wednesday, for users whose weeks start on
        # Sunday (English) and on Monday (French).
        for today in (
            datetime.date(2025, 6, 15),
            datetime.date(2025, 6, 16),
            datetime.date(2025, 6, 18),
        ):
            for lang in ("en_US", "fr_FR"):
                with self.subTest(today=today, lang=lang):
                    self._check_filled_weeks(today, lang)

    def _check_filled_weeks(self, today, lang):
        self.env["res.lang"]._activate_lang(lang)
        monday = today - datetime.timedelta(days=today.weekday())
        context = self._action_context(today)
        self.assertEqual(context["search_default_last_13_weeks"], 1)
        self.assertEqual(context["fill_temporal"]["fill_to"], monday.isoformat())
        groups = (
            self.env["proactive.lead.report"]
            .with_context(lang=lang, **context)
            .formatted_read_group(
                # The "Last 13 Weeks" filter, on the Tokyo company alone.
                [
                    ("week", ">", today - datetime.timedelta(days=91)),
                    ("week", "<=", today),
                    ("company_id", "=", self.company_tokyo.id),
                ],
                ["week:week"],
                ["__count"],
            )
        )
        counts = [group["__count"] for group in groups]
        self.assertEqual(len(counts), 13)
        # The Tokyo lead arrived in the week of Monday 16 June there.
        expected = 1 if monday == datetime.date(2025, 6, 16) else 0
        self.assertEqual(counts[-1], expected)
        self.assertEqual(sum(counts), 1 if today >= datetime.date(2025, 6, 16) else 0)
