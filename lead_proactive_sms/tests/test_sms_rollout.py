# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from odoo.addons.lead_proactive.tests.common import ProactiveCase


@tagged("lead_proactive_sms", "lead_proactive_rollout")
class TestSmsRollout(ProactiveCase):
    def problems(self, key):
        entries = self.env["proactive.rollout.item"]._proactive_rollout_status(self.env.company)
        return " | ".join({entry["key"]: entry for entry in entries}[key]["problems"])

    def test_twilio_item_ticks_when_connected(self):
        company = self.env.company.sudo()
        company.write({"sms_provider": "iap", "sms_twilio_account_sid": False})
        company.sms_twilio_number_ids.unlink()
        problems = self.problems("sms_twilio")
        self.assertIn("not Twilio", problems)
        self.assertIn("auth token is missing", problems)
        self.assertIn("no Twilio number", problems)

        company.write(
            {
                "sms_provider": "twilio",
                "sms_twilio_account_sid": "AC" + "1" * 32,
                "sms_twilio_auth_token": "2" * 32,
                "sms_twilio_number_ids": [
                    (0, 0, {"number": "+15125550100", "country_id": self.env.ref("base.us").id})
                ],
            }
        )
        self.assertEqual(self.problems("sms_twilio"), "")

    def test_sms_template_and_team_checked(self):
        self.env.company.proactive_sms_team_id = False
        self.assertIn("no sales team chosen for texts", self.problems("one_pipeline"))
        self.env.company.proactive_sms_team_id = self.team
        self.assertNotIn("texts from unknown numbers", self.problems("one_pipeline"))

        # SMS templates cannot be archived: a template leaves the scripts by
        # losing its usage.
        self.env["sms.template"].search([("proactive_usage", "=", "instant_reply")]).write(
            {"proactive_usage": False}
        )
        self.assertIn("instant-reply SMS script", self.problems("instant_replies"))
        self.assertIn("no active SMS script for Instant Reply", self.problems("scripts_standardized"))
