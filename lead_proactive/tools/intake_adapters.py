# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Map the JSON bodies that lead platforms post to one common lead shape.

Pure functions with no ORM: ``parse_payload(adapter, payload, default_tz)``
returns a list of ``IntakeLead`` or raises ``IntakeError`` naming the first
invalid field with a dotted path (``customer.phone``, ``leads[1].id``).
``find_lead_id`` reads the platform lead id of a payload that was rejected.
A request is validated whole before anything is stored, so a batch with one
bad lead creates nothing.

Field names per platform and where they come from:

- Thumbtack: the lead webhook as integrators document it (``leadID``,
  ``createTimestamp`` as epoch seconds, ``request``, ``customer``). The
  ``customer`` block is not in that page. ``displayName`` is its name in
  Thumbtack's v4 API; ``name``, ``email`` and ``phone`` are assumed.
- Google Local Services: the Google Ads API ``LocalServicesLead`` resource
  (``id``, ``contact_details``, ``lead_type``, ``creation_date_time`` in the
  Ads account's time zone with no offset). It is read in snake_case, as the
  client libraries return it, or in camelCase, as the REST API does. It may
  come alone or as ``{"leads": [...], "account_time_zone": ...}``. Google does not push these
  leads: a script or an integration tool forwards them.
- Angi: the Angi Lead Integration API / HomeAdvisor JSON lead feed
  (``name``, ``firstName``, ``lastName``, ``primaryPhone``, ``email``,
  ``postalCode``, ``city``, ``stateProvince``, ``taskName``, ``comments``,
  ``interview``, ``leadOid``, ``srOid``).
- Yelp: the Leads webhook (``data.updates[]`` with ``lead_id``,
  ``event_id`` and ``interaction_time``). The webhook carries no contact or
  text. A ``lead`` object with the Get Lead fields may be added by the tool
  that forwards the webhook.
- generic: the suite's own format, documented in the README.
"""

import dataclasses
import datetime
import re
import zoneinfo

ADAPTERS = ("thumbtack", "google_lsa", "angi", "yelp", "generic")

MAX_ID_CHARS = 128
MAX_NAME_CHARS = 256
MAX_EMAIL_CHARS = 254
MAX_PHONE_CHARS = 64
MAX_ZIP_CHARS = 16
MAX_CITY_CHARS = 128
MAX_TEXT_CHARS = 10000
# A Google Local Services batch larger than this is rejected: the HTTP layer
# processes one request in one transaction.
MAX_BATCH_LEADS = 100

_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
_PHONE = re.compile(r"^[0-9+()./ \-]{3,}$")
_ID = re.compile(r"^[\w.:/@+\-]+$")

# Primary IANA zone of each US state, used as the lead's time zone when a
# platform gives the state and no zone. States spanning two zones get the
# zone of most of their population.
US_STATE_ZONES = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix",
    "AR": "America/Chicago", "CA": "America/Los_Angeles", "CO": "America/Denver",
    "CT": "America/New_York", "DC": "America/New_York", "DE": "America/New_York",
    "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago", "KS": "America/Chicago", "KY": "America/New_York",
    "LA": "America/Chicago", "ME": "America/New_York", "MD": "America/New_York",
    "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver",
    "NE": "America/Chicago", "NV": "America/Los_Angeles", "NH": "America/New_York",
    "NJ": "America/New_York", "NM": "America/Denver", "NY": "America/New_York",
    "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York",
    "RI": "America/New_York", "SC": "America/New_York", "SD": "America/Chicago",
    "TN": "America/Chicago", "TX": "America/Chicago", "UT": "America/Denver",
    "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver",
}


class IntakeError(ValueError):
    """A payload that cannot be read, with the dotted path of the field.

    ``title`` starts the error text sent to the platform, as in "Missing
    contact: ...". Without it, the text starts with "Invalid <field>".
    """

    def __init__(self, field, message, title=None):
        super().__init__("%s: %s" % (field, message) if field else message)
        self.field = field
        self.message = message
        self.title = title


@dataclasses.dataclass
class IntakeText:
    """A text the person wrote, as one delivery gives it."""

    text: str
    # When the person wrote it (aware), or None when the payload gives no time.
    date: datetime.datetime | None = None
    # Whether the text is part of the person's request, which platforms
    # send again with every delivery, rather than a later message of a
    # conversation. A request's text never counts as a reply.
    request: bool = True
    # Whether the text is one entry of a conversation: a re-delivery posts it
    # whole when any of its lines is new. Other texts are compared line by
    # line, and only their new lines are posted.
    entry: bool = False


@dataclasses.dataclass
class IntakeLead:
    """One lead read from a platform's payload."""

    # The platform's id of the lead: deliveries with the same id are one lead.
    lead_id: str
    # The platform's id of the request, job or conversation, when it has one.
    request_id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    zip_code: str | None = None
    city: str | None = None
    state_code: str | None = None
    # What the person wrote, plus the answers they gave on the platform's
    # form. For a lead without text, a summary written by the adapter (the
    # lead's type and service), or empty.
    message: str = ""
    # The texts of the person that ``message`` joins, compared with the text
    # already on the lead when the platform delivers the lead again.
    texts: list = dataclasses.field(default_factory=list)
    # The service the person asks for, as the platform names it.
    need: str | None = None
    # (label, value) pairs kept in the lead's description only, such as the
    # price quoted by the platform, which is not the person's budget.
    details: list = dataclasses.field(default_factory=list)
    # When the platform created the lead, aware (UTC or the account's zone).
    created: datetime.datetime | None = None
    # Time zone of the person, when the payload contains one.
    tz: str | None = None
    # Whether the delivery reports activity that it does not carry (a Yelp
    # event): when it brings no new text, the lead gets a note, where other
    # deliveries without new text are duplicates.
    reports_event: bool = False
    # 'platform' when the person can only be reached in the platform's inbox.
    reply_channel: str | None = None
    # Whether ``email`` is a temporary relay address of the platform.
    relay_email: bool = False
    # The generic format's free-text source name (e.g. "Website form").
    source_name: str | None = None

    @property
    def has_text(self):
        """Whether the delivery carries the person's own words."""
        return bool(self.texts)

    def set_request_text(self, text):
        """Set the person's request (one free text) as the lead's text."""
        self.message = text
        self.texts = [IntakeText(text)] if text else []


# ------------------------------------------------------------
# Field readers
# ------------------------------------------------------------
def _join(path, key):
    if isinstance(key, int):
        return "%s[%d]" % (path, key)
    return "%s.%s" % (path, key) if path else key


def _lookup(obj, key):
    """Return ``obj[key]`` trying the snake_case key, then its camelCase form."""
    if key in obj:
        return obj[key]
    parts = key.split("_")
    camel = parts[0] + "".join(part[:1].upper() + part[1:] for part in parts[1:])
    return obj.get(camel)


def _object(obj, key, path, required=False):
    value = _lookup(obj, key)
    field = _join(path, key)
    if value is None:
        if required:
            raise IntakeError(field, "missing required object")
        return {}
    if not isinstance(value, dict):
        raise IntakeError(field, "expected a JSON object")
    return value


def _list(obj, key, path):
    value = _lookup(obj, key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise IntakeError(_join(path, key), "expected a JSON array")
    return value


def _text(obj, key, path, max_chars, required=False, allow_number=False):
    """Return the stripped string at ``key``, or None when absent or empty."""
    value = _lookup(obj, key)
    field = _join(path, key)
    if isinstance(value, bool):
        raise IntakeError(field, "expected a string, got a boolean")
    if allow_number and isinstance(value, int):
        value = str(value)
    if value is not None and not isinstance(value, str):
        raise IntakeError(field, "expected a string")
    value = (value or "").strip()
    if not value:
        if required:
            raise IntakeError(field, "missing required value")
        return None
    if len(value) > max_chars:
        raise IntakeError(field, "longer than %d characters" % max_chars)
    return value


def _identifier(obj, key, path, required=True):
    value = _text(obj, key, path, MAX_ID_CHARS, required=required, allow_number=True)
    if value and not _ID.match(value):
        raise IntakeError(_join(path, key), "use only letters, digits and . : / @ + _ -")
    return value


def _email(obj, key, path):
    value = _text(obj, key, path, MAX_EMAIL_CHARS)
    if value and not _EMAIL.match(value):
        raise IntakeError(_join(path, key), "invalid email address")
    return value.lower() if value else None


def _phone(obj, key, path):
    value = _text(obj, key, path, MAX_PHONE_CHARS, allow_number=True)
    if value and (not _PHONE.match(value) or sum(c.isdigit() for c in value) < 3):
        raise IntakeError(_join(path, key), "invalid phone number")
    return value


def _zip(obj, key, path):
    value = _lookup(obj, key)
    if isinstance(value, int) and not isinstance(value, bool):
        # A number loses the leading zeros of ZIP codes such as 02139.
        raise IntakeError(_join(path, key), "expected a string, got a number")
    return _text(obj, key, path, MAX_ZIP_CHARS)


def _state(obj, key, path):
    value = _text(obj, key, path, 64)
    return value.upper() if value else None


def _epoch(obj, key, path):
    """Read epoch seconds given as a number or a string of digits."""
    value = _lookup(obj, key)
    field = _join(path, key)
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise IntakeError(field, "expected epoch seconds (number or digits)")
    try:
        return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise IntakeError(field, "epoch seconds out of range") from error


def _iso_datetime(obj, key, path):
    """Read an ISO 8601 date-time with an offset (or Z)."""
    value = _text(obj, key, path, 64)
    if not value:
        return None
    field = _join(path, key)
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise IntakeError(field, "invalid ISO 8601 date-time") from error
    if parsed.tzinfo is None:
        raise IntakeError(field, "date-time needs a UTC offset or Z")
    return parsed


def _zone(name, field):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise IntakeError(field, "unknown time zone %r" % name[:64]) from error


def _question_answers(items, path, question_key, answer_key):
    """Return (question, answer) pairs from a list of Q/A objects."""
    pairs = []
    for index, item in enumerate(items):
        item_path = _join(path, index)
        if not isinstance(item, dict):
            raise IntakeError(item_path, "expected a JSON object")
        question = _text(item, question_key, item_path, 500)
        answer = _lookup(item, answer_key)
        if isinstance(answer, list):
            if not all(isinstance(part, str) for part in answer):
                raise IntakeError(_join(item_path, answer_key), "expected strings")
            answer = ", ".join(part.strip() for part in answer if part.strip())
            if len(answer) > 2000:
                raise IntakeError(_join(item_path, answer_key), "longer than 2000 characters")
        else:
            answer = _text(item, answer_key, item_path, 2000)
        if question and answer:
            pairs.append((question, answer))
    return pairs


def _lines(*parts):
    return "\n".join(part for part in parts if part)


def _qa_text(pairs):
    return "\n".join("%s: %s" % pair for pair in pairs)


def _check_contact(lead, path, field):
    """Raise unless the lead has an email address or a phone number.

    ``field`` is the one the error names: the platform's phone field, or
    the email field of formats where email comes first.
    """
    if not (lead.email or lead.phone):
        raise IntakeError(
            _join(path, field),
            "an email address or a phone number is required",
            title="Missing contact",
        )


# ------------------------------------------------------------
# Adapters
# ------------------------------------------------------------
def parse_thumbtack(payload, default_tz=None):
    lead_id = _identifier(payload, "leadID", "")
    request = _object(payload, "request", "")
    location = _object(request, "location", "request")
    customer = _object(payload, "customer", "")
    details = _question_answers(
        _list(request, "details", "request"), "request.details", "question", "answer"
    )
    need = _text(request, "category", "request", MAX_NAME_CHARS) or _text(
        request, "title", "request", MAX_NAME_CHARS
    )
    description = _text(request, "description", "request", MAX_TEXT_CHARS)
    schedule = _text(request, "schedule", "request", 2000)
    state = _state(location, "state", "request.location")
    lead = IntakeLead(
        lead_id=lead_id,
        request_id=_identifier(request, "requestID", "request", required=False),
        # Thumbtack's v4 API names the customer "displayName" (for example
        # "Olivia Y."). NOTE: "name", "email" and "phone" are assumed.
        name=_text(customer, "displayName", "customer", MAX_NAME_CHARS)
        or _text(customer, "name", "customer", MAX_NAME_CHARS),
        email=_email(customer, "email", "customer"),
        phone=_phone(customer, "phone", "customer"),
        zip_code=_zip(location, "zipCode", "request.location"),
        city=_text(location, "city", "request.location", MAX_CITY_CHARS),
        state_code=state,
        need=need,
        created=_epoch(payload, "createTimestamp", ""),
        tz=US_STATE_ZONES.get(state or "") or default_tz,
        # The person is answered in Thumbtack's inbox: the phone and email
        # may be absent or masked.
        reply_channel="platform",
    )
    lead.set_request_text(
        _lines(
            need,
            description,
            "Schedule: %s" % schedule if schedule else None,
            _qa_text(details),
        )
    )
    travel = _text(request, "travelPreferences", "request", 500)
    price = _text(payload, "price", "", 64, allow_number=True)
    lead.details = [
        pair
        for pair in (
            ("Lead type", _text(payload, "leadType", "", 64)),
            ("Travel", travel),
            # The pro's own quote on Thumbtack, never the customer's budget.
            ("Quoted price", price),
        )
        if pair[1]
    ]
    return [lead]


def parse_google_lsa(payload, default_tz=None):
    leads_value = _lookup(payload, "leads")
    tz_name = _text(payload, "account_time_zone", "", 64) or default_tz
    if leads_value is None:
        items, path = [payload], ""
    elif isinstance(leads_value, list):
        items, path = leads_value, "leads"
        if not items:
            raise IntakeError("leads", "empty array: no lead to create")
        if len(items) > MAX_BATCH_LEADS:
            raise IntakeError("leads", "more than %d leads in one request" % MAX_BATCH_LEADS)
    else:
        raise IntakeError("leads", "expected a JSON array")
    result = []
    for index, item in enumerate(items):
        item_path = _join(path, index) if path else ""
        if not isinstance(item, dict):
            raise IntakeError(item_path, "expected a JSON object")
        if "local_services_lead" in item or "localServicesLead" in item:
            # A search row of the Ads API wraps the resource.
            item_path = _join(item_path, "local_services_lead")
            item = _object(item, "local_services_lead", item_path.rsplit(".", 1)[0])
        result.append(_parse_google_lsa_lead(item, item_path, tz_name))
    return result


def _parse_google_lsa_lead(item, path, tz_name):
    contact = _object(item, "contact_details", path)
    lead_type = (_text(item, "lead_type", path, 32) or "").upper()
    service = _text(item, "service_id", path, MAX_NAME_CHARS)
    need = service.replace("_", " ") if service else None
    lead = IntakeLead(
        lead_id=_identifier(item, "id", path),
        request_id=_text(item, "resource_name", path, MAX_ID_CHARS),
        name=_text(contact, "consumer_name", _join(path, "contact_details"), MAX_NAME_CHARS),
        email=_email(contact, "email", _join(path, "contact_details")),
        phone=_phone(contact, "phone_number", _join(path, "contact_details")),
        need=need,
        created=_google_local_datetime(item, "creation_date_time", path, tz_name),
        tz=tz_name,
        texts=_google_conversation_texts(item, path, tz_name),
    )
    _check_contact(lead, _join(path, "contact_details"), "phone_number")
    if lead.texts:
        lead.message = "\n\n".join(text.text for text in lead.texts)
    else:
        # PHONE_CALL and BOOKING leads, or a MESSAGE lead forwarded without
        # its conversation: there is no text of the person to read.
        kind = {"PHONE_CALL": "Phone call", "BOOKING": "Booking", "MESSAGE": "Message"}.get(
            lead_type, lead_type.title() or "Lead"
        )
        lead.message = "%s lead from Google Local Services%s" % (
            kind, ": %s" % need if need else ""
        )
    extension = _text(contact, "phone_number_extension", _join(path, "contact_details"), 16)
    lead.details = [
        pair
        for pair in (
            ("Lead type", lead_type or None),
            ("Phone extension", extension),
            ("Category", _text(item, "category_id", path, MAX_NAME_CHARS)),
        )
        if pair[1]
    ]
    return lead


def _google_local_datetime(obj, key, path, tz_name):
    """Read a Google Ads date-time: no offset, in the Ads account's time zone."""
    value = _text(obj, key, path, 32)
    if not value:
        return None
    if not tz_name:
        raise IntakeError(
            "account_time_zone",
            "required to read %s: set it in the request or the source's time zone" % key,
        )
    zone = _zone(tz_name, "account_time_zone")
    try:
        naive = datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError as error:
        raise IntakeError(_join(path, key), "expected 'YYYY-MM-DD HH:MM:SS'") from error
    return naive.replace(tzinfo=zone)


def _google_conversation_texts(item, path, tz_name):
    """Return the consumer's texts of a lead's ``conversations`` entries.

    The consumer's entries before the business's first entry (participant
    ADVERTISER) are the request. The later ones are messages of the
    conversation, which may reply to the business.
    """
    texts = []
    answered = False
    conversations_path = _join(path, "conversations")
    for index, conversation in enumerate(_list(item, "conversations", path)):
        conversation_path = _join(conversations_path, index)
        if not isinstance(conversation, dict):
            raise IntakeError(conversation_path, "expected a JSON object")
        participant = (
            _text(conversation, "participant_type", conversation_path, 32) or "CONSUMER"
        ).upper()
        if participant == "ADVERTISER":
            answered = True
        if participant != "CONSUMER":
            continue
        details = _object(conversation, "message_details", conversation_path)
        text = _text(details, "text", _join(conversation_path, "message_details"), MAX_TEXT_CHARS)
        if text:
            texts.append(
                IntakeText(
                    text,
                    date=_google_local_datetime(
                        conversation, "event_date_time", conversation_path, tz_name
                    ),
                    request=not answered,
                    entry=True,
                )
            )
    return texts


def parse_angi(payload, default_tz=None):
    name = _text(payload, "name", "", MAX_NAME_CHARS)
    if not name:
        first = _text(payload, "firstName", "", MAX_NAME_CHARS)
        last = _text(payload, "lastName", "", MAX_NAME_CHARS)
        name = " ".join(part for part in (first, last) if part) or None
    lead_id = _identifier(payload, "leadOid", "", required=False)
    if not lead_id:
        lead_id = _identifier(payload, "leadId", "", required=False)
    if not lead_id:
        raise IntakeError("leadOid", "missing required value")
    interview = _lookup(payload, "interview")
    if isinstance(interview, list):
        answers = _qa_text(_question_answers(interview, "interview", "question", "answer"))
    else:
        answers = _text(payload, "interview", "", MAX_TEXT_CHARS)
    state = _state(payload, "stateProvince", "")
    need = _text(payload, "taskName", "", MAX_NAME_CHARS)
    lead = IntakeLead(
        lead_id=lead_id,
        request_id=_identifier(payload, "srOid", "", required=False),
        name=name,
        email=_email(payload, "email", ""),
        phone=_phone(payload, "primaryPhone", ""),
        zip_code=_zip(payload, "postalCode", ""),
        city=_text(payload, "city", "", MAX_CITY_CHARS),
        state_code=state,
        need=need,
        tz=US_STATE_ZONES.get(state or "") or default_tz,
    )
    _check_contact(lead, "", "primaryPhone")
    lead.set_request_text(_lines(need, _text(payload, "comments", "", MAX_TEXT_CHARS), answers))
    lead.details = [
        pair
        for pair in (
            ("Address", _text(payload, "address", "", 256)),
            ("Match type", _text(payload, "matchType", "", 64)),
        )
        if pair[1]
    ]
    return [lead]


def parse_yelp(payload, default_tz=None):
    data = _object(payload, "data", "", required=True)
    updates = _list(data, "updates", "data")
    if not updates:
        raise IntakeError("data.updates", "missing required array")
    if len(updates) > MAX_BATCH_LEADS:
        raise IntakeError("data.updates", "more than %d updates" % MAX_BATCH_LEADS)
    result = []
    for index, update in enumerate(updates):
        path = _join("data.updates", index)
        if not isinstance(update, dict):
            raise IntakeError(path, "expected a JSON object")
        event_type = _text(update, "event_type", path, 64)
        if event_type and event_type != "NEW_EVENT":
            # Other Yelp webhooks (phone-sharing opt-ins) carry no lead text.
            continue
        lead = IntakeLead(
            lead_id=_identifier(update, "lead_id", path),
            request_id=_identifier(update, "event_id", path, required=False),
            created=_iso_datetime(update, "interaction_time", path),
            tz=default_tz,
            reply_channel="platform",
            reports_event=True,
        )
        lead.message = "Read the request in the Yelp conversation %s." % lead.lead_id
        details = _object(update, "lead", path) or _object(payload, "lead", "")
        if details:
            _read_yelp_lead(lead, details, _join(path, "lead") if "lead" in update else "lead")
        result.append(lead)
    if not result:
        raise IntakeError("data.updates", "no NEW_EVENT update to read")
    return result


def _read_yelp_lead(lead, details, path):
    """Add the fields of Yelp's Get Lead response to ``lead``.

    NOTE: these names follow Yelp's Get Lead endpoint as integration tools
    forward it; they could not be checked against Yelp's reference here.
    """
    user = _object(details, "user", path)
    project = _object(details, "project", path)
    project_path = _join(path, "project")
    location = _object(project, "location", project_path)
    lead.name = _text(user, "display_name", _join(path, "user"), MAX_NAME_CHARS)
    lead.email = _email(details, "temporary_email_address", path)
    lead.relay_email = bool(lead.email)
    lead.zip_code = _zip(location, "postal_code", _join(project_path, "location"))
    jobs = _list(project, "job_names", project_path)
    if not all(isinstance(job, str) for job in jobs):
        raise IntakeError(_join(project_path, "job_names"), "expected strings")
    lead.need = ", ".join(job.strip() for job in jobs if job.strip())[:MAX_NAME_CHARS] or None
    answers = _question_answers(
        _list(project, "survey_answers", project_path),
        _join(project_path, "survey_answers"),
        "question_text",
        "answer_text",
    )
    info = _text(project, "additional_info", project_path, MAX_TEXT_CHARS)
    text = _lines(info, _qa_text(answers))
    if text:
        lead.set_request_text(_lines(lead.need, text))


def parse_generic(payload, default_tz=None):
    lead = IntakeLead(
        lead_id=_identifier(payload, "external_id", ""),
        name=_text(payload, "name", "", MAX_NAME_CHARS),
        email=_email(payload, "email", ""),
        phone=_phone(payload, "phone", ""),
        zip_code=_zip(payload, "zip", ""),
        city=_text(payload, "city", "", MAX_CITY_CHARS),
        need=_text(payload, "need", "", MAX_NAME_CHARS),
        created=_iso_datetime(payload, "created_at", ""),
        source_name=_text(payload, "source", "", MAX_NAME_CHARS),
        tz=default_tz,
    )
    tz_name = _text(payload, "time_zone", "", 64)
    if tz_name:
        _zone(tz_name, "time_zone")
        lead.tz = tz_name
    _check_contact(lead, "", "email")
    message = _text(payload, "message", "", MAX_TEXT_CHARS)
    if message:
        # The sender's own format: a later delivery with another message is
        # the person writing again, not the request sent again.
        lead.message = message
        lead.texts = [IntakeText(message, request=False)]
    else:
        lead.message = lead.need or ""
    return [lead]


PARSERS = {
    "thumbtack": parse_thumbtack,
    "google_lsa": parse_google_lsa,
    "angi": parse_angi,
    "yelp": parse_yelp,
    "generic": parse_generic,
}


def parse_payload(adapter, payload, default_tz=None):
    """Return the leads of ``payload`` read with ``adapter``.

    ``default_tz`` is the IANA zone used where the payload gives a local time
    or no place (the source's time zone). Raises IntakeError.
    """
    if not isinstance(payload, dict):
        raise IntakeError(None, "expected a JSON object at the top level")
    if adapter not in PARSERS:
        raise IntakeError(None, "unknown adapter %r" % adapter)
    return PARSERS[adapter](payload, default_tz=default_tz)


# Keys of the platform lead id in each format, read by ``find_lead_id``.
LEAD_ID_KEYS = {
    "thumbtack": ("leadID",),
    "google_lsa": ("id",),
    "angi": ("leadOid", "leadId"),
    "yelp": ("lead_id",),
    "generic": ("external_id",),
}
_ITEM_INDEX = re.compile(r"^(?:leads|data\.updates)\[(\d+)\]")


def find_lead_id(adapter, payload, field=None):
    """Return the platform lead id of a payload that was rejected, or None.

    Used to file a rejected delivery under its lead. ``field`` is the path
    of the invalid field: in a batch, its index picks the invalid lead. A
    batch without that index gives no id. A malformed payload gives None
    instead of an error.
    """
    if not isinstance(payload, dict):
        return None
    batch = None
    if adapter == "google_lsa" and isinstance(_lookup(payload, "leads"), list):
        batch = _lookup(payload, "leads")
    elif adapter == "yelp":
        data = payload.get("data")
        batch = data.get("updates") if isinstance(data, dict) else None
        if not isinstance(batch, list):
            return None
    item = payload
    if batch is not None:
        match = _ITEM_INDEX.match(field or "")
        if match:
            index = int(match.group(1))
            batch = batch[index:index + 1]
        if len(batch) != 1:
            return None
        item = batch[0]
    if not isinstance(item, dict):
        return None
    if adapter == "google_lsa" and isinstance(_lookup(item, "local_services_lead"), dict):
        item = _lookup(item, "local_services_lead")
    for key in LEAD_ID_KEYS.get(adapter, ()):
        try:
            value = _identifier(item, key, "", required=False)
        except IntakeError:
            continue
        if value:
            return value
    return None
