# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import logging
import zoneinfo

import phonenumbers
from phonenumbers import timezone as phonenumbers_timezone
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import format_datetime, plaintext2html

from ..tools import nanp, sending_hours

_logger = logging.getLogger(__name__)

UTC = datetime.UTC
SMS_MEDIUM_XMLID = "lead_proactive_sms.utm_medium_sms"


class CrmLead(models.Model):
    _inherit = "crm.lead"

    proactive_channel = fields.Selection(
        selection_add=[("sms", "SMS")], ondelete={"sms": "set null"}
    )
    proactive_sms_consent = fields.Boolean(
        string="Agreed to Texts",
        copy=False,
        tracking=True,
        help="The lead texted us first or agreed to receive texts, so automated "
        "texts may be sent. Texting STOP blacklists the number whatever this "
        "says.",
    )

    # ------------------------------------------------------------
    # Numbers and leads
    # ------------------------------------------------------------
    @api.model
    def _proactive_sms_medium(self):
        """Return the SMS medium, creating it when no module ships one."""
        medium = self._proactive_ref(SMS_MEDIUM_XMLID, raise_if_not_found=False)
        medium = medium or self._proactive_ref(
            "mass_mailing_sms.utm_medium_sms", raise_if_not_found=False
        )
        if medium:
            return medium
        Medium = self.env["utm.medium"].sudo().with_context(active_test=False)
        medium = Medium.search([("name", "=ilike", "SMS")], limit=1) or Medium.create(
            {"name": "SMS"}
        )
        self.env["ir.model.data"].sudo().create(
            {
                "module": "lead_proactive_sms",
                "name": "utm_medium_sms",
                "model": "utm.medium",
                "res_id": medium.id,
                "noupdate": True,
            }
        )
        return medium

    @api.model
    def _proactive_sms_normalize(self, number, company):
        """Return ``number`` in E.164, reading a national number with the
        company's country (the United States when the company has none), or
        False when it is not a valid phone number."""
        country = company.country_id or self._proactive_ref("base.us")
        return (
            self._phone_format(number=(number or "").strip(), country=country) or False
        )

    @api.model
    def _proactive_sms_is_blacklisted(self, number):
        """Return whether ``number`` (E.164) has an active phone blacklist row."""
        return bool(
            number
            and self.env["phone.blacklist"]
            .sudo()
            .search_count([("number", "=", number), ("active", "=", True)], limit=1)
        )

    @api.model
    def _proactive_sms_get_open_domain(self, number):
        return (
            Domain("phone_sanitized", "=", number)
            & Domain("won_status", "=", "pending")
            & Domain("company_id", "in", [self.env.company.id, False])
        )

    @api.model
    def _proactive_sms_find_lead(self, number, company):
        """Return the newest open lead of ``number`` in ``company``, or none."""
        return (
            self.sudo()
            .with_company(company)
            .search(
                self.with_company(company)._proactive_sms_get_open_domain(number),
                order="create_date desc, id desc",
                limit=1,
            )
        )

    @api.model
    def _proactive_sms_open_leads(self, number):
        return self.sudo().search(self._proactive_sms_get_open_domain(number))

    @api.model
    def _proactive_sms_create_lead(self, inbound, text):
        """Create the lead of a text from an unknown number."""
        company = inbound.company_id
        number = inbound.number

        # A contact with this number becomes the lead's customer, unless
        # several contacts share it.
        partners = (
            self.env["res.partner"]
            .sudo()
            .search([("phone_sanitized", "=", number)], limit=2)
        )
        partner = partners if len(partners) == 1 else self.env["res.partner"]
        display_number = (
            self._phone_format(number=number, force_format="INTERNATIONAL") or number
        )

        values = {
            "name": self.env._("SMS from %(number)s", number=display_number),
            "phone": number,
            "partner_id": partner.id,
            "medium_id": self._proactive_sms_medium().id,
            "proactive_channel": "sms",
            "proactive_sms_consent": True,
            "proactive_arrival_date": inbound.received_date,
            "company_id": company.id,
            "description": plaintext2html(text) if text else False,
        }
        values.update(self._proactive_team_values(company.proactive_sms_team_id, company))

        # As in the mail gateway, the current (technical) user does not become
        # the salesperson. The team's rules or its leader take the lead.
        lead = (
            self.sudo()
            .with_company(company)
            .with_context(default_user_id=False, mail_create_nosubscribe=True)
            .create(values)
        )
        lead._assign_userless_lead_in_team(self.env._("incoming SMS"))
        _logger.info(
            "Inbound SMS %s from %s created lead %s",
            inbound.message_sid,
            number,
            lead.id,
        )
        return lead

    def _proactive_sms_post_inbound(self, text, media_urls, number, keyword):
        """Post a text the lead sent on its chatter, as an SMS from the lead.

        Unless the text is a keyword, posting it runs the lead flow (the
        ``on_message_received`` automation rule of lead_proactive).
        """
        self.ensure_one()
        body = "\n".join([text, *media_urls]) if media_urls else text
        author = self.partner_id
        return self.with_context(mail_create_nosubscribe=True).message_post(
            body=body,
            message_type="sms",
            subtype_xmlid="mail.mt_comment",
            author_id=author.id or False,
            email_from=False if author else number,
            proactive_sms_inbound=True,
            proactive_sms_keyword=keyword or False,
        )

    def _proactive_sms_stop_sequences(self, number):
        """Opt the leads out and cancel every text still waiting for them."""
        Touch = self.env["proactive.touch"].sudo()
        for lead in self:
            lead.write({"proactive_opt_out": True})
            lead.message_post(
                body=self.env._(
                    "%(number)s texted an opt-out keyword: it is on the phone "
                    "blacklist and no automated message will be sent to this lead.",
                    number=number,
                ),
                subtype_xmlid="lead_proactive.mt_lead_guard",
            )
        waiting = Touch.search(
            Domain("lead_id", "in", self.ids)
            & Domain("state", "in", ["claimed", "deferred"])
            & Domain("channel", "=", "sms")
        )
        waiting.write(
            {"state": "skipped", "skip_reason": self.env._("the lead opted out by SMS")}
        )
        queued = (
            self.env["sms.sms"]
            .sudo()
            .search([("number", "=", number), ("state", "=", "outgoing")])
        )
        # 'sms_optout' exists on sms.sms but not on mail.notification, so the
        # chatter's notifications get 'sms_not_allowed'.
        queued.write({"state": "canceled", "failure_type": "sms_optout"})
        queued.sms_tracker_id.sudo()._action_update_from_sms_state(
            "canceled", failure_type="sms_not_allowed"
        )

    # ------------------------------------------------------------
    # Inbound flow
    # ------------------------------------------------------------
    def _proactive_inbound_messages(self):
        """Add the texts the lead sent (keywords excepted) to its emails."""
        messages = super()._proactive_inbound_messages()
        domain = (
            Domain("model", "=", self._name)
            & Domain("res_id", "=", self.id)
            & Domain("message_type", "=", "sms")
            & Domain("proactive_sms_inbound", "=", True)
            & Domain("proactive_sms_keyword", "=", False)
        )
        if self.proactive_last_message_id:
            domain &= Domain("id", ">", self.proactive_last_message_id.id)
        texts = self.env["mail.message"].sudo().search(domain, order="id")
        return (messages | texts).sorted("id")

    def _proactive_may_read(self, message):
        return super()._proactive_may_read(message) or (
            message.message_type == "sms" and message.proactive_sms_inbound
        )

    def _proactive_send_instant_reply(self, trigger_message):
        """Text the instant reply to a lead that texted us; other leads get
        lead_proactive's email or assisted reply."""
        self.ensure_one()
        if not (
            self.proactive_channel == "sms" or trigger_message.proactive_sms_inbound
        ):
            return super()._proactive_send_instant_reply(trigger_message)
        template = (
            self.env["sms.template"]
            .sudo()
            ._proactive_select("instant_reply", self.source_id)
        )
        return self._proactive_send_sms_touch(
            template, 0, "instant_reply", reply_to=trigger_message
        )

    # ------------------------------------------------------------
    # Guard
    # ------------------------------------------------------------
    def _proactive_sms_channel_active(self):
        """Return whether the message being guarded is a text: the context
        sets ``proactive_send_channel`` to 'sms', or the lead's channel is SMS."""
        channel = self.env.context.get("proactive_send_channel")
        return channel == "sms" if channel else self.proactive_channel == "sms"

    def _proactive_guard_checks_email(self):
        if self._proactive_sms_channel_active():
            return False
        return super()._proactive_guard_checks_email()

    def _proactive_guard_reason(self):
        reason = super()._proactive_guard_reason()
        if reason or not self._proactive_sms_channel_active():
            return reason
        return self._proactive_sms_guard_reason()

    def _proactive_sms_guard_reason(self):
        """Return why no automated text may be sent to the lead's number, or ''."""
        self.ensure_one()
        number = self._proactive_sms_number()
        if not number:
            return self.env._("the lead has no valid phone number")
        if self._proactive_sms_is_blacklisted(number):
            return self.env._("%(number)s is on the phone blacklist", number=number)
        if not self.proactive_sms_consent:
            return self.env._("the lead has not agreed to receive texts")
        return ""

    def _proactive_sms_number(self):
        """Return the lead's number in E.164, or False."""
        self.ensure_one()
        return self.phone_sanitized or self._phone_format(fname="phone") or False

    def _proactive_sms_recent_instant_reply(self, number):
        """Return whether a lead with this number got an instant reply text
        within the company's cooldown."""
        company = self.company_id or self.env.company
        cooldown = datetime.timedelta(seconds=company.proactive_sms_reply_cooldown)
        if not cooldown:
            return False
        return bool(
            self.env["proactive.touch"]
            .sudo()
            .search_count(
                Domain("channel", "=", "sms")
                & Domain("kind", "=", "instant_reply")
                & Domain("state", "=", "sent")
                & Domain("lead_id.phone_sanitized", "=", number)
                & Domain("date", ">=", self.env.cr.now() - cooldown),
                limit=1,
            )
        )

    # ------------------------------------------------------------
    # Outbound
    # ------------------------------------------------------------
    def _proactive_send_sms_touch(
        self, sms_template, step, kind="followup", reply_to=None
    ):
        """Claim ``step`` of the lead's sequence and text ``sms_template``.

        Entry point for the follow-up engine. ``kind`` is a proactive.touch
        kind (``instant_reply``, ``followup`` or one another add-on adds).
        The guard (opt-out, pause, closed lead, phone blacklist, consent) and
        the recipient's sending hours are checked now, at send time. Returns the lead's touch for
        the step, in one of these states:

        - ``sent``: the text went to the SMS gateway (immediate send);
        - ``deferred``: outside the sending hours; a cron sends it at
          ``send_after`` after checking everything again;
        - ``skipped``: the guard blocked it (``skip_reason`` holds the
          reason, which is also posted on the lead's chatter);
        - ``failed``: the gateway rejected it.

        A step already claimed (by an earlier call, a retry or a concurrent
        worker) is returned unchanged and nothing is sent. ``reply_to`` is
        the lead's text that this touch replies to. Such a direct reply may
        be sent at any hour when the company allows it.
        """
        self.ensure_one()
        Touch = self.env["proactive.touch"].sudo()
        claimed = Domain("lead_id", "=", self.id) & Domain("step", "=", step)
        existing = Touch.search(claimed, limit=1)
        if existing:
            return existing
        try:
            with self.env.cr.savepoint():
                touch = Touch.create(
                    {
                        "lead_id": self.id,
                        "step": step,
                        "kind": kind,
                        "channel": "sms",
                        "state": "claimed",
                        "sms_template_id": sms_template.id if sms_template else False,
                    }
                )
        except pg_errors.UniqueViolation:
            # A concurrent transaction claimed the step first.
            self.env.invalidate_all()
            return Touch.search(claimed, limit=1)
        self._proactive_sms_deliver(touch, reply_to=reply_to)
        return touch

    def _proactive_sms_deliver(self, touch, reply_to=None):
        """Send, defer or skip a claimed or deferred SMS touch of the lead."""
        self.ensure_one()
        now = self.env.cr.now()
        company = self.company_id or self.env.company
        template = touch.sms_template_id
        number = self._proactive_sms_number()
        reason = self.with_context(
            proactive_send_channel="sms"
        )._proactive_guard_reason()
        if not reason and not template:
            reason = self.env._("no SMS script is set up for this message")
        if (
            not reason
            and touch.kind == "confirmation"
            and self.proactive_milestone != "booked"
        ):
            # A confirmation deferred to the morning is dropped when the lead
            # left the Booked stage overnight: there is nothing to confirm.
            reason = self.env._("the lead is no longer at a Booked stage")
        # NOTE: a deferred confirmation of a lead paused since it was deferred
        # is skipped here, with no Confirm Booking activity for a salesperson.
        if (
            not reason
            and touch.kind == "instant_reply"
            and self._proactive_sms_recent_instant_reply(number)
        ):
            reason = self.env._(
                "%(number)s got an instant reply in the last %(seconds)s seconds",
                number=number,
                seconds=company.proactive_sms_reply_cooldown,
            )
        if reason:
            self._proactive_sms_skip(touch, reason)
            return touch

        if not (reply_to and company.proactive_sms_reply_anytime):
            send_at = self._proactive_sms_next_sending_time(number, now)
            if send_at is None:
                self._proactive_sms_fail(
                    touch,
                    self.env._(
                        "the sending hours of the recipient's time zones never "
                        "overlap, so widen the SMS sending hours in the settings"
                    ),
                )
                return touch
            if send_at > now.replace(tzinfo=UTC):
                self._proactive_sms_defer(touch, send_at, number)
                return touch

        message = self._proactive_sms_post_script(template, number, parent=reply_to)
        reason = self._proactive_sms_failure_reason(message)
        if reason:
            self._proactive_sms_fail(touch, reason, message=message)
            return touch
        # 'sent' means queued for the provider: the text leaves after this
        # transaction commits, and a rejection then marks the touch failed.
        touch.write(
            {
                "state": "sent",
                "message_id": message.id,
                "date": message.date,
                "skip_reason": False,
            }
        )
        if touch.step == 0:
            self._proactive_record_first_response(message.date)
        elif touch.kind == "confirmation":
            self._proactive_confirmation_sent(message.date)
        return touch

    def _proactive_sms_failure_reason(self, message):
        """Return why the text of ``message`` failed, or '' if it did not."""
        failures = message.notification_ids.filtered(
            lambda n: (
                n.notification_type == "sms"
                and n.notification_status in ("exception", "bounce")
            )
        )
        if not failures:
            return ""
        failure = failures[0]
        labels = dict(failure._fields["failure_type"]._description_selection(self.env))
        return (
            failure.failure_reason
            or labels.get(failure.failure_type)
            or self.env._("the SMS gateway did not accept the text")
        )

    def _proactive_sms_post_script(self, template, number, parent=None):
        """Text the rendered script to ``number`` through the chatter.

        The text is queued and sent right after the transaction commits (see
        sms_sms.py), so a retried transaction never sends it twice.
        """
        self.ensure_one()
        author = (
            self.user_id.partner_id
            or self.company_id.partner_id
            or self.env.company.partner_id
        )
        # proactive_automated marks the post as automated, unlike a salesperson's.
        message = self.with_context(
            proactive_automated=True
        )._message_sms_with_template(
            template=template,
            sms_numbers=[number],
            author_id=author.id,
            parent_id=parent.id if parent else False,
            put_in_queue=True,
        )
        message._proactive_sms_send_after_commit()
        return message

    def _proactive_sms_skip(self, touch, reason):
        touch.write(
            {"state": "skipped", "skip_reason": reason, "date": self.env.cr.now()}
        )
        self.message_post(
            body=self.env._("No SMS sent: %(reason)s.", reason=reason),
            subtype_xmlid="lead_proactive.mt_lead_guard",
        )

    def _proactive_sms_fail(self, touch, reason, message=None):
        values = {"state": "failed", "skip_reason": reason, "date": self.env.cr.now()}
        if message:
            values["message_id"] = message.id
        touch.write(values)
        _logger.warning("SMS touch %s of lead %s failed: %s", touch.id, self.id, reason)
        self.message_post(
            body=self.env._("The SMS could not be sent: %(reason)s.", reason=reason),
            subtype_xmlid="lead_proactive.mt_lead_guard",
        )

    def _proactive_sms_defer(self, touch, send_at, number):
        send_after = send_at.astimezone(UTC).replace(tzinfo=None)
        touch.write(
            {"state": "deferred", "send_after": send_after, "date": self.env.cr.now()}
        )
        touch._proactive_schedule_deferred()
        zone = self._proactive_sms_zones(number)[0]
        self.message_post(
            body=self.env._(
                "SMS deferred to %(time)s (%(zone)s), the first minute inside the "
                "recipient's sending hours.",
                time=format_datetime(self.env, send_after, tz=zone, dt_format="short"),
                zone=zone,
            ),
            subtype_xmlid="lead_proactive.mt_lead_guard",
        )

    # ------------------------------------------------------------
    # Sending hours
    # ------------------------------------------------------------
    def _proactive_sms_next_sending_time(self, number, now):
        """Return the first moment at or after ``now`` (naive UTC) when a text
        may go to the lead at ``number``, as an aware UTC datetime, or None
        when the recipient's zones have no common sending time."""
        self.ensure_one()
        constraints = self._proactive_sms_sending_constraints(number)
        return sending_hours.next_allowed_time(now.replace(tzinfo=UTC), constraints)

    def _proactive_sms_sending_constraints(self, number):
        """Return the (zone, window) pairs a text to the lead must respect."""
        company = self.company_id or self.env.company
        base_window = company._proactive_sms_window()
        constraints = []
        for region, zones in self._proactive_sms_recipient_places(number):
            window = base_window
            if (
                company.proactive_sms_state_rules
                and region in sending_hours.STATE_WINDOWS
            ):
                window = window.intersect(sending_hours.STATE_WINDOWS[region])
            for name in zones:
                zone = _zoneinfo(name)
                if zone and (zone, window) not in constraints:
                    constraints.append((zone, window))
        return constraints

    def _proactive_sms_zones(self, number):
        """Return the names of the time zones the recipient may be in."""
        zones = []
        for _region, place_zones in self._proactive_sms_recipient_places(number):
            zones.extend(zone for zone in place_zones if zone not in zones)
        return zones

    def _proactive_sms_recipient_places(self, number):
        """Return where the recipient may be, as (state or None, zone names).

        A time zone set on the lead wins. Otherwise both the lead's ZIP code
        (or state) and the number's area code count, so that a text goes out
        only when it is daytime in each. With neither, the company's zone and
        the zones of the number's country count.
        """
        self.ensure_one()
        if self.proactive_tz and _zoneinfo(self.proactive_tz):
            return [(None, (self.proactive_tz,))]
        places = []
        zip_code = self.proactive_zip or self.zip
        country_code = self.country_id.code
        if zip_code and country_code in (False, "US") and nanp.zip_state(zip_code):
            places.append((nanp.zip_state(zip_code), nanp.zip_zones(zip_code)))
        elif self.state_id and self.state_id.country_id.code in ("US", "CA"):
            zones = nanp.region_zones(self.state_id.code)
            if zones:
                places.append((self.state_id.code, zones))
        region = nanp.area_code_region(number)
        if region:
            places.append((region, nanp.area_code_zones(number)))
        if places:
            return places
        company = self.company_id or self.env.company
        fallback = [(None, (company.partner_id.tz or "UTC",))]
        number_zones = _number_zones(number)
        if number_zones:
            fallback.append((None, number_zones))
        return fallback

    # ------------------------------------------------------------
    # Follow-up steps on the SMS channel
    # ------------------------------------------------------------
    def _proactive_followup_reach_reason(self, channel):
        if channel == "sms":
            self.ensure_one()
            if not self._proactive_sms_number():
                return self.env._("the lead has no mobile number to text")
            return ""
        return super()._proactive_followup_reach_reason(channel)

    def _proactive_followup_send(self, step):
        """Text an SMS step through the touch the follow-up engine claimed.

        The SMS checks (blacklist, consent, sending hours) run here as for
        any automated text, so the touch may end deferred or skipped rather
        than sent: its state is returned for the engine to store.
        """
        if step.channel != "sms":
            return super()._proactive_followup_send(step)
        self.ensure_one()
        touch = self.env["proactive.touch"].sudo().search(
            [("lead_id", "=", self.id), ("cadence_step_id", "=", step.id),
             ("state", "=", "claimed")],
            order="id desc",
            limit=1,
        )
        touch.write({"sms_template_id": step.sms_template_id.id})
        self._proactive_sms_deliver(touch)
        return {"state": touch.state}


def _zoneinfo(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _number_zones(number):
    """Return the zones phonenumbers gives for the number's country or area."""
    try:
        parsed = phonenumbers.parse(number or "")
    except phonenumbers.NumberParseException:
        return ()
    zones = phonenumbers_timezone.time_zones_for_number(parsed)
    return tuple(
        zone for zone in zones if zone != phonenumbers_timezone.UNKNOWN_TIMEZONE
    )
