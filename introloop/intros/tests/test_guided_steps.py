"""Guided steps on an introduction's page: each party sees, as buttons in plain words, what
they may record now, those for their open steps first; corrections behind "Something else"."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from introloop.intros import lifecycle
from introloop.intros.guided import guided_actions
from introloop.intros.models import Intro, IntroEvent, Role
from introloop.intros.services import Party

from .factories import intro as logged


def intro(creator, **kwargs) -> Intro:
    """An introduction logged a day ago, so that its steps can follow it."""
    return logged(creator, now=timezone.now() - timedelta(days=1), **kwargs)


pytestmark = pytest.mark.django_db
S, C, T = {Role.SEEKER}, {Role.CONNECTOR}, {Role.TARGET}
BUTTON = re.compile(r"<button[^>]*>(.*?)</button>", re.S)
GUIDED = re.compile(r'<form[^>]*class="guided-action[^"]*"[^>]*>(.*?)</form>', re.S)


@pytest.fixture
def sam(db):
    return make_user("sam@example.com", "Sam Okafor")


@pytest.fixture
def tom(db):
    return make_user("tom@example.org", "Tom Hale")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def button_names(page: str) -> list[str]:
    """Every button's accessible name (its text, visually hidden words included)."""
    return [text(b) for b in BUTTON.findall(page)]


def guided_buttons(page: str) -> list[str]:
    return [text(b) for form in GUIDED.findall(page) for b in BUTTON.findall(form)]


def walk(i: Intro, *events: str) -> Intro:
    """Record `events` in order, a minute apart, each by the party whose it is."""
    now = i.requested_at
    for event in events:
        now += timedelta(minutes=1)
        roles = {"asked": C, "introduced": C, "accepted": T, "declined": T}.get(event, S)
        extra = {}
        if event == "scheduled":
            extra["scheduled_for"] = timezone.now() + timedelta(days=3)
        if event == "loop_closed":
            extra["outcome"] = "A referral to the hiring manager."
        i = lifecycle.record_event(i.id, event, roles=roles, now=now, **extra)
    return i


def labels(i: Intro, roles: set[str]) -> tuple[list[str], list[str]]:
    """The names of the buttons shown first, and of the others."""
    actions = guided_actions(Intro.objects.get(pk=i.pk), roles)
    return [a.name for a in actions if a.primary], [a.name for a in actions if not a.primary]


@pytest.mark.parametrize(
    ("events", "first", "then"),
    [
        ((), ["I wrote to Tom"], ["We met Tom", "We booked a call with Tom"]),
        (("reached_out",), ["I followed up with Tom"], ["We met Tom", "We booked a call with Tom"]),
        (("scheduled",), ["We met Tom"], ["We moved the call with Tom"]),
        (("met",), ["I said thank you to Tom", "Tell Sam what came of it"], []),
        (("met", "thanked"), ["Tell Sam what came of it"], []),
        (("met", "loop_closed"), [], []),
        (("dropped",), [], []),
    ],
)
def test_a_seeker_gets_the_buttons_of_each_state_their_steps_first(alice, events, first, then):
    i = walk(intro(alice, start="introduced", double_opt_in=False), *events)
    assert labels(i, S) == (first, then)


def test_a_seeker_who_followed_up_twice_may_tell_the_connector(alice):
    i = walk(intro(alice, start="introduced", double_opt_in=False), "reached_out")
    i = walk(i, "followed_up", "followed_up")
    first, then = labels(i, S)
    assert first == ["Tell Sam what came of it"]
    assert then == ["I followed up with Tom", "We met Tom", "We booked a call with Tom"]


def test_a_seeker_waiting_on_others_gets_no_buttons(alice):
    i = intro(alice)  # requested, with double opt-in: the connector's move
    assert labels(i, S) == ([], [])
    assert labels(walk(i, "asked"), S) == ([], [])


@pytest.mark.parametrize(
    ("events", "first", "then"),
    [
        ((), [], ["I asked Tom myself"]),
        (("asked",), [], ["Tom said yes to meeting Alice", "Tom said no to meeting Alice"]),
        (("asked", "accepted"), [], ["I introduced them myself: Alice and Tom"]),
        (("asked", "accepted", "introduced"), [], []),
    ],
)
def test_a_connector_gets_buttons_for_what_they_did_outside_introloop(alice, events, first, then):
    i = walk(intro(alice), *events)
    assert labels(i, C) == (first, then)


