"""The lifecycle: steps in order, due dates from the rules, refusals that explain."""

from datetime import UTC, datetime, timedelta

import pytest

from introloop.intros import lifecycle
from introloop.intros.lifecycle import EventRefused, record_event
from introloop.intros.models import Intro, IntroEvent, Role
from introloop.intros.services import Party

from .factories import intro

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
S, C, T = {Role.SEEKER}, {Role.CONNECTOR}, {Role.TARGET}


def step(i: Intro, event: str, roles, at: datetime, **kw) -> Intro:
    return record_event(i.id, event, roles=roles, now=at + timedelta(minutes=1), at=at, **kw)


def next_of(i: Intro) -> list[tuple[str, str, datetime]]:
    return [(s.step, s.owner, s.due_at) for s in lifecycle.next_steps(i)]


def test_the_whole_loop_with_double_opt_in_and_its_due_dates(alice):
    i = intro(alice, now=T0)
    assert next_of(i) == [("ask_target", "connector", T0 + timedelta(days=5))]
    i = step(i, "asked", C, T0 + timedelta(days=1))
    assert next_of(i) == [("answer", "target", T0 + timedelta(days=8))]
    i = step(i, "accepted", T, T0 + timedelta(days=2))
    assert next_of(i) == [("introduce", "connector", T0 + timedelta(days=7))]
    i = step(i, "introduced", C, T0 + timedelta(days=3))
    assert next_of(i) == [("reach_out", "seeker", T0 + timedelta(days=5))]
    i = step(i, "reached_out", S, T0 + timedelta(days=4))
    assert next_of(i)[0][:2] == ("follow_up", "seeker")
    i = step(i, "scheduled", S, T0 + timedelta(days=5), scheduled_for=T0 + timedelta(days=9))
    assert next_of(i) == [("meet", "seeker", T0 + timedelta(days=10))]
    i = step(i, "met", S, T0 + timedelta(days=9))
    assert next_of(i) == [
        ("thank", "seeker", T0 + timedelta(days=10)),
        ("close_loop", "seeker", T0 + timedelta(days=16)),
    ]
    i = step(i, "thanked", S, T0 + timedelta(days=9, hours=5))
    assert next_of(i) == [("close_loop", "seeker", T0 + timedelta(days=16))]
    i = step(i, "loop_closed", S, T0 + timedelta(days=12), outcome="Referred to the hiring manager")

    assert i.state == "loop_closed"
    assert i.outcome == "Referred to the hiring manager"
    assert next_of(i) == []
    assert (i.next_step, i.next_due_at) == ("", None)
    history = list(i.events.values_list("type", flat=True))
    assert history == [
        "requested",
        "asked",
        "accepted",
        "introduced",
        "reached_out",
        "scheduled",
        "met",
        "thanked",
        "loop_closed",
    ]
    assert all(e.on_time for e in i.events.exclude(on_time=None))


def test_the_stored_next_step_is_the_most_urgent_one(alice):
    i = intro(alice, start="met", at=T0, now=T0)
    stored = Intro.objects.get(pk=i.pk)
    assert (stored.next_step, stored.next_owner) == ("thank", "seeker")
    assert stored.next_due_at == T0 + timedelta(days=1)


def test_logging_from_the_middle_with_a_past_date(alice):
    i = intro(alice, start="introduced", at=T0 - timedelta(days=6), now=T0, double_opt_in=False)
    assert i.state == "introduced"
    assert next_of(i) == [("reach_out", "seeker", T0 - timedelta(days=4))]
    assert i.next_due_at < T0  # already overdue


def test_rules_come_from_the_creators_settings(alice):
    from introloop.intros.models import IntroSettings

    IntroSettings.objects.create(user=alice, reach_out_days=5)
    i = intro(alice, start="introduced", at=T0, now=T0, double_opt_in=False)
    assert next_of(i) == [("reach_out", "seeker", T0 + timedelta(days=5))]


@pytest.mark.parametrize(
    ("setup", "event", "roles", "message"),
    [
        ([], "thanked", S, "Thank them after you have met"),
        ([], "introduced", C, "the target must accept before"),
        ([("asked", C), ("accepted", T)], "accepted", T, "already answered"),
        ([("asked", C)], "asked", C, "only be asked before"),
        ([("withdrawn", S)], "asked", C, "has ended"),
        ([], "reached_out", S, "right after the introduction"),
        ([], "asked", S, "Only the connector"),
        ([("asked", C)], "accepted", S, "Only the connector or target"),
        ([], "teleported", S, "Unknown event"),
    ],
)
def test_steps_that_make_no_sense_now_are_refused(alice, setup, event, roles, message):
    i = intro(alice, now=T0)
    at = T0
    for name, who in setup:
        at += timedelta(hours=1)
        i = step(i, name, who, at)
    before = (Intro.objects.get(pk=i.pk).state, IntroEvent.objects.count())
    with pytest.raises(EventRefused, match=message):
        step(i, event, roles, at + timedelta(hours=1))
    assert (Intro.objects.get(pk=i.pk).state, IntroEvent.objects.count()) == before


def test_times_must_be_in_order_and_not_in_the_future(alice):
    i = intro(alice, start="introduced", at=T0, now=T0, double_opt_in=False)
    with pytest.raises(EventRefused, match="before the previous event"):
        record_event(
            i.id, "reached_out", roles=S, now=T0 + timedelta(days=1), at=T0 - timedelta(days=1)
        )
    with pytest.raises(EventRefused, match="in the future"):
        record_event(
            i.id, "reached_out", roles=S, now=T0 + timedelta(days=1), at=T0 + timedelta(days=3)
        )


def test_closing_the_loop_needs_an_outcome_and_a_booking_needs_a_time(alice):
    i = intro(alice, start="met", at=T0, now=T0)
    with pytest.raises(EventRefused, match="Say what came of it"):
        step(i, "loop_closed", S, T0 + timedelta(days=1), outcome="  ")
    j = intro(
        alice,
        start="introduced",
        at=T0,
        now=T0,
        double_opt_in=False,
        target=Party("Ann", "ann@example.org"),
    )
    with pytest.raises(EventRefused, match="Say when"):
        step(j, "scheduled", S, T0 + timedelta(hours=2))


def test_a_silent_target_followed_up_twice_lets_the_seeker_close_the_loop(alice):
    i = intro(alice, start="introduced", at=T0, now=T0, double_opt_in=False)
    i = step(i, "reached_out", S, T0 + timedelta(days=1))
    with pytest.raises(EventRefused, match="following up twice"):
        step(i, "loop_closed", S, T0 + timedelta(days=2), outcome="No answer")
    i = step(i, "followed_up", S, T0 + timedelta(days=6))
    i = step(i, "followed_up", S, T0 + timedelta(days=11))
    assert next_of(i) == [("close_loop", "seeker", T0 + timedelta(days=18))]
    i = step(i, "loop_closed", S, T0 + timedelta(days=12), outcome="Tom never replied.")
    assert i.state == "loop_closed"


def test_late_steps_are_recorded_as_late(alice):
    i = intro(alice, start="introduced", at=T0, now=T0, double_opt_in=False)
    step(i, "reached_out", S, T0 + timedelta(days=4))
    event = i.events.get(type="reached_out")
    assert (event.due_at, event.on_time) == (T0 + timedelta(days=2), False)
