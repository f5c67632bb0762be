# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo.tests import tagged, users

from .common import ProactiveKpiCase


@tagged("lead_proactive_kpi")
class TestScriptReport(ProactiveKpiCase):
    """Scripts A, B and C are instant replies sent to the same 40 leads:
    A earned 4 replies, B and C 20 each. D and E are assisted replies: D was
    sent 20 times without a reply, E 40 times with 30 replies. Leads 0 to 9
    are booked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Template = cls.env["mail.template"]
        model = cls.env["ir.model"]._get("crm.lead")

        def script(name, usage):
            return Template.create(
                {"name": name, "model_id": model.id, "proactive_usage": usage,
                 "subject": name, "body_html": "<p>%s</p>" % name}
            )

        cls.script_a = script("Script A", "instant_reply")
        cls.script_b = script("Script B", "instant_reply")
        cls.script_c = script("Script C", "instant_reply")
        cls.script_d = script("Script D", "assisted_reply")
        cls.script_e = script("Script E", "assisted_reply")
        arrival = datetime.datetime(2025, 5, 5, 15, 0)
        leads = cls.env["crm.lead"].create(
            [
                {
                    "name": "Script lead %s" % index,
                    "type": "opportunity",
                    "proactive_arrival_date": arrival,
                    "stage_id": (cls.stage_booked if index < 10 else cls.stage_new).id,
                    "user_id": cls.user_sales_manager.id,
                }
                for index in range(40)
            ]
        )
        plan = [
            # (template, step, sends, replies)
            (cls.script_a, 0, 40, 4),
            (cls.script_b, 1, 40, 20),
            (cls.script_c, 2, 40, 20),
            (cls.script_d, 3, 20, 0),
            (cls.script_e, 4, 40, 30),
        ]
        touches = []
        for template, step, sends, replies in plan:
            for index, lead in enumerate(leads[:sends]):
                touches.append(
                    {
                        "lead_id": lead.id,
                        "step": step,
                        "kind": "instant_reply" if step == 0 else "followup",
                        "state": "sent",
                        "replied": index < replies,
                        "mail_template_id": template.id,
                    }
                )
        # A skipped touch is not a send.
        touches.append(
            {"lead_id": cls.lead_silent.id, "step": 5, "kind": "followup",
             "state": "skipped", "mail_template_id": cls.script_a.id}
        )
        cls.env["proactive.touch"].create(touches)

    def _row(self, template):
        return self.env["proactive.script.report"].search(
            [("mail_template_id", "=", template.id)]
        )

    def test_rates_and_siblings(self):
        a = self._row(self.script_a)
        self.assertEqual(a.sent_count, 40)
        self.assertEqual(a.replied_count, 4)
        self.assertAlmostEqual(a.reply_rate, 10.0)
        self.assertEqual(a.lead_count, 40)
        self.assertEqual(a.booked_count, 10)
        self.assertAlmostEqual(a.booked_rate, 25.0)
        self.assertEqual(a.sibling_sent_count, 80)
        self.assertEqual(a.sibling_replied_count, 40)
        self.assertAlmostEqual(a.sibling_reply_rate, 50.0)
        d = self._row(self.script_d)
        self.assertAlmostEqual(d.booked_rate, 50.0, "10 of its 20 leads are booked")

    def test_underperforming_flag(self):
        a = self._row(self.script_a)
        # Pooled p = 44 / 120; z = (0.5 - 0.1) / sqrt(p (1 - p) (1/40 + 1/80)).
        self.assertAlmostEqual(a.z_score, 4.2864, places=3)
        self.assertLess(a.p_value, 0.05)
        self.assertTrue(a.underperforming)

        b = self._row(self.script_b)
        self.assertLess(b.z_score, 0, "B does better than A and C combined")
        self.assertFalse(b.underperforming)

        d = self._row(self.script_d)
        # z = (0.75 - 0) / sqrt(0.5 * 0.5 * (1/20 + 1/40)) = 5.477, but only 20 sends.
        self.assertAlmostEqual(d.z_score, 5.4772, places=3)
        self.assertFalse(d.underperforming, "fewer than 30 sends")

        self.assertEqual(
            self.env["proactive.script.report"].search([("underperforming", "=", True)]).mail_template_id,
            self.script_a,
        )

        never_sent = self._row(self.env.ref("lead_proactive.mail_template_instant_reply"))
        self.assertEqual(never_sent.sent_count, 0)
        self.assertEqual(never_sent.p_value, 1.0, "no sends: no evidence")
        self.assertFalse(never_sent.underperforming)

    @users("proactive_manager")
    def test_retire_archives_script(self):
        self._row(self.script_a).action_retire()
        self.assertFalse(self.script_a.active)
        a = self._row(self.script_a)
        self.assertFalse(a.script_active)
        b = self._row(self.script_b)
        self.assertEqual(b.sibling_sent_count, 40, "only C is left as a sibling")
        in_use = self.env["proactive.script.report"].search([("script_active", "=", True)])
        self.assertNotIn(self.script_a, in_use.mail_template_id)
        a.action_restore()
        self.assertTrue(self.script_a.active)
