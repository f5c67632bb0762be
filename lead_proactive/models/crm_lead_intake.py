# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Leads from the lead-source webhooks (Thumbtack, Google Local Services,
Angi, Yelp, generic JSON).

A webhook lead takes the email route. The lead is created, then the
person's text is posted on its chatter as an incoming email from the lead.
That post runs the ``on_message_received`` automation (guard, instant reply,
qualification, routing, follow-ups and SLA) as a gateway email does.
"""

import ast
import datetime
import logging

from odoo import api, models
from odoo.tools import plaintext2html
from odoo.tools.mail import email_normalize, formataddr

_logger = logging.getLogger(__name__)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def _proactive_intake_create_lead(self, source, data):
        """Create the lead of ``data`` (an IntakeLead) from ``source`` and post
        the person's text, which runs the lead flow. Returns (lead, message)."""
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
        message = lead._proactive_intake_post(data, values["proactive_arrival_date"])
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

    def _proactive_intake_post(self, data, date=None):
        """Post the person's text as an incoming email from the lead.

        The post runs the ``on_message_received`` automation rules because
        its author is the lead's customer contact or no contact at all. The
        message is dated at the platform's creation time (``date``), so that
        "tomorrow" in the text is read from the day the person wrote it.
        """
        self.ensure_one()
        author = self.partner_id if self.partner_id.partner_share else self.env["res.partner"]
        if author:
            email_from = author.email_formatted
        elif self.email_from:
            email_from = formataddr((self.contact_name or "", self.email_from))
        else:
            email_from = self.phone or self.contact_name or False
        values = {
            "body": plaintext2html(data.message or ""),
            "subject": data.need or False,
            "message_type": "email",
            "subtype_xmlid": "mail.mt_comment",
            "author_id": author.id or False,
            "email_from": email_from,
        }
        if date:
            values["date"] = date
        return self.with_context(mail_create_nosubscribe=True).message_post(**values)

    def _proactive_intake_note(self, source, data):
        """Log a delivery that carries no text of the person (a bare Yelp
        activity notification) without running the lead flow."""
        self.ensure_one()
        return self.message_post(
            body=self.env._(
                "%(name)s sent new activity on this lead: read it on the platform.",
                name=source.name,
            ),
            subtype_xmlid="lead_proactive.mt_lead_guard",
        )
