"""The dashboard's figures, on a small hand-made history with exact numbers."""

import json
from datetime import UTC, date, datetime

import pytest

from conftest import make_user
from introloop.goals.models import Application, Ask, Targets
from introloop.goals.stats import outreach_this_week, stats_for
from introloop.intros.services import Party
from introloop.network.tests.factories import contact, interaction
from introloop.reminders.tests.factories import introduced, step

pytestmark = pytest.mark.django_db

# Wednesday 11 March 2026, 13:00 in Paris (UTC+1): this week began on Monday 9 March, and the
# twelve weeks shown begin on Monday 22 December 2025.
NOW = datetime(2026, 3, 11, 12, tzinfo=UTC)
SEEKER = {"seeker"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def history(alice, bob) -> None:
    """Alice's search so far (Europe/Paris); bob's rows must never count for her."""
    Targets.objects.create(user=alice, weekly_outreach=3, referrals=20)

    # A: the whole loop, in the weeks of 23 Feb, 2 Mar and 9 Mar.
    a = introduced(alice, at("2026-02-23T10:00"))
    step(a, "reached_out", SEEKER, at("2026-02-24T10:00"))  # due 25 Feb: on time
    step(a, "met", SEEKER, at("2026-03-03T10:00"))  # the follow-up was due 1 Mar: late
    step(a, "thanked", SEEKER, at("2026-03-04T09:00"))  # due 4 Mar 10:00: on time
    step(a, "loop_closed", SEEKER, at("2026-03-10T09:00"), outcome="An interview")  # on time
    # B: Sunday 23:30 in UTC is Monday 00:30 in Paris: this week, not last week.
    introduced(alice, at("2026-03-08T23:30"))
    # C: before the twelve weeks; reached out late, also before them.
    c = introduced(alice, at("2025-12-01T10:00"))
    step(c, "reached_out", SEEKER, at("2025-12-10T10:00"))
    # D: logged straight as "we met", the day after the introduction (on time).
    d = introduced(alice, at("2026-01-05T10:00"))
    step(d, "met", SEEKER, at("2026-01-06T10:00"))
    # Alice introduced bob to someone: his, not hers.
    introduced(alice, at("2026-03-02T10:00"), seeker=Party("Bob Baker", bob.email))
    introduced(bob, at("2026-03-02T10:00"))

    rita = contact(alice, "Rita Moreno")
    for kind, direction, status, on in [
        ("referral", "asked", "done", date(2026, 3, 2)),  # counts, week of 2 Mar
        ("referral", "asked", "done", date(2025, 11, 1)),  # counts, before the weeks shown
        ("referral", "asked", "asked", date(2026, 3, 3)),  # not done yet
        ("referral", "given", "done", date(2026, 3, 3)),  # a favour alice did
        ("advice", "asked", "done", date(2026, 3, 3)),  # not a referral
    ]:
        Ask.objects.create(
            owner=alice, contact=rita, kind=kind, direction=direction, status=status, on=on
        )
    interaction(alice, [rita], date(2026, 3, 9))
    interaction(alice, [rita], date(2026, 3, 10))
    interaction(alice, [rita], date(2026, 3, 8))  # a Sunday: last week
    interaction(alice, [rita], date(2026, 1, 6))
    interaction(bob, [contact(bob, "Uma Roy")], date(2026, 3, 9))

    for source, status, interviewed in [
        ("cold", "rejected", True),  # interviewed, then rejected: still an interview
        ("cold", "applied", False),
        ("cold", "withdrawn", False),
        ("referral", "interviewing", False),
        ("referral", "offer", False),
    ]:
        Application.objects.create(
            owner=alice,
            company="Acme",
            role="Analyst",
            applied_on=date(2026, 3, 1),
            source=source,
            status=status,
            interviewed=interviewed,
        )
    Application.objects.create(
        owner=bob,
        company="Acme",
        role="Analyst",
        applied_on=date(2026, 3, 1),
        status="interviewing",
    )


def by_week(stats, field: str) -> dict[str, object]:
    """The weeks where `field` is not zero/None, by their Monday."""
    return {w.start.isoformat(): getattr(w, field) for w in stats.weeks if getattr(w, field)}


def test_it_computes_every_figure_from_a_small_history(alice, bob):
    history(alice, bob)

    stats = stats_for(alice, NOW)

    assert stats.time_zone == "Europe/Paris"
    assert stats.week_start == date(2026, 3, 9)
    assert [w.start for w in stats.weeks][:2] == [date(2025, 12, 22), date(2025, 12, 29)]
    assert len(stats.weeks) == 12
    # Referrals: C and the November referral before the window, then D, A, the March
    # referral and B.
    assert (stats.referrals, stats.referral_target) == (6, 20)
    assert [w.referrals_total for w in stats.weeks] == [2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 5, 6]
    assert by_week(stats, "referrals_new") == {
        "2026-01-05": 1,
        "2026-02-23": 1,
        "2026-03-02": 1,
        "2026-03-09": 1,
    }
    # Steps: C late (December), D on time, A's reaching out on time, meeting late (the follow
    # up was due), thanks and closing the loop on time.
    assert (stats.steps, stats.steps_on_time, stats.on_time_share) == (6, 4, 0.6667)
    assert by_week(stats, "steps") == {
        "2026-01-05": 1,
        "2026-02-23": 1,
        "2026-03-02": 2,
        "2026-03-09": 1,
    }
    assert {
        w.start.isoformat(): w.on_time_share for w in stats.weeks if w.on_time_share is not None
    } == {
        "2026-01-05": 1.0,
        "2026-02-23": 1.0,
        "2026-03-02": 0.5,
        "2026-03-09": 1.0,
    }
    assert sum(w.on_time_share is None for w in stats.weeks) == 8
    # The funnel: D met without the reaching out recorded, so it reached out too.
    assert [(s.stage, s.count, s.share) for s in stats.funnel] == [
        ("introduced", 4, 1.0),
        ("reached_out", 3, 0.75),
        ("met", 2, 0.5),
        ("thanked", 1, 0.25),
        ("loop_closed", 1, 0.25),
    ]
    assert [
        (s.source, s.applications, s.interviews, s.interview_rate) for s in stats.applications
    ] == [
        ("cold", 3, 1, 0.3333),
        ("referral", 2, 2, 1.0),
    ]
    # Outreach: interactions by the day they happened, plus A's reaching out on 24 Feb.
    assert by_week(stats, "conversations") == {
        "2026-01-05": 1,
        "2026-02-23": 1,
        "2026-03-02": 1,
        "2026-03-09": 2,
    }
    assert (stats.outreach_this_week, stats.outreach_target) == (2, 3)
    assert outreach_this_week(alice, NOW) == (2, 3)
    assert not stats.is_empty
    assert stats.last_week.start == date(2026, 3, 2)


def test_weeks_follow_the_users_time_zone(alice, bob):
    history(alice, bob)
    alice.time_zone = "UTC"

    stats = stats_for(alice, NOW)

    # In UTC, B (Sunday 23:30) belongs to last week.
    assert by_week(stats, "referrals_new")["2026-03-02"] == 2
    assert "2026-03-09" not in by_week(stats, "referrals_new")
    # Sunday 8 March 23:30 UTC is already Monday in Paris, still Sunday in UTC.
    sunday_night = at("2026-03-08T23:30")
    alice.time_zone = "Europe/Paris"
    assert stats_for(alice, sunday_night).week_start == date(2026, 3, 9)
    assert stats_for(bob, sunday_night).week_start == date(2026, 3, 2)


def test_a_new_user_gets_the_default_targets_and_nothing_else(db):
    newcomer = make_user("nina@example.com", "Nina New")

    stats = stats_for(newcomer, NOW, weeks=4)

    assert stats.is_empty
    assert (stats.referral_target, stats.outreach_target) == (100, 5)
    assert len(stats.weeks) == 4 and all(w.on_time_share is None for w in stats.weeks)
    assert stats.on_time_share is None
    assert [s.interview_rate for s in stats.applications] == [None, None]
    assert outreach_this_week(newcomer, NOW) == (0, 5)


def test_as_dict_is_plain_json_with_iso_dates(alice, bob):
    history(alice, bob)

    data = json.loads(json.dumps(stats_for(alice, NOW).as_dict()))

    assert data["as_of"] == "2026-03-11T12:00:00+00:00"
    assert data["week_start"] == "2026-03-09"
    assert data["weeks"][-1] == {
        "start": "2026-03-09",
        "referrals_total": 6,
        "referrals_new": 1,
        "steps": 1,
        "steps_on_time": 1,
        "on_time_share": 1.0,
        "conversations": 2,
        "interactions": 2,
        "reached_out": 0,
    }
    assert data["funnel"][0] == {
        "stage": "introduced",
        "label": "Introduced",
        "count": 4,
        "share": 1.0,
    }
    assert data["applications"][1]["source"] == "referral"


def test_the_figures_take_six_queries_whatever_the_history(alice, bob, django_assert_num_queries):
    history(alice, bob)
    with django_assert_num_queries(6):
        stats_for(alice, NOW)
    with django_assert_num_queries(3):
        outreach_this_week(alice, NOW)
