# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Intent scoring and routing of leads.

Every message a lead writes is matched against the intent signals. Buying
intent adds to the lead's score and sets its level: a high-intent lead is
handed to a salesperson at once, a medium-intent lead gets the options
script, a low-intent lead is left to the follow-up sequence. A sensitive
topic (complaint, refund, negotiation...) pauses the automation and goes to
the team leader, and so does nothing else: it beats any intent level. A
salesperson who writes to the lead by hand also pauses the automation.
"""

import hashlib
import logging

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Command, Domain
from odoo.tools import format_amount, format_datetime, plaintext2html

from ..tools import mail_text
from .crm_stage import MILESTONE_RANK

_logger = logging.getLogger(__name__)

INTENT_LEVELS = [
    ("low", "Low"),
    ("medium", "Medium"),
    ("high", "High"),
]
# System parameters holding the scores from which a lead has high intent
# (even when none of its signals is high on its own) and medium intent.
HIGH_SCORE_PARAM = "lead_proactive.intent_high_score"
DEFAULT_HIGH_SCORE = 50
MEDIUM_SCORE_PARAM = "lead_proactive.intent_medium_score"
DEFAULT_MEDIUM_SCORE = 20
# Touch step of the options message. Follow-up steps use 1 to 99 and the
# instant reply 0, so the (lead, step) unique index sends it once per lead.
OPTIONS_STEP = 100
# Messages quoted in the handoff summary, and the characters kept of each.
HANDOFF_MESSAGE_COUNT = 3
HANDOFF_MESSAGE_CHARS = 600
# Message types that carry a conversation with the lead (not logs or notes).
CONVERSATION_MESSAGE_TYPES = ("email", "comment", "email_outgoing")


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # ------------------------------------------------------------
    # Intent
    # ------------------------------------------------------------
    proactive_intent_signal_ids = fields.Many2many(
        "proactive.intent.signal",
        "crm_lead_proactive_intent_signal_rel",
        "lead_id",
        "signal_id",
        string="Intent Signals",
        readonly=True,
        copy=False,
        domain=[("kind", "=", "intent")],
        help="Buying-intent signals found in the lead's messages. Each one "
        "counts once in the intent score.",
    )
    proactive_intent_score = fields.Integer(
        string="Intent Score",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Sum of the weights of the lead's intent signals.",
    )
    proactive_intent_level = fields.Selection(
        INTENT_LEVELS,
        string="Intent",
        default="low",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        help="High: a high signal matched, or the score reached the high-intent "
        "score (system parameter lead_proactive.intent_high_score, 50 by "
        "default); the lead is handed to a salesperson at once.\n"
        "Medium: the score reached the medium-intent score "
        "(lead_proactive.intent_medium_score, 20 by default); the lead gets "
        "the options script.\n"
        "Low: the follow-up sequence nurtures the lead.",
    )
    proactive_intent_message_id = fields.Many2one(
        "mail.message",
        string="Last Intent Message",
        readonly=True,
        copy=False,
        help="Technical: the last message of the lead in which an intent "
        "signal was found.",
    )
    proactive_sensitive_signal_ids = fields.Many2many(
        "proactive.intent.signal",
        "crm_lead_proactive_sensitive_signal_rel",
        "lead_id",
        "signal_id",
        string="Sensitive Topics",
        readonly=True,
        copy=False,
        domain=[("kind", "=", "sensitive")],
        help="Sensitive topics the lead raised. Each one paused the automation "
        "and was escalated to the team leader.",
    )
    proactive_sensitive_message_id = fields.Many2one(
        "mail.message",
        string="Last Sensitive Message",
        readonly=True,
        copy=False,
        help="Technical: the last message of the lead that raised a sensitive "
        "topic.",
    )

    # ------------------------------------------------------------
    # Handoff and takeover
    # ------------------------------------------------------------
    proactive_handoff_summary = fields.Html(
        string="Handoff Summary",
        readonly=True,
        copy=False,
        help="What a salesperson needs to call a high-intent lead: source, "
        "place, timeline, need, budget, the best next step and the last "
        "messages.",
    )
    proactive_handoff_date = fields.Datetime(
        string="Handed Off On",
        readonly=True,
        copy=False,
        help="When the lead reached high intent and was handed to a salesperson.",
    )
    proactive_handoff_key = fields.Char(
        string="Handoff Fingerprint",
        readonly=True,
        copy=False,
        help="Technical: digest of the facts of the last posted handoff "
        "summary, to post it again only when they change.",
    )
    proactive_takeover_user_id = fields.Many2one(
        "res.users",
        string="Taken Over By",
        readonly=True,
        copy=False,
        tracking=True,
        help="The salesperson who wrote to the lead by hand, which paused the "
        "automation on this lead.",
    )

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_proactive_resume(self):
        result = super().action_proactive_resume()
        self.filtered("proactive_takeover_user_id").write(
            {"proactive_takeover_user_id": False}
        )
        return result

    # ------------------------------------------------------------
    # Routing step of the inbound flow
    # ------------------------------------------------------------
    def _proactive_inbound_score(self, batch):
        for message in batch.real_messages:
            if self._proactive_internal_author(message.author_id):
                # A salesperson's emailed reply (handled as a takeover when it
                # was posted) is not the lead's own words, so it is not scored.
                continue
            self._proactive_match_signals(message, batch.texts[message.id])

    def _proactive_inbound_route(self, batch):
        self._proactive_route(batch.messages)

    # ------------------------------------------------------------
    # Scoring
    # ------------------------------------------------------------
    def _proactive_match_signals(self, message, text):
        """Store the signals ``message`` shows, rescore the lead and pause it
        when the message raises a sensitive topic."""
        self.ensure_one()
        signals = self.env["proactive.intent.signal"].sudo().search([])
        matched = signals._match_text(text)
        for signal in signals.filtered(
            lambda s: s.kind == "intent" and s.match_type == "fast_reply"
        ):
            if self._proactive_is_fast_reply(message, signal.fast_reply_minutes):
                matched[signal] = self.env._(
                    "replied within %(minutes)s minutes", minutes=signal.fast_reply_minutes
                )
        intent = [signal for signal in matched if signal.kind == "intent"]
        sensitive = [signal for signal in matched if signal.kind == "sensitive"]
        values = {}
        if intent:
            _logger.info(
                "Lead %s: intent signals %s in message %s",
                self.id,
                [signal.id for signal in intent],
                message.id,
            )
            values = {
                "proactive_intent_signal_ids": [Command.link(signal.id) for signal in intent],
                "proactive_intent_message_id": message.id,
            }
        # The new signals and the score they give, in one write.
        signals = self.proactive_intent_signal_ids.union(*intent)
        values.update(self._proactive_prepare_score_values(signals))
        if values:
            self.write(values)
        if sensitive:
            self._proactive_escalate_sensitive(
                self.env["proactive.intent.signal"].concat(*sensitive), message, matched
            )

    def _proactive_rescore(self):
        """Set the intent score and level from the lead's signals."""
        for lead in self:
            values = lead._proactive_prepare_score_values(lead.proactive_intent_signal_ids)
            if values:
                lead.write(values)

    def _proactive_prepare_score_values(self, signals):
        """Return the intent score and level that ``signals`` give the lead,
        or an empty dict when the lead already has them."""
        self.ensure_one()
        high_score = self._proactive_score_param(HIGH_SCORE_PARAM, DEFAULT_HIGH_SCORE)
        medium_score = self._proactive_score_param(MEDIUM_SCORE_PARAM, DEFAULT_MEDIUM_SCORE)
        score = sum(signals.mapped("weight"))
        if "high" in signals.mapped("level") or (signals and score >= high_score):
            level = "high"
        elif signals and score >= medium_score:
            level = "medium"
        else:
            level = "low"
        if (score, level) == (self.proactive_intent_score, self.proactive_intent_level):
            return {}
        return {"proactive_intent_score": score, "proactive_intent_level": level}

    @api.model
    def _proactive_score_param(self, name, default):
        value = self.env["ir.config_parameter"].sudo().get_param(name)
        if not value:
            return default
        try:
            return int(value)
        except ValueError:
            _logger.warning(
                "System parameter %s=%r is not a whole number: using %s", name, value, default
            )
            return default

    def _proactive_is_fast_reply(self, message, minutes):
        """Tell whether ``message`` came within ``minutes`` of our last
        message to the lead before it.

        Both times are the server's (create_date), not the Date header,
        which the sender's mail client sets.
        """
        self.ensure_one()
        previous = self._proactive_outbound_messages(Domain("id", "<", message.id), limit=1)
        if not previous or not message.create_date:
            return False
        delay = (message.create_date - previous.create_date).total_seconds()
        return 0 <= delay <= minutes * 60

    def _proactive_outbound_messages(self, extra_domain=None, limit=None):
        """Return the messages sent to the lead (automated or typed by a
        salesperson), newest first."""
        self.ensure_one()
        domain = Domain(
            [
                ("model", "=", self._name),
                ("res_id", "=", self.id),
                ("message_type", "in", ["comment", "email_outgoing"]),
                ("subtype_id", "=", self._proactive_ref("mail.mt_comment").id),
            ]
        )
        if self.partner_id:
            domain &= Domain("author_id", "!=", self.partner_id.id)
        if extra_domain:
            domain &= Domain(extra_domain)
        return self.env["mail.message"].sudo().search(domain, order="id desc", limit=limit)

    # ------------------------------------------------------------
    # Routing
    # ------------------------------------------------------------
    def _proactive_route(self, messages):
        """Act on the lead's intent level after its new ``messages``."""
        self.ensure_one()
        if self.proactive_sensitive_message_id in messages:
            # The team leader has it now: no handoff, no options.
            return
        if self.won_status == "won":
            return
        if self.proactive_intent_level == "high":
            self._proactive_handoff()
        elif self.proactive_intent_level == "medium":
            self._proactive_send_options(messages)

    # ------------------------------------------------------------
    # Sensitive topics
    # ------------------------------------------------------------
    def _proactive_escalate_sensitive(self, signals, message, matched):
        """Pause the automation and ask the team leader to reply to the lead.

        A new activity is scheduled only when no escalation activity is
        still open on the lead; a further sensitive message adds a note.
        """
        self.ensure_one()
        topics = ", ".join(signals.mapped("name"))
        reason = self.env._("Sensitive topic: %(topics)s", topics=topics)
        self.write(
            {
                "proactive_sensitive_signal_ids": [Command.link(s.id) for s in signals],
                "proactive_sensitive_message_id": message.id,
                "proactive_paused": True,
                "proactive_pause_reason": reason,
            }
        )
        leader = self.team_id.user_id or self.user_id or self._proactive_fallback_user()
        excerpts = Markup("").join(
            Markup("<li>%s: “%s”</li>") % (signal.name, matched[signal]) for signal in signals
        )
        body = Markup("<p>%s</p><ul>%s</ul><p>%s</p>") % (
            self.env._(
                "The lead raised a sensitive topic: automation paused and escalated "
                "to %(user)s.",
                user=leader.name,
            ),
            excerpts,
            self.env._(
                "Answer the lead yourself, then press Resume Automation if the "
                "automation may write to the lead again."
            ),
        )
        activity_type = self._proactive_ref("lead_proactive.mail_activity_type_sensitive")
        open_escalation = self.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        if not open_escalation:
            self._proactive_schedule_activity(
                activity_type,
                leader,
                self.env._("Sensitive topic: answer the lead yourself"),
                body,
            )
        note = self.with_context(
            proactive_automated=True, mail_notify_force_send=False
        ).message_post(
            body=body,
            subtype_xmlid="lead_proactive.mt_lead_guard",
            partner_ids=leader.partner_id.ids,
        )
        self._proactive_wake_mail_queue()
        self._proactive_note_notified(leader.partner_id, note)

    # ------------------------------------------------------------
    # High intent: handoff
    # ------------------------------------------------------------
    def _proactive_handoff(self):
        """Hand a high-intent lead to a salesperson, once.

        The first time: assign the lead, schedule a call due today for its
        owner and post the handoff summary, notifying the owner. Later
        messages refresh the stored summary; it is posted again only when
        its facts (not only the last messages) changed.
        """
        self.ensure_one()
        if not self.proactive_handoff_date:
            owner = self._proactive_assign_owner()
        else:
            owner = self.user_id or self._proactive_fallback_user()
        values = self._proactive_prepare_handoff_values(owner)
        summary = self._proactive_render_handoff(values, owner)
        key = self._proactive_handoff_fingerprint(values)
        first = not self.proactive_handoff_date
        changed = key != self.proactive_handoff_key
        write_values = {"proactive_handoff_summary": summary, "proactive_handoff_key": key}
        if first:
            write_values["proactive_handoff_date"] = self.env.cr.now()
        self.write(write_values)
        if not first and not changed:
            return

        activity_type = self._proactive_ref("lead_proactive.mail_activity_type_handoff")
        assisted_types = self._proactive_assisted_activity_types()
        open_handoff = self.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        open_assisted = self.activity_ids.filtered(lambda a: a.activity_type_id in assisted_types)
        if open_handoff:
            open_handoff.write({"note": summary})
        elif open_assisted:
            # The lead waits for a reply in a chat, or a call back, that only
            # a person can give: that is the next step, so it goes to the
            # owner instead of adding a call next to it.
            open_assisted.filtered(lambda a: a.user_id != owner).with_context(
                mail_activity_quick_update=True
            ).write({"user_id": owner.id})
        else:
            self._proactive_schedule_activity(
                activity_type, owner, self.env._("Call the lead now"), summary
            )
        if first:
            intro = self.env._(
                "High intent: handed to %(user)s with a call due now.", user=owner.name
            )
        else:
            intro = self.env._("High intent: the handoff summary changed.")
        note = self.with_context(
            proactive_automated=True, mail_notify_force_send=False
        ).message_post(
            body=Markup("<p><strong>%s</strong></p>%s") % (intro, summary),
            subtype_xmlid="lead_proactive.mt_lead_handoff",
            partner_ids=owner.partner_id.ids,
        )
        self._proactive_wake_mail_queue()
        self._proactive_note_notified(owner.partner_id, note)

    @api.model
    def _proactive_wake_mail_queue(self):
        """Have the mail queue send the emails just queued, right after the
        commit.

        The handoff and escalation notes email a salesperson through the
        queue, so the transaction that handles an inbound message does not
        wait for the SMTP server. Without this trigger they would wait for
        the queue's hourly run.
        """
        self._proactive_ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()

    def _proactive_assign_owner(self):
        """Return the lead's salesperson, assigning one when it has none.

        The owner is the salesperson, else the user who took the
        conversation over, else a team member chosen by the team's
        assignment rules and round robin, else the team leader.
        """
        self.ensure_one()
        if self.user_id:
            return self.user_id
        user = self.proactive_takeover_user_id
        if not user and self.team_id:
            user = self.team_id._proactive_pick_member(self) or self.team_id.user_id
        if not user:
            user = self._proactive_fallback_user()
            self.message_post(
                body=self.env._(
                    "No salesperson could take this high-intent lead (no sales team "
                    "member or team leader): the call is scheduled for %(user)s. "
                    "Assign the lead to a salesperson.",
                    user=user.name,
                ),
                subtype_xmlid="lead_proactive.mt_lead_guard",
            )
            return user
        # The handoff note notifies the owner, so Odoo's "assigned to you"
        # email would be a second message about the same lead.
        self.with_context(mail_auto_subscribe_no_notify=True).write({"user_id": user.id})
        return user

    def _proactive_fallback_user(self):
        return self._proactive_ref("base.user_admin")

    def _proactive_schedule_activity(self, activity_type, user, summary, note):
        """Schedule an activity due today in ``user``'s time zone.

        Its own "assigned to you" notification is skipped: the chatter note
        posted with it notifies the user.
        """
        deadline = self._sla_local_today(user)
        return self.with_context(mail_activity_quick_update=True).activity_schedule(
            activity_type_id=activity_type.id,
            date_deadline=deadline,
            summary=summary,
            note=note,
            user_id=user.id,
        )

    def _proactive_prepare_handoff_values(self, owner):
        """Return the facts of the handoff summary, formatted for ``owner``."""
        self.ensure_one()
        env = self.with_context(lang=owner.lang or self.env.lang).env

        channels = dict(self._fields["proactive_channel"]._description_selection(env))
        timelines = dict(self._fields["proactive_timeline"]._description_selection(env))
        levels = dict(self._fields["proactive_intent_level"]._description_selection(env))
        timeline = timelines.get(self.proactive_timeline, "")
        if self.proactive_timeline_date:
            timeline = "%s (%s)" % (timeline, self.proactive_timeline_date) if timeline else str(
                self.proactive_timeline_date
            )

        budget = ""
        if self.proactive_budget:
            budget = format_amount(env, self.proactive_budget, self.company_currency)

        missing = []
        if not (self.proactive_city or self.proactive_zip):
            missing.append(env._("city or zip"))
        if not self.proactive_timeline:
            missing.append(env._("timeline"))
        if not self.proactive_need:
            missing.append(env._("need"))

        return {
            "contact": self.contact_name or self.partner_name or self.partner_id.name or "",
            "phone": self.phone or "",
            "email": self.email_from or "",
            "source": self.source_id.name or env._("Unknown source"),
            "channel": channels.get(self.proactive_channel, ""),
            "place": ", ".join(filter(None, [self.proactive_city, self.proactive_zip])),
            "timeline": timeline,
            "need": self.proactive_need or "",
            "budget": budget,
            "intent": env._(
                "%(level)s (score %(score)s): %(signals)s",
                level=levels.get(self.proactive_intent_level, ""),
                score=self.proactive_intent_score,
                signals=", ".join(self.proactive_intent_signal_ids.mapped("name")),
            ),
            "signal_ids": sorted(self.proactive_intent_signal_ids.ids),
            "next_step": self._proactive_best_next_step(env),
            "missing": ", ".join(missing),
            "messages": self._proactive_handoff_messages(owner),
            "time_zone": self._sla_user_tz(owner),
        }

    def _proactive_best_next_step(self, env):
        """Return the next step of the strongest signal that has one, else
        the fastest way to reach the lead."""
        signals = self.with_env(env).proactive_intent_signal_ids.sorted(
            lambda s: (s.level != "high", -s.weight, s.sequence, s.id)
        )
        for signal in signals:
            if signal.next_step:
                return signal.next_step
        if self.phone:
            return env._("Call %(phone)s now.", phone=self.phone)
        if self.proactive_channel == "marketplace_chat":
            return env._("Answer the lead in the marketplace chat now.")
        return env._("Reply to %(email)s now.", email=self.email_from or "")

    def _proactive_handoff_messages(self, owner):
        """Return the last messages of the conversation, oldest first, as
        plain text with their author and time."""
        messages = self.env["mail.message"].sudo().search(
            [
                ("model", "=", self._name),
                ("res_id", "=", self.id),
                ("message_type", "in", list(CONVERSATION_MESSAGE_TYPES)),
                ("proactive_auto_reason", "=", False),
            ],
            order="id desc",
            limit=HANDOFF_MESSAGE_COUNT * 3,
        )
        messages = messages.filtered(lambda m: not m.subtype_id.internal)[:HANDOFF_MESSAGE_COUNT]
        result = []
        for message in reversed(messages):
            text = mail_text.extract_new_text(mail_text.html_to_text(str(message.body or "")))
            if len(text) > HANDOFF_MESSAGE_CHARS:
                text = text[:HANDOFF_MESSAGE_CHARS].rstrip() + "…"
            result.append(
                {
                    "author": message.author_id.name or message.email_from or "",
                    "date": format_datetime(
                        self.env, message.date, tz=self._sla_user_tz(owner), dt_format="short",
                        lang_code=owner.lang or None,
                    ),
                    "body": plaintext2html(text) if text else "",
                }
            )
        return result

    def _proactive_render_handoff(self, values, owner):
        return self.env["ir.qweb"].with_context(lang=owner.lang or self.env.lang)._render(
            "lead_proactive.proactive_handoff_summary", values, minimal_qcontext=True
        )

    @api.model
    def _proactive_handoff_fingerprint(self, values):
        """Return a digest of the summary's facts: the last messages are left
        out, so a new message alone does not post the summary again."""
        facts = {key: value for key, value in values.items() if key != "messages"}
        return hashlib.sha256(repr(sorted(facts.items())).encode()).hexdigest()

    # ------------------------------------------------------------
    # Medium intent: options
    # ------------------------------------------------------------
    def _proactive_send_options(self, messages):
        """Send the options script once per lead, or log why not.

        The options wait when the lead's latest message already got a reply
        in this run (the instant reply), so a new lead never gets two
        automated messages at once. A skipped options touch is tried again on
        the lead's next message and logged only the first time.
        """
        self.ensure_one()
        current = MILESTONE_RANK.get(self.stage_id.proactive_milestone or "new", 0)
        if current >= MILESTONE_RANK["options_sent"]:
            return
        Touch = self.env["proactive.touch"].sudo()
        touch = Touch.search([("lead_id", "=", self.id), ("step", "=", OPTIONS_STEP)])
        if touch and touch.state != "skipped":
            return
        if self._proactive_answered_after(messages[-1]):
            return
        assisted = self._proactive_is_assisted()
        template = self.env["mail.template"].sudo()._proactive_select("options", self.source_id)
        reason = self._proactive_guard_reason()
        if not reason and not template:
            reason = self.env._("no script is set up for options")
        if reason:
            if not touch:
                Touch.create(
                    {
                        **self._proactive_options_touch_values(template, assisted),
                        "state": "skipped",
                        "skip_reason": reason,
                    }
                )
                self.message_post(
                    body=self.env._("Options not sent: %(reason)s.", reason=reason),
                    subtype_xmlid="lead_proactive.mt_lead_guard",
                )
            return

        values = self._proactive_options_touch_values(template, assisted)
        if touch:
            touch.write({**values, "state": "claimed", "skip_reason": False})
        else:
            touch = Touch.create(values)
        if assisted:
            activity = self._proactive_schedule_assisted_reply(template)
            touch.write({"state": "sent", "activity_id": activity.id, "date": self.env.cr.now()})
        else:
            message = self._proactive_post_script(template, parent=messages[-1])
            touch.write({"state": "sent", "message_id": message.id, "date": message.date})
        stage = self.env["crm.stage"]._proactive_find("options_sent", team=self.team_id)
        if stage:
            self.stage_id = stage

    def _proactive_options_touch_values(self, template, assisted):
        return {
            "lead_id": self.id,
            "step": OPTIONS_STEP,
            "kind": "options",
            "channel": "assisted" if assisted else "email",
            "mail_template_id": template.id,
            "date": self.env.cr.now(),
        }

    def _proactive_answered_after(self, message):
        """Tell whether something was sent to the lead after ``message``."""
        self.ensure_one()
        if self._proactive_outbound_messages(Domain("id", ">", message.id), limit=1):
            return True
        return bool(
            self.env["proactive.touch"].sudo().search_count(
                [
                    ("lead_id", "=", self.id),
                    ("state", "=", "sent"),
                    ("date", ">=", message.create_date),
                ],
                limit=1,
            )
        )

    # ------------------------------------------------------------
    # Human takeover
    # ------------------------------------------------------------
    def _message_post_after_hook(self, message, msg_values):
        result = super()._message_post_after_hook(message, msg_values)
        user = self._proactive_takeover_user(msg_values)
        if user:
            self._proactive_take_over(user, message)
        return result

    def _proactive_takeover_user(self, msg_values):
        """Return the salesperson who wrote a posted message to the lead by
        hand, or no user.

        That is an internal user's chatter message to the customer (not a
        note), or an email that an internal user sent to the thread from
        their mailbox, and never one of the automation's own posts.
        """
        users = self.env["res.users"]
        if self.env.context.get("proactive_automated"):
            return users
        subtype = self.env["mail.message.subtype"].browse(msg_values.get("subtype_id"))
        if not subtype or subtype.internal:
            return users
        message_type = msg_values.get("message_type")
        if message_type == "comment":
            user = self.env.user
            if user._is_superuser() or not user._is_internal():
                return users
            return user
        if message_type == "email":
            author = self.env["res.partner"].browse(msg_values.get("author_id"))
            return self._proactive_internal_author(author)
        return users

    def _proactive_internal_author(self, partner):
        """Return the internal user behind ``partner`` unless the partner is
        the lead's own contact, else no user."""
        if not partner or partner == self.partner_id:
            return self.env["res.users"]
        return partner.sudo().user_ids.filtered(lambda u: u.active and u._is_internal())[:1]

    def _proactive_take_over(self, user, message):
        for lead in self.sudo():
            # A salesperson's own message is a reply too: when it comes
            # first (automation off or skipped), it is the first response.
            lead._proactive_record_first_response(message.date)
            if lead.proactive_paused and lead.proactive_takeover_user_id == user:
                continue
            values = {"proactive_takeover_user_id": user.id}
            if not lead.proactive_paused:
                values.update(
                    proactive_paused=True,
                    proactive_pause_reason=self.env._("Taken over by %(user)s", user=user.name),
                )
            lead.write(values)
            lead.with_context(proactive_automated=True).message_post(
                body=self.env._(
                    "%(user)s wrote to the lead: the automation is paused on this lead "
                    "until someone presses Resume Automation.",
                    user=user.name,
                ),
                subtype_xmlid="lead_proactive.mt_lead_guard",
            )
