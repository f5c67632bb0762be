# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Repairs applied to a raw email before Odoo parses it.

Some mailers put 8-bit text in headers without RFC 2047 encoding. Python's
email package reads raw UTF-8 header bytes correctly, but any other 8-bit
bytes (Latin-1 from older clients) become U+FFFD, so a name like "José"
would be lost. Such header lines are re-encoded to UTF-8 here, reading them
as Windows-1252, the superset of Latin-1 that those clients send.
"""

import re

_HEADER_END = re.compile(rb"\r?\n\r?\n")


def repair_header_encoding(raw: bytes) -> bytes:
    """Return ``raw`` with non-UTF-8 8-bit header lines converted to UTF-8.

    Only the top-level header block is touched; the body and MIME parts are
    returned byte for byte.
    """
    match = _HEADER_END.search(raw)
    head, rest = (raw[: match.start()], raw[match.start():]) if match else (raw, b"")
    if head.isascii():
        return raw
    lines = head.split(b"\n")
    return b"\n".join(_repair_line(line) for line in lines) + rest


def _repair_line(line: bytes) -> bytes:
    if line.isascii():
        return line
    try:
        line.decode("utf-8")
        return line
    except UnicodeDecodeError:
        return line.decode("cp1252", errors="replace").encode("utf-8")
