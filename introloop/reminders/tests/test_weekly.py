"""The weekly summary email: Monday morning in each person's time zone, once a week."""

from datetime import UTC, date, datetime

import pytest
from django.test import Client

from conftest import make_user
from introloop.goals.models import Goal, Targets
from introloop.network.tests.factories import contact, interaction
from introloop.outbox.models import Message
from introloop.reminders.kinds import weekly
from introloop.reminders.kinds.base import SweepInput
from introloop.reminders.models import NotificationSettings, Reminder
from introloop.reminders.sweep import sweep
from introloop.reminders.tests.factories import introduced

pytestmark = pytest.mark.django_db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def weekly_candidates(now: datetime) -> list:
    return weekly.collect(SweepInput(now=now, intros=[]))


def summaries() -> list[Message]:
    return list(Message.objects.filter(subject__startswith="Your week:").order_by("id"))


def weekly_sweep(now: datetime) -> tuple[int, int]:
    """Sweep as of `now`: (weekly summaries queued, weekly summaries already queued)."""
    before = Reminder.objects.filter(kind="weekly").count()
    result = sweep(now)
    queued = Reminder.objects.filter(kind="weekly").count() - before
    skipped = sum(c.kind == "weekly" for c in result.candidates) - queued
    return queued, skipped


def seeker(email: str, zone: str = "Europe/Paris", **goal) -> object:
    user = make_user(email, email.split("@")[0].title() + " Seeker", time_zone=zone,
                     date_joined=at("2026-01-05T09:00"))  # fmt: skip
    Goal.objects.create(owner=user, title="Data teams in Lyon", **goal)
    return user


def test_it_is_queued_on_monday_past_the_digest_hour_once_a_week(db):
    paula = seeker("paula@example.com")
    rita = contact(paula, "Rita Moreno")
    interaction(paula, [rita], date(2026, 3, 3))  # last week
    interaction(paula, [rita], date(2026, 3, 5))
    introduced(paula, at("2026-03-04T10:00"))

    # Monday 9 March 2026: 08:00 in Paris is 07:00 UTC.
    assert weekly_sweep(at("2026-03-09T06:59")) == (0, 0)
    assert weekly_sweep(at("2026-03-09T07:00")) == (1, 0)
    assert weekly_sweep(at("2026-03-09T18:00")) == (0, 1)  # claimed already
    assert weekly_sweep(at("2026-03-10T07:00")) == (0, 0)  # Tuesday: no summary at all
    assert weekly_sweep(at("2026-03-16T07:00")) == (1, 0)  # the next Monday: a new one

    assert list(Reminder.objects.filter(kind="weekly").values_list("key", flat=True)) == [
        "weekly:paula@example.com:2026-W11",
        "weekly:paula@example.com:2026-W12",
    ]
    monday, _next = summaries()
    assert monday.to == [paula.email]
    assert monday.subject == "Your week: 2 of 5 new conversations, 1 of 100 referrals"
    body = monday.body_text
    assert "Your week, 2 March to 8 March:" in body
    assert "- New conversations: 2 of your target of 5" in body
    assert "- Referrals and introductions collected: 1 new, 1 of your target of 100 in all" in body
    assert "- Steps done on time: none were due" in body
    assert "- Introductions: 1 introduced, 0 reached out, 0 met, 0 thanked, 0 loop closed" in body
    assert "http://127.0.0.1:8000/dashboard/" in body
    assert "<li>New conversations: 2 of your target of 5</li>" in monday.body_html
    assert "You get this weekly summary" in body
    assert monday.headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/unsubscribe/")


def test_each_time_zone_gets_it_on_its_own_monday_at_its_own_hour(db):
    auckland = seeker("aroha@example.com", "Pacific/Auckland")  # UTC+13 in March
    honolulu = seeker("hana@example.com", "Pacific/Honolulu")  # UTC-10
    NotificationSettings.objects.filter(user=honolulu).update(digest_hour=6)

    # Sunday 19:00 UTC is Monday 08:00 in Auckland (and Sunday 09:00 in Honolulu).
    assert [c.recipient for c in weekly_candidates(at("2026-03-08T18:59"))] == []
    assert [c.key for c in weekly_candidates(at("2026-03-08T19:00"))] == [
        "weekly:aroha@example.com:2026-W11"
    ]
    # Monday 06:00 in Honolulu is 16:00 UTC; by then it is Tuesday in Auckland.
    assert [c.recipient for c in weekly_candidates(at("2026-03-09T15:59"))] == []
    assert [c.key for c in weekly_candidates(at("2026-03-09T16:00"))] == [
        "weekly:hana@example.com:2026-W11"
    ]
    assert auckland.id != honolulu.id


def test_none_without_an_active_goal_or_once_turned_off(db):
    seeker("paused@example.com", active=False)
    make_user("nogoal@example.com", "No Goal")
    off = seeker("off@example.com")
    Targets.objects.create(user=off, weekly_summary=False)
    on = seeker("on@example.com")
    Targets.objects.create(user=on, weekly_summary=True)

    assert [c.recipient for c in weekly_candidates(at("2026-03-09T09:00"))] == [on.email]


def test_days_that_are_monday_nowhere_cost_no_query(db, django_assert_num_queries):
    seeker("paula@example.com")
    with django_assert_num_queries(0):
        assert weekly_candidates(at("2026-03-11T12:00")) == []  # Wednesday everywhere
    with django_assert_num_queries(1):
        weekly_candidates(at("2026-03-09T12:00"))


def test_one_click_unsubscribe_turns_the_summary_off(db):
    paula = seeker("paula@example.com")
    sweep(at("2026-03-09T07:00"))
    [message] = summaries()
    url = message.headers["List-Unsubscribe"].strip("<>")

    client = Client()
    shown = client.get(url)
    assert "Stop the weekly summary?" in shown.content.decode()
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "No more the weekly summary" in done.content.decode()

    assert Targets.objects.get(user=paula).weekly_summary is False
    assert sweep(at("2026-03-16T07:00")).queued == 0
    assert len(summaries()) == 1


def test_the_summary_escapes_names_in_html(db):
    seeker("odd@example.com")
    from introloop.accounts.models import User

    User.objects.filter(email="odd@example.com").update(name="<b>Odd</b> One")
    sweep(at("2026-03-09T07:00"))
    [message] = summaries()
    assert "<b>Odd</b>" not in message.body_html
    assert "&lt;b&gt;Odd&lt;/b&gt;" in message.body_html


def test_a_new_account_gets_no_summary_before_its_first_full_week(db):
    paula = seeker("paula@example.com")
    paula.date_joined = at("2026-03-04T10:00")  # a Wednesday
    paula.save(update_fields=["date_joined"])

    assert weekly_sweep(at("2026-03-09T07:00")) == (0, 0)  # its first Monday: half a week
    assert weekly_sweep(at("2026-03-16T07:00")) == (1, 0)  # a full week behind it
