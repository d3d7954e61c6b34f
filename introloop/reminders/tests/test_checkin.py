"""A week after an introduction, the target is asked once: did the seeker get in touch?"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from introloop.intros.models import Intro
from introloop.intros.services import Party
from introloop.intros.tests.factories import intro
from introloop.outbox.models import Message
from introloop.reminders.models import EmailOptOut, Reminder
from introloop.reminders.sweep import sweep

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://127\.0\.0\.1:8000(/links/\S+/)")
UNSUBSCRIBE = re.compile(r"http://127\.0\.0\.1:8000(/unsubscribe/\S+/)")


def checkins_queued() -> int:
    return Reminder.objects.filter(kind="checkin").count()


def test_about_a_week_later_the_target_is_asked_once_whether_they_heard(client, alice):
    week_ago = timezone.now() - timedelta(days=8)
    i = intro(alice, start="introduced", at=week_ago, double_opt_in=False)
    fresh = intro(alice, start="introduced", double_opt_in=False,
                  target=Party("Ann Lee", "ann@example.org"))  # fmt: skip

    # Logged a week late: Alice (the seeker) is reminded first and has two days to write.
    sweep(timezone.now())
    assert checkins_queued() == 0
    later = timezone.now() + timedelta(days=2, hours=1)
    sweep(later)
    assert checkins_queued() == 1
    sweep(later)
    assert checkins_queued() == 1  # once, however often the sweep runs
    message = Message.objects.get(to=["tom@example.org"])
    assert message.subject == f"Did {alice.display_name} get in touch?"
    yes, not_yet = LINK.findall(message.body_text)
    assert not Message.objects.filter(to=["ann@example.org"]).exists()
    assert Intro.objects.get(pk=fresh.pk).checkin_sent_at is None
    assert Intro.objects.get(pk=i.pk).checkin_sent_at is not None

    client.post(not_yet, {"action": "not_yet"})
    assert Intro.objects.get(pk=i.pk).state == "introduced"
    assert i.events.filter(type="note", via="link").exists()
    client.post(yes, {"action": "reached_out"})
    assert Intro.objects.get(pk=i.pk).state == "reached_out"


def test_the_check_in_says_how_to_stop_them_and_a_stop_is_honoured(alice):
    week_ago = timezone.now() - timedelta(days=8)
    intro(alice, start="introduced", at=week_ago, double_opt_in=False)
    sweep(timezone.now() + timedelta(days=2, hours=1))
    message = Message.objects.get(to=["tom@example.org"])
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [stop] = UNSUBSCRIBE.findall(message.body_text)

    Client().post(stop)
    assert EmailOptOut.objects.filter(email="tom@example.org", kind="checkin").exists()
    intro(alice, start="introduced", at=week_ago, double_opt_in=False,
          seeker=Party("Maya Chen", "maya@example.net"))  # fmt: skip
    sweep(timezone.now())
    assert Message.objects.filter(to=["tom@example.org"]).count() == 1  # no second check-in
