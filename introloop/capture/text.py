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


def new_text(text: str) -> str:
    """The part of a plain-text body its author wrote this time."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")[: MAX_TEXT * 5]
    try:
        chunks = quotequail.quote(text)
        visible = chunks[0][1] if chunks and chunks[0][0] else ""
    except Exception:  # a library's bad day must not lose the message
        visible = text
    lines = visible.split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        stripped = line.rstrip()
        if _RULES.match(stripped) or _SIGNATURE.match(stripped) or _QUOTED.match(stripped):
            break
        following = lines[i + 1 : i + 4]
        if _HEADER_START.match(stripped) and any(_HEADER_NEXT.match(n) for n in following):
            break
        kept.append(stripped)
    while kept and (not kept[-1].strip() or _ATTRIBUTION.match(kept[-1].strip())):
        kept.pop()
    # An attribution wrapped over two lines: "On Tue, … <x@y>" then "wrote:".
    if kept and re.match(r"^(On|Am) .*(\d{4}|\d:\d\d).*", kept[-1].strip()):
        kept.pop()
    return "\n".join(kept).strip()[:MAX_TEXT]


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