@pytest.mark.parametrize(
    ("events", "first", "then"),
    [
        (("asked",), ["Happy to talk to Alice", "Not now: decline to talk to Alice"], []),
        (
            ("asked", "accepted", "introduced"),
            [],
            ["Alice wrote to me", "We met Alice", "We booked a call with Alice"],
        ),
        (
            ("asked", "accepted", "introduced", "scheduled"),
            [],
            ["We met Alice", "We moved the call with Alice"],
        ),
        (("asked", "accepted", "introduced", "met"), [], []),
    ],
)
def test_a_target_with_an_account_gets_their_own_words(alice, events, first, then):
    i = walk(intro(alice), *events)
    assert labels(i, T) == (first, then)


def test_the_page_shows_the_next_steps_buttons_beside_their_draft_and_others_after(
    alice_client, alice
):
    i = walk(intro(alice, start="introduced", double_opt_in=False))
    page = alice_client.get(reverse("intros:detail", args=[i.id])).content.decode()
    assert guided_buttons(page) == ["I wrote to Tom", "We met Tom", "We booked a call with Tom"]
    step = page[page.index('<article class="next-step') : page.index("</article>")]
    assert "Thank you for agreeing to talk" in step and "I wrote to Tom" in step
    others = page[page.index("Other steps you can record") :]
    assert "We booked a call" in others and 'name="scheduled_for"' in others
    # The generic form, for corrections and notes, is folded away.
    assert '<details class="record-step something-else">' in page
    assert "<summary>Something else</summary>" in page and "Just a note" in page
    assert "Record what happened" not in page
    # Every button on the page has a name of its own.
    names = button_names(page)
    assert len(names) == len(set(names)), names


def test_the_connectors_page_keeps_the_send_forms_first(alice, sam):
    i = intro(alice)
    page = client_for(sam).get(reverse("intros:detail", args=[i.id])).content.decode()
    ask = page.index("Ask Tom Hale by email, with yes/no links")
    assert page.index("I asked Tom myself") > ask
    assert guided_buttons(page) == ["I asked Tom myself"]
    names = button_names(page)
    assert len(names) == len(set(names)), names


def test_the_targets_page(alice, tom):
    i = walk(intro(alice), "asked")
    page = client_for(tom).get(reverse("intros:detail", args=[i.id])).content.decode()
    assert guided_buttons(page) == ["Happy to talk to Alice", "Not now: decline to talk to Alice"]
    assert "I wrote to" not in page and "Tell Sam" not in page


def test_a_target_who_declined_is_not_named_to_the_seeker(alice, sam):
    # Sam logged it: a target who said no stays unnamed to Alice, buttons included.
    i = walk(intro(sam, seeker=Party(alice.display_name, alice.email)), "asked", "declined")
    page = client_for(alice).get(reverse("intros:detail", args=[i.id])).content.decode()
    assert "Tom" not in page
    assert guided_buttons(page) == []


@pytest.mark.parametrize(
    ("events", "post", "state"),
    [
        ((), {"type": "reached_out"}, "reached_out"),
        (("reached_out",), {"type": "followed_up"}, "reached_out"),
        ((), {"type": "scheduled", "scheduled_for": "2026-12-24T15:30"}, "scheduled"),
        (("scheduled",), {"type": "met"}, "met"),
        (("met",), {"type": "thanked"}, "thanked"),
        (("met", "thanked"), {"type": "loop_closed", "outcome": "A referral."}, "loop_closed"),
    ],
)
def test_each_button_records_its_event_by_the_seeker(alice_client, alice, events, post, state):
    i = walk(intro(alice, start="introduced", double_opt_in=False), *events)
    url = reverse("intros:event", args=[i.id])
    response = alice_client.post(url, {**post, "guided": "1"}, follow=True)
    assert response.redirect_chain == [(reverse("intros:detail", args=[i.id]), 302)]
    i.refresh_from_db()
    assert i.state == state
    event = i.events.order_by("id").last()
    assert (event.type, event.actor_user, event.actor_role) == (post["type"], alice, "seeker")
    page = response.content.decode()
    assert f"Recorded: {lifecycle.TRANSITIONS[post['type']].label}, " in page
    timeline = page[page.index('<ol class="timeline">') : page.index("</ol>")]
    latest = timeline.split("<li")[-1]
    assert "by Alice Archer" in latest and "logged by" not in latest
    if state == "scheduled":
        assert i.scheduled_for.astimezone(alice.zone).strftime("%d %H:%M") == "24 15:30"
    if state == "loop_closed":
        assert i.outcome == "A referral."


