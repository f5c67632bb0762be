# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Leads from the lead-source webhooks (Thumbtack, Google Local Services,
Angi, Yelp, generic JSON).

A webhook lead takes the email route. The lead is created, then the
person's text is posted on its chatter as an incoming email from the lead.
That post runs the ``on_message_received`` automation (guard, instant reply,
qualification, routing, follow-ups and SLA) as a gateway email does.

A lead that comes without any text of the person (a phone call, a bare
Yelp event) gets a note with the platform's summary instead. A note runs
no automation rule, so the same rules are run for it, and the lead flow
reads the note as the lead's first message without reading its text.

A later delivery of the same lead posts only the text that the lead's
chatter does not show yet. Such text counts as a reply only when it is a
message of a conversation written after the lead's first response: a
request sent again never does.
"""

import ast
import dataclasses
import datetime
import logging

from markupsafe import Markup

from odoo import api, models
from odoo.fields import Domain
from odoo.tools import plaintext2html
from odoo.tools.mail import email_normalize, formataddr

from ..tools import mail_text

_logger = logging.getLogger(__name__)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def _proactive_intake_create_lead(self, source, data):
        """Create the lead of ``data`` (an IntakeLead) from ``source`` and post
        the person's text, or a summary note when there is none, which runs
        the lead flow. Returns (lead, message)."""
        values = self._proactive_intake_prepare_values(source, data)
        # As in the mail gateway, the technical user does not become the
        # salesperson: the team's rules or its leader take the lead.
        # Some side effects wait for the end of the lead flow, which may make
        # them pointless (see _proactive_defer_until_processed).
        lead = (
            self.sudo()
            .with_company(source.company_id)
            .with_context(default_user_id=False, mail_create_nosubscribe=True)
            ._proactive_defer_until_processed()
            .create(values)
        )
        lead._assign_userless_lead_in_team(
            self.env._("the %(name)s webhook", name=source.name)
        )
        _logger.info(
            "Lead source %s: platform lead %s created lead %s",
            source.id,
            data.lead_id,
            lead.id,
        )
        arrival = values["proactive_arrival_date"]
        if data.has_text:
            message = lead._proactive_intake_post(
                source, data.message, "request", subject=data.need, date=arrival
            )
        else:
            message = lead._proactive_intake_post_summary(source, data, arrival)
        lead._proactive_run_deferred()
        return lead, message

    @api.model
    def _proactive_intake_prepare_values(self, source, data):
        now = self.env.cr.now().replace(microsecond=0)
        arrival = now
        if data.created:
            created = data.created.astimezone(datetime.UTC).replace(tzinfo=None, microsecond=0)
            # The response time counts from the platform's creation time; a
            # clock ahead of ours must not make it negative.
            arrival = min(created, now)
        email = email_normalize(data.email or "") or False
        channel = self._proactive_intake_channel(source, data, email)
        name = " - ".join(part for part in (data.need, data.name) if part)
        values = {
            "name": name or self.env._("%(name)s lead %(id)s", name=source.name, id=data.lead_id),
            "contact_name": data.name or False,
            "email_from": email,
            "phone": data.phone or False,
            "zip": data.zip_code or False,
            "city": data.city or False,
            "proactive_zip": data.zip_code or False,
            "proactive_city": data.city or False,
            "proactive_need": data.need or False,
            "proactive_tz": data.tz if data.tz in dict(self._tz_get()) else False,
            "proactive_channel": channel,
            "proactive_relay_email": bool(email and data.relay_email),
            "proactive_external_ref": data.lead_id,
            "proactive_arrival_date": arrival,
            "source_id": self._proactive_intake_utm_source(source, data).id,
            "medium_id": source.utm_medium_id.id,
            "company_id": source.company_id.id,
            "description": plaintext2html(self._proactive_intake_description(data)),
        }
        values.update(self._proactive_team_values(source.team_id, source.company_id))
        if data.state_code:
            state = self.env["res.country.state"].search(
                [("code", "=", data.state_code), ("country_id.code", "=", "US")], limit=1
            )
            if state:
                values.update(state_id=state.id, country_id=state.country_id.id)
        if email:
            partners = self.env["res.partner"].sudo().search(
                [("email_normalized", "=", email)], limit=2
            )
            # Only a single customer contact becomes the lead's partner.
            if len(partners) == 1 and partners.partner_share:
                values["partner_id"] = partners.id
        if channel == "sms" and "proactive_sms_consent" in self._fields:
            values["proactive_sms_consent"] = True
        return values

    @api.model
    def _proactive_team_values(self, team, company):
        """Return the team and type of a lead that does not come through a
        mail alias (a webhook or a text).

        Without a team, the company's default sales team is used, so the
        lead is routed and assigned. The type is the one the team's alias
        gives its leads, so these leads appear where emailed ones do.
        """
        if not team:
            team = self.env["crm.team"].sudo()._get_default_team_id(
                domain=[("company_id", "in", [company.id, False])]
            )
        if not team:
            return {}
        try:
            alias_type = ast.literal_eval(team.sudo().alias_defaults or "{}").get("type")
        except (ValueError, SyntaxError, AttributeError):
            alias_type = None
        if alias_type not in ("lead", "opportunity"):
            # A team without an alias: leads only when the team qualifies
            # leads and the database uses them, as crm decides for aliases.
            use_leads = team.use_leads and self.env.ref("crm.group_use_lead").sudo().all_user_ids
            alias_type = "lead" if use_leads else "opportunity"
        return {"team_id": team.id, "type": alias_type}

    @api.model
    def _proactive_intake_channel(self, source, data, email):
        """Return the lead's proactive_channel: email when there is an email
        address, SMS for a phone-only lead when texts may be sent, a phone call
        for other phone-only leads, else the assisted reply of platform chats."""
        if source.reply_channel == "platform" or data.reply_channel == "platform":
            return "marketplace_chat"
        if email:
            return "email"
        channels = dict(self._fields["proactive_channel"]._description_selection(self.env))
        if data.phone and "sms" in channels and source.sms_consent:
            return "sms"
        if data.phone:
            # No text may be sent from Odoo: a salesperson calls, with the
            # script in an activity.
            return "phone"
        return "marketplace_chat"

    @api.model
    def _proactive_intake_utm_source(self, source, data):
        if data.source_name:
            named = self.env["utm.source"].search([("name", "=ilike", data.source_name)], limit=1)
            if named:
                return named
        return source.utm_source_id

    @api.model
    def _proactive_intake_description(self, data):
        lines = [data.message] if data.message else []
        if data.details:
            lines.append("")
            lines.extend("%s: %s" % pair for pair in data.details)
        if data.source_name:
            lines.append(self.env._("Source: %(name)s", name=data.source_name))
        return "\n".join(lines)

    # ------------------------------------------------------------
    # Posting the person's text
    # ------------------------------------------------------------
    def _proactive_intake_post(self, source, text, kind, subject=None, date=None):
        """Post ``text`` as an incoming email from the lead, marked with
        ``kind`` (see mail.message.proactive_intake_kind).

        The post runs the ``on_message_received`` automation rules because
        its author is the lead's customer contact or no contact at all. The
        message is dated when the person wrote it (``date``, UTC), so that
        "tomorrow" in the text is read from that day.
        """
        self.ensure_one()
        author = self.partner_id if self.partner_id.partner_share else self.env["res.partner"]
        email_from = author.email_formatted if author else self._proactive_intake_author(source)
        values = {
            "body": plaintext2html(text or ""),
            "subject": subject or False,
            "message_type": "email",
            "subtype_xmlid": "mail.mt_comment",
            "author_id": author.id or False,
            "email_from": email_from,
            "proactive_intake_kind": kind,
        }
        if date:
            values["date"] = date
        return self.with_context(mail_create_nosubscribe=True).message_post(**values)

    def _proactive_intake_author(self, source):
        """Return the author line of the person's messages when the lead has
        no contact partner: the name with the email address, else with the
        phone number, else the platform's name."""
        self.ensure_one()
        name = self.contact_name or ""
        if self.email_from:
            return formataddr((name, self.email_from))
        if self.phone:
            return "%s (%s)" % (name, self.phone) if name else self.phone
        return name or self.env._("%(platform)s customer", platform=source.name)

    def _proactive_intake_post_summary(self, source, data, date):
        """Log the platform's summary of a lead that came without text of the
        person, then run the lead flow on it.

        The summary is a note, so it is never shown as the person's words.
        Notes run no automation rule, so the "On incoming message" rules that
        a message of the lead would run are run here.
        """
        self.ensure_one()
        intro = self.env._(
            "%(platform)s sent this lead without a message from the customer.",
            platform=source.name,
        )
        body = Markup("<p>%s</p>") % intro
        if data.message:
            body += Markup("<p>%s</p>") % data.message
        message = self.with_context(mail_create_nosubscribe=True).message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            date=date,
            proactive_intake_kind="summary",
        )
        self._proactive_intake_run_inbound_rules()
        return message

    def _proactive_intake_run_inbound_rules(self):
        """Run the active "On incoming message" automation rules on the leads,
        with their conditions, as base_automation does after a message_post."""
        automations = self.env["base.automation"]._get_actions(self, ["on_message_received"])
        for automation in automations.with_context(old_values=None):
            automation._process(automation._filter_pre(self, feedback=True))

    # ------------------------------------------------------------
    # Later deliveries
    # ------------------------------------------------------------
    def _proactive_intake_add(self, source, data):
        """Post the text of a later delivery that the lead does not show yet.

        Returns the posted message, a note for a platform event that carries
        no new text (a Yelp event), or an empty recordset when the delivery
        adds nothing.
        """
        self.ensure_one()
        texts = self._proactive_intake_new_texts(data.texts)
        if texts:
            conversation = [text for text in texts if not text.request]
            return self._proactive_intake_post(
                source,
                "\n\n".join(text.text for text in texts),
                "conversation" if conversation else "request",
                date=self._proactive_intake_written_date(conversation),
            )
        if data.reports_event:
            return self._proactive_intake_note(source, data)
        return self.env["mail.message"]

    def _proactive_intake_new_texts(self, texts):
        """Return the parts of ``texts`` (IntakeText) that the lead's incoming
        messages do not contain yet.

        A conversation entry is new when one of its lines is; other texts
        keep only their new lines. Lines are compared with their spaces
        collapsed and case ignored.

        NOTE: a line the person writes again word for word, such as a second
        "yes", is not posted again.
        """
        self.ensure_one()
        known = self._proactive_intake_known_lines()
        result = []
        for text in texts:
            new_lines = []
            for line in text.text.splitlines():
                key = _line_key(line)
                if key and key not in known:
                    new_lines.append(line)
                    known.add(key)
            if not new_lines:
                continue
            if text.entry:
                result.append(text)
            else:
                result.append(dataclasses.replace(text, text="\n".join(new_lines)))
        return result

    def _proactive_intake_known_lines(self):
        """Return the line keys of the incoming emails on the lead, posted by
        the webhook or received by the mail gateway."""
        self.ensure_one()
        messages = self.env["mail.message"].sudo().search(
            Domain("model", "=", self._name)
            & Domain("res_id", "=", self.id)
            & Domain("message_type", "=", "email")
        )
        known = set()
        for message in messages:
            text = mail_text.html_to_text(str(message.body or ""))
            known.update(_line_key(line) for line in text.splitlines())
        known.discard("")
        return known

    def _proactive_intake_written_date(self, texts):
        """Return when the person wrote the latest of ``texts`` (naive UTC),
        or None when one of them has no date."""
        if not texts or any(not text.date for text in texts):
            return None
        latest = max(text.date for text in texts).astimezone(datetime.UTC)
        now = self.env.cr.now().replace(microsecond=0)
        return min(latest.replace(tzinfo=None, microsecond=0), now)

    def _proactive_intake_note(self, source, data):
        """Log a delivery that carries no new text of the person (a Yelp
        activity notification) without running the lead flow."""
        self.ensure_one()
        return self.message_post(
            body=self.env._(
                "%(name)s sent new activity on this lead: read it on the platform.",
                name=source.name,
            ),
            subtype_xmlid="lead_proactive.mt_lead_guard",
        )

    # ------------------------------------------------------------
    # Lead flow
    # ------------------------------------------------------------
    def _proactive_inbound_messages(self):
        """Add the summary note of a lead that came without text, so the
        flow reads it as the lead's first message."""
        messages = super()._proactive_inbound_messages()
        domain = (
            Domain("model", "=", self._name)
            & Domain("res_id", "=", self.id)
            & Domain("proactive_intake_kind", "=", "summary")
        )
        if self.proactive_last_message_id:
            domain &= Domain("id", ">", self.proactive_last_message_id.id)
        summaries = self.env["mail.message"].sudo().search(domain, order="id")
        return (messages | summaries).sorted("id")

    def _proactive_message_parts(self, message):
        # The summary is the webhook's text, not the person's: nothing in it
        # is read as the lead's need, place or timeline.
        if message.proactive_intake_kind == "summary":
            return "", "", ""
        return super()._proactive_message_parts(message)

    def _proactive_inbound_stop_followup(self, batch):
        # A request that a platform sends again, even with new lines, is not
        # a reply to our follow-ups, so the sequence goes on.
        if all(
            message.proactive_intake_kind in ("request", "summary")
            for message in batch.real_messages
        ):
            return
        super()._proactive_inbound_stop_followup(batch)

    def _proactive_is_reply(self, message):
        kind = message.proactive_intake_kind
        if kind in ("request", "summary"):
            return False
        is_reply = super()._proactive_is_reply(message)
        if is_reply and kind == "conversation" and self.proactive_first_response_date:
            # Written before our first response (a conversation delivered
            # late): the person had no response yet.
            return message.date >= self.proactive_first_response_date
        return is_reply

    def _get_message_create_valid_field_names(self):
        return super()._get_message_create_valid_field_names() | {"proactive_intake_kind"}


def _line_key(line):
    """Return ``line`` as it is compared with the lines already posted."""
    return " ".join(line.split()).casefold()
