# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""SMS encoding and segment count (3GPP TS 23.038 and 23.040).

A text made only of GSM-7 characters is sent 7 bits per character: 160
characters fit one SMS, and a longer text is split into segments of 153,
because each part carries a 7-character concatenation header. The
characters of the GSM-7 extension table (``^ { } [ ] ~ | \\ €`` and form
feed) take two places. One character outside GSM-7 (a curly quote, an
accent GSM-7 lacks, an emoji) switches the whole text to UCS-2. Then 70
UTF-16 code units fit one SMS and 67 fit each segment. A character outside
the Basic Multilingual Plane (most emoji) takes two units.

A segment never ends inside a two-place character, so a long text may need
one segment more than its length divided by 153 or 67. Carriers bill per
segment.

Pure Python (stdlib only), so it runs without a database.
"""

from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# The GSM 03.38 default alphabet, without the escape code (0x1B) that
# introduces the extension table.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

# Places per message: (whole text in one SMS, each segment of a longer text).
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class SegmentInfo:
    """Encoding, length and segment count of a text."""

    encoding: str
    # Septets for GSM-7, UTF-16 code units for UCS-2.
    length: int
    segments: int
    # The characters that force UCS-2, each once, in order of appearance.
    ucs2_chars: str

    @property
    def per_segment(self):
        """Places per segment at this length: 160 or 70 for a single SMS."""
        single, multi = LIMITS[self.encoding]
        return single if self.segments <= 1 else multi


def _char_places(char, encoding):
    if encoding == GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def analyze(text):
    """Return the encoding, length and segment count of ``text``."""
    text = text or ""
    ucs2_chars = "".join(
        dict.fromkeys(
            char
            for char in text
            if char not in GSM7_BASIC and char not in GSM7_EXTENSION
        )
    )
    encoding = UCS2 if ucs2_chars else GSM7
    places = [_char_places(char, encoding) for char in text]
    length = sum(places)
    single, multi = LIMITS[encoding]
    if not places:
        segments = 0
    elif length <= single:
        segments = 1
    else:
        segments = 1
        used = 0
        for size in places:
            if used + size > multi:
                segments += 1
                used = 0
            used += size
    return SegmentInfo(encoding, length, segments, ucs2_chars)


def fills_segment(text):
    """Return whether ``text`` fills a whole single SMS (152 to 160 GSM-7
    places, or 66 to 70 UCS-2 units).

    A carrier that delivers a long message as separate SMS sends full parts
    and a shorter last one, so a message this long is probably not the end
    of what the person wrote.
    """
    info = analyze(text)
    single, multi = LIMITS[info.encoding]
    # One place less than a full segment: a two-place character that did not
    # fit moved on to the next part.
    return info.segments == 1 and multi - 1 <= info.length <= single