def test_a_connector_records_the_targets_yes_as_themselves(alice, sam):
    i = walk(intro(alice), "asked")
    client = client_for(sam)
    response = client.post(
        reverse("intros:event", args=[i.id]), {"type": "accepted", "guided": "1"}, follow=True
    )
    assert Intro.objects.get(pk=i.pk).state == "accepted"
    event = i.events.order_by("id").last()
    assert (event.type, event.actor_user, event.actor_role) == ("accepted", sam, "connector")
    assert "Recorded: Target accepted, " in response.content.decode()


def test_a_booked_call_needs_its_date_and_says_so_beside_the_field(alice_client, alice):
    i = intro(alice, start="introduced", double_opt_in=False)
    url = reverse("intros:event", args=[i.id])
    for when in ("", "next tuesday"):
        response = alice_client.post(
            url, {"type": "scheduled", "scheduled_for": when, "guided": "1"}
        )
        assert response.status_code == 422
        page = response.content.decode()
        error = "Say when the call is booked for." if not when else "Enter a valid date/time."
        field = page[page.index('id="guided-scheduled-for"') :]
        assert 'aria-invalid="true"' in field[:300]
        assert field.index(error) < field.index("We booked a call")
        assert f'value="{when}"' in field[:200]
    assert Intro.objects.get(pk=i.pk).state == "introduced"
    assert not IntroEvent.objects.filter(intro=i, type="scheduled").exists()


def test_telling_what_came_of_it_needs_words_and_keeps_nothing_half_done(alice_client, alice):
    i = walk(intro(alice, start="introduced", double_opt_in=False), "met")
    url = reverse("intros:event", args=[i.id])
    response = alice_client.post(url, {"type": "loop_closed", "outcome": "  ", "guided": "1"})
    assert response.status_code == 422
    page = response.content.decode()
    field = page[page.index('id="guided-outcome"') :]
    assert "Say what came of it: that is what the connector wants to hear." in field
    assert field.index("Say what came of it") < field.index("Tell Sam what came of it")
    i.refresh_from_db()
    assert (i.state, i.outcome) == ("met", "")
    assert not i.events.filter(type="loop_closed").exists()


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"type": "thanked"}, "Thank them after you have met."),
        ({"type": "accepted"}, "Only the connector or target can record"),
        ({"type": "flew_to_mars"}, "Choose what happened."),
        ({}, "Choose what happened."),
    ],
)
def test_an_event_that_does_not_fit_now_is_refused_with_a_message(
    alice_client, alice, post, message
):
    i = intro(alice, start="introduced", double_opt_in=False)
    url = reverse("intros:event", args=[i.id])
    response = alice_client.post(url, {**post, "guided": "1"}, follow=True)
    assert response.redirect_chain == [(reverse("intros:detail", args=[i.id]), 302)]
    assert message in response.content.decode()
    assert Intro.objects.get(pk=i.pk).state == "introduced"
    assert list(i.events.values_list("type", flat=True)) == ["introduced"]


def test_something_else_records_a_note_and_shows_its_errors_inline(alice_client, alice):
    i = intro(alice, start="introduced", double_opt_in=False)
    url = reverse("intros:event", args=[i.id])
    alice_client.post(url, {"type": "note", "note": "Tom is away until Monday."})
    assert i.events.last().note == "Tom is away until Monday."
    assert Intro.objects.get(pk=i.pk).state == "introduced"
    response = alice_client.post(url, {"type": "loop_closed", "outcome": ""})
    assert response.status_code == 302  # not allowed yet: a message, not a form error
    response = alice_client.post(url, {"type": "met", "at": "yesterday-ish"})
    assert response.status_code == 422
    page = response.content.decode()
    assert '<details class="record-step something-else" open>' in page
    assert "Enter a valid date/time." in page
    assert '<option value="met" selected>' in page
    assert Intro.objects.get(pk=i.pk).state == "introduced"


def test_nobody_records_on_someone_elses_introduction(alice, bob):
    i = intro(alice, start="introduced", double_opt_in=False)
    response = client_for(bob).post(
        reverse("intros:event", args=[i.id]), {"type": "reached_out", "guided": "1"}
    )
    assert response.status_code == 404
    assert Intro.objects.get(pk=i.pk).state == "introduced"
