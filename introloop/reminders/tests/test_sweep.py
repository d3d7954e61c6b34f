"""The sweep: digests at each person's hour, nudges, escalations, outcomes, each once."""

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from conftest import make_user
from introloop.intros import lifecycle
from introloop.intros.services import Party
from introloop.outbox.models import Message
from introloop.reminders.models import NotificationSettings, Reminder
from introloop.reminders.sweep import sweep

from .factories import introduced

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def digests() -> list[Message]:
    return list(Message.objects.filter(subject__startswith="Today:").order_by("id"))


def user_in(zone: str, email: str, hour: int = 8):
    user = make_user(email, email.split("@")[0].title(), time_zone=zone)
    NotificationSettings.objects.filter(user=user).update(digest_hour=hour)
    return user


def test_a_digest_at_the_users_hour_once_a_day_and_none_when_nothing_is_due(db):
    paris = user_in("Europe/Paris", "paul@example.com")
    idle = user_in("Europe/Paris", "idle@example.com")
    introduced(paris, at("2026-11-20T09:00"))  # reach out due 22 Nov 09:00 UTC

    assert sweep(at("2026-11-23T06:59")).queued == 0  # 07:59 in Paris
    first = sweep(at("2026-11-23T07:00"))  # 08:00 in Paris
    assert first.queued == 1
    again = sweep(at("2026-11-23T07:00"))
    assert (again.queued, again.skipped_already_sent) == (0, 1)
    assert sweep(at("2026-11-23T15:00")).queued == 0
    assert sweep(at("2026-11-24T07:00")).queued == 1  # still due: a new day, a new digest

    [monday, _tuesday] = digests()
    assert monday.to == [paris.email]
    assert "Write to Tom Hale" in monday.body_text
    assert "Overdue:" in monday.body_text
    assert monday.headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/unsubscribe/")
    assert monday.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not Message.objects.filter(to=[idle.email]).exists()


def test_time_zones_far_apart_and_a_digest_hour_across_midnight(db):
    honolulu = user_in("Pacific/Honolulu", "hana@example.com", hour=23)  # UTC-10
    tonga = user_in("Pacific/Tongatapu", "tevita@example.com", hour=8)  # UTC+13
    for user in (honolulu, tonga):
        introduced(user, at("2026-11-18T00:00"))

    # 19:00 UTC on the 22nd is 08:00 on the 23rd in Tonga, 09:00 on the 22nd in Honolulu.
    sweep(at("2026-11-22T18:59"))
    assert digests() == []
    sweep(at("2026-11-22T19:00"))
    assert [m.to for m in digests()] == [[tonga.email]]
    assert Reminder.objects.get().key == "digest:tevita@example.com:2026-11-23"
    # 23:00 in Honolulu is 09:00 UTC the next day.
    sweep(at("2026-11-23T08:59"))
    assert len(digests()) == 1
    sweep(at("2026-11-23T09:00"))
    assert Reminder.objects.filter(key="digest:hana@example.com:2026-11-22").exists()


@pytest.mark.parametrize(
    ("zone", "day_before", "before_change", "change_day_too_early", "change_day"),
    [
        # London goes back an hour on 25 Oct 2026: 08:00 is 07:00 UTC before, 08:00 UTC after.
        ("Europe/London", "2026-10-24T07:00", "2026-10-24T06:59", "2026-10-25T07:59",
         "2026-10-25T08:00"),
        # New York springs forward on 8 Mar 2026: 08:00 is 13:00 UTC before, 12:00 UTC after.
        ("America/New_York", "2026-03-07T13:00", "2026-03-07T12:59", "2026-03-08T11:59",
         "2026-03-08T12:00"),
    ],
)  # fmt: skip
def test_daylight_saving_changes_keep_the_digest_at_8_local(
    db, zone, day_before, before_change, change_day_too_early, change_day
):
    user = user_in(zone, "dst@example.com")
    introduced(user, at(day_before) - timedelta(days=5))

    def digests_after(moment: str) -> int:
        sweep(at(moment))
        return Reminder.objects.filter(kind="digest").count()

    assert digests_after(before_change) == 0
    assert digests_after(day_before) == 1
    assert digests_after(change_day_too_early) == 1
    assert digests_after(change_day) == 2


def test_people_without_accounts_get_at_most_three_nudges_two_days_apart(alice, client):
    intro = introduced(alice, at("2026-11-10T10:00"), seeker=Party("Maya Chen", "maya@example.net"))
    assert intro.seeker_user is None  # Alice is the connector here
    start = at("2026-11-12T10:00")  # reaching out is due now
    sent = []
    for hours in range(0, 24 * 10, 12):
        sent.append(sweep(start + timedelta(hours=hours)).queued)
    nudges = Message.objects.filter(to=["maya@example.net"]).order_by("id")
    assert nudges.count() == 3
    keys = list(
        Reminder.objects.filter(kind="nudge").order_by("id").values_list("key", "created_at")
    )
    assert [k.rsplit(":", 1)[1] for k, _ in keys] == ["1", "2", "3"]
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(keys)]
    assert all(gap >= timedelta(days=2) for gap in gaps)
    assert nudges[0].subject == "Reminder: write to Tom Hale"

    # The nudge's link records the step without an account.
    link = re.search(r"http://127\.0\.0\.1:8000(/links/\S+/)", nudges[0].body_text)[1]
    client.post(link, {"action": "reached_out"})
    intro.refresh_from_db()
    assert intro.state == "reached_out"


