"""The new text of an email: what its author wrote this time, without the quoted message it
answers, the attribution line above that ("On … wrote:", "Am … schrieb …:"), an Outlook
header block, or the signature. And the dates written in forwarded blocks, in English and
German, as Gmail, Outlook and Apple Mail write them."""

import html
import re
from datetime import datetime, tzinfo
from email.utils import parsedate_to_datetime

import quotequail

# Where a signature starts: the standard delimiter, and what phones add.
_SIGNATURE = re.compile(
    r"^(-- ?|--|Sent from my \w+.*|Get Outlook for \w+.*|Von meinem \w+ gesendet.*"
    r"|Gesendet von meinem \w+.*|Sent from Outlook.*)$",
    re.IGNORECASE,
)
# The line (or two, when wrapped) that introduces a quoted message.
_ATTRIBUTION = re.compile(
    r"^(On .+|Am .+|Le .+|El .+)(wrote|schrieb .*|a écrit ?|escribió):?\s*$"
    r"|^.*(wrote|schrieb|geschrieben):\s*$",
    re.IGNORECASE,
)
# An Outlook reply quotes its predecessor under a header block, with or without a rule.
_HEADER_START = re.compile(r"^\*?(From|Von|De):\*? .+", re.IGNORECASE)
_HEADER_NEXT = re.compile(r"^\*?(Sent|Gesendet|Date|Datum|To|An|Envoyé):\*? ", re.IGNORECASE)
_RULES = re.compile(
    r"^(_{20,}|-{3,} ?(Original Message|Ursprüngliche Nachricht|Forwarded message"
    r"|Weitergeleitete Nachricht) ?-{3,})\s*$",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>")
MAX_TEXT = 20_000
# Every line where quotequail can find a quote or a forward holds one of these: a word of its
# reply and forward patterns, "@" (its Gmail "yyyy/m/d Name <address>" line), a rule, or is
# a quoted line or a header line. Above the first of them it finds nothing, so it is handed
# the text from there on only (it reads ~15 µs a line).
_QUOTE_WORDS = (
    "wrote:", "schrieb", "a écrit", "escribió", "написал", "skrev", "escreveu", "schreef",
    "geschreven", "@", "___", "---", "forward", "weitergeleit", "réexpédié", "reenviado",
    "doorgestuurd", "vidarebefordrat", "original", "ursprüngliche", "oorspronkelijk",
    "transféré", "origineel", "пересылаемое",
)  # fmt: skip
_QUOTE_LINE = re.compile(r"^(?:>|\*?[-\w ]+:)", re.MULTILINE)


def new_text(text: str) -> str:
    """The part of a plain-text body its author wrote this time."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n")[: MAX_TEXT * 5].split("\n")
    end = _end(lines)
    # quotequail only reads up to that line (with it: a pattern may wrap onto it).
    kept = [line.rstrip() for line in _visible(lines[: end + 1]).split("\n")][:end]
    while kept and (not kept[-1].strip() or _ATTRIBUTION.match(kept[-1].strip())):
        kept.pop()
    # An attribution wrapped over two lines: "On Tue, … <x@y>" then "wrote:".
    if kept and re.match(r"^(On|Am) .*(\d{4}|\d:\d\d).*", kept[-1].strip()):
        kept.pop()
    return "\n".join(kept).strip()[:MAX_TEXT]


def _end(lines: list[str]) -> int:
    """The first line of a rule, a signature, a quote or an Outlook header block."""
    for i, line in enumerate(lines):
        stripped = line.rstrip()
        if _RULES.match(stripped) or _SIGNATURE.match(stripped) or _QUOTED.match(stripped):
            return i
        following = lines[i + 1 : i + 4]
        if _HEADER_START.match(stripped) and any(_HEADER_NEXT.match(n) for n in following):
            return i
    return len(lines)


def quotable(text: str) -> tuple[str, str]:
    """`text` as (a head in which quotequail can find nothing, the rest). The rest starts a
    line above the first line where it may: its patterns may wrap over two lines."""
    first = _first_quote_hint(text)
    if first is None:
        return text, ""
    line = text.rfind("\n", 0, first) + 1
    start = text.rfind("\n", 0, line - 1) + 1 if line else 0
    return text[:start], text[start:]


def _first_quote_hint(text: str) -> int | None:
    """Where the first of _QUOTE_WORDS or _QUOTE_LINE is (str.find: a regular expression of
    two dozen alternatives costs twice as much)."""
    lower = text.lower()
    if len(lower) != len(text):  # a letter whose lower case is longer: positions would shift
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    found = [at for word in _QUOTE_WORDS if (at := lower.find(word)) >= 0]
    line = _QUOTE_LINE.search(text)
    return min([*found, *([line.start()] if line else [])], default=None)


def _visible(lines: list[str]) -> str:
    """The text above the quote quotequail finds in `lines` (which end where new_text stops:
    a quote found in the last line or below changes nothing)."""
    text = "\n".join(lines)
    head, rest = quotable(text)
    if not rest or not "".join(rest.split("\n")[:-1]).strip():
        return text
    try:
        chunks = quotequail.quote(rest)
    except Exception:  # a library's bad day must not lose the message
        return text
    return head + (chunks[0][1] if chunks and chunks[0][0] else "")


def html_to_text(markup: str) -> str:
    """Enough of an HTML body to read its words (no layout)."""
    markup = re.sub(r"(?is)<(script|style|head).*?</\1>", " ", markup)
    markup = re.sub(r"(?i)<blockquote.*", "", markup, flags=re.DOTALL)  # the quoted message
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</li>|</h\d>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t\xa0]+", " ", text)).strip()


_MONTHS = {
    **{m: i for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)},
    **{m: i for i, m in enumerate(
        ["jan", "feb", "mär", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "dez"], 1)},
    "mrz": 3, "maerz": 3, "sept": 9,
}  # fmt: skip
_DATE = re.compile(
    r"(?:(?P<d1>\d{1,2})\.?\s+(?P<m1>[A-Za-zäÄ]{3,})\.?,?\s+(?P<y1>\d{4})"
    r"|(?P<m2>[A-Za-z]{3,})\.?\s+(?P<d2>\d{1,2}),?\s+(?P<y2>\d{4})"
    r"|(?P<d3>\d{1,2})\.(?P<n3>\d{1,2})\.(?P<y3>\d{4}))"
    r"(?:\D{0,6}?(?P<h>\d{1,2}):(?P<mi>\d{2})(?::\d{2})?\s*(?P<ap>[AaPp]\.?[Mm]\.?)?)?"
)


def written_date(value: str, zone: tzinfo) -> datetime | None:
    """A date as a forwarded block writes it, in `zone` when it names none we can read."""
    value = " ".join(value.split())
    if not value:
        return None
    try:
        found = parsedate_to_datetime(value)
        if found.tzinfo is not None:
            return found
    except (TypeError, ValueError, IndexError):
        pass
    match = _DATE.search(value)
    if not match:
        return None
    g = match.groupdict()
    if g["n3"]:
        month: int | None = int(g["n3"])
    else:
        name = (g["m1"] or g["m2"] or "").lower()
        month = _MONTHS.get(name[:4]) or _MONTHS.get(name[:3])
    day, year = int(g["d1"] or g["d2"] or g["d3"]), int(g["y1"] or g["y2"] or g["y3"])
    hour, minute = int(g["h"] or 0), int(g["mi"] or 0)
    if g["ap"] and g["ap"][0].lower() == "p" and hour < 12:
        hour += 12
    elif g["ap"] and g["ap"][0].lower() == "a" and hour == 12:
        hour = 0
    try:
        return datetime(year, month or 0, day, hour, minute, tzinfo=zone)
    except ValueError:
        return None
