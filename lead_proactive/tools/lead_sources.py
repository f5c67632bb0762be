# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Recognize lead notifications and relay emails, and find the real person.

Leads reach the inbox in several shapes:

- a person's own email (source None);
- a Craigslist relay reply, from a temporary address at craigslist.org that
  forwards to the person (source 'craigslist', channel 'relay');
- a marketplace notification (Facebook Marketplace, OfferUp) that only
  reports a message written in the app, where the reply must go
  (channel 'marketplace_chat');
- a Google lead or message notification (best effort: the wording is not
  documented publicly);
- a website contact form or a lead platform notification, sent from the
  site's or platform's own address, with the visitor in Reply-To and in
  "Label: value" fields of the body.

The sender domain decides the source first, then the wording tables below
give the person's name, message and the platform's ids. Each source has
one ``SourcePatterns`` table, so new wording is added there. Platforms
change their wording without notice: the patterns match the sample
notifications in tests/test_mail_tools.py, and a notification that no pattern matches
still returns its source, with ``contact_name`` None.

Pure Python (stdlib only), so it runs without a database.
"""

import dataclasses
import re

from .mail_guard import (
    decode_header_text,
    first_header,
    is_noreply_address,
    split_address,
)
from .mail_text import RULE_LINE, SIGNATURE_SEPARATOR, extract_new_text

CHANNEL_EMAIL = "email"
CHANNEL_RELAY = "relay"
CHANNEL_MARKETPLACE_CHAT = "marketplace_chat"


@dataclasses.dataclass
class LeadContact:
    """The person behind an inbound lead email and the way to reply to them."""

    # 'craigslist', 'facebook_marketplace', 'offerup', 'website', 'google',
    # 'lead_platform', or None for a plain email.
    source: str | None
    # 'email' (reply by email), 'relay' (email to a temporary relay
    # address) or 'marketplace_chat' (no usable address: reply in the app).
    channel: str
    contact_name: str | None
    # Normalized lower-case address to reply to. None when the email carries
    # no usable address (marketplace chats, notifiers without a person).
    email: str | None
    # Phone number as written in a labeled field; the caller normalizes it.
    # Numbers inside free text are left to the text parser.
    phone: str | None
    # The person's own text, with notifier boilerplate, contact fields,
    # quoted history and signatures removed.
    message: str
    # The platform's lead, conversation or listing id, when present.
    external_id: str | None
    # True when From is a platform or form sender, not the person.
    is_notifier: bool
    # Every "Label: value" field read from a form or platform notification,
    # keyed by the label as written. Empty for other emails.
    fields: dict[str, str] = dataclasses.field(default_factory=dict)
    # Title of the ad or listing the person wrote about (a Craigslist
    # posting, a marketplace item). It names the item, not the request.
    listing_title: str | None = None


@dataclasses.dataclass(frozen=True)
class SourcePatterns:
    """Sender addresses and wording of one lead source's notifications."""

    source: str
    channel: str
    # From domains; a subdomain of one matches too.
    sender_domains: tuple[str, ...] = ()
    # When set, the From local part must also match this pattern.
    sender_local_part: re.Pattern | None = None
    # From local parts that are the platform's own system mail (account
    # notices, posting confirmations), never a relayed person.
    system_local_part: re.Pattern | None = None
    # Whether a customer address found in Reply-To or an "Email:" field
    # makes the lead answerable by email.
    answers_by_email: bool = False
    # Subject and body lines naming the person, with a 'name' group and an
    # optional 'message' group for a message on the same line.
    subject_patterns: tuple[re.Pattern, ...] = ()
    body_patterns: tuple[re.Pattern, ...] = ()
    # Whole lines of notifier wording to drop from the message.
    boilerplate: tuple[re.Pattern, ...] = ()
    # A line that starts the notifier's footer: it and all after are dropped.
    footer_starts: tuple[re.Pattern, ...] = ()
    # Patterns whose first group is the lead, conversation or listing id.
    external_id_patterns: tuple[re.Pattern, ...] = ()
    # Body lines that mark a notification of this source when the sender
    # alone does not (used for lead platforms).
    markers: tuple[re.Pattern, ...] = ()
    # Whether the body is a form of "Label: value" fields. Otherwise it is
    # the person's own text, kept whole, and only a "Phone:" line is read.
    reads_form_fields: bool = False
    # Whether the notifications name a listing of the business (an item for
    # sale or a service ad) that the person writes about.
    names_listings: bool = False


