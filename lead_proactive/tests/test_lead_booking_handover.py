# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Booking confirmations left to a salesperson when the automation is
paused, and the Booked Confirmation SLA they run on (the policy's target by
hand). The clock moves with ``mock_datetime_and_now``, and the SLA cron runs
through ``method_direct_trigger`` as the scheduler runs it."""

import contextlib
import datetime

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.test_ir_cron import CronMixinCase

from ..models.crm_lead_sla import SLA_CRON_XMLID
from .common import ProactiveCase

# Tuesday 10:00 in Chicago, the users' time zone.
T0 = datetime.datetime(2025, 6, 10, 15, 0, 0)
HOT_LEAD_TEXT = (
    "Hi, I need movers for a 2 bedroom apartment in 78704 today. "
    "Can I pay the deposit now? Budget is about $1,200.\n\nJane"
)


def at(minutes=0, seconds=0):
    return T0 + datetime.timedelta(minutes=minutes, seconds=seconds)


@tagged("lead_proactive", "lead_proactive_sla", "post_install", "-at_install")
class TestLeadBookingHandover(ProactiveCase, CronMixinCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_sales_manager.tz = "America/Chicago"
        cls.Policy = cls.env["proactive.sla.policy"]
        cls.Policy.search([]).action_archive()
        cls.Policy.create(
            {"name": "First reply", "target": "first_reply", "minutes": 5, "sequence": 10}
        )
        cls.Policy.create(
            {"name": "Qualified", "target": "qualified_followup", "minutes": 15, "sequence": 20}
        )
        cls.policy_booked = cls.Policy.create(
            {
                "name": "Booked",
                "target": "booked_confirmation",
                "minutes": 0,
                "by_hand_minutes": 15,
                "sequence": 30,
            }
        )
        cls.confirm_type = cls.env.ref("lead_proactive.mail_activity_type_booking_confirmation")
        cls.handoff_type = cls.env.ref("lead_proactive.mail_activity_type_handoff")
        cls.breach_type = cls.env.ref("lead_proactive.mail_activity_type_sla_breach")
        cls.sla_cron = cls.env.ref(SLA_CRON_XMLID)

    def setUp(self):
        super().setUp()
        # The cron runs in its own cursor: signalling must see a ready registry.
        self.patch(self.env.registry, "ready", True)

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------
    def create_lead(self, when=T0, **values):
        values = {
            "name": "Moving quote",
            "type": "opportunity",
            "team_id": self.team.id,
            "contact_name": "Pat Jones",
            "email_from": "pat.jones@example.net",
            "user_id": self.user_salesman.id,
            "stage_id": self.stage_qualified.id,
            "proactive_paused": True,
            "proactive_pause_reason": "Taken over by Sam Rivera",
            **values,
        }
        with self.mock_datetime_and_now(when):
            return self.env["crm.lead"].create(values)

    def book(self, lead, user, when):
        with self.mock_datetime_and_now(when), self.mock_mail_gateway():
            lead.with_user(user).write({"stage_id": self.stage_booked.id})
        self.env.invalidate_all()

    def write_to_lead(self, lead, user, when, body="Hi Pat, you are booked for Saturday."):
        with self.mock_datetime_and_now(when), self.mock_mail_gateway():
            lead.with_user(user).message_post(
                body=body, message_type="comment", subtype_xmlid="mail.mt_comment"
            )

    def run_sla_cron(self, when):
        """Run the SLA job as the scheduler does, at ``when``."""
        with contextlib.ExitStack() as stack:
            stack.enter_context(self.mock_datetime_and_now(when))
            stack.enter_context(self.mock_mail_gateway())
            stack.enter_context(self.enter_registry_test_mode())
            self.sla_cron.method_direct_trigger()
        self.env.invalidate_all()

    def activities(self, lead, activity_type):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "crm.lead"),
                ("res_id", "=", lead.id),
                ("activity_type_id", "=", activity_type.id),
            ]
        )

    def confirmations(self, lead):
        return self.env["proactive.touch"].search(
            [("lead_id", "=", lead.id), ("kind", "=", "confirmation")], order="step desc"
        )

    def booking_emails(self, address="pat.jones@example.net"):
        return [
            mail
            for mail in self._mails
            if address in str(mail["email_to"]) and "You are booked" in mail["subject"]
        ]

    # ------------------------------------------------------------
    # The salesperson's high-intent flow
    # ------------------------------------------------------------
    def test_taken_over_hot_lead_booked(self):
        manager = self.user_sales_manager
        with self.mock_datetime_and_now(T0), self.mock_mail_gateway():
            self.process_plain("Jane Doe <jane.doe@example.net>", HOT_LEAD_TEXT)
        lead = self.find_lead("jane.doe@example.net")
        self.assertEqual(lead.proactive_intent_level, "high")
        self.assertEqual(lead.user_id, manager)
        call = self.activities(lead, self.handoff_type)
        self.assertEqual(len(call), 1)

        # The guide's steps: write from the chatter, mark the call done, book.
        self.write_to_lead(lead, manager, at(2), body="Hi Jane, I can take the deposit now.")
        self.assertTrue(lead.proactive_paused)
        self.assertEqual(lead.proactive_pause_reason, "Taken over by Morgan Manager")
        with self.mock_datetime_and_now(at(3)), self.mock_mail_gateway():
            call.with_user(manager).action_feedback(feedback="Deposit taken")
        self.book(lead, manager, at(4))

        self.assertFalse(self.booking_emails("jane.doe@example.net"), "nothing automated")
        activity = self.activities(lead, self.confirm_type)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, manager)
        self.assertEqual(activity.summary, "Confirm the booking")
        self.assertEqual(activity.date_deadline, datetime.date(2025, 6, 10))
        self.assertIn("you are booked", str(activity.note))
        self.assertIn("Hi Jane", str(activity.note))

        touch = self.confirmations(lead)
        self.assertEqual(len(touch), 1)
        self.assertEqual(touch.step, 201)
        self.assertEqual(touch.channel, "assisted")
        self.assertEqual(touch.state, "sent")
        self.assertEqual(touch.activity_id, activity)
        self.assertEqual(
            touch.mail_template_id,
            self.env.ref("lead_proactive.mail_template_booking_confirmation"),
        )
        bodies = lead.message_ids.mapped("body")
        self.assertTrue(any("Morgan Manager has an activity to send it" in b for b in bodies))
        self.assertFalse(any("No booking confirmation sent" in b for b in bodies))

        self.assertEqual(lead.sla_target, "booked_confirmation")
        self.assertEqual(lead.sla_status, "on_track")
        self.assertEqual(lead.sla_start_date, at(4))
        self.assertEqual(lead.sla_deadline, at(19))
        self.assertEqual(lead.sla_record_id.deadline, at(19))

        self.run_sla_cron(at(6))
        self.assertEqual(lead.sla_status, "on_track", "not breached a minute after booking")
        self.assertFalse(self.activities(lead, self.breach_type))

        with self.mock_datetime_and_now(at(10)), self.mock_mail_gateway():
            activity.with_user(manager).action_feedback(feedback="Confirmed by phone")
        self.assertEqual(lead.sla_status, "met")
        self.assertEqual(lead.sla_met_date, at(10))
        self.assertEqual(lead.sla_record_id.status, "met")
        self.run_sla_cron(at(30))
        self.assertFalse(self.activities(lead, self.breach_type))
        self.assertFalse(lead.sla_breached)

    def test_message_to_lead_meets_sla(self):
        lead = self.create_lead()
        self.book(lead, self.user_salesman, at(1))
        self.assertEqual(len(self.activities(lead, self.confirm_type)), 1)
        self.assertEqual(lead.sla_status, "on_track")

        self.write_to_lead(lead, self.user_salesman, at(5))
        self.assertEqual(lead.sla_status, "met")
        self.assertEqual(lead.sla_met_date, at(5))
        self.run_sla_cron(at(30))
        self.assertEqual(lead.sla_status, "met")
        self.assertFalse(self.activities(lead, self.breach_type))

    def test_unconfirmed_booking_breaches_late(self):
        lead = self.create_lead()
        self.book(lead, self.user_salesman, at(1))
        self.run_sla_cron(at(2))
        self.assertEqual(lead.sla_status, "on_track")
        # 80 % of the 15 minutes by hand.
        self.run_sla_cron(at(13))
        self.assertEqual(lead.sla_status, "at_risk")
        self.assertFalse(self.activities(lead, self.breach_type))
        self.run_sla_cron(at(16))
        self.assertEqual(lead.sla_status, "breached")
        self.assertEqual(len(self.activities(lead, self.breach_type)), 1)

    def test_resume_sends_nothing_more(self):
        lead = self.create_lead()
        self.book(lead, self.user_salesman, at(1))
        with self.mock_datetime_and_now(at(2)), self.mock_mail_gateway():
            lead.with_user(self.user_salesman).action_proactive_resume()
            lead.with_user(self.user_salesman).write({"priority": "2"})
            self.assertFalse(self.booking_emails())
        self.assertEqual(len(self.confirmations(lead)), 1)
        self.assertEqual(len(self.activities(lead, self.confirm_type)), 1)

    # ------------------------------------------------------------
    # Who gets the activity, and when there is none
    # ------------------------------------------------------------
    def test_owner_fallbacks(self):
        taken_over = self.create_lead(
            user_id=False, proactive_takeover_user_id=self.user_salesman.id
        )
        unassigned = self.create_lead(user_id=False, email_from="sam.lee@example.net")
        self.book(taken_over, self.user_salesman, at(1))
        self.book(unassigned, self.user_salesman, at(1))
        self.assertEqual(
            self.activities(taken_over, self.confirm_type).user_id, self.user_salesman
        )
        self.assertEqual(
            self.activities(unassigned, self.confirm_type).user_id,
            self.team.user_id,
            "the team leader",
        )

    def test_opted_out_paused_lead_skipped(self):
        lead = self.create_lead(proactive_opt_out=True)
        self.book(lead, self.user_salesman, at(1))
        self.assertFalse(self.activities(lead, self.confirm_type))
        touch = self.confirmations(lead)
        self.assertEqual(touch.state, "skipped")
        self.assertIn("opted out", touch.skip_reason)
        self.assertIn("No booking confirmation sent", lead.message_ids[0].body)
        self.assertEqual(lead.sla_deadline, at(2), "the immediate target, not the one by hand")

    def test_blacklisted_paused_lead_skipped(self):
        self.env["mail.blacklist"].sudo()._add("pat.jones@example.net")
        lead = self.create_lead()
        self.book(lead, self.user_salesman, at(1))
        self.assertFalse(self.activities(lead, self.confirm_type))
        touch = self.confirmations(lead)
        self.assertEqual(touch.state, "skipped")
        self.assertIn("blacklist", touch.skip_reason)
        self.assertIn("blacklist", lead.message_ids[0].body)
        self.assertFalse(self.booking_emails())

    def test_activity_without_script(self):
        self.env.ref("lead_proactive.mail_template_booking_confirmation").proactive_usage = False
        lead = self.create_lead()
        self.book(lead, self.user_salesman, at(1))
        activity = self.activities(lead, self.confirm_type)
        self.assertEqual(len(activity), 1)
        self.assertIn("Send it to the lead yourself", str(activity.note))
        self.assertNotIn("The confirmation script", str(activity.note))
        self.assertFalse(self.confirmations(lead).mail_template_id)

    def test_step_handed_over_once(self):
        lead = self.create_lead()
        self.book(lead, self.user_salesman, at(1))
        with self.mock_datetime_and_now(at(2)), self.mock_mail_gateway():
            lead.write({"stage_id": self.stage_booked.id, "priority": "2"})
            lead._proactive_send_confirmation(201, "email")
        self.assertEqual(len(self.confirmations(lead)), 1)
        self.assertEqual(len(self.activities(lead, self.confirm_type)), 1)

    # ------------------------------------------------------------
    # Target by hand
    # ------------------------------------------------------------
    def test_email_confirmation_keeps_target(self):
        lead = self.create_lead(proactive_paused=False, proactive_pause_reason=False)
        with self.mock_datetime_and_now(at(1)), self.mock_mail_gateway():
            lead.stage_id = self.stage_booked
            self.assertEqual(len(self.booking_emails()), 1)
        self.assertFalse(self.activities(lead, self.confirm_type))
        self.assertEqual(lead.sla_status, "met")
        self.assertEqual(lead.sla_deadline, at(2))

    def test_chat_confirmation_gets_target_by_hand(self):
        lead = self.create_lead(
            proactive_paused=False,
            proactive_pause_reason=False,
            proactive_channel="marketplace_chat",
            email_from=False,
        )
        self.book(lead, self.user_salesman, at(1))
        touch = self.confirmations(lead)
        self.assertEqual(touch.channel, "assisted")
        self.assertTrue(touch.activity_id)
        self.assertFalse(self.activities(lead, self.confirm_type), "the chat reply activity")
        self.assertEqual(lead.sla_deadline, at(16))
        self.run_sla_cron(at(3))
        self.assertEqual(lead.sla_status, "on_track")

    def test_clock_started_after_handover(self):
        # The confirmation may run before the stage write starts the clock:
        # the clock then starts with the target by hand.
        self.patch(type(self.env["crm.lead"]), "_proactive_confirm_booking", lambda leads: None)
        lead = self.create_lead()
        with self.mock_datetime_and_now(at(1)), self.mock_mail_gateway():
            lead._proactive_send_confirmation(201, "email")
            lead.stage_id = self.stage_booked
        self.assertEqual(lead.sla_target, "booked_confirmation")
        self.assertEqual(lead.sla_deadline, at(16))

    def test_policy_edits_keep_target_by_hand(self):
        lead = self.create_lead()
        self.book(lead, self.user_salesman, at(1))
        with self.mock_datetime_and_now(at(2)):
            self.policy_booked.at_risk_percent = 50
        self.assertEqual(lead.sla_deadline, at(16))
        self.assertEqual(lead.sla_at_risk_date, at(8, 30))
        with self.mock_datetime_and_now(at(3)):
            self.policy_booked.by_hand_minutes = 30
        self.assertEqual(lead.sla_deadline, at(31))
        self.assertEqual(lead.sla_record_id.deadline, at(31))

    def test_shipped_target_by_hand(self):
        policy = self.env.ref("lead_proactive.proactive_sla_policy_booked_confirmation")
        self.assertEqual(policy.minutes, 0)
        self.assertEqual(policy.by_hand_minutes, 15)

    @mute_logger("odoo.sql_db")
    def test_negative_target_by_hand_rejected(self):
        with self.assertRaises(Exception), self.env.cr.savepoint():
            self.policy_booked.by_hand_minutes = -1
            self.env.flush_all()
