"""Attachments are not kept: on arrival a message loses every part that is not its text (plain
or HTML) or an invitation (text/calendar), unless its owner chose to keep whole messages.
What remains is still the message, in its own MIME structure, so that it can be read again
after a parser fix; each part emptied says what it was (`X-Introloop-Dropped`)."""

from email import message_from_bytes
from email.message import Message

KEPT = ("text/plain", "text/html")  # unless attached as files
MAX_PARTS = 500  # a message of more parts is kept as it came (it is within the size limit)


def without_attachments(raw: bytes) -> bytes:
    """`raw` without its attachments; the very same bytes when it has none."""
    try:
        message = message_from_bytes(raw)
        if not message.is_multipart():
            return raw
        dropped = [part for part in _leaves(message) if not _kept(part)]
        if not dropped:
            return raw
        for part in dropped:
            name = part.get_filename() or part.get_content_type()
            data = part.get_payload(decode=True)
            size = len(data) if isinstance(data, bytes) else 0
            part.set_payload("")
            part["X-Introloop-Dropped"] = f"{name} ({size:,} bytes, not kept)"
        return message.as_bytes()
    except Exception:  # a message Python cannot write back: kept as it came
        return raw


def _kept(part: Message) -> bool:
    kind = part.get_content_type()
    if kind == "text/calendar":
        return True
    return kind in KEPT and part.get_content_disposition() != "attachment"


def _leaves(message: Message) -> list[Message]:
    """Every leaf part, inside attached messages too (iteratively: no recursion limit)."""
    found, stack, seen = [], [message], 0
    while stack:
        seen += 1
        if seen > MAX_PARTS:
            raise ValueError("too many parts")
        part = stack.pop()
        payload = part.get_payload()
        if part.is_multipart() and isinstance(payload, list):
            stack.extend(p for p in payload if isinstance(p, Message))
        else:
            found.append(part)
    return found
