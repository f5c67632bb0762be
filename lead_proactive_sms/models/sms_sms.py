# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Texts the suite sends go to the provider only after the transaction that
queued them commits.

Sending inside the transaction is unsafe. A serialization failure in a
webhook request makes Odoo roll it back and run it again, but the provider
has already sent the text, so the retry would send it a second time. Here the transaction only queues the ``sms.sms``
rows; a post-commit callback sends them with a new cursor. A rolled-back
transaction drops its rows and its callbacks, so nothing is sent for it.
Creating an ``sms.sms`` also triggers Odoo's SMS queue cron, which sends any
text the callback could not (the server stopped in between). Both lock the
rows before sending, so a text goes out once.
"""

import functools
import json
import logging

from odoo import SUPERUSER_ID, api, models
from odoo.modules.registry import Registry

_logger = logging.getLogger(__name__)

AFTER_COMMIT_KEY = "lead_proactive_sms.sms_ids"
DEMO_OUTBOX_PARAM = "lead_proactive_sms.demo_outbox"


def _send_after_commit(dbname, sms_ids):
    """Send the queued texts ``sms_ids`` with a new cursor. Runs after the
    commit of the transaction that queued them."""
    if not sms_ids:
        return
    try:
        with Registry(dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["sms.sms"].browse(sms_ids)._proactive_send_queued()
    except Exception:  # noqa: BLE001 - the SMS queue cron sends them later
        _logger.exception(
            "Sending the texts %s after commit failed; the SMS queue cron will "
            "send them",
            sms_ids,
        )


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _proactive_send_after_commit(self):
        """Send these queued texts once the current transaction commits.

        All texts queued in one transaction are sent by one callback.
        """
        cr = self.env.cr
        pending = cr.postcommit.data.get(AFTER_COMMIT_KEY)
        if pending is None:
            pending = cr.postcommit.data[AFTER_COMMIT_KEY] = []
            cr.postcommit.add(functools.partial(_send_after_commit, cr.dbname, pending))
        pending.extend(self.ids)

    def _proactive_send_queued(self):
        """Send the texts that are still queued, then mark failed the SMS
        touches whose text the provider rejected."""
        texts = self.exists()
        messages = texts.mail_message_id
        texts.send(raise_exception=False)
        if messages:
            self.env["proactive.touch"].sudo()._proactive_fail_rejected_sms(messages)

    # ------------------------------------------------------------
    # Demo outbox
    # ------------------------------------------------------------
    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """Keep the texts on this machine when the demo outbox is on.

        With the system parameter ``lead_proactive_sms.demo_outbox`` set, no
        provider (Twilio or IAP) is called: each text is logged, appended to
        the file the parameter names (when it is a path), and marked sent.
        """
        outbox = (
            self.env["ir.config_parameter"].sudo().get_param(DEMO_OUTBOX_PARAM) or ""
        ).strip()
        if not outbox:
            return super()._send(
                unlink_failed=unlink_failed,
                unlink_sent=unlink_sent,
                raise_exception=raise_exception,
            )
        self._proactive_demo_deliver(outbox, unlink_sent)
        return None

    def _proactive_demo_deliver(self, outbox, unlink_sent):
        now = self.env.cr.now()
        lines = []
        for sms in self:
            _logger.info(
                "Demo outbox: SMS %s to %s not sent to any provider: %s",
                sms.id,
                sms.number,
                sms.body,
            )
            lines.append(
                json.dumps(
                    {
                        "date": now.isoformat(sep=" ", timespec="seconds"),
                        "to": sms.number,
                        "body": sms.body,
                        "sms_id": sms.id,
                    }
                )
            )
        if "/" in outbox:
            try:
                with open(outbox, "a", encoding="utf-8") as file:
                    file.write("".join(line + "\n" for line in lines))
            except OSError:
                _logger.exception("Demo outbox: writing %s failed", outbox)
        self.sms_tracker_id._action_update_from_sms_state("sent")
        values = {"state": "sent", "failure_type": False}
        if unlink_sent:
            values["to_delete"] = True
        self.sudo().write(values)
        self.mail_message_id._notify_message_notification_update()
