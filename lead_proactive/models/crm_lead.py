# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import functools
import logging
import re
import zoneinfo

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import html2plaintext, plaintext2html
from odoo.tools.mail import email_normalize

from ..tools import lead_parser, lead_sources, mail_guard, mail_text
from .crm_stage import MILESTONE_RANK

_logger = logging.getLogger(__name__)

CHANNELS = [
    ("email", "Email"),
    ("relay", "Email relay"),
    ("marketplace_chat", "Marketplace or platform chat"),
    ("phone", "Phone call"),
    ("manual", "Entered by hand"),
]
# Channels that cannot be replied to by email: a salesperson replies, with
# the script in an activity.
ASSISTED_CHANNELS = ("marketplace_chat", "phone")
TIMELINES = [
    ("today", "Today"),
    ("this_week", "This week"),
    ("later", "Later"),
]
# Qualification fields the parser fills, with the ParseResult attribute each
# one comes from. A value typed by a salesperson is never overwritten.
PARSED_FIELDS = {
    "proactive_zip": "zip_code",
    "proactive_city": "city",
    "proactive_timeline": "timeline",
    "proactive_timeline_date": "timeline_date",
    "proactive_need": "need",
    "proactive_budget": "budget",
}
# Context key of the work that waits for the end of an inbound message's
# processing (see crm.lead._proactive_defer_until_processed). It is a dict, so
# that what it collects survives savepoint rollbacks, unlike the cursor's
# caches and commit hooks.
DEFERRED_WORK = "proactive_deferred_work"
# utm.source records for the sources recognised in notification emails.
SOURCE_XMLIDS = {
    "craigslist": "utm.utm_source_craigslist",
    "facebook_marketplace": "lead_proactive.utm_source_facebook_marketplace",
    "offerup": "lead_proactive.utm_source_offerup",
    "google": "lead_proactive.utm_source_google",
    "website": "lead_proactive.utm_source_website",
}


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # ------------------------------------------------------------
    # Capture
    # ------------------------------------------------------------
    proactive_arrival_date = fields.Datetime(
        string="Arrived On",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the lead's first message reached Odoo.",
    )
    proactive_channel = fields.Selection(
        CHANNELS,
        string="Channel",
        copy=False,
        help="Where the conversation with the lead takes place. Marketplace "
        "chats (Facebook Marketplace, OfferUp), lead platform inboxes "
        "(Thumbtack, Yelp) and phone calls cannot be answered by email: "
        "their replies are assisted.",
    )
    proactive_relay_email = fields.Boolean(
        string="Temporary Relay Address",
        copy=False,
        help="The email address is a classifieds relay that stops working when "
        "the listing expires: ask for a direct contact.",
    )
    proactive_external_ref = fields.Char(
        string="Platform Lead ID",
        copy=False,
        index="btree_not_null",
        help="The lead's id on the platform that sent it; a re-sent "
        "notification with the same id is added to the same lead.",
    )
    proactive_tz = fields.Selection(
        "_tz_get",
        string="Lead Time Zone",
        help="Used to read 'today' or 'tomorrow' in the lead's messages. Empty: "
        "the contact's time zone, else the company's.",
    )

    # ------------------------------------------------------------
    # Response
    # ------------------------------------------------------------
    proactive_first_response_date = fields.Datetime(
        string="First Response On", readonly=True, copy=False
    )
    proactive_first_response_seconds = fields.Integer(
        string="First Response (s)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Seconds from the lead's arrival to the first reply being sent, "
        "queued or logged by a salesperson.",
    )
    proactive_replied = fields.Boolean(
        string="Lead Replied",
        readonly=True,
        copy=False,
        help="The lead wrote back after our first reply. Automatic replies "
        "(out-of-office, bounces) do not count.",
    )
    proactive_last_inbound_date = fields.Datetime(
        string="Last Message From Lead", readonly=True, copy=False
    )
    proactive_last_message_id = fields.Many2one(
        "mail.message",
        string="Last Processed Message",
        readonly=True,
        copy=False,
        help="Technical: inbound messages up to this one have been read by the "
        "automation.",
    )
    proactive_touch_ids = fields.One2many(
        "proactive.touch", "lead_id", string="Touches", readonly=True
    )
    proactive_touch_count = fields.Integer(
        compute="_compute_proactive_touch_count", string="Touch Count"
    )

    # ------------------------------------------------------------
    # Guard
    # ------------------------------------------------------------
    proactive_opt_out = fields.Boolean(
        string="Opted Out",
        copy=False,
        tracking=True,
        help="The lead asked not to be contacted: no automated message is sent.",
    )
    proactive_paused = fields.Boolean(
        string="Automation Paused",
        copy=False,
        tracking=True,
        help="No automated message is sent to this lead until someone resumes "
        "the automation.",
    )
    proactive_pause_reason = fields.Char(string="Pause Reason", copy=False)
    proactive_error = fields.Text(
        string="Automation Error",
        readonly=True,
        copy=False,
        help="The last error the automation met on this lead. The inbound "
        "message is kept; the automation can be run again from the lead.",
    )

    # ------------------------------------------------------------
    # Qualification
    # ------------------------------------------------------------
    proactive_zip = fields.Char(string="Lead Zip", copy=False)
    proactive_city = fields.Char(string="Lead City", copy=False)
    proactive_timeline = fields.Selection(TIMELINES, string="Timeline", copy=False)
    proactive_timeline_date = fields.Date(string="Wanted On", copy=False)
    proactive_need = fields.Char(string="Need", copy=False)
    proactive_listing = fields.Char(
        string="Listing",
        copy=False,
        help="Title of the ad or marketplace listing the lead wrote about. It "
        "names the item asked about; the need comes from the lead's own words.",
    )
    proactive_budget = fields.Monetary(
        string="Budget", currency_field="company_currency", copy=False
    )
    proactive_manual_fields = fields.Char(
        string="Fields Set by Hand",
        copy=False,
        help="Technical: qualification fields a user has set; the message "
        "parser leaves them alone.",
    )
    proactive_milestone = fields.Selection(
        related="stage_id.proactive_milestone", string="Milestone"
    )

    @api.model
    def _tz_get(self):
        return list(_time_zone_selection())

    @api.depends("proactive_touch_ids")
    def _compute_proactive_touch_count(self):
        counts = dict(
            self.env["proactive.touch"]._read_group(
                [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]
            )
        )
        for lead in self:
            lead.proactive_touch_count = counts.get(lead, 0)

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # Whole seconds, like the message dates it is compared with: a reply
        # queued in the same second must not look older than the lead.
        now = self.env.cr.now().replace(microsecond=0)
        for vals in vals_list:
            vals.setdefault("proactive_arrival_date", now)
            if not self.env.context.get("proactive_parser"):
                manual = self._proactive_manual_fields_in(vals)
                if manual:
                    vals["proactive_manual_fields"] = ",".join(manual)
        return super().create(vals_list)

    def write(self, vals):
        manual = (
            self._proactive_manual_fields_in(vals)
            if not self.env.context.get("proactive_parser")
            else []
        )
        result = super().write(vals)
        if manual:
            for lead in self:
                known = set(filter(None, (lead.proactive_manual_fields or "").split(",")))
                if not known.issuperset(manual):
                    super(CrmLead, lead).write(
                        {"proactive_manual_fields": ",".join(sorted(known | set(manual)))}
                    )
        return result

    @api.model
    def _proactive_ref(self, xmlid, raise_if_not_found=True):
        """Return the record of ``xmlid`` (None when it is unknown and
        ``raise_if_not_found`` is False).

        Unlike ``env.ref``, which runs a query on each call to check that
        the record exists, this only reads Odoo's cache of xml ids: the lead
        flow looks up several records for each inbound message.
        """
        model, res_id = self.env["ir.model.data"]._xmlid_to_res_model_res_id(
            xmlid, raise_if_not_found=raise_if_not_found
        )
        return self.env[model].browse(res_id) if model else None

    @api.model
    def _proactive_manual_fields_in(self, vals):
        return sorted(name for name in PARSED_FIELDS if vals.get(name))

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_proactive_resume(self):
        self.write(
            {"proactive_paused": False, "proactive_pause_reason": False, "proactive_error": False}
        )
        for lead in self:
            lead.message_post(body=_("Lead automation resumed."))

    def action_proactive_run(self):
        """Read the lead's unread inbound messages again, e.g. after an error."""
        self.write({"proactive_error": False})
        self._proactive_process_inbound()

    def action_proactive_view_touches(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "lead_proactive.proactive_touch_action"
        )
        action["domain"] = [("lead_id", "in", self.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        headers = self.env.context.get("proactive_mail_headers") or {}
        values = dict(custom_values or {})
        contact = self._proactive_identify_contact(msg_dict, headers)

        # A platform that re-sends the same lead (same platform id) adds to the
        # lead it already created instead of making a duplicate.
        if contact.external_id:
            existing = self.search(
                [
                    ("proactive_external_ref", "=", contact.external_id),
                    ("won_status", "=", "pending"),
                ],
                limit=1,
            )
            if existing:
                return existing
        values.update(self._proactive_prepare_capture_values(msg_dict, contact))
        if contact.is_notifier:
            # The author found by the gateway is the notifier, not the person.
            msg_dict["author_id"] = False
        if (msg_dict.get("proactive_auto_reason") or "").startswith("mailing_list"):
            values["proactive_paused"] = True
            values["proactive_pause_reason"] = _(
                "Arrived through a mailing list: review it before contacting anyone."
            )
        # mail.thread copies the sender into the lead's email: give it the
        # person's address instead, or none when the channel has no address.
        return super().message_new(
            dict(msg_dict, email_from=contact.email or False), custom_values=values
        )

    @api.model
    def _proactive_identify_contact(self, msg_dict, headers):
        body = msg_dict.get("body") or ""
        text = mail_text.html_to_text(str(body))
        return lead_sources.identify_contact(
            msg_dict.get("from") or msg_dict.get("email_from") or "",
            headers.get("Reply-To"),
            msg_dict.get("subject") or "",
            text,
            headers=headers,
        )

    @api.model
    def _proactive_prepare_capture_values(self, msg_dict, contact):
        values = {
            "email_from": contact.email or False,
            "proactive_channel": contact.channel,
            "proactive_relay_email": contact.channel == "relay",
            "proactive_external_ref": contact.external_id or False,
            "description": plaintext2html(contact.message) if contact.message else False,
            "proactive_listing": contact.listing_title or False,
        }
        if contact.contact_name:
            values["contact_name"] = contact.contact_name
        if contact.phone:
            phone = lead_parser.parse_message(contact.phone, fields.Datetime.now()).phone
            values["phone"] = phone or contact.phone
        source = self._proactive_source_for(contact.source)
        if source:
            values["source_id"] = source.id
        medium_xmlid = (
            "utm.utm_medium_website" if contact.source == "website" else "utm.utm_medium_email"
        )
        values["medium_id"] = self._proactive_ref(medium_xmlid).id
        if not contact.email or not msg_dict.get("author_id"):
            values["partner_id"] = False
        return values

    @api.model
    def _proactive_source_for(self, source_key):
        xmlid = SOURCE_XMLIDS.get(source_key or "")
        return self._proactive_ref(xmlid, raise_if_not_found=False) if xmlid else None

    def _message_receive_bounce(self, email, partner):
        super()._message_receive_bounce(email, partner)
        for lead in self:
            lead.message_post(
                body=_(
                    "Email to %(email)s bounced: no more automated emails are sent "
                    "to this address.",
                    email=email,
                ),
                subtype_xmlid="lead_proactive.mt_lead_guard",
            )

    # ------------------------------------------------------------
    # Work deferred to the end of an inbound message's processing
    # ------------------------------------------------------------
    @api.model
    def _proactive_defer_until_processed(self):
        """Return ``self`` in a context where some side effects wait for
        ``_proactive_run_deferred``, which the caller runs once the inbound
        message is captured, posted and processed by the lead flow.

        The flow often makes them pointless in the meantime: the "assigned
        to you" email when a handoff note notifies the same user
        (crm_lead_assignment.py), the SLA cron's wake-up at a first-reply
        deadline that the instant reply met (crm_lead_sla.py).
        """
        return self.with_context(**{DEFERRED_WORK: {}})

    def _proactive_deferred_work(self):
        """Return the dict that collects the deferred work, or None when no
        work is deferred (no such context, or its work already ran)."""
        deferred = self.env.context.get(DEFERRED_WORK)
        if deferred is None or deferred.get("done"):
            return None
        return deferred

    def _proactive_defer_for(self, deferred):
        """Record that ``deferred`` contains work for the leads of ``self``."""
        deferred.setdefault("lead_ids", set()).update(self.ids)

    @api.model
    def _proactive_run_deferred(self):
        """Do the deferred work; from then on nothing is deferred any more
        in this context."""
        deferred = self._proactive_deferred_work()
        if deferred is None:
            return
        deferred["done"] = True
        leads = self.browse(list(deferred.get("lead_ids", ()))).exists()
        if leads:
            leads._proactive_process_deferred(deferred)

    def _proactive_process_deferred(self, deferred):
        """Do the work that ``deferred`` collected for the leads of ``self``
        (those that still exist). Each module that defers work overrides
        this and calls super."""

    # ------------------------------------------------------------
    # Inbound processing
    # ------------------------------------------------------------
    def _proactive_process_inbound(self):
        """Read the leads' new inbound messages, then run the steps of the
        flow whose automation rules are active (see crm_lead_inbound.py).

        Each lead runs in its own savepoint: a failure is logged with the
        lead's id and left on the lead, and the message that caused it stays
        in the chatter because the gateway's transaction still commits.
        """
        # Every step rule of the flow runs this for the same message: the
        # first run reads it, and the others find nothing left to read.
        leads = self.filtered(lambda lead: not lead._proactive_inbound_all_read())
        if not leads:
            return
        rules = leads._proactive_inbound_rules()
        for lead in leads:
            try:
                with self.env.cr.savepoint():
                    lead._proactive_process_inbound_one(rules)
            except Exception as error:  # noqa: BLE001 - any failure must be isolated
                _logger.exception("Lead automation failed on lead %s", lead.id)
                lead.sudo().write({"proactive_error": str(error) or repr(error)})
                lead.sudo().message_post(
                    body=_(
                        "The lead automation failed on this lead and stopped: %(error)s",
                        error=str(error) or repr(error),
                    ),
                    subtype_xmlid="lead_proactive.mt_lead_guard",
                )

    def _proactive_inbound_messages(self):
        self.ensure_one()
        domain = [
            ("model", "=", self._name),
            ("res_id", "=", self.id),
            ("message_type", "=", "email"),
        ]
        if self.proactive_last_message_id:
            domain.append(("id", ">", self.proactive_last_message_id.id))
        return self.env["mail.message"].sudo().search(domain, order="id")

    def _proactive_on_inbound(self, message, text):
        """Hook run for each message the lead wrote (not automatic mail),
        after the steps that read single messages. ``text`` is its new text.
        It runs whichever automation rules are switched off."""

    def _proactive_after_inbound(self, messages):
        """Hook run once per processing run, after every step of the flow.
        It runs whichever automation rules are switched off."""

    def _proactive_message_text(self, message):
        """Return the new text of ``message``, without the quoted history."""
        body, subject, _own_subject = self._proactive_message_parts(message)
        return "%s\n%s" % (body, subject) if subject else body

    def _proactive_message_parts(self, message):
        """Return the new text of ``message``, the subject worth reading and
        the subject the lead wrote itself, listing titles left out.

        A first message's subject is read too ("need movers in 02139 asap"):
        replies repeat ours. It gives the need only when the text states none
        and the lead wrote the subject, not as a reply to ours. A notifier's
        subject or an ad title names the item asked about, and the listing's
        price or place is not the lead's, so it is left out.
        """
        self.ensure_one()
        body = mail_text.extract_new_text(mail_text.html_to_text(str(message.body or "")))
        body = self._proactive_without_listing(body)
        subject = own_subject = ""
        if not self.proactive_last_inbound_date and message.subject:
            subject = self._proactive_without_listing(
                lead_sources.strip_reply_prefix(message.subject)
            ).strip()
            if subject == message.subject.strip() and self._proactive_is_written_by_lead(
                message
            ):
                own_subject = subject
        return body, subject, own_subject

    def _proactive_record_inbound(self, message, values=None):
        """Store when the lead last wrote, and whether it replied to us,
        with the other ``values`` in the same write."""
        self.ensure_one()
        values = {**(values or {}), "proactive_last_inbound_date": message.date}
        if not self.proactive_replied and self._proactive_is_reply(message):
            values["proactive_replied"] = True
        self.write(values)

    def _proactive_is_reply(self, message):
        """Return whether ``message``, written by the lead, replies to us: the
        lead got its first response, or an email or text, before it."""
        self.ensure_one()
        if self.proactive_first_response_date:
            return True
        # An assisted reply's touch is sent when its activity is scheduled,
        # before anyone replies to the lead, so it does not count.
        return bool(
            self.proactive_touch_ids.filtered(
                lambda touch: touch.state == "sent" and touch.channel != "assisted"
            )
        )

    def _proactive_read_message(self, message, text, need_texts=None):
        """Store the need, place, timing and budget that ``text`` states.

        ``need_texts`` lists where the need may be read, first match wins
        (see ``_proactive_message_parts``); by default, ``text`` itself.
        """
        self.ensure_one()
        reference = self._proactive_local_time(message.date)
        result = lead_parser.parse_message(
            text, reference, known_cities=self._proactive_known_cities()
        )
        if need_texts is not None:
            result.need = next(
                filter(None, (lead_parser.extract_need(part) for part in need_texts)), ""
            )
        manual = set(filter(None, (self.proactive_manual_fields or "").split(",")))
        values = {}
        for field_name, attribute in PARSED_FIELDS.items():
            value = getattr(result, attribute)
            if value and field_name not in manual:
                values[field_name] = value
        if result.phone and not self.phone:
            values["phone"] = result.phone
        if values:
            self.with_context(proactive_parser=True).write(values)

    def _proactive_without_listing(self, text):
        """Blank out the listing title, so its words are not read as the lead's."""
        listing = (self.proactive_listing or "").strip()
        if not listing or not text:
            return text
        return re.sub(re.escape(listing), " ", text, flags=re.IGNORECASE)

    def _proactive_is_written_by_lead(self, message):
        """Tell a message the lead sent from a notification that reports it."""
        sender = email_normalize(message.email_from or "")
        return bool(sender) and sender == self.email_normalized

    def _proactive_known_cities(self):
        """Cities of the service area, read by the parser in bare replies."""
        param = self.env["ir.config_parameter"].sudo().get_param(
            "lead_proactive.service_cities", ""
        )
        return [city.strip() for city in param.split(",") if city.strip()]

    def _proactive_get_tz(self):
        self.ensure_one()
        name = (
            self.proactive_tz
            or self.partner_id.tz
            or self.company_id.partner_id.tz
            or self.env.company.partner_id.tz
            or "UTC"
        )
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def _proactive_local_time(self, utc_naive):
        return (
            (utc_naive or self.env.cr.now())
            .replace(tzinfo=zoneinfo.ZoneInfo("UTC"))
            .astimezone(self._proactive_get_tz())
        )

    def _proactive_update_stage(self):
        """Move a lead with a place and a timeline to the qualified stage."""
        self.ensure_one()
        if not ((self.proactive_city or self.proactive_zip) and self.proactive_timeline):
            return
        if self.won_status != "pending" or not self.active:
            return
        current = MILESTONE_RANK.get(self.stage_id.proactive_milestone or "new", 0)
        if current >= MILESTONE_RANK["qualified"]:
            return
        stage = self.env["crm.stage"]._proactive_find("qualified", team=self.team_id)
        if stage:
            self.stage_id = stage

    # ------------------------------------------------------------
    # Guard and instant reply
    # ------------------------------------------------------------
    def _proactive_guard_reason(self):
        """Return why no automated message may be sent to the lead, or ''.

        With the context key ``proactive_guard_ignore_pause``, a paused
        automation is not a reason: the other checks still apply.
        """
        self.ensure_one()
        if self.proactive_opt_out:
            return _("the lead opted out")
        if self.proactive_paused and not self.env.context.get("proactive_guard_ignore_pause"):
            return _("automation is paused: %(reason)s", reason=self.proactive_pause_reason or "")
        if self.won_status != "pending":
            return _("the lead is closed")
        if not self._proactive_guard_checks_email():
            return ""
        email = email_normalize(self.email_from or "")
        if not email:
            return _("the lead has no email address")
        if self.env["mail.blacklist"].sudo().search_count(
            [("email", "=", email), ("active", "=", True)], limit=1
        ):
            return _("%(email)s is on the email blacklist", email=email)
        if mail_guard.is_noreply_address(email):
            return _("%(email)s is a no-reply address", email=email)
        if self.message_bounce:
            return _("emails to %(email)s bounced", email=email)
        return ""

    def _proactive_guard_checks_email(self):
        """Return whether the guard checks the lead's email address. Channels
        whose messages are not emailed (marketplace chats, phone calls) skip
        those checks."""
        return not self._proactive_is_assisted()

    def _proactive_is_assisted(self):
        """Return whether the lead's replies are given by a salesperson with a
        script (a marketplace chat or a phone call) rather than emailed."""
        self.ensure_one()
        return self.proactive_channel in ASSISTED_CHANNELS

    def _proactive_send_instant_reply(self, trigger_message):
        """Reply to the lead right away, or log on the lead why not."""
        self.ensure_one()
        Touch = self.env["proactive.touch"].sudo()
        assisted = self._proactive_is_assisted()
        Template = self.env["mail.template"].sudo()
        template = Template.browse()
        if self.proactive_channel == "phone":
            template = Template._proactive_select("call_script", self.source_id)
        if not template:
            usage = "assisted_reply" if assisted else "instant_reply"
            template = Template._proactive_select(usage, self.source_id)
        reason = self._proactive_guard_reason()
        if not reason and not template:
            reason = _("no script is set up for instant replies")
        touch_values = {
            "lead_id": self.id,
            "step": 0,
            "kind": "instant_reply",
            "channel": "assisted" if assisted else "email",
            "mail_template_id": template.id,
        }
        if reason:
            Touch.create({**touch_values, "state": "skipped", "skip_reason": reason})
            self.message_post(
                body=_("No instant reply sent: %(reason)s.", reason=reason),
                subtype_xmlid="lead_proactive.mt_lead_guard",
            )
            return
        touch = Touch.create(touch_values)
        if assisted:
            activity = self._proactive_schedule_assisted_reply(template)
            touch.write({"state": "sent", "activity_id": activity.id})
            return
        message = self._proactive_post_script(template, parent=trigger_message)
        touch.write({"state": "sent", "message_id": message.id, "date": message.date})
        self._proactive_record_first_response(message.date)

    def _proactive_post_script(self, template, parent=None):
        """Email the rendered script to the lead through the chatter.

        The message is queued with Odoo's immediate-send path: the mail is
        sent right after the transaction commits, not by the mail queue cron.
        """
        self.ensure_one()
        lead = self.with_context(lang=template._render_lang(self.ids)[self.id])
        subject = template._render_field("subject", lead.ids)[lead.id]
        body = template._render_field("body_html", lead.ids)[lead.id]
        author = self.user_id.partner_id or self.company_id.partner_id or self.env.company.partner_id
        # proactive_automated marks this post as automated, unlike a salesperson's own.
        return lead.with_context(mail_notify_force_send=True, proactive_automated=True).message_post(
            body=body,
            subject=subject or _("Re: %(name)s", name=self.name),
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=author.id,
            outgoing_email_to=self.email_from,
            parent_id=parent.id if parent else False,
            email_add_signature=False,
            # The reply is for the lead only: followers see it in the chatter.
            notify_skip_followers=True,
        )

    def _proactive_schedule_assisted_reply(self, template):
        self.ensure_one()
        body = template._render_field("body_html", self.ids)[self.id]
        script = html2plaintext(body or "")
        user = self.user_id or self.team_id.user_id or self._proactive_ref("base.user_admin")
        activity_type = (
            "lead_proactive.mail_activity_type_assisted_call"
            if self.proactive_channel == "phone"
            else "lead_proactive.mail_activity_type_assisted_reply"
        )
        return self.activity_schedule(
            activity_type,
            # Due today for the salesperson, in their time zone.
            date_deadline=self._sla_local_today(user),
            summary=self._proactive_assisted_reply_summary(),
            note=Markup("<p>%s</p><pre>%s</pre>") % (self._proactive_assisted_reply_hint(), script),
            user_id=user.id,
        )

    @api.model
    def _proactive_assisted_activity_types(self):
        """Return the activity types of assisted replies: the chat reply and
        the call back. Marking one done is the lead's first response."""
        types = self.env["mail.activity.type"]
        for xmlid in (
            "lead_proactive.mail_activity_type_assisted_reply",
            "lead_proactive.mail_activity_type_assisted_call",
        ):
            types |= self._proactive_ref(xmlid, raise_if_not_found=False) or types
        return types

    def _proactive_assisted_reply_summary(self):
        """Return the title of the assisted-reply activity: where to reply."""
        self.ensure_one()
        if self.proactive_channel == "phone":
            return _("Call the lead now: %(phone)s", phone=self.phone or "")
        marketplaces = (
            self._proactive_ref(
                "lead_proactive.utm_source_facebook_marketplace", raise_if_not_found=False
            ),
            self._proactive_ref("lead_proactive.utm_source_offerup", raise_if_not_found=False),
        )
        if self.source_id and self.source_id not in marketplaces:
            return _("Reply to the lead on %(source)s now", source=self.source_id.name)
        return _("Reply in the marketplace chat now")

    def _proactive_assisted_reply_hint(self):
        """Return the line above the script in the assisted-reply activity."""
        self.ensure_one()
        if self.proactive_channel == "phone":
            return _(
                "Call the lead, or text them from the business phone, with this "
                "script, then mark this activity as done:"
            )
        return _("Paste this reply into the chat, then mark this activity as done:")

    def _proactive_record_first_response(self, when):
        for lead in self.filtered(lambda l: not l.proactive_first_response_date):
            arrival = lead.proactive_arrival_date or lead.create_date
            lead.write(
                {
                    "proactive_first_response_date": when,
                    "proactive_first_response_seconds": max(
                        0, int((when - arrival).total_seconds())
                    ),
                }
            )


@functools.cache
def _time_zone_selection():
    """Return the (name, name) pairs of the installed time zones, sorted.

    zoneinfo.available_timezones() walks the tz database's folder on each
    call, and fields_get (which the mail gateway calls for every new lead)
    reads this selection, so the list is built once per process.
    """
    return tuple((tz, tz) for tz in sorted(zoneinfo.available_timezones()))
