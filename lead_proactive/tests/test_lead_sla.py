# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Response-time SLAs: deadlines in working time, status changes, the breach
cron and its escalation.

The clock is moved with ``mock_datetime_and_now``, which freezes Python's time
and the transaction time (``cr.now()``) together. The cron runs through
``method_direct_trigger`` in its own cursor, as the scheduler runs it.
"""

import contextlib
import datetime
import json
import os
import pathlib
import unittest
import zoneinfo
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.test_ir_cron import CronMixinCase

from ..models.crm_lead_sla import SLA_CRON_BATCH_SIZE, SLA_CRON_XMLID
from ..tools import business_time
from .common import ProactiveCase

UTC = datetime.timezone.utc
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")

SAMPLES_DIR_VARIABLE = "PROACTIVE_SAMPLES_DIR"
SAMPLE_WORKING_HOURS_PATH = pathlib.Path("json", "BH-16_sla_business_hours_dst.json")

# A 60-working-minute target on Mon-Fri 09:00-17:00 in New York, with
# 2025-05-26 (Memorial Day) off: (clock start, expected deadline), both UTC.
# Daylight saving time starts on Sunday 2025-03-09 and ends on Sunday
# 2025-11-02, so 09:00 is 14:00 UTC before the first date and 13:00 after.
NEW_YORK_HOURS_CASES = [
    # Wednesday 10:00 EST: inside working hours.
    ("2025-03-05T15:00:00", "2025-03-05T16:00:00"),
    # Friday 16:30 EST: 30 minutes on Friday, 30 on Monday at 09:00 EDT.
    ("2025-03-07T21:30:00", "2025-03-10T13:30:00"),
    # Saturday 10:00 EST: the clock waits for Monday 09:00 EDT.
    ("2025-03-08T15:00:00", "2025-03-10T14:00:00"),
    # Wednesday 06:00 EST: the clock waits for 09:00.
    ("2025-03-05T11:00:00", "2025-03-05T15:00:00"),
    # Friday 16:45 EDT: 15 minutes on Friday, Monday is a holiday, 45 on Tuesday.
    ("2025-05-23T20:45:00", "2025-05-27T13:45:00"),
    # Saturday 16:30 EDT: Monday 10:00 EST, after the change back.
    ("2025-11-01T20:30:00", "2025-11-03T15:00:00"),
]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def utc(text):
    """Return the naive UTC datetime Odoo stores for an ISO 8601 string."""
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def create_calendar(env, tz, weekdays, hour_from, hour_to, holidays=()):
    """Create working hours on ``weekdays`` (0 is Monday) with whole local
    days off on the ``holidays`` dates."""
    calendar = env["resource.calendar"].create(
        {
            "name": "Office hours %s" % tz,
            "tz": tz,
            "company_id": False,
            "attendance_ids": [Command.clear()]
            + [
                Command.create(
                    {
                        "name": WEEKDAYS[day],
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_to,
                        "day_period": "full_day",
                    }
                )
                for day in weekdays
            ],
            "global_leave_ids": [Command.clear()],
        }
    )
    zone = zoneinfo.ZoneInfo(tz)
    for holiday in holidays:
        day = datetime.date.fromisoformat(holiday)
        begin = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        env["resource.calendar.leaves"].create(
            {
                "name": "Holiday %s" % holiday,
                "calendar_id": calendar.id,
                "date_from": begin.astimezone(UTC).replace(tzinfo=None),
                "date_to": end.astimezone(UTC).replace(tzinfo=None) - datetime.timedelta(seconds=1),
                "time_type": "leave",
            }
        )
    return calendar


@tagged("lead_proactive", "lead_proactive_sla")
class TestBusinessTime(BaseCase):
    """The working-time helper on hand-built intervals."""

    def intervals(self, *days):
        """Return 09:00-17:00 New York intervals on the given dates."""
        result = []
        for day in days:
            date = datetime.date.fromisoformat(day)
            result.append(
                (
                    datetime.datetime.combine(date, datetime.time(9), tzinfo=NEW_YORK),
                    datetime.datetime.combine(date, datetime.time(17), tzinfo=NEW_YORK),
                )
            )
        return result

    def test_adds_across_days(self):
        start = datetime.datetime(2025, 3, 7, 16, 30, tzinfo=NEW_YORK)
        [due] = business_time.add_working_time(
            start, [datetime.timedelta(hours=1)], self.intervals("2025-03-07", "2025-03-10")
        )
        self.assertEqual(due, datetime.datetime(2025, 3, 10, 13, 30, tzinfo=UTC))

    def test_same_zone_across_dst_change(self):
        # Both intervals share one zoneinfo object: naive subtraction would
        # be an hour off across the change of offset.
        start = datetime.datetime(2025, 3, 8, 12, 0, tzinfo=NEW_YORK)
        [due] = business_time.add_working_time(
            start, [datetime.timedelta(minutes=90)], self.intervals("2025-03-10")
        )
        self.assertEqual(due, datetime.datetime(2025, 3, 10, 14, 30, tzinfo=UTC))

    def test_zero_duration_waits_for_opening(self):
        start = datetime.datetime(2025, 3, 5, 6, 0, tzinfo=NEW_YORK)
        [due] = business_time.add_working_time(
            start, [datetime.timedelta(0)], self.intervals("2025-03-05")
        )
        self.assertEqual(due, datetime.datetime(2025, 3, 5, 14, 0, tzinfo=UTC))

    def test_start_at_closing_continues_next_day(self):
        start = datetime.datetime(2025, 3, 5, 17, 0, tzinfo=NEW_YORK)
        [due] = business_time.add_working_time(
            start, [datetime.timedelta(minutes=10)], self.intervals("2025-03-05", "2025-03-06")
        )
        self.assertEqual(due, datetime.datetime(2025, 3, 6, 14, 10, tzinfo=UTC))

    def test_interval_end_is_reachable(self):
        start = datetime.datetime(2025, 3, 5, 16, 0, tzinfo=NEW_YORK)
        [due] = business_time.add_working_time(
            start, [datetime.timedelta(hours=1)], self.intervals("2025-03-05", "2025-03-06")
        )
        self.assertEqual(due, datetime.datetime(2025, 3, 5, 22, 0, tzinfo=UTC))

    def test_several_durations_keep_order(self):
        start = datetime.datetime(2025, 3, 5, 16, 0, tzinfo=NEW_YORK)
        due = business_time.add_working_time(
            start,
            [datetime.timedelta(hours=2), datetime.timedelta(minutes=30)],
            self.intervals("2025-03-05", "2025-03-06"),
        )
        self.assertEqual(
            due,
            [
                datetime.datetime(2025, 3, 6, 15, 0, tzinfo=UTC),
                datetime.datetime(2025, 3, 5, 21, 30, tzinfo=UTC),
            ],
        )

    def test_too_few_intervals_returns_none(self):
        start = datetime.datetime(2025, 3, 5, 16, 0, tzinfo=NEW_YORK)
        due = business_time.add_working_time(
            start,
            [datetime.timedelta(minutes=30), datetime.timedelta(hours=3)],
            self.intervals("2025-03-05"),
        )
        self.assertEqual(due, [datetime.datetime(2025, 3, 5, 21, 30, tzinfo=UTC), None])

    def test_naive_start_is_utc(self):
        start = datetime.datetime(2025, 3, 5, 21, 30)
        [due] = business_time.add_working_time(
            start, [datetime.timedelta(minutes=15)], self.intervals("2025-03-05")
        )
        self.assertEqual(due, datetime.datetime(2025, 3, 5, 21, 45, tzinfo=UTC))

    def test_results_round_up_to_second(self):
        start = datetime.datetime(2025, 3, 5, 15, 0, 0, 500, tzinfo=UTC)
        [due] = business_time.add_working_time(
            start, [datetime.timedelta(minutes=1)], self.intervals("2025-03-05")
        )
        self.assertEqual(due, datetime.datetime(2025, 3, 5, 15, 1, 1, tzinfo=UTC))
        self.assertEqual(
            business_time.scale_duration(datetime.timedelta(minutes=5), 80),
            datetime.timedelta(minutes=4),
        )
        self.assertEqual(
            business_time.scale_duration(datetime.timedelta(seconds=10), 33),
            datetime.timedelta(seconds=4),
        )


@tagged("lead_proactive", "lead_proactive_sla", "post_install", "-at_install")
class TestSlaDeadlines(ProactiveCase):
    """Due dates computed by policies, with and without working hours."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Policy = cls.env["proactive.sla.policy"]
        cls.calendar = create_calendar(
            cls.env, "America/New_York", range(5), 9, 17, holidays=["2025-05-26"]
        )
        # Limited to the test team, so that it beats the shipped policies.
        cls.office_policy = cls.Policy.create(
            {
                "name": "One working hour",
                "target": "first_reply",
                "minutes": 60,
                "calendar_id": cls.calendar.id,
                "team_ids": [Command.set(cls.team.ids)],
            }
        )

    def assert_deadlines(self, policy, cases):
        for start, expected in cases:
            with self.subTest(start=start):
                _at_risk, deadline = policy._compute_due_dates(utc(start))
                self.assertEqual(deadline, utc(expected))

    def test_working_hours_deadlines(self):
        self.assert_deadlines(self.office_policy, NEW_YORK_HOURS_CASES)

    def test_working_hours_deadlines_from_samples(self):
        samples_dir = os.environ.get(SAMPLES_DIR_VARIABLE)
        if not samples_dir:
            raise unittest.SkipTest("%s is not set to a samples folder" % SAMPLES_DIR_VARIABLE)
        path = pathlib.Path(samples_dir, SAMPLE_WORKING_HOURS_PATH)
        if not path.is_file():
            raise unittest.SkipTest("no sample file %s" % path)

        sample = json.loads(path.read_text(encoding="utf-8"))
        setup = sample["setup"]
        first_day, last_day = (WEEKDAYS.index(day) for day in setup["work_days"].split("-"))
        hour_from, hour_to = (
            int(part.split(":")[0]) + int(part.split(":")[1]) / 60
            for part in setup["hours"].split("-")
        )
        calendar = create_calendar(
            self.env,
            setup["calendar_tz"],
            range(first_day, last_day + 1),
            hour_from,
            hour_to,
            holidays=setup["holidays"],
        )

        policy = self.Policy.create(
            {
                "name": "Sample working hours",
                "target": "first_reply",
                "minutes": setup["sla_business_minutes"],
                "calendar_id": calendar.id,
            }
        )
        cases = [(case["lead_created_utc"], case["expect_breach_utc"]) for case in sample["cases"]]
        self.assertTrue(cases)
        self.assert_deadlines(policy, cases)

    def test_working_hours_breach_flagged_once(self):
        second = datetime.timedelta(seconds=1)
        for start, expected in NEW_YORK_HOURS_CASES:
            with self.subTest(start=start):
                with self.mock_datetime_and_now(utc(start)):
                    lead = self.env["crm.lead"].create(
                        {"name": "Quote", "team_id": self.team.id, "email_from": "kim@example.net"}
                    )
                deadline = utc(expected)
                self.assertEqual(lead.sla_policy_id, self.office_policy)
                self.assertEqual(lead.sla_deadline, deadline)
                with self.mock_mail_gateway():
                    early, _error = lead._sla_check_batch(deadline - second)
                    on_time, _error = lead._sla_check_batch(deadline)
                    later, _error = lead._sla_check_batch(deadline + datetime.timedelta(hours=1))
                self.assertEqual(early["breached"], 0, "never flagged before the deadline")
                self.assertEqual(on_time["breached"], 1)
                self.assertEqual(later["breached"], 0, "flagged once")
                self.assertEqual(lead.sla_status, "breached")

    def test_at_risk_date_in_working_time(self):
        # 80 % of 60 working minutes: 30 on Friday, 18 on Monday.
        at_risk, deadline = self.office_policy._compute_due_dates(utc("2025-03-07T21:30:00"))
        self.assertEqual(at_risk, utc("2025-03-10T13:18:00"))
        self.assertEqual(deadline, utc("2025-03-10T13:30:00"))

    def test_deadline_without_calendar(self):
        policy = self.Policy.create({"name": "Five minutes", "target": "first_reply", "minutes": 5})
        at_risk, deadline = policy._compute_due_dates(utc("2025-03-08T15:00:00"))
        self.assertEqual(at_risk, utc("2025-03-08T15:04:00"))
        self.assertEqual(deadline, utc("2025-03-08T15:05:00"))

    def test_immediate_target_has_grace_minute(self):
        policy = self.Policy.create(
            {"name": "Immediately", "target": "booked_confirmation", "minutes": 0}
        )
        at_risk, deadline = policy._compute_due_dates(utc("2025-03-08T15:00:00"))
        self.assertEqual(deadline, utc("2025-03-08T15:01:00"))
        self.assertEqual(at_risk, utc("2025-03-08T15:00:48"))

    def test_calendar_without_hours_counts_elapsed_time(self):
        calendar = create_calendar(self.env, "America/New_York", [], 9, 17)
        policy = self.Policy.create(
            {"name": "No hours", "target": "first_reply", "minutes": 30, "calendar_id": calendar.id}
        )
        with self.assertLogs("odoo.addons.lead_proactive.models.proactive_sla_policy", "WARNING"):
            _at_risk, deadline = policy._compute_due_dates(utc("2025-03-08T15:00:00"))
        self.assertEqual(deadline, utc("2025-03-08T15:30:00"))

    def test_flexible_calendar_rejected(self):
        calendar = create_calendar(self.env, "America/New_York", range(5), 9, 17)
        calendar.flexible_hours = True
        with self.assertRaises(ValidationError):
            self.Policy.create(
                {"name": "Flexible", "target": "first_reply", "minutes": 5, "calendar_id": calendar.id}
            )

    @mute_logger("odoo.sql_db")
    def test_negative_target_rejected(self):
        with self.assertRaises(Exception), self.env.cr.savepoint():
            self.Policy.create({"name": "Negative", "target": "first_reply", "minutes": -1})

    def test_shipped_policies(self):
        expected = {
            "lead_proactive.proactive_sla_policy_first_reply": ("first_reply", 5),
            "lead_proactive.proactive_sla_policy_qualified_followup": ("qualified_followup", 15),
            "lead_proactive.proactive_sla_policy_booked_confirmation": ("booked_confirmation", 0),
        }
        for xmlid, (target, minutes) in expected.items():
            policy = self.env.ref(xmlid)
            self.assertEqual(policy.target, target, xmlid)
            self.assertEqual(policy.minutes, minutes, xmlid)
            self.assertEqual(policy.at_risk_percent, 80, xmlid)


