# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SLA history records, policy edits on running clocks, what meets the
qualified follow-up SLA, and the dates written in breach notes."""

from odoo import Command
from odoo.tests import tagged

from ..models.crm_lead_sla import SLA_CRON_XMLID
from .test_lead_sla import SlaCase


@tagged("lead_proactive", "lead_proactive_sla", "post_install", "-at_install")
class TestLeadSlaHistory(SlaCase):
    def salesperson_writes(self, lead, when, body="Hi Pat, we can do Saturday."):
        with self.mock_datetime_and_now(when), self.mock_mail_gateway():
            lead.with_user(self.user_salesman).message_post(
                body=body, message_type="comment", subtype_xmlid="mail.mt_comment"
            )

    def post_script(self, lead, when):
        template = self.env.ref("lead_proactive.mail_template_instant_reply")
        with self.mock_datetime_and_now(when), self.mock_mail_gateway():
            lead._proactive_post_script(template)

    # ------------------------------------------------------------
    # Records
    # ------------------------------------------------------------
    def test_record_follows_clock_to_met(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        record = lead.sla_record_id
        self.assertEqual(lead.sla_record_ids, record)
        self.assertEqual(record.target, "first_reply")
        self.assertEqual(record.policy_id, self.policy_first_reply)
        self.assertEqual(record.status, "on_track")
        self.assertEqual(record.start_date, self.t0)
        self.assertEqual(record.deadline, self.at(5))

        self.run_sla_cron(self.at(4))
        self.assertEqual(record.status, "at_risk")

        self.salesperson_writes(lead, self.at(4, 30))
        self.assertEqual(record.status, "met")
        self.assertEqual(record.met_date, self.at(4, 30))
        self.assertEqual(record.response_minutes, 4.5)
        self.assertFalse(record.breached_date)

    def test_later_milestone_records_unflagged_breach(self):
        # The deadline passed but the cron has not run yet when the lead is
        # booked: the first-reply clock is recorded as breached anyway.
        lead = self.create_lead()
        first = lead.sla_record_id
        with self.mock_datetime_and_now(self.at(7)):
            lead.stage_id = self.stage_booked
        self.assertEqual(first.status, "breached")
        self.assertEqual(first.breached_date, self.at(5))
        self.assertTrue(lead.sla_breached)
        second = lead.sla_record_id
        self.assertNotEqual(second, first)
        self.assertEqual(second.target, "booked_confirmation")
        self.assertEqual(second.status, "on_track")
        self.assertEqual(lead.sla_status, "on_track")
        self.assertEqual(lead.sla_record_count, 2)
        self.assertFalse(self.breach_activities(lead), "a superseded miss is not escalated")

    def test_later_milestone_cancels_clock_in_time(self):
        lead = self.create_lead()
        first = lead.sla_record_id
        with self.mock_datetime_and_now(self.at(2)):
            lead.stage_id = self.stage_booked
        self.assertEqual(first.status, "cancelled")
        self.assertEqual(first.cancel_reason, "superseded")
        self.assertEqual(first.end_date, self.at(2))
        self.assertFalse(lead.sla_breached)

    def test_qualified_lead_keeps_first_reply_clock(self):
        # Qualified before anyone answered (a marketplace chat waiting for
        # its pasted reply): the first reply is still due and still timed.
        lead = self.create_lead(user_id=self.user_salesman.id)
        first = lead.sla_record_id
        with self.mock_datetime_and_now(self.at(2)):
            lead.stage_id = self.stage_qualified
        self.assertEqual(lead.sla_record_id, first)
        self.assertEqual(lead.sla_target, "first_reply")
        self.run_sla_cron(self.at(5))
        self.assertEqual(first.status, "breached")
        self.assertEqual(len(self.breach_activities(lead)), 1)

    def test_automated_first_reply_starts_waiting_followup_clock(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        first = lead.sla_record_id
        with self.mock_datetime_and_now(self.at(2)):
            lead.stage_id = self.stage_qualified
        self.post_script(lead, self.at(3))
        self.assertEqual(first.status, "met")
        self.assertEqual(lead.sla_target, "qualified_followup")
        self.assertEqual(lead.sla_start_date, self.at(3))
        self.assertEqual(lead.sla_deadline, self.at(18))
        self.assertEqual(lead.sla_record_count, 2)

    def test_person_first_reply_is_the_followup(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        with self.mock_datetime_and_now(self.at(2)):
            lead.stage_id = self.stage_qualified
        first = lead.sla_record_id
        self.salesperson_writes(lead, self.at(3))
        self.assertEqual(first.status, "met")
        # The same message is the qualified follow-up: nothing is left due.
        self.assertEqual(lead.sla_status, "met")
        self.assertEqual(set(lead.sla_record_ids.mapped("status")), {"met"})
        self.run_sla_cron(self.at(20))
        self.assertFalse(self.breach_activities(lead))

    def test_met_clock_kept_when_superseded(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        self.salesperson_writes(lead, self.at(1))
        first = lead.sla_record_id
        with self.mock_datetime_and_now(self.at(2)):
            lead.stage_id = self.stage_qualified
        self.assertEqual(first.status, "met")
        self.assertEqual(first.met_date, self.at(1))

    def test_breach_stays_recorded_after_late_answer(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        record = lead.sla_record_id
        self.run_sla_cron(self.at(5))
        self.assertEqual(record.status, "breached")
        self.assertEqual(record.breached_date, self.at(5))

        self.salesperson_writes(lead, self.at(9))
        self.assertEqual(lead.sla_status, "met", "the lead shows it was answered")
        self.assertEqual(record.status, "breached", "the history keeps the miss")
        self.assertEqual(record.met_date, self.at(9))

    def test_lost_lead_cancels_record(self):
        lead = self.create_lead()
        record = lead.sla_record_id
        with self.mock_datetime_and_now(self.at(2)):
            lead.action_set_lost()
        self.assertEqual(record.status, "cancelled")
        self.assertEqual(record.cancel_reason, "closed")

    def test_records_group_for_reports(self):
        missed = self.create_lead()
        answered = self.create_lead(email_from="kim.ng@example.net")
        with self.mock_datetime_and_now(self.at(1)):
            answered._proactive_record_first_response(self.at(1))
        self.run_sla_cron(self.at(5))
        groups = dict(
            self.env["proactive.sla.record"]._read_group(
                [("lead_id", "in", (missed | answered).ids)], ["status"], ["__count"]
            )
        )
        self.assertEqual(groups, {"breached": 1, "met": 1})
        action = missed.action_sla_view_records()
        self.assertEqual(action["res_model"], "proactive.sla.record")
        self.assertEqual(
            self.env["proactive.sla.record"].search(action["domain"]), missed.sla_record_id
        )

    def test_salesperson_sees_own_records_only(self):
        own = self.create_lead(user_id=self.user_salesman.id)
        other = self.create_lead(user_id=self.user_sales_manager.id, email_from="kim@example.net")
        visible = (
            self.env["proactive.sla.record"]
            .with_user(self.user_salesman)
            .search([("lead_id", "in", (own | other).ids)])
        )
        self.assertEqual(visible, own.sla_record_id)

    def test_cron_wakes_at_next_due_date(self):
        self.create_lead()
        later = self.create_lead(when=self.at(3), email_from="kim.ng@example.net")
        with self.capture_triggers(SLA_CRON_XMLID) as capture:
            self.run_sla_cron(self.at(5))
        self.assertEqual(later.sla_status, "on_track")
        self.assertIn(self.at(7), capture.records.mapped("call_at"), "the next at-risk date")

    # ------------------------------------------------------------
    # Policy edits
    # ------------------------------------------------------------
    def test_policy_edit_moves_running_deadlines(self):
        running = self.create_lead()
        at_risk = self.create_lead(when=self.at(-4), email_from="kim.ng@example.net")
        met = self.create_lead(email_from="lee@example.net")
        with self.mock_datetime_and_now(self.at(1)):
            met._proactive_record_first_response(self.at(1))
        self.run_sla_cron(self.at(0, 30))
        self.assertEqual(at_risk.sla_status, "at_risk")

        with self.mock_datetime_and_now(self.at(2)), self.capture_triggers(SLA_CRON_XMLID) as capture:
            self.policy_first_reply.minutes = 10
        self.assertEqual(running.sla_deadline, self.at(10))
        self.assertEqual(running.sla_at_risk_date, self.at(8))
        self.assertEqual(running.sla_record_id.deadline, self.at(10))
        self.assertEqual(at_risk.sla_deadline, self.at(6))
        self.assertEqual(at_risk.sla_status, "on_track", "no longer at risk with more time")
        self.assertEqual(at_risk.sla_record_id.status, "on_track")
        self.assertEqual(met.sla_deadline, self.at(5), "a met clock keeps its terms")
        self.assertEqual(met.sla_status, "met")
        self.assertEqual(capture.records.mapped("call_at"), [self.at(4)], "the earliest new date")

    def test_policy_shortened_past_deadline_breaches(self):
        lead = self.create_lead()
        with self.mock_datetime_and_now(self.at(3)), self.capture_triggers(SLA_CRON_XMLID) as capture:
            self.policy_first_reply.minutes = 2
        self.assertEqual(lead.sla_deadline, self.at(2))
        self.assertEqual(lead.sla_status, "at_risk", "the cron breaches and escalates it")
        self.assertEqual(capture.records.mapped("call_at"), [self.at(2)])
        self.run_sla_cron(self.at(3))
        self.assertEqual(lead.sla_status, "breached")
        self.assertEqual(lead.sla_record_id.status, "breached")
        self.assertEqual(len(self.breach_activities(lead)), 1)

    def test_policy_scope_change_reassigns_leads(self):
        team_lead = self.create_lead()
        no_team = self.create_lead(team_id=False, email_from="kim.ng@example.net")
        with self.mock_datetime_and_now(self.at(1)):
            team_policy = self.Policy.create(
                {"name": "Team", "target": "first_reply", "minutes": 20,
                 "team_ids": [Command.set(self.team.ids)]}
            )
        self.assertEqual(team_lead.sla_policy_id, team_policy)
        self.assertEqual(team_lead.sla_deadline, self.at(20))
        self.assertEqual(team_lead.sla_record_id.policy_id, team_policy)
        self.assertEqual(no_team.sla_policy_id, self.policy_first_reply)

        with self.mock_datetime_and_now(self.at(2)):
            team_policy.action_archive()
        self.assertEqual(team_lead.sla_policy_id, self.policy_first_reply)
        self.assertEqual(team_lead.sla_deadline, self.at(5))

    def test_archived_policy_cancels_running_clocks(self):
        lead = self.create_lead()
        record = lead.sla_record_id
        with self.mock_datetime_and_now(self.at(2)):
            self.policy_first_reply.action_archive()
        self.assertFalse(lead.sla_status)
        self.assertFalse(lead.sla_deadline)
        self.assertEqual(record.status, "cancelled")
        self.assertEqual(record.cancel_reason, "no_policy")
        self.run_sla_cron(self.at(10))
        self.assertFalse(self.breach_activities(lead))

    def test_policy_edit_reads_governed_leads_only(self):
        governed = self.create_lead()
        qualified = self.create_lead(email_from="kim.ng@example.net")
        with self.mock_datetime_and_now(self.at(1)):
            qualified._proactive_record_first_response(self.at(1))
            qualified.stage_id = self.stage_qualified
        met = self.create_lead(email_from="lee@example.net")
        with self.mock_datetime_and_now(self.at(1)):
            met._proactive_record_first_response(self.at(1))
        leads = self.env["crm.lead"].search(
            self.policy_first_reply._get_running_leads_domain(scope_changed=False)
        )
        self.assertIn(governed, leads)
        self.assertNotIn(qualified, leads)
        self.assertNotIn(met, leads)
        scope_leads = self.env["crm.lead"].search(
            self.policy_first_reply._get_running_leads_domain(scope_changed=True)
        )
        self.assertNotIn(qualified, scope_leads, "another target is not read")

    # ------------------------------------------------------------
    # What meets the qualified follow-up
    # ------------------------------------------------------------
    def test_qualified_followup_breached_despite_automated_touch(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        with self.mock_datetime_and_now(self.at(1)):
            lead._proactive_record_first_response(self.at(1))
        with self.mock_datetime_and_now(self.at(2)):
            lead.stage_id = self.stage_qualified
        self.post_script(lead, self.at(10))
        self.run_sla_cron(self.at(17))
        self.assertEqual(lead.sla_status, "breached")
        self.assertEqual(len(self.breach_activities(lead)), 1)

        self.post_script(lead, self.at(30))
        self.assertEqual(lead.sla_status, "breached", "an automated follow-up is no contact")
        self.salesperson_writes(lead, self.at(35))
        self.assertEqual(lead.sla_status, "met")
        self.assertEqual(lead.sla_met_date, self.at(35))

    def test_call_done_meets_qualified_followup(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        with self.mock_datetime_and_now(self.at(2)):
            lead.stage_id = self.stage_qualified
        with self.mock_datetime_and_now(self.at(3)):
            activity = lead.activity_schedule(
                "mail.mail_activity_data_call", user_id=self.user_salesman.id
            )
        with self.mock_datetime_and_now(self.at(9)), self.mock_mail_gateway():
            activity.with_user(self.user_salesman).action_feedback(feedback="Booked a visit")
        self.assertEqual(lead.sla_status, "met")
        self.assertEqual(lead.sla_met_date, self.at(9))
        self.assertEqual(lead.sla_record_id.status, "met")

    def test_other_activity_done_does_not_meet_sla(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        with self.mock_datetime_and_now(self.at(2)):
            lead.stage_id = self.stage_qualified
            activity = lead.activity_schedule(
                "mail.mail_activity_data_todo", user_id=self.user_salesman.id
            )
        with self.mock_datetime_and_now(self.at(4)), self.mock_mail_gateway():
            activity.with_user(self.user_salesman).action_feedback(feedback="Checked the calendar")
        self.assertEqual(lead.sla_status, "on_track")

    def test_first_reply_and_booking_met_by_automation(self):
        lead = self.create_lead()
        self.post_script(lead, self.at(1))
        self.assertEqual(lead.sla_record_id.status, "met", "the instant reply is a first reply")
        with self.mock_datetime_and_now(self.at(2)):
            lead.stage_id = self.stage_booked
        self.post_script(lead, self.at(2, 30))
        self.assertEqual(lead.sla_target, "booked_confirmation")
        self.assertEqual(lead.sla_status, "met")

    # ------------------------------------------------------------
    # Dates in breach notes
    # ------------------------------------------------------------
    def test_breach_note_in_recipient_time(self):
        self.user_sales_manager.write({"tz": "America/Chicago", "lang": "en_US"})
        lead = self.create_lead(user_id=self.user_salesman.id)
        self.run_sla_cron(self.at(5))
        # 15:05 UTC is 10:05 in Chicago (CDT, UTC-5) in June.
        # en_US formats: month/day/year and a 12-hour clock, as on the form.
        expected = "06/10/2025 10:05:00 AM (America/Chicago)"
        self.assertIn(expected, str(self.breach_messages(lead).body))
        self.assertIn(expected, str(self.breach_activities(lead).note))

    def test_breach_note_falls_back_to_owner_tz(self):
        self.user_sales_manager.tz = False
        self.user_salesman.tz = "America/New_York"
        lead = self.create_lead(user_id=self.user_salesman.id)
        self.run_sla_cron(self.at(5))
        self.assertIn(
            "06/10/2025 11:05:00 AM (America/New_York)", str(self.breach_messages(lead).body)
        )
