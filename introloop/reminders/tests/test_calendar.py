"""The private calendar feed, read back by the icalendar library."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from introloop.reminders.models import NotificationSettings

from .factories import introduced

pytestmark = pytest.mark.django_db


def feed_for(user) -> tuple[str, Calendar]:
    token = NotificationSettings.objects.get(user=user).calendar_token
    url = reverse("reminders:calendar", args=[token])
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return url, Calendar.from_ical(response.content)


def test_due_follow_ups_are_all_day_events_with_the_draft(alice):
    intro = introduced(alice, timezone.now() - timedelta(days=1))
    _, calendar = feed_for(alice)
    assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
    [event] = calendar.walk("VEVENT")
    due = intro.next_due_at.astimezone(alice.zone).date()
    assert event.decoded("DTSTART") == due  # a date: all day
    assert event.decoded("DTEND") == due + timedelta(days=1)
    assert str(event["SUMMARY"]) == "Write to Tom Hale"
    assert str(event["UID"]) == f"intro:{intro.id}:reach_out@127.0.0.1"
    assert "Thank you for agreeing to talk" in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith(f"/intros/{intro.id}/")
    assert "DTSTAMP" in event


def test_the_feed_follows_done_and_snoozed_steps(alice_client, alice):
    intro = introduced(alice, timezone.now() - timedelta(days=1))
    key = f"intro:{intro.id}:reach_out"
    alice_client.post(reverse("reminders:snooze", args=[key]), {"days": "7"})
    _, calendar = feed_for(alice)
    [event] = calendar.walk("VEVENT")  # snoozed: shown on the day it comes back
    assert event.decoded("DTSTART") > timezone.now().date() + timedelta(days=4)
    alice_client.post(reverse("reminders:done", args=[key]))
    _, calendar = feed_for(alice)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Follow up with Tom Hale"]


def test_a_new_address_kills_the_old_one(alice_client, alice):
    old_url, _ = feed_for(alice)
    alice_client.post(reverse("reminders:regenerate_calendar"))
    assert Client().get(old_url).status_code == 404
    new_url, _ = feed_for(alice)
    assert new_url != old_url
    assert Client().get("/calendar/guessing.ics").status_code == 404
