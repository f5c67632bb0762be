# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The automation rules of lead_proactive switch the steps of the lead flow
for texts as they do for emails."""

from datetime import datetime

from odoo.tests import tagged

from .common import ProactiveSmsCase, sid

# A zip code and a timeline qualify the lead.
FIRST_TEXT = "Hi need a quote for 1BR move in 02139 tmrw"
DAYTIME = datetime(2025, 6, 18, 15, 0)  # 11:00 in Boston


@tagged("lead_proactive_sms", "post_install", "-at_install")
class TestSmsInboundRules(ProactiveSmsCase):
    def _switch_off(self, xmlid):
        rule = self.env.ref(xmlid)
        rule.active = False
        # Archiving a rule removes base_automation's method patches from the
        # registry, which a test rollback does not restore: reactivate.
        self.addCleanup(rule.write, {"active": True})

    def _receive_first_text(self):
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            self.receive(FIRST_TEXT, sid(701))
        lead = self.leads_of()
        self.assertEqual(len(lead), 1)
        self.assertEqual(len(self.inbound_texts(lead)), 1)
        return lead

    def test_text_with_every_rule_on(self):
        lead = self._receive_first_text()
        self.assertEqual(len(self.texts_to()), 1)
        self.assertEqual(lead.proactive_touch_ids.channel, "sms")
        self.assertEqual(lead.proactive_zip, "02139")
        self.assertEqual(lead.stage_id, self.stage_qualified)

    def test_text_with_reply_rule_off(self):
        self._switch_off("lead_proactive.base_automation_process_inbound")
        lead = self._receive_first_text()
        self.assertFalse(self.texts_to())
        self.assertFalse(lead.proactive_touch_ids)
        self.assertFalse(lead.proactive_first_response_date)
        self.assertEqual(lead.proactive_zip, "02139")
        self.assertEqual(lead.stage_id, self.stage_qualified)

    def test_text_with_qualification_rule_off(self):
        self._switch_off("lead_proactive.base_automation_inbound_qualification")
        lead = self._receive_first_text()
        self.assertEqual(len(self.texts_to()), 1)
        self.assertFalse(lead.proactive_zip)
        self.assertNotEqual(lead.stage_id, self.stage_qualified)
        self.assertTrue(lead.proactive_last_inbound_date)
