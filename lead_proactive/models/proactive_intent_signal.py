# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import intent_text

_logger = logging.getLogger(__name__)

SIGNAL_KINDS = [
    ("intent", "Buying Intent"),
    ("sensitive", "Sensitive Topic"),
]
MATCH_TYPES = [
    ("phrase", "Phrases"),
    ("regex", "Regular Expression"),
    ("fast_reply", "Fast Reply"),
]
SIGNAL_LEVELS = [
    ("high", "High"),
    ("medium", "Medium"),
]


class ProactiveIntentSignal(models.Model):
    """Something a lead writes or does that shows how ready they are to buy,
    or a sensitive topic that a salesperson must handle personally."""

    _name = "proactive.intent.signal"
    _description = "Lead Intent Signal"
    _order = "kind, sequence, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    kind = fields.Selection(
        SIGNAL_KINDS,
        required=True,
        default="intent",
        help="Buying intent adds its weight to the lead's intent score. A "
        "sensitive topic (complaint, refund, negotiation...) pauses the "
        "automation on the lead and escalates it to the team leader.",
    )
    match_type = fields.Selection(
        MATCH_TYPES,
        string="Match",
        required=True,
        default="phrase",
        help="Phrases: one phrase per line, matched as whole words, ignoring "
        "case, apostrophes and punctuation.\n"
        "Regular Expression: a Python regular expression searched in the "
        "message, ignoring case.\n"
        "Fast Reply: the lead answered our last message within the given "
        "number of minutes.",
    )
    pattern = fields.Text(
        help="Phrases (one per line) or the regular expression to look for in "
        "each message the lead writes.",
    )
    fast_reply_minutes = fields.Integer(
        string="Reply Within (minutes)",
        default=5,
        help="Fast Reply matches when the lead replies within this many "
        "minutes of our last message to them.",
    )
    weight = fields.Integer(
        default=10,
        help="Points added to the intent score of a lead that shows this "
        "signal. Each signal counts once per lead.",
    )
    level = fields.Selection(
        SIGNAL_LEVELS,
        required=True,
        default="medium",
        help="High: one match is enough to hand the lead to a salesperson "
        "now. Medium: the signal adds its weight to the score, which sets the "
        "lead's level (medium from 20 points, high from 50, by default).",
    )
    next_step = fields.Char(
        string="Best Next Step",
        translate=True,
        help="Shown as the best next step in the handoff summary of a lead "
        "that shows this signal, e.g. 'Send the invoice now'.",
    )
    description = fields.Text(translate=True)

    _weight_positive = models.Constraint(
        "CHECK(weight >= 0)", "The weight of an intent signal cannot be negative."
    )

    @api.constrains("kind", "match_type", "pattern", "fast_reply_minutes")
    def _check_pattern(self):
        for signal in self:
            if signal.match_type == "fast_reply":
                if signal.kind == "sensitive":
                    raise ValidationError(
                        self.env._(
                            "Intent signal %(name)s: a sensitive topic is found in "
                            "what the lead writes, so it needs phrases or a regular "
                            "expression, not Fast Reply.",
                            name=signal.name,
                        )
                    )
                if signal.fast_reply_minutes <= 0:
                    raise ValidationError(
                        self.env._(
                            "Intent signal %(name)s: the fast-reply delay must be at "
                            "least one minute.",
                            name=signal.name,
                        )
                    )
                continue
            if signal.match_type == "phrase":
                if not intent_text.split_phrases(signal.pattern):
                    raise ValidationError(
                        self.env._(
                            "Intent signal %(name)s has no phrase to look for: enter "
                            "at least one phrase, one per line.",
                            name=signal.name,
                        )
                    )
                continue
            try:
                intent_text.compile_regex(signal.pattern or "")
            except re.error as error:
                raise ValidationError(
                    self.env._(
                        "Intent signal %(name)s: invalid regular expression "
                        "%(pattern)r: %(error)s. Fix the expression, or use the "
                        "Phrases match type.",
                        name=signal.name,
                        pattern=signal.pattern or "",
                        error=error,
                    )
                ) from error
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "Intent signal %(name)s: the regular expression %(pattern)r "
                        "matches an empty text, so it would match every message. "
                        "Make it require at least one character.",
                        name=signal.name,
                        pattern=signal.pattern or "",
                    )
                ) from error

    def _match_text(self, text):
        """Return the signals among ``self`` found in ``text``, with the
        phrase or text each one matched: {signal: matched text}."""
        found = {}
        for signal in self:
            if signal.match_type == "phrase":
                matched = intent_text.find_phrase(signal.pattern, text)
            elif signal.match_type == "regex":
                try:
                    matched = intent_text.find_regex(signal.pattern, text)
                except re.error:
                    # Only possible when the row was written around the ORM.
                    _logger.warning(
                        "Intent signal %s has an invalid regular expression %r: skipped",
                        signal.id,
                        signal.pattern,
                    )
                    continue
            else:
                continue
            if matched:
                found[signal] = matched
        return found
