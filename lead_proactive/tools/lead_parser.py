"""Extract qualification data from the new text of an inbound lead message.

The input is the text a customer just wrote, with quoted history already
removed. ``parse_message`` returns the zip code, city, timeline, need, budget
and phone number found there. Each value that cannot be read with confidence
is None, because a missing value costs one question to the customer, while a
wrong one sends the lead to the wrong place or the wrong queue.

The parser works on a lowercase copy of the text in which every character
keeps its offset, and runs in a fixed order:

1. Phone numbers, reference numbers ("order #12345", "unit 4"), street
   addresses ("4500 Burnet Rd"), clock times ("after 5", "at 5:30") and
   fractions ("3/4 inch", "24/7") are replaced by spaces, so that their
   digits are never read as a zip code, a budget or a date.
2. Amounts marked as money ("$1.2k", "2 000 €", "budget 1,234.56") give the
   budget and are blanked in turn.
3. The zip code is read from what is left, and then the timeline phrases.
4. City and need are read from the original text, because they depend on
   capitalization and on sentence boundaries.

Dates follow US conventions: "6/7" is June 7, and the week runs Monday to
Sunday. The time zone matters only through ``reference``, whose local date is
"today".
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

TODAY = 'today'
THIS_WEEK = 'this_week'
LATER = 'later'
NEED_MAX_LENGTH = 200

_BUCKET_ORDER = {TODAY: 0, THIS_WEEK: 1, LATER: 2}
ONE_DAY = datetime.timedelta(days=1)


@dataclasses.dataclass
class ParseResult:
    """Qualification data found in one message. None means not found."""

    zip_code: str | None = None
    city: str | None = None
    timeline: str | None = None
    timeline_date: datetime.date | None = None
    timeline_date_end: datetime.date | None = None
    timeline_ambiguous: bool = False
    need: str | None = None
    budget: float | None = None
    phone: str | None = None


def parse_message(
    text: str,
    reference: datetime.datetime,
    known_cities: Iterable[str] = (),
    default_country_code: str = '1',
) -> ParseResult:
    """Parse the new text of a lead message into a ``ParseResult``.

    ``reference`` is the time the message was received, expressed in the
    lead's time zone. Its local date is "today" for every relative phrase.
    ``known_cities`` are the canonical city names to look for, matched
    case-insensitively on whole words. ``default_country_code`` prefixes
    phone numbers written without a country code.
    """
    result = ParseResult()
    if not text or not text.strip():
        return result

    original = _normalize(text)
    masked = _lowercase_same_length(original)
    masked = _blank_matches(masked, _REFERENCE_NUMBER)

    result.phone, masked = _extract_phone(masked, default_country_code)
    masked = _blank_matches(masked, _STREET_ADDRESS)
    masked = _blank_matches(masked, _CLOCK_TIME)
    masked = _blank_matches(masked, _FRACTION)
    result.budget, masked = _extract_budget(masked)
    result.zip_code, masked = _extract_zip(masked, original)

    mention = _extract_timeline(masked, reference.date())
    if mention is not None:
        result.timeline = mention.bucket
        result.timeline_date = mention.first_day
        result.timeline_date_end = mention.last_day
        result.timeline_ambiguous = mention.ambiguous

    result.city = _extract_city(original, known_cities)
    result.need = _extract_need(original)
    return result


# ---------------------------------------------------------------------------
# Text preparation
# ---------------------------------------------------------------------------

# Every replacement is one character for one character, so that offsets found
# in the lowercase copy are valid in the original text as well.
_SAME_LENGTH_REPLACEMENTS = str.maketrans({
    '\u2018': "'",
    '\u2019': "'",
    '\u201c': '"',
    '\u201d': '"',
    '\u00a0': ' ',
    '\u2009': ' ',
    '\u202f': ' ',
})


def _normalize(text: str) -> str:
    return text.translate(_SAME_LENGTH_REPLACEMENTS)


def _lowercase_same_length(text: str) -> str:
    """Lowercase ``text`` except characters whose lowercase form is longer."""
    return ''.join(
        lower if len(lower := char.lower()) == 1 else char for char in text
    )


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + ' ' * (end - start) + text[end:]


def _blank_matches(text: str, pattern: re.Pattern) -> str:
    for match in pattern.finditer(text):
        text = _blank(text, match.start(), match.end())
    return text


def _next_word(text: str) -> str:
    """Return the word that ``text`` starts with, or '' before a non-letter."""
    match = re.match(r"\s*([a-z]+)?", text)
    return match.group(1) or ''


# ---------------------------------------------------------------------------
# Numbers that are never a zip code, a budget or a date
# ---------------------------------------------------------------------------

_REFERENCE_NUMBER = re.compile(
    r"""
    \#\s*[a-z0-9-]*\d[a-z0-9-]*
    | \b(?:order|ticket|invoice|case|ref|reference|confirmation|conf|tracking
         |account|acct|claim|policy|model|serial|sku|po|p\.o\.|apt|apartment
         |suite|ste|unit|box|id)
      \s*(?:\#|no\.?|num(?:ber)?\.?)?\s*:?\s*[a-z0-9-]*\d[a-z0-9-]*
    """,
    re.VERBOSE,
)

_STREET_SUFFIX = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct"
    r"|way|place|pl|parkway|pkwy|highway|hwy|circle|cir|terrace|ter|trail|trl"
    r"|loop|pike|alley|route|rte|plaza|expressway|expy|freeway|fwy|cove|cv"
    r"|crossing|xing"
)
# Words that cannot be part of a street name. They keep "15 at the park" or
# "2 days to drive" from being read as addresses.
_NOT_STREET_NAME = (
    r"the|a|an|at|on|in|to|for|of|by|and|or|my|our|your|this|that|next|per"
    r"|from|with|is|are|am|pm|days?|weeks?|months?|hours?|minutes?|years?"
)
_STREET_ADDRESS = re.compile(
    rf"""
    (?<![\w$€£\#./,-])\d{{1,6}}[a-z]?(?:-\d{{1,4}})?\s+
    (?:(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?\s+)?
    (?:(?!(?:{_NOT_STREET_NAME})\b)[a-z0-9][a-z0-9'.-]*\s+){{1,3}}
    (?:{_STREET_SUFFIX})\b\.?
    """,
    re.VERBOSE,
)

_DURATION_OR_AMOUNT_AFTER = (
    r"k\b|%|st\b|nd\b|rd\b|th\b|\$|€|grand|dollars|bucks|days?|weeks?|wks?"
    r"|months?|hours?|hrs?|mins?|minutes?|business|people|rooms?|bedrooms?"
)
_CLOCK_TIME = re.compile(
    rf"""
    (?<![\w/.:])\d{{1,2}}(?::[0-5]\d)?\s?(?:a\.?m\.?|p\.?m\.?)(?![a-z])
    | (?<![\w/.:])\d{{1,2}}:[0-5]\d(?![\d:])
    | (?:\b(?:after|at|before|by|around|until|till|til|from|between)|@)
      \s*\d{{1,2}}(?:\s?(?:-|to|and)\s?\d{{1,2}})?
      (?![\d/:]|[.,]\d|\s?(?:{_DURATION_OR_AMOUNT_AFTER}))
    """,
    re.VERBOSE,
)

_FRACTION_UNIT = (
    r"\"|''|-?(?:inch(?:es)?|ft\b|foot|feet|yd|yards?|mm\b|cm\b|mi\b"
    r"|miles?|price|off\b|of\b|cups?|tsp|tbsp|lbs?\b|oz\b|hp\b|acres?|baths?"
    r"|gallons?|gal\b|pipes?|sheets?|thick|wide|deep|long|tall|turns?|way\b"
    r"|shares?|tons?|size|scale|pounds?)"
)
_FRACTION = re.compile(
    rf"""
    (?<![\w/.])24\s?[/-]\s?7(?![\w/])
    | (?<![\w/.,])(?:\d{{1,3}}[\s-])?\d{{1,2}}/\d{{1,2}}(?=\s?(?:{_FRACTION_UNIT}))
    | (?<![\w/.,])\d{{1,3}}[\s-]\d{{1,2}}/\d{{1,2}}(?![\w/])
    """,
    re.VERBOSE,
)


# ---------------------------------------------------------------------------
# Phone
# ---------------------------------------------------------------------------

_NANP_PHONE = re.compile(
    r"""
    (?<![\w+\#$/.,])
    (?:(?P<country>\+\s?1|1)[\s.-]?)?
    (?:\((?P<area_in_parens>\d{3})\)|(?P<area>\d{3}))
    [\s.-]?(?P<exchange>\d{3})[\s.-]?(?P<line>\d{4})
    (?!\d)
    """,
    re.VERBOSE,
)
# Country codes that start with 1 belong to the North American Numbering Plan,
# which _NANP_PHONE handles, so this pattern only takes +2 to +9.
_INTERNATIONAL_PHONE = re.compile(
    r"(?<![\w+])\+(?P<number>[2-9][\d\s().-]{6,18}\d)(?!\d)"
)


def _extract_phone(text: str, default_country_code: str) -> tuple[str | None, str]:
    """Return the first phone number in E.164 form and ``text`` without phones.

    Every phone-like number is blanked, including invalid ones, so that its
    digits cannot become a zip code. National numbers are recognized only in
    the North American 3-3-4 layout.
    """
    found = []
    for match in _INTERNATIONAL_PHONE.finditer(text):
        digits = re.sub(r"\D", '', match.group('number'))
        if 8 <= len(digits) <= 15:
            found.append((match.start(), '+' + digits))
        text = _blank(text, match.start(), match.end())

    country_code = re.sub(r"\D", '', default_country_code or '') or '1'
    for match in _NANP_PHONE.finditer(text):
        phone = _format_nanp(match, country_code)
        if phone:
            found.append((match.start(), phone))
        text = _blank(text, match.start(), match.end())

    first = min(found, default=(0, None))
    return first[1], text


def _format_nanp(match: re.Match, country_code: str) -> str | None:
    """Format a 3-3-4 number in E.164, or return None if it is invalid.

    A number written with "+1" or "1" is North American whatever the default
    country. Without it, a default other than 1 is prefixed after dropping
    the national trunk prefix 0.
    """
    area = match.group('area_in_parens') or match.group('area')
    exchange = match.group('exchange')
    national = area + exchange + match.group('line')
    if match.group('country') or country_code == '1':
        # Area codes and exchanges never start with 0 or 1 in the NANP.
        if area[0] in '01' or exchange[0] in '01':
            return None
        return '+1' + national
    return '+' + country_code + national.lstrip('0')


# ---------------------------------------------------------------------------
# Budget
# ---------------------------------------------------------------------------

_NUMBER = (
    r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?"
    r"|\d{1,3}(?:[ .]\d{3})+(?:,\d{1,2})?(?=\s?(?:€|eur))"
    r"|\d+(?:[.,]\d+)?"
)
_MULTIPLIER = r"\s?(?:k|m|grand|thousand|million)\b"
_AMOUNT = re.compile(
    rf"""
    (?<![\w.,/\#:$€£-])
    (?P<prefix>(?:us\s?\$|\$|€|£|usd|eur|gbp)\s?)?
    (?P<first>{_NUMBER})(?P<first_multiplier>{_MULTIPLIER})?
    (?:\s?(?:-|–|—|to)\s?
       (?P<second_prefix>(?:\$|€|£)\s?)?
       (?P<second>{_NUMBER})(?P<second_multiplier>{_MULTIPLIER})?
    )?
    (?P<suffix>\s?(?:\$|€|£)|\s?(?:dollars?|bucks|usd|eur|euros?)\b)?
    (?![\d/]|[.,]\d)
    """,
    re.VERBOSE,
)
_MULTIPLIER_VALUES = {
    'k': 1000, 'thousand': 1000, 'grand': 1000, 'm': 1000000, 'million': 1000000,
}

# Words that make a number a sum of money: "budget 1500", "can spend 800".
_MONEY_CUE_BEFORE = re.compile(
    r"\b(?:budget(?:ed)?|spend|afford|pay|paying|price(?:\s+range)?)\b"
    r"(?:\s+(?:is|of|around|about|approx\.?|approximately|roughly|up\s+to|under"
    r"|below|max|maximum|at\s+most|maybe|like|between|no\s+more\s+than"
    r"|less\s+than))*[\s:~-]*$"
)
# Words that make "2k" a sum of money, as in "under 2k" or "around 5k".
_THOUSANDS_CUE_BEFORE = re.compile(
    r"(?:\b(?:budget(?:ed)?|spend|afford|pay|paying|under|below|less\s+than"
    r"|no\s+more\s+than|up\s+to|max(?:imum)?|around|about|approx\.?"
    r"|approximately|roughly|between|over|at\s+least|within)|~)[\s:~-]*$"
)
_BUDGET_CUE_NEARBY = re.compile(
    r"\b(?:budget(?:ed)?|spend|afford|pay|paying|willing|under|below|up\s+to"
    r"|max(?:imum)?|no\s+more\s+than|less\s+than|around|about)\b[^.!?\n]*$"
)
_BUDGET_CUE_AFTER = re.compile(r"^\s*(?:budget|max(?:imum)?|tops)\b")
_BUDGET_WORD_AFTER = re.compile(r"^\s*budget\b")
_RATE_UNIT = (
    r"hr|hour|h|day|night|week|wk|month|mo|year|yr|sq\.?\s?ft|sqft|square"
    r"|ft|foot|feet|visit|room|item|unit|person|head|mile|load|window|panel"
    r"|lb|gallon|session|lesson|class"
)
_RATE_AFTER = re.compile(
    rf"^\s?(?:/|per\b|an?\b|each\b|every\b)\s*(?:{_RATE_UNIT})s?\b"
    r"|^\s?(?:hourly|nightly|daily|weekly|monthly|yearly|annually)\b"
)
_RATE_CUE_BEFORE = re.compile(r"\b(?:rate|hourly)\b[^.!?\n]{0,20}$")
_DISCOUNT_AFTER = re.compile(
    r"^\s?(?:off|discount|coupon|rebate|refund|deposit)\b"
)
_DISCOUNT_BEFORE = re.compile(
    r"\b(?:save|saving|discount|coupon|rebate|refund|deposit|credit)\s*(?:of\s*)?$"
)
# Words that may follow a number marked as money only by a nearby word, as in
# "budget 1500 for the job". Any other word ("under 2k miles") means the
# number counts something else.
_WORDS_AFTER_CUED_AMOUNT = frozenset({
    '', 'for', 'or', 'and', 'to', 'tops', 'max', 'maximum', 'total', 'all',
    'in', 'including', 'incl', 'plus', 'but', 'if', 'is', 'on', 'with', 'this',
    'that', 'the', 'we', 'i', 'my', 'our', 'range', 'ish', 'budget', 'so',
    'would', 'should', 'could', 'can', 'please', 'thanks', 'thank', 'because',
    'since', 'at', 'give', 'which',
})


@dataclasses.dataclass
class _Amount:
    start: int
    end: int
    value: float
    is_rate: bool
    has_budget_cue: bool


def _extract_budget(text: str) -> tuple[float | None, str]:
    """Return the budget and ``text`` with every sum of money blanked.

    A number counts as money only with a currency sign or word, a thousands
    suffix after a word such as "under", or a word such as "budget" before
    it. A range such as "$800-1000" gives its upper bound, which is the
    maximum the customer is willing to spend. Rates such as "$95/hr" are not budgets,
    because the total depends on hours nobody has estimated, but they are
    still blanked. A sum near "budget", "up to" or "max" beats an earlier
    one without such a word.
    """
    amounts = []
    for match in _AMOUNT.finditer(text):
        amount = _read_amount(text, match)
        if amount is not None:
            amounts.append(amount)
    amounts = _merge_between_ranges(text, amounts)
    for amount in amounts:
        text = _blank(text, amount.start, amount.end)

    budgets = [amount for amount in amounts if not amount.is_rate]
    cued = [amount for amount in budgets if amount.has_budget_cue]
    chosen = (cued or budgets or [None])[0]
    return (chosen.value if chosen else None), text


def _read_amount(text: str, match: re.Match) -> _Amount | None:
    """Return the sum of money that ``match`` is, or None if it is no money."""
    before = text[max(0, match.start() - 60):match.start()]
    after = text[match.end():]
    is_european = '€' in match.group(0) or re.search(r"eur", match.group(0))
    first = _parse_number(match.group('first'), bool(is_european))
    second = _parse_number(match.group('second') or '', bool(is_european))
    if first is None:
        return None

    first_multiplier = _multiplier(match.group('first_multiplier'))
    second_multiplier = _multiplier(match.group('second_multiplier'))
    # "1-2k" means 1000 to 2000, but "800-1k" means 800 to 1000.
    shares_multiplier = (
        second is not None
        and first_multiplier == 1
        and second_multiplier > 1
        and first <= second
    )
    if shares_multiplier:
        first_multiplier = second_multiplier

    has_currency = bool(
        match.group('prefix') or match.group('second_prefix') or match.group('suffix')
    )
    multiplier_word = ''.join(
        match.group(name) or '' for name in ('first_multiplier', 'second_multiplier')
    ).strip()
    has_thousands_cue = bool(
        _THOUSANDS_CUE_BEFORE.search(before) or _BUDGET_WORD_AFTER.search(after)
    )
    is_money = (
        has_currency
        or 'grand' in multiplier_word
        or (multiplier_word.startswith('k') and has_thousands_cue)
        or (not multiplier_word and _MONEY_CUE_BEFORE.search(before))
    )
    if not is_money or _ZIP_LABEL_BEFORE.search(before):
        return None
    if multiplier_word.startswith('m') and not has_currency:
        return None
    if not has_currency and _next_word(after) not in _WORDS_AFTER_CUED_AMOUNT:
        return None
    if _DISCOUNT_AFTER.search(after) or _DISCOUNT_BEFORE.search(before):
        return None

    value = first * first_multiplier
    if second is not None and second * second_multiplier > value:
        value = second * second_multiplier
    return _Amount(
        start=match.start(),
        end=match.end(),
        value=float(value),
        is_rate=bool(_RATE_AFTER.search(after) or _RATE_CUE_BEFORE.search(before)),
        has_budget_cue=bool(
            _BUDGET_CUE_NEARBY.search(before[-40:]) or _BUDGET_CUE_AFTER.search(after)
        ),
    )


def _merge_between_ranges(text: str, amounts: list[_Amount]) -> list[_Amount]:
    """Join "between $800 and $1,200" into one amount with the upper bound."""
    merged: list[_Amount] = []
    for amount in amounts:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and re.search(r"\bbetween\s*$", text[:previous.start])
            and re.fullmatch(r"\s*and\s*", text[previous.end:amount.start])
        ):
            previous.end = amount.end
            previous.value = max(previous.value, amount.value)
            previous.is_rate = previous.is_rate or amount.is_rate
            previous.has_budget_cue = previous.has_budget_cue or amount.has_budget_cue
            continue
        merged.append(amount)
    return merged


def _multiplier(word: str | None) -> int:
    word = (word or '').strip()
    return _MULTIPLIER_VALUES.get(word, 1)


def _parse_number(raw: str, is_european: bool) -> Decimal | None:
    """Read a number written with thousands separators in either convention.

    Spaces always group thousands. When both "," and "." appear, the last
    one is the decimal mark. A lone separator followed by exactly three
    digits groups thousands for "," in any amount, and for "." in euro
    amounts ("2.000 €").
    """
    if not raw:
        return None
    raw = raw.replace(' ', '')
    if ',' in raw and '.' in raw:
        decimal_mark = ',' if raw.rfind(',') > raw.rfind('.') else '.'
    elif ',' in raw:
        groups = raw.split(',')
        decimal_mark = '.' if all(len(group) == 3 for group in groups[1:]) else ','
    elif '.' in raw:
        groups = raw.split('.')
        is_grouped = all(len(group) == 3 for group in groups[1:])
        decimal_mark = ',' if is_european and is_grouped else '.'
    else:
        decimal_mark = '.'
    thousands_mark = ',' if decimal_mark == '.' else '.'
    cleaned = raw.replace(thousands_mark, '').replace(decimal_mark, '.')
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


# ---------------------------------------------------------------------------
# Zip code
# ---------------------------------------------------------------------------

_US_STATES = {
    'AL': 'Alabama', 'AK': 'Alaska', 'AZ': 'Arizona', 'AR': 'Arkansas',
    'CA': 'California', 'CO': 'Colorado', 'CT': 'Connecticut', 'DE': 'Delaware',
    'DC': 'District of Columbia', 'FL': 'Florida', 'GA': 'Georgia', 'HI': 'Hawaii',
    'ID': 'Idaho', 'IL': 'Illinois', 'IN': 'Indiana', 'IA': 'Iowa', 'KS': 'Kansas',
    'KY': 'Kentucky', 'LA': 'Louisiana', 'ME': 'Maine', 'MD': 'Maryland',
    'MA': 'Massachusetts', 'MI': 'Michigan', 'MN': 'Minnesota',
    'MS': 'Mississippi', 'MO': 'Missouri', 'MT': 'Montana', 'NE': 'Nebraska',
    'NV': 'Nevada', 'NH': 'New Hampshire', 'NJ': 'New Jersey', 'NM': 'New Mexico',
    'NY': 'New York', 'NC': 'North Carolina', 'ND': 'North Dakota', 'OH': 'Ohio',
    'OK': 'Oklahoma', 'OR': 'Oregon', 'PA': 'Pennsylvania', 'RI': 'Rhode Island',
    'SC': 'South Carolina', 'SD': 'South Dakota', 'TN': 'Tennessee', 'TX': 'Texas',
    'UT': 'Utah', 'VT': 'Vermont', 'VA': 'Virginia', 'WA': 'Washington',
    'WV': 'West Virginia', 'WI': 'Wisconsin', 'WY': 'Wyoming', 'PR': 'Puerto Rico',
}
_STATE_NAMES = '|'.join(
    sorted((re.escape(name) for name in _US_STATES.values()), key=len, reverse=True)
)


def _is_state(word: str) -> bool:
    return word in _US_STATES or word in _US_STATES.values()


_ZIP = re.compile(
    r"(?<![\w$€£\#.,/-])(?P<zip>\d{5})(?:-\d{4})?(?![\w/%+]|[.,:]\d|-\d|\s\d)"
)
_ZIP_LABEL_BEFORE = re.compile(
    r"\b(?:zip|zipcode|zip\s+code|postal\s+code|postcode)\b\s*(?:is|:|#|-)?\s*$"
)
_ZIP_PLACE_BEFORE = re.compile(
    r"\b(?:in|near|area|at|from|to|serving|located|live)\s+(?:the\s+)?$"
)
_ZIP_AREA_AFTER = re.compile(r"^\s*(?:area|zip)\b")
_STATE_BEFORE = re.compile(rf"\b(?:[A-Z]{{2}}|{_STATE_NAMES})\.?,?\s+$")
_QUANTITY_BEFORE = re.compile(
    r"(?:\b(?:about|around|over|under|approximately|approx|roughly|nearly|almost"
    r"|only|than|some|like|total|of|for|paid|pay|spent|spend|cost|costs|charged"
    r"|quoted|price|priced|worth)|[~x*=+-])\s*$"
)
_QUANTITY_UNIT_AFTER = re.compile(
    r"^\s?(?:sq|sqft|square|ft|feet|foot|miles?|mi|lbs?|pounds?|btus?|gallons?"
    r"|gal|units?|items?|pieces?|pcs|people|users|employees|words|views|hours?"
    r"|hrs?|km|kw|kwh|watts?|rpm|points?|emails?|leads?|contacts?|rows?"
    r"|records?|times?|copies|calories|steps|dollars?|bucks|usd|eur|k|%"
    r"|customers|visitors|subscribers|members|downloads|clicks|orders|tickets"
    r"|parts)\b"
)
_LOWEST_ZIP = '00501'


def _extract_zip(text: str, original: str) -> tuple[str | None, str]:
    """Return the best five-digit zip code and ``text`` without it.

    A zip labelled "zip" or following a state ("MA 02139") beats one after
    "in" or before "area", which beats a bare five-digit number. ZIP+4
    gives its first five digits. A number followed by a unit ("20000 sq ft")
    or after a quantity word ("over 10000") is never a zip.
    """
    candidates = []
    for match in _ZIP.finditer(text):
        score = _score_zip(text, original, match)
        if score:
            candidates.append((-score, match.start(), match))
    if not candidates:
        return None, text
    match = min(candidates, key=lambda candidate: candidate[:2])[2]
    return match.group('zip'), _blank(text, match.start(), match.end())


def _score_zip(text: str, original: str, match: re.Match) -> int:
    zip_code = match.group('zip')
    before = text[max(0, match.start() - 40):match.start()]
    original_before = original[max(0, match.start() - 40):match.start()]
    after = text[match.end():]
    if zip_code < _LOWEST_ZIP or _QUANTITY_UNIT_AFTER.search(after):
        return 0
    if re.search(r"\d[\s.-]?$", before):
        # One group of a longer number, such as a foreign phone number.
        return 0
    if _ZIP_LABEL_BEFORE.search(before):
        return 3
    state = _STATE_BEFORE.search(original_before)
    if state and _is_state(state.group(0).strip(' .,')):
        return 3
    if _ZIP_PLACE_BEFORE.search(before) or _ZIP_AREA_AFTER.search(after):
        return 2
    if _QUANTITY_BEFORE.search(before):
        return 0
    return 1


# ---------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Mention:
    """One timeline phrase resolved to days.

    ``last_day`` is None for a single day and for an open-ended period
    ("after the 15th"). ``first_day`` is None for pure urgency ("asap") and
    for "whenever"-like phrases, which carry their bucket instead.
    """

    first_day: datetime.date | None
    last_day: datetime.date | None = None
    bucket: str | None = None
    ambiguous: bool = False
    position: int = 0


def _bucket_for(day: datetime.date, today: datetime.date) -> str:
    if day <= today:
        return TODAY
    if day <= _coming_sunday(today):
        return THIS_WEEK
    return LATER


def _coming_sunday(today: datetime.date) -> datetime.date:
    return today + datetime.timedelta(days=6 - today.weekday())


def _monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _last_day_of_month(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _future_range(
    first: datetime.date, last: datetime.date, today: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    """Clip a vague period ("this week", "in june") to the days still ahead.

    The period starts tomorrow at the earliest, because someone who writes
    "this week" rarely means today. A period ending today becomes today.
    """
    if last < today:
        return None
    if last == today:
        return today, today
    return max(first, today + ONE_DAY), last


_MONTHS = {
    'january': 1, 'jan': 1, 'february': 2, 'feb': 2, 'march': 3, 'mar': 3,
    'april': 4, 'apr': 4, 'may': 5, 'june': 6, 'jun': 6, 'july': 7, 'jul': 7,
    'august': 8, 'aug': 8, 'september': 9, 'sept': 9, 'sep': 9, 'october': 10,
    'oct': 10, 'november': 11, 'nov': 11, 'december': 12, 'dec': 12,
}
_MONTH_NAME = '|'.join(sorted(_MONTHS, key=len, reverse=True))

_WEEKDAYS = {
    'monday': 0, 'mon': 0, 'tuesday': 1, 'tues': 1, 'tue': 1, 'wednesday': 2,
    'weds': 2, 'wed': 2, 'thursday': 3, 'thurs': 3, 'thur': 3, 'thu': 3,
    'friday': 4, 'fri': 4, 'saturday': 5, 'sat': 5, 'sunday': 6, 'sun': 6,
}
_WEEKDAY_NAME = '|'.join(sorted(_WEEKDAYS, key=len, reverse=True))
# These abbreviations are also English words ("I sat", "the sun"), so they
# count as days only after a word such as "on" or "next".
_WEEKDAY_ABBREVIATIONS_THAT_ARE_WORDS = frozenset({'mon', 'wed', 'sat', 'sun'})
_WEEKDAY_CUE_BEFORE = re.compile(
    r"\b(?:on|by|before|after|till|until|til|for|from|thru|through|or|and|this"
    r"|next|coming|every)\s*$"
)

_COUNT_WORDS = {
    'a': 1, 'an': 1, 'one': 1, 'two': 2, 'three': 3, 'four': 4, 'five': 5,
    'six': 6, 'seven': 7, 'eight': 8, 'nine': 9, 'ten': 10, 'couple': 2,
    'few': 3,
}
_COUNT = r"\d{1,2}|a\s+couple(?:\s+of)?|couple(?:\s+of)?|a\s+few|few|" + '|'.join(
    _COUNT_WORDS
)

# Modifiers found just before or after a dated phrase.
_PAST_BEFORE = re.compile(
    r"\b(?:last|since|this\s+past|previous|earlier\s+this)\s+(?:on\s+)?(?:the\s+)?$"
)
_PAST_AFTER = re.compile(r"^\s*ago\b")
_AFTER_BEFORE = re.compile(r"\b(?:after|past)\s+(?:the\s+)?$")
_NOT_UNTIL_BEFORE = re.compile(
    r"(?:\b(?:not|never|wait|waiting)\b|n't\b)[^.!?\n]{0,30}?"
    r"\b(?:till|until|til|'til|before)\s+(?:the\s+)?$"
    r"|\bno\s+earlier\s+than\s+(?:the\s+)?$"
    r"|\b(?:starting|beginning)(?:\s+(?:on|in|from))?\s+(?:the\s+)?$"
)
_ONWARDS_AFTER = re.compile(
    r"^\s*(?:onwards?|or\s+later|and\s+later|or\s+after|and\s+after)\b"
)

# A bare ordinal ("15th") is a day only before one of these words or before
# punctuation, so that "2nd bathroom" and "3rd floor" are not dates.
_WORDS_AFTER_BARE_ORDINAL = frozenset({
    '', 'or', 'and', 'at', 'in', 'if', 'is', 'works', 'would', 'could',
    'should', 'please', 'morning', 'afternoon', 'evening', 'night', 'around',
    'after', 'before', 'by', 'between', 'from', 'to', 'till', 'until',
    'maybe', 'then', 'through', 'thru', 'we', 'i', 'anytime', 'any', 'ok',
    'okay', 'fine', 'good', 'preferably', 'ideally', 'for', 'of', 'thanks',
    'possible', 'latest', 'earliest', 'best', 'too',
})
# After "the 15th" these words still mean something other than a day.
_NOUNS_AFTER_ORDINAL = re.compile(
    r"^\s*(?:floor|fl|story|storey|level|street|st|avenue|ave|road|rd|grade"
    r"|time|times|place|year|yr|anniversary|birthday|bday|century|edition|gen"
    r"|generation|row|house|door|unit|apt|building|bldg|percentile|hole"
    r"|inning|period|round|tee|lot|suite|page|person|caller|customer|visit"
    r"|try|attempt|quarter|qtr|degree|gear|step|priority|choice|option|one"
    r"|ones|item|class|chapter|box|bathroom|bedroom|room|child|kid)\b"
)
# Words before a numeric date that make "3/4" a date and not a fraction.
_DATE_CUE_BEFORE = re.compile(
    rf"\b(?:on|by|before|after|until|till|til|for|date|due|starting|from"
    rf"|{_WEEKDAY_NAME})[\s,]*$"
)
_POWERS_OF_TWO = frozenset({2, 4, 8, 16, 32, 64})

# A yearless date at most this long ago is a past date ("we called on 6/1").
# An older one means that date in the next year.
_PAST_DATE_HORIZON = datetime.timedelta(days=183)


_Handler = Callable[[re.Match, datetime.date], '_Mention | None']

# "Can I pay today?" asks about paying, not about when the job is wanted:
# such a "today" is a buying signal and says nothing about the timeline.
_PAYMENT_TODAY = re.compile(
    r"\b(?:pay|paid|paying|payment|deposit)(?:\s+(?:you|it|for\s+it|in\s+full"
    r"|the\s+deposit|cash|online))?\s+today\b"
)


def _extract_timeline(text: str, today: datetime.date) -> _Mention | None:
    """Return the earliest timeline phrase in ``text``, resolved to days.

    Each rule blanks the phrases it matched, so that a later, shorter rule
    cannot read the same words again ("june 15th" is not also "15th"). The
    earliest bucket wins, and within a bucket a phrase with a date beats
    one without, then the earlier date, then the earlier position.
    """
    text = _blank_matches(text, _PAYMENT_TODAY)
    mentions = []
    for pattern, handler in _TIMELINE_RULES:
        for match in pattern.finditer(text):
            mention = handler(match, today)
            if mention is not None:
                mention = _apply_modifiers(text, match, mention, today)
            if mention is not None:
                mentions.append(mention)
        text = _blank_matches(text, pattern)

    if not mentions:
        return None

    def sort_key(mention: _Mention) -> tuple:
        return (
            _BUCKET_ORDER[mention.bucket],
            mention.first_day is None,
            mention.first_day or datetime.date.min,
            mention.position,
        )

    return min(mentions, key=sort_key)


def _apply_modifiers(
    text: str, match: re.Match, mention: _Mention, today: datetime.date
) -> _Mention | None:
    """Apply "last", "after", "not till" and "ago" around a dated phrase.

    Return the mention with its bucket set, or None for a past date.
    """
    if mention.first_day is None:
        return dataclasses.replace(mention, position=match.start())

    core_start = match.start('core') if 'core' in match.re.groupindex else match.start()
    before = text[max(0, core_start - 60):core_start]
    after = text[match.end():]
    first_day, last_day = mention.first_day, mention.last_day

    if _PAST_BEFORE.search(before) or _PAST_AFTER.search(after):
        return None
    if _AFTER_BEFORE.search(before):
        first_day, last_day = (last_day or first_day) + ONE_DAY, None
    elif _NOT_UNTIL_BEFORE.search(before) or _ONWARDS_AFTER.search(after):
        last_day = None

    if (last_day or first_day) < today:
        return None
    first_day = max(first_day, today)
    if last_day == first_day:
        last_day = None
    return dataclasses.replace(
        mention,
        first_day=first_day,
        last_day=last_day,
        bucket=_bucket_for(first_day, today),
        position=match.start(),
    )


def _undated(bucket: str) -> _Handler:
    def handle(match: re.Match, today: datetime.date) -> _Mention:
        return _Mention(first_day=None, bucket=bucket)

    return handle


def _days_from_today(days: int) -> _Handler:
    def handle(match: re.Match, today: datetime.date) -> _Mention:
        return _Mention(first_day=today + datetime.timedelta(days=days))

    return handle


def _ignore(match: re.Match, today: datetime.date) -> None:
    return None


def _handle_relative_offset(match: re.Match, today: datetime.date) -> _Mention:
    count_text = re.sub(r"\s+", ' ', match.group('count'))
    kind = re.sub(r"\s+", ' ', match.group('kind'))
    count_text = count_text.removeprefix('a ').removesuffix(' of')
    count = int(count_text) if count_text.isdigit() else _COUNT_WORDS[count_text]
    unit = match.group('unit')
    if unit.startswith('mo'):
        target = _add_months(today, count)
    elif unit.startswith('w'):
        target = today + datetime.timedelta(weeks=count)
    else:
        target = today + datetime.timedelta(days=count)
    if kind in ('within', 'in the next', 'inside of'):
        return _Mention(first_day=min(today + ONE_DAY, target), last_day=target)
    return _Mention(first_day=target)


def _handle_this_week(match: re.Match, today: datetime.date) -> _Mention | None:
    sunday = _coming_sunday(today)
    return _range_mention(_future_range(today, sunday, today))


def _handle_end_of_week(match: re.Match, today: datetime.date) -> _Mention | None:
    monday = _monday_of(today)
    if match.group('next'):
        monday += datetime.timedelta(weeks=1)
    friday = monday + datetime.timedelta(days=4)
    sunday = monday + datetime.timedelta(days=6)
    return _range_mention(_future_range(friday, sunday, today))


def _handle_next_week(match: re.Match, today: datetime.date) -> _Mention:
    monday = _monday_of(today) + datetime.timedelta(weeks=1)
    if match.group('after_next'):
        monday += datetime.timedelta(weeks=1)
    part = match.group('part') or ''
    if part.startswith(('early', 'beginning', 'start')):
        first, last = 0, 2
    elif part.startswith(('mid', 'middle')):
        first, last = 1, 3
    elif part.startswith(('late', 'end')):
        first, last = 4, 6
    else:
        first, last = 0, 6
    return _Mention(
        first_day=monday + datetime.timedelta(days=first),
        last_day=monday + datetime.timedelta(days=last),
    )


def _handle_weekend(match: re.Match, today: datetime.date) -> _Mention | None:
    saturday = _monday_of(today) + datetime.timedelta(days=5)
    if match.group('next'):
        saturday += datetime.timedelta(weeks=1)
        return _Mention(first_day=saturday, last_day=saturday + ONE_DAY, ambiguous=True)
    return _range_mention(_future_range(saturday, saturday + ONE_DAY, today))


def _handle_end_of_month(match: re.Match, today: datetime.date) -> _Mention:
    month_start = today.replace(day=1)
    if match.group('next'):
        month_start = _add_months(month_start, 1)
    return _Mention(first_day=_last_day_of_month(month_start.year, month_start.month))


def _handle_first_of_next_month(match: re.Match, today: datetime.date) -> _Mention:
    return _Mention(first_day=_add_months(today.replace(day=1), 1))


def _handle_relative_month(match: re.Match, today: datetime.date) -> _Mention | None:
    month_start = today.replace(day=1)
    if match.group('qualifier') != 'this':
        month_start = _add_months(month_start, 1)
    first, last = _month_part(month_start.year, month_start.month, match.group('part'))
    return _range_mention(_future_range(first, last, today))


def _month_part(
    year: int, month: int, part: str | None
) -> tuple[datetime.date, datetime.date]:
    """Return the days of a month, or of its early, mid or late part."""
    last_day = _last_day_of_month(year, month)
    part = part or ''
    if part.startswith(('early', 'beginning', 'start')):
        return datetime.date(year, month, 1), datetime.date(year, month, 10)
    if part.startswith(('mid', 'middle')):
        return datetime.date(year, month, 11), datetime.date(year, month, 20)
    if part.startswith(('late', 'end')):
        return datetime.date(year, month, 21), last_day
    return datetime.date(year, month, 1), last_day


def _handle_month_day(match: re.Match, today: datetime.date) -> _Mention | None:
    month = _MONTHS[match.group('month')]
    day = _resolve_date(match.group('year'), month, int(match.group('day')), today)
    return _Mention(first_day=day) if day else None


def _handle_numeric_date(match: re.Match, today: datetime.date) -> _Mention | None:
    month, day = int(match.group('month')), int(match.group('day'))
    year = match.group('year')
    if year is None and _looks_like_fraction(month, day):
        before = match.string[max(0, match.start() - 30):match.start()]
        if not _DATE_CUE_BEFORE.search(before):
            return None
    resolved = _resolve_date(year, month, day, today)
    return _Mention(first_day=resolved) if resolved else None


def _handle_iso_or_dashed_date(
    match: re.Match, today: datetime.date
) -> _Mention | None:
    year = match.group('year') or match.group('year2')
    month = int(match.group('month') or match.group('month2'))
    day = int(match.group('day') or match.group('day2'))
    resolved = _resolve_date(year, month, day, today)
    return _Mention(first_day=resolved) if resolved else None


def _looks_like_fraction(numerator: int, denominator: int) -> bool:
    """Tell whether "3/4" or "5/16" reads more likely as a fraction."""
    return (
        numerator < denominator
        and denominator in _POWERS_OF_TWO
        and numerator % 2 == 1
    )


def _handle_month_only(match: re.Match, today: datetime.date) -> _Mention | None:
    month = _MONTHS[match.group('month')]
    year = today.year if month >= today.month else today.year + 1
    part = match.group('part') or match.group('cue')
    first, last = _month_part(year, month, part)
    return _range_mention(_future_range(first, last, today))


def _handle_weekday(match: re.Match, today: datetime.date) -> _Mention | None:
    name = match.group('day')
    qualifier = re.sub(r"\s+", ' ', match.group('qualifier') or '')
    if name in _WEEKDAY_ABBREVIATIONS_THAT_ARE_WORDS and not qualifier:
        before = match.string[max(0, match.start() - 20):match.start()]
        if not _WEEKDAY_CUE_BEFORE.search(before):
            return None

    weekday = _WEEKDAYS[name]
    if qualifier == 'next':
        # "next fri" is read as the Friday of the following week. Many people
        # mean the coming Friday instead, so the result is marked ambiguous.
        monday = _monday_of(today) + datetime.timedelta(weeks=1)
        day = monday + datetime.timedelta(days=weekday)
        return _Mention(first_day=day, ambiguous=True)

    days_ahead = (weekday - today.weekday()) % 7
    ambiguous = False
    if days_ahead == 0 and qualifier != 'this':
        # A bare "wednesday" written on a Wednesday usually means next week's.
        days_ahead, ambiguous = 7, True
    elif qualifier == 'this' and weekday < today.weekday():
        ambiguous = True
    day = today + datetime.timedelta(days=days_ahead)
    return _Mention(first_day=day, ambiguous=ambiguous)


def _handle_ordinal_day(match: re.Match, today: datetime.date) -> _Mention | None:
    after = match.string[match.end():]
    if _NOUNS_AFTER_ORDINAL.search(after):
        return None
    is_bare = not match.group('article')
    if is_bare and _next_word(after) not in _WORDS_AFTER_BARE_ORDINAL:
        return None
    day = _next_day_of_month(int(match.group('day')), today)
    return _Mention(first_day=day) if day else None


def _range_mention(days: tuple[datetime.date, datetime.date] | None) -> _Mention | None:
    if days is None:
        return None
    return _Mention(first_day=days[0], last_day=days[1])


def _resolve_date(
    year_text: str | None, month: int, day: int, today: datetime.date
) -> datetime.date | None:
    """Return the date meant by a month and day, with or without a year.

    A yearless date takes the current year, or the next one when the date
    is more than about six months past. A date that is still in the past is
    returned as it is, and ``_apply_modifiers`` drops it. An impossible
    date such as 2/30 returns None.
    """
    if year_text:
        year = int(year_text)
        year += 2000 if year < 100 else 0
        return _valid_date(year, month, day)
    this_year = _valid_date(today.year, month, day)
    if this_year is None or this_year >= today:
        return this_year
    if today - this_year <= _PAST_DATE_HORIZON:
        return this_year
    return _valid_date(today.year + 1, month, day)


def _valid_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _next_day_of_month(day: int, today: datetime.date) -> datetime.date | None:
    """Return the next date, today included, whose day of the month is ``day``."""
    month_start = today.replace(day=1)
    for months_ahead in range(3):
        candidate_month = _add_months(month_start, months_ahead)
        candidate = _valid_date(candidate_month.year, candidate_month.month, day)
        if candidate is not None and candidate >= today:
            return candidate
    return None


_TIMELINE_RULES: list[tuple[re.Pattern, _Handler]] = [
    # "whenever", "no rush", "not urgent": flexible, so later without a date.
    # This rule runs first so that "not urgent" is not read as "urgent".
    (re.compile(
        r"\bno\s+(?:big\s+|real\s+|huge\s+)?(?:rush|hurry|urgency|deadline)\b"
        r"|\bin\s+no\s+(?:rush|hurry)\b"
        r"|\bnot\s+(?:in\s+)?(?:a\s+|any\s+)?(?:big\s+|huge\s+|real\s+)?"
        r"(?:rush|hurry)\b"
        r"|\b(?:not|isn't|isnt|is\s+not|nothing)\s+(?:an?\s+)?"
        r"(?:(?:super|too|very|really|that|terribly|extremely)\s+)?"
        r"(?:urgent|emergency|time[- ]sensitive)\b"
        r"|\bnon[- ]?urgent\b|\bwhenever\b|\bsin\s+prisa\b"
        r"|\b(?:timing|schedule|dates?|timeline|time\s?frame)\s+(?:is|are)\s+"
        r"(?:pretty\s+|very\s+|totally\s+)?flexible\b"
        r"|\bflexible\s+(?:on|with|about)\s+(?:the\s+)?(?:timing|dates?|schedule"
        r"|time|when)\b"
    ), _undated(LATER)),
    # Past phrases are blanked without a mention.
    (re.compile(
        r"\byesterday\b|\blast\s+(?:night|week|wk|weekend|wknd|month|year|time)\b"
        r"|\b(?:this\s+)?past\s+(?:week|weekend|month|few\s+days)\b"
        r"|\bearlier\s+(?:this|today)\b"
        rf"|\b(?:{_COUNT})\s+(?:days?|weeks?|wks?|months?|years?)\s+ago\b"
        rf"|\b(?:last|since|past)\s+(?:{_WEEKDAY_NAME})\b"
    ), _ignore),
    # Opening hours such as "Mon-Fri" or "weekdays" state no date.
    (re.compile(
        rf"\b(?:{_WEEKDAY_NAME})\.?\s*(?:-|–|to|thru|through)\s*"
        rf"(?:{_WEEKDAY_NAME})\b\.?|\bweekdays\b|\bweekends\b"
    ), _ignore),
    (re.compile(
        r"\ba\.?s\.?a\.?p\b\.?|\bas\s+soon\s+as\s+(?:possible|you\s+can|u\s+can)\b"
        r"|\bright\s+(?:away|now)\b|\bimmediately\b|\burgent(?:ly)?\b"
        r"|\bemergency\b|\burgente\b"
        r"|\bwithin\s+(?:the\s+)?(?:next\s+)?(?:24|twenty[- ]four)\s*"
        r"(?:hours?|hrs?|h)\b"
    ), _undated(TODAY)),
    (re.compile(
        r"\b(?:later\s+)?(?:today|tonight|tonite|2day|2nite|hoy)\b"
        r"|\bthis\s+(?:morning|afternoon|evening|aft)\b|\bsame[- ]day\b"
    ), _days_from_today(0)),
    (re.compile(
        r"\b(?:the\s+)?day\s+after\s+(?:tomorrow|tmrw|tmr|2moro)\b"
        r"|\bpasado\s+ma[ñn]ana\b"
    ), _days_from_today(2)),
    (re.compile(
        r"\b(?:tomorrow|tomorow|tommorow|tommorrow|tomorro|tmrw|tmrow|tmr|tmw"
        r"|2moro|2morro|2morrow|2morow|tomoz|ma[ñn]ana)\b"
    ), _days_from_today(1)),
    (re.compile(r"\bin\s+a\s+day\s+or\s+two\b"), lambda match, today: _Mention(
        first_day=today + ONE_DAY, last_day=today + 2 * ONE_DAY
    )),
    (re.compile(
        r"\b(?P<kind>in\s+the\s+next|inside\s+of|within|in|after)\s+"
        r"(?:about\s+|around\s+|roughly\s+)?"
        rf"(?P<count>{_COUNT})\s+(?P<unit>days?|weeks?|wks?|months?|mos?)\b"
    ), _handle_relative_offset),
    (re.compile(
        r"\b(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<next>next\s+)?"
        r"(?:week|wk)\b"
    ), _handle_end_of_week),
    (re.compile(
        r"\b(?:(?:later|sometime|some\s+time|anytime|any\s+time|during)\s+)?"
        r"(?:this|esta)\s+(?:week|wk|semana)\b"
    ), _handle_this_week),
    (re.compile(
        r"\b(?:(?P<part>early|earlier\s+in|beginning\s+of|start\s+of|mid|middle\s+of"
        r"|late|later\s+in|sometime|some\s+time|anytime|any\s+time|during)[\s-]+)?"
        r"(?:the\s+)?(?:(?P<after_next>week\s+after\s+next)"
        r"|(?:next|following)\s+(?:week|wk))\b"
        r"|\b(?:la\s+)?pr[oó]xima\s+semana\b|\bsemana\s+que\s+viene\b"
    ), _handle_next_week),
    (re.compile(
        r"\b(?:(?P<next>next)|this(?:\s+coming)?|coming|the|on\s+the|over\s+the)?"
        r"\s*(?:week-?end|wknd|wkend|fin\s+de\s+semana)\b"
    ), _handle_weekend),
    (re.compile(
        r"\b(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?"
        r"(?P<next>next\s+)?month\b"
        r"|\bmonth[- ]end\b"
    ), _handle_end_of_month),
    (re.compile(
        r"\b(?:the\s+)?(?:first|1st)\s+of\s+(?:the\s+)?next\s+month\b"
    ), _handle_first_of_next_month),
    (re.compile(
        r"\b(?:(?P<part>early|beginning\s+of|start\s+of|mid|middle\s+of|late"
        r"|sometime|some\s+time|anytime|any\s+time|during)[\s-]+)?"
        r"(?:the\s+)?(?P<qualifier>this|next|following)\s+month\b"
    ), _handle_relative_month),
    # A weekday written before a date only labels it ("Saturday June 21",
    # "next Thursday the 19th"), so the date alone counts.
    (re.compile(
        rf"\b(?:(?:next|this)\s+)?(?:{_WEEKDAY_NAME})\b\.?,?"
        rf"(?=\s+(?:the\s+)?(?:(?:{_MONTH_NAME})\b|\d{{1,2}}(?:/|st\b|nd\b|rd\b|th\b)))"
    ), _ignore),
    (re.compile(
        rf"\b(?P<core>(?P<month>{_MONTH_NAME})\.?\s+(?:the\s+)?(?P<day>\d{{1,2}})"
        r"(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{4}))?)"
        r"(?![\d:/]|\s?(?:k\b|%))"
    ), _handle_month_day),
    (re.compile(
        r"\b(?P<core>(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
        rf"(?P<month>{_MONTH_NAME})\b\.?(?:,?\s+(?P<year>\d{{4}}))?)"
    ), _handle_month_day),
    (re.compile(
        r"\b(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})\b"
        r"|(?<![\w/.,:$-])(?P<month2>\d{1,2})-(?P<day2>\d{1,2})-(?P<year2>\d{4})\b"
    ), _handle_iso_or_dashed_date),
    (re.compile(
        r"(?<![\w/.,:$-])(?P<month>\d{1,2})/(?P<day>\d{1,2})"
        r"(?:/(?P<year>\d{4}|\d{2}))?(?![\w/]|[.,]\d)"
    ), _handle_numeric_date),
    (re.compile(
        r"\b(?P<cue>in|till|until|til|after|before|by|during|around|sometime\s+in"
        r"|some\s+time\s+in|early|mid|late|end\s+of|beginning\s+of|start\s+of)"
        r"[\s-]+(?:(?P<part>early|mid|late)[\s-]+)?"
        rf"(?P<core>(?P<month>{_MONTH_NAME}))\b(?!\.?\s*\d)"
    ), _handle_month_only),
    (re.compile(
        r"\b(?:(?P<qualifier>next|this\s+coming|this|coming)\s+)?"
        rf"(?P<day>{_WEEKDAY_NAME})\b\.?"
    ), _handle_weekday),
    (re.compile(
        r"\b(?P<article>on\s+the\s+|on\s+|the\s+)?"
        r"(?P<core>(?P<day>\d{1,2})(?:st|nd|rd|th))\b"
    ), _handle_ordinal_day),
]


# ---------------------------------------------------------------------------
# City
# ---------------------------------------------------------------------------

_CAPITALIZED_WORD = r"[A-Z][a-zA-Z'.-]*"
_PLACE = rf"{_CAPITALIZED_WORD}(?:[ ]{_CAPITALIZED_WORD}){{0,2}}"
_PLACE_STATE_ZIP = re.compile(
    rf"\b(?P<place>{_PLACE}),?\s+(?P<state>[A-Z]{{2}})\.?,?\s+\d{{5}}(?:-\d{{4}})?\b"
)
_PLACE_STATE = re.compile(
    r"(?i:\b(?:in|from|near|at|around|outside(?:\s+of)?|to)\s+)"
    rf"(?P<place>{_PLACE}),\s*(?P<state>[A-Z]{{2}}\b|{_STATE_NAMES})"
)
_LIVE_IN = re.compile(
    r"(?i:\b(?:(?:i'?m|i\s+am|we'?re|we\s+are)(?:\s+(?:located|based))?"
    r"|located|based|(?:i|we)\s+live|living|out\s+here)\s+in)"
    rf"\s+(?P<place>{_PLACE})"
)
_MOVING_FROM = re.compile(
    r"(?i:\b(?:moving|move|relocating|relocate)\s+(?:out\s+)?from)"
    rf"\s+(?P<place>{_PLACE})"
)
_STREET_WORDS = frozenset(
    word.capitalize() for word in _STREET_SUFFIX.split('|')
)
# Capitalized words that follow "I'm in" or similar and are not places.
_NOT_PLACE_WORDS = frozenset({
    'I', 'We', 'The', 'A', 'An', 'My', 'Our', 'Hi', 'Hello', 'Hey', 'Thanks',
    'Need', 'Looking', 'Sales', 'Marketing', 'It', 'IT', 'HR', 'Charge',
    'Trouble', 'Business', 'School', 'College', 'Town', 'Love', 'Pain',
    'Shock', 'Luck', 'Stock', 'Line', 'Order', 'Process', 'Search', 'Urgent',
    'Please', 'Bed', 'Hospital', 'Transit', 'Between', 'Downtown', 'Area',
    'Today', 'Tomorrow', 'Zip', 'Suite', 'Unit', 'Apt', 'Box',
}) | frozenset(name.capitalize() for name in _MONTHS) | frozenset(
    name.capitalize() for name in _WEEKDAYS
)
_LOCATION_CUE_BEFORE = re.compile(
    r"(?i:\b(?:in|from|near|at|around|to|located|based|live|living|serving"
    r"|outside|of)\s+$)"
)
_LOCATION_CUE_AFTER = re.compile(rf"^,?\s*(?:[A-Z]{{2}}\b|{_STATE_NAMES}|\d{{5}})")
_STREET_WORD_AFTER = re.compile(rf"^\s+(?i:{_STREET_SUFFIX})\b")


def _extract_city(text: str, known_cities: Iterable[str]) -> str | None:
    """Return a known city named in ``text``, else a place read from a pattern.

    Known cities match case-insensitively and return their canonical
    spelling. Without a known city, only places in patterns such as
    "I'm in X", "in X, TX", "X, MA 02139" or "moving from X" count.
    """
    city = _find_known_city(text, known_cities)
    if city:
        return city
    for pattern in (_PLACE_STATE_ZIP, _PLACE_STATE, _LIVE_IN, _MOVING_FROM):
        for match in pattern.finditer(text):
            state = match.groupdict().get('state')
            if state and not _is_state(state):
                continue
            place = _clean_place(match.group('place'), has_state=bool(state))
            if place:
                return place
    return None


def _find_known_city(text: str, known_cities: Iterable[str]) -> str | None:
    """Return the canonical name of the best-placed known city in ``text``.

    A city after "in" or before a state or zip beats a capitalized one,
    which beats one written in lowercase. A one-word name written in
    lowercase counts only after such a cue or as the whole reply, because
    names such as Mobile or Orange are also common words. A name followed by
    a street word ("Austin Ave") is a street, not the city.
    """
    names = sorted(
        {name.strip() for name in known_cities if name and name.strip()},
        key=len,
        reverse=True,
    )
    matched_spans: list[tuple[int, int]] = []
    candidates = []
    for name in names:
        words = [re.escape(word) for word in name.split()]
        pattern = re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)
        for match in pattern.finditer(text):
            start, end = match.span()
            if _overlaps((start, end), matched_spans):
                continue
            matched_spans.append((start, end))
            if _STREET_WORD_AFTER.search(text[end:]):
                continue
            if _LOCATION_CUE_BEFORE.search(
                text[max(0, start - 30):start]
            ) or _LOCATION_CUE_AFTER.search(text[end:]):
                priority = 2
            elif match.group(0)[:1].isupper():
                priority = 1
            elif ' ' in name or _is_whole_reply(text, start, end):
                priority = 0
            else:
                continue
            candidates.append((-priority, start, name))
    return min(candidates)[2] if candidates else None


def _is_whole_reply(text: str, start: int, end: int) -> bool:
    return not re.search(r"\w", text[:start]) and not re.search(r"\w", text[end:])


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def _clean_place(place: str, has_state: bool) -> str | None:
    """Trim a captured place to the city name, or return None if none is left.

    Words up to the last street word are dropped ("Main St Cambridge"), and
    trailing states are dropped ("Austin TX"). A state name alone is no
    city unless a state follows it, as in "Washington, DC".
    """
    words = [word.strip(".,'-") for word in place.split()]
    words = [word for word in words if word]
    street_positions = [
        index for index, word in enumerate(words) if word.capitalize() in _STREET_WORDS
    ]
    if street_positions:
        words = words[street_positions[-1] + 1:]
    while len(words) > 1 and _is_state(words[-1]):
        words.pop()
    if not words or words[0] in _NOT_PLACE_WORDS:
        return None
    if _is_state(' '.join(words)) and not has_state:
        return None
    if any(word.isupper() and len(word) <= 3 for word in words):
        return None
    return ' '.join(words)


# ---------------------------------------------------------------------------
# Need
# ---------------------------------------------------------------------------

_NEED_STRONG = re.compile(
    r"\b(?:need(?:s|ed|ing)?|looking\s+for|look\s+for|quotes?|estimates?"
    r"|how\s+much|help\s+with|help\s+me|interested\s+in|would\s+like|i'd\s+like"
    r"|we'd\s+like|want\s+to|wanting|requesting|request)\b",
    re.IGNORECASE,
)
_NEED_WEAK = re.compile(
    r"\b(?:move|moving|movers?|relocat\w*|available|availability|fix|fixed|fixing"
    r"|repair\w*|install\w*|replace\w*|clean\w*|service|remove|removal"
    r"|schedule|book|appointment|price|pricing|cost|hire|inspect\w*|can\s+you"
    r"|could\s+you|do\s+you|are\s+you\s+able|leak\w*|broken)\b",
    re.IGNORECASE,
)
# A greeting with at most three words of address ("Hi there,", "Hello Acme
# team -"), which must end in punctuation so that "Hey can you fix" stays.
_GREETING = re.compile(
    r"^(?i:hi|hello|hey|dear|good\s+(?:morning|afternoon|evening)|greetings)\b"
    r"(?:\s+(?:(?i:there|all|team|folks|guys|y'all)|[A-Z][\w'-]*)){0,3}"
    r"\s*[,.!:\-–]+\s*"
)
_SENTENCE_BREAK = re.compile(r"[.!?]+[\"')\]]*\s+|\s*\n\s*")
_ABBREVIATIONS = frozenset({
    'st', 'dr', 'mr', 'mrs', 'ms', 'jr', 'sr', 'ave', 'rd', 'blvd', 'approx',
    'etc', 'vs', 'no', 'apt', 'ste', 'e.g', 'i.e', 'a.m', 'p.m', 'a.s.a.p',
})


def extract_need(text: str) -> str | None:
    """Return the sentence of ``text`` that best states the request, or None.

    Used on its own when the need must come from part of a message only,
    such as its body without the subject.
    """
    if not text or not text.strip():
        return None
    return _extract_need(_normalize(text))


def _extract_need(text: str) -> str | None:
    """Return the sentence that best states the request, or None.

    Sentences score 2 for each word such as "need", "quote" or "how much"
    and 1 for each word such as "fix", "install" or "move". The highest
    score wins, the earliest on a tie. A leading greeting is removed, and
    a sentence over the length limit is cut at a word and ends with "…".
    """
    best, best_score = None, 0
    for sentence in _split_sentences(text):
        sentence = _GREETING.sub('', _strip_quotes(sentence)).strip()
        strong_words = len(_NEED_STRONG.findall(sentence))
        score = 2 * strong_words + len(_NEED_WEAK.findall(sentence))
        if score > best_score:
            best, best_score = sentence, score
    if best is None:
        return None
    best = best[0].upper() + best[1:]
    if len(best) > NEED_MAX_LENGTH:
        best = best[:NEED_MAX_LENGTH - 1].rsplit(' ', 1)[0].rstrip(',;:') + '…'
    return best


def _strip_quotes(sentence: str) -> str:
    """Remove the quotes around a quoted message ("Hi, can you ...?").

    A sentence of a quoted message may hold only its opening or its closing
    quote, which goes too.
    """
    if sentence.count('"') == 1:
        return sentence.strip('"').strip()
    if len(sentence) > 2 and sentence[0] == '"' and sentence[-1] == '"':
        return sentence[1:-1].strip()
    return sentence


def _split_sentences(text: str) -> list[str]:
    """Split at sentence ends and line breaks.

    A period after an abbreviation such as "St." or "a.s.a.p." or after a
    single letter does not end a sentence.
    """
    sentences, start = [], 0
    for match in _SENTENCE_BREAK.finditer(text):
        if '\n' not in match.group(0) and _is_false_sentence_end(text, match):
            continue
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if sentence]


def _is_false_sentence_end(text: str, match: re.Match) -> bool:
    if not match.group(0).startswith('.'):
        return False
    word_before = re.search(r"([\w.]+)$", text[:match.start()])
    word = word_before.group(1).lower() if word_before else ''
    return word in _ABBREVIATIONS or len(word) == 1
