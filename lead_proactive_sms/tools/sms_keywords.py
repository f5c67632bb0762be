# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Classify inbound SMS as opt-out, opt-in or help requests.

The FCC's February 2024 TCPA order on consent revocation (FCC 24-18, in
force since April 11, 2025) names "stop", "quit", "end", "revoke", "opt
out", "cancel" and "unsubscribe" as reasonable ways to revoke consent by
text, and other natural-language revocations count too. So "stop texting
me" and "remove me from your list" must opt out as surely as a bare STOP.
The same order allows one text confirming the opt-out.

A keyword counts when the whole message is keywords and filler words
("Stop. Thanks", "STOP!!", "unsubscribe me"). The same word inside a
sentence with another meaning ("stop the leak", "can you stop by tomorrow",
"the end of the month") is an ordinary message. A few revocation phrases
count anywhere in the text. When a message contains an opt-out and anything
else, the opt-out wins.

Pure Python (stdlib only), so it runs without a database.
"""

import re
import unicodedata

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"

# Twilio's default opt-out keywords for long codes, which include the FCC's
# list, and the usual opt-in and help keywords. normalize() joins "opt out"
# and "stop all" into one word first.
OPT_OUT_WORDS = frozenset(
    ["stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"]
)
OPT_IN_WORDS = frozenset(["start", "unstop", "yes", "optin"])
HELP_WORDS = frozenset(["help", "info"])

# Words that may surround a keyword without changing its meaning.
FILLER_WORDS = frozenset(
    """
    please pls plz thanks thank thx ty you u now all me it ok okay no
    texting text texts txt txts messaging message messages msg msgs sms
    sending contacting asap already just
    """.split()
)

# Phrases that revoke consent wherever they appear in a message.
REVOCATION_PATTERNS = [
    re.compile(pattern)
    for pattern in (
        r"\b(stop|quit|cease) (texting|txting|messaging|contacting|spamming)\b",
        r"\b(stop|quit|cease) sending (me|us|texts|txts|messages|these|this)\b",
        r"\b(remove|take) me (off|from)\b",
        r"\b(do not|dont|never) (text|txt|message|msg|sms|contact) "
        r"(me|us|this number)\b",
        r"\bno more (texts|txts|messages|sms)\b",
        r"\bleave me alone\b",
        r"\bwrong number\b",
        r"\b(unsubscribe|optout|revoke)\b",
    )
]


def normalize(text):
    """Return ``text`` lower-cased, with punctuation, symbols and emoji as
    spaces, apostrophes dropped ("don't" gives "dont") and "opt out",
    "opt-out" and "stop all" as one word."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = text.replace("'", "").replace("\u2019", "")
    text = "".join(char if char.isalnum() or char.isspace() else " " for char in text)
    text = " ".join(text.split())
    text = re.sub(r"\bopt (out|in)\b", r"opt\1", text)
    return re.sub(r"\bstop all\b", "stopall", text)


def classify(text, extra_opt_out_words=()):
    """Return OPT_OUT, OPT_IN, HELP or None for an inbound SMS body.

    ``extra_opt_out_words`` adds whole-message opt-out keywords, such as
    Spanish "alto" and "baja", compared after the same normalization.
    """
    normalized = normalize(text)
    if not normalized:
        return None
    opt_out_words = OPT_OUT_WORDS | {
        normalize(word) for word in extra_opt_out_words if word
    }
    words = [word for word in normalized.split() if word not in FILLER_WORDS]

    if any(pattern.search(normalized) for pattern in REVOCATION_PATTERNS):
        return OPT_OUT
    if not words:
        return None
    if all(word in opt_out_words | OPT_IN_WORDS | HELP_WORDS for word in words):
        if any(word in opt_out_words for word in words):
            return OPT_OUT
        if all(word in OPT_IN_WORDS for word in words):
            return OPT_IN
        if all(word in HELP_WORDS for word in words):
            return HELP
    return None
