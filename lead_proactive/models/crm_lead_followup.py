# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import logging
import time
from collections import Counter

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

FOLLOWUP_STATES = [
    ("running", "Running"),
    ("stopped", "Stopped"),
    ("done", "Done"),
]
# Leads locked and sent per committed batch of the follow-up cron.
FOLLOWUP_BATCH_SIZE = 50
# A lead whose follow-up failed is tried again after this wait, doubled at
# each further failure of the same step, so that one broken lead or script
# does not make every cron run fail on it at once.
FOLLOWUP_RETRY_DELAY = datetime.timedelta(hours=1)
# Failed attempts at one step after which the lead's sequence is stopped.
FOLLOWUP_MAX_ATTEMPTS = 3
# Lead fields whose change can end a running follow-up sequence.
FOLLOWUP_STOP_FIELDS = frozenset(
    {"active", "stage_id", "probability", "proactive_opt_out", "proactive_paused"}
)
CRON_XMLID = "lead_proactive.ir_cron_lead_proactive_send_followups"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # ------------------------------------------------------------
    # Follow-up
    # ------------------------------------------------------------
    proactive_cadence_id = fields.Many2one(
        "proactive.cadence",
        string="Follow-up Sequence",
        readonly=True,
        copy=False,
        ondelete="set null",
        index="btree_not_null",
        help="The follow-up sequence chosen for the lead after its instant reply.",
    )
    proactive_followup_step = fields.Integer(
        string="Follow-up Step",
        readonly=True,
        copy=False,
        help="The last follow-up step sent to the lead; 0 before the first one.",
    )
    proactive_followup_next_step_id = fields.Many2one(
        "proactive.cadence.step",
        string="Next Follow-up",
        compute="_compute_proactive_followup_next_step_id",
        help="The step sent at the next touch. Empty while a running sequence "
        "waits out its grace period before the lead is marked as lost.",
    )
    proactive_next_touch_date = fields.Datetime(
        string="Next Touch",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the next follow-up is due, or after the last step, when the "
        "lead is marked as lost if it has not answered.",
    )
    proactive_followup_state = fields.Selection(
        FOLLOWUP_STATES,
        string="Follow-up Status",
        readonly=True,
        copy=False,
        help="Running: follow-ups are scheduled. Stopped: the lead replied, "
        "opted out, was paused, booked, won or lost, or could not be contacted. "
        "Done: every step was sent and the grace period is over.",
    )
    proactive_followup_stop_reason = fields.Char(
        string="Follow-up Stop Reason", readonly=True, copy=False
    )
    proactive_followup_paused = fields.Boolean(
        string="Follow-up Stopped by Pause",
        readonly=True,
        copy=False,
        help="Technical: the running sequence was stopped because the "
        "automation was paused, so Resume Automation restarts it.",
    )
    proactive_followup_failures = fields.Integer(
        string="Follow-up Failures",
        readonly=True,
        copy=False,
        help="Failed attempts at sending the next follow-up step. The step is "
        "tried again after 1, then 2 hours; the sequence stops after %s "
        "failures." % FOLLOWUP_MAX_ATTEMPTS,
    )

    @api.depends("proactive_cadence_id.step_ids", "proactive_followup_step")
    def _compute_proactive_followup_next_step_id(self):
        for lead in self:
            step = self.env["proactive.cadence.step"]
            if lead.proactive_cadence_id:
                steps = lead.proactive_cadence_id._proactive_get_steps()
                if lead.proactive_followup_step < len(steps):
                    step = steps[lead.proactive_followup_step]
            lead.proactive_followup_next_step_id = step

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    def write(self, vals):
        result = super().write(vals)
        if FOLLOWUP_STOP_FIELDS.intersection(vals):
            for lead in self.filtered(
                lambda lead: lead.proactive_followup_state == "running"
            ):
                reason = lead._proactive_followup_stop_reason()
                if reason:
                    lead._proactive_stop_followup(
                        reason, paused=lead.proactive_paused
                    )
        return result

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_proactive_resume(self):
        result = super().action_proactive_resume()
        for lead in self.filtered("proactive_followup_paused"):
            lead._proactive_restart_followup()
        return result

    def action_proactive_stop_followup(self):
        for lead in self.filtered(
            lambda lead: lead.proactive_followup_state == "running"
        ):
            lead._proactive_stop_followup(
                self.env._("stopped by %(user)s", user=self.env.user.name)
            )

    # ------------------------------------------------------------
    # Inbound hooks
    # ------------------------------------------------------------
    def _proactive_on_inbound(self, message, text):
        super()._proactive_on_inbound(message, text)
        if not self._proactive_is_reply(message):
            return
        # A reply is credited to the last touch that was sent, whichever
        # steps are switched on: the touch log measures the scripts.
        last_sent = self._proactive_last_touch(Domain("state", "=", "sent"))
        if last_sent and not last_sent.replied:
            last_sent.write({"replied": True})

    # ------------------------------------------------------------
    # Follow-up scheduling step of the inbound flow
    # ------------------------------------------------------------
    def _proactive_inbound_stop_followup(self, batch):
        if batch.real_messages and self.proactive_followup_state == "running":
            self._proactive_stop_followup(self.env._("the lead replied"))

    def _proactive_inbound_start_followup(self, batch):
        if not self.proactive_followup_state and not self.proactive_cadence_id:
            self._proactive_start_followup()

    # ------------------------------------------------------------
    # Follow-up sequence
    # ------------------------------------------------------------
    def _proactive_last_touch(self, domain=None):
        self.ensure_one()
        return (
            self.env["proactive.touch"]
            .sudo()
            .search(
                Domain("lead_id", "=", self.id) & Domain(domain or Domain.TRUE),
                order="date desc, id desc",
                limit=1,
            )
        )

    def _proactive_start_followup(self):
        """Choose the lead's follow-up sequence and schedule its first step
        after the last touch, normally the instant reply.

        A lead whose last touch was skipped (the guard blocked the instant
        reply) or that cannot be followed up keeps the sequence stopped, with
        the reason.
        """
        self.ensure_one()
        cadence = (
            self.env["proactive.cadence"]
            .sudo()
            ._proactive_select(
                self.team_id, self.source_id, company=self.company_id
            )
        )
        last_touch = self._proactive_last_touch()
        if not cadence or not last_touch:
            return
        # Written with the state below, in one write.
        values = {
            "proactive_cadence_id": cadence.id,
            "proactive_followup_step": 0,
            "proactive_followup_failures": 0,
        }
        reason = ""
        if last_touch.state == "skipped":
            reason = last_touch.skip_reason or self.env._(
                "the instant reply was skipped"
            )
        elif last_touch.state != "sent":
            reason = self.env._("the instant reply was not sent")
        if not reason and self.proactive_replied:
            reason = self.env._("the lead replied")
        reason = reason or self._proactive_followup_stop_reason()
        steps = cadence._proactive_get_steps()
        if not reason and steps:
            reason = self._proactive_followup_reach_reason(steps[0].channel)
        if reason:
            self.write(
                {
                    **values,
                    "proactive_followup_state": "stopped",
                    "proactive_followup_stop_reason": reason,
                    "proactive_next_touch_date": False,
                }
            )
            return
        self.write(
            {
                **values,
                "proactive_followup_state": "running",
                "proactive_followup_stop_reason": False,
            }
        )
        self._proactive_schedule_next_touch(last_touch.date)

    def _proactive_followup_stop_reason(self):
        """Return why the lead's follow-up sequence must end now, or ''."""
        self.ensure_one()
        if self.proactive_opt_out:
            return self.env._("the lead opted out")
        if self.proactive_paused:
            return self.env._(
                "automation is paused: %(reason)s",
                reason=self.proactive_pause_reason or "",
            )
        if self.won_status == "won" or self.stage_id.proactive_milestone == "won":
            return self.env._("the lead was won")
        if self.won_status == "lost" or not self.active:
            return self.env._("the lead was lost")
        if self.stage_id.proactive_milestone == "booked":
            return self.env._("the lead booked")
        return ""

    def _proactive_followup_reach_reason(self, channel):
        """Return why a follow-up on ``channel`` cannot reach the lead, or ''.

        Channels other than email are checked by the modules that add them.
        """
        self.ensure_one()
        if channel == "email":
            if self.proactive_channel == "marketplace_chat":
                return self.env._(
                    "the lead can only be reached in the marketplace or platform chat"
                )
            if self.proactive_channel == "phone":
                return self.env._("the lead can only be reached by phone")
            if not self.email_from:
                return self.env._("the lead has no email address")
        return ""

    def _proactive_stop_followup(self, reason, state="stopped", paused=False):
        """End the lead's sequence with ``reason``. Set ``paused`` when a
        paused automation stops it, so that resuming restarts the sequence."""
        self.ensure_one()
        self.write(
            {
                "proactive_followup_state": state,
                "proactive_followup_stop_reason": reason,
                "proactive_next_touch_date": False,
                "proactive_followup_paused": paused,
            }
        )
        self.message_post(
            body=self.env._("Follow-up sequence stopped: %(reason)s.", reason=reason),
            subtype_xmlid="lead_proactive.mt_lead_guard",
        )

    def _proactive_restart_followup(self):
        """Restart a sequence that a pause stopped, from its first step that
        has no touch yet, counting that step's delay from now.

        Nothing restarts when the lead has since replied, booked, been won or
        lost, or opted out, or when its sequence was archived: the stop reason
        is updated instead.
        """
        self.ensure_one()
        cadence = self.proactive_cadence_id
        reason = self._proactive_followup_stop_reason()
        if not reason and self.proactive_replied:
            reason = self.env._("the lead replied")
        if not reason and not (cadence and cadence.active):
            reason = self.env._("the follow-up sequence was archived or deleted")
        if reason:
            self.write(
                {
                    "proactive_followup_paused": False,
                    "proactive_followup_stop_reason": reason,
                }
            )
            return False

        # Steps skipped or claimed before the pause keep their touch row, and
        # the (lead, step) unique index would block them: start after them.
        steps = cadence._proactive_get_steps()
        claimed = set(
            self.env["proactive.touch"]
            .sudo()
            .search([("lead_id", "=", self.id), ("step", ">", 0)])
            .mapped("step")
        )
        next_index = self.proactive_followup_step
        while next_index < len(steps) and next_index + 1 in claimed:
            next_index += 1
        self.write(
            {
                "proactive_followup_state": "running",
                "proactive_followup_stop_reason": False,
                "proactive_followup_paused": False,
                "proactive_followup_step": next_index,
                "proactive_followup_failures": 0,
            }
        )
        self._proactive_schedule_next_touch(self.env.cr.now().replace(microsecond=0))
        if next_index < len(steps):
            body = self.env._(
                "Follow-up sequence restarted: step %(step)s is due at %(when)s (UTC).",
                step=next_index + 1,
                when=fields.Datetime.to_string(self.proactive_next_touch_date),
            )
        else:
            body = self.env._(
                "Follow-up sequence restarted: every step was sent, so the lead "
                "is given up at %(when)s (UTC) unless it answers.",
                when=fields.Datetime.to_string(self.proactive_next_touch_date),
            )
        self.message_post(body=body, subtype_xmlid="lead_proactive.mt_lead_guard")
        return True

    def _proactive_schedule_next_touch(self, last_touch_date):
        """Set when the next step is due, counted from ``last_touch_date``.

        The time is moved into the step channel's sending hours and daily
        maximum. After the last step, it is the end of the grace period.
        """
        self.ensure_one()
        cadence = self.proactive_cadence_id
        steps = cadence._proactive_get_steps()
        if self.proactive_followup_step < len(steps):
            step = steps[self.proactive_followup_step]
            due = last_touch_date + step._proactive_pick_delay()
            due = cadence._proactive_next_send_time(step.channel, due, self)
        else:
            due = last_touch_date + datetime.timedelta(hours=cadence.lost_delay_hours)
        self._proactive_set_next_touch(due.replace(microsecond=0))

    def _proactive_set_next_touch(self, when):
        self.ensure_one()
        self.write({"proactive_next_touch_date": when})
        # Wake the cron at that moment; one trigger per distinct time and
        # transaction is enough for every lead due then.
        triggered = self.env.cr.precommit.data.setdefault(
            "lead_proactive.followup_trigger_times", set()
        )
        if when not in triggered:
            triggered.add(when)
            self._proactive_ref(CRON_XMLID).sudo()._trigger(at=when)

    def _proactive_send_followup(self):
        """Send the lead's due follow-up step, or end the sequence.

        The caller locks the lead and gives it its own savepoint. The step is
        claimed (its touch row inserted) before anything is sent. A step
        already claimed by another run is left alone.
        """
        self.ensure_one()
        now = self.env.cr.now()
        cadence = self.proactive_cadence_id
        if not cadence or not cadence.active:
            self._proactive_stop_followup(
                self.env._("the follow-up sequence was archived or deleted")
            )
            return "stopped"
        reason = self._proactive_followup_stop_reason()
        if not reason and self.proactive_replied:
            # The inbound flow stops the sequence of a lead that replies only
            # while the follow-up scheduling rule is active.
            reason = self.env._("the lead replied")
        if reason:
            self._proactive_stop_followup(reason, paused=self.proactive_paused)
            return "stopped"

        steps = cadence._proactive_get_steps()
        if self.proactive_followup_step >= len(steps):
            self._proactive_end_followup()
            return "done"
        step = steps[self.proactive_followup_step]
        step_number = self.proactive_followup_step + 1

        # The window or the daily maximum may have changed since scheduling:
        # a touch that may not go now waits for the next allowed moment.
        allowed = cadence._proactive_next_send_time(step.channel, now, self)
        if allowed > now:
            self._proactive_set_next_touch(allowed)
            return "deferred"

        touch = (
            self.env["proactive.touch"]
            .sudo()
            ._proactive_claim(
                self,
                step_number,
                {
                    "kind": "followup",
                    "channel": step.channel,
                    "mail_template_id": step.mail_template_id.id,
                    "cadence_id": cadence.id,
                    "cadence_step_id": step.id,
                },
            )
        )
        if not touch:
            return "claimed"

        reason = (
            self._proactive_guard_reason()
            or self._proactive_followup_reach_reason(step.channel)
        )
        if reason:
            touch.write({"state": "skipped", "skip_reason": reason, "date": now})
            self.write(
                {"proactive_followup_step": step_number, "proactive_followup_failures": 0}
            )
            self.message_post(
                body=self.env._(
                    "Follow-up %(step)s not sent: %(reason)s.",
                    step=step_number,
                    reason=reason,
                ),
                subtype_xmlid="lead_proactive.mt_lead_guard",
            )
            self._proactive_stop_followup(reason, paused=self.proactive_paused)
            return "skipped"

        touch_values = self._proactive_followup_send(step)
        touch.write({"state": "sent", "date": now, **touch_values})
        self.write(
            {"proactive_followup_step": step_number, "proactive_followup_failures": 0}
        )
        self._proactive_schedule_next_touch(touch.date)
        return "sent"

    def _proactive_followup_send(self, step):
        """Send ``step`` to the lead; return values for its touch.

        Modules adding a step channel override this for their channel. An
        email is queued in the mail queue, so it leaves only once the
        transaction that claimed the step has committed.
        """
        self.ensure_one()
        if step.channel != "email":
            raise NotImplementedError(
                "No sender for follow-up channel %r (step %s)" % (step.channel, step.id)
            )
        message = self.with_context(proactive_mail_queue=True)._proactive_post_script(
            step.mail_template_id
        )
        return {"message_id": message.id}

    def _proactive_end_followup(self):
        """End a sequence whose last step went unanswered. When the sequence
        has a lost reason, the lead is marked lost with it through Odoo's
        lost flow."""
        self.ensure_one()
        cadence = self.proactive_cadence_id
        reason = self.env._("no answer after the last follow-up")
        self._proactive_stop_followup(reason, state="done")
        if cadence.lost_reason_id and self.active and self.won_status == "pending":
            self.action_set_lost(lost_reason_id=cadence.lost_reason_id.id)

    def _notify_thread_by_email(self, message, recipients_data, **kwargs):
        # _proactive_post_script requests an immediate send. A follow-up sent
        # by the cron goes through the mail queue instead (see
        # _proactive_followup_send).
        lead = self
        if self.env.context.get("proactive_mail_queue"):
            lead = self.with_context(mail_notify_force_send=False)
        return super(CrmLead, lead)._notify_thread_by_email(
            message, recipients_data, **kwargs
        )

    # ------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------
    @api.model
    def _get_proactive_followup_due_domain(self, now):
        return Domain("proactive_next_touch_date", "<=", now) & Domain(
            "proactive_followup_state", "=", "running"
        )

    @api.model
    def _proactive_lock_due_batch(self, domain, limit):
        """Lock and return up to ``limit`` due leads that no other
        transaction holds, the earliest due first."""
        query = self._search(domain, order="proactive_next_touch_date, id", limit=limit)
        # NO KEY UPDATE still excludes other runs, and unlike FOR UPDATE it
        # lets other transactions insert rows that reference the lead.
        # NOTE: under REPEATABLE READ, a lead that another run updated and
        # committed after this statement's snapshot was taken raises a
        # serialization failure, so this run fails although the lead was
        # handled. The window is one statement long: each batch starts a new
        # transaction.
        rows = self.env.execute_query(
            SQL("%s FOR NO KEY UPDATE SKIP LOCKED", query.select())
        )
        return self.browse(row[0] for row in rows)

    @api.model
    def _cron_send_followups(self):
        """Send every due follow-up, in batches committed one by one.

        A failing lead does not stop the others (see _proactive_send_followups);
        the last error is raised at the end so the cron run shows as failed.
        """
        started = time.monotonic()
        Lead = self.sudo().with_context(active_test=True)
        IrCron = self.env["ir.cron"]
        domain = Lead._get_proactive_followup_due_domain(self.env.cr.now())
        remaining = Lead.search_count(domain)
        _logger.info("Lead follow-ups: %s leads due", remaining)
        IrCron._commit_progress(remaining=remaining)

        counts = Counter()
        done_ids = []
        last_error = None
        while True:
            # Leads handled in this run are left out: a lead claimed by another
            # run may still look due in this run's snapshot.
            batch = Lead._proactive_lock_due_batch(
                domain & Domain("id", "not in", done_ids), FOLLOWUP_BATCH_SIZE
            )
            if not batch:
                break
            batch_counts, error = batch._proactive_send_followups()
            counts.update(batch_counts)
            last_error = error or last_error
            done_ids += batch.ids
            if batch_counts.get("sent"):
                # Emails wait in the mail queue: send them right after this commit.
                self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()
            if not IrCron._commit_progress(len(batch)):
                break

        _logger.info(
            "Lead follow-ups: %s leads processed in %.2fs (%s)",
            len(done_ids),
            time.monotonic() - started,
            ", ".join(
                "%s %s" % (count, outcome) for outcome, count in sorted(counts.items())
            )
            or "nothing sent",
        )
        if last_error is not None:
            raise last_error

    def _proactive_send_followups(self):
        """Send the due follow-up of each lead, each in its own savepoint.

        A lead that fails is logged with its id, marked on the lead and tried
        again later; the others go on. Return the count of each outcome
        ('sent', 'deferred', 'claimed', 'skipped', 'stopped', 'done',
        'failed') and the last error, or None.
        """
        counts = Counter()
        last_error = None
        for lead in self:
            try:
                with self.env.cr.savepoint():
                    outcome = lead._proactive_send_followup()
            except Exception as error:  # noqa: BLE001 - one lead must not stop the others
                _logger.exception("Lead follow-up failed on lead %s", lead.id)
                lead._proactive_mark_followup_error(error)
                outcome = "failed"
                last_error = error
            counts[outcome] += 1
        return counts, last_error

    def _proactive_mark_followup_error(self, error):
        """Leave the follow-up failure on the lead and try again later, or
        stop the sequence after FOLLOWUP_MAX_ATTEMPTS failures of the step."""
        self.ensure_one()
        message = str(error) or repr(error)
        failures = self.proactive_followup_failures + 1
        self.write({"proactive_error": message, "proactive_followup_failures": failures})
        if failures >= FOLLOWUP_MAX_ATTEMPTS:
            _logger.warning(
                "Lead follow-up step %s failed %s times on lead %s: sequence stopped",
                self.proactive_followup_step + 1,
                failures,
                self.id,
            )
            self._proactive_stop_followup(
                self.env._(
                    "follow-up %(step)s failed %(count)s times: %(error)s",
                    step=self.proactive_followup_step + 1,
                    count=failures,
                    error=message,
                )
            )
            return
        retry = self.env.cr.now() + FOLLOWUP_RETRY_DELAY * 2 ** (failures - 1)
        self._proactive_set_next_touch(retry.replace(microsecond=0))
        self.message_post(
            body=self.env._(
                "The follow-up failed (attempt %(attempt)s of %(max)s) and will be "
                "tried again at %(when)s (UTC): %(error)s",
                attempt=failures,
                max=FOLLOWUP_MAX_ATTEMPTS,
                when=fields.Datetime.to_string(retry.replace(microsecond=0)),
                error=message,
            ),
            subtype_xmlid="lead_proactive.mt_lead_guard",
        )
