"""Confirmations say what happened and what is next, with its date, as the viewer sees it."""

from datetime import UTC, datetime, timedelta

import pytest

from introloop.intros import confirmations
from introloop.intros.models import Intro
from introloop.intros.services import Party
from introloop.intros.tests.factories import intro
from introloop.reminders.tests.factories import step

pytestmark = pytest.mark.django_db

# Wednesday 11 November 2026, 23:30 UTC: already Thursday 12 in Paris (Alice's time zone).
NOW = datetime(2026, 11, 11, 23, 30, tzinfo=UTC)


def fresh(row: Intro) -> Intro:
    return Intro.objects.get(pk=row.pk)


def test_the_seeker_is_told_their_move_and_its_day_in_their_time_zone(alice):
    logged = intro(alice, start="introduced", now=NOW, double_opt_in=False)

    assert confirmations.logged(fresh(logged), alice) == (
        "Logged: Alice Archer → Tom Hale (introduced). Next, your move: write to Tom Hale, "
        "by Sat 14 Nov. It is on your Today page."
    )


def test_a_connector_is_told_whose_move_it_is(alice):
    made = intro(alice, seeker=Party("Maya Chen", "maya@example.net"), start="introduced", now=NOW)

    assert confirmations.logged(fresh(made), alice) == (
        "Logged: Maya Chen → Tom Hale (introduced). Next, Maya's move: write to Tom Hale, "
        "due Sat 14 Nov."
    )


def test_after_a_step_the_next_one_follows(alice):
    made = intro(alice, start="introduced", now=NOW, double_opt_in=False)
    step(made, "reached_out", {"seeker"}, NOW + timedelta(hours=1))

    text = confirmations.recorded(fresh(made), "reached_out", NOW + timedelta(hours=1), alice)

    assert text.startswith("Recorded: Seeker reached out, Thu 12 Nov. Next, your move: ")
    assert "follow up with Tom Hale, by " in text


def test_a_closed_loop_has_nothing_more_due(alice):
    made = intro(alice, start="introduced", now=NOW, double_opt_in=False)
    for event in ("reached_out", "met", "thanked"):
        step(made, event, {"seeker"}, NOW + timedelta(hours=1))
    step(made, "loop_closed", {"seeker"}, NOW + timedelta(hours=2), outcome="An interview")

    text = confirmations.recorded(fresh(made), "loop_closed", NOW + timedelta(hours=2), alice)

    assert text == "Recorded: Loop closed, Thu 12 Nov. The loop is closed: nothing more is due."


def test_someone_answering_by_email_is_not_sent_to_a_today_page(alice):
    made = intro(alice, seeker=Party("Maya Chen", "maya@example.net"), start="introduced", now=NOW)

    text = confirmations.whats_next(fresh(made), {"seeker"}, alice.zone, on_today=False)

    assert text == "Next, your move: write to Tom Hale, by Sat 14 Nov."
