"""Nothing is kept beyond headers, participants and the new text once a message was read
CAPTURE_KEEP_DAYS ago, unless its owner opted in to keeping whole messages."""

from datetime import timedelta

from django.urls import reverse

from introloop.capture.models import CapturedMessage
from introloop.capture.services import drop_old_messages, replay

from .conftest import mail
from .test_actions import MAYA, NOW, capture, intro_of


def test_old_messages_keep_only_what_was_read(alice, settings):
    settings.CAPTURE_KEEP_DAYS = 30
    intro_of(alice)
    row = capture(alice, mail(MAYA, "tom@example.org", "Hello Tom", "Hi Tom"))
    assert drop_old_messages(NOW + timedelta(days=29)) == 0
    assert drop_old_messages(NOW + timedelta(days=31)) == 1
    row.refresh_from_db()
    assert bytes(row.raw) == b"" and row.raw_dropped_at is not None
    assert (row.subject, row.new_text, row.event) == ("Hello Tom", "Hi Tom", "reached_out")
    assert replay(alice) == 0  # nothing left to read again


def test_whole_messages_stay_when_the_owner_opts_in(alice_client, alice):
    alice_client.post(reverse("capture:keep"), {"keep": "on"})
    row = capture(alice, mail(MAYA, "tom@example.org", "Hello Tom", "Hi Tom"))
    assert drop_old_messages(NOW + timedelta(days=365)) == 0
    assert b"Hi Tom" in bytes(CapturedMessage.objects.get(pk=row.pk).raw)
    alice_client.post(reverse("capture:keep"), {})
    assert drop_old_messages(NOW + timedelta(days=365)) == 1
