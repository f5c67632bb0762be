# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Follow-up sequences across a pause, per company, and on a lead that
keeps failing in the cron."""

import datetime
import logging
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .followup_common import CRON_LOGGER, CRON_XMLID, FOLLOWUP_LOGGER, FollowupCase, chicago


@tagged("lead_proactive", "post_install", "-at_install")
class TestLeadFollowupControl(FollowupCase):
    def _notes(self, lead, text):
        return lead.message_ids.filtered(lambda m: text in (m.body or ""))

    # ------------------------------------------------------------
    # Resume after a pause
    # ------------------------------------------------------------
    def test_resume_restarts_from_next_step(self):
        t0 = self.monday_9am
        lead = self._make_running_lead("pat@example.net", t0, t0 + datetime.timedelta(minutes=30))
        with self.mock_mail_gateway():
            self._run_cron(t0 + datetime.timedelta(minutes=30))
            self.assertEqual(self._touch(lead, 1).state, "sent")
            self.assertEqual(lead.proactive_followup_step, 1)

            with self.mock_datetime_and_now(t0 + datetime.timedelta(hours=1)):
                lead.write({"proactive_paused": True, "proactive_pause_reason": "Checking"})
            self.assertEqual(lead.proactive_followup_state, "stopped")
            self.assertTrue(lead.proactive_followup_paused)

            # Resumed on Monday at 22:30 in Chicago: step 2 (3 hours later)
            # falls after the email hours and waits for Tuesday 8:00.
            resumed_at = chicago(2025, 6, 16, 22, 30)
            with (
                self.mock_datetime_and_now(resumed_at),
                self.capture_triggers(CRON_XMLID) as capture,
            ):
                lead.action_proactive_resume()
        self.assertFalse(lead.proactive_paused)
        self.assertEqual(lead.proactive_followup_state, "running")
        self.assertFalse(lead.proactive_followup_stop_reason)
        self.assertFalse(lead.proactive_followup_paused)
        self.assertEqual(lead.proactive_followup_step, 1)
        tuesday_8am = chicago(2025, 6, 17, 8, 0)
        self.assertEqual(lead.proactive_next_touch_date, tuesday_8am)
        self.assertEqual(capture.records.mapped("call_at"), [tuesday_8am])
        self.assertTrue(self._notes(lead, "Follow-up sequence restarted: step 2"))

        with self.mock_mail_gateway():
            self._run_cron(tuesday_8am)
            self.assertEqual(len(self.outgoing_mails_to("pat@example.net")), 1)
        self.assertEqual(self._touch(lead, 2).state, "sent")
        self.assertEqual(lead.proactive_followup_step, 2)

    def test_resume_skips_step_claimed_before_pause(self):
        """A step that already has a touch (here skipped by the guard) is
        not sent again: the sequence restarts after it."""
        t0 = self.monday_9am
        lead = self._make_running_lead("kim@example.net", t0, t0 + datetime.timedelta(minutes=30))
        self.env["proactive.touch"].create(
            {"lead_id": lead.id, "step": 1, "kind": "followup", "state": "skipped",
             "skip_reason": "automation is paused", "date": t0}
        )
        lead.write({"proactive_paused": True, "proactive_pause_reason": "Checking"})
        self.assertTrue(lead.proactive_followup_paused)
        resumed_at = t0 + datetime.timedelta(hours=2)
        with self.mock_datetime_and_now(resumed_at), self.mock_mail_gateway():
            lead.action_proactive_resume()
        self.assertEqual(lead.proactive_followup_state, "running")
        self.assertEqual(lead.proactive_followup_step, 1, "step 2 is next")
        self.assertEqual(
            lead.proactive_next_touch_date, resumed_at + datetime.timedelta(hours=3)
        )

    def test_resume_after_reply_or_booking_keeps_stopped(self):
        t0 = self.monday_9am
        cases = {
            "replied": ({"proactive_replied": True}, "the lead replied"),
            "booked": ({"stage_id": self.stage_booked.id}, "the lead booked"),
            "opted_out": ({"proactive_opt_out": True}, "the lead opted out"),
        }
        for index, (case, (values, reason)) in enumerate(cases.items()):
            with self.subTest(case=case):
                lead = self._make_running_lead(
                    "case%s@example.net" % index, t0, t0 + datetime.timedelta(hours=1)
                )
                lead.write({"proactive_paused": True, "proactive_pause_reason": "Hold"})
                lead.write(values)
                with self.mock_datetime_and_now(t0 + datetime.timedelta(hours=2)):
                    lead.action_proactive_resume()
                self.assertEqual(lead.proactive_followup_state, "stopped")
                self.assertEqual(lead.proactive_followup_stop_reason, reason)
                self.assertFalse(lead.proactive_next_touch_date)
                self.assertFalse(lead.proactive_followup_paused)

    def test_resume_does_not_restart_other_stops(self):
        t0 = self.monday_9am
        lead = self._make_running_lead("lee@example.net", t0, t0 + datetime.timedelta(hours=1))
        lead.action_proactive_stop_followup()
        with self.mock_datetime_and_now(t0 + datetime.timedelta(hours=2)):
            lead.action_proactive_resume()
        self.assertEqual(lead.proactive_followup_state, "stopped")
        self.assertFalse(lead.proactive_next_touch_date)

    def test_resume_after_last_step_restarts_grace_period(self):
        t0 = self.monday_9am
        lead = self._make_running_lead("max@example.net", t0, t0 + datetime.timedelta(hours=1))
        lead.write({"proactive_followup_step": 3})
        lead.write({"proactive_paused": True, "proactive_pause_reason": "Hold"})
        resumed_at = t0 + datetime.timedelta(hours=5)
        with self.mock_datetime_and_now(resumed_at):
            lead.action_proactive_resume()
        self.assertEqual(lead.proactive_followup_state, "running")
        self.assertEqual(
            lead.proactive_next_touch_date,
            resumed_at + datetime.timedelta(hours=self.cadence.lost_delay_hours),
        )

    # ------------------------------------------------------------
    # Companies
    # ------------------------------------------------------------
    def test_cadence_company(self):
        Cadence = self.env["proactive.cadence"].sudo()
        main = self.env.company
        other = self.env["res.company"].create({"name": "Other Movers"})
        template = self.cadence.step_ids[:1].mail_template_id
        steps = [Command.create({"delay": 1, "mail_template_id": template.id})]
        self.assertEqual(
            Cadence.create({"name": "Default", "step_ids": steps}).company_id, main
        )
        self.assertFalse(self.cadence.company_id, "the shipped sequence is shared")

        team_main = Cadence.create(
            {"name": "Team, main", "team_ids": [Command.set(self.team.ids)],
             "company_id": main.id, "step_ids": steps, "sequence": 1}
        )
        team_other = Cadence.create(
            {"name": "Team, other", "team_ids": [Command.set(self.team.ids)],
             "company_id": other.id, "step_ids": steps, "sequence": 0}
        )
        self.assertEqual(Cadence._proactive_select(self.team, False, company=main), team_main)
        self.assertEqual(Cadence._proactive_select(self.team, False, company=other), team_other)
        self.assertEqual(Cadence._proactive_select(self.team, False), team_main)
        team_other.action_archive()
        self.assertEqual(
            Cadence._proactive_select(self.team, False, company=other), self.cadence,
            "a company without its own sequence gets the shared one",
        )

        # A lead of the other company gets that company's sequence.
        other_general = Cadence.create(
            {"name": "Other, everyone", "company_id": other.id, "step_ids": steps,
             "sequence": 0}
        )
        other_team = self.env["crm.team"].sudo().create(
            {"name": "Other team", "use_leads": True, "company_id": other.id}
        )
        lead = self.env["crm.lead"].sudo().create(
            {"name": "Other company lead", "email_from": "ann@example.net",
             "team_id": other_team.id, "user_id": False}
        )
        self.assertEqual(lead.company_id, other)
        self.env["proactive.touch"].sudo().create(
            {"lead_id": lead.id, "step": 0, "kind": "instant_reply", "state": "sent",
             "date": self.monday_9am}
        )
        lead._proactive_start_followup()
        self.assertEqual(lead.proactive_cadence_id, other_general)

    def test_cadence_company_rule(self):
        other = self.env["res.company"].create({"name": "Other Movers"})
        hidden = self.env["proactive.cadence"].sudo().create(
            {"name": "Other company only", "company_id": other.id}
        )
        Cadence = self.env["proactive.cadence"].with_user(self.user_sales_manager)
        visible = Cadence.search([])
        self.assertNotIn(hidden, visible)
        self.assertIn(self.cadence, visible)
        with self.assertRaises(AccessError):
            hidden.with_user(self.user_sales_manager).read(["name"])

    # ------------------------------------------------------------
    # Bounded retries in the cron
    # ------------------------------------------------------------
    def test_failing_lead_stops_after_three_attempts(self):
        due = self.monday_9am + datetime.timedelta(minutes=30)
        healthy = self._make_running_lead("ok@example.net", self.monday_9am, due)
        failing = self._make_running_lead("broken@example.net", self.monday_9am, due)
        Template = self.registry["mail.template"]
        render_field = Template._render_field

        def broken_render(template, field, res_ids, *args, **kwargs):
            if failing.id in res_ids:
                raise ValueError("template rendering failed")
            return render_field(template, field, res_ids, *args, **kwargs)

        expected_retries = [
            due + datetime.timedelta(hours=1),
            due + datetime.timedelta(hours=1) + datetime.timedelta(hours=2),
        ]
        with (
            self.mock_mail_gateway(),
            patch.object(Template, "_render_field", broken_render),
            mute_logger(CRON_LOGGER),
        ):
            with self.assertLogs(FOLLOWUP_LOGGER, logging.ERROR):
                self._run_cron(due)
            self.assertEqual(self._touch(healthy, 1).state, "sent")
            self.assertEqual(failing.proactive_followup_failures, 1)
            self.assertEqual(failing.proactive_followup_state, "running")
            self.assertEqual(failing.proactive_next_touch_date, expected_retries[0])

            # Not retried before the back-off ends.
            self._run_cron(expected_retries[0] - datetime.timedelta(minutes=1))
            self.assertEqual(failing.proactive_followup_failures, 1)

            with self.assertLogs(FOLLOWUP_LOGGER, logging.ERROR):
                self._run_cron(expected_retries[0])
            self.assertEqual(failing.proactive_followup_failures, 2)
            self.assertEqual(failing.proactive_next_touch_date, expected_retries[1])

            with self.assertLogs(FOLLOWUP_LOGGER, logging.WARNING) as logs:
                self._run_cron(expected_retries[1])
            self.assertTrue(
                any("failed 3 times on lead %s" % failing.id in line for line in logs.output)
            )

        self.assertEqual(failing.proactive_followup_failures, 3)
        self.assertEqual(failing.proactive_followup_state, "stopped")
        self.assertFalse(failing.proactive_next_touch_date)
        self.assertIn("failed 3 times", failing.proactive_followup_stop_reason)
        self.assertIn("template rendering failed", failing.proactive_followup_stop_reason)
        self.assertIn("template rendering failed", failing.proactive_error)
        self.assertFalse(self._touch(failing, 1))
        self.assertTrue(self._notes(failing, "Follow-up sequence stopped: follow-up 1 failed 3 times"))
        self.assertEqual(len(self._notes(failing, "attempt")), 2)
        # The healthy lead went on with its own sequence.
        self.assertEqual(healthy.proactive_followup_state, "running")
        self.assertEqual(healthy.proactive_followup_failures, 0)

        # Nothing more is tried on the stopped lead.
        with self.mock_mail_gateway():
            self._run_cron(expected_retries[1] + datetime.timedelta(days=1))
            self.assertFalse(self.outgoing_mails_to("broken@example.net"))

    def test_failure_count_resets_after_success(self):
        due = self.monday_9am + datetime.timedelta(minutes=30)
        lead = self._make_running_lead("flaky@example.net", self.monday_9am, due)
        Template = self.registry["mail.template"]
        render_field = Template._render_field
        broken = {"on": True}

        def flaky_render(template, field, res_ids, *args, **kwargs):
            if broken["on"] and lead.id in res_ids:
                raise ValueError("temporary failure")
            return render_field(template, field, res_ids, *args, **kwargs)

        with (
            self.mock_mail_gateway(),
            patch.object(Template, "_render_field", flaky_render),
            mute_logger(CRON_LOGGER, FOLLOWUP_LOGGER),
        ):
            self._run_cron(due)
            self.assertEqual(lead.proactive_followup_failures, 1)
            broken["on"] = False
            self._run_cron(due + datetime.timedelta(hours=1))
        self.assertEqual(self._touch(lead, 1).state, "sent")
        self.assertEqual(lead.proactive_followup_failures, 0)
        self.assertEqual(lead.proactive_followup_state, "running")
