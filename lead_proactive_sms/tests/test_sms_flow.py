# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The lead flow for texts: matching leads, keywords, the blacklist, the
follow-up API, split messages and sending hours. Texts are delivered
straight to the inbound model; test_sms_webhook covers the HTTP layer."""

import re
from datetime import datetime

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tests.common import RecordCapturer
from odoo.tools import mute_logger

from .common import LEAD_NUMBER, ProactiveSmsCase, load_sample, sid

FIRST_TEXT = "Hi need a quote for 1BR move in 02139 tmrw. Can I pay today?"
DAYTIME = datetime(2025, 6, 18, 15, 0)  # 11:00 in Boston
DEFERRED_CRON = "lead_proactive_sms.ir_cron_lead_proactive_sms_deferred"
PARTS_CRON = "lead_proactive_sms.ir_cron_lead_proactive_sms_parts"
MIAMI_NUMBER = "+13055550147"


@tagged("lead_proactive_sms", "post_install", "-at_install")
class TestSmsFlow(ProactiveSmsCase):
    def capture_triggers(self, xmlid):
        cron = self.env.ref(xmlid)
        return RecordCapturer(
            self.env["ir.cron.trigger"].sudo(), [("cron_id", "=", cron.id)]
        )

    def blacklist_rows(self, number):
        return (
            self.env["phone.blacklist"]
            .sudo()
            .with_context(active_test=False)
            .search([("number", "=", number)])
        )

    def sms_lead(self, number=LEAD_NUMBER, **values):
        """Create a lead that texted us before (so it may be texted)."""
        return self.Lead.create(
            {
                "name": "Earlier text",
                "phone": number,
                "team_id": self.team.id,
                "proactive_channel": "sms",
                "proactive_sms_consent": True,
                **values,
            }
        )

    # ------------------------------------------------------------
    # Matching leads
    # ------------------------------------------------------------
    def test_national_number_matches_existing_lead(self):
        lead = self.Lead.create(
            {
                "name": "Sofa quote",
                "email_from": "dana.whitfield@example.net",
                "phone": "(617) 555-0142",
                "team_id": self.team.id,
                "proactive_channel": "email",
            }
        )
        self.assertEqual(lead.phone_sanitized, LEAD_NUMBER)
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            inbound = self.receive(
                "Still available? I'm in 02139", sid(101), number="(617) 555-0142"
            )
        self.assertEqual(inbound.number, LEAD_NUMBER)
        self.assertEqual(inbound.from_number, "(617) 555-0142")
        self.assertEqual(inbound.lead_id, lead)
        self.assertEqual(self.leads_of(), lead, "no second lead")
        self.assertTrue(
            lead.proactive_sms_consent, "texting us is consent to an answer"
        )
        self.assertEqual(lead.proactive_zip, "02139", "the lead flow read the text")
        self.assertEqual(len(self.texts_to()), 1, "the text is answered by text")
        self.assertEqual(lead.proactive_touch_ids.channel, "sms")

    def test_invalid_sender_kept_as_error(self):
        with self.mockSMSGateway():
            inbound = self.receive(
                "FREE MSG: your bill is ready", sid(102), number="22395"
            )
        self.assertEqual(inbound.state, "error")
        self.assertIn("not a valid phone number", inbound.error)
        self.assertFalse(inbound.lead_id)
        self.assertEqual(self._sms, [])

    # ------------------------------------------------------------
    # Keywords
    # ------------------------------------------------------------
    def test_stop_blocks_all_texts(self):
        Touch = self.env["proactive.touch"].sudo()
        # 21:30 in Boston: the instant reply goes out, a follow-up waits.
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 18, 1, 30)),
            self.mockSMSGateway(),
        ):
            self.receive(FIRST_TEXT, sid(201))
            lead = self.leads_of()
            waiting = lead._proactive_send_sms_touch(self.template_followup, 1)
            self.assertEqual(waiting.state, "deferred")
            self.assertEqual(len(self.texts_to()), 1)

        with (
            self.mock_datetime_and_now(datetime(2025, 6, 18, 11, 0)),
            self.mockSMSGateway(),
        ):
            inbound = self.receive("Stop. Thanks", sid(202))
        self.assertEqual(inbound.keyword, "opt_out")
        self.assertEqual(inbound.lead_id, lead)
        self.assertTrue(self.blacklist_rows(LEAD_NUMBER).active)
        self.assertTrue(lead.proactive_opt_out)
        self.assertFalse(lead.proactive_replied, "a STOP is not a reply")
        self.assertEqual(waiting.state, "skipped")
        self.assertEqual(len(self.texts_to()), 1, "one confirmation")
        self.assertIn("You are unsubscribed", self.texts_to()[0]["body"])
        keyword_message = self.inbound_texts(lead).filtered("proactive_sms_keyword")
        self.assertEqual(keyword_message.proactive_sms_keyword, "opt_out")

        with (
            self.mock_datetime_and_now(datetime(2025, 6, 18, 11, 10)),
            self.mockSMSGateway(),
        ):
            self.receive("stop", sid(203))
            self.assertEqual(self._sms, [], "no second confirmation")

        with (
            self.mock_datetime_and_now(datetime(2025, 6, 19, 14, 0)),
            self.mockSMSGateway(),
        ):
            touch = lead._proactive_send_sms_touch(self.template_followup, 2)
            self.env.ref(DEFERRED_CRON).method_direct_trigger()
            self.assertEqual(self._sms, [])
        self.assertEqual(touch.state, "skipped")
        self.assertIn("opted out", touch.skip_reason)
        self.assertEqual(
            Touch.search([("lead_id", "=", lead.id), ("state", "=", "sent")]).mapped(
                "step"
            ),
            [0],
        )

    def test_stop_from_unknown_number(self):
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            inbound = self.receive("STOP", sid(211), number="+16175550177")
        self.assertFalse(inbound.lead_id, "a STOP creates no lead")
        self.assertFalse(self.leads_of("+16175550177"))
        self.assertTrue(self.blacklist_rows("+16175550177").active)
        self.assertEqual(len(self.texts_to("+16175550177")), 1)
        self.assertSMS(
            self.env["res.partner"], "+16175550177", "pending", content="unsubscribed"
        )
        self.assertTrue(inbound.reply_date)

    def test_start_resubscribes_without_resending(self):
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            self.receive(FIRST_TEXT, sid(221))
            lead = self.leads_of()
            first = lead._proactive_send_sms_touch(self.template_followup, 1)
            self.run_after_commit()
            self.receive("STOP", sid(222))
            blocked = lead._proactive_send_sms_touch(self.template_followup, 2)
            inbound = self.receive("START", sid(223))
            after = lead._proactive_send_sms_touch(self.template_followup, 3)
            self.run_after_commit()
        self.assertEqual(first.state, "sent")
        self.assertEqual(blocked.state, "skipped")
        self.assertEqual(inbound.keyword, "opt_in")
        self.assertFalse(
            self.blacklist_rows(LEAD_NUMBER).active, "archived, not deleted"
        )
        self.assertFalse(lead.proactive_opt_out)
        self.assertEqual(after.state, "sent")
        bodies = [text["body"] for text in self.texts_to()]
        self.assertEqual(
            len(bodies), 5, "reply, touch 1, STOP and START confirmations, touch 3"
        )
        self.assertIn("You are subscribed again", bodies[3])
        self.assertEqual(blocked.state, "skipped", "the skipped touch is not resent")

    def test_help_reply_once_per_cooldown(self):
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            self.receive(FIRST_TEXT, sid(231))
            lead = self.leads_of()
            self.receive("HELP", sid(232))
            self.receive("help!", sid(233))
        bodies = [text["body"] for text in self.texts_to()]
        self.assertEqual(len(bodies), 2, "the instant reply and one HELP reply")
        self.assertIn("Reply with your question", bodies[1])
        self.assertFalse(lead.proactive_replied, "HELP is not a reply")
        self.assertEqual(len(lead.proactive_touch_ids), 1)
        self.assertIn(
            "No HELP reply sent",
            lead.message_ids.filtered(lambda m: "HELP reply" in (m.body or "")).body,
        )

    def test_yes_from_subscribed_number_is_a_reply(self):
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            self.receive(FIRST_TEXT, sid(241))
            inbound = self.receive("Yes", sid(242))
        lead = self.leads_of()
        self.assertFalse(inbound.keyword)
        self.assertTrue(lead.proactive_replied)
        self.assertFalse(self.blacklist_rows(LEAD_NUMBER))

    # ------------------------------------------------------------
    # Blacklist
    # ------------------------------------------------------------
    def test_blacklist_rules(self):
        Blacklist = self.env["phone.blacklist"].sudo()
        Blacklist._add([LEAD_NUMBER])
        Blacklist.create({"number": "+16175550199", "active": False})
        lead = self.Lead.create(
            {
                "name": "Quote",
                "email_from": "dana.whitfield@example.net",
                "phone": "(617) 555-0142",
                "team_id": self.team.id,
            }
        )
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            first = self.receive("hello?", sid(251))
            second = self.receive("hello??", sid(252), number="(617) 555-0142")
            archived = self.receive("hi", sid(253), number="+16175550199")
        self.assertEqual(first.lead_id, lead)
        self.assertEqual(second.lead_id, lead, "national format, same lead")
        self.assertEqual(self.texts_to(), [], "no text to a blacklisted number")
        self.assertIn("phone blacklist", lead.proactive_touch_ids.skip_reason)
        self.assertEqual(
            len(self.texts_to("+16175550199")), 1, "an archived row does not block"
        )

        Blacklist._add(["+1 617-555-0199"])
        rows = self.blacklist_rows("+16175550199")
        self.assertEqual(len(rows), 1, "reactivated, not duplicated")
        self.assertTrue(rows.active)
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            touch = archived.lead_id._proactive_send_sms_touch(
                self.template_followup, 1
            )
        self.assertEqual(touch.state, "skipped")
        self.assertEqual(self._sms, [])

    def test_blacklist_sample_events(self):
        sample = load_sample("BH-23")
        Blacklist = self.env["phone.blacklist"].sudo()
        for row in sample["setup"]["phone.blacklist"]:
            Blacklist.create({"number": row["number"], "active": row["active"]})
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            for event in sample["events"]:
                if event["type"] == "sms_in":
                    # A sample event may give only the sender, not the text.
                    body = event.get("body") or "hello?"
                    self.receive(body, sid(260 + event["step"]), number=event["from"])
                elif event["type"] == "admin":
                    number = re.search(r"_add\('([^']+)'\)", event["action"]).group(1)
                    Blacklist._add([number])
        self.assertEqual(
            self._sms, [], "every sample text comes from a blacklisted number"
        )
        self.assertEqual(
            len(self.leads_of()), 1, "the national-format text found the lead"
        )
        self.assertTrue(self.blacklist_rows("+16175550199").active)

    # ------------------------------------------------------------
    # Follow-up API
    # ------------------------------------------------------------
    def test_send_sms_touch_states(self):
        lead = self.sms_lead()
        email_lead = self.Lead.create(
            {
                "name": "Email lead",
                "email_from": "marco@example.org",
                "phone": "+16175550155",
            }
        )
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            sent = lead._proactive_send_sms_touch(self.template_followup, 1)
            again = lead._proactive_send_sms_touch(self.template_followup, 1)
            no_script = lead._proactive_send_sms_touch(self.env["sms.template"], 2)
            no_consent = email_lead._proactive_send_sms_touch(self.template_followup, 1)
            self.run_after_commit()
        self.assertEqual(sent.state, "sent")
        self.assertEqual(sent.channel, "sms")
        self.assertEqual(sent.kind, "followup")
        self.assertEqual(sent.sms_template_id, self.template_followup)
        self.assertEqual(sent.message_id.message_type, "sms")
        self.assertEqual(again, sent, "a claimed step is returned, not sent again")
        self.assertEqual(len(self.texts_to()), 1)
        self.assertIn("Do you still need help?", self.texts_to()[0]["body"])
        self.assertEqual(no_script.state, "skipped")
        self.assertIn("no SMS script", no_script.skip_reason)
        self.assertEqual(no_consent.state, "skipped")
        self.assertIn("not agreed to receive texts", no_consent.skip_reason)
        self.assertEqual(self.texts_to("+16175550155"), [])

    @mute_logger("odoo.addons.lead_proactive_sms.models.crm_lead")
    def test_gateway_failure_marks_touch_failed(self):
        lead = self.sms_lead()
        with (
            self.mock_datetime_and_now(DAYTIME),
            self.mockSMSGateway(sim_error="credit"),
        ):
            touch = lead._proactive_send_sms_touch(self.template_followup, 1)
            self.assertEqual(touch.state, "sent", "queued: the provider answers after the commit")
            self.run_after_commit()
        self.assertEqual(touch.state, "failed")
        self.assertEqual(touch.skip_reason, "Insufficient Credit")
        self.assertTrue(touch.message_id)

    # ------------------------------------------------------------
    # Sending hours
    # ------------------------------------------------------------
    def test_followup_deferred_to_recipient_morning(self):
        lead = self.sms_lead(MIAMI_NUMBER, proactive_zip="33130")
        # 20:15 in Miami, after Florida's 20:00.
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 17, 0, 15)),
            self.mockSMSGateway(),
            self.capture_triggers(DEFERRED_CRON) as triggers,
        ):
            touch = lead._proactive_send_sms_touch(self.template_followup, 1)
        self.assertEqual(touch.state, "deferred")
        self.assertEqual(touch.send_after, datetime(2025, 6, 17, 12, 0))
        self.assertEqual(
            triggers.records.mapped("call_at"), [datetime(2025, 6, 17, 12, 0)]
        )
        self.assertEqual(self._sms, [])
        self.assertIn("SMS deferred", lead.message_ids[0].body)

        with (
            self.mock_datetime_and_now(datetime(2025, 6, 17, 11, 59)),
            self.mockSMSGateway(),
        ):
            self.env.ref(DEFERRED_CRON).method_direct_trigger()
            self.assertEqual(self._sms, [], "not due yet")
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 17, 12, 0)),
            self.mockSMSGateway(),
        ):
            self.env.ref(DEFERRED_CRON).method_direct_trigger()
            self.run_after_commit()
            self.assertEqual(len(self.texts_to(MIAMI_NUMBER)), 1)
        touch.invalidate_recordset()
        self.assertEqual(touch.state, "sent")

    def test_instant_reply_at_night(self):
        # 22:40 in Miami: the direct reply to the lead's own text is sent.
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 17, 2, 40)),
            self.mockSMSGateway(),
        ):
            self.receive("Need movers in 33130", sid(301), number=MIAMI_NUMBER)
        self.assertEqual(len(self.texts_to(MIAMI_NUMBER)), 1)
        self.assertEqual(self.leads_of(MIAMI_NUMBER).proactive_touch_ids.state, "sent")

        self.env.company.proactive_sms_reply_anytime = False
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 17, 2, 40)),
            self.mockSMSGateway(),
        ):
            self.receive("Need movers in 33130", sid(302), number="+13055550148")
        touch = self.leads_of("+13055550148").proactive_touch_ids
        self.assertEqual(touch.state, "deferred")
        self.assertEqual(touch.send_after, datetime(2025, 6, 17, 12, 0))
        self.assertEqual(self.texts_to("+13055550148"), [])

    def test_zip_and_area_code_zones(self):
        # A San Francisco number with a New York ZIP: 8:00 in both zones.
        lead = self.sms_lead("+14155550123", proactive_zip="10001")
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 17, 12, 30)),
            self.mockSMSGateway(),
        ):
            touch = lead._proactive_send_sms_touch(self.template_followup, 1)
        self.assertEqual(touch.send_after, datetime(2025, 6, 17, 15, 0))

        # A zone set on the lead wins over the number and the ZIP code.
        tokyo = self.sms_lead(
            "+14155550124", proactive_zip="10001", proactive_tz="Asia/Tokyo"
        )
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 17, 12, 30)),
            self.mockSMSGateway(),
        ):
            touch = tokyo._proactive_send_sms_touch(self.template_followup, 1)
        self.assertEqual(
            touch.send_after, datetime(2025, 6, 17, 23, 0), "8:00 in Tokyo"
        )

        # Nothing known: the company's zone (Chicago) and the number's country.
        london = self.sms_lead("+447911123456")
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 17, 12, 30)),
            self.mockSMSGateway(),
        ):
            touch = london._proactive_send_sms_touch(self.template_followup, 1)
        self.assertEqual(
            touch.send_after, datetime(2025, 6, 17, 13, 0), "8:00 in Chicago"
        )

    def test_sending_hours_settings(self):
        self.env.company.write(
            {"proactive_sms_hour_start": 9.5, "proactive_sms_hour_end": 18.0}
        )
        lead = self.sms_lead()
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 17, 13, 0)),
            self.mockSMSGateway(),
        ):
            touch = lead._proactive_send_sms_touch(self.template_followup, 1)
        self.assertEqual(
            touch.send_after, datetime(2025, 6, 17, 13, 30), "9:30 in Boston"
        )
        with self.assertRaises(ValidationError):
            self.env.company.write({"proactive_sms_hour_start": 20.0})

    def test_sample_direct_reply_case(self):
        sample = load_sample("BH-17")
        case = next(
            case
            for case in sample["cases"]
            if case["kind"] == "instant_reply_to_inbound"
        )
        when = datetime.fromisoformat(case["inbound_at_utc"].replace("Z", ""))
        with self.mock_datetime_and_now(when), self.mockSMSGateway():
            self.receive(
                "Need movers in %s" % case["lead_zip"], sid(311), number=case["to"]
            )
        self.assertEqual(len(self.texts_to(case["to"])), 1, case["expect"])

    # ------------------------------------------------------------
    # Split messages
    # ------------------------------------------------------------
    def test_split_message_joined_on_the_fly(self):
        full = (
            "Hi, we are moving a 3 bedroom house from Cambridge to Somerville and "
            "need a quote for packing, loading and a truck with two movers, ideally "
            "on a weekday, or else on Saturday morning. Zip 02139."
        )
        # The carrier delivers a full 153-character part, then the rest.
        part_one, part_two = full[:153], full[153:]
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 18, 15, 0, 0)),
            self.mockSMSGateway(),
            self.capture_triggers(PARTS_CRON) as triggers,
        ):
            first = self.receive(part_one, sid(401))
            self.assertEqual(first.state, "waiting")
            self.assertFalse(self.leads_of(), "the lead waits for the rest")
            self.assertEqual(
                triggers.records.mapped("call_at"), [datetime(2025, 6, 18, 15, 0, 10)]
            )

        # The rest arrives 3 seconds later, inside the 10-second window.
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 18, 15, 0, 3)),
            self.mockSMSGateway(),
        ):
            second = self.receive(part_two, sid(402))
            self.assertEqual(len(self.texts_to()), 1)

        lead = self.leads_of()
        self.assertEqual(second.state, "done")
        self.assertEqual(second.head_id, first)
        self.assertEqual(first.state, "done")
        texts = self.inbound_texts(lead)
        self.assertEqual(len(texts), 1, "one message for both parts")
        self.assertIn(full[140:170], texts.body)
        self.assertEqual(lead.proactive_zip, "02139")

    def test_split_message_read_by_cron(self):
        part = "Moving from an apartment in 02139, " + "x" * 120
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 18, 15, 0, 0)),
            self.mockSMSGateway(),
        ):
            waiting = self.receive(part, sid(411))
        self.assertEqual(waiting.state, "waiting")
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 18, 15, 0, 5)),
            self.mockSMSGateway(),
        ):
            self.env.ref(PARTS_CRON).method_direct_trigger()
        waiting.invalidate_recordset()
        self.assertEqual(waiting.state, "waiting", "the window is still open")
        with (
            self.mock_datetime_and_now(datetime(2025, 6, 18, 15, 0, 11)),
            self.mockSMSGateway(),
        ):
            self.env.ref(PARTS_CRON).method_direct_trigger()
            self.run_after_commit()
            self.assertEqual(len(self.texts_to()), 1)
        waiting.invalidate_recordset()
        self.assertEqual(waiting.state, "done")
        self.assertEqual(waiting.lead_id.proactive_zip, "02139")

    def test_split_wait_off(self):
        self.env.company.proactive_sms_part_window = 0
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            inbound = self.receive("y" * 160, sid(421))
        self.assertEqual(inbound.state, "done")

    # ------------------------------------------------------------
    # Scripts
    # ------------------------------------------------------------
    def test_template_segment_fields(self):
        Template = self.env["sms.template"]
        model = self.env["ir.model"]._get_id("crm.lead")
        plain = Template.create(
            {"name": "Plain", "model_id": model, "body": "Is it for today?"}
        )
        curly = Template.create(
            {"name": "Curly", "model_id": model, "body": "It\u2019s ready \U0001f642"}
        )
        long_text = Template.create(
            {"name": "Long", "model_id": model, "body": "a" * 200}
        )
        self.assertEqual(plain.proactive_encoding, "gsm7")
        self.assertEqual(plain.proactive_segment_count, 1)
        self.assertFalse(plain.proactive_ucs2_chars)
        self.assertEqual(curly.proactive_encoding, "ucs2")
        self.assertEqual(curly.proactive_ucs2_chars, "\u2019 \U0001f642")
        self.assertEqual(long_text.proactive_segment_count, 2)
        shipped = self.template_instant
        self.assertEqual(shipped.proactive_encoding, "gsm7")
        self.assertLessEqual(shipped.proactive_segment_count, 1)

    def test_select_script_by_source(self):
        Template = self.env["sms.template"]
        source = self.env.ref("lead_proactive.utm_source_offerup")
        specific = Template.create(
            {
                "name": "OfferUp reply",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "body": "Yes, it is available. Today or this week?",
                "proactive_usage": "instant_reply",
                "proactive_source_ids": [(4, source.id)],
            }
        )
        self.assertEqual(Template._proactive_select("instant_reply", source), specific)
        self.assertEqual(
            Template._proactive_select("instant_reply", False), self.template_instant
        )

    def test_template_form_warns_on_ucs2(self):
        template_form = Form(
            self.env["sms.template"].with_context(default_model="crm.lead")
        )
        template_form.name = "Typed script"
        template_form.body = "Is it for today?"
        self.assertEqual(template_form.proactive_encoding, "gsm7")
        template_form.body = "It\u2019s ready, today or this week?"
        self.assertEqual(template_form.proactive_encoding, "ucs2")
        self.assertEqual(template_form.proactive_ucs2_chars, "\u2019")
        self.assertEqual(template_form.proactive_segment_count, 1)
        template = template_form.save()
        self.assertEqual(template.model, "crm.lead")

    def test_settings_form(self):
        settings_form = Form(self.env["res.config.settings"])
        self.assertTrue(
            settings_form.proactive_sms_webhook_url.endswith("/lead_sms/twilio/inbound")
        )
        settings_form.proactive_sms_hour_start = 9.0
        settings_form.proactive_sms_opt_out_keywords = "ALTO, PARAR"
        settings_form.save().execute()
        self.assertEqual(self.env.company.proactive_sms_hour_start, 9.0)
        self.assertEqual(
            self.env.company._proactive_sms_extra_opt_out_words(), ["ALTO", "PARAR"]
        )

    # ------------------------------------------------------------
    # Follow-up sequences with SMS steps
    # ------------------------------------------------------------
    def _sms_cadence(self):
        return self.env["proactive.cadence"].create(
            {
                "name": "Text follow-up",
                "sms_hour_from": 8.0,
                "sms_hour_to": 21.0,
                "step_ids": [
                    (0, 0, {"name": "Quick text", "delay": 20, "delay_unit": "minutes",
                            "channel": "sms", "sms_template_id": self.template_followup.id}),
                ],
            }
        )

    def _start_sequence(self, lead, cadence):
        lead.write(
            {
                "proactive_cadence_id": cadence.id,
                "proactive_followup_state": "running",
                "proactive_followup_step": 0,
                "proactive_next_touch_date": DAYTIME,
            }
        )

    def test_followup_sms_step_sends_text(self):
        cadence = self._sms_cadence()
        lead = self.sms_lead()
        self._start_sequence(lead, cadence)
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            result = lead._proactive_send_followup()
            self.run_after_commit()
            texts = self.texts_to()
        self.assertEqual(result, "sent")
        self.assertEqual(len(texts), 1)
        touch = lead.proactive_touch_ids.filtered(lambda t: t.step == 1)
        self.assertEqual(touch.channel, "sms")
        self.assertEqual(touch.state, "sent")
        self.assertEqual(touch.sms_template_id, self.template_followup)
        self.assertEqual(lead.proactive_followup_step, 1)

    def test_followup_sms_step_without_number_skipped(self):
        cadence = self._sms_cadence()
        lead = self.sms_lead(number=False)
        self._start_sequence(lead, cadence)
        with self.mock_datetime_and_now(DAYTIME), self.mockSMSGateway():
            result = lead._proactive_send_followup()
            self.assertEqual(self._sms, [])
        self.assertEqual(result, "skipped")
        touch = lead.proactive_touch_ids.filtered(lambda t: t.step == 1)
        self.assertEqual(touch.state, "skipped")
        self.assertIn("phone number", touch.skip_reason)

    def test_sms_step_needs_sms_script(self):
        with self.assertRaises(ValidationError):
            self.env["proactive.cadence"].create(
                {"name": "Broken", "step_ids": [(0, 0, {"name": "Text", "delay": 1,
                                                         "channel": "sms"})]}
            )
