# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Twilio's incoming-message webhook.

Configure ``https://<public host>/lead_sms/twilio/inbound`` (HTTP POST) as
the incoming message URL of the Twilio number or Messaging Service. Add
``?company=<id>`` when several companies share the database and have the
same AccountSid. The query string is part of the signed URL, so it must be
the same in Twilio and here.
"""

import logging
import threading
import time
from urllib.parse import quote

from odoo import SUPERUSER_ID, http
from odoo.http import request

from ..models.proactive_sms_inbound import InboundRequestError
from ..tools import twilio_signature

_logger = logging.getLogger(__name__)

# Larger requests get a 413 response before their parameters are used. A
# Twilio message request stays under about 8 KB (an estimate for a
# 1600-character body, 10 media URLs and the usual parameters).
MAX_REQUEST_BYTES = 64 * 1024
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class RateLimitedWarning:
    """Log a warning at most once per ``interval`` seconds per key, with the
    number of warnings suppressed since the last one."""

    def __init__(self, interval=60.0, max_keys=1000):
        self.interval = interval
        self.max_keys = max_keys
        self._lock = threading.Lock()
        self._last = {}  # key -> (monotonic time of the last warning, suppressed count)

    def warning(self, key, message, *args):
        now = time.monotonic()
        with self._lock:
            last, suppressed = self._last.get(key, (None, 0))
            if last is not None and now - last < self.interval:
                self._last[key] = (last, suppressed + 1)
                return False
            if len(self._last) >= self.max_keys:
                self._last = {
                    k: v for k, v in self._last.items() if now - v[0] < self.interval
                }
            self._last[key] = (now, 0)
        _logger.warning(
            message + " (%s similar warnings suppressed)", *args, suppressed
        )
        return True


REJECTED_WARNING = RateLimitedWarning()


class TwilioInboundController(http.Controller):
    @http.route(
        "/lead_sms/twilio/inbound",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def twilio_inbound(self, **_params):
        httprequest = request.httprequest
        if (httprequest.content_length or 0) > MAX_REQUEST_BYTES:
            return self._reject(
                413, "Request larger than %s bytes." % MAX_REQUEST_BYTES, "too large"
            )
        # Every pair, repeated names included: Twilio signs them all.
        params = list(httprequest.form.items(multi=True))
        if sum(len(name) + len(value) for name, value in params) > MAX_REQUEST_BYTES:
            return self._reject(
                413, "Request larger than %s bytes." % MAX_REQUEST_BYTES, "too large"
            )

        urls = self._get_public_urls()
        signature = httprequest.headers.get("X-Twilio-Signature", "")
        company = self._find_signing_company(signature, urls, params)
        if not company:
            return self._reject(
                403,
                "Invalid or missing X-Twilio-Signature.",
                "signature",
                urls=urls,
                signed=bool(signature),
            )

        Inbound = (
            request.env["proactive.sms.inbound"]
            .with_user(SUPERUSER_ID)
            .with_company(company)
        )
        try:
            values = Inbound._prepare_twilio_values(params, company)
        except InboundRequestError as error:
            _logger.warning(
                "Twilio inbound SMS: rejected a signed request (%s): %s",
                error.status,
                error.message,
            )
            return request.make_response(
                error.message,
                headers=[("Content-Type", "text/plain")],
                status=error.status,
            )
        inbound = Inbound._insert_new(values)
        if not inbound:
            _logger.info(
                "Twilio inbound SMS %s received again: already stored, ignored",
                values["message_sid"],
            )
            return self._twiml()
        inbound._process_safely()
        return self._twiml()

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------
    def _twiml(self):
        # Replies go out through the SMS queue, so the TwiML response is empty.
        return request.make_response(
            EMPTY_TWIML, headers=[("Content-Type", "text/xml")]
        )

    def _reject(self, status, message, reason, urls=(), signed=False):
        remote = request.httprequest.remote_addr or "unknown"
        if reason == "signature":
            REJECTED_WARNING.warning(
                (remote, reason),
                "Twilio inbound SMS: rejected a request from %s (%s): no company's "
                "Twilio auth token signs it for %s. Check the auth token, and that "
                "web.base.url or the proxy's X-Forwarded-Proto and X-Forwarded-Host "
                "headers give the URL configured in Twilio",
                remote,
                "signed" if signed else "no signature",
                ", ".join(urls),
            )
        else:
            REJECTED_WARNING.warning(
                (remote, reason),
                "Twilio inbound SMS: rejected a request from %s: %s",
                remote,
                message,
            )
        return request.make_response(
            message, headers=[("Content-Type", "text/plain")], status=status
        )

    def _get_public_urls(self):
        """Return the URLs Twilio may have called to reach this request.

        With Odoo's proxy_mode, werkzeug's ProxyFix has already rebuilt the
        request URL from the X-Forwarded-* headers. Without it the headers
        are read here. The last candidate is web.base.url. The signature
        still proves the caller knows the auth token, whichever URL matches.
        """
        httprequest = request.httprequest
        path = quote(httprequest.path, safe="/%:@!$&'()*+,;=-._~")
        query = httprequest.query_string.decode("latin-1")
        suffix = path + ("?" + query if query else "")
        urls = [httprequest.host_url.rstrip("/") + suffix]

        headers = httprequest.headers
        proto = _first_value(headers.get("X-Forwarded-Proto"))
        host = _first_value(headers.get("X-Forwarded-Host"))
        port = _first_value(headers.get("X-Forwarded-Port"))
        if proto or host:
            host = host or httprequest.host
            if port and ":" not in host:
                host = "%s:%s" % (host, port)
            urls.append("%s://%s%s" % (proto or httprequest.scheme, host, suffix))

        base_url = request.env["ir.config_parameter"].sudo().get_param("web.base.url")
        if base_url:
            urls.append(base_url.rstrip("/") + suffix)
        return list(dict.fromkeys(urls))

    def _find_signing_company(self, signature, urls, params):
        """Return the company whose Twilio auth token signs the request."""
        if not signature:
            return None
        companies = (
            request.env["res.company"]
            .sudo()
            .search([("sms_twilio_auth_token", "!=", False)], order="id")
        )
        hinted = _first_value(request.httprequest.args.get("company"))
        account_sid = next(
            (value for name, value in params if name == "AccountSid"), None
        )

        def priority(company):
            # Try the likely company first; the signature decides.
            return (
                str(company.id) != hinted,
                company.sms_twilio_account_sid != account_sid,
            )

        for company in sorted(companies, key=priority):
            token = company.sms_twilio_auth_token
            if twilio_signature.find_signed_url(token, signature, urls, params):
                return company
        return None


def _first_value(header):
    """Return the first entry of a comma-separated header, which is the one
    the client-facing proxy set."""
    if not header:
        return ""
    return header.split(",")[0].strip()
