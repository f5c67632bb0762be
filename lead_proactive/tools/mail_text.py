# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Turn an email body into the readable text that the sender newly wrote.

``html_to_text`` converts an HTML body to plain text without the parts a
reader never sees (head, styles, scripts, hidden preheaders, tracking
pixels). ``extract_new_text`` removes quoted history, signatures, mobile
client taglines and relay or mailing-list footers from plain text.

Pure Python (stdlib only), so it runs without a database.
"""

import html
import html.parser
import re

# Elements whose content is never rendered as text.
SKIPPED_ELEMENTS = frozenset(
    {
        "head",
        "style",
        "script",
        "title",
        "template",
        "noscript",
        "svg",
    }
)
# Elements that start and end on their own line.
BLOCK_ELEMENTS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
CELL_ELEMENTS = frozenset({"td", "th"})
VOID_ELEMENTS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)

# Inline style declarations that hide an element, as on email preheaders.
HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden"
    r"|mso-hide\s*:\s*all)\s*(?:!important)?\s*(?:;|$)",
    re.IGNORECASE,
)
COLLAPSED_STYLE = re.compile(r"max-height\s*:\s*0(?:px)?\s*(?:!important)?\s*(?:;|$)")
OVERFLOW_HIDDEN = re.compile(r"overflow\s*:\s*hidden", re.IGNORECASE)
CSS_MEDIA_BLOCK = re.compile(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}")
CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
CSS_SIMPLE_SELECTOR = re.compile(r"^([a-z][a-z0-9]*)?([.#])([\w-]+)$", re.IGNORECASE)

LINK_SCHEMES = ("http://", "https://")


def html_to_text(html_text: str) -> str:
    """Convert an HTML email body to plain text.

    Drops ``<head>``, ``<style>``, ``<script>`` and elements hidden with
    inline ``display:none``, ``visibility:hidden``, ``mso-hide:all``, the
    ``hidden`` attribute, or a ``display:none`` rule of the message's own
    ``<style>`` sheet on a simple ``.class`` or ``#id`` selector. Images
    contribute no text and are never fetched, so tracking pixels vanish.
    ``<br>`` and the ends of blocks (p, div, tr, li, ...) become line
    breaks, table cells are separated by a space, entities are decoded
    (``&nbsp;`` becomes a plain space) and blank-line runs are collapsed.
    A link keeps its text, followed by its http(s) target in angle
    brackets when the target differs from the text, so callers can still
    read conversation ids from notification links.
    """
    if not html_text or not html_text.strip():
        return ""
    converter = _TextConverter(_hidden_selectors(html_text))
    converter.feed(html_text)
    converter.close()
    return _collapse_blank_lines(converter.text())


def _hidden_selectors(html_text: str) -> set[tuple[str, str, str]]:
    """Return (tag, kind, name) of the style-sheet rules that hide elements.

    Only rules outside @media blocks count, because those apply to every
    screen. Complex selectors are ignored and their elements stay visible.
    """
    selectors = set()
    style_blocks = re.findall(
        r"<style[^>]*>(.*?)</style>", html_text, re.IGNORECASE | re.DOTALL
    )
    for sheet in style_blocks:
        sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.DOTALL)
        sheet = CSS_MEDIA_BLOCK.sub("", sheet)
        for selector_list, declarations in CSS_RULE.findall(sheet):
            if not _is_hiding_style(declarations):
                continue
            for selector in selector_list.split(","):
                match = CSS_SIMPLE_SELECTOR.match(selector.strip())
                if match:
                    tag, kind, name = match.groups()
                    selectors.add(((tag or "").lower(), kind, name))
    return selectors


def _is_hiding_style(style: str) -> bool:
    style = style.strip()
    if HIDDEN_STYLE.search(style):
        return True
    return bool(COLLAPSED_STYLE.search(style) and OVERFLOW_HIDDEN.search(style))


class _TextConverter(html.parser.HTMLParser):
    """Collect the visible text of an HTML document, line by line."""

    def __init__(self, hidden_selectors):
        super().__init__(convert_charrefs=True)
        self._hidden_selectors = hidden_selectors
        # Open elements as (tag, whether it hides its content, link target or
        # None, index of its first text chunk).
        self._open = []
        self._chunks = []
        self._hidden_depth = 0

    def text(self) -> str:
        return "".join(self._chunks)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in VOID_ELEMENTS:
            self._start_void(tag)
            return
        if tag == "body" and self._inside("head"):
            self.handle_endtag("head")  # a missing </head> must not hide the body
        hides = tag in SKIPPED_ELEMENTS or self._is_hidden(tag, attributes)
        href = attributes.get("href") if tag == "a" else None
        self._open.append((tag, hides, href, len(self._chunks)))
        if hides:
            self._hidden_depth += 1
        elif tag in BLOCK_ELEMENTS:
            self._start_line()

    def handle_startendtag(self, tag, attrs):
        # "<br/>", "<img ... />" and "<div/>": an empty element.
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if not any(open_tag == tag for open_tag, *_rest in self._open):
            return  # a stray end tag closes nothing
        while self._open:
            open_tag, hides, href, start = self._open.pop()
            if hides:
                self._hidden_depth -= 1
            if open_tag == "a" and not hides and not self._hidden_depth:
                self._append_link_target(href, start)
            if open_tag == tag:
                break
        if self._hidden_depth:
            return
        if tag in BLOCK_ELEMENTS:
            self._start_line()
        elif tag in CELL_ELEMENTS:
            self._chunks.append(" ")

    def handle_data(self, data):
        if self._hidden_depth:
            return
        if self._inside("pre"):
            self._chunks.append(data.replace("\xa0", " "))
            return
        text = re.sub(r"\s+", " ", data.replace("\xa0", " "))
        if self._at_line_start():
            text = text.lstrip(" ")
        self._chunks.append(text)

    def _start_void(self, tag):
        if self._hidden_depth:
            return
        if tag == "br":
            self._chunks.append("\n")
        elif tag == "hr":
            self._start_line()

    def _start_line(self):
        if not self._at_line_start():
            self._chunks.append("\n")

    def _at_line_start(self) -> bool:
        for chunk in reversed(self._chunks):
            if chunk.strip(" "):
                return chunk.endswith("\n")
            if "\n" in chunk:
                return True
        return True

    def _inside(self, tag) -> bool:
        return any(open_tag == tag for open_tag, *_rest in self._open)

    def _is_hidden(self, tag, attributes) -> bool:
        if "hidden" in attributes:
            return True
        if _is_hiding_style(attributes.get("style") or ""):
            return True
        classes = (attributes.get("class") or "").split()
        element_id = attributes.get("id") or ""
        for selector_tag, kind, name in self._hidden_selectors:
            if selector_tag and selector_tag != tag:
                continue
            if kind == "." and name in classes:
                return True
            if kind == "#" and name == element_id:
                return True
        return False

    def _append_link_target(self, href, start):
        if not href or not href.lower().startswith(LINK_SCHEMES):
            return
        link_text = "".join(self._chunks[start:]).strip()
        if link_text == href.strip():
            return
        self._chunks.append(f" <{href.strip()}>")


def _collapse_blank_lines(text: str) -> str:
    """Strip each line and keep at most one blank line between paragraphs."""
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.splitlines()]
    result = []
    for line in lines:
        if not line and (not result or not result[-1]):
            continue
        result.append(line)
    return "\n".join(result).strip("\n")


# Attribution lines that introduce quoted history, one per language. Each
# must contain a digit (the date), so that "On Saturday Sam wrote:" in a
# person's own text is not taken for one.
ATTRIBUTION_PATTERNS = (
    re.compile(r"^On\b.+\bwrote\s*:$"),  # English (Gmail, Apple Mail)
    re.compile(r"^Le\b.+\ba écrit\s*:$"),  # French
    re.compile(r"^Am\b.+\bschrieb\b.*:$"),  # German
    re.compile(r"^El\b.+\bescribió\s*:$"),  # Spanish
    re.compile(r"^Il\b.+\bha scritto\s*:$"),  # Italian
    re.compile(r"^Op\b.+\bschreef\b.*:$"),  # Dutch
    re.compile(r"^Em\b.+\bescreveu\s*:$"),  # Portuguese
)
ORIGINAL_MESSAGE_MARKER = re.compile(
    r"^-{2,}\s*(?:original message|original message follows"
    r"|ursprüngliche nachricht|message d\'origine|mensaje original"
    r"|messaggio originale|oorspronkelijk bericht|mensagem original)\s*-{2,}$",
    re.IGNORECASE,
)
# An Outlook header block: a From line followed within a few lines by a
# Sent/Date line, in the languages Outlook localizes them in.
OUTLOOK_FROM = re.compile(
    r"^\*?(?:From|Von|De|Da|Van|Fra|Från)\s*:\*?\s*\S", re.IGNORECASE
)
OUTLOOK_SENT = re.compile(
    r"^\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado(?: el)?|Fecha|Inviato"
    r"|Data|Verzonden|Sendt|Skickat)\s*:",
    re.IGNORECASE,
)
OUTLOOK_TO_OR_SUBJECT = re.compile(
    r"^\*?(?:To|An|À|A|Para|Aan|Til|Till|Subject|Betreff|Objet|Asunto"
    r"|Oggetto|Onderwerp|Emne|Ämne|Assunto)\s*:",
    re.IGNORECASE,
)
OUTLOOK_BLOCK_LINES = 6
# A rule line: Outlook's separator, a mailing-list footer or a relay footer.
# NOTE: a person's own divider of 20 or more dashes also cuts the text there.
RULE_LINE = re.compile(r"^(?:-{20,}|_{20,})$")
# "-- " is the standard separator, and trimmed "--" lines are common too.
SIGNATURE_SEPARATOR = re.compile(r"^--$")
MOBILE_TAGLINES = (
    re.compile(r"^Sent from my \w[\w .-]{0,40}$", re.IGNORECASE),
    re.compile(r"^Sent from (?:Yahoo Mail|Mail|Outlook)\b.{0,40}$", re.IGNORECASE),
    re.compile(r"^Sent (?:from|via) (?:the )?Samsung\b.{0,40}$", re.IGNORECASE),
    re.compile(r"^Get Outlook for (?:iOS|Android)\.?$", re.IGNORECASE),
    re.compile(r"^Envoyé de mon \w.{0,40}$", re.IGNORECASE),
    re.compile(r"^Von meinem \w.{0,40} gesendet\.?$", re.IGNORECASE),
    re.compile(r"^Enviado desde mi \w.{0,40}$", re.IGNORECASE),
    re.compile(r"^Inviato da(?:l mio)? \w.{0,40}$", re.IGNORECASE),
)


def extract_new_text(text: str) -> str:
    """Return the text the sender newly wrote, without history or signature.

    Removes lines quoted with '>', the quoted history that follows an
    attribution line ("On ... wrote:", possibly wrapped over two lines, and
    its French, German, Spanish, Italian, Dutch and Portuguese forms), an
    "-----Original Message-----" marker or an Outlook header block, then
    cuts at a signature separator ("-- "), a mobile client tagline ("Sent
    from my iPhone") or a rule line of 20 or more dashes or underscores
    (Outlook separators, relay and mailing-list footers).

    An attribution line followed by '>' lines only removes itself, so text
    written below or between the quotes (bottom posting, inline replies) is
    kept.
    """
    return strip_signature(strip_quoted_history(text))


def strip_quoted_history(text: str) -> str:
    """Remove '>' quoted lines and the history after an attribution line."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    new_lines = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith(">"):
            index += 1
            continue
        attribution_length = _attribution_length(lines, index)
        if attribution_length:
            following = _next_non_blank(lines, index + attribution_length)
            if following is None or not following.lstrip().startswith(">"):
                break
            index += attribution_length
            continue
        if ORIGINAL_MESSAGE_MARKER.match(stripped):
            break
        if _starts_outlook_block(lines, index):
            break
        new_lines.append(line)
        index += 1
    return _tidy(new_lines)


def strip_signature(text: str) -> str:
    """Cut the text at its signature, mobile tagline or footer rule line."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    new_lines = []
    for line in lines:
        stripped = line.strip()
        if SIGNATURE_SEPARATOR.match(stripped):
            break
        if RULE_LINE.match(stripped):
            break
        if any(pattern.match(stripped) for pattern in MOBILE_TAGLINES):
            break
        new_lines.append(line)
    return _tidy(new_lines)


def _attribution_length(lines, index) -> int:
    """Return how many lines (1 or 2) form an attribution at ``index``."""
    first = lines[index].strip()
    if not first:
        return 0
    if _is_attribution(first):
        return 1
    # A wrapped attribution breaks inside the name or address, never after
    # a sentence.
    following = _peek(lines, index)
    if first.endswith((".", "!", "?")) or not following:
        return 0
    if _is_attribution(f"{first} {following}"):
        return 2
    return 0


def _peek(lines, index) -> str:
    return lines[index + 1].strip() if index + 1 < len(lines) else ""


def _is_attribution(line: str) -> bool:
    if not any(ch.isdigit() for ch in line):
        return False
    return any(pattern.match(line) for pattern in ATTRIBUTION_PATTERNS)


def _next_non_blank(lines, start) -> str | None:
    for line in lines[start:]:
        if line.strip():
            return line
    return None


def _starts_outlook_block(lines, index) -> bool:
    """Tell whether an Outlook header block starts at ``index``.

    A From line counts only when a Sent/Date line follows within a few
    lines and a To or Subject line follows too, so a form field such as
    "From: Dana <dana@example.net>" alone does not cut the text.
    """
    stripped = lines[index].strip()
    if not OUTLOOK_FROM.match(stripped):
        return False
    block = [line.strip() for line in lines[index + 1 : index + OUTLOOK_BLOCK_LINES]]
    has_sent = any(OUTLOOK_SENT.match(line) for line in block)
    has_to = any(OUTLOOK_TO_OR_SUBJECT.match(line) for line in block)
    return has_sent and has_to


def _tidy(lines) -> str:
    """Join lines, dropping trailing spaces and repeated blank lines."""
    result = []
    for line in lines:
        line = line.rstrip()
        if not line and (not result or not result[-1]):
            continue
        result.append(line)
    return "\n".join(result).strip("\n")