def test_the_connector_hears_once_when_the_seeker_is_late(alice):
    sam = make_user("sam@example.com", "Sam Okafor")
    intro = introduced(alice, at("2026-11-10T10:00"), connector=Party("Sam Okafor", sam.email))
    # Reaching out was due on the 12th; the grace period is three days.
    sweep(at("2026-11-15T09:00"))
    assert not Message.objects.filter(to=[sam.email], subject__contains="late").exists()
    sweep(at("2026-11-15T11:00"))
    sweep(at("2026-11-16T11:00"))
    [heads_up] = Message.objects.filter(to=[sam.email], subject__contains="late")
    assert heads_up.subject == "Alice Archer is 3 days late with Tom Hale"
    assert "just checking in: how did it go with Tom?" in heads_up.body_text
    assert "was due to write to Tom Hale" in heads_up.body_text  # the step, in plain words
    assert f"http://127.0.0.1:8000/intros/{intro.id}/" in heads_up.body_text
    assert Reminder.objects.get(kind="escalation").intro == intro


def test_a_connector_can_turn_heads_ups_off(alice):
    sam = make_user("sam@example.com", "Sam Okafor")
    NotificationSettings.objects.filter(user=sam).update(escalations_enabled=False)
    introduced(alice, at("2026-11-10T10:00"), connector=Party("Sam Okafor", sam.email))
    sweep(at("2026-11-20T11:00"))
    assert not Reminder.objects.filter(kind="escalation").exists()


def test_closing_the_loop_sends_the_outcome_to_the_connector_once(alice):
    intro = introduced(alice, at("2026-11-10T10:00"))
    lifecycle.record_event(intro.id, "met", roles={"seeker"}, now=at("2026-11-11T10:00"))
    lifecycle.record_event(intro.id, "loop_closed", roles={"seeker"}, now=at("2026-11-12T10:00"),
                           outcome="Tom referred me to their hiring manager.")  # fmt: skip
    sweep(at("2026-11-12T11:00"))
    sweep(at("2026-11-12T12:00"))
    [outcome] = Message.objects.filter(to=["sam@example.com"])
    assert "Tom referred me to their hiring manager." in outcome.body_text


def test_unsubscribing_stops_that_kind_with_one_click(alice):
    introduced(alice, at("2026-11-20T09:00"))
    sweep(at("2026-11-23T08:00"))
    [digest] = digests()
    url = digest.headers["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:8000", "")
    client = Client()
    assert "Stop the daily digest?" in client.get(url).content.decode()
    assert NotificationSettings.objects.get(user=alice).digest_enabled  # GET changes nothing
    # What a mail app sends for RFC 8058 one-click unsubscribe.
    client.post(url, {"List-Unsubscribe": "One-Click"})
    assert not NotificationSettings.objects.get(user=alice).digest_enabled
    assert sweep(at("2026-11-24T08:00")).queued == 0


def test_a_tampered_unsubscribe_link_does_nothing(alice):
    response = Client().post("/unsubscribe/not-a-real-token/")
    assert response.status_code == 400
    assert NotificationSettings.objects.get(user=alice).digest_enabled


@pytest.mark.parametrize(("utc", "greeting"), [("07:10", "Good morning"),
                                                ("17:10", "Good evening")])  # fmt: skip
def test_the_digest_greets_by_the_hour_where_its_reader_is(alice, utc, greeting):
    settings_ = NotificationSettings.objects.get(user=alice)
    settings_.digest_hour = 6
    settings_.save()
    introduced(alice, at("2026-11-10T10:00"))  # reaching out is overdue
    sweep(at(f"2026-11-16T{utc}"))  # Paris is an hour ahead

    [digest] = Message.objects.filter(to=[alice.email], subject__startswith="Today:")
    assert digest.body_text.startswith(f"{greeting} Alice,")


def test_a_long_digest_lists_the_first_of_each_group_and_links_to_the_rest_on_today(db):
    from introloop.reminders.kinds.digest import GROUP_CAP

    paris = user_in("Europe/Paris", "paul@example.com")
    for n in range(GROUP_CAP + 5):
        introduced(paris, at("2026-11-20T09:00"), target=Party(f"Tom {n}", f"tom{n}@example.org"))

    assert sweep(at("2026-11-23T07:00")).queued == 1

    [digest] = digests()
    assert digest.subject.startswith(f"Today: {GROUP_CAP + 5} follow-ups")
    assert digest.body_text.count("Snooze a day:") == GROUP_CAP
    assert "And 5 more on Today: http://127.0.0.1:8000/today/?show=overdue" in digest.body_text
    assert 'href="http://127.0.0.1:8000/today/?show=overdue">And 5 more on Today' in (
        digest.body_html
    )
