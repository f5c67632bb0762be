# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Response-time SLAs on leads.

A lead carries one SLA at a time, chosen from the ``proactive.sla.policy``
records:

- First Reply starts when the lead arrives, except for leads entered by hand
  and imported leads. It is met when the first response is recorded (the
  instant reply is sent, or an assisted reply is logged) or when a salesperson
  writes to the lead. The automated instant reply counts as a response on
  purpose: it is a real reply to the lead, and the suite exists to send it
  within a minute.
- Qualified Follow-up starts when the lead reaches a Qualified stage. It
  measures how fast a person contacts a qualified lead, so only a person's
  contact meets it: a message to the lead (email or text, not an internal
  note) written by an internal user, or a call or chat-reply activity that an
  internal user marks done. Automated messages (instant reply, follow-ups,
  options scripts) do not meet it.
- Booked Confirmation starts when the lead reaches a Booked stage and is met
  by the next message sent to the lead, written by an internal user or sent by
  the automation, or by a call or chat-reply activity marked done. When the
  confirmation is left to a salesperson as an activity (see
  crm_lead_booking_handover.py), the policy's target by hand sets the
  deadline, and marking that activity done meets it too.

Each clock is kept as a ``proactive.sla.record``. Reaching a later milestone
starts that milestone's SLA in place of the current one: a replaced clock past
its deadline is recorded as breached, one still within its deadline as
cancelled (superseded), because moving the lead on is not an answer to it.
One exception: a lead qualified while its first reply is still due keeps
that clock, and its qualified follow-up clock starts when the first reply is
sent. Closing the lead (won, lost or archived) stops a running SLA in the
same way.
Editing a policy recomputes the running clocks it governs. The status changes
only in these code paths and in the SLA cron, which marks due leads at risk,
then breached, and escalates each breach once.
"""

import logging
import time
import zoneinfo

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_datetime
from odoo.tools.misc import split_every

from .crm_stage import MILESTONE_RANK
from .proactive_sla_policy import SLA_TARGETS
from .proactive_sla_record import SLA_RECORD_OPEN

_logger = logging.getLogger(__name__)

SLA_STATUSES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
]
# Statuses of an SLA whose clock still runs: a message to the lead can meet it.
SLA_RUNNING = ("on_track", "at_risk", "breached")
# Statuses the cron still has to move forward.
SLA_OPEN = ("on_track", "at_risk")
# The SLA target each milestone starts when a lead reaches it.
MILESTONE_TARGETS = {
    "qualified": "qualified_followup",
    "booked": "booked_confirmation",
}
# Message types Odoo generates on its own, which never count as a reply.
SYSTEM_MESSAGE_TYPES = ("notification", "user_notification", "auto_comment", "out_of_office")
# Targets that an automated message meets. The others need a person.
AUTOMATED_MEETS_TARGETS = ("first_reply", "booked_confirmation")
# Writing one of these fields can close or archive a lead.
CLOSING_FIELDS = {"active", "stage_id", "probability"}
SLA_CRON_XMLID = "lead_proactive.ir_cron_lead_proactive_check_sla"
SLA_CRON_BATCH_SIZE = 100


class CrmLead(models.Model):
    _inherit = "crm.lead"

    sla_policy_id = fields.Many2one(
        "proactive.sla.policy",
        string="SLA Policy",
        readonly=True,
        copy=False,
        ondelete="set null",
        index="btree_not_null",
    )
    sla_target = fields.Selection(SLA_TARGETS, string="SLA", readonly=True, copy=False)
    sla_start_date = fields.Datetime(
        string="SLA Clock Started",
        readonly=True,
        copy=False,
        help="When the lead arrived or reached the milestone the SLA is about.",
    )
    # The cron reads the two dates below through the partial indexes declared
    # under the fields: only leads whose SLA is still open are indexed, so the
    # index stays small while met and closed SLAs pile up.
    sla_deadline = fields.Datetime(
        string="SLA Deadline",
        readonly=True,
        copy=False,
        help="The SLA is breached if the lead has received no reply by then.",
    )
    sla_at_risk_date = fields.Datetime(
        string="SLA At Risk On",
        readonly=True,
        copy=False,
        help="From then on the waiting lead is shown as at risk.",
    )
    sla_status = fields.Selection(
        SLA_STATUSES,
        string="SLA Status",
        readonly=True,
        copy=False,
        help="On Track: the lead is waiting and time remains. At Risk: most of "
        "the time allowed is used up. Breached: the deadline passed without an "
        "answer; the team leader was alerted. Met: the lead was answered in "
        "time, or late after a breach. Empty: no SLA runs on the lead.",
    )
    sla_met_date = fields.Datetime(string="SLA Met On", readonly=True, copy=False)
    sla_breached = fields.Boolean(
        string="SLA Missed",
        readonly=True,
        copy=False,
        help="An SLA of this lead was breached at least once. Stays set after a "
        "late answer or a later SLA.",
    )
    sla_record_id = fields.Many2one(
        "proactive.sla.record",
        string="Current SLA Record",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    sla_record_ids = fields.One2many(
        "proactive.sla.record", "lead_id", string="SLA History", readonly=True, copy=False
    )
    sla_record_count = fields.Integer(string="SLAs", compute="_compute_sla_record_count")

    _sla_deadline_open_idx = models.Index(
        "(sla_deadline) WHERE sla_status IN ('on_track', 'at_risk')"
    )
    _sla_at_risk_date_open_idx = models.Index(
        "(sla_at_risk_date) WHERE sla_status = 'on_track'"
    )

    def _compute_sla_record_count(self):
        counts = dict(
            self.env["proactive.sla.record"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.sla_record_count = counts.get(lead, 0)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        # Imported leads are history: starting their clock would breach them
        # all at once.
        if not self.env.context.get("import_file"):
            leads._sla_start_on_create()
        return leads

    def write(self, vals):
        previous_ranks = {}
        if "stage_id" in vals:
            previous_ranks = {
                lead.id: MILESTONE_RANK.get(lead.stage_id.proactive_milestone or "new", 0)
                for lead in self
            }
        result = super().write(vals)
        if previous_ranks:
            self._sla_start_on_milestone(previous_ranks)
        if CLOSING_FIELDS & vals.keys():
            self._sla_stop_closed()
        return result

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_sla_view_records(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lead_proactive.proactive_sla_record_action"
        )
        action["domain"] = [("lead_id", "in", self.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------
    # Clock
    # ------------------------------------------------------------
    def _sla_start_on_create(self):
        now = self.env.cr.now()
        starts = {target: {} for target, _label in SLA_TARGETS}
        for lead in self:
            if not lead.active or lead.won_status != "pending":
                continue
            target = MILESTONE_TARGETS.get(lead.stage_id.proactive_milestone or "")
            if target:
                starts[target][lead.id] = now
            # A lead typed in by hand comes from a conversation already held.
            elif not lead.proactive_first_response_date and lead.proactive_channel != "manual":
                starts["first_reply"][lead.id] = lead.proactive_arrival_date or now
        for target, start_dates in starts.items():
            if start_dates:
                self.browse(start_dates)._sla_start(target, start_dates)

    def _sla_start_on_milestone(self, previous_ranks):
        """Start the SLA of the milestone each lead has just moved up to."""
        now = self.env.cr.now()
        for milestone, target in MILESTONE_TARGETS.items():
            rank = MILESTONE_RANK[milestone]
            leads = self.filtered(
                lambda lead: lead.stage_id.proactive_milestone == milestone
                and previous_ranks.get(lead.id, 0) < rank
                and lead.active
                and lead.won_status == "pending"
            )
            if milestone == "qualified":
                # A lead qualified by its first message still waits for its
                # first reply: that clock keeps running, and the follow-up
                # clock starts once the reply is made (see _sla_mark_met).
                leads = leads.filtered(
                    lambda lead: not (
                        lead.sla_target == "first_reply" and lead.sla_status in SLA_RUNNING
                    )
                )
            if leads:
                leads._sla_start(target, dict.fromkeys(leads.ids, now))

    def _sla_start(self, target, start_dates):
        """Start the ``target`` SLA on the leads at ``start_dates[lead.id]``.

        A lead no policy applies to keeps its current SLA. A running SLA that
        the new one replaces is ended first (see ``_sla_end_running``). The
        SLA cron is triggered at each new at-risk date and deadline, so a lead
        is checked the moment it becomes due and not at the next periodic run.
        """
        policies = self.env["proactive.sla.policy"].sudo()._select_for_leads(self, target)
        started = self.filtered(lambda lead: lead in policies)
        if not started:
            return
        started._sla_end_running(self.env.cr.now(), "superseded")

        lead_values = {}
        for lead in started:
            policy = policies[lead]
            start = start_dates[lead.id]
            at_risk_date, deadline = lead._sla_compute_due_dates(policy, start)
            lead_values[lead] = {
                "sla_policy_id": policy.id,
                "sla_target": target,
                "sla_start_date": start,
                "sla_at_risk_date": at_risk_date,
                "sla_deadline": deadline,
                "sla_status": "on_track",
                "sla_met_date": False,
            }
        records = (
            self.env["proactive.sla.record"]
            .sudo()
            .create([lead._sla_prepare_record_values(values) for lead, values in lead_values.items()])
        )
        wake_times = set()
        for (lead, values), record in zip(lead_values.items(), records):
            lead.sudo().write({**values, "sla_record_id": record.id})
            wake_times.update((values["sla_at_risk_date"], values["sla_deadline"]))
        self._sla_schedule_check(wake_times)

    def _sla_compute_due_dates(self, policy, start):
        """Return ``(at_risk_date, deadline)`` of the lead's clock of
        ``policy`` started at ``start``. Override point for a lead whose
        time allowed is not the policy's target."""
        self.ensure_one()
        return policy._compute_due_dates(start)

    def _sla_prepare_record_values(self, lead_values):
        """Return the values of the SLA record of a clock the lead starts
        with ``lead_values`` (its ``sla_*`` fields)."""
        self.ensure_one()
        return {
            "lead_id": self.id,
            "policy_id": lead_values["sla_policy_id"],
            "target": lead_values["sla_target"],
            "start_date": lead_values["sla_start_date"],
            "at_risk_date": lead_values["sla_at_risk_date"],
            "deadline": lead_values["sla_deadline"],
            "status": "on_track",
        }

    def _sla_end_running(self, now, reason):
        """Record the end of the leads' running clocks that no response stopped.

        A clock still on track or at risk whose deadline has passed at
        ``now`` is recorded as breached, and the lead keeps the miss in
        ``sla_breached``, even if the cron has not flagged it yet. No
        escalation is sent for it: the lead has moved on and its new clock
        is the one to act on. A clock within its deadline is recorded as
        cancelled with ``reason``. A breached clock is already recorded.
        Only the records change here: the caller sets the lead's fields.
        """
        running = self.filtered(lambda lead: lead.sla_status in SLA_OPEN)
        missed = running.filtered(lambda lead: lead.sla_deadline and lead.sla_deadline <= now)
        if missed:
            missed.sudo().write({"sla_breached": True})
            for lead in missed:
                lead.sla_record_id.sudo().filtered(
                    lambda record: record.status in SLA_RECORD_OPEN
                ).write({"status": "breached", "breached_date": lead.sla_deadline})
        cancelled = (running - missed).sla_record_id.filtered(
            lambda record: record.status in SLA_RECORD_OPEN
        )
        if cancelled:
            cancelled.sudo().write(
                {"status": "cancelled", "cancel_reason": reason, "end_date": now}
            )

    def _sla_schedule_check(self, moments):
        """Wake the SLA cron at ``moments``, the due dates of the leads'
        clocks.

        While an inbound message is processed, the wake-up waits for the end
        (see ``_proactive_defer_until_processed``): the instant reply meets
        the first-reply clock that the new lead started moments before, and
        its due dates would wake the cron for nothing.
        """
        deferred = self._proactive_deferred_work()
        if deferred is not None and self:
            self._proactive_defer_for(deferred)
            deferred.setdefault("sla_lead_ids", set()).update(self.ids)
            return
        cron = self._proactive_ref(SLA_CRON_XMLID, raise_if_not_found=False)
        moments = [moment for moment in moments if moment]
        if cron and moments:
            cron.sudo()._trigger(sorted(set(moments)))

    def _proactive_process_deferred(self, deferred):
        """Wake the SLA cron at the due dates of the clocks still open on the
        leads whose clocks started or moved during the processing."""
        super()._proactive_process_deferred(deferred)
        lead_ids = deferred.get("sla_lead_ids", ())
        moments = []
        for lead in self.filtered(lambda lead: lead.id in lead_ids):
            if lead.sla_status == "on_track":
                moments.append(lead.sla_at_risk_date)
            if lead.sla_status in SLA_OPEN:
                moments.append(lead.sla_deadline)
        self._sla_schedule_check(moments)

    def _sla_mark_met(self, when, targets=None):
        """Stop the running SLA of the leads as met at ``when``.

        ``targets`` limits this to SLAs of those targets. A breached SLA met
        late shows as met on the lead, ``sla_breached`` keeps the breach, and
        its record stays breached with the response's date.
        """
        leads = self.filtered(
            lambda lead: lead.sla_status in SLA_RUNNING
            and (targets is None or lead.sla_target in targets)
            # Message dates are whole seconds: compare at that precision.
            and (not lead.sla_start_date or when >= lead.sla_start_date.replace(microsecond=0))
        )
        if not leads:
            return
        records = leads.sla_record_id.sudo()
        records.filtered(lambda record: record.status in SLA_RECORD_OPEN).write(
            {"status": "met", "met_date": when}
        )
        records.filtered(lambda record: record.status == "breached" and not record.met_date).write(
            {"met_date": when}
        )
        first_replies = leads.filtered(lambda lead: lead.sla_target == "first_reply")
        leads.sudo().write({"sla_status": "met", "sla_met_date": when})
        if targets is not None:
            # An automated or recorded first reply to a lead already
            # qualified starts the follow-up clock that waited for it. A
            # person's message (no ``targets``) is that follow-up itself.
            waiting = first_replies.filtered(
                lambda lead: lead.stage_id.proactive_milestone == "qualified"
                and lead.active
                and lead.won_status == "pending"
            )
            if waiting:
                waiting._sla_start("qualified_followup", dict.fromkeys(waiting.ids, when))

    def _sla_stop_closed(self):
        """Stop the SLA of leads that were just won, lost or archived,
        because no reply is due on them any more."""
        closed = self.filtered(
            lambda lead: lead.sla_status in SLA_RUNNING
            and (not lead.active or lead.won_status != "pending")
        )
        if closed:
            closed._sla_end_running(self.env.cr.now(), "closed")
            closed.sudo().write(
                {"sla_status": False, "sla_deadline": False, "sla_at_risk_date": False}
            )

    def _sla_reapply_policies(self):
        """Recompute the running clocks of the leads after a policy change.

        Each lead on track or at risk gets the policy that applies to it now
        and the due dates that policy gives from the clock's start. Its status
        becomes on track or at risk for the new dates. A lead already past its
        new deadline stays at risk for the SLA cron, which is triggered at the
        earliest new due date and breaches and escalates it. A lead no policy
        applies to any more has its clock cancelled. Met and breached clocks
        keep the terms they were judged by.
        """
        now = self.env.cr.now()
        running = self.filtered(lambda lead: lead.sla_status in SLA_OPEN and lead.sla_target)
        Policy = self.env["proactive.sla.policy"].sudo()
        wake_times = []
        dropped = self.browse()
        for target in set(running.mapped("sla_target")):
            leads = running.filtered(lambda lead, target=target: lead.sla_target == target)
            policies = Policy._select_for_leads(leads, target)
            for lead in leads:
                policy = policies.get(lead)
                if not policy:
                    dropped |= lead
                    continue
                at_risk_date, deadline = lead._sla_compute_due_dates(policy, lead.sla_start_date)
                status = "at_risk" if at_risk_date <= now else "on_track"
                changed = (
                    lead.sla_policy_id != policy
                    or lead.sla_at_risk_date != at_risk_date
                    or lead.sla_deadline != deadline
                    or lead.sla_status != status
                )
                if changed:
                    lead.sudo().write(
                        {
                            "sla_policy_id": policy.id,
                            "sla_at_risk_date": at_risk_date,
                            "sla_deadline": deadline,
                            "sla_status": status,
                        }
                    )
                    lead.sla_record_id.sudo().write(
                        {
                            "policy_id": policy.id,
                            "at_risk_date": at_risk_date,
                            "deadline": deadline,
                            "status": status,
                        }
                    )
                wake_times.append(deadline if status == "at_risk" else at_risk_date)
        if dropped:
            dropped._sla_end_running(now, "no_policy")
            dropped.sudo().write(
                {"sla_status": False, "sla_deadline": False, "sla_at_risk_date": False}
            )
        if wake_times:
            self._sla_schedule_check([min(wake_times)])
        _logger.info(
            "SLA policies changed: %s running SLAs recomputed, %s cancelled",
            len(running) - len(dropped),
            len(dropped),
        )

    def _proactive_record_first_response(self, when):
        super()._proactive_record_first_response(when)
        for lead in self.filtered("proactive_first_response_date"):
            lead._sla_mark_met(lead.proactive_first_response_date, targets=("first_reply",))

    # ------------------------------------------------------------
    # Mail hooks
    # ------------------------------------------------------------
    def _message_post_after_hook(self, message, msg_values):
        result = super()._message_post_after_hook(message, msg_values)
        if self.sla_status in SLA_RUNNING:
            sender = self._sla_outbound_sender(message)
            if sender == "person":
                self._sla_mark_met(message.date)
            elif sender == "automation":
                self._sla_mark_met(message.date, targets=AUTOMATED_MEETS_TARGETS)
        return result

    def _sla_outbound_sender(self, message):
        """Return who sent ``message`` to the lead: "automation", "person"
        (an internal user), or "" when it is no message to the lead (an
        internal note, a system notification or an inbound message)."""
        if message.message_type in SYSTEM_MESSAGE_TYPES:
            return ""
        is_note = message.is_internal or not message.subtype_id or message.subtype_id.internal
        # Odoo's sms module logs a sent text message under the internal note
        # subtype, although it reaches the lead.
        if is_note and message.message_type != "sms":
            return ""
        # The automation's scripts carry the salesperson as author, so the
        # context flag is checked before the author.
        if self.env.context.get("proactive_automated"):
            return "automation"
        if any(not user.share for user in message.author_id.sudo().user_ids):
            return "person"
        return ""

    @api.model
    def _sla_contact_activity_types(self):
        """Return the activity types whose completion by a user counts as
        contacting the lead: call activities (Odoo's phone call category,
        such as the high-intent handoff call and the call back) and the
        assisted chat reply."""
        activity_types = self.env["mail.activity.type"].sudo().search(
            [("category", "=", "phonecall")]
        )
        assisted = self.env.ref(
            "lead_proactive.mail_activity_type_assisted_reply", raise_if_not_found=False
        )
        return activity_types | (assisted or activity_types.browse())

    # ------------------------------------------------------------
    # Breach and escalation
    # ------------------------------------------------------------
    def _sla_breach(self):
        self.ensure_one()
        self.sla_record_id.sudo().filtered(lambda record: record.status in SLA_RECORD_OPEN).write(
            {"status": "breached", "breached_date": self.sla_deadline}
        )
        self.sudo().write({"sla_status": "breached", "sla_breached": True})
        self._sla_escalate()

    def _sla_escalation_user(self):
        """Return the user responsible for a breach: the team leader, else
        the salesperson, else the administrator."""
        self.ensure_one()
        for user in (self.team_id.user_id, self.user_id):
            if user and user.active and not user.share:
                return user
        return self.env.ref("base.user_admin")

    def _sla_user_tz(self, user):
        """Return the time zone name ``user`` reads dates in: theirs, else
        the lead owner's, else the lead's company's, else UTC."""
        self.ensure_one()
        for tz_name in (
            user.tz,
            self.user_id.tz,
            self.company_id.partner_id.tz,
            self.env.company.partner_id.tz,
        ):
            if not tz_name:
                continue
            try:
                zoneinfo.ZoneInfo(tz_name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
            return tz_name
        return "UTC"

    def _sla_user_lang(self, user):
        """Return the language code ``user`` reads in: theirs, else the lead
        owner's, else the company's, else the current one."""
        self.ensure_one()
        return (
            user.lang
            or self.user_id.lang
            or self.company_id.partner_id.lang
            or self.env.lang
            or "en_US"
        )

    def _sla_format_datetime(self, value, user):
        """Format the naive UTC datetime ``value`` for ``user``: in their
        time zone (see ``_sla_user_tz``), in their language's date and time
        format as the web client shows it, followed by the zone's name,
        for example "06/10/2025 10:05:00 AM (America/Chicago)"."""
        self.ensure_one()
        tz_name = self._sla_user_tz(user)
        text = format_datetime(
            self.env, value, tz=tz_name, dt_format="medium", lang_code=self._sla_user_lang(user)
        )
        return "%s (%s)" % (text, tz_name)

    def _sla_local_today(self, user):
        """Return today's date in ``user``'s time zone.

        Activity deadlines are dates. Taking the UTC date would make an
        evening alert in America due "tomorrow", or overdue at once.
        """
        tz = zoneinfo.ZoneInfo(self._sla_user_tz(user))
        now = self.env.cr.now().replace(tzinfo=zoneinfo.ZoneInfo("UTC"))
        return now.astimezone(tz).date()

    def _sla_escalate(self):
        """Give the breach to a person: an activity due today and a note on
        the lead that notifies them."""
        self.ensure_one()
        user = self._sla_escalation_user()
        # The texts are for the user the breach goes to: their language. The
        # notification emails go through the mail queue, which the cron wakes
        # once per run, rather than one SMTP session per breach inside it.
        lead = self.sudo().with_context(
            lang=self._sla_user_lang(user), mail_notify_force_send=False
        )
        targets = dict(self._fields["sla_target"]._description_selection(lead.env))
        target = targets.get(self.sla_target, "")
        deadline = self._sla_format_datetime(self.sla_deadline, user)
        lead.activity_schedule(
            "lead_proactive.mail_activity_type_sla_breach",
            date_deadline=self._sla_local_today(user),
            summary=lead.env._("SLA breached: %(target)s", target=target),
            note=Markup("<p>%s</p>")
            % lead.env._(
                "The lead was not answered by %(deadline)s. Answer it now, or hand "
                "it to someone who can.",
                deadline=deadline,
            ),
            user_id=user.id,
        )
        lead.message_post(
            body=Markup("<p>%s</p>")
            % lead.env._(
                "%(target)s SLA breached: the lead was not answered by %(deadline)s "
                "(policy %(policy)s). %(user)s, please take it over.",
                target=target,
                deadline=deadline,
                policy=self.sla_policy_id.display_name or "",
                user=user.name,
            ),
            message_type="comment",
            subtype_xmlid="lead_proactive.mt_lead_sla_breached",
            partner_ids=user.partner_id.ids,
        )

    # ------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------
    @api.model
    def _get_sla_due_domain(self, now):
        at_risk_due = Domain("sla_status", "=", "on_track") & Domain("sla_at_risk_date", "<=", now)
        deadline_due = Domain("sla_status", "in", SLA_OPEN) & Domain("sla_deadline", "<=", now)
        return at_risk_due | deadline_due

    @api.model
    def _cron_check_sla(self, batch_size=SLA_CRON_BATCH_SIZE):
        """Mark the leads whose at-risk date or deadline has passed, and
        escalate the breaches.

        Only due leads are read, through the partial indexes on the two
        dates. Each batch is locked (leads another worker holds are left for
        the next run) and committed with its progress. A lead whose check
        fails is logged and skipped; the last error is raised at the end so
        the job shows as failed.
        """
        started = time.monotonic()
        now = self.env.cr.now()
        lead_ids = self.search(self._get_sla_due_domain(now), order="sla_deadline, id").ids
        _logger.info("SLA check: %s leads due", len(lead_ids))
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=len(lead_ids))
        totals = {"at_risk": 0, "breached": 0, "failed": 0}
        last_error = None
        for batch_ids in split_every(batch_size, lead_ids):
            batch = self.browse(batch_ids).try_lock_for_update(allow_referencing=True)
            counts, error = batch._sla_check_batch(now)
            for key, count in counts.items():
                totals[key] += count
            last_error = error or last_error
            if not Cron._commit_progress(len(batch_ids)):
                break
        _logger.info(
            "SLA check done in %.2fs: %s at risk, %s breached, %s failed",
            time.monotonic() - started,
            totals["at_risk"],
            totals["breached"],
            totals["failed"],
        )
        if totals["breached"]:
            self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger()
        # Triggers set when the clocks started may be gone or earlier than
        # a due date that a policy edit moved: wake up at the next one.
        self._sla_schedule_check([self._sla_next_due_date()])
        if last_error is not None:
            raise last_error

    @api.model
    def _sla_next_due_date(self):
        """Return the earliest at-risk date or deadline of the open SLAs,
        or None. Each of the two reads uses its partial index."""
        next_at_risk = self.search(
            [("sla_status", "=", "on_track"), ("sla_at_risk_date", "!=", False)],
            order="sla_at_risk_date",
            limit=1,
        ).sla_at_risk_date
        next_deadline = self.search(
            [("sla_status", "in", SLA_OPEN), ("sla_deadline", "!=", False)],
            order="sla_deadline",
            limit=1,
        ).sla_deadline
        moments = [moment for moment in (next_at_risk, next_deadline) if moment]
        return min(moments) if moments else None

    def _sla_check_batch(self, now):
        """Move the leads that are due at ``now`` to at risk or breached.

        Returns ``(counts, last_error)``. A lead past both dates goes straight
        to breached. Marking at risk is one update for the batch. Each breach
        runs in its own savepoint, because its escalation writes an activity
        and a message that may fail for one lead.
        """
        counts = {"at_risk": 0, "breached": 0, "failed": 0}
        last_error = None
        breached = self.filtered(
            lambda lead: lead.sla_status in SLA_OPEN and lead.sla_deadline and lead.sla_deadline <= now
        )
        at_risk = (
            self.filtered(
                lambda lead: lead.sla_status == "on_track"
                and lead.sla_at_risk_date
                and lead.sla_at_risk_date <= now
            )
            - breached
        )
        if at_risk:
            try:
                with self.env.cr.savepoint():
                    at_risk.sla_record_id.sudo().filtered(
                        lambda record: record.status == "on_track"
                    ).write({"status": "at_risk"})
                    at_risk.sudo().write({"sla_status": "at_risk"})
                counts["at_risk"] = len(at_risk)
            except Exception as error:  # noqa: BLE001 - reported, then raised by the cron
                _logger.exception("SLA check: marking leads %s at risk failed", at_risk.ids)
                counts["failed"] += len(at_risk)
                last_error = error
        for lead in breached:
            try:
                with self.env.cr.savepoint():
                    lead._sla_breach()
                counts["breached"] += 1
            except Exception as error:  # noqa: BLE001 - reported, then raised by the cron
                _logger.exception("SLA check: escalating the breach of lead %s failed", lead.id)
                counts["failed"] += 1
                last_error = error
        return counts, last_error
