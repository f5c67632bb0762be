# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Match intent-signal patterns against what a lead wrote.

A phrase pattern lists phrases, one per line. Text and phrases are compared
in a normalized form: lower case, apostrophes removed ("what's" and "whats"
are the same), punctuation turned into spaces and whitespace collapsed. A
phrase matches whole words only, so "book" does not match "facebook".

A regular expression is searched case-insensitively in the text with its
whitespace collapsed to single spaces and typographic apostrophes replaced
by "'".

Pure Python (stdlib only), so it runs without a database.
"""

import re

# Patterns are written by administrators but the text comes from strangers:
# only the start of a long message is searched, which bounds the time a
# slow regular expression can take on hostile input.
MAX_MATCH_CHARS = 10000

APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bc]")
TYPOGRAPHIC_APOSTROPHES = re.compile(r"[`\u2018\u2019\u02bc]")
NON_WORD = re.compile(r"[^\w$]+")


def normalize_phrase_text(text: str) -> str:
    """Return ``text`` in the form phrases are compared in."""
    text = APOSTROPHES.sub("", (text or "")[:MAX_MATCH_CHARS].lower())
    return " ".join(NON_WORD.sub(" ", text).split())


def normalize_regex_text(text: str) -> str:
    """Return ``text`` in the form regular expressions are searched in."""
    text = TYPOGRAPHIC_APOSTROPHES.sub("'", (text or "")[:MAX_MATCH_CHARS])
    return " ".join(text.split())


def split_phrases(pattern: str) -> list[str]:
    """Return the normalized, non-empty phrases of a phrase pattern."""
    phrases = (normalize_phrase_text(line) for line in (pattern or "").splitlines())
    return [phrase for phrase in phrases if phrase]


def compile_phrases(pattern: str) -> re.Pattern | None:
    """Compile a phrase pattern into one regular expression, or None when it
    has no phrase. Longer phrases come first so the longest one is reported."""
    phrases = sorted(set(split_phrases(pattern)), key=len, reverse=True)
    if not phrases:
        return None
    alternatives = "|".join(re.escape(phrase) for phrase in phrases)
    return re.compile(r"(?<![\w$])(?:%s)(?!\w)" % alternatives)


def compile_regex(pattern: str) -> re.Pattern:
    """Compile an administrator's regular expression.

    :raises re.error: when the pattern is invalid
    :raises ValueError: when the pattern matches an empty text, because it
        would then match every message
    """
    compiled = re.compile(pattern, re.IGNORECASE)
    if compiled.search(""):
        raise ValueError("the expression matches an empty text")
    return compiled


def find_phrase(pattern: str, text: str) -> str | None:
    """Return the first phrase of ``pattern`` found in ``text``, or None."""
    compiled = compile_phrases(pattern)
    if compiled is None:
        return None
    match = compiled.search(normalize_phrase_text(text))
    return match.group(0) if match else None


def find_regex(pattern: str, text: str) -> str | None:
    """Return the text matched by the regular expression, or None.

    :raises re.error: when the pattern is invalid
    """
    # An empty match (from a pattern such as r"\b") contains no word of the
    # message, so the search goes on to the next match.
    for match in re.finditer(pattern, normalize_regex_text(text), re.IGNORECASE):
        if match.group(0):
            return match.group(0)
    return None