def _patterns(*expressions: str) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(expr, re.IGNORECASE) for expr in expressions)


# A call to action may end with its link, as "View lead: https://..." or,
# after html_to_text, "View lead <https://...>".
LINK_TAIL = r"[.!:]?(?:\s*<?https?://\S+>?)?$"
# Wording shared by every notifier.
GENERIC_BOILERPLATE = _patterns(
    r"^<?https?://\S+>?$",
    r"^(?:view|open|see|read)(?: the| this| all| full)? (?:message|messages"
    r"|conversation|lead|lead details|details|request|listing|item|offer"
    r"|submission)\b[^.!?:]{0,60}" + LINK_TAIL,
    r"^(?:reply|respond|answer)(?: now)?(?: (?:in|on|via|to|from) [^.!?:]{1,50})?"
    + LINK_TAIL,
    r"^(?:unsubscribe|manage (?:your )?(?:email |notification )?"
    r"(?:preferences|notifications|settings))\b.{0,80}$",
    r"^(?:this|the) (?:message|email|e-mail|notification) was sent (?:to|from|by)\b.*$",
    r"^you(?:'re| are)? receiv(?:ing|ed) this\b.*$",
    r"^(?:privacy policy|terms of (?:service|use)|help center)\b.{0,80}$",
)
GENERIC_FOOTER_STARTS = _patterns(
    r"^(?:©|\(c\)) ?\d{4}\b",
    r"^copyright\b",
)
# Reply and forward prefixes of a subject, possibly repeated ("Re: Fwd: ").
REPLY_PREFIX = re.compile(r"^(?:(?:re|fwd?|aw|sv|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.I)
# Marketplace wording that names the listing, in its 'title' group:
# 'about your listing "Oak table"', 'about your listing: Oak table',
# 'made an offer on Oak table', 'sent you a message about Oak table'.
LISTING_TITLE_PATTERNS = _patterns(
    r"\babout (?:your |the |this )?(?:(?:listing|item|post|ad)\s*:?\s*)?"
    r"[\"\u201c](?P<title>[^\"\u201d]{2,150})[\"\u201d]",
    r"\b(?:about|on|for|in) (?:your |the |this )?(?:listing|item|post|ad)\s*[:\-\u2013]\s*"
    r"(?P<title>.{2,150}?)[.!]?$",
    r"\bis interested in (?:your |the )?(?:listing|item)\s*[:\-\u2013]\s*(?P<title>.{2,150}?)[.!]?$",
    r"\b(?:made an offer|sent you an offer|made you an offer) (?:on|for) "
    r"(?P<title>.{2,150}?)[.!]?$",
    r"\b(?:sent you a message|messaged you|new message from .+?) "
    r"(?:about|re:) (?!(?:your|the|this) (?:listing|item|post|ad)[.!]?$)"
    r"(?P<title>.{2,150}?)[.!]?$",
)

CRAIGSLIST = SourcePatterns(
    source="craigslist",
    channel=CHANNEL_RELAY,
    sender_domains=("craigslist.org",),
    system_local_part=re.compile(
        r"^(?:robot|no-?reply|do-?not-?reply|abuse|support|help|accounts?)$"
    ),
    external_id_patterns=_patterns(
        r"craigslist\.org/\S*?/(\d{8,12})\.html",
    ),
)

FACEBOOK_MARKETPLACE = SourcePatterns(
    names_listings=True,
    source="facebook_marketplace",
    channel=CHANNEL_MARKETPLACE_CHAT,
    sender_domains=("facebookmail.com", "facebook.com"),
    subject_patterns=_patterns(
        r"^(?P<name>.+?) sent you a message about (?:your|the) (?:listing|item|post)\b",
        r"^(?P<name>.+?) (?:sent you a message|messaged you)"
        r"(?: about .+| on marketplace)?$",
        r"^new message from (?P<name>.+?)(?: about .+| on marketplace)?$",
        r"^(?P<name>.+?) is interested in your (?:listing|item)\b",
    ),
    body_patterns=_patterns(
        r"^(?P<name>.+?) sent you a message(?: about .+)?[.:]?$",
        r"^(?P<name>.+?) messaged you(?: about .+)?[.:]?$",
        r"^new message from (?P<name>.+?)(?: about .+)?[.:]?$",
        r"^(?P<name>.+?) (?:wrote|said):(?: (?P<message>.+))?$",
    ),
    boilerplate=_patterns(
        r"^(?:reply|respond|open|view)(?: in| on)? messenger\b.*$",
        r"^(?:marketplace|facebook|messenger)$",
        r"^see all (?:messages|conversations)\b.*$",
        r"^to help keep your account secure\b.*$",
    ),
    footer_starts=_patterns(
        r"^this (?:message|email) was sent to\b",
        r"^(?:meta platforms|facebook), inc\.",
    ),
    external_id_patterns=_patterns(
        r"facebook\.com/messages/t/(\d+)",
        r"facebook\.com/marketplace/t/(\d+)",
        r"facebook\.com/marketplace/item/(\d+)",
    ),
)

OFFERUP = SourcePatterns(
    names_listings=True,
    source="offerup",
    channel=CHANNEL_MARKETPLACE_CHAT,
    sender_domains=("offerup.com", "offerupnow.com"),
    subject_patterns=_patterns(
        r"^new message from (?P<name>.+?)(?: about .+| re: .+)?$",
        r"^(?P<name>.+?) sent you a message(?: about .+)?$",
        r"^(?P<name>.+?) (?:made an offer|sent you an offer|made you an offer)"
        r"(?: on| for) .+$",
    ),
    body_patterns=_patterns(
        r"^(?P<name>.+?) sent you a message(?: about .+)?[.:]?$",
        r"^new message from (?P<name>.+?)(?: about .+)?[.:]?$",
        r"^(?P<name>.+?) (?:asked|wrote|said):(?: (?P<message>.+))?$",
    ),
    boilerplate=_patterns(
        r"^(?:reply|respond|open|view)(?: it)?(?: in| on)?(?: the)? offerup\b.*$",
        r"^(?:open|get|download) the (?:offerup )?app\b.*$",
        r"^offerup$",
    ),
    footer_starts=_patterns(
        r"^this (?:message|email) was sent to\b",
        r"^offerup,? inc\b",
        r"^download the offerup app\b",
    ),
    external_id_patterns=_patterns(
        r"offerup\.com/inbox/(?:discussion/|conversation/)?([\w-]{6,})",
        r"offerup\.com/item/detail/(\d+)",
    ),
)

GOOGLE = SourcePatterns(
    source="google",
    channel=CHANNEL_MARKETPLACE_CHAT,
    sender_domains=("google.com",),
    sender_local_part=re.compile(r"no-?reply|business|local|leads?|ads", re.I),
    answers_by_email=True,
    reads_form_fields=True,
    subject_patterns=_patterns(
        r"^(?:you have )?(?:a )?new (?:lead|message|request|booking request)"
        r" from (?P<name>.+?)(?: (?:via|on|through) .+)?$",
        r"^(?P<name>.+?) sent you a message(?: on google| through .+| via .+)?$",
    ),
    body_patterns=_patterns(
        r"^(?P<name>.+?) sent you a message(?: .+)?[.:]?$",
        r"^(?:you have )?(?:a )?new (?:lead|message|request) from (?P<name>.+?)[.:!]?$",
    ),
    boilerplate=_patterns(
        r"^(?:reply|respond|open|view)(?: in| on| with)? (?:the )?"
        r"(?:google|business profile|local services|google ads)\b.*$",
        r"^(?:google|local services|business profile)$",
        r"^you have received this (?:mandatory )?(?:service )?"
        r"(?:email|announcement)\b.*$",
    ),
    footer_starts=_patterns(
        r"^google llc\b",
        r"^© ?\d{4} google\b",
    ),
    external_id_patterns=_patterns(
        r"[?&](?:lead_?id|leadId|conversation_?id|thread_?id)=([\w-]+)",
    ),
)

# Form senders are recognized by their From local part: the site's own
# mailer (WordPress, PHP) or a no-reply address.
WEBSITE = SourcePatterns(
    source="website",
    channel=CHANNEL_EMAIL,
    sender_local_part=re.compile(
        r"^(?:wordpress|wp|www-data|apache|nginx|php|forms?|web-?forms?|website"
        r"|webmaster|contact-?forms?|form-?submissions?|submissions?"
        r"|notifications?|no-?reply|do-?not-?reply|mailer)(?:$|[-_.+\d])",
        re.I,
    ),
    answers_by_email=True,
    reads_form_fields=True,
    subject_patterns=_patterns(
        r"^new (?:lead|message|inquiry|enquiry|submission|contact|quote request)"
        r"(?: from)?:? (?P<name>[^:]+?)$",
    ),
    boilerplate=_patterns(
        r"^(?:you have )?(?:a )?new (?:lead|message|inquiry|enquiry|submission"
        r"|form submission|quote request)(?: from| on| via| has been)\b.*$",
        r"^(?:this|the) (?:e-?mail|message) was sent (?:from|via|by)\b.*$",
    ),
)

LEAD_PLATFORM = SourcePatterns(
    source="lead_platform",
    channel=CHANNEL_MARKETPLACE_CHAT,
    answers_by_email=True,
    reads_form_fields=True,
    subject_patterns=WEBSITE.subject_patterns
    + _patterns(
        r"^(?P<name>.+?) (?:requested a quote|is looking for|needs) .+$",
    ),
    boilerplate=WEBSITE.boilerplate
    + _patterns(
        r"^(?:respond to|accept|claim|contact) (?:this|the) (?:lead|customer)\b.*$",
        r"^log ?in to (?:your )?(?:account|dashboard)\b.*$",
        r"^you received this lead because\b.*$",
    ),
    external_id_patterns=_patterns(
        r"[?&](?:lead_?id|leadId|request_?id)=([\w-]+)",
        r"/leads?/([\w-]{4,})(?:[/?#>\s]|$)",
    ),
    markers=_patterns(
        r"^(?:customer|customer name|lead id|lead number|request id|job id)\s*:",
        r"\b(?:respond|reply) to this lead\b",
        r"\bview (?:the )?lead\b",
    ),
)

# Sources recognized by their sender domain, checked in this order.
DOMAIN_SOURCES = (CRAIGSLIST, FACEBOOK_MARKETPLACE, OFFERUP, GOOGLE)

# Headers in which lead platforms put their lead id.
LEAD_ID_HEADERS = ("X-Platform-Lead-Id", "X-Lead-Id", "X-Lead-Reference")

# X-Mailer values of form plugins and the PHP mailers that websites use.
FORM_MAILERS = re.compile(
    r"phpmailer|wpforms|contact form 7|gravity ?forms|ninja ?forms|jotform"
    r"|typeform|formspree|wordpress",
    re.IGNORECASE,
)

# Field labels of forms and lead platforms, by the kind of value.
# Matching ignores case, a leading "Your " and surrounding '*'.
FIELD_LABELS = {
    "name": (
        "name",
        "full name",
        "contact name",
        "customer",
        "customer name",
        "client",
        "client name",
        "lead name",
    ),
    "first_name": ("first name", "given name"),
    "last_name": ("last name", "surname", "family name"),
    "email": (
        "email",
        "e-mail",
        "email address",
        "e-mail address",
        "customer email",
    ),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "tel",
        "mobile",
        "mobile phone",
        "cell",
        "cell phone",
        "contact number",
        "customer phone",
        "best phone",
    ),
    "sender": ("from",),
    "message": (
        "message",
        "message body",
        "comments",
        "comment",
        "notes",
        "note",
        "details",
        "project details",
        "job details",
        "description",
        "inquiry",
        "enquiry",
        "additional information",
        "additional details",
        "how can we help",
        "how can we help you",
    ),
    "lead_id": ("lead id", "lead number", "lead #", "request id", "job id"),
    "zip": ("zip", "zip code", "postal code", "postcode"),
}
CONTACT_KINDS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "email",
        "phone",
        "sender",
        "lead_id",
    }
)
# Kinds whose label may appear without a colon, as an HTML table row
# ("Phone (312) 555-0177") becomes after conversion to text.
COLONLESS_KINDS = frozenset(
    {
        "name",
        "first_name",
        "last_name",
        "email",
        "phone",
        "zip",
        "message",
        "lead_id",
    }
)
LABEL_TO_KIND = {
    label: kind for kind, labels in FIELD_LABELS.items() for label in labels
}
COLON_FIELD = re.compile(
    r"^\**\s*(?P<label>[^\W\d_][^:\uff1a]{0,39}?)\s*\**\s*[:\uff1a]\s*\**\s*"
    r"(?P<value>.*)$"
)
COLONLESS_FIELD = re.compile(
    r"^(?P<label>(?:your )?(?:"
    + "|".join(
        re.escape(label)
        for label in sorted(LABEL_TO_KIND, key=len, reverse=True)
        if LABEL_TO_KIND[label] in COLONLESS_KINDS
    )
    + r"))(?:\s+(?P<value>.+))?$",
    re.IGNORECASE,
)
EMAIL_ADDRESS = re.compile(r"[\w.!#$%&\'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_VALUE = re.compile(r"^\+?[\d\s().\-/]{7,25}(?:\s*(?:x|ext\.?)\s*\d{1,6})?$")
NAME_VALUE = re.compile(r"^[^\W\d_][\w.'\- ]{0,78}$")
ZIP_VALUE = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")
LEAD_ID_VALUE = re.compile(r"^#?[\w-]{2,64}$")
# Words that show a subject or body phrase names no person ("New message
# from your website", "New submission from Contact Form").
NOT_A_PERSON = re.compile(
    r"\b(?:your|our|the|form|website|site|contact|submission|lead|inquiry"
    r"|someone|somebody|buyer|seller|customer|marketplace)\b",
    re.IGNORECASE,
)
SURROUNDING_QUOTES = re.compile(
    r'^["\u201c\u201e\'](?P<text>.*)["\u201d\'\u201c]$', re.DOTALL
)


@dataclasses.dataclass
class _Field:
    kind: str  # a FIELD_LABELS key, or 'other'
    label: str
    value: str
    line_indexes: list[int]


def identify_contact(
    from_header: str,
    reply_to: str | None,
    subject: str,
    text: str,
    headers=None,
) -> LeadContact:
    """Identify the lead source and the real person behind an inbound email.

    :param from_header: the From header value (RFC 2047 encoded or not).
    :param reply_to: the Reply-To header value, or None.
    :param subject: the Subject.
    :param text: the plain-text body. Convert HTML-only mail with
        ``mail_text.html_to_text`` first.
    :param headers: optional ``email.message.Message`` or mapping, read for
        the lead-id headers (``X-Platform-Lead-Id``) and ``X-Mailer``.
    :returns: a ``LeadContact``. A plain email gives source None, channel
        'email', the From display name and the From address, unless
        Reply-To contains a different address that is not a no-reply one.
    """
    from_name, from_address = split_address(from_header)
    reply_name, reply_address = _human_reply_to(reply_to, from_address)
    subject = decode_header_text(subject).strip()
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")

    domain_source = _match_domain_source(from_address)
    if domain_source is CRAIGSLIST:
        return _craigslist_contact(from_name, from_address, subject, text)
    if domain_source is not None:
        return _notifier_contact(
            domain_source, (reply_name, reply_address), subject, text, headers
        )

    form_source = _match_form_source(
        from_name, from_address, reply_address, text, headers
    )
    if form_source is not None:
        return _notifier_contact(
            form_source, (reply_name, reply_address), subject, text, headers
        )
    return _plain_contact((from_name, from_address), (reply_name, reply_address), text)


def _human_reply_to(reply_to, from_address) -> tuple[str, str]:
    """Return the Reply-To (name, address) when it names another person."""
    name, address = split_address(reply_to)
    if not address or address == from_address or is_noreply_address(address):
        return "", ""
    return name, address


def _match_domain_source(from_address: str) -> SourcePatterns | None:
    local_part, _sep, domain = from_address.rpartition("@")
    for patterns in DOMAIN_SOURCES:
        if not _domain_matches(domain, patterns.sender_domains):
            continue
        if patterns.sender_local_part and not (
            patterns.sender_local_part.search(local_part)
        ):
            continue
        return patterns
    return None


def _domain_matches(domain: str, sender_domains) -> bool:
    return any(
        domain == sender or domain.endswith("." + sender) for sender in sender_domains
    )


def _match_form_source(from_name, from_address, reply_address, text, headers):
    """Return WEBSITE or LEAD_PLATFORM when a form or platform sent the email.

    The sender is a notifier when its local part is a form mailer's or a
    no-reply one, or when its display name is another address. A lead-id
    header, a form X-Mailer, or a Reply-To naming another person also mark
    a notifier, the last two only when the body has contact fields.
    """
    local_part = from_address.rpartition("@")[0]
    fields = _parse_fields(text.split("\n"))
    # A phone line alone could be a person's signature, so it does not count.
    has_contact_fields = any(
        field.kind in ("name", "email", "sender", "first_name") and field.value
        for field in fields
    )
    _name_in_display, address_in_display = split_address(from_name)
    display_is_other_address = (
        "@" in address_in_display and address_in_display != from_address
    )
    mailer = first_header(headers, "X-Mailer") or ""
    is_notifier = (
        bool(WEBSITE.sender_local_part.search(local_part))
        or is_noreply_address(from_address)
        or display_is_other_address
        or _lead_id_header(headers) is not None
        or (bool(FORM_MAILERS.search(mailer)) and has_contact_fields)
        or (bool(reply_address) and has_contact_fields)
    )
    if not is_notifier:
        return None
    if _is_lead_platform(text, headers):
        return LEAD_PLATFORM
    return WEBSITE


def _is_lead_platform(text, headers) -> bool:
    if _lead_id_header(headers) is not None:
        return True
    return any(
        marker.search(line.strip())
        for line in text.split("\n")
        for marker in LEAD_PLATFORM.markers
    )


def _lead_id_header(headers) -> str | None:
    for name in LEAD_ID_HEADERS:
        value = first_header(headers, name)
        if value:
            return value
    return None


def _craigslist_contact(from_name, from_address, subject, text) -> LeadContact:
    """Build the contact of a Craigslist relay reply.

    The relay address forwards to the person while the posting is live, so
    it is the address to reply to. Craigslist's own system mail (robot@ and
    similar) carries no person.
    """
    local_part = from_address.rpartition("@")[0]
    message = extract_new_text(text)
    external_id = _find_external_id(CRAIGSLIST, text)
    phone = _labeled_phone(message.split("\n"))
    if CRAIGSLIST.system_local_part.match(local_part):
        return LeadContact(
            source=CRAIGSLIST.source,
            channel=CHANNEL_EMAIL,
            contact_name=None,
            email=None,
            phone=None,
            message=message,
            external_id=external_id,
            is_notifier=True,
        )
    return LeadContact(
        source=CRAIGSLIST.source,
        channel=CHANNEL_RELAY,
        contact_name=_clean_name(from_name),
        email=from_address,
        phone=phone,
        message=message,
        external_id=external_id,
        is_notifier=False,
        # The relay keeps the posting's title as the subject of the reply.
        listing_title=strip_reply_prefix(subject) or None,
    )


def strip_reply_prefix(subject: str) -> str:
    """Return the subject without its "Re:" and "Fwd:" prefixes."""
    return REPLY_PREFIX.sub("", subject or "").strip()


def _listing_title(subject, lines) -> str | None:
    """Return the listing title named by a marketplace subject or body line."""
    for line in [strip_reply_prefix(subject)] + [line.strip() for line in lines]:
        for pattern in LISTING_TITLE_PATTERNS:
            match = pattern.search(line)
            if match:
                return match.group("title").strip(" \"'\u201c\u201d")
    return None


def _plain_contact(sender, reply_to, text) -> LeadContact:
    from_name, from_address = sender
    reply_name, reply_address = reply_to
    if reply_address:
        name = _clean_name(reply_name) or _clean_name(from_name)
        address = reply_address
    else:
        name = _clean_name(from_name)
        address = from_address
    return LeadContact(
        source=None,
        channel=CHANNEL_EMAIL,
        contact_name=name,
        email=address or None,
        phone=None,
        message=extract_new_text(text),
        external_id=None,
        is_notifier=False,
    )


def _notifier_contact(patterns, reply_to, subject, text, headers) -> LeadContact:
    """Build the contact of a marketplace, Google, form or platform notice."""
    reply_name, reply_address = reply_to
    lines = _notification_lines(text, patterns)
    name_match = _find_name_line(lines, patterns)
    fields = _parse_fields(lines) if patterns.reads_form_fields else []

    name = (
        _name_from_fields(fields)
        or _subject_name(subject, patterns)
        or (name_match[1] if name_match else None)
        or _clean_name(reply_name)
    )
    address = None
    if patterns.answers_by_email:
        address = reply_address or _address_from_fields(fields)
    if patterns.reads_form_fields:
        phone = _first_field_value(fields, "phone")
    else:
        phone = _labeled_phone(lines)

    source = patterns.source
    if patterns is WEBSITE and not (name or address or phone):
        source = None  # a no-reply sender with no person: not a form
    channel = patterns.channel
    if address and channel == CHANNEL_MARKETPLACE_CHAT:
        channel = CHANNEL_EMAIL

    return LeadContact(
        source=source,
        channel=channel,
        contact_name=name,
        email=address,
        phone=phone,
        message=_notification_message(lines, fields, name_match),
        external_id=_notifier_external_id(patterns, fields, text, headers),
        is_notifier=True,
        fields={field.label: field.value for field in fields if field.value},
        listing_title=(
            _listing_title(subject, text.split("\n")) if patterns.names_listings else None
        ),
    )


def _notifier_external_id(patterns, fields, text, headers) -> str | None:
    external_id = (
        _lead_id_header(headers)
        or _first_field_value(fields, "lead_id")
        or _find_external_id(patterns, text)
    )
    return external_id.lstrip("#") if external_id else None


def _labeled_phone(lines) -> str | None:
    """Return the value of the first "Phone: ..." line of a person's text."""
    for line in lines:
        match = COLON_FIELD.match(line.strip())
        if not match:
            continue
        kind = LABEL_TO_KIND.get(_normalize_label(match.group("label")))
        value = match.group("value").strip()
        if kind == "phone" and _value_fits("phone", value):
            return value
    return None


def _notification_lines(text, patterns) -> list[str]:
    """Return the body lines without boilerplate and footer.

    The footer starts at a source footer line, at a signature separator, or
    at a rule line that no further field follows (some forms separate their
    fields with rule lines).
    """
    boilerplate = patterns.boilerplate + GENERIC_BOILERPLATE
    footer_starts = patterns.footer_starts + GENERIC_FOOTER_STARTS
    lines = [line.strip() for line in text.split("\n")]
    body_lines = []
    for index, line in enumerate(lines):
        if any(pattern.match(line) for pattern in footer_starts):
            break
        if SIGNATURE_SEPARATOR.match(line) or RULE_LINE.match(line):
            if not _has_field_after(lines, index):
                break
            continue
        if any(pattern.match(line) for pattern in boilerplate):
            continue
        body_lines.append(line)
    return body_lines


def _has_field_after(lines, index) -> bool:
    for line in lines[index + 1 :]:
        matched = _match_field_line(line)
        if matched and matched[0] != "other":
            return True
    return False


def _find_name_line(lines, patterns):
    """Return (line index, name, inline message) of the line naming the person."""
    for index, line in enumerate(lines):
        for pattern in patterns.body_patterns:
            match = pattern.match(line)
            if not match:
                continue
            name = _clean_wording_name(match.group("name"))
            if not name:
                continue
            inline = match.groupdict().get("message") or ""
            return index, name, inline.strip()
    return None


def _subject_name(subject, patterns) -> str | None:
    """Return the person named by the subject wording, if any.

    Form and platform subjects also carry topics ("New lead: moving quote
    request"), so their names must be capitalized words.
    """
    for pattern in patterns.subject_patterns:
        match = pattern.match(subject)
        if not match:
            continue
        name = _clean_wording_name(match.group("name"))
        if name and patterns.reads_form_fields and not _looks_like_name(name, 4):
            continue
        if name:
            return name
    return None


def _notification_message(lines, fields, name_match) -> str:
    """Return the person's text: the lines that are not contact fields.

    For marketplace notices with a line naming the person, the message is
    what follows that line, or what precedes it when nothing follows. Free
    text fields ("Message:") lose their label and other fields are kept as
    "Label: value" lines, because they hold what the person entered.
    """
    dropped = set()
    for field in fields:
        if field.kind in CONTACT_KINDS:
            dropped.update(field.line_indexes)
    message_lines = []
    for index, line in enumerate(lines):
        if index in dropped:
            continue
        message_lines.append((index, _strip_message_label(line, fields, index)))

    if name_match:
        name_index, _name, inline = name_match
        after = [line for index, line in message_lines if index > name_index]
        before = [line for index, line in message_lines if index < name_index]
        chosen = ([inline] if inline else []) + after
        if not any(line.strip() for line in chosen):
            chosen = before
        return _tidy_message(chosen)
    return _tidy_message(line for _index, line in message_lines)


def _strip_message_label(line, fields, index) -> str:
    for field in fields:
        if field.kind == "message" and field.line_indexes[0] == index:
            return _match_field_line(line)[2]
    return line


def _tidy_message(lines) -> str:
    result = []
    for line in lines:
        line = line.strip()
        if not line and (not result or not result[-1]):
            continue
        result.append(line)
    text = "\n".join(result).strip()
    match = SURROUNDING_QUOTES.match(text)
    if match and not re.search(r'["\u201c\u201d]', match.group("text")):
        text = match.group("text").strip()
    return text


def _parse_fields(lines) -> list[_Field]:
    """Read "Label: value" fields, and colonless rows of known labels.

    A label alone on its line takes its value from the next line for
    contact kinds. A free-text field ("Message:") runs until a line with
    a known colon label, so the person's own "Budget: $900" or "Name your
    price" stays part of the message.
    """
    fields = []
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        in_free_text = bool(fields) and fields[-1].kind == "message"
        matched = _match_field_line(line)
        if in_free_text and matched and not _is_colon_known_field(line):
            matched = None
        if not matched:
            if in_free_text and line:
                _extend_field(fields[-1], line, index)
            index += 1
            continue
        kind, label, value = matched
        field = _Field(kind, label, value, [index])
        fields.append(field)
        index += 1
        if not value and kind in CONTACT_KINDS | {"zip"}:
            index = _take_next_line_value(field, lines, index)
    return fields


def _take_next_line_value(field, lines, index) -> int:
    """Fill an empty contact field from the next non-blank line, if it fits."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index < len(lines):
        candidate = lines[index].strip()
        if not _match_field_line(candidate) and _value_fits(field.kind, candidate):
            field.value = candidate
            field.line_indexes.append(index)
            return index + 1
    return index


def _extend_field(field, line, index):
    field.value = f"{field.value}\n{line}" if field.value else line
    field.line_indexes.append(index)


def _is_colon_known_field(line: str) -> bool:
    match = COLON_FIELD.match(line)
    return bool(match) and _normalize_label(match.group("label")) in LABEL_TO_KIND


def _match_field_line(line: str) -> tuple[str, str, str] | None:
    """Return (kind, label, value) when ``line`` is a form field."""
    if not line:
        return None
    match = COLON_FIELD.match(line)
    if match and not match.group("value").startswith("//"):
        label = match.group("label").strip(" *")
        if len(label.split()) <= 5:
            kind = LABEL_TO_KIND.get(_normalize_label(label), "other")
            return kind, label, match.group("value").strip(" *")
    match = COLONLESS_FIELD.match(line)
    if match:
        label = match.group("label")
        kind = LABEL_TO_KIND[_normalize_label(label)]
        value = (match.group("value") or "").strip()
        if not value or _value_fits(kind, value):
            return kind, label, value
    return None


def _normalize_label(label: str) -> str:
    label = re.sub(r"\s+", " ", label.strip(" *?").lower())
    return label.removeprefix("your ")


def _value_fits(kind: str, value: str) -> bool:
    """Tell whether a value without a colon label looks like its kind."""
    checks = {
        "phone": lambda: (
            bool(PHONE_VALUE.match(value)) and sum(ch.isdigit() for ch in value) >= 7
        ),
        "email": lambda: bool(EMAIL_ADDRESS.fullmatch(value)),
        "name": lambda: _looks_like_name(value, max_words=4),
        "first_name": lambda: _looks_like_name(value, max_words=2),
        "last_name": lambda: _looks_like_name(value, max_words=3),
        "zip": lambda: bool(ZIP_VALUE.match(value)),
        "lead_id": lambda: bool(LEAD_ID_VALUE.match(value)),
        "message": lambda: True,
    }
    check = checks.get(kind)
    return bool(check and check())


def _first_field_value(fields, kind) -> str | None:
    for field in fields:
        if field.kind == kind and field.value:
            return field.value
    return None


def _name_from_fields(fields) -> str | None:
    name = _clean_name(_first_field_value(fields, "name"))
    if name:
        return name
    first = _clean_name(_first_field_value(fields, "first_name"))
    last = _clean_name(_first_field_value(fields, "last_name"))
    if first or last:
        return " ".join(part for part in (first, last) if part)
    sender = _first_field_value(fields, "sender")
    if sender:
        sender_name, _address = split_address(sender)
        return _clean_name(sender_name)
    return None


def _address_from_fields(fields) -> str | None:
    for kind in ("email", "sender"):
        value = _first_field_value(fields, kind)
        if not value:
            continue
        match = EMAIL_ADDRESS.search(value)
        if match and not is_noreply_address(match.group(0)):
            return match.group(0).lower()
    return None


def _find_external_id(patterns, text) -> str | None:
    for pattern in patterns.external_id_patterns:
        match = pattern.search(text)
        if match:
            return match.group(1)
    return None


def _looks_like_name(value: str, max_words: int) -> bool:
    """Tell whether a colonless value is a capitalized name of a few words."""
    words = value.split()
    if not words or len(words) > max_words or not NAME_VALUE.match(value):
        return False
    return all(word[0].isupper() for word in words)


def _clean_wording_name(name: str | None) -> str | None:
    """Clean a name read from notifier wording, rejecting non-person words."""
    name = _clean_name(name)
    if not name or len(name.split()) > 5 or NOT_A_PERSON.search(name):
        return None
    return name


def _clean_name(name: str | None) -> str | None:
    """Return a person's name, or None for an address or an empty value."""
    if not name:
        return None
    name = re.sub(r"\s+", " ", name).strip(" \"'\u201c\u201d")
    if not name or "@" in name or not any(ch.isalpha() for ch in name):
        return None
    return name
