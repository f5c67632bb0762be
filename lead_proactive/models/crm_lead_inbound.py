# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The steps of the lead flow that run on a lead's new messages.

Each step (qualification, routing, instant reply, follow-up scheduling) has
an automation rule of its own (``base.automation`` with
``proactive_inbound_step``), so that administrators can archive it or narrow
it with the rule's conditions. Every step rule calls the same entry point,
``_proactive_process_inbound``: the first rule that fires on a message reads
the lead's new messages once and runs the enabled steps in the fixed order of
``_proactive_inbound_phases``, and the rules that fire after it find nothing
new. Reading the messages (arrival date, reply flag, processed-message
pointer) and the ``_proactive_on_inbound`` and ``_proactive_after_inbound``
hooks belong to no step and run whenever the flow runs.

NOTE: with every step rule archived, nothing triggers the flow, so the
messages stay in the chatter unread. The next run after a rule is switched
on reads them all, and may then send a late first instant reply.
"""

import contextlib
import dataclasses
import logging

from odoo import models

_logger = logging.getLogger(__name__)

# Key in the cursor's cache (cleared with the transaction's caches) of
# {lead id: id of the last message posted on the lead that the flow may read}.
POSTED_INBOUND_KEY = "lead_proactive.posted_inbound"


@dataclasses.dataclass
class InboundBatch:
    """The new messages of one lead in one processing run."""

    # Every new inbound message, automatic mail included, oldest first.
    messages: object
    # The messages the lead wrote itself (no autoresponder or bounce).
    real_messages: object
    # The new text of each real message, by message id.
    texts: dict
    # Where each real message may state the need, by message id: its new
    # text, then the subject when the lead wrote it (see
    # crm.lead._proactive_message_parts).
    need_texts: dict = dataclasses.field(default_factory=dict)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # ------------------------------------------------------------
    # Steps and their rules
    # ------------------------------------------------------------
    def _proactive_inbound_phases(self):
        """Return the flow's phases in the order they run, as (step, method
        name) pairs. A phase runs only when its step's rule is enabled for
        the lead; a phase without a step always runs.

        The routing step scores the messages before the instant reply, so a
        message that raises a sensitive topic pauses the lead before the
        reply is sent. The handoff and options come after the reply.
        """
        return [
            ("qualification", "_proactive_inbound_qualify"),
            ("followup", "_proactive_inbound_stop_followup"),
            ("routing", "_proactive_inbound_score"),
            (None, "_proactive_inbound_run_message_hooks"),
            ("reply", "_proactive_inbound_reply"),
            ("qualification", "_proactive_inbound_update_stage"),
            ("followup", "_proactive_inbound_start_followup"),
            ("routing", "_proactive_inbound_route"),
            (None, "_proactive_inbound_run_after_hook"),
        ]

    def _proactive_inbound_rules(self):
        """Return the active automation rules that enable a step of the flow."""
        return (
            self.env["base.automation"]
            .sudo()
            .search(
                [
                    ("model_name", "=", self._name),
                    ("proactive_inbound_step", "!=", False),
                ],
                order="id",
            )
        )

    def _proactive_inbound_enabled_steps(self, rules):
        """Return the steps whose rule is active and whose conditions (the
        rule's "apply on" domains) the lead matches."""
        self.ensure_one()
        steps = set()
        for rule in rules:
            if rule.proactive_inbound_step in steps:
                continue
            if rule._filter_pre(self) and rule._filter_post(self):
                steps.add(rule.proactive_inbound_step)
        return steps

    # ------------------------------------------------------------
    # Processing run
    # ------------------------------------------------------------
    def _message_post_after_hook(self, message, msg_values):
        result = super()._message_post_after_hook(message, msg_values)
        if self._proactive_may_read(message):
            posted = self.env.cr.cache.setdefault(POSTED_INBOUND_KEY, {})
            posted[self.id] = max(posted.get(self.id, 0), message.id)
        return result

    def _proactive_may_read(self, message):
        """Tell whether ``message`` may be one the flow reads. It must hold
        for every message that ``_proactive_inbound_messages`` returns; other
        messages may pass too."""
        return message.message_type == "email"

    def _proactive_inbound_all_read(self):
        """Tell, without a query, that the flow has read every message posted
        on the lead in this transaction, so that a run finds nothing new.

        The messages it may read are posted with ``message_post``, which
        records them (``_message_post_after_hook``). When the cursor's cache
        was cleared (savepoint rollback, commit), this returns False and the
        run searches the messages.

        NOTE: a message created without ``message_post`` after a run of the
        same transaction is read by a later transaction's run, or by
        ``action_proactive_run``, which always searches.
        """
        self.ensure_one()
        posted = self.env.cr.cache.get(POSTED_INBOUND_KEY, {}).get(self.id)
        return bool(posted) and self.proactive_last_message_id.id >= posted

    def action_proactive_run(self):
        posted = self.env.cr.cache.get(POSTED_INBOUND_KEY, {})
        for lead_id in self.ids:
            posted.pop(lead_id, None)
        return super().action_proactive_run()

    def _proactive_process_inbound_one(self, rules=None):
        """Read the lead's new messages, then run the enabled steps.

        Each phase runs in its own savepoint. A failing phase is logged with
        the lead's id and left on the lead, and the later phases of the same
        step are skipped. The other steps go on.
        """
        self.ensure_one()
        messages = self._proactive_inbound_messages()
        if not messages:
            return
        if rules is None:
            rules = self._proactive_inbound_rules()
        batch = self._proactive_capture_inbound(messages)
        enabled = self._proactive_inbound_enabled_steps(rules)
        failed = set()
        for step, method_name in self._proactive_inbound_phases():
            if step and (step not in enabled or step in failed):
                continue
            try:
                with self._proactive_phase_savepoint():
                    getattr(self, method_name)(batch)
            except Exception as error:  # noqa: BLE001 - one step must not stop the others
                failed.add(step)
                self._proactive_inbound_step_failed(step, method_name, error)

    @contextlib.contextmanager
    def _proactive_phase_savepoint(self):
        """Run a phase in a savepoint that leaves the commit hooks (tracking
        messages, bus notifications) to the end of the lead's run.

        Odoo's default savepoint runs those hooks when it opens and closes.
        Each phase that changes a tracked field (phone, intent, stage) then
        posts a tracking message of its own, three for a new lead, where a
        transaction without savepoints posts one. Here the ORM is flushed at
        both ends all the same, and the caller's savepoint (one per lead)
        runs the hooks once.

        A failing phase rolls back and clears the ORM caches and the pending
        hooks, as Odoo's savepoint does. NOTE: the hooks of the lead's earlier
        phases go with them, so their tracked changes get no message.
        """
        self.env.flush_all()
        with self.env.cr.savepoint(flush=False):
            try:
                yield
                self.env.flush_all()
            except Exception:
                self.env.cr.clear()
                raise

    def _proactive_capture_inbound(self, messages):
        """Note automatic mail, extract the text of the lead's own messages,
        record when it last wrote and mark the messages as processed."""
        self.ensure_one()
        real_messages = messages.filtered(lambda m: not m.proactive_auto_reason)
        texts = {}
        need_texts = {}
        for message in messages:
            if message.proactive_auto_reason:
                self.message_post(
                    body=self.env._(
                        "Automatic email received (%(reason)s): not counted as a "
                        "reply and not answered.",
                        reason=message.proactive_auto_reason,
                    ),
                    subtype_xmlid="lead_proactive.mt_lead_guard",
                )
                continue
            # The text of a first message includes its subject, so it is read
            # before the message is recorded.
            body, subject, own_subject = self._proactive_message_parts(message)
            texts[message.id] = "%s\n%s" % (body, subject) if subject else body
            need_texts[message.id] = (body, own_subject)
            # Recording the last message marks the messages as processed, in
            # the same write.
            processed = None
            if message == messages[-1]:
                processed = {"proactive_last_message_id": message.id}
            self._proactive_record_inbound(message, processed)
        if messages[-1].proactive_auto_reason:
            self.write({"proactive_last_message_id": messages[-1].id})
        return InboundBatch(
            messages=messages, real_messages=real_messages, texts=texts, need_texts=need_texts
        )

    def _proactive_inbound_step_failed(self, step, method_name, error):
        """Log a failed phase with the lead's id and leave it on the lead."""
        self.ensure_one()
        _logger.exception(
            "Lead automation step %s (%s) failed on lead %s",
            step or "hooks",
            method_name,
            self.id,
        )
        labels = dict(
            self.env["base.automation"]
            ._fields["proactive_inbound_step"]
            ._description_selection(self.env)
        )
        label = labels.get(step) or self.env._("Extensions")
        detail = str(error) or repr(error)
        self.sudo().write({"proactive_error": "%s: %s" % (label, detail)})
        self.sudo().message_post(
            body=self.env._(
                "The %(step)s step of the lead automation failed on this lead, "
                "the other steps ran: %(error)s",
                step=label,
                error=detail,
            ),
            subtype_xmlid="lead_proactive.mt_lead_guard",
        )

    # ------------------------------------------------------------
    # Phases
    # ------------------------------------------------------------
    def _proactive_inbound_qualify(self, batch):
        for message in batch.real_messages:
            self._proactive_read_message(
                message, batch.texts[message.id], batch.need_texts.get(message.id)
            )

    def _proactive_inbound_run_message_hooks(self, batch):
        for message in batch.real_messages:
            self._proactive_on_inbound(message, batch.texts[message.id])

    def _proactive_inbound_reply(self, batch):
        # Machine-written mail alone never gets a reply.
        if batch.real_messages and not self.proactive_touch_ids.filtered(
            lambda t: t.step == 0
        ):
            self._proactive_send_instant_reply(batch.real_messages[-1])

    def _proactive_inbound_update_stage(self, batch):
        self._proactive_update_stage()

    def _proactive_inbound_run_after_hook(self, batch):
        self._proactive_after_inbound(batch.messages)
