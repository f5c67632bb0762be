# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Delivery log of the lead-source webhooks.

The row in state ``created`` is the key of one platform lead: a partial
unique index allows one such row per (source, platform lead id). A retried
or concurrent delivery of the same lead finds it and adds a ``duplicate``
or ``appended`` row instead of a second lead. Authenticated requests that
cannot be read are kept as ``rejected`` rows with the payload, so an admin
can see what the platform sent.
"""

import datetime
import hashlib
import json
import logging

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, format_datetime

_logger = logging.getLogger(__name__)

# Payloads kept on rejected rows are cut to this size.
MAX_STORED_PAYLOAD_CHARS = 64 * 1024
# Rejected and duplicate rows older than this are deleted by the
# autovacuum. Key rows stay as long as their source: they stop duplicates.
RETENTION_DAYS = 90


class ProactiveIntakeEvent(models.Model):
    _name = "proactive.intake.event"
    _description = "Lead Source Delivery"
    _order = "received_date desc, id desc"
    _rec_name = "external_id"

    source_id = fields.Many2one(
        "proactive.intake.source",
        string="Lead Source",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="source_id.company_id", store=True)
    external_id = fields.Char(
        string="Platform Lead ID", readonly=True, help="The platform's id of the lead."
    )
    state = fields.Selection(
        [
            ("created", "Lead created"),
            ("appended", "Added to lead"),
            ("duplicate", "Duplicate"),
            ("rejected", "Rejected"),
            ("failed", "Failed"),
        ],
        required=True,
        readonly=True,
        index=True,
        help="Lead created: the first delivery of the lead. Added to lead: a "
        "later delivery with text the lead did not show yet, or a platform "
        "event. Duplicate: a later delivery that adds nothing; nothing is "
        "posted. Rejected: the payload is invalid (see the error). Failed: "
        "the lead could not be created; the platform is asked to retry.",
    )
    lead_id = fields.Many2one(
        "crm.lead", string="Lead", readonly=True, ondelete="set null", index="btree_not_null"
    )
    message_id = fields.Many2one(
        "mail.message", string="Chatter Message", readonly=True, ondelete="set null"
    )
    received_date = fields.Datetime(string="Received On", required=True, readonly=True)
    delivery_count = fields.Integer(
        string="Deliveries",
        readonly=True,
        default=1,
        help="On the lead's first row: how many times the platform sent it.",
    )
    content_hash = fields.Char(
        string="Content Hash",
        readonly=True,
        help="Technical: SHA-256 of the lead's text, to tell a retry from a new message.",
    )
    error = fields.Text(readonly=True)
    error_field = fields.Char(string="Invalid Field", readonly=True)
    payload = fields.Text(
        string="Request Body",
        readonly=True,
        help="The request body of a rejected or failed delivery, cut at 64 KB.",
    )
    payload_display = fields.Text(
        string="Request Body (Formatted)",
        compute="_compute_payload_display",
        help="The request body, indented when it is valid JSON.",
    )
    remote_addr = fields.Char(string="Sender IP", readonly=True)

    _source_external_created_unique = models.UniqueIndex(
        "(source_id, external_id) WHERE state = 'created'",
        "This platform lead was already received from this source.",
    )

    @api.depends("external_id", "source_id", "state", "received_date")
    def _compute_display_name(self):
        states = dict(self._fields["state"]._description_selection(self.env))
        for event in self:
            if event.external_id:
                event.display_name = event.external_id
                continue
            # A delivery rejected before its lead id could be read.
            event.display_name = self.env._(
                "%(platform)s, %(state)s, %(date)s",
                platform=event.source_id.name or "",
                state=states.get(event.state, ""),
                date=format_datetime(self.env, event.received_date) if event.received_date else "",
            )

    @api.depends("payload")
    def _compute_payload_display(self):
        for event in self:
            event.payload_display = _indent_json(event.payload)

    # ------------------------------------------------------------
    # Key rows
    # ------------------------------------------------------------
    @api.model
    def _insert_key(self, source, external_id, content_hash, remote_addr):
        """Insert the key row of a platform lead unless one exists.

        Returns the new row, or an empty recordset when the lead is known.
        A concurrent insert of the same key waits for this transaction. If
        this one commits, the other fails with a serialization error, and the
        HTTP layer retries it, so the retry finds the key.
        """
        self.flush_model()
        now = self.env.cr.now()
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (source_id, company_id, external_id, state, received_date,"
                " delivery_count, content_hash, remote_addr, create_uid, write_uid,"
                " create_date, write_date)"
                " VALUES (%s, %s, %s, 'created', %s, 1, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (source_id, external_id) WHERE state = 'created' DO NOTHING"
                " RETURNING id",
                SQL.identifier(self._table),
                source.id,
                source.company_id.id,
                external_id,
                now,
                content_hash,
                remote_addr,
                self.env.uid,
                self.env.uid,
                now,
                now,
            ),
            log_exceptions=False,
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0]) if row else self.browse()

    @api.model
    def _lock_key(self, source, external_id):
        """Return the lead's key row, locked until the transaction ends.

        Every delivery updates the key row, so a concurrent delivery of the
        same lead that locked it first makes this one fail with a
        serialization error and be retried.
        """
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE source_id = %s AND external_id = %s"
                " AND state = 'created' FOR UPDATE",
                SQL.identifier(self._table),
                source.id,
                external_id,
            ),
            # A serialization failure here is expected and retried.
            log_exceptions=False,
        )
        row = self.env.cr.fetchone()
        key = self.browse(row[0]) if row else self.browse()
        if key:
            key.invalidate_recordset()
            key.write({"delivery_count": key.delivery_count + 1})
        return key

    def _known_hashes(self):
        """Return the content hashes of the deliveries already read for this key."""
        self.ensure_one()
        rows = self.search(
            Domain("source_id", "=", self.source_id.id)
            & Domain("external_id", "=", self.external_id)
            & Domain("state", "in", ["created", "appended"])
        )
        return set(rows.mapped("content_hash"))

    @api.model
    def _is_retryable(self, error):
        """Return whether Odoo's HTTP layer retries a request failing with ``error``."""
        from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY  # noqa: PLC0415

        return isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY)

    @api.model
    def _content_hash(self, text):
        return hashlib.sha256((text or "").encode()).hexdigest()

    @api.model
    def _log(self, source, state, **values):
        """Add a delivery row that is not a key (duplicate, appended, rejected)."""
        payload = values.get("payload")
        if payload and len(payload) > MAX_STORED_PAYLOAD_CHARS:
            values["payload"] = payload[:MAX_STORED_PAYLOAD_CHARS]
        return self.create(
            {
                "source_id": source.id,
                "state": state,
                "received_date": self.env.cr.now(),
                **values,
            }
        )

    @api.autovacuum
    def _gc_old_deliveries(self):
        """Delete old delivery rows; the key rows stay to stop duplicates."""
        limit = self.env.cr.now() - datetime.timedelta(days=RETENTION_DAYS)
        old = self.search(
            Domain("received_date", "<", limit) & Domain("state", "!=", "created")
        )
        count = len(old)
        old.unlink()
        _logger.info(
            "Lead source deliveries: deleted %s rows older than %s days", count, RETENTION_DAYS
        )


def _indent_json(text):
    """Return ``text`` indented when it is a JSON document, else unchanged.

    A payload cut at the stored size is no longer valid JSON and stays as
    received.
    """
    if not text:
        return text
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return text
