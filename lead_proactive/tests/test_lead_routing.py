# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
from unittest.mock import patch

from odoo import fields
from odoo.addons.base.tests.test_ir_cron import CronMixinCase
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..tools import intent_text
from .common import ProactiveCase, mail_new_test_user

# A Monday afternoon in Chicago (20:00 UTC is 15:00 there): "today" is the
# same day in UTC and in the users' time zone.
NOW = datetime.datetime(2025, 6, 16, 20, 0)


@tagged("lead_proactive", "post_install", "-at_install")
class TestLeadRouting(ProactiveCase, CronMixinCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_salesman_2 = mail_new_test_user(
            cls.env,
            login="proactive_salesman_2",
            name="Alex Chen",
            email="alex.chen@example-movers.com",
            groups="sales_team.group_sale_salesman,crm.group_use_lead",
            tz="America/Chicago",
        )
        cls.Signal = cls.env["proactive.intent.signal"]
        cls.handoff_type = cls.env.ref("lead_proactive.mail_activity_type_handoff")
        cls.sensitive_type = cls.env.ref("lead_proactive.mail_activity_type_sensitive")
        cls.stage_options = cls.Stage._proactive_find("options_sent")

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------
    def _new_lead(self, body, email="jane.doe@example.net", name="Jane Doe"):
        msg_id = self.process_plain("%s <%s>" % (name, email), body)
        return self.find_lead(email), msg_id

    def _reply(self, lead, body, msg_id, name="Jane Doe"):
        return self.process_plain(
            "%s <%s>" % (name, lead.email_from),
            body,
            subject="Re: Quote request",
            extra="In-Reply-To: %s\nReferences: %s\n" % (msg_id, msg_id),
        )

    def _signal_names(self, signals):
        """Return the xml ids of ``signals`` without the module prefix."""
        return {xmlid.split(".")[1] for xmlid in signals.get_external_id().values()}

    def _notes(self, lead, subtype_xmlid):
        subtype = self.env.ref(subtype_xmlid)
        return lead.message_ids.filtered(lambda m: m.subtype_id == subtype)

    def _mails_to_partner(self, partner):
        return self._new_mails.filtered(lambda m: partner in m.recipient_ids)

    def _today_for(self, user):
        return fields.Date.context_today(self.env["crm.lead"].with_context(tz=user.tz))

    def _enable_rule_based_assignment(self):
        """Turn on Odoo's rule-based assignment and add a second member.

        Without it Odoo gives each new email lead to the team leader. With
        it, leads arrive without a salesperson.
        """
        self.env["ir.config_parameter"].set_param("crm.lead.auto.assignment", True)
        self.team.write({"member_ids": [(4, self.user_salesman_2.id)]})

    # ------------------------------------------------------------
    # Scoring
    # ------------------------------------------------------------
    def test_signal_matching_table(self):
        signals = self.Signal.search([])
        cases = [
            ("Can I pay today?", {"intent_signal_pay"}),
            ("whats your address", {"intent_signal_address"}),
            ("What’s the address? Coming from Austin", {"intent_signal_address"}),
            ("hey can i come by after work", {"intent_signal_come_by"}),
            ("I'd like to pay the deposit", {"intent_signal_pay", "intent_signal_deposit"}),
            ("I NEED THIS TODAY!!", {"intent_signal_today"}),
            ("Please send invoice to my email", {"intent_signal_invoice"}),
            ("Hi, is this still available?", {"intent_signal_still_available"}),
            ("How soon can you get here?", {"intent_signal_how_soon"}),
            ("Can I book you for Saturday?", {"intent_signal_book"}),
            ("Could we meet around 3pm tomorrow", {"intent_signal_proposes_time"}),
            ("I saw your ad on Facebook Marketplace", set()),
            ("Hi, I'm Sue from Round Rock", set()),
            ("Hello, how much do you charge for a 2 bedroom move?", set()),
            ("I want a refund", {"sensitive_signal_refund"}),
            ("That's too expensive, can you do it cheaper?", {"sensitive_signal_negotiation"}),
            ("would you take $150 for it", {"sensitive_signal_counter_offer"}),
            ("I need to cancel my booking", {"sensitive_signal_cancel", "intent_signal_book"}),
            ("My lawyer will call you", {"sensitive_signal_legal"}),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                found = signals._match_text(text)
                self.assertEqual(self._signal_names(self.Signal.concat(*found)), expected)

    def test_phrase_normalization(self):
        self.assertEqual(intent_text.normalize_phrase_text("What’s  the\nADDRESS?"), "whats the address")
        self.assertEqual(intent_text.find_phrase("book", "booking now"), None)
        self.assertEqual(intent_text.find_phrase("pay today\nbook", "Can I BOOK?"), "book")
        self.assertIsNone(intent_text.find_regex(r"\b", "any text"), "empty matches are ignored")
        long_text = "x " * intent_text.MAX_MATCH_CHARS + "refund"
        self.assertIsNone(intent_text.find_phrase("refund", long_text), "only the start is read")

    def test_intent_levels(self):
        cases = [
            ("a.low@example.net", "Need a quote for a move please", "low", 0, set()),
            ("b.medium@example.net", "Hi, is it still available?", "medium", 20,
             {"intent_signal_still_available"}),
            ("c.high@example.net", "Can I pay today? I'm in 78704", "high", 50,
             {"intent_signal_pay"}),
            ("d.score@example.net", "Is it still available? How soon can you do it? Call me",
             "high", 60, {"intent_signal_still_available", "intent_signal_how_soon",
                          "intent_signal_call_me"}),
        ]
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            for email, body, level, score, xmlids in cases:
                with self.subTest(email=email):
                    lead, _msg_id = self._new_lead(body, email=email)
                    self.assertEqual(lead.proactive_intent_level, level)
                    self.assertEqual(lead.proactive_intent_score, score)
                    self.assertEqual(
                        self._signal_names(lead.proactive_intent_signal_ids), xmlids
                    )

    def test_score_threshold_parameter(self):
        self.env["ir.config_parameter"].set_param("lead_proactive.intent_high_score", "80")
        self.env["ir.config_parameter"].set_param("lead_proactive.intent_medium_score", "oops")
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway(), mute_logger(
            "odoo.addons.lead_proactive.models.crm_lead_routing"
        ):
            lead, _msg_id = self._new_lead(
                "Is it still available? How soon can you do it? Call me"
            )
        self.assertEqual(lead.proactive_intent_score, 60)
        self.assertEqual(lead.proactive_intent_level, "medium", "60 < 80, invalid medium score uses 20")

    def test_fast_reply(self):
        with self.mock_mail_gateway():
            with self.mock_datetime_and_now(NOW):
                fast, fast_id = self._new_lead("Need movers in Austin", email="fast@example.net")
                slow, slow_id = self._new_lead("Need movers in Austin", email="slow@example.net")
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=4)):
                self._reply(fast, "Saturday works", fast_id)
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=12)):
                self._reply(slow, "Saturday works", slow_id)
        fast_signal = self.env.ref("lead_proactive.intent_signal_fast_reply")
        self.assertIn(fast_signal, fast.proactive_intent_signal_ids)
        self.assertEqual(fast.proactive_intent_score, 15)
        self.assertEqual(fast.proactive_intent_level, "low", "15 points alone stay low")
        self.assertNotIn(fast_signal, slow.proactive_intent_signal_ids)
        self.assertEqual(slow.proactive_intent_score, 0)

    def test_fast_reply_minutes_configurable(self):
        self.env.ref("lead_proactive.intent_signal_fast_reply").fast_reply_minutes = 15
        with self.mock_mail_gateway():
            with self.mock_datetime_and_now(NOW):
                lead, msg_id = self._new_lead("Need movers in Austin")
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=12)):
                self._reply(lead, "Saturday works", msg_id)
        self.assertEqual(lead.proactive_intent_score, 15)

    # ------------------------------------------------------------
    # High intent
    # ------------------------------------------------------------
    def test_high_intent_handoff_to_team_leader(self):
        manager = self.user_sales_manager
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            lead, _msg_id = self._new_lead(
                "Hi, I need movers for a 2 bedroom apartment in 78704 today. "
                "Can I pay the deposit now? Budget is about $1,200.\n\nJane",
            )
            today = self._today_for(manager)
        self.assertEqual(lead.proactive_intent_level, "high")
        self.assertEqual(lead.user_id, manager, "Odoo gave the new lead to the team leader")
        self.assertEqual(lead.proactive_handoff_date, NOW)

        activity = lead.activity_ids.filtered(lambda a: a.activity_type_id == self.handoff_type)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, manager)
        self.assertEqual(activity.date_deadline, today)
        self.assertEqual(activity.summary, "Call the lead now")
        self.assertIn("Take the payment now", str(activity.note))

        notes = self._notes(lead, "lead_proactive.mt_lead_handoff")
        self.assertEqual(len(notes), 1)
        self.assertIn(manager.partner_id, notes.partner_ids)
        self.assertIn(manager.partner_id, notes.notification_ids.res_partner_id)
        self.assertIn(manager.partner_id, lead.message_partner_ids)
        mails = self._mails_to_partner(manager.partner_id).filtered(
            lambda m: "Take the payment now" in (m.body_html or "")
        )
        self.assertEqual(len(mails), 1, "the owner is emailed the handoff once")
        self.assertIn("78704", mails.body_html)
        self.assertFalse(
            self.outgoing_mails_to("jane.doe@example.net").filtered(
                lambda m: "handed to" in (m.body_html or "")
            ),
            "the lead never sees the handoff",
        )

    def test_handoff_is_the_only_notice(self):
        manager = self.user_sales_manager
        with (
            self.mock_datetime_and_now(NOW),
            self.mock_mail_gateway(),
            self.capture_triggers("mail.ir_cron_mail_scheduler_action") as capture,
        ):
            lead, _msg_id = self._new_lead("Can I pay today? I'm in 78704")
        self.assertEqual(lead.user_id, manager)
        self.assertIn(manager.partner_id, lead.message_partner_ids, "still follows the lead")
        mails = self._mails_to_partner(manager.partner_id)
        self.assertEqual(len(mails), 1, "one email to the team leader: the handoff")
        self.assertIn("handed to", mails.body_html)
        self.assertEqual(mails.state, "outgoing", "sent by the mail queue")
        self.assertTrue(capture.records, "the mail queue runs right after the commit")
        self.assertFalse(
            lead.message_ids.filtered(lambda m: m.message_type == "user_notification"),
            "no separate 'assigned to you' message",
        )

    def test_assignment_notice_without_handoff(self):
        manager = self.user_sales_manager
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            lead, _msg_id = self._new_lead("Need a quote for a move")
        self.assertEqual(lead.proactive_intent_level, "low")
        self.assertEqual(lead.user_id, manager)
        mails = self._mails_to_partner(manager.partner_id)
        self.assertEqual(len(mails), 1)
        self.assertIn("You have been assigned", mails.subject)

    def test_assignment_notice_after_failed_handoff(self):
        manager = self.user_sales_manager
        with (
            self.mock_datetime_and_now(NOW),
            self.mock_mail_gateway(),
            patch.object(
                type(self.env["crm.lead"]),
                "_proactive_render_handoff",
                side_effect=ValueError("broken summary template"),
            ),
            mute_logger("odoo.addons.lead_proactive.models.crm_lead_inbound"),
        ):
            lead, _msg_id = self._new_lead("Can I pay today? I'm in 78704")
        self.assertIn("broken summary template", lead.proactive_error)
        self.assertFalse(lead.proactive_handoff_date)
        mails = self._mails_to_partner(manager.partner_id)
        self.assertEqual(len(mails), 1, "the assignment notice is kept")
        self.assertIn("You have been assigned", mails.subject)

    def test_handoff_summary_content(self):
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            lead, _msg_id = self._new_lead(
                "Hi, I need movers for a 2 bedroom apartment in 78704 today. "
                "Can I pay the deposit now? Budget is about $1,200. "
                "My number is (512) 555-0199.\n\nJane",
            )
        summary = str(lead.proactive_handoff_summary)
        self.assertIn("Jane Doe", summary)
        self.assertTrue(lead.phone)
        self.assertIn(lead.phone, summary)
        self.assertIn("78704", summary)
        self.assertEqual(lead.proactive_timeline, "today")
        self.assertIn("Today", summary)
        self.assertIn("1,200", summary)
        if lead.proactive_need:
            self.assertIn(lead.proactive_need, summary)
        self.assertIn("Best next step", summary)
        self.assertIn("Take the payment now: send the invoice or a payment link.", summary)
        self.assertIn("Wants to pay", summary)
        self.assertIn("Can I pay the deposit now?", summary, "the lead's message, as plain text")
        self.assertIn("Hi Jane", summary, "our instant reply is among the last messages")
        self.assertNotIn("&lt;p&gt;", summary, "messages are text, not escaped markup")
        # Message times are in the owner's zone, named once.
        zone = lead._sla_user_tz(lead.user_id)
        self.assertIn("(times in %s)" % zone, summary)
        note = self._notes(lead, "lead_proactive.mt_lead_handoff")
        self.assertIn("Take the payment now", note.body)

    def test_handoff_once_then_on_material_change(self):
        with self.mock_mail_gateway():
            with self.mock_datetime_and_now(NOW):
                lead, msg_id = self._new_lead("Can I pay today? I'm in 78704")
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=30)):
                self._reply(lead, "Thanks, talk soon", msg_id)
            self.assertEqual(len(self._notes(lead, "lead_proactive.mt_lead_handoff")), 1)
            self.assertIn("Thanks, talk soon", str(lead.proactive_handoff_summary),
                          "the stored summary shows the latest messages")
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=60)):
                self._reply(lead, "Also, can you send the invoice?", msg_id)
        notes = self._notes(lead, "lead_proactive.mt_lead_handoff")
        self.assertEqual(len(notes), 2, "a new signal changes the summary's facts")
        self.assertIn("summary changed", notes[0].body)
        activities = lead.activity_ids.filtered(lambda a: a.activity_type_id == self.handoff_type)
        self.assertEqual(len(activities), 1, "the open call is updated, not repeated")
        self.assertIn("Asks for the invoice", str(activities.note))
        self.assertEqual(lead.proactive_handoff_date, NOW, "handed off once")

    def test_marketplace_hot_lead_keeps_chat_reply(self):
        self._enable_rule_based_assignment()
        assisted_type = self.env.ref("lead_proactive.mail_activity_type_assisted_reply")
        # A lead known only from a marketplace notification: the chat message
        # is posted as the notification email would be.
        lead = self.env["crm.lead"].create(
            {
                "name": "Grey sectional sofa",
                "contact_name": "Alex Morgan",
                "team_id": self.team.id,
                "user_id": False,
                "proactive_channel": "marketplace_chat",
                "source_id": self.env.ref("lead_proactive.utm_source_facebook_marketplace").id,
            }
        )
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            lead.message_post(
                body="Can I pick it up today? I am in 78704",
                message_type="email",
                author_id=False,
                email_from="Alex Morgan <notification@facebookmail.com>",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(lead.proactive_channel, "marketplace_chat")
        self.assertEqual(lead.proactive_intent_level, "high")
        self.assertEqual(lead.user_id, self.user_salesman)
        self.assertEqual(lead.activity_ids.activity_type_id, assisted_type, "no call next to it")
        self.assertEqual(lead.activity_ids.user_id, self.user_salesman, "the owner replies in the chat")
        self.assertIn("Marketplace or platform chat", str(lead.proactive_handoff_summary))
        self.assertEqual(len(self._notes(lead, "lead_proactive.mt_lead_handoff")), 1)

    def test_high_intent_round_robin(self):
        self._enable_rule_based_assignment()
        owners = []
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            for index in range(4):
                email = "hot%d@example.net" % index
                lead, _msg_id = self._new_lead("What's the address? I'm in 78704", email=email)
                self.assertEqual(lead.proactive_intent_level, "high")
                owners.append(lead.user_id)
                activity = lead.activity_ids.filtered(
                    lambda a: a.activity_type_id == self.handoff_type
                )
                self.assertEqual(activity.user_id, lead.user_id)
        self.assertEqual(set(owners[:2]), {self.user_salesman, self.user_salesman_2})
        self.assertEqual(owners[0], owners[2])
        self.assertEqual(owners[1], owners[3])
        self.assertEqual(self.team.proactive_last_assigned_user_id, owners[3])

    def test_high_intent_assignment_domain(self):
        self._enable_rule_based_assignment()
        member_sam = self.team.crm_team_member_ids.filtered(lambda m: m.user_id == self.user_salesman)
        member_sam.assignment_domain = "[('proactive_zip', 'in', ['78704', '78701'])]"
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            far = [
                self._new_lead("Can I pay today? Zip 02139", email="far%d@example.net" % i)[0]
                for i in range(2)
            ]
            near, _msg_id = self._new_lead("Can I pay today? Zip 78704", email="near@example.net")
        self.assertEqual(far[0].user_id, self.user_salesman_2)
        self.assertEqual(far[1].user_id, self.user_salesman_2, "Sam's domain rejects 02139")
        self.assertEqual(near.user_id, self.user_salesman, "round robin moves on to Sam")

    def test_high_intent_opted_out_member_skipped(self):
        self._enable_rule_based_assignment()
        self.team.crm_team_member_ids.filtered(
            lambda m: m.user_id == self.user_salesman
        ).assignment_optout = True
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            leads = [
                self._new_lead("Can I pay today?", email="pay%d@example.net" % i)[0]
                for i in range(2)
            ]
        self.assertEqual(leads[0].user_id, self.user_salesman_2)
        self.assertEqual(leads[1].user_id, self.user_salesman_2)

    # ------------------------------------------------------------
    # Medium and low intent
    # ------------------------------------------------------------
    def test_medium_sends_options_once(self):
        with self.mock_mail_gateway():
            with self.mock_datetime_and_now(NOW):
                lead, msg_id = self._new_lead("Hi, is this still available?")
            self.assertEqual(lead.proactive_intent_level, "medium")
            self.assertEqual(
                len(self.outgoing_mails_to("jane.doe@example.net")), 1,
                "the instant reply answers the first message; the options wait",
            )
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=30)):
                self._reply(lead, "Great. I am in Austin.", msg_id)
            mails = self.outgoing_mails_to("jane.doe@example.net")
            self.assertEqual(len(mails), 2)
            options_mail = mails.filtered(lambda m: "two options" in m.body_html)
            self.assertEqual(len(options_mail), 1)
            self.assertIn("Which works better for you?", options_mail.body_html)
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=60)):
                self._reply(lead, "Is it still available this week?", msg_id)
        self.assertEqual(len(self.outgoing_mails_to("jane.doe@example.net")), 2, "options once")
        touch = lead.proactive_touch_ids.filtered(lambda t: t.kind == "options")
        self.assertEqual(len(touch), 1)
        self.assertEqual(touch.step, 100)
        self.assertEqual(touch.state, "sent")
        self.assertEqual(touch.mail_template_id, self.env.ref("lead_proactive.mail_template_options"))
        self.assertEqual(lead.stage_id, self.stage_options)
        self.assertFalse(self._notes(lead, "lead_proactive.mt_lead_handoff"))
        self.assertFalse(lead.proactive_paused, "automated posts are no takeover")

    def test_medium_stage_not_moved_back(self):
        with self.mock_mail_gateway():
            with self.mock_datetime_and_now(NOW):
                lead, msg_id = self._new_lead("Hi, is this still available?")
            lead.stage_id = self.stage_booked
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=30)):
                self._reply(lead, "I am in Austin.", msg_id)
        self.assertEqual(lead.stage_id, self.stage_booked)
        self.assertFalse(lead.proactive_touch_ids.filtered(lambda t: t.kind == "options"))
        self.assertEqual(
            len(self.outgoing_mails_to("jane.doe@example.net")),
            2,
            "the instant reply and the booking confirmation, no options",
        )

    def test_low_intent_does_nothing(self):
        with self.mock_mail_gateway():
            with self.mock_datetime_and_now(NOW):
                lead, msg_id = self._new_lead("Need a quote for a move")
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=30)):
                self._reply(lead, "Thanks, I will think about it", msg_id)
        self.assertEqual(lead.proactive_intent_level, "low")
        self.assertEqual(len(self.outgoing_mails_to("jane.doe@example.net")), 1)
        self.assertEqual(lead.proactive_touch_ids.mapped("step"), [0])
        self.assertFalse(lead.activity_ids)
        self.assertFalse(lead.proactive_handoff_date)
        self.assertFalse(lead.proactive_handoff_summary)
        self.assertFalse(
            self._mails_to_partner(self.user_sales_manager.partner_id).filtered(
                lambda m: "High intent" in (m.body_html or "")
            )
        )

    # ------------------------------------------------------------
    # Sensitive topics
    # ------------------------------------------------------------
    def test_sensitive_pauses_and_escalates(self):
        manager = self.user_sales_manager
        with self.mock_mail_gateway():
            with self.mock_datetime_and_now(NOW):
                lead, msg_id = self._new_lead("Need a quote for a move")
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=30)):
                self._reply(lead, "That is too expensive. Can you do it cheaper?", msg_id)
                today = self._today_for(manager)
        self.assertTrue(lead.proactive_paused)
        self.assertIn("Price negotiation", lead.proactive_pause_reason)
        self.assertEqual(
            lead.proactive_sensitive_signal_ids,
            self.env.ref("lead_proactive.sensitive_signal_negotiation"),
        )
        activity = lead.activity_ids.filtered(lambda a: a.activity_type_id == self.sensitive_type)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, manager)
        self.assertEqual(activity.date_deadline, today)
        notes = self._notes(lead, "lead_proactive.mt_lead_guard").filtered(
            lambda m: "sensitive topic" in m.body
        )
        self.assertEqual(len(notes), 1)
        self.assertIn("too expensive", notes.body)
        self.assertIn(manager.partner_id, notes.partner_ids)
        escalation_mails = self._mails_to_partner(manager.partner_id).filtered(
            lambda m: "sensitive topic" in (m.body_html or "")
        )
        self.assertEqual(len(escalation_mails), 1)
        self.assertEqual(escalation_mails.state, "outgoing", "sent by the mail queue")
        self.assertIn("paused", lead._proactive_guard_reason())

    def test_sensitive_first_message_gets_no_reply(self):
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            lead, _msg_id = self._new_lead("You broke my table. I want a refund.")
        self.assertTrue(lead.proactive_paused)
        self.assertFalse(self.outgoing_mails_to("jane.doe@example.net"))
        self.assertEqual(lead.proactive_touch_ids.state, "skipped")
        mails = self._mails_to_partner(self.user_sales_manager.partner_id)
        self.assertEqual(len(mails), 1, "the escalation replaces the assignment notice")
        self.assertIn("sensitive topic", mails.body_html)

    def test_sensitive_beats_high_intent(self):
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            lead, _msg_id = self._new_lead("Can I pay today if you give me a discount?")
        self.assertEqual(lead.proactive_intent_level, "high")
        self.assertTrue(lead.proactive_paused)
        self.assertFalse(lead.proactive_handoff_date)
        self.assertFalse(lead.activity_ids.filtered(lambda a: a.activity_type_id == self.handoff_type))
        self.assertEqual(len(lead.activity_ids.filtered(
            lambda a: a.activity_type_id == self.sensitive_type)), 1)

    def test_sensitive_blocks_options(self):
        with self.mock_mail_gateway():
            with self.mock_datetime_and_now(NOW):
                lead, msg_id = self._new_lead("Hi, is this still available?")
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=30)):
                self._reply(lead, "Would you take $150 for it?", msg_id)
            self.assertFalse(lead.proactive_touch_ids.filtered(lambda t: t.kind == "options"))
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=60)):
                self._reply(lead, "Hello?", msg_id)
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=90)):
                self._reply(lead, "Anyone there?", msg_id)
        self.assertEqual(len(self.outgoing_mails_to("jane.doe@example.net")), 1)
        touch = lead.proactive_touch_ids.filtered(lambda t: t.kind == "options")
        self.assertEqual(touch.state, "skipped")
        self.assertIn("paused", touch.skip_reason)
        skip_notes = self._notes(lead, "lead_proactive.mt_lead_guard").filtered(
            lambda m: "Options not sent" in m.body
        )
        self.assertEqual(len(skip_notes), 1, "the skip is logged once")
        self.assertEqual(
            len(lead.activity_ids.filtered(lambda a: a.activity_type_id == self.sensitive_type)), 1
        )

    def test_options_sent_after_resume(self):
        with self.mock_mail_gateway():
            with self.mock_datetime_and_now(NOW):
                lead, msg_id = self._new_lead("Hi, is this still available?")
            lead.write({"proactive_paused": True, "proactive_pause_reason": "Checking stock"})
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=30)):
                self._reply(lead, "I am in Austin.", msg_id)
            self.assertEqual(lead.proactive_touch_ids.filtered(lambda t: t.kind == "options").state,
                             "skipped")
            lead.action_proactive_resume()
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=60)):
                self._reply(lead, "Any news?", msg_id)
        touch = lead.proactive_touch_ids.filtered(lambda t: t.kind == "options")
        self.assertEqual(len(touch), 1)
        self.assertEqual(touch.state, "sent")
        self.assertFalse(touch.skip_reason)
        self.assertEqual(len(self.outgoing_mails_to("jane.doe@example.net")), 2)

    # ------------------------------------------------------------
    # Human takeover
    # ------------------------------------------------------------
    def test_takeover_pauses_and_resume(self):
        with self.mock_mail_gateway():
            with self.mock_datetime_and_now(NOW):
                lead, msg_id = self._new_lead("Hi, is this still available?")
            lead.user_id = self.user_salesman
            lead_as_sam = lead.with_user(self.user_salesman)
            lead_as_sam.message_post(
                body="Hi Jane, yes it is. I can show it to you at 5pm.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            self.assertTrue(lead.proactive_paused)
            self.assertEqual(lead.proactive_pause_reason, "Taken over by Sam Rivera")
            self.assertEqual(lead.proactive_takeover_user_id, self.user_salesman)
            takeover_notes = self._notes(lead, "lead_proactive.mt_lead_guard").filtered(
                lambda m: "Sam Rivera wrote to the lead" in m.body
            )
            self.assertEqual(len(takeover_notes), 1)
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=30)):
                self._reply(lead, "Great, I am in Austin.", msg_id)
            self.assertEqual(len(self.outgoing_mails_to("jane.doe@example.net").filtered(
                lambda m: "two options" in (m.body_html or ""))), 0)

            lead_as_sam.action_proactive_resume()
        self.assertFalse(lead.proactive_paused)
        self.assertFalse(lead.proactive_pause_reason)
        self.assertFalse(lead.proactive_takeover_user_id)
        self.assertFalse(lead._proactive_guard_reason())

    def test_takeover_by_email_reply(self):
        with self.mock_mail_gateway():
            with self.mock_datetime_and_now(NOW):
                lead, msg_id = self._new_lead("Need a quote for a move")
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=10)):
                self.process_plain(
                    "Sam Rivera <sam.rivera@example-movers.com>",
                    "Hi Jane, you can pay the deposit today and we book you in.",
                    subject="Re: Quote request",
                    extra="In-Reply-To: %s\n" % msg_id,
                )
            self.assertTrue(lead.proactive_paused)
            self.assertEqual(lead.proactive_takeover_user_id, self.user_salesman)
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=40)):
                self._reply(lead, "Ok thanks", msg_id)
        self.assertEqual(lead.proactive_intent_level, "low", "Sam's words are not the lead's intent")
        self.assertFalse(lead.proactive_intent_signal_ids)
        self.assertFalse(lead.proactive_handoff_date)

    def test_notes_and_automated_posts_no_takeover(self):
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            lead, _msg_id = self._new_lead("Need a quote for a move")
            self.assertFalse(lead.proactive_paused, "the instant reply is automated")
            lead.user_id = self.user_salesman
            lead_as_sam = lead.with_user(self.user_salesman)
            lead_as_sam.message_post(body="Called, no answer", message_type="comment",
                                     subtype_xmlid="mail.mt_note")
            self.assertFalse(lead.proactive_paused, "a note is not written to the lead")
            lead_as_sam._proactive_post_script(self.env.ref("lead_proactive.mail_template_options"))
            self.assertFalse(lead.proactive_paused, "the automation's own post")
            lead.message_post(body="Posted by the system", message_type="comment",
                              subtype_xmlid="mail.mt_comment")
            self.assertFalse(lead.proactive_paused, "the superuser is not a salesperson")
        self.assertFalse(lead.proactive_takeover_user_id)

    # ------------------------------------------------------------
    # Configuration and views
    # ------------------------------------------------------------
    def test_invalid_signal_rejected(self):
        with self.assertRaisesRegex(ValidationError, "invalid regular expression"):
            self.Signal.create({"name": "Broken", "match_type": "regex", "pattern": "(pay|book"})
        with self.assertRaisesRegex(ValidationError, "matches an empty text"):
            self.Signal.create({"name": "Everything", "match_type": "regex", "pattern": "x*"})
        with self.assertRaisesRegex(ValidationError, "no phrase"):
            self.Signal.create({"name": "Empty", "match_type": "phrase", "pattern": " \n ! \n"})
        with self.assertRaisesRegex(ValidationError, "at least one minute"):
            self.Signal.create({"name": "Zero", "match_type": "fast_reply", "fast_reply_minutes": 0})
        with self.assertRaisesRegex(ValidationError, "not Fast Reply"):
            self.Signal.create({"name": "Fast", "kind": "sensitive", "match_type": "fast_reply"})
        signal = self.Signal.create(
            {"name": "Valid", "match_type": "regex", "pattern": r"\bpay\s+(now|today)\b"}
        )
        self.assertEqual(signal._match_text("ok PAY   today"), {signal: "PAY today"})
        with self.assertRaisesRegex(ValidationError, "invalid regular expression"):
            signal.pattern = "[a-"

    def test_signal_edits_apply(self):
        self.env.ref("lead_proactive.intent_signal_pay").active = False
        self.Signal.create({"name": "Venmo", "pattern": "venmo", "level": "high", "weight": 30})
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            archived, _msg_id = self._new_lead("Can I pay today?", email="a@example.net")
            custom, _msg_id = self._new_lead("Do you take VENMO?", email="b@example.net")
        self.assertEqual(archived.proactive_intent_level, "low")
        self.assertEqual(custom.proactive_intent_level, "high")
        self.assertEqual(custom.proactive_intent_signal_ids.name, "Venmo")

    def test_form_shows_handoff_summary(self):
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            lead, _msg_id = self._new_lead("Can I pay today? I'm in 78704")
        views = self.env["crm.lead"].get_views(
            [(False, "form"), (False, "list"), (False, "kanban"), (False, "search")]
        )["views"]
        form_arch = views["form"]["arch"]
        self.assertIn('name="proactive_handoff"', form_arch)
        self.assertIn('name="proactive_handoff_summary"', form_arch)
        self.assertIn('name="proactive_intent_level"', views["list"]["arch"])
        self.assertIn('name="proactive_intent_level"', views["kanban"]["arch"])
        self.assertIn('name="proactive_high_intent"', views["search"]["arch"])
        form = Form(lead.with_user(self.user_sales_manager))
        self.assertIn("78704", str(form.proactive_handoff_summary))
        self.assertEqual(form.proactive_intent_level, "high")
        signal_form = Form(self.env["proactive.intent.signal"])
        signal_form.name = "Wants a video call"
        signal_form.pattern = "video call\nfacetime"
        self.assertTrue(signal_form.save().active)

    def test_high_intent_filter(self):
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            hot, _msg_id = self._new_lead("Can I pay today?", email="hot@example.net")
            cold, _msg_id = self._new_lead("Need a quote", email="cold@example.net")
        leads = self.env["crm.lead"].search([("proactive_intent_level", "=", "high")])
        self.assertIn(hot, leads)
        self.assertNotIn(cold, leads)
