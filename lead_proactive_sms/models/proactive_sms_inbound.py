# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Inbound SMS log: one row per provider message, written before anything
else happens, so that a retried or duplicated webhook call is recognised by
its MessageSid and changes nothing.

Carrier-split messages: a long text can reach us as several SMS a few
seconds apart. A text that fills a whole SMS is held (state ``waiting``)
for the company's split window. The next texts from the same number within
the window are joined to it on the fly. The group is read as one message as
soon as a text shorter than a full SMS arrives, else by the cron when the
window has passed. A text that does not fill an SMS is read at once, so
ordinary texts get their instant reply without waiting.
"""

import datetime
import logging
import re
import time

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools import sms_keywords, sms_segments
from .mail_message import KEYWORDS

_logger = logging.getLogger(__name__)

PARTS_CRON_XMLID = "lead_proactive_sms.ir_cron_lead_proactive_sms_parts"
# Twilio's limit for one message, concatenated parts included.
MAX_BODY_CHARS = 1600
# Twilio message SIDs: SM (SMS) or MM (MMS) and 32 hex digits.
MESSAGE_SID_PATTERN = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")
MEDIA_URL_PARAM = re.compile(r"^MediaUrl\d*$")
# Rows older than this are deleted by the autovacuum. A provider retries a
# webhook for hours at most, so the MessageSid check needs far less.
RETENTION_DAYS = 90


class InboundRequestError(Exception):
    """A webhook request that cannot be accepted, with its HTTP status."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class ProactiveSmsInbound(models.Model):
    _name = "proactive.sms.inbound"
    _description = "Inbound SMS"
    _order = "received_date desc, id desc"
    _rec_name = "message_sid"

    message_sid = fields.Char(string="Message SID", required=True, readonly=True)
    company_id = fields.Many2one(
        "res.company", string="Company", required=True, readonly=True, index=True
    )
    from_number = fields.Char(
        string="Sender As Received",
        readonly=True,
        help="The From parameter exactly as the provider sent it.",
    )
    number = fields.Char(
        string="Sender",
        readonly=True,
        index=True,
        help="The sender's number in E.164 format, read with the company's "
        "country when the provider sent a national number.",
    )
    to_number = fields.Char(string="Our Number", readonly=True)
    body = fields.Text(string="Text", readonly=True)
    media_urls = fields.Text(
        string="Media URLs",
        readonly=True,
        help="Links to the pictures or files of an MMS, one per line. They "
        "stay on the provider's servers.",
    )
    num_segments = fields.Integer(string="Segments", readonly=True)
    received_date = fields.Datetime(
        string="Received On", required=True, readonly=True, index=True
    )
    state = fields.Selection(
        [
            ("received", "Received"),
            ("waiting", "Waiting for Parts"),
            ("part", "Joined"),
            ("done", "Done"),
            ("error", "Error"),
        ],
        required=True,
        default="received",
        readonly=True,
        index=True,
        help="Waiting: the text fills a whole SMS and may continue in the next "
        "one. Joined: a later part of a split message, read with its first "
        "part.",
    )
    head_id = fields.Many2one(
        "proactive.sms.inbound",
        string="First Part",
        readonly=True,
        ondelete="cascade",
        index="btree_not_null",
    )
    part_ids = fields.One2many(
        "proactive.sms.inbound", "head_id", string="Later Parts", readonly=True
    )
    lead_id = fields.Many2one(
        "crm.lead",
        string="Lead",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
    )
    message_id = fields.Many2one(
        "mail.message", string="Chatter Message", readonly=True, ondelete="set null"
    )
    keyword = fields.Selection(KEYWORDS, readonly=True)
    reply_date = fields.Datetime(
        string="Keyword Reply Sent On",
        readonly=True,
        help="When the STOP, START or HELP reply to this text was sent.",
    )
    error = fields.Text(readonly=True)

    _message_sid_unique = models.UniqueIndex(
        "(message_sid)", "This message was already received."
    )
    _number_state_idx = models.Index("(number, state)")

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------
    def action_process(self):
        """Read the texts again after an error, e.g. a missing team."""
        failed = self.filtered(
            lambda inbound: inbound.state == "error" and inbound.number
        )
        for head in failed.mapped(lambda inbound: inbound.head_id or inbound):
            if head.part_ids:
                head._process_safely_waiting()
            else:
                head.write({"state": "received", "error": False})
                head._process_safely()

    # ------------------------------------------------------------
    # Reception
    # ------------------------------------------------------------
    @api.model
    def _prepare_twilio_values(self, params, company):
        """Return the row values for a Twilio inbound-message webhook.

        ``params`` contains the form's (name, value) pairs. Raises
        InboundRequestError (400 or 413) for a request that cannot be a
        Twilio message.
        """
        form = {}
        for name, value in params:
            form.setdefault(name, value)
        num_media = form.get("NumMedia") or "0"
        if not num_media.isdigit():
            raise InboundRequestError(
                400, "Invalid NumMedia %r: expected a number." % num_media
            )
        required = ["MessageSid", "From", "To"]
        if int(num_media) == 0:
            required.append("Body")
        missing = [
            name
            for name in required
            if name not in form or (name != "Body" and not form[name])
        ]
        if missing:
            raise InboundRequestError(
                400, "Missing required parameter(s): %s." % ", ".join(missing)
            )
        sid = form["MessageSid"]
        if not MESSAGE_SID_PATTERN.match(sid):
            raise InboundRequestError(
                400,
                "Invalid MessageSid %r: expected two letters and 32 hex digits."
                % sid[:64],
            )
        body = form.get("Body") or ""
        if len(body) > MAX_BODY_CHARS:
            raise InboundRequestError(
                413,
                "Body is %s characters long, more than the %s an SMS may have."
                % (len(body), MAX_BODY_CHARS),
            )
        segments = form.get("NumSegments") or "1"
        media = [
            value for name, value in params if MEDIA_URL_PARAM.match(name) and value
        ]
        return {
            "message_sid": sid,
            "company_id": company.id,
            "from_number": form["From"][:64],
            "number": self.env["crm.lead"]._proactive_sms_normalize(
                form["From"], company
            ),
            "to_number": form["To"][:64],
            "body": body,
            "media_urls": "\n".join(media) or None,
            "num_segments": int(segments) if segments.isdigit() else 1,
            "state": "received",
        }

    @api.model
    def _insert_new(self, values):
        """Insert a row unless one with the same message_sid exists.

        Returns the new record, or an empty recordset for a duplicate. The
        unique index makes a concurrent insert of the same message_sid wait
        for this transaction. That insert then fails with a serialization
        error, and its retry inserts nothing. So exactly one request goes on
        to process the message.
        """
        self.flush_model()
        now = self.env.cr.now()
        # The ORM's False is SQL NULL, except in boolean columns.
        values = {
            name: None
            if value is False and self._fields[name].type != "boolean"
            else value
            for name, value in values.items()
        }
        values = dict(
            values,
            received_date=values.get("received_date") or now,
            create_uid=self.env.uid,
            write_uid=self.env.uid,
            create_date=now,
            write_date=now,
        )
        columns = list(values)
        # A concurrent insert of the same message_sid that commits first makes
        # this one fail with a serialization error (REPEATABLE READ). The
        # HTTP layer retries the request, and the retry inserts nothing: not
        # an error worth logging.
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (message_sid) DO NOTHING "
                "RETURNING id",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(SQL("%s", values[column]) for column in columns),
            ),
            log_exceptions=False,
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    # ------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------
    def _process_safely(self):
        """Process each text in a savepoint: a failure is logged and left on
        the row (state Error), and the row itself is kept."""
        for inbound in self:
            try:
                with self.env.cr.savepoint():
                    inbound._process()
            except Exception as error:  # noqa: BLE001 - the text must be kept
                if self._is_concurrency_error(error):
                    raise  # the HTTP layer or the cron retries the whole transaction
                _logger.exception(
                    "Inbound SMS %s from %s could not be processed",
                    inbound.message_sid,
                    inbound.number,
                )
                inbound.write({"state": "error", "error": str(error) or repr(error)})

    @api.model
    def _is_concurrency_error(self, error):
        from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY  # noqa: PLC0415

        return isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY)

    def _process(self):
        """Hold the text for its next parts, join it to an earlier part, or
        read it now."""
        self.ensure_one()
        if self.state != "received":
            return
        if not self.number:
            self.write(
                {
                    "state": "error",
                    "error": self.env._(
                        "The sender %(number)s is not a valid phone number.",
                        number=self.from_number,
                    ),
                }
            )
            return
        self._lock_sender(wait=True)
        now = self.env.cr.now()
        window = datetime.timedelta(seconds=self.company_id.proactive_sms_part_window)
        maybe_split = (
            bool(window)
            and self.num_segments <= 1
            and sms_segments.fills_segment(self.body)
        )

        for head in self._waiting_heads():
            if head._parts_deadline() < now:
                # Its window has passed: the earlier text is read on its own.
                head._process_message()
                continue
            self.write({"state": "part", "head_id": head.id})
            if maybe_split:
                self._schedule_parts_check(now + window)
            else:
                head._process_message()
            return

        if maybe_split:
            self.state = "waiting"
            self._schedule_parts_check(self.received_date + window)
            return
        self._process_message()

    def _lock_sender(self, wait):
        """Serialize the processing of one sender's texts across workers.

        The lock lasts until the transaction ends. Returns whether it was
        taken (always True with ``wait``).
        """
        key = "lead_proactive_sms:%s:%s" % (self.company_id.id, self.number)
        function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        self.env.cr.execute(SQL("SELECT %s(hashtext(%s))", SQL(function), key))
        return wait or self.env.cr.fetchone()[0]

    def _waiting_heads(self):
        return self.search(
            Domain("state", "=", "waiting")
            & Domain("number", "=", self.number)
            & Domain("company_id", "=", self.company_id.id)
            & Domain("id", "!=", self.id),
            order="received_date, id",
        )

    def _parts(self):
        """Return the first part and its later parts, in arrival order."""
        self.ensure_one()
        return (self | self.part_ids).sorted(lambda part: (part.received_date, part.id))

    def _parts_deadline(self):
        """Return when the wait for more parts of this message ends."""
        window = datetime.timedelta(seconds=self.company_id.proactive_sms_part_window)
        return max(self._parts().mapped("received_date")) + window

    def _schedule_parts_check(self, when):
        self.env.ref(PARTS_CRON_XMLID).sudo()._trigger(at=when)

    def _process_message(self):
        """Read the text (all its parts joined) and act on it: opt-out,
        opt-in and help keywords, else post it on the sender's open lead, or
        on a new lead, which runs the lead flow."""
        self.ensure_one()
        parts = self._parts()
        # Carriers split inside words, so the parts join without a separator.
        text = "".join(parts.mapped(lambda part: part.body or ""))
        media = [url for part in parts for url in (part.media_urls or "").splitlines()]
        company = self.company_id
        # Some side effects wait for the end of the lead flow, which may make
        # them pointless (see crm.lead._proactive_defer_until_processed).
        Lead = (
            self.env["crm.lead"]
            .with_company(company)
            ._proactive_defer_until_processed()
        )
        keyword = sms_keywords.classify(
            text, company._proactive_sms_extra_opt_out_words()
        )
        was_blacklisted = Lead._proactive_sms_is_blacklisted(self.number)
        lead = Lead._proactive_sms_find_lead(self.number, company)
        if (
            keyword == sms_keywords.OPT_IN
            and not was_blacklisted
            and not lead.proactive_opt_out
        ):
            keyword = None  # a plain "yes" from a number that never opted out
        if not lead and not keyword:
            lead = Lead._proactive_sms_create_lead(self, text)
        if lead and not keyword and not lead.proactive_sms_consent:
            lead.proactive_sms_consent = True

        message = self.env["mail.message"]
        if lead:
            message = lead._proactive_sms_post_inbound(
                text, media, self.number, keyword
            )
        Lead._proactive_run_deferred()
        parts.write(
            {
                "state": "done",
                "lead_id": lead.id,
                "message_id": message.id,
                "keyword": keyword or False,
                "error": False,
            }
        )
        if keyword == sms_keywords.OPT_OUT:
            self._handle_opt_out(lead, was_blacklisted)
        elif keyword == sms_keywords.OPT_IN:
            self._handle_opt_in(lead)
        elif keyword == sms_keywords.HELP:
            self._handle_help(lead, was_blacklisted)

    # ------------------------------------------------------------
    # Keywords
    # ------------------------------------------------------------
    def _handle_opt_out(self, lead, was_blacklisted):
        """Blacklist the number, stop every sequence to it and confirm once."""
        Lead = self.env["crm.lead"].with_company(self.company_id)
        self.env["phone.blacklist"].sudo()._add(
            [self.number],
            message=self.env._(
                "Opted out by texting %(text)s.", text=(self.body or "")[:40]
            ),
        )
        leads = Lead._proactive_sms_open_leads(self.number)
        leads._proactive_sms_stop_sequences(self.number)
        if was_blacklisted:
            # Already opted out: a second STOP gets no second confirmation.
            return
        self._send_keyword_reply(self.company_id.proactive_sms_opt_out_text, lead)

    def _handle_opt_in(self, lead):
        """Remove the number from the blacklist and confirm. Touches skipped
        while opted out stay skipped: only later steps are sent."""
        Lead = self.env["crm.lead"].with_company(self.company_id)
        self.env["phone.blacklist"].sudo()._remove(
            [self.number],
            message=self.env._(
                "Opted in again by texting %(text)s.", text=(self.body or "")[:40]
            ),
        )
        leads = Lead._proactive_sms_open_leads(self.number)
        for opted_out in leads.filtered("proactive_opt_out"):
            opted_out.write({"proactive_opt_out": False, "proactive_sms_consent": True})
            opted_out.message_post(
                body=self.env._(
                    "%(number)s texted %(text)s: automated texts may be sent again. "
                    "Touches skipped while the lead was opted out are not resent.",
                    number=self.number,
                    text=(self.body or "")[:40],
                ),
                subtype_xmlid="lead_proactive.mt_lead_guard",
            )
        self._send_keyword_reply(self.company_id.proactive_sms_opt_in_text, lead)

    def _handle_help(self, lead, was_blacklisted):
        if was_blacklisted:
            self._log_on_lead(
                lead,
                self.env._(
                    "No HELP reply sent: %(number)s is on the phone blacklist.",
                    number=self.number,
                ),
            )
            return
        if self._recent_help_reply():
            self._log_on_lead(
                lead,
                self.env._(
                    "No HELP reply sent: this number got one in the last "
                    "%(seconds)s seconds.",
                    seconds=self.company_id.proactive_sms_reply_cooldown,
                ),
            )
            return
        self._send_keyword_reply(self.company_id.proactive_sms_help_text, lead)

    def _recent_help_reply(self):
        cooldown = datetime.timedelta(
            seconds=self.company_id.proactive_sms_reply_cooldown
        )
        return bool(
            cooldown
            and self.search_count(
                Domain("number", "=", self.number)
                & Domain("keyword", "=", sms_keywords.HELP)
                & Domain("reply_date", ">=", self.env.cr.now() - cooldown),
                limit=1,
            )
        )

    def _send_keyword_reply(self, text, lead):
        """Text the STOP, START or HELP reply, prefixed with the company name,
        when the company sends its own keyword replies.

        It bypasses the guard and the phone blacklist on purpose: carriers
        expect the opt-out confirmation to reach a number that was just
        blacklisted. With a lead, the reply is posted on it; without one, it
        is queued on its own. Either way it is sent after the commit.
        """
        company = self.company_id
        if not text:
            return
        if not company.proactive_sms_keyword_replies:
            self._log_on_lead(
                lead,
                self.env._(
                    "No keyword reply sent: the company leaves STOP, START and "
                    "HELP replies to Twilio."
                ),
            )
            return
        body = "%s: %s" % (company.name, text)
        if lead:
            author = company.partner_id
            message = lead.with_context(proactive_automated=True)._message_sms(
                body,
                sms_numbers=[self.number],
                author_id=author.id,
                put_in_queue=True,
            )
            message._proactive_sms_send_after_commit()
        else:
            sms = (
                self.env["sms.sms"]
                .sudo()
                .create(
                    {
                        "number": self.number,
                        "body": body,
                        "record_company_id": company.id,
                    }
                )
            )
            sms._proactive_send_after_commit()
        self.write({"reply_date": self.env.cr.now()})

    def _log_on_lead(self, lead, body):
        if lead:
            lead.message_post(body=body, subtype_xmlid="lead_proactive.mt_lead_guard")
        else:
            _logger.info("Inbound SMS %s: %s", self.message_sid, body)

    # ------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------
    @api.model
    def _cron_process_split_messages(self):
        """Read the split messages whose wait for more parts has ended."""
        started = time.monotonic()
        Cron = self.env["ir.cron"]
        now = self.env.cr.now()
        heads = self.search(Domain("state", "=", "waiting"), order="received_date, id")
        due = heads.filtered(lambda head: head._parts_deadline() <= now)
        Cron._commit_progress(remaining=len(due))
        processed = 0
        for head in due:
            head.invalidate_recordset(["state"])
            locked = head.try_lock_for_update().filtered(lambda h: h.state == "waiting")
            # A webhook request holding the sender's lock is joining a part
            # right now: leave the message to it or to the next run.
            if not locked or not locked._lock_sender(wait=False):
                continue
            locked._process_safely_waiting()
            processed += 1
            if not Cron._commit_progress(1):
                break
        for head in (heads - due).filtered(lambda h: h.state == "waiting"):
            head._schedule_parts_check(head._parts_deadline())
        _logger.info(
            "Split SMS: %s of %s waiting messages read in %.1fs",
            processed,
            len(heads),
            time.monotonic() - started,
        )

    def _process_safely_waiting(self):
        try:
            with self.env.cr.savepoint():
                self._process_message()
        except Exception as error:  # noqa: BLE001 - the text must be kept
            if self._is_concurrency_error(error):
                raise
            _logger.exception("Split SMS %s could not be processed", self.message_sid)
            self._parts().write({"state": "error", "error": str(error) or repr(error)})

    @api.autovacuum
    def _gc_old_inbound(self):
        """Delete inbound rows past the retention period: the texts stay in
        the leads' chatter."""
        limit = self.env.cr.now() - datetime.timedelta(days=RETENTION_DAYS)
        old = self.search(
            Domain("received_date", "<", limit)
            & Domain("state", "in", ["done", "part"])
        )
        old.unlink()
        _logger.info(
            "Inbound SMS: deleted %s rows older than %s days", len(old), RETENTION_DAYS
        )
