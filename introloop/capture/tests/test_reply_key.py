"""Every email about an introduction carries its reply key first in References; a reply
that keeps it is matched to that introduction, and a forged key is nobody's."""

from django.utils import timezone

from introloop.capture.matching import decide
from introloop.capture.parsing import parse
from introloop.outbox.delivery import deliver_due
from introloop.outbox.replykeys import intro_of
from introloop.outbox.services import queue_message
from introloop.portability.services import export_user_data

from .conftest import mail
from .test_actions import MAYA, capture
from .test_actions import intro_of as make_intro


def test_mail_about_an_introduction_carries_its_reply_key(alice, smtp_server):
    intro = make_intro(alice)
    queue_message(to=["tom@example.org"], subject="Reminder", body_text="…", user=alice,
                  topic=f"intro:{intro.pk}:reach_out", now=timezone.now())  # fmt: skip
    queue_message(to=["tom@example.org"], subject="Other", body_text="…", now=timezone.now())
    deliver_due(timezone.now())
    sent = {m["Subject"]: m for m in smtp_server.messages()}
    first = sent["Reminder"]["References"].split()[0].strip("<>")
    assert intro_of(first) == intro.pk
    assert sent["Other"]["References"] is None


def test_a_reply_keeping_the_key_matches_even_from_a_stranger(alice):
    intro = make_intro(alice)
    key = f"<ilk.{intro.pk}.{'0' * 20}@introloop.local>"  # forged: a wrong signature
    parsed = parse(mail("x@example.org", MAYA, body="Hi", extra=f"References: {key}"))
    assert decide(alice, parsed, "", timezone.now()).intro is None


def test_captured_mail_is_in_the_export_without_the_raw_message(alice):
    make_intro(alice)
    capture(alice, mail(MAYA, "tom@example.org", "Hello Tom", "Hi Tom, secret-raw-marker"))
    exported = export_user_data(alice, timezone.now())["captured_mail"]
    assert [(m["subject"], m["event"]) for m in exported] == [("Hello Tom", "reached_out")]
    assert "raw" not in exported[0]
