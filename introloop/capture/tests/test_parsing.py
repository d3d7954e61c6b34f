"""Reading real-looking mail of the common clients: the new text only, forwards read as the
original with its date, invitations, and malformed mail read or refused without a crash."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from introloop.capture.parsing import parse

MAIL = Path(__file__).parent / "mail"
PARIS = ZoneInfo("Europe/Paris")


def read(name: str):
    return parse((MAIL / name).read_bytes(), PARIS)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("gmail_reply.eml", "Thanks Tom, Thursday at 3pm works for me.\n\nBest,\nMaya"),
        ("outlook_reply.eml", "Hi Tom,\n\nThursday works, I will send an invite.\n\nKind regards,\nMaya"),
        ("apple_reply.eml", "Perfect, see you Thursday."),
        ("german_reply.eml", "Hallo Maya,\n\ngerne, Donnerstag passt mir gut. Ich schicke eine "
                             "Einladung.\n\nViele Grüße\nJürgen"),
    ],
)  # fmt: skip
def test_it_keeps_only_the_new_text_of_a_reply(name, text):
    parsed = read(name)
    assert parsed.text == text
    assert not parsed.forwarded


def test_it_reads_people_with_their_display_names_and_encoded_words():
    parsed = read("german_reply.eml")
    assert (parsed.author.name, parsed.author.email) == ("Jürgen Müller", "juergen@example.de")
    assert [(p.name, p.email) for p in parsed.to] == [("Maya Seeker", "maya@example.com")]
    assert parsed.subject == "AW: Gespräch"
    assert parsed.message_id == "e1f2a3b4-thunderbird@example.de"


@pytest.mark.parametrize(
    ("name", "date", "to"),
    [
        ("gmail_forward.eml", datetime(2026, 3, 3, 10, 0, tzinfo=PARIS),
         ["maya@example.com", "tom@example.org"]),
        ("outlook_forward_de.eml", datetime(2026, 3, 3, 10, 0, tzinfo=PARIS),
         ["maya@example.com", "juergen@example.de"]),
        ("apple_forward_de.eml", datetime(2026, 3, 3, 10, 0, tzinfo=PARIS),
         ["maya@example.com", "tom@example.org"]),
        ("attached_forward.eml", datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
         ["maya@example.com", "tom@example.org"]),
    ],
)  # fmt: skip
def test_it_reads_a_forward_as_the_original_with_its_date(name, date, to):
    parsed = read(name)
    assert parsed.forwarded
    assert parsed.sender.email == "maya@example.com"  # who forwarded it
    assert (parsed.author.name, parsed.author.email) == ("Carla Connector", "carla@example.org")
    assert parsed.date == date
    assert [p.email for p in parsed.to] == to


def test_an_outlook_forward_is_only_its_first_block():
    parsed = read("outlook_forward_de.eml")
    assert parsed.text.startswith("Maya sucht Rat zum Aufbau von Datenteams")
    assert "Kannst du mich" not in parsed.text  # the quoted history below it


def test_an_invitation_is_a_meeting_at_its_start():
    assert read("invitation.eml").meeting_at == datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("List-Id: <news.example.com>\n", "mailing list"),
        ("Precedence: bulk\n", "Bulk"),
        ("Auto-Submitted: auto-replied\n", "automatic"),
        ("Content-Type: multipart/report; report-type=delivery-status; boundary=x\n", "bounce"),
    ],
)
def test_mail_no_person_wrote_is_recognised(headers, reason):
    raw = f"From: a@example.com\nTo: b@example.com\nSubject: x\n{headers}\nbody\n".encode()
    assert reason in parse(raw).not_personal


def test_auto_submitted_no_is_a_person():
    raw = b"From: a@example.com\nTo: b@example.com\nAuto-Submitted: no\n\nhello\n"
    assert parse(raw).not_personal == ""


MALFORMED = {
    "no from": b"To: b@example.com\nSubject: no sender\n\nhello\n",
    "broken boundary": b"From: a@example.com\nContent-Type: multipart/mixed; boundary=zz\n\n"
    b"--zz\nContent-Type: text/plain\n\nhello\n--z",
    "8-bit headers": "From: Jürgen Müller <j@example.de>\nSubject: Grüße\n\nhallo\n".encode(
        "latin-1"
    ),
    "unknown charset": b"From: a@example.com\nSubject: =?x-klingon?q?abc?=\n"
    b"Content-Type: text/plain; charset=x-klingon\n\nqapla\n",
    "nested bomb": b"".join(
        b"From: a@example.com\nContent-Type: message/rfc822\n\n" for _ in range(500)
    )
    + b"From: deep@example.com\n\nbottom\n",
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_mail_is_read_without_a_crash(name):
    parsed = parse(MALFORMED[name])
    assert parsed.recipients >= 0


def test_an_unknown_charset_still_gives_its_text():
    assert parse(MALFORMED["unknown charset"]).text == "qapla"


def test_mail_without_from_has_no_author():
    assert parse(MALFORMED["no from"]).author is None


OUTLOOK_INVITATION = (
    "BEGIN:VCALENDAR\r\nMETHOD:{method}\r\nPRODID:Microsoft Exchange Server 2010\r\n"
    "VERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\nBEGIN:STANDARD\r\n"
    "DTSTART:16010101T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n"
    "DTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    "BEGIN:VEVENT\r\nORGANIZER;CN=Maya Seeker:mailto:maya@example.com\r\n"
    "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Tom Targ\r\n"
    " et:mailto:tom@example.org\r\n"
    "DESCRIPTION;LANGUAGE=en-US:Coffee to talk about data teams.\\n\\nSee you the\r\n n!\\n\r\n"
    "DTSTART;TZID=W. Europe Standard\r\n  Time:20260312T100000\r\n"
    "DTEND;TZID=W. Europe Standard Time:20260312T103000\r\nSUMMARY:Coffee\r\n"
    "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def test_an_outlook_invitation_with_its_own_time_zone_and_folded_lines():
    """Only the lines a start needs are handed to icalendar; it reads the same start."""
    import icalendar

    from introloop.capture.parsing import _meeting

    data = OUTLOOK_INVITATION.format(method="REQUEST").encode()
    whole = next(iter(icalendar.Calendar.from_ical(data).walk("VEVENT"))).decoded("DTSTART")
    assert _meeting(data) == whole == datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    assert _meeting(OUTLOOK_INVITATION.format(method="CANCEL").encode()) is None
