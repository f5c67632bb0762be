# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One automation rule per step of the lead flow: each can be archived or
narrowed on its own, the steps keep their order, and a failing step neither
stops the others nor loses the message."""

import datetime
import importlib.util
import logging
import pathlib
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ProactiveCase

# Monday 16 June 2025, 10:00 in Chicago: inside the email sending hours.
NOW = datetime.datetime(2025, 6, 16, 15, 0)
EMAIL = "jane.doe@example.net"
# A city and a timeline qualify the lead; "is it still available" is a
# medium-intent signal worth 20 points.
FIRST_MESSAGE = "Need movers in Austin this week. Is it still available?"
INBOUND_LOGGER = "odoo.addons.lead_proactive.models.crm_lead_inbound"
MIGRATION = (
    pathlib.Path(__file__).parent.parent / "migrations" / "19.0.1.1.0" / "post-migrate.py"
)
RULE_XMLIDS = {
    "qualification": "lead_proactive.base_automation_inbound_qualification",
    "routing": "lead_proactive.base_automation_inbound_routing",
    "reply": "lead_proactive.base_automation_process_inbound",
    "followup": "lead_proactive.base_automation_inbound_followup",
}


@tagged("lead_proactive", "post_install", "-at_install")
class TestLeadInboundRules(ProactiveCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rules = {step: cls.env.ref(xmlid) for step, xmlid in RULE_XMLIDS.items()}

    def _switch_off(self, *steps):
        rules = self.env["base.automation"].concat(*(self.rules[step] for step in steps))
        rules.active = False
        # Archiving a rule removes base_automation's method patches from the
        # registry, which a test rollback does not restore: reactivate.
        self.addCleanup(rules.write, {"active": True})

    def _new_lead(self, body=FIRST_MESSAGE, when=NOW):
        with self.mock_datetime_and_now(when), self.mock_mail_gateway():
            msg_id = self.process_plain("Jane Doe <%s>" % EMAIL, body)
        mails = self.outgoing_mails_to(EMAIL)
        lead = self.find_lead(EMAIL)
        self.assertEqual(len(lead), 1)
        return lead, msg_id, mails

    def _inbound(self, lead):
        return lead.message_ids.filtered(lambda m: m.message_type == "email")

    # ------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------
    def test_one_rule_per_step(self):
        for step, rule in self.rules.items():
            with self.subTest(step=step):
                self.assertTrue(rule.active)
                self.assertEqual(rule.proactive_inbound_step, step)
                self.assertEqual(rule.trigger, "on_message_received")
                self.assertEqual(rule.model_name, "crm.lead")
        self.assertEqual(
            self.env["crm.lead"]._proactive_inbound_rules(),
            self.env["base.automation"].concat(*self.rules.values()).sorted("id"),
        )

    def test_all_rules_on_run_every_step(self):
        lead, _msg_id, mails = self._new_lead()
        self.assertEqual(len(mails), 1, "instant reply")
        self.assertEqual(lead.proactive_first_response_seconds, 0)
        self.assertEqual(lead.proactive_city, "Austin")
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertEqual(lead.proactive_intent_score, 20)
        self.assertEqual(lead.proactive_intent_level, "medium")
        self.assertEqual(lead.proactive_followup_state, "running")
        self.assertTrue(lead.proactive_next_touch_date)
        self.assertFalse(lead.proactive_error)

    def test_messages_read_once_per_post(self):
        Lead = type(self.env["crm.lead"])
        with patch.object(
            Lead, "_proactive_inbound_messages", autospec=True,
            side_effect=Lead._proactive_inbound_messages,
        ) as read:
            lead, msg_id, _mails = self._new_lead()
            self.assertEqual(read.call_count, 1, "four rules, one read")
            with self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=5)):
                self.process_plain(
                    "Jane Doe <%s>" % EMAIL,
                    "Also, what's the address?",
                    subject="Re: Quote request",
                    extra="In-Reply-To: %s\n" % msg_id,
                )
        self.assertEqual(read.call_count, 2, "a reply in the same transaction is read")
        self.assertEqual(lead.proactive_last_message_id, self._inbound(lead)[0])
        self.assertEqual(lead.proactive_intent_level, "high")

    def test_qualification_off(self):
        self._switch_off("qualification")
        lead, _msg_id, mails = self._new_lead()
        self.assertEqual(len(self._inbound(lead)), 1)
        self.assertFalse(lead.proactive_city)
        self.assertFalse(lead.proactive_timeline)
        self.assertNotEqual(lead.stage_id, self.stage_qualified)
        self.assertEqual(len(mails), 1, "the instant reply is still sent")
        self.assertEqual(lead.proactive_intent_score, 20)
        self.assertEqual(lead.proactive_followup_state, "running")
        self.assertEqual(lead.proactive_last_inbound_date, self._inbound(lead).date)

    def test_reply_off(self):
        self._switch_off("reply")
        lead, _msg_id, _mails = self._new_lead()
        self.assertEqual(len(self._inbound(lead)), 1)
        self.assertFalse(lead.proactive_touch_ids.filtered(lambda t: t.step == 0))
        self.assertFalse(lead.proactive_first_response_date)
        self.assertFalse(lead.proactive_first_response_seconds)
        # Qualified, then moved on to Options Sent by the options script that
        # routing sends when no instant reply answered the message.
        self.assertEqual(lead.proactive_city, "Austin")
        self.assertEqual(lead.stage_id.proactive_milestone, "options_sent")
        self.assertEqual(lead.proactive_intent_score, 20)
        # Follow-ups come after a first reply: with none, none is scheduled.
        self.assertFalse(lead.proactive_followup_state)

    def test_routing_off(self):
        self._switch_off("routing")
        lead, _msg_id, mails = self._new_lead(
            "Need movers in Austin this week. Can I pay today?"
        )
        self.assertEqual(lead.proactive_intent_score, 0)
        self.assertEqual(lead.proactive_intent_level, "low")
        self.assertFalse(lead.proactive_intent_signal_ids)
        self.assertFalse(lead.proactive_handoff_date)
        self.assertFalse(
            lead.activity_ids.filtered(
                lambda a: a.activity_type_id == self.env.ref("lead_proactive.mail_activity_type_handoff")
            ),
            "no handoff activity",
        )
        self.assertEqual(len(mails), 1)
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertEqual(lead.proactive_followup_state, "running")

    def test_routing_off_ignores_sensitive_topics(self):
        self._switch_off("routing")
        lead, _msg_id, mails = self._new_lead("You broke my table. I want a refund.")
        self.assertFalse(lead.proactive_paused)
        self.assertFalse(lead.proactive_sensitive_signal_ids)
        self.assertEqual(len(mails), 1)

    def test_followup_off(self):
        self._switch_off("followup")
        lead, msg_id, mails = self._new_lead()
        self.assertEqual(len(mails), 1)
        self.assertFalse(lead.proactive_followup_state)
        self.assertFalse(lead.proactive_cadence_id)
        self.assertFalse(lead.proactive_next_touch_date)

        # A sequence already running is not stopped by the inbound flow, but
        # the cron stops it at send time because the lead replied.
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            lead._proactive_start_followup()
        self.assertEqual(lead.proactive_followup_state, "running")
        with (
            self.mock_datetime_and_now(NOW + datetime.timedelta(minutes=5)),
            self.mock_mail_gateway(),
        ):
            self.process_plain(
                "Jane Doe <%s>" % EMAIL, "Thursday works", subject="Re: Quote request",
                extra="In-Reply-To: %s\n" % msg_id,
            )
        self.assertEqual(len(self._inbound(lead)), 2)
        self.assertTrue(lead.proactive_replied)
        self.assertEqual(lead.proactive_followup_state, "running")
        with self.mock_datetime_and_now(lead.proactive_next_touch_date), self.mock_mail_gateway():
            lead._proactive_send_followups()
            self.assertFalse(self.outgoing_mails_to(EMAIL))
        self.assertEqual(lead.proactive_followup_state, "stopped")
        self.assertEqual(lead.proactive_followup_stop_reason, "the lead replied")

    def test_all_rules_off_keep_message(self):
        self._switch_off(*self.rules)
        lead, _msg_id, mails = self._new_lead()
        self.assertEqual(len(self._inbound(lead)), 1)
        self.assertIn("Austin", self._inbound(lead).body)
        self.assertFalse(mails)
        self.assertFalse(lead.proactive_city)
        self.assertFalse(lead.proactive_followup_state)

    def test_rule_condition_narrows_its_step(self):
        """A rule's own conditions limit its step, not the others."""
        other_team = self.env["crm.team"].create({"name": "Other team", "use_leads": True})
        self.rules["routing"].filter_domain = "[('team_id', '=', %s)]" % other_team.id
        lead, _msg_id, mails = self._new_lead()
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual(lead.proactive_intent_score, 0)
        self.assertEqual(len(mails), 1)
        self.assertEqual(lead.stage_id, self.stage_qualified)

    # ------------------------------------------------------------
    # Order and failures
    # ------------------------------------------------------------
    def test_steps_run_in_order(self):
        Lead = type(self.env["crm.lead"])
        calls = []
        phases = [name for _step, name in self.env["crm.lead"]._proactive_inbound_phases()]
        patches = []
        for name in phases:
            original = getattr(Lead, name)

            def recorder(lead, batch, _name=name, _original=original):
                calls.append(_name)
                return _original(lead, batch)

            patches.append(patch.object(Lead, name, recorder))
        for active_patch in patches:
            active_patch.start()
        try:
            self._new_lead()
        finally:
            for active_patch in patches:
                active_patch.stop()
        self.assertEqual(
            calls,
            [
                "_proactive_inbound_qualify",
                "_proactive_inbound_stop_followup",
                "_proactive_inbound_score",
                "_proactive_inbound_run_message_hooks",
                "_proactive_inbound_reply",
                "_proactive_inbound_update_stage",
                "_proactive_inbound_start_followup",
                "_proactive_inbound_route",
                "_proactive_inbound_run_after_hook",
            ],
        )

    def test_scoring_runs_before_reply(self):
        """A sensitive first message pauses the lead before the reply step."""
        lead, _msg_id, mails = self._new_lead("You broke my table. I want a refund.")
        self.assertTrue(lead.proactive_paused)
        self.assertFalse(mails)
        self.assertEqual(lead.proactive_touch_ids.state, "skipped")

    def test_failing_step_does_not_stop_others(self):
        Lead = type(self.env["crm.lead"])
        with (
            patch.object(
                Lead, "_proactive_match_signals", side_effect=ValueError("scoring broke")
            ),
            self.assertLogs(INBOUND_LOGGER, logging.ERROR) as logs,
        ):
            lead, _msg_id, mails = self._new_lead()
        self.assertEqual(len(logs.records), 1)
        self.assertIn("routing", logs.output[0])
        self.assertIn("lead %s" % lead.id, logs.output[0])
        self.assertEqual(len(self._inbound(lead)), 1)
        self.assertIn("scoring broke", lead.proactive_error)
        self.assertEqual(len(mails), 1)
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertEqual(lead.proactive_followup_state, "running")
        notes = lead.message_ids.filtered(lambda m: "step of the lead automation failed" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        self.assertIn("Routing", notes.body)

    def test_failing_step_rolls_back_its_changes(self):
        Lead = type(self.env["crm.lead"])

        def score_then_fail(lead, message, text):
            lead.write({"proactive_intent_score": 99, "proactive_need": "broken"})
            raise ValueError("scoring broke")

        with (
            patch.object(
                Lead, "_proactive_match_signals", autospec=True, side_effect=score_then_fail
            ),
            mute_logger(INBOUND_LOGGER),
        ):
            lead, _msg_id, _mails = self._new_lead()
        self.assertEqual(lead.proactive_intent_score, 0)
        self.assertNotEqual(lead.proactive_need, "broken")
        self.assertEqual(lead.proactive_city, "Austin", "the earlier phase is kept")
        self.assertEqual(lead.stage_id, self.stage_qualified, "the later phases ran")

    def test_one_tracking_message_per_run(self):
        lead, _msg_id, _mails = self._new_lead(FIRST_MESSAGE + " Call me at 512 555 0199.")
        self.assertTrue(lead.phone)
        tracked = lead.message_ids.filtered("tracking_value_ids")
        self.assertEqual(len(tracked), 1, "the steps' changes are tracked together")
        self.assertEqual(
            set(tracked.tracking_value_ids.field_id.mapped("name")),
            {"phone", "proactive_intent_level", "stage_id"},
        )

    def test_failing_step_skips_its_later_phase(self):
        """The handoff phase of routing does not run after its scoring failed."""
        Lead = type(self.env["crm.lead"])
        with (
            patch.object(Lead, "_proactive_match_signals", side_effect=ValueError("x")),
            patch.object(Lead, "_proactive_route") as route,
            mute_logger(INBOUND_LOGGER),
        ):
            self._new_lead()
        route.assert_not_called()

    def test_action_run_applies_the_switches(self):
        """Running the flow again from the lead also follows the rules."""
        self._switch_off(*self.rules)
        lead, _msg_id, _mails = self._new_lead()
        self.rules["qualification"].active = True
        with self.mock_datetime_and_now(NOW), self.mock_mail_gateway():
            lead.action_proactive_run()
            self.assertFalse(self.outgoing_mails_to(EMAIL))
        self.assertEqual(lead.proactive_city, "Austin")
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertFalse(lead.proactive_touch_ids)

    # ------------------------------------------------------------
    # Upgrade from the single rule
    # ------------------------------------------------------------
    def _run_migration(self):
        spec = importlib.util.spec_from_file_location("lead_proactive_post_migrate", MIGRATION)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        with mute_logger(module.__name__):
            module.migrate(self.env.cr, "19.0.1.0.0")
        self.env.invalidate_all()

    def test_upgrade_keeps_archived_flow_off(self):
        """A database whose single rule was archived keeps every step off."""
        self._switch_off("reply")
        cadence = self.env.ref("lead_proactive.proactive_cadence_standard")
        cadence.company_id = self.env.company
        self._run_migration()
        for step, rule in self.rules.items():
            with self.subTest(step=step):
                self.assertFalse(rule.active)
        self.assertFalse(cadence.company_id, "existing sequences stay shared")

    def test_upgrade_keeps_active_flow_on(self):
        self._run_migration()
        for step, rule in self.rules.items():
            with self.subTest(step=step):
                self.assertTrue(rule.active)
