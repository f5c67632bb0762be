# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Twilio request signatures (the ``X-Twilio-Signature`` header).

Twilio signs every webhook request with HMAC-SHA1 keyed by the account's auth
token. The signed text is the full URL that Twilio called, query string
included, followed by each POST parameter name and value, sorted by name:
``base64(HMAC-SHA1(token, url + name1 + value1 + name2 + value2 ...))``.
Source: https://www.twilio.com/docs/usage/webhooks/webhooks-security

The URL is the public one configured in Twilio. A server behind a proxy gets
another one (``http://127.0.0.1:8069/...``), so the caller passes every URL
the request may have been sent to. Each is tried with and without its port,
as Twilio's helper library for Node.js does (``webhooks.js`` adds the
standard port and tries both forms).

Pure Python (stdlib only), so it runs without a database.
"""

import base64
import hashlib
import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PORTS = {"http": "80", "https": "443"}


def compute_signature(auth_token, url, params):
    """Return the signature Twilio sends for a POST of ``params`` to ``url``.

    ``params`` is an iterable of (name, value) pairs. A name may repeat (two
    ``MediaUrl`` values, for example): every pair is signed, so callers must
    not collapse the form into a dict. Pairs are sorted by name, then value.
    """
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def port_variants(url):
    """Return ``url`` as given, then the same URL with its port removed or
    with the scheme's default port added.

    ``https://example.com:8443/x`` gives ``https://example.com/x`` as its
    variant, and ``https://example.com/x`` gives ``https://example.com:443/x``.
    """
    parts = urlsplit(url)
    host, separator, port = parts.netloc.rpartition(":")
    if separator and port.isdigit():
        other_netloc = host
    else:
        default_port = DEFAULT_PORTS.get(parts.scheme)
        if not default_port:
            return [url]
        other_netloc = "%s:%s" % (parts.netloc, default_port)
    other = urlunsplit(parts._replace(netloc=other_netloc))
    return [url] if other == url else [url, other]


def find_signed_url(auth_token, signature, urls, params):
    """Return the URL among ``urls`` (and their port variants) that the
    signature was made for, or None when it matches none of them.

    The comparison runs in constant time. An empty token or signature never
    matches.
    """
    if not auth_token or not signature:
        return None
    pairs = list(params)
    tried = set()
    for url in _unique(urls):
        for candidate in port_variants(url):
            if candidate in tried:
                continue
            tried.add(candidate)
            expected = compute_signature(auth_token, candidate, pairs)
            if hmac.compare_digest(expected.encode(), signature.encode()):
                return candidate
    return None


def is_valid_signature(auth_token, signature, urls, params):
    """Return whether ``signature`` signs ``params`` for one of ``urls``."""
    return find_signed_url(auth_token, signature, urls, params) is not None


def _unique(values: Iterable[str]):
    seen = set()
    for value in values:
        if value and value not in seen:
            seen.add(value)
            yield value
