# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A lead-source webhook lead that gives only a phone number gets its
instant reply by SMS when the source's leads agreed to texts."""

from datetime import datetime

from odoo.tests import tagged

from odoo.addons.lead_proactive.tools.intake_adapters import parse_payload

from .common import LEAD_NUMBER, ProactiveSmsCase

DAYTIME = datetime(2025, 6, 18, 15, 0)  # 11:00 in Boston
PHONE_ONLY_LEAD = {
    "external_id": "call-7",
    "name": "Riley S.",
    "phone": LEAD_NUMBER,
    "zip": "02139",
    "message": "Need movers tomorrow",
    "created_at": "2025-06-18T14:59:00+00:00",
}


@tagged("lead_proactive_sms", "post_install", "-at_install")
class TestIntakeSms(ProactiveSmsCase):
    def create_from_webhook(self, source):
        [data] = parse_payload("generic", PHONE_ONLY_LEAD)
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            lead, _message = self.env["crm.lead"]._proactive_intake_create_lead(source, data)
            # The webhook's request commits here, which sends the queued text.
            self.run_after_commit()
        return lead

    def test_phone_only_lead_gets_sms_reply(self):
        source = self.env["proactive.intake.source"].create(
            {"name": "Form", "adapter": "generic", "team_id": self.team.id, "sms_consent": True}
        )
        lead = self.create_from_webhook(source)
        self.assertEqual(lead.proactive_channel, "sms")
        self.assertTrue(lead.proactive_sms_consent)
        touch = lead.proactive_touch_ids.filtered(lambda t: t.step == 0)
        self.assertEqual(touch.channel, "sms")
        self.assertEqual(touch.state, "sent", touch.skip_reason)
        self.assertEqual(len(self.texts_to(LEAD_NUMBER)), 1)
        # "tomorrow" is read from the day the person wrote, in the company's zone.
        self.assertEqual(lead.proactive_timeline, "this_week")
        self.assertEqual(str(lead.proactive_timeline_date), "2025-06-19")

    def test_phone_only_without_consent_is_a_call(self):
        source = self.env["proactive.intake.source"].create(
            {"name": "Form", "adapter": "generic", "team_id": self.team.id}
        )
        lead = self.create_from_webhook(source)
        self.assertEqual(lead.proactive_channel, "phone")
        self.assertFalse(lead.proactive_sms_consent)
        touch = lead.proactive_touch_ids.filtered(lambda t: t.step == 0)
        self.assertEqual(touch.channel, "assisted")
        self.assertEqual(touch.activity_id.summary, "Call the lead now: %s" % lead.phone)
        self.assertFalse(self.texts_to(LEAD_NUMBER))
