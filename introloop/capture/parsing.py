"""Reading a stored message: who is on it, when it was written, its new text, whether it is
a forward (then the original is what counts), an invitation, or mail no person wrote.

Standard library parsing (compat32: it never raises on a bad header, it records a defect),
with limits on depth and parts so that no message, however built, costs more than a few
milliseconds or crashes the worker.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

import icalendar
import quotequail

from .text import html_to_text, new_text, quotable, written_date

MAX_DEPTH = 3  # forwarded messages inside forwarded messages, at most
MAX_PARTS = 100  # parts looked at in one message
MAX_RECIPIENTS = 20
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|wg|tr|rv)\s*:", re.IGNORECASE)
# quotequail.unwrap finds a forward by one of its forward lines or by a header block with a
# From line; a body with neither is not a forward, and is not handed to it (~120 µs saved).
_MAYBE_FORWARD = re.compile(
    r"forward|weitergeleit|réexpédié|reenviado|doorgestuurd|vidarebefordrat|original"
    r"|ursprüngliche|oorspronkelijk|transféré|origineel|пересылаемое|_{32}"
    r"|^[> \t]*\*?(from|von|de|van|från|от кого)\*?:",
    re.IGNORECASE | re.MULTILINE,
)
_MARKER = re.compile(r"^-{2,}.*-{2,}$|^_{10,}$|^(Begin forwarded message|Anfang der weiter.*):?$")


@dataclass
class Person:
    name: str
    email: str

    def as_dict(self, field_name: str) -> dict[str, str]:
        return {"name": self.name, "email": self.email, "field": field_name}


@dataclass
class Parsed:
    message_id: str = ""
    references: list[str] = field(default_factory=list)  # In-Reply-To first, then References
    subject: str = ""
    sender: Person | None = None  # who sent it to us: the forwarder, for a forward
    author: Person | None = None  # who wrote what counts: the original's author
    to: list[Person] = field(default_factory=list)
    cc: list[Person] = field(default_factory=list)
    date: datetime | None = None
    text: str = ""  # the new text only
    forwarded: bool = False
    invitations: list[bytes] = field(default_factory=list)  # text/calendar parts, in order
    not_personal: str = ""  # why no person wrote it (list, bulk, auto-reply, bounce)
    recipients: int = 0
    dmarc: dict[str, str] = field(default_factory=dict)  # authserv-id → result
    defects: list[str] = field(default_factory=list)

    @property
    def meeting_at(self) -> datetime | None:
        """DTSTART of the first invitation that is one (read when asked: icalendar is slow)."""
        if not hasattr(self, "_meeting_at"):
            found = (_meeting(data) for data in self.invitations)
            self._meeting_at = next((at for at in found if at is not None), None)
        return self._meeting_at

    @property
    def people(self) -> list[Person]:
        """The author, then To and Cc, once each."""
        seen, found = set(), []
        for person in [*([self.author] if self.author else []), *self.to, *self.cc]:
            if person.email and person.email not in seen:
                seen.add(person.email)
                found.append(person)
        return found

    def participants(self) -> list[dict[str, str]]:
        rows = [self.author.as_dict("from")] if self.author else []
        rows += [p.as_dict("to") for p in self.to] + [p.as_dict("cc") for p in self.cc]
        return rows


class Headers(dict):
    """A message's headers by lower-case name, the first of each, read in one pass
    (`Message.get` walks them all at each call)."""

    def __init__(self, message: Message) -> None:
        super().__init__()
        for name, value in message.items():
            self.setdefault(name.lower(), value)


def header(headers: Headers, name: str) -> str:
    """A header decoded to text, whatever its encoding or its bytes."""
    value = headers.get(name.lower())
    if value is None:
        return ""
    if isinstance(value, str) and "=?" not in value and value.isascii():
        return value  # nothing encoded: the common case, without decoding machinery
    try:
        return str(make_header(decode_header(str(value))))
    except Exception:  # unknown charsets, broken encoded words
        raw = value if isinstance(value, str) else str(value)
        return raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def people(headers: Headers, name: str) -> list[Person]:
    return addresses(header(headers, name)) if headers.get(name.lower()) else []


def addresses(value: str) -> list[Person]:
    value = value.replace(";", ",")
    found = []
    for name, email in _simple_addresses(value) or getaddresses([value]):
        email = email.strip().lower()
        if "@" in email and " " not in email:
            found.append(Person(" ".join(name.split()).strip("'\" "), email))
    return found


_NAMED = re.compile(r"\s*([^<>@]*?)\s*<([^<>\s@]+@[^<>\s@]+)>\s*")
_BARE = re.compile(r"\s*([^<>\s@]+@[^<>\s@]+)\s*")


def _simple_addresses(value: str) -> list[tuple[str, str]] | None:
    """`Name <a@b>, c@d` read by two regular expressions, as getaddresses reads it (it walks
    the header a character at a time); None when anything in it needs the full grammar."""
    if any(c in value for c in '"()\\:[]'):
        return None
    found = []
    for item in value.split(","):
        if not item.strip():
            continue
        named = _NAMED.fullmatch(item)
        bare = None if named else _BARE.fullmatch(item)
        if named:
            found.append((" ".join(named.group(1).split()), named.group(2)))
        elif bare:
            found.append(("", bare.group(1)))
        else:
            return None
    return found


def _ids(value: str) -> list[str]:
    return re.findall(r"<([^<>\s]+)>", value)


def _date(headers: Headers) -> datetime | None:
    try:
        found = parsedate_to_datetime(header(headers, "Date"))
    except (TypeError, ValueError, IndexError):
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def not_personal(message: Message, headers: Headers) -> str:
    """Why no person wrote `message` (mailing lists, bulk, automatic, bounces), or ""."""
    if headers.get("list-id") or headers.get("list-unsubscribe"):
        return "Mail from a mailing list or newsletter."
    if header(headers, "Precedence").strip().lower() in ("bulk", "list", "junk"):
        return "Bulk mail."
    auto = header(headers, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return "An automatic message (an auto-reply or a notification)."
    sender = header(headers, "From").lower()
    report = message.get_content_type() == "multipart/report"
    if report or "mailer-daemon" in sender or sender.startswith("postmaster@"):
        return "A bounce (a delivery report)."
    return ""


def parse(raw: bytes, zone: tzinfo = UTC) -> Parsed:
    """Read `raw`; never raises for bad mail (what could not be read is in `defects`)."""
    message = message_from_bytes(raw)
    headers = Headers(message)
    parsed = Parsed(
        message_id=header(headers, "Message-ID").strip().strip("<>")[:255],
        references=_ids(header(headers, "In-Reply-To")) + _ids(header(headers, "References")),
        subject=" ".join(header(headers, "Subject").split())[:500],
        date=_date(headers),
        not_personal=not_personal(message, headers),
        dmarc=_dmarc(message),
        defects=[type(d).__name__ for d in message.defects][:10],
    )
    senders = people(headers, "From")
    parsed.sender = senders[0] if senders else None
    parsed.author = parsed.sender
    parsed.to, parsed.cc = people(headers, "To"), people(headers, "Cc")
    parsed.recipients = len(parsed.to) + len(parsed.cc)
    body, attached, calendar = _parts(message)
    parsed.invitations = [calendar] if calendar else []
    if attached is not None:
        _read_original(parsed, attached)
    elif not _read_inline_forward(parsed, body, zone):
        parsed.text = new_text(body)
    return parsed


def _parts(message: Message) -> tuple[str, Message | None, bytes]:
    """(the text body, an attached message/rfc822, an invitation's bytes)."""
    plain, markup, attached, calendar = "", None, None, b""
    for depth, kind, part in _walk(message):
        if kind == "message/rfc822":
            payload = part.get_payload()
            if attached is None and depth == 1 and isinstance(payload, list) and payload:
                attached = payload[0] if isinstance(payload[0], Message) else None
            continue
        if kind == "text/calendar":
            calendar = calendar or _bytes(part)
        elif kind in ("text/plain", "text/html") and not plain:
            if "attachment" in str(part.get("Content-Disposition", "")).lower():
                continue
            if kind == "text/plain":
                plain = _decoded(part)
            elif markup is None:
                markup = part  # decoded only when there is no plain text
    body = plain or (html_to_text(_decoded(markup)) if markup is not None else "")
    return body, attached, calendar


def _walk(message: Message, depth: int = 0):
    """(depth, content type, part) of the leaf parts and of attached messages (not entered),
    at most MAX_PARTS."""
    stack, seen = [(depth, message)], 0
    while stack and seen < MAX_PARTS:
        level, part = stack.pop()
        seen += 1
        kind = part.get_content_type()
        if kind == "message/rfc822":
            yield level + 1, kind, part
        elif part.is_multipart():
            payload = part.get_payload()
            if isinstance(payload, list) and level < 10:
                stack.extend((level, p) for p in reversed(payload) if isinstance(p, Message))
        else:
            yield level, kind, part


def _bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding
        return b""
    return payload if isinstance(payload, bytes) else b""


def _decoded(part: Message) -> str:
    data = _bytes(part)
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except (LookupError, UnicodeError):  # a charset Python does not know
        return data.decode("utf-8", "replace")


def _read_original(parsed: Parsed, original: Message, depth: int = 1) -> None:
    """A forward as attachment: the attached message is what counts, with its own date."""
    parsed.forwarded = True
    headers = Headers(original)
    authors = people(headers, "From")
    parsed.author = authors[0] if authors else parsed.author
    parsed.to, parsed.cc = people(headers, "To"), people(headers, "Cc")
    parsed.date = _date(headers) or parsed.date
    parsed.subject = " ".join(header(headers, "Subject").split())[:500] or parsed.subject
    parsed.references = _ids(header(headers, "In-Reply-To")) + _ids(header(headers, "References"))
    body, attached, calendar = _parts(original)
    if calendar:
        parsed.invitations.append(calendar)
    if attached is not None and depth < MAX_DEPTH:
        _read_original(parsed, attached, depth + 1)
    else:
        parsed.text = new_text(body)


def _read_inline_forward(parsed: Parsed, body: str, zone: tzinfo) -> bool:
    """A forward quoted in the body (Gmail, Outlook, Apple Mail; English and German)."""
    # quotequail reads from where it may find something (text.quotable); the text above
    # that is its "text_top" as much as what it finds above the forward.
    head, rest = quotable(body)
    subject_says_forward = _FORWARD_SUBJECT.match(parsed.subject)
    if _has_text(head) and not subject_says_forward:
        return False  # text above the forward: an Outlook reply over its predecessor's headers
    if not rest or not _MAYBE_FORWARD.search(rest):
        return False
    try:
        found = quotequail.unwrap(rest)
    except Exception:
        return False
    if not found or found.get("type") != "forward" or not found.get("from"):
        return False
    if _has_text(found.get("text_top", "")) and not subject_says_forward:
        return False
    authors = addresses(found["from"])
    if not authors:
        return False
    parsed.forwarded = True
    parsed.author = authors[0]
    parsed.to = addresses(found.get("to", ""))
    parsed.cc = addresses(found.get("cc", ""))
    parsed.date = written_date(found.get("date", ""), zone) or parsed.date
    parsed.subject = " ".join(str(found.get("subject", "")).split())[:500] or parsed.subject
    parsed.references = []  # those of the forward, not of the original
    # In an Outlook forward only the first block is the original; the rest is its history.
    parsed.text = new_text(found.get("text", ""))
    return True


def _has_text(text: str) -> bool:
    return any(line.strip() and not _MARKER.match(line.strip()) for line in text.splitlines())


# What reading an invitation's start needs: the components, METHOD, DTSTART, and the time
# zones it names. icalendar costs ~10 µs a line, and invitations carry dozens of others
# (attendees, descriptions, alarms).
_ICAL_NEEDED = {
    b"BEGIN", b"END", b"METHOD", b"DTSTART", b"TZID", b"TZOFFSETFROM", b"TZOFFSETTO",
    b"RRULE", b"RDATE", b"TZNAME",
}  # fmt: skip
_ICAL_NAME = re.compile(rb"^[A-Za-z0-9-]+")


def _essentials(data: bytes) -> bytes:
    unfolded = re.sub(rb"\r?\n[ \t]", b"", data)  # RFC 5545 folding
    kept = []
    for line in unfolded.splitlines():
        name = _ICAL_NAME.match(line)
        if name and name.group(0).upper() in _ICAL_NEEDED:
            kept.append(line)
    return b"\r\n".join(kept) + b"\r\n"


def _meeting(data: bytes) -> datetime | None:
    try:
        calendar = icalendar.Calendar.from_ical(_essentials(data))
        if str(calendar.get("METHOD", "")).upper() == "CANCEL":
            return None
        for event in calendar.walk("VEVENT"):
            start = event.decoded("DTSTART")
            if isinstance(start, datetime):
                return start if start.tzinfo else start.replace(tzinfo=UTC)
            return datetime(start.year, start.month, start.day, 9, tzinfo=UTC)
    except Exception:  # a broken invitation is no invitation
        return None
    return None


def _dmarc(message: Message) -> dict[str, str]:
    """DMARC results by the authserv-id that wrote them (RFC 8601 Authentication-Results)."""
    results: dict[str, str] = {}
    for value in message.get_all("Authentication-Results") or []:
        text = " ".join(str(value).split())
        serv, _, rest = text.partition(";")
        found = re.search(r"\bdmarc=(\w+)", rest, re.IGNORECASE)
        if found:
            results.setdefault(serv.strip().split(" ")[0].lower(), found.group(1).lower())
    return results
