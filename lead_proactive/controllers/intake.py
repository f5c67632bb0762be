# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Webhook endpoint of the lead sources.

``POST /lead_proactive/intake/<source id>`` with a JSON body. The source's
token authenticates the request, in one of these places:

- ``Authorization: Bearer <token>``;
- ``X-Proactive-Token: <token>``, or ``X-Api-Key: <token>`` (Angi's header);
- HTTP Basic authentication with any user name and the token as password,
  for platforms that only take a URL with credentials (Thumbtack);
- the ``token`` query parameter or a last path segment
  (``/lead_proactive/intake/<source id>/<token>``), only for sources that
  accept a token in the URL (Yelp).

The token is checked before the body is read. Errors are JSON objects
``{"error": "...", "field": "customer.phone"}`` where ``field`` names the
invalid field, or is null.

``GET`` on the same URL answers Yelp's verification of a webhook URL:
Yelp adds a ``verification`` query parameter and expects it back as
``{"verification": "<value>"}``.
"""

import base64
import binascii
import json
import logging
import re

from werkzeug.exceptions import RequestEntityTooLarge

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..tools import intake_adapters
from ..tools.rate_limited_log import RateLimitedLogger

_logger = logging.getLogger(__name__)

# The largest request body accepted. By estimate, a single lead is a few
# kilobytes and a Google Local Services batch of 100 leads under 100 KB.
MAX_REQUEST_BYTES = 256 * 1024
JSON_MIMETYPES = ("application/json",)

REJECTION_LOG = RateLimitedLogger(_logger)
# Yelp's verification values are letters and digits. The dash and the
# underscore are also accepted, in case of URL-safe random strings.
VERIFICATION_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
# A source's URL, and the same URL ending with the token for platforms that
# only take a URL.
INTAKE_ROUTES = [
    "/lead_proactive/intake/<int:source_id>",
    "/lead_proactive/intake/<int:source_id>/<string:path_token>",
]


class IntakeController(http.Controller):
    @http.route(
        INTAKE_ROUTES,
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def intake(self, source_id, path_token=None, **_params):
        httprequest = request.httprequest
        source, error = self._authenticate(source_id, path_token)
        if error:
            return error
        env = source.env

        # 2. Size and content type, before the body is parsed.
        if (httprequest.content_length or 0) > MAX_REQUEST_BYTES:
            return self._reject_too_large(source_id)
        if httprequest.mimetype not in JSON_MIMETYPES:
            return self._reject(
                source_id,
                415,
                "Content-Type must be application/json, not %r." % (httprequest.mimetype or "")[:64],
                "content type",
            )
        raw = self._read_body()
        if raw is None:
            return self._reject_too_large(source_id)

        # 3. JSON and the platform's format. Nothing is stored for a request
        # that cannot be read, except the rejected delivery row.
        Event = env["proactive.intake.event"]
        remote = httprequest.remote_addr or ""
        text = raw.decode("utf-8", errors="replace")
        try:
            payload = json.loads(raw.decode("utf-8"))
        except RecursionError:
            message = "Invalid JSON: nested too deeply."
            Event._log(source, "rejected", error=message, payload=text, remote_addr=remote)
            return self._reject(source_id, 400, message, "invalid JSON")
        except (UnicodeDecodeError, ValueError) as error:
            message = "Invalid JSON: %s." % error
            Event._log(source, "rejected", error=message, payload=text, remote_addr=remote)
            return self._reject(source_id, 400, message, "invalid JSON")
        try:
            leads = intake_adapters.parse_payload(
                source.adapter, payload, default_tz=source.time_zone or None
            )
        except intake_adapters.IntakeError as error:
            Event._log(
                source,
                "rejected",
                # The platform's lead id, when it is readable, files the
                # rejected delivery under its lead.
                external_id=intake_adapters.find_lead_id(source.adapter, payload, error.field)
                or False,
                error=error.message,
                error_field=error.field or False,
                payload=text,
                remote_addr=remote,
            )
            if error.title:
                message = "%s: %s." % (error.title, error.message)
            elif error.field:
                message = "Invalid %s: %s." % (error.field, error.message)
            else:
                message = "Invalid payload: %s." % error.message
            return self._reject(source_id, 400, message, "invalid payload", field=error.field)

        # 4. One lead per platform lead id, each in its own savepoint.
        # A lead that fails is logged with the payload and reported as failed
        # in the response. The other leads of a batch are still stored.
        results = []
        for data in leads:
            try:
                with env.cr.savepoint():
                    results.append(self._receive_lead(source, data, remote))
            except Exception as error:  # noqa: BLE001 - logged, answered with 500
                if Event._is_retryable(error):
                    raise  # Odoo's HTTP layer retries the whole request
                _logger.exception(
                    "Lead source %s: platform lead %s could not be stored", source.id, data.lead_id
                )
                Event._log(
                    source,
                    "failed",
                    external_id=data.lead_id,
                    error=str(error) or repr(error),
                    payload=text,
                    remote_addr=remote,
                )
                results.append({"status": "failed", "lead_id": None, "external_id": data.lead_id})
        body = {"results": results}
        if len(results) == 1:
            body.update(results[0])
        if any(result["status"] == "failed" for result in results):
            # The platform retries the request: the stored leads are then
            # duplicates, and the failed ones are tried again.
            body.update(error="Some leads could not be stored. Retry later.", field=None)
            return self._json(body, status=500)
        return self._json(body)

    @http.route(
        INTAKE_ROUTES,
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def intake_verify(self, source_id, path_token=None, **_params):
        """Return the ``verification`` value of a platform's check of the
        webhook URL (Yelp's verification flow).

        The request must carry the source's token like a delivery, so the
        URL cannot be used to probe which sources exist.
        """
        source, error = self._authenticate(source_id, path_token)
        if error:
            return error
        if "verification" not in request.httprequest.args:
            return self._reject(
                source_id,
                405,
                "Send leads with POST. GET only answers a URL verification "
                "with the 'verification' parameter.",
                "method",
                headers=[("Allow", "GET, POST")],
            )
        value = request.httprequest.args.get("verification", "")
        if not VERIFICATION_PATTERN.fullmatch(value):
            return self._reject(
                source_id,
                400,
                "Invalid verification: expected 1 to 256 letters or digits.",
                "invalid verification",
                field="verification",
            )
        source.sudo().verified_date = source.env.cr.now()
        _logger.info("Lead source %s: returned the verification value of a webhook URL check", source.id)
        return self._json({"verification": value})

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------
    def _receive_lead(self, source, data, remote):
        """Create, extend or skip the lead of ``data`` and return its result.

        A later delivery of a known lead posts only the text that the lead
        does not show yet. A delivery that adds nothing is a duplicate.
        """
        Event = source.env["proactive.intake.event"]
        Lead = source.env["crm.lead"]
        content_hash = Event._content_hash("%s\n%s" % (data.request_id or "", data.message))
        key = Event._insert_key(source, data.lead_id, content_hash, remote)
        if key:
            lead, message = Lead._proactive_intake_create_lead(source, data)
            key.write({"lead_id": lead.id, "message_id": message.id})
            return {"status": "created", "lead_id": lead.id, "external_id": data.lead_id}

        key = Event._lock_key(source, data.lead_id)
        lead = key.lead_id
        message = None
        if not lead:
            # The lead was deleted: the new delivery makes a new one.
            lead, message = Lead._proactive_intake_create_lead(source, data)
            key.write({"lead_id": lead.id, "message_id": message.id})
        elif content_hash not in key._known_hashes():
            message = lead._proactive_intake_add(source, data)
        if not message:
            Event._log(
                source, "duplicate", external_id=data.lead_id, lead_id=lead.id,
                content_hash=content_hash, remote_addr=remote,
            )
            return {"status": "duplicate", "lead_id": lead.id, "external_id": data.lead_id}
        Event._log(
            source, "appended", external_id=data.lead_id, lead_id=lead.id,
            message_id=message.id, content_hash=content_hash, remote_addr=remote,
        )
        return {"status": "appended", "lead_id": lead.id, "external_id": data.lead_id}

    def _authenticate(self, source_id, path_token):
        """Return (source, None) for a request with the source's token, else
        (None, the error response).

        The response depends only on the request and on whether the token is
        right, so it does not tell which source ids exist or take a token in
        the URL.
        """
        env = request.env(user=SUPERUSER_ID)
        source = env["proactive.intake.source"].browse(source_id).exists()
        source = source.filtered("active")
        header_tokens, url_tokens = self._presented_tokens(path_token)
        if not (header_tokens or url_tokens):
            return None, self._reject(source_id, 401, "Missing token.", "no credentials")
        tokens = header_tokens + (url_tokens if source.allow_url_token else [])
        if not source or not any(source._check_token(token) for token in tokens):
            # Unknown and archived sources get the same response as a wrong token.
            message = "Invalid token."
            if url_tokens:
                message = (
                    "Invalid token. A token in the URL is only accepted by sources "
                    "with Accept Token in URL set."
                )
            return None, self._reject(source_id, 403, message, "invalid token")
        return source.with_company(source.company_id), None

    def _read_body(self):
        """Return the request body, or None when it is larger than the limit.

        The body is cached on the request because Odoo's retry after a
        concurrency error runs this controller again on the same request.
        """
        httprequest = request.httprequest
        # Also bounds a chunked body that has no Content-Length.
        httprequest.max_content_length = MAX_REQUEST_BYTES
        try:
            raw = httprequest.get_data(cache=True)
        except RequestEntityTooLarge:
            return None
        return raw if len(raw) <= MAX_REQUEST_BYTES else None

    def _presented_tokens(self, path_token=None):
        """Return the tokens the request presents in its headers, and those in
        its URL (the ``token`` query parameter and the last path segment)."""
        headers = request.httprequest.headers
        tokens = []
        authorization = headers.get("Authorization", "")
        scheme, _sep, credentials = authorization.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            tokens.append(credentials.strip())
        elif scheme.lower() == "basic" and credentials.strip():
            try:
                decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                decoded = ""
            password = decoded.partition(":")[2]
            if password:
                tokens.append(password)
        for name in ("X-Proactive-Token", "X-Api-Key"):
            if headers.get(name, "").strip():
                tokens.append(headers[name].strip())
        url_tokens = [request.httprequest.args.get("token", "").strip(), path_token or ""]
        # Generated tokens have 43 characters and Angi API keys at most 160, so
        # longer values are ignored.
        return (
            [token for token in tokens if len(token) <= 512][:4],
            [token for token in url_tokens if token and len(token) <= 512],
        )

    def _reject_too_large(self, source_id):
        return self._reject(
            source_id, 413, "Request larger than %s bytes." % MAX_REQUEST_BYTES, "too large"
        )

    def _reject(self, source_id, status, message, reason, field=None, headers=()):
        remote = request.httprequest.remote_addr or "unknown"
        REJECTION_LOG.warning(
            (remote, source_id, reason),
            "Lead source %s: rejected a request from %s with %s: %s",
            source_id,
            remote,
            status,
            message,
        )
        headers = list(headers)
        if status == 401:
            headers.append(("WWW-Authenticate", 'Bearer realm="lead_proactive"'))
        return self._json({"error": message, "field": field}, status=status, headers=headers)

    def _json(self, body, status=200, headers=()):
        return request.make_response(
            json.dumps(body),
            headers=[("Content-Type", "application/json"), *headers],
            status=status,
        )
