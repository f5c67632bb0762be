# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Booking confirmations of paused SMS leads: left to a salesperson as an
activity, unless the phone blacklist or another guard check stops them."""

from datetime import datetime

from odoo.tests import tagged

from .common import LEAD_NUMBER, ProactiveSmsCase

DAYTIME = datetime(2025, 6, 18, 15, 0)  # 11:00 in Boston
BLACKLISTED_NUMBER = "+16175550177"


@tagged("lead_proactive_sms", "post_install", "-at_install")
class TestSmsBookingHandover(ProactiveSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Policy = cls.env["proactive.sla.policy"]
        Policy.search([]).action_archive()
        Policy.create(
            {
                "name": "Booked",
                "target": "booked_confirmation",
                "minutes": 0,
                "by_hand_minutes": 15,
            }
        )
        cls.confirm_type = cls.env.ref("lead_proactive.mail_activity_type_booking_confirmation")

    def paused_sms_lead(self, **values):
        return self.Lead.create(
            {
                "name": "Earlier text",
                "type": "opportunity",
                "phone": LEAD_NUMBER,
                "team_id": self.team.id,
                "user_id": self.user_salesman.id,
                "stage_id": self.stage_qualified.id,
                "proactive_channel": "sms",
                "proactive_sms_consent": True,
                "proactive_paused": True,
                "proactive_pause_reason": "Taken over by Sam Rivera",
                **values,
            }
        )

    def book(self, lead):
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            lead.stage_id = self.stage_booked
            self.run_after_commit()

    def confirm_activities(self, lead):
        return lead.activity_ids.filtered(lambda a: a.activity_type_id == self.confirm_type)

    def confirmation(self, lead):
        return self.env["proactive.touch"].search(
            [("lead_id", "=", lead.id), ("kind", "=", "confirmation")]
        )

    def test_paused_lead_confirmed_by_hand(self):
        lead = self.paused_sms_lead()
        self.book(lead)
        self.assertEqual(self._sms, [], "no automated text")
        activity = self.confirm_activities(lead)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_salesman)
        touch = self.confirmation(lead)
        self.assertEqual(touch.channel, "assisted")
        self.assertEqual(touch.state, "sent")
        self.assertEqual(touch.activity_id, activity)
        self.assertEqual(lead.sla_status, "on_track")
        self.assertEqual(lead.sla_deadline, datetime(2025, 6, 18, 15, 15))

    def test_blocked_paused_leads_skipped(self):
        self.env["phone.blacklist"].sudo()._add([BLACKLISTED_NUMBER])
        # The skip reason names the check that blocks the text, not the pause.
        cases = [
            ("blacklist", {"phone": BLACKLISTED_NUMBER}),
            ("opted out", {"proactive_opt_out": True}),
            ("not agreed", {"proactive_sms_consent": False}),
        ]
        for reason, values in cases:
            with self.subTest(reason=reason):
                lead = self.paused_sms_lead(**values)
                self.book(lead)
                self.assertEqual(self._sms, [])
                self.assertFalse(self.confirm_activities(lead))
                touch = self.confirmation(lead)
                self.assertEqual(touch.channel, "sms")
                self.assertEqual(touch.state, "skipped")
                self.assertIn(reason, touch.skip_reason)
