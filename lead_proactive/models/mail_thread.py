# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
import logging
import xmlrpc.client

from odoo import api, models
from odoo.tools.mail import decode_message_header, email_normalize, email_split

from ..tools import lead_sources, mail_guard, mail_text, raw_mail

_logger = logging.getLogger(__name__)

# Headers kept from the raw email for lead capture: they are not part of
# Odoo's parsed message, and the lead needs them to find the real person.
CAPTURE_HEADERS = ("Reply-To", "X-Platform-Lead-Id")

# Reasons a lead notification also has: platforms send them from no-reply
# addresses, often with bulk-mail headers.
NOTIFIER_REASONS = ("no_reply", "bulk", "mailing_list")

# Open leads only: a reply is attached to a lead still being worked.
FALLBACK_LEAD_DAYS = 90


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_parse(self, message, save_original=False):
        msg_dict = super().message_parse(message, save_original=save_original)
        reason = None
        if msg_dict.get("is_bounce"):
            reason = ("bounce", "delivery status report")
        else:
            reason = mail_guard.classify_automatic(
                message,
                msg_dict.get("email_from") or "",
                subject=msg_dict.get("subject") or "",
                content_type=message.get_content_type(),
            )
        if reason and reason[0] in NOTIFIER_REASONS and self._proactive_is_lead_notification(
            message, msg_dict
        ):
            reason = None
        if reason:
            # A mail.message field: message_post stores it on the message.
            msg_dict["proactive_auto_reason"] = "%s: %s" % reason
        return msg_dict

    @api.model
    def _proactive_is_lead_notification(self, message, msg_dict):
        """Tell a marketplace or form notification that carries a person's
        message from other machine-sent mail of the same senders."""
        contact = lead_sources.identify_contact(
            msg_dict.get("email_from") or "",
            decode_message_header(message, "Reply-To").strip() or None,
            msg_dict.get("subject") or "",
            mail_text.html_to_text(str(msg_dict.get("body") or "")),
            headers=message,
        )
        return bool(contact.source and (contact.contact_name or contact.email))

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        # Lead capture reads a few raw headers in message_new; the context
        # carries them there without adding unknown keys to the message.
        headers = {
            name: decode_message_header(message, name).strip()
            for name in CAPTURE_HEADERS
            if message.get(name)
        }
        # Some side effects wait for the end of the lead flow, which may make
        # them pointless (see crm.lead._proactive_defer_until_processed).
        leads = self.env["crm.lead"]._proactive_defer_until_processed()
        thread = self.with_context(leads.env.context, proactive_mail_headers=headers)
        result = super(MailThread, thread)._message_route_process(
            message, message_dict, routes
        )
        leads._proactive_run_deferred()
        return result

    @api.model
    def message_route(
        self, message, message_dict, model=None, thread_id=None, custom_values=None
    ):
        routes = super().message_route(
            message,
            message_dict,
            model=model,
            thread_id=thread_id,
            custom_values=custom_values,
        )
        return self._proactive_filter_routes(message_dict, routes)

    @api.model
    def _proactive_filter_routes(self, message_dict, routes):
        """Adapt the gateway's routes for lead capture.

        A machine-written email (out-of-office, delivery report) never creates
        a lead. A reply whose thread ids are all unknown, because a mail
        provider rewrote the Message-ID of our reply, goes to the sender's open
        lead instead of creating a second one.
        """
        auto_reason = message_dict.get("proactive_auto_reason") or ""
        result = []
        for route in routes:
            model_name, route_thread_id = route[0], route[1]
            if model_name != "crm.lead" or route_thread_id:
                result.append(route)
                continue
            if auto_reason.split(":")[0] in ("autoresponder", "bounce"):
                _logger.info(
                    "Lead capture: ignored automatic email %s from %s (%s)",
                    message_dict.get("message_id"),
                    message_dict.get("email_from"),
                    auto_reason,
                )
                continue
            lead = self._proactive_find_reply_lead(message_dict)
            if lead:
                _logger.info(
                    "Lead capture: email %s from %s attached to lead %s by sender",
                    message_dict.get("message_id"),
                    message_dict.get("email_from"),
                    lead.id,
                )
                result.append((model_name, lead.id, {}, *route[3:]))
            else:
                result.append(route)
        return result

    @api.model
    def _proactive_find_reply_lead(self, message_dict):
        """Return the sender's open lead when the email is a reply, else none."""
        is_reply = bool(message_dict.get("in_reply_to") or message_dict.get("references"))
        if not is_reply:
            return self.env["crm.lead"]
        emails = [email_normalize(e) for e in email_split(message_dict.get("email_from"))]
        emails = [e for e in emails if e]
        if not emails:
            return self.env["crm.lead"]
        since = self.env.cr.now() - datetime.timedelta(days=FALLBACK_LEAD_DAYS)
        return (
            self.env["crm.lead"]
            .sudo()
            .search(
                [
                    ("email_normalized", "in", emails),
                    ("won_status", "=", "pending"),
                    ("create_date", ">=", since),
                ],
                order="create_date desc, id desc",
                limit=1,
            )
        )

    @api.model
    def _get_message_create_valid_field_names(self):
        return super()._get_message_create_valid_field_names() | {"proactive_auto_reason"}

    @api.model
    def message_process(self, model, message, custom_values=None, save_original=False,
                        strip_attachments=False, thread_id=None):
        if isinstance(message, xmlrpc.client.Binary):
            message = bytes(message.data)
        if isinstance(message, str):
            message = message.encode()
        if isinstance(message, bytes):
            message = raw_mail.repair_header_encoding(message)
        return super().message_process(
            model, message, custom_values=custom_values, save_original=save_original,
            strip_attachments=strip_attachments, thread_id=thread_id,
        )
