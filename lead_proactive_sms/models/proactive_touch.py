# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import time

from odoo import api, fields, models
from odoo.fields import Domain

_logger = logging.getLogger(__name__)

DEFERRED_CRON_XMLID = "lead_proactive_sms.ir_cron_lead_proactive_sms_deferred"


def _skip_deferred_touches(touches):
    # Uninstalling the module removes the 'deferred' state: those texts will
    # never be sent, and their skip reason records why.
    touches.write(
        {"state": "skipped", "skip_reason": "SMS module uninstalled before sending"}
    )


class ProactiveTouch(models.Model):
    _inherit = "proactive.touch"

    # On uninstall SMS touches stay in the log as email touches: deleting
    # them would free their (lead, step) slots and let the step be sent again.
    channel = fields.Selection(
        selection_add=[("sms", "SMS")], ondelete={"sms": "set default"}
    )
    state = fields.Selection(
        selection_add=[("deferred", "Waiting for Sending Hours")],
        ondelete={"deferred": _skip_deferred_touches},
    )
    sms_template_id = fields.Many2one(
        "sms.template", string="SMS Script", ondelete="set null", index="btree_not_null"
    )
    send_after = fields.Datetime(
        string="Send After",
        readonly=True,
        index="btree_not_null",
        help="A text due outside the recipient's sending hours goes out at this "
        "time, the first minute that every time zone of the recipient allows.",
    )

    @api.model
    def _proactive_get_due_deferred_domain(self, now):
        return (
            Domain("state", "=", "deferred")
            & Domain("channel", "=", "sms")
            & Domain("send_after", "<=", now)
        )

    def _proactive_schedule_deferred(self):
        """Wake the deferred-SMS cron when the earliest of these touches is due."""
        dates = [touch.send_after for touch in self if touch.send_after]
        if dates:
            self.env.ref(DEFERRED_CRON_XMLID).sudo()._trigger(at=min(dates))

    @api.model
    def _proactive_fail_rejected_sms(self, messages):
        """Mark failed the sent SMS touches whose text in ``messages`` the
        provider rejected, with the reason on the touch and the lead."""
        touches = self.search(
            Domain("message_id", "in", messages.ids)
            & Domain("channel", "=", "sms")
            & Domain("state", "=", "sent")
        )
        for touch in touches:
            lead = touch.lead_id
            reason = lead._proactive_sms_failure_reason(touch.message_id)
            if reason:
                lead._proactive_sms_fail(touch, reason, message=touch.message_id)

    @api.model
    def _cron_send_deferred_sms(self):
        """Send the SMS touches whose sending hours have come, after checking
        the guard, blacklist, consent and sending hours again."""
        started = time.monotonic()
        Cron = self.env["ir.cron"]
        now = self.env.cr.now()
        domain = self._proactive_get_due_deferred_domain(now)
        touches = self.search(domain, order="send_after, id")
        _logger.info("Deferred SMS: %s touches due", len(touches))
        Cron._commit_progress(remaining=len(touches))

        counts = {"sent": 0, "skipped": 0, "deferred": 0, "failed": 0}
        last_error = None
        for touch in touches:
            touch.invalidate_recordset(["state", "send_after"])
            if not touch.try_lock_for_update().filtered_domain(domain):
                continue  # another worker has it, or it changed meanwhile
            try:
                with self.env.cr.savepoint():
                    touch.lead_id._proactive_sms_deliver(touch)
            except Exception as error:  # noqa: BLE001 - one touch must not stop the others
                last_error = error
                _logger.exception(
                    "Deferred SMS: touch %s of lead %s failed",
                    touch.id,
                    touch.lead_id.id,
                )
                touch.write(
                    {"state": "failed", "skip_reason": str(error) or repr(error)}
                )
            counts[touch.state] = counts.get(touch.state, 0) + 1
            if not Cron._commit_progress(1):
                break

        # Wake up again for the earliest text still waiting.
        self.search(
            Domain("state", "=", "deferred") & Domain("channel", "=", "sms")
        )._proactive_schedule_deferred()
        _logger.info(
            "Deferred SMS: %(sent)s sent, %(skipped)s skipped, %(deferred)s deferred "
            "again, %(failed)s failed in %(seconds).1fs",
            dict(counts, seconds=time.monotonic() - started),
        )
        if last_error:
            raise last_error
