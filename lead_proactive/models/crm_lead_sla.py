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
- Qualified Follow-up starts when the lead reaches a Qualified stage, and
  Booked Confirmation when it reaches a Booked stage. Each is met by the next
  message sent to the lead: one written by an internal user, or one the
  automation sends (a follow-up, a confirmation script).

Reaching a later milestone starts that milestone's SLA in place of the current
one. Closing the lead (won, lost or archived) stops an SLA that is still
running. The status changes only in these code paths and in the SLA cron, which
marks due leads at risk, then breached, and escalates each breach once.
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

    _sla_deadline_open_idx = models.Index(
        "(sla_deadline) WHERE sla_status IN ('on_track', 'at_risk')"
    )
    _sla_at_risk_date_open_idx = models.Index(
        "(sla_at_risk_date) WHERE sla_status = 'on_track'"
    )

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
            if leads:
                leads._sla_start(target, dict.fromkeys(leads.ids, now))

    def _sla_start(self, target, start_dates):
        """Start the ``target`` SLA on the leads at ``start_dates[lead.id]``.

        A lead no policy applies to keeps its current SLA. The SLA cron is
        triggered at each new at-risk date and deadline, so a lead is checked
        the moment it becomes due and not at the next periodic run.
        """
        policies = self.env["proactive.sla.policy"].sudo()._select_for_leads(self, target)
        wake_times = set()
        for lead in self:
            policy = policies.get(lead)
            if not policy:
                continue
            start = start_dates[lead.id]
            at_risk_date, deadline = policy._compute_due_dates(start)
            lead.sudo().write(
                {
                    "sla_policy_id": policy.id,
                    "sla_target": target,
                    "sla_start_date": start,
                    "sla_at_risk_date": at_risk_date,
                    "sla_deadline": deadline,
                    "sla_status": "on_track",
                    "sla_met_date": False,
                }
            )
            wake_times.update((at_risk_date, deadline))
        self._sla_schedule_check(wake_times)

    def _sla_schedule_check(self, moments):
        cron = self.env.ref(SLA_CRON_XMLID, raise_if_not_found=False)
        if cron and moments:
            cron.sudo()._trigger(sorted(moments))

    def _sla_mark_met(self, when, targets=None):
        """Stop the running SLA of the leads as met at ``when``.

        ``targets`` limits this to SLAs of those targets. A breached SLA met
        late becomes met too, and ``sla_breached`` keeps the breach.
        """
        leads = self.filtered(
            lambda lead: lead.sla_status in SLA_RUNNING
            and (targets is None or lead.sla_target in targets)
            # Message dates are whole seconds: compare at that precision.
            and (not lead.sla_start_date or when >= lead.sla_start_date.replace(microsecond=0))
        )
        if leads:
            leads.sudo().write({"sla_status": "met", "sla_met_date": when})

    def _sla_stop_closed(self):
        """Stop the SLA of leads that were just won, lost or archived,
        because no reply is due on them any more."""
        closed = self.filtered(
            lambda lead: lead.sla_status in SLA_RUNNING
            and (not lead.active or lead.won_status != "pending")
        )
        if closed:
            closed.sudo().write(
                {"sla_status": False, "sla_deadline": False, "sla_at_risk_date": False}
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
        if self.sla_status in SLA_RUNNING and self._sla_is_outbound(message):
            self._sla_mark_met(message.date)
        return result

    def _sla_is_outbound(self, message):
        """Tell whether ``message`` is a reply to the lead: a message that
        is not an internal note, sent by the automation or written by an
        internal user."""
        if message.message_type in SYSTEM_MESSAGE_TYPES:
            return False
        is_note = message.is_internal or not message.subtype_id or message.subtype_id.internal
        # Odoo's sms module logs a sent text message under the internal note
        # subtype, although it reaches the lead.
        if is_note and message.message_type != "sms":
            return False
        if self.env.context.get("proactive_automated"):
            return True
        return any(not user.share for user in message.author_id.sudo().user_ids)

    # ------------------------------------------------------------
    # Breach and escalation
    # ------------------------------------------------------------
    def _sla_breach(self):
        self.ensure_one()
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
        the lead's company's, else UTC."""
        self.ensure_one()
        tz_name = (
            user.tz
            or self.company_id.partner_id.tz
            or self.env.company.partner_id.tz
            or "UTC"
        )
        try:
            zoneinfo.ZoneInfo(tz_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return "UTC"
        return tz_name

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
        lead = self.sudo()
        targets = dict(self._fields["sla_target"]._description_selection(self.env))
        target = targets.get(self.sla_target, "")
        deadline = format_datetime(self.env, self.sla_deadline, tz=self._sla_user_tz(user))
        lead.activity_schedule(
            "lead_proactive.mail_activity_type_sla_breach",
            date_deadline=self._sla_local_today(user),
            summary=self.env._("SLA breached: %(target)s", target=target),
            note=Markup("<p>%s</p>")
            % self.env._(
                "The lead was not answered by %(deadline)s. Answer it now, or hand "
                "it to someone who can.",
                deadline=deadline,
            ),
            user_id=user.id,
        )
        lead.message_post(
            body=Markup("<p>%s</p>")
            % self.env._(
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
        if last_error is not None:
            raise last_error

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