class SlaCase(ProactiveCase, CronMixinCase):
    """Own policies in elapsed time, replacing the shipped ones so that an
    administrator's edits to those do not change the tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "America/Chicago"
        cls.user_sales_manager.tz = "America/Chicago"
        cls.user_salesman.tz = "America/Chicago"
        cls.Policy = cls.env["proactive.sla.policy"]
        cls.Policy.search([]).action_archive()
        cls.policy_first_reply = cls.Policy.create(
            {"name": "First reply", "target": "first_reply", "minutes": 5, "sequence": 10}
        )
        cls.policy_qualified = cls.Policy.create(
            {"name": "Qualified", "target": "qualified_followup", "minutes": 15, "sequence": 20}
        )
        cls.policy_booked = cls.Policy.create(
            {"name": "Booked", "target": "booked_confirmation", "minutes": 0, "sequence": 30}
        )
        cls.sla_cron = cls.env.ref(SLA_CRON_XMLID)
        cls.breach_type = cls.env.ref("lead_proactive.mail_activity_type_sla_breach")
        cls.breach_subtype = cls.env.ref("lead_proactive.mt_lead_sla_breached")
        cls.t0 = datetime.datetime(2025, 6, 10, 15, 0, 0)
        # These tests time the SLAs of messages written by hand. The booking
        # confirmation (tested in test_lead_booking) would meet the Booked SLA
        # at once.
        cls.classPatch(type(cls.env["crm.lead"]), "_proactive_confirm_booking", lambda leads: None)

    def setUp(self):
        super().setUp()
        # The cron runs in its own cursor: signalling must see a ready registry.
        self.patch(self.env.registry, "ready", True)

    def at(self, minutes=0, seconds=0):
        return self.t0 + datetime.timedelta(minutes=minutes, seconds=seconds)

    def create_lead(self, when=None, **values):
        values = {
            "name": "Moving quote",
            "type": "lead",
            "team_id": self.team.id,
            "email_from": "pat.jones@example.net",
            **values,
        }
        with self.mock_datetime_and_now(when or self.t0):
            return self.env["crm.lead"].create(values)

    def run_sla_cron(self, when):
        """Run the SLA job as the scheduler does, at ``when``."""
        with contextlib.ExitStack() as stack:
            stack.enter_context(self.mock_datetime_and_now(when))
            stack.enter_context(self.mock_mail_gateway())
            stack.enter_context(self.enter_registry_test_mode())
            self.sla_cron.method_direct_trigger()
        self.env.invalidate_all()

    def breach_activities(self, lead):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "crm.lead"),
                ("res_id", "=", lead.id),
                ("activity_type_id", "=", self.breach_type.id),
            ]
        )

    def breach_messages(self, lead):
        return lead.message_ids.filtered(lambda message: message.subtype_id == self.breach_subtype)


@tagged("lead_proactive", "lead_proactive_sla", "post_install", "-at_install")
class TestLeadSla(SlaCase):
    # ------------------------------------------------------------
    # Policy choice
    # ------------------------------------------------------------
    def test_policy_most_specific_wins(self):
        source = self.env.ref("utm.utm_source_craigslist")
        medium = self.env.ref("utm.utm_medium_email")
        team_only = self.Policy.create(
            {"name": "Team", "target": "first_reply", "minutes": 10, "sequence": 1,
             "team_ids": [Command.set(self.team.ids)]}
        )
        team_source_medium = self.Policy.create(
            {"name": "Team, source and medium", "target": "first_reply", "minutes": 2,
             "sequence": 50, "team_ids": [Command.set(self.team.ids)],
             "source_ids": [Command.set(source.ids)], "medium_ids": [Command.set(medium.ids)]}
        )
        self.Policy.create(
            {"name": "Other team", "target": "first_reply", "minutes": 1, "sequence": 1,
             "team_ids": [Command.set(self.env["crm.team"].create({"name": "Other"}).ids)],
             "source_ids": [Command.set(source.ids)], "medium_ids": [Command.set(medium.ids)]}
        )
        exact = self.create_lead(source_id=source.id, medium_id=medium.id)
        team_lead = self.create_lead(medium_id=medium.id)
        no_team = self.create_lead(team_id=False)
        self.assertEqual(exact.sla_policy_id, team_source_medium)
        self.assertEqual(exact.sla_deadline, self.at(2))
        self.assertEqual(team_lead.sla_policy_id, team_only)
        self.assertEqual(no_team.sla_policy_id, self.policy_first_reply)

    def test_policy_tie_goes_to_sequence(self):
        later = self.Policy.create(
            {"name": "Later", "target": "first_reply", "minutes": 9, "sequence": 5,
             "team_ids": [Command.set(self.team.ids)]}
        )
        earlier = self.Policy.create(
            {"name": "Earlier", "target": "first_reply", "minutes": 7, "sequence": 4,
             "team_ids": [Command.set(self.team.ids)]}
        )
        lead = self.create_lead()
        self.assertEqual(lead.sla_policy_id, earlier)
        self.assertNotEqual(lead.sla_policy_id, later)

    def test_no_policy_leaves_lead_without_sla(self):
        self.policy_first_reply.action_archive()
        lead = self.create_lead()
        self.assertFalse(lead.sla_policy_id)
        self.assertFalse(lead.sla_status)
        self.assertFalse(lead.sla_deadline)

    def test_other_company_policy_ignored(self):
        other_company = self.env["res.company"].create({"name": "Other Movers"})
        self.Policy.create(
            {"name": "Other company", "target": "first_reply", "minutes": 1,
             "company_id": other_company.id}
        )
        lead = self.create_lead()
        self.assertEqual(lead.sla_policy_id, self.policy_first_reply)

    # ------------------------------------------------------------
    # First reply
    # ------------------------------------------------------------
    def test_first_reply_met_by_instant_reply(self):
        with (
            self.mock_datetime_and_now(self.t0),
            self.mock_mail_gateway(),
            self.capture_triggers(SLA_CRON_XMLID) as capture,
        ):
            self.process_plain(
                "Marco Bellini <marco.bellini@example.org>",
                "Hello, how much do you charge for a 2 bedroom apartment move?",
                subject="Moving quote",
            )
        self.assertFalse(capture.records, "no wake-up for a clock met at once")
        lead = self.find_lead("marco.bellini@example.org")
        self.assertEqual(len(lead), 1)
        self.assertEqual(len(self.outgoing_mails_to("marco.bellini@example.org")), 1)
        self.assertEqual(lead.sla_policy_id, self.policy_first_reply)
        self.assertEqual(lead.sla_target, "first_reply")
        self.assertEqual(lead.sla_start_date, self.t0)
        self.assertEqual(lead.sla_deadline, self.at(5))
        self.assertEqual(lead.sla_status, "met")
        self.assertEqual(lead.sla_met_date, lead.proactive_first_response_date)
        self.assertFalse(lead.sla_breached)

    def test_new_lead_starts_clock_and_triggers(self):
        with self.capture_triggers(SLA_CRON_XMLID) as capture:
            lead = self.create_lead()
        self.assertEqual(lead.sla_target, "first_reply")
        self.assertEqual(lead.sla_status, "on_track")
        self.assertEqual(lead.sla_start_date, self.t0)
        self.assertEqual(lead.sla_at_risk_date, self.at(4))
        self.assertEqual(lead.sla_deadline, self.at(5))
        self.assertEqual(sorted(capture.records.mapped("call_at")), [self.at(4), self.at(5)])

    def test_manual_channel_has_no_sla(self):
        lead = self.create_lead(proactive_channel="manual")
        self.assertFalse(lead.sla_status)
        self.assertFalse(lead.sla_deadline)

    def test_assisted_reply_logged_meets_first_reply(self):
        lead = self.create_lead(proactive_channel="marketplace_chat")
        with self.mock_datetime_and_now(self.at(2)):
            lead._proactive_record_first_response(self.at(2))
        self.assertEqual(lead.sla_status, "met")
        self.assertEqual(lead.sla_met_date, self.at(2))

    def test_salesperson_message_meets_first_reply(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        with self.mock_datetime_and_now(self.at(3)), self.mock_mail_gateway():
            lead.with_user(self.user_salesman).message_post(
                body="Hi Pat, we can do Saturday.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(lead.sla_status, "met")
        self.assertEqual(lead.sla_met_date, self.at(3))
        self.assertEqual(
            lead.proactive_first_response_date,
            self.at(3),
            "a salesperson's own reply is the lead's first response",
        )

    def test_internal_note_does_not_meet_sla(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        with self.mock_datetime_and_now(self.at(1)):
            lead.with_user(self.user_salesman).message_post(
                body="Called, no answer.", message_type="comment", subtype_xmlid="mail.mt_note"
            )
        self.assertEqual(lead.sla_status, "on_track")

    def test_inbound_message_does_not_meet_sla(self):
        # Paused: the automation sends no reply, so only the inbound
        # message itself could change the SLA.
        lead = self.create_lead(
            user_id=self.user_salesman.id, proactive_paused=True, proactive_pause_reason="test"
        )
        self.assertEqual(lead.sla_status, "on_track")
        with self.mock_datetime_and_now(self.at(1)):
            lead.message_post(
                body="Are you there?",
                message_type="email",
                subtype_xmlid="mail.mt_comment",
                author_id=self.env["res.partner"].create({"name": "Pat Jones"}).id,
            )
        self.assertEqual(lead.sla_status, "on_track")
        self.assertFalse(lead.proactive_first_response_date)

    # ------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------
    def test_cron_marks_at_risk_then_breached_once(self):
        lead = self.create_lead()
        other = self.create_lead(when=self.at(1), email_from="sam.lee@example.net")

        self.run_sla_cron(self.at(3, 59))
        self.assertEqual(lead.sla_status, "on_track", "not at risk before 80 % of the target")

        self.run_sla_cron(self.at(4))
        self.assertEqual(lead.sla_status, "at_risk")
        self.assertEqual(other.sla_status, "on_track")
        self.assertFalse(self.breach_activities(lead))

        self.run_sla_cron(self.at(4, 59))
        self.assertEqual(lead.sla_status, "at_risk", "never breached before the deadline")
        self.assertFalse(lead.sla_breached)

        self.run_sla_cron(self.at(5))
        self.assertEqual(lead.sla_status, "breached")
        self.assertTrue(lead.sla_breached)
        self.assertEqual(other.sla_status, "at_risk")
        self.assertEqual(len(self.breach_activities(lead)), 1)
        self.assertEqual(len(self.breach_messages(lead)), 1)

        self.run_sla_cron(self.at(6))
        self.run_sla_cron(self.at(30))
        self.assertEqual(lead.sla_status, "breached")
        self.assertEqual(len(self.breach_activities(lead)), 1, "escalated once")
        self.assertEqual(len(self.breach_messages(lead)), 1, "notified once")
        self.assertEqual(other.sla_status, "breached")
        self.assertEqual(len(self.breach_activities(other)), 1)

    def test_cron_late_run_goes_straight_to_breached(self):
        lead = self.create_lead()
        self.run_sla_cron(self.at(20))
        self.assertEqual(lead.sla_status, "breached")
        self.assertEqual(len(self.breach_activities(lead)), 1)

    def test_breach_escalates_to_team_leader(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        self.run_sla_cron(self.at(5))
        activity = self.breach_activities(lead)
        self.assertEqual(activity.user_id, self.user_sales_manager)
        self.assertEqual(activity.date_deadline, datetime.date(2025, 6, 10))
        self.assertIn("First Reply", activity.summary)
        message = self.breach_messages(lead)
        self.assertEqual(message.partner_ids, self.user_sales_manager.partner_id)
        self.assertTrue(message.subtype_id.internal)
        self.assertIn(self.user_sales_manager.name, str(message.body))
        notified = message.notification_ids.mapped("res_partner_id")
        self.assertIn(self.user_sales_manager.partner_id, notified)

    def test_breach_escalation_fallbacks(self):
        self.team.user_id = False
        with_salesperson = self.create_lead(user_id=self.user_salesman.id)
        nobody = self.create_lead(user_id=False, email_from="kim.ng@example.net")
        self.run_sla_cron(self.at(5))
        self.assertEqual(self.breach_activities(with_salesperson).user_id, self.user_salesman)
        self.assertEqual(self.breach_activities(nobody).user_id, self.env.ref("base.user_admin"))

    def test_late_reply_after_breach_keeps_history(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        self.run_sla_cron(self.at(5))
        self.assertEqual(lead.sla_status, "breached")
        with self.mock_datetime_and_now(self.at(9)), self.mock_mail_gateway():
            lead.with_user(self.user_salesman).message_post(
                body="Sorry for the wait!", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(lead.sla_status, "met")
        self.assertEqual(lead.sla_met_date, self.at(9))
        self.assertTrue(lead.sla_breached)

    def test_met_lead_never_flagged(self):
        lead = self.create_lead()
        with self.mock_datetime_and_now(self.at(1)):
            lead._proactive_record_first_response(self.at(1))
        self.run_sla_cron(self.at(10))
        self.assertEqual(lead.sla_status, "met")
        self.assertFalse(self.breach_activities(lead))

    def test_lost_lead_stops_sla(self):
        lead = self.create_lead()
        with self.mock_datetime_and_now(self.at(2)):
            lead.action_set_lost()
        self.assertFalse(lead.sla_status)
        self.assertFalse(lead.sla_deadline)
        self.run_sla_cron(self.at(10))
        self.assertFalse(lead.sla_status)
        self.assertFalse(self.breach_activities(lead))

    def test_cron_checks_only_due_leads(self):
        due = self.create_lead()
        not_due = self.create_lead(when=self.at(10), email_from="kim.ng@example.net")
        domain = self.env["crm.lead"]._get_sla_due_domain(self.at(4))
        found = self.env["crm.lead"].search(domain)
        self.assertIn(due, found)
        self.assertNotIn(not_due, found)

    # ------------------------------------------------------------
    # Qualified follow-up and booked confirmation
    # ------------------------------------------------------------
    def test_qualified_followup_started_and_met(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        with self.mock_datetime_and_now(self.at(1)):
            lead._proactive_record_first_response(self.at(1))
        with self.mock_datetime_and_now(self.at(3)), self.capture_triggers(SLA_CRON_XMLID) as capture:
            lead.stage_id = self.stage_qualified
        self.assertEqual(lead.sla_target, "qualified_followup")
        self.assertEqual(lead.sla_policy_id, self.policy_qualified)
        self.assertEqual(lead.sla_status, "on_track")
        self.assertEqual(lead.sla_start_date, self.at(3))
        self.assertEqual(lead.sla_deadline, self.at(18))
        self.assertEqual(sorted(capture.records.mapped("call_at")), [self.at(15), self.at(18)])

        with self.mock_datetime_and_now(self.at(10)), self.mock_mail_gateway():
            lead.with_user(self.user_salesman).message_post(
                body="We have a crew for Saturday.", message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(lead.sla_status, "met")
        self.assertEqual(lead.sla_met_date, self.at(10))

    def test_qualified_followup_ignores_automated_message(self):
        # Qualified follow-up measures a person's contact: the automation's
        # script, although authored by the salesperson, leaves it running.
        lead = self.create_lead(user_id=self.user_salesman.id)
        with self.mock_datetime_and_now(self.at(1)):
            lead._proactive_record_first_response(self.at(1))
        with self.mock_datetime_and_now(self.at(2)):
            lead.stage_id = self.stage_qualified
        self.assertEqual(lead.sla_target, "qualified_followup")
        template = self.env.ref("lead_proactive.mail_template_instant_reply")
        with self.mock_datetime_and_now(self.at(4)), self.mock_mail_gateway():
            lead._proactive_post_script(template)
        self.assertEqual(lead.sla_status, "on_track")
        self.assertFalse(lead.sla_met_date)

    def test_qualifying_email_starts_followup_sla(self):
        with (
            self.mock_datetime_and_now(self.t0),
            self.mock_mail_gateway(),
            self.capture_triggers(SLA_CRON_XMLID) as capture,
        ):
            self.process_plain(
                "Dana Whitfield <dana.whitfield@example.net>",
                "Hi! I need two movers in 78704 today after 5.\n\nThanks,\nDana",
                subject="Movers today",
            )
        lead = self.find_lead("dana.whitfield@example.net")
        self.assertEqual(
            sorted(capture.records.mapped("call_at")),
            [lead.sla_at_risk_date, lead.sla_deadline],
            "the cron wakes for the open clock only",
        )
        self.assertEqual(lead.stage_id, self.stage_qualified)
        self.assertTrue(lead.proactive_first_response_date)
        self.assertEqual(lead.sla_target, "qualified_followup")
        self.assertEqual(lead.sla_status, "on_track", "the instant reply went out before qualification")
        self.assertEqual(lead.sla_deadline, self.at(15))

        self.run_sla_cron(self.at(15))
        self.assertEqual(lead.sla_status, "breached")
        self.assertEqual(len(self.breach_activities(lead)), 1)

    def test_moving_back_does_not_restart_sla(self):
        lead = self.create_lead()
        with self.mock_datetime_and_now(self.at(1)):
            lead.stage_id = self.stage_booked
        self.assertEqual(lead.sla_target, "booked_confirmation")
        with self.mock_datetime_and_now(self.at(2)):
            lead.stage_id = self.stage_qualified
        self.assertEqual(lead.sla_target, "booked_confirmation")
        self.assertEqual(lead.sla_start_date, self.at(1))

    def test_booked_confirmation_due_immediately(self):
        lead = self.create_lead(user_id=self.user_salesman.id)
        with self.mock_datetime_and_now(self.at(2)):
            lead.stage_id = self.stage_booked
        self.assertEqual(lead.sla_target, "booked_confirmation")
        self.assertEqual(lead.sla_deadline, self.at(3), "0 minutes is due after a grace minute")

        self.run_sla_cron(self.at(2, 59))
        self.assertEqual(lead.sla_status, "at_risk")
        with self.mock_datetime_and_now(self.at(2, 59)), self.mock_mail_gateway():
            lead.with_user(self.user_salesman).message_post(
                body="Confirmed: Saturday 9am.", message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(lead.sla_status, "met")
        self.run_sla_cron(self.at(3))
        self.assertEqual(lead.sla_status, "met")
        self.assertFalse(self.breach_activities(lead))

    # ------------------------------------------------------------
    # Local dates
    # ------------------------------------------------------------
    def test_escalation_due_on_local_day(self):
        # Friday 16:30 in Los Angeles is already Saturday in UTC.
        self.env.company.partner_id.tz = "America/Los_Angeles"
        self.user_sales_manager.tz = "America/Los_Angeles"
        arrival = datetime.datetime(2025, 3, 8, 0, 30)
        lead = self.create_lead(when=arrival)
        self.run_sla_cron(arrival + datetime.timedelta(minutes=5))
        activity = self.breach_activities(lead)
        self.assertEqual(activity.date_deadline, datetime.date(2025, 3, 7))
        with self.mock_datetime_and_now(datetime.datetime(2025, 3, 8, 0, 45)):
            activity.invalidate_recordset(["state"])
            self.assertEqual(activity.state, "today")
        with self.mock_datetime_and_now(datetime.datetime(2025, 3, 8, 8, 5)):
            activity.invalidate_recordset(["state"])
            self.assertEqual(activity.state, "overdue")

    def test_escalation_uses_company_tz_without_user_tz(self):
        self.env.company.partner_id.tz = "America/Los_Angeles"
        self.user_sales_manager.tz = False
        arrival = datetime.datetime(2025, 3, 8, 0, 30)
        lead = self.create_lead(when=arrival)
        self.run_sla_cron(arrival + datetime.timedelta(minutes=5))
        self.assertEqual(self.breach_activities(lead).date_deadline, datetime.date(2025, 3, 7))

    # ------------------------------------------------------------
    # Batches
    # ------------------------------------------------------------
    def create_leads(self, count, when=None):
        with self.mock_datetime_and_now(when or self.t0):
            return self.env["crm.lead"].create(
                [
                    {
                        "name": "Lead %s" % index,
                        "type": "lead",
                        "team_id": self.team.id,
                        "email_from": "lead%s@example.net" % index,
                    }
                    for index in range(count)
                ]
            )

    def count_batch_queries(self, leads, now):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        leads._sla_check_batch(now)
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_at_risk_batch_query_count(self):
        # A first batch fills the ORM caches, as earlier batches do in a run.
        self.count_batch_queries(self.create_leads(2), self.at(4))
        small = self.create_leads(5)
        large = self.create_leads(20)
        small_count = self.count_batch_queries(small, self.at(4))
        large_count = self.count_batch_queries(large, self.at(4))
        self.assertEqual(set(small.mapped("sla_status")), {"at_risk"})
        self.assertEqual(set(large.mapped("sla_status")), {"at_risk"})
        self.assertLessEqual(large_count, small_count, "the cost does not grow with the batch")
        more = self.create_leads(SLA_CRON_BATCH_SIZE, when=self.at(1))
        self.env.invalidate_all()
        with self.assertQueryCount(8):
            counts, error = more._sla_check_batch(self.at(5))
        self.assertEqual(counts["at_risk"], SLA_CRON_BATCH_SIZE)
        self.assertIsNone(error)

    def test_breach_batch_query_count(self):
        one = self.create_leads(1)
        three = self.create_leads(3)
        one_count = self.count_batch_queries(one, self.at(5))
        three_count = self.count_batch_queries(three, self.at(5))
        self.assertEqual(set((one | three).mapped("sla_status")), {"breached"})
        per_lead = (three_count - one_count) / 2
        self.assertLessEqual(per_lead, 30, "escalating one breach costs a bounded number of queries")

    @mute_logger("odoo.addons.lead_proactive.models.crm_lead_sla")
    def test_failing_lead_does_not_stop_batch(self):
        leads = self.create_leads(3)
        failing = leads[1]
        original = type(failing)._sla_escalate

        def escalate(lead):
            if lead == failing:
                raise ValueError("mail server rejected the note")
            return original(lead)

        with patch.object(type(failing), "_sla_escalate", escalate), self.mock_mail_gateway():
            counts, error = leads._sla_check_batch(self.at(5))
        self.assertEqual(counts, {"at_risk": 0, "breached": 2, "failed": 1})
        self.assertIsInstance(error, ValueError)
        self.assertEqual((leads - failing).mapped("sla_status"), ["breached", "breached"])
        self.assertEqual(failing.sla_status, "on_track", "rolled back, checked again next run")
        self.assertFalse(self.breach_activities(failing))

    @mute_logger("odoo.addons.lead_proactive.models.crm_lead_sla")
    def test_cron_raises_last_error(self):
        leads = self.create_leads(2)
        original = type(leads)._sla_escalate

        def escalate(lead):
            if lead == leads[0]:
                raise ValueError("mail server rejected the note")
            return original(lead)

        commit = patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=1.0)
        # Not assertRaises: Odoo's version rolls back what the call wrote.
        error = None
        with (
            commit,
            patch.object(type(leads), "_sla_escalate", escalate),
            self.mock_datetime_and_now(self.at(5)),
            self.mock_mail_gateway(),
        ):
            try:
                self.env["crm.lead"]._cron_check_sla()
            except ValueError as raised:
                error = raised
        self.assertIsInstance(error, ValueError, "the last error is raised to fail the job")
        self.assertEqual(leads[0].sla_status, "on_track")
        self.assertEqual(leads[1].sla_status, "breached", "the other lead was processed")
