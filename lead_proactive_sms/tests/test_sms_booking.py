# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Booking confirmations by SMS, the after-commit send of texts (a rolled
back or retried transaction sends nothing twice) and the setting that leaves
STOP, START and HELP replies to Twilio."""

from datetime import datetime
from unittest.mock import patch

from odoo.exceptions import ConcurrencyError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LEAD_NUMBER, ProactiveSmsCase, sid

DAYTIME = datetime(2025, 6, 18, 15, 0)  # 11:00 in Boston
NIGHT = datetime(2025, 6, 18, 3, 0)  # 23:00 in Boston
MORNING = datetime(2025, 6, 18, 12, 0)  # 8:00 in Boston
DEFERRED_CRON = "lead_proactive_sms.ir_cron_lead_proactive_sms_deferred"
FIRST_TEXT = "Hi need a quote for 1BR move in 02139 tmrw. Can I pay today?"


@tagged("lead_proactive_sms", "post_install", "-at_install")
class TestSmsBooking(ProactiveSmsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Policy = cls.env["proactive.sla.policy"]
        Policy.search([]).action_archive()
        Policy.create({"name": "Booked", "target": "booked_confirmation", "minutes": 0})

    def sms_lead(self, **values):
        return self.Lead.create(
            {
                "name": "Earlier text",
                "type": "opportunity",
                "phone": LEAD_NUMBER,
                "team_id": self.team.id,
                "stage_id": self.stage_qualified.id,
                "proactive_channel": "sms",
                "proactive_sms_consent": True,
                **values,
            }
        )

    def confirmations(self, lead):
        return self.env["proactive.touch"].search(
            [("lead_id", "=", lead.id), ("kind", "=", "confirmation")]
        )

    def book(self, lead, when=DAYTIME):
        with self.mock_datetime_and_now(when), self.mockSMSGateway():
            lead.stage_id = self.stage_booked
            self.run_after_commit()

    # ------------------------------------------------------------
    # Booking confirmation
    # ------------------------------------------------------------
    def test_sms_lead_gets_text_once(self):
        lead = self.sms_lead()
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway(), self.mock_mail_gateway():
            lead.stage_id = self.stage_booked
            lead.write({"stage_id": self.stage_booked.id})
            self.run_after_commit()
            texts = self.texts_to()
        self.assertEqual(len(texts), 1)
        self.assertIn("you are booked", texts[0]["body"])
        self.assertFalse(self._mails, "no email besides the text")
        touch = self.confirmations(lead)
        self.assertEqual(len(touch), 1)
        self.assertEqual(touch.channel, "sms")
        self.assertEqual(touch.step, 201)
        self.assertEqual(touch.state, "sent")
        self.assertEqual(
            touch.sms_template_id,
            self.env.ref("lead_proactive_sms.sms_template_confirmation"),
        )
        self.assertEqual(lead.sla_status, "met")

    def test_channel_choice(self):
        phone_only = self.sms_lead(proactive_channel="manual")
        email_lead = self.sms_lead(
            proactive_channel="email", email_from="pat.jones@example.net"
        )
        with self.mock_mail_gateway():
            self.book(phone_only)
            self.book(email_lead)
        self.assertEqual(self.confirmations(phone_only).channel, "sms")
        self.assertEqual(self.confirmations(email_lead).channel, "email")
        self.assertEqual(self.confirmations(email_lead).state, "sent")

    def test_night_booking_deferred_not_dropped(self):
        lead = self.sms_lead()
        self.book(lead, NIGHT)
        touch = self.confirmations(lead)
        self.assertEqual(touch.state, "deferred")
        self.assertEqual(self._sms, [])
        self.assertNotEqual(lead.sla_status, "met")
        with self.mock_datetime_and_now(MORNING), self.mockSMSGateway():
            self.env.ref(DEFERRED_CRON).method_direct_trigger()
            self.run_after_commit()
            self.assertEqual(len(self.texts_to()), 1)
        self.assertEqual(touch.state, "sent")
        self.assertEqual(lead.sla_status, "met")

    def test_deferred_confirmation_of_unbooked_lead(self):
        lead = self.sms_lead()
        self.book(lead, NIGHT)
        lead.stage_id = self.stage_qualified
        with self.mock_datetime_and_now(MORNING), self.mockSMSGateway():
            self.env.ref(DEFERRED_CRON).method_direct_trigger()
            self.run_after_commit()
            self.assertEqual(self._sms, [])
        touch = self.confirmations(lead)
        self.assertEqual(touch.state, "skipped")
        self.assertIn("no longer at a Booked stage", touch.skip_reason)

    def test_opted_out_or_blacklisted_not_texted(self):
        opted_out = self.sms_lead(proactive_opt_out=True)
        self.book(opted_out)
        self.assertEqual(self._sms, [])
        self.assertIn("opted out", self.confirmations(opted_out).skip_reason)

        self.env["phone.blacklist"].sudo()._add(["+16175550177"])
        blacklisted = self.sms_lead(phone="+16175550177")
        self.book(blacklisted)
        self.assertEqual(self._sms, [])
        self.assertIn("blacklist", self.confirmations(blacklisted).skip_reason)

    # ------------------------------------------------------------
    # Sending after commit
    # ------------------------------------------------------------
    def test_text_leaves_only_after_commit(self):
        lead = self.sms_lead()
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            touch = lead._proactive_send_sms_touch(self.template_followup, 1)
            queued = self.env["sms.sms"].sudo().search(
                [("mail_message_id", "=", touch.message_id.id)]
            )
            self.assertEqual(queued.state, "outgoing")
            self.assertEqual(self._sms, [], "nothing leaves before the commit")
            self.run_after_commit()
            self.assertEqual(len(self.texts_to()), 1)
            self.run_after_commit()
            self.assertEqual(len(self.texts_to()), 1, "sent once")
        self.assertEqual(touch.state, "sent")

    @mute_logger("odoo.http", "odoo.service.model")
    def test_retried_request_texts_once(self):
        Inbound = type(self.env["proactive.sms.inbound"])
        original = Inbound._process_safely
        attempts = []

        def process_then_conflict(inbound):
            original(inbound)
            attempts.append(inbound.message_sid)
            if len(attempts) == 1:
                # The reply is queued: fail the transaction as a concurrent
                # update would, so that Odoo retries the request.
                raise ConcurrencyError("simulated serialization failure")

        with (
            self.mockSMSGateway(),
            patch.object(Inbound, "_process_safely", process_then_conflict),
            patch("odoo.service.model.random.uniform", return_value=0.0),
        ):
            response = self.post_webhook(self.twilio_form(FIRST_TEXT, sid(501)))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(attempts), 2, "the request ran twice")
        self.assertEqual(len(self.texts_to()), 1, "one instant reply")
        self.assertEqual(len(self.leads_of()), 1)

    @mute_logger("odoo.http")
    def test_failed_request_texts_nothing(self):
        Inbound = type(self.env["proactive.sms.inbound"])
        original = Inbound._process_safely

        def process_then_fail(inbound):
            original(inbound)
            raise ValueError("simulated failure after the reply was queued")

        with (
            self.mockSMSGateway(),
            patch.object(Inbound, "_process_safely", process_then_fail),
        ):
            response = self.post_webhook(self.twilio_form(FIRST_TEXT, sid(502)))
        self.assertEqual(response.status_code, 500)
        self.assertEqual(self._sms, [], "the rolled-back reply is never sent")
        self.assertFalse(self.leads_of())

    # ------------------------------------------------------------
    # Keyword replies left to Twilio
    # ------------------------------------------------------------
    def test_keywords_without_own_replies(self):
        self.env.company.proactive_sms_keyword_replies = False
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            self.receive(FIRST_TEXT, sid(511))
            lead = self.leads_of()
            stop = self.receive("STOP", sid(512))
            self.assertEqual(len(self.texts_to()), 1, "only the instant reply")
            self.assertTrue(self.Lead._proactive_sms_is_blacklisted(LEAD_NUMBER))
            self.assertTrue(lead.proactive_opt_out)
            self.assertFalse(stop.reply_date)
            notes = lead.message_ids.filtered(
                lambda m: "replies to Twilio" in (m.body or "")
            )
            self.assertEqual(len(notes), 1, "the missing reply is explained")
            self.receive("START", sid(513))
            self.receive("HELP", sid(514))
            self.assertEqual(len(self.texts_to()), 1)
        self.assertFalse(self.Lead._proactive_sms_is_blacklisted(LEAD_NUMBER))
        self.assertFalse(lead.proactive_opt_out)

    def test_keywords_with_own_replies(self):
        self.assertTrue(self.env.company.proactive_sms_keyword_replies)
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            self.receive("STOP", sid(521), number="+16175550188")
            self.receive("START", sid(522), number="+16175550188")
        bodies = [text["body"] for text in self.texts_to("+16175550188")]
        self.assertEqual(len(bodies), 2)
        self.assertIn("You are unsubscribed", bodies[0])
        self.assertIn("You are subscribed again", bodies[1])

    def test_keyword_replies_off_by_default(self):
        company = self.env["res.company"].create({"name": "New Movers"})
        self.assertFalse(company.proactive_sms_keyword_replies)
