"""Attachments are not kept: a message is stored without them (its text and invitations
stay, and it reads the same), unless its owner keeps whole messages."""

from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path

from introloop.capture.parsing import parse
from introloop.capture.trimming import without_attachments

MAIL = Path(__file__).parent / "mail"
PDF = b"%PDF-1.4 " + bytes(range(256)) * 800  # ~200 kB


def with_attachments() -> bytes:
    message = EmailMessage()
    message["From"] = "Maya Seeker <maya@example.com>"
    message["To"] = "Tom Target <tom@example.org>"
    message["Subject"] = "My CV, and a time to talk"
    message["Message-ID"] = "<cv-1@example.com>"
    message["Date"] = "Wed, 4 Mar 2026 09:00:00 +0000"
    message.set_content("Hi Tom,\n\nMy CV is attached. Thursday at three?\n\nMaya")
    message.add_alternative("<p>Hi Tom,</p><p>My CV is attached. Thursday at three?</p>", "html")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="cv.pdf")
    message.add_attachment(b"notes", maintype="text", subtype="plain", filename="notes.txt")
    invitation = (MAIL / "invitation.eml").read_bytes()
    calendar = message_from_bytes(invitation)
    ics = next(p for p in calendar.walk() if p.get_content_type() == "text/calendar")
    message.add_attachment(
        ics.get_payload(decode=True), maintype="text", subtype="calendar", filename="invite.ics"
    )
    return message.as_bytes()


def test_attachments_are_dropped_and_the_message_reads_the_same():
    raw = with_attachments()
    kept = without_attachments(raw)
    assert len(raw) > 250_000 and len(kept) < 20_000
    assert b"JVBERi0xLjQg" not in kept and b"bm90ZXM=" not in kept  # their base64: gone
    assert b"JVBERi0xLjQg" in raw and b"bm90ZXM=" in raw
    before, after = parse(raw), parse(kept)
    assert after.text == before.text == "Hi Tom,\n\nMy CV is attached. Thursday at three?\n\nMaya"
    assert after.meeting_at == before.meeting_at == datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
    assert (after.subject, after.message_id, after.author) == (
        before.subject, before.message_id, before.author,
    )  # fmt: skip
    dropped = [p["X-Introloop-Dropped"] for p in message_from_bytes(kept).walk()]
    assert [d for d in dropped if d] == [
        f"cv.pdf ({len(PDF):,} bytes, not kept)",
        "notes.txt (5 bytes, not kept)",
    ]


def test_a_message_without_attachments_is_kept_byte_for_byte():
    for name in ("gmail_reply.eml", "invitation.eml", "outlook_reply.eml"):
        raw = (MAIL / name).read_bytes()
        assert without_attachments(raw) is raw


def test_attachments_inside_a_forwarded_message_are_dropped_too():
    inner = message_from_bytes(with_attachments())
    outer = EmailMessage()
    outer["From"] = "Maya Seeker <maya@example.com>"
    outer["To"] = "capture@capture.example.net"
    outer["Subject"] = "Fwd: My CV"
    outer.set_content("FYI")
    outer.add_attachment(inner)
    raw = outer.as_bytes()
    kept = without_attachments(raw)
    assert len(kept) < len(raw) / 10
    parsed = parse(kept)
    assert parsed.forwarded and parsed.author.email == "maya@example.com"
    assert parsed.to[0].email == "tom@example.org"
    assert "Thursday at three?" in parsed.text


def test_mail_it_cannot_write_back_is_kept_as_it_came():
    bomb = b"".join(b"From: a@example.com\nContent-Type: message/rfc822\n\n" for _ in range(3000))
    assert without_attachments(bomb) is bomb
    broken = b"From: a@example.com\nContent-Type: multipart/mixed; boundary=x\n\n--x\nno end"
    assert without_attachments(broken) in (broken, without_attachments(broken))


def test_stored_mail_keeps_no_attachments_unless_the_account_keeps_whole_messages(alice):
    from django.utils import timezone

    from introloop.capture import intake, services

    raw = with_attachments()
    row, _ = intake.store(alice, raw, "upload", timezone.now())
    assert row.size < 20_000 and b"JVBERi0xLjQg" not in bytes(row.raw)
    services.keep_whole_messages(alice, True)
    again = raw.replace(b"<cv-1@example.com>", b"<cv-2@example.com>")
    row, _ = intake.store(alice, again, "upload", timezone.now())
    assert bytes(row.raw) == again
