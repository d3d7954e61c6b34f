"""Undo a step, reopen an ended introduction, correct when a step happened: on the
introduction's page."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from introloop.intros import lifecycle
from introloop.intros.models import Intro, IntroEvent
from introloop.intros.services import Party

from .factories import intro

pytestmark = pytest.mark.django_db

BOB = Party("Bob Baker", "bob@example.com")


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def introduced(alice, days_ago: float = 3) -> Intro:
    at = timezone.now() - timedelta(days=days_ago)
    return intro(alice, connector=BOB, start="introduced", at=at, double_opt_in=False)


def record(i: Intro, event: str, user, roles: set[str], **kwargs) -> Intro:
    return lifecycle.record_event(
        i.pk, event, roles=roles, now=timezone.now(), actor_user=user, **kwargs
    )


def page(client: Client, i: Intro) -> str:
    return client.get(reverse("intros:detail", args=[i.id])).content.decode()


def undo_form(html: str) -> str | None:
    found = re.search(r'<form method="post" action="/intros/\d+/undo/".*?</form>', html, re.S)
    return found.group(0) if found else None


def test_it_offers_undo_on_your_own_latest_step_only(alice_client, alice, bob):
    i = introduced(alice)
    record(i, "met", alice, {"seeker"})
    met = i.events.get(type="met")

    form = undo_form(page(alice_client, i))
    assert form is not None and f'name="event" value="{met.id}"' in form
    assert "csrfmiddlewaretoken" in form and ">Undo<" in form
    assert undo_form(page(client_for(bob), i)) is None  # Bob did not record it


def test_undoing_from_the_page_restores_the_step_and_marks_the_history(alice, bob):
    client = client_for(alice, enforce_csrf_checks=True)
    i = introduced(alice)
    due = Intro.objects.get(pk=i.pk).next_due_at
    record(i, "met", alice, {"seeker"})
    html = page(client, i)
    assert "Thank Tom Hale" in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', undo_form(html)).group(1)
    met = i.events.get(type="met")

    response = client.post(
        reverse("intros:undo", args=[i.id]),
        {"event": met.id, "csrfmiddlewaretoken": token},
        follow=True,
    )

    html = response.content.decode()
    assert "Undone: “Met”." in html
    stored = Intro.objects.get(pk=i.pk)
    assert (stored.state, stored.next_step, stored.next_due_at) == ("introduced", "reach_out", due)
    assert "Write to Tom Hale" in html and "Thank Tom Hale" not in html
    assert '<del><strong>Met</strong></del> <small class="badge-undone">undone</small>' in html
    assert "Undid “Met”." in html
    assert undo_form(html) is None  # an undo is not undone in turn


def test_a_second_click_on_undo_changes_nothing(alice_client, alice, bob):
    i = introduced(alice)
    record(i, "reached_out", alice, {"seeker"})
    record(i, "met", alice, {"seeker"})
    met = i.events.get(type="met")
    url = reverse("intros:undo", args=[i.id])

    alice_client.post(url, {"event": met.id})
    again = alice_client.post(url, {"event": met.id}, follow=True)

    assert "“Met” has already been undone." in again.content.decode()
    assert Intro.objects.get(pk=i.pk).state == "reached_out"
    assert IntroEvent.objects.filter(intro=i, type="undone").count() == 1


def test_a_stale_page_does_not_undo_what_came_since(alice_client, alice, bob):
    i = introduced(alice)
    record(i, "met", alice, {"seeker"})
    met = i.events.get(type="met")
    record(i, "thanked", alice, {"seeker"})  # in another tab, after the page was shown
    response = alice_client.post(
        reverse("intros:undo", args=[i.id]), {"event": met.id}, follow=True
    )
    assert "“Met” is no longer the latest step" in response.content.decode()
    assert Intro.objects.get(pk=i.pk).state == "thanked"


def test_the_seeker_and_the_connector_can_reopen_an_ended_introduction(alice_client, alice, bob):
    i = introduced(alice)
    record(i, "dropped", alice, {"seeker"})
    bobs = client_for(bob)
    html = page(bobs, i)
    assert "This introduction has ended." in html
    assert ">Reopen</button>" in html and "Undoes “Dropped”" in html

    response = bobs.post(
        reverse("intros:undo", args=[i.id]),
        {"event": i.events.get(type="dropped").id},
        follow=True,
    )

    assert "Reopened: “Dropped” is undone." in response.content.decode()
    stored = Intro.objects.get(pk=i.pk)
    assert stored.state == "introduced" and stored.ended_at is None
    assert stored.next_step == "reach_out"
    assert i.events.get(type="undone").actor_role == "connector"


def test_the_target_is_not_offered_to_reopen(alice, bob):
    tom = make_user("tom@example.org", "Tom Hale")
    i = introduced(alice)
    Intro.objects.filter(pk=i.pk).update(target_user=tom)
    record(i, "dropped", bob, {"connector"})
    html = page(client_for(tom), i)
    assert "This introduction has ended." in html and "Reopen" not in html
    response = client_for(tom).post(reverse("intros:undo", args=[i.id]), follow=True)
    assert "no step that can be undone" in response.content.decode()
    assert Intro.objects.get(pk=i.pk).state == "dropped"


def _local(moment, user) -> str:
    return timezone.localtime(moment, user.zone).strftime("%Y-%m-%dT%H:%M")


def test_correcting_the_time_of_your_step(alice_client, alice, bob):
    i = introduced(alice, days_ago=4)
    record(i, "reached_out", alice, {"seeker"})
    event = i.events.get(type="reached_out")
    html = page(alice_client, i)
    assert reverse("intros:event_time", args=[i.id, event.id]) in html
    assert f'value="{_local(event.at, alice)}"' in html  # in her own time zone

    really = (i.introduced_at + timedelta(days=1)).replace(second=0, microsecond=0)
    response = alice_client.post(
        reverse("intros:event_time", args=[i.id, event.id]),
        {"at": _local(really, alice)},
        follow=True,
    )

    html = response.content.decode()
    assert "Time corrected." in html and "time corrected" in html
    event.refresh_from_db()
    assert event.at == really and event.on_time is True
    stored = Intro.objects.get(pk=i.pk)
    assert stored.reached_out_at == really
    assert stored.next_due_at == really + timedelta(days=5)  # follow up five days after


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (timedelta(days=1), "That time is in the future"),
        (-timedelta(days=6), "That is before the previous step (“Introduced”"),
        ("soon", "When it happened: Enter a valid date/time."),
    ],
)
def test_a_wrong_time_is_refused_with_a_clear_message(alice_client, alice, bob, when, message):
    i = introduced(alice, days_ago=4)
    record(i, "reached_out", alice, {"seeker"})
    event = i.events.get(type="reached_out")
    value = _local(timezone.now() + when, alice) if isinstance(when, timedelta) else when
    response = alice_client.post(
        reverse("intros:event_time", args=[i.id, event.id]), {"at": value}, follow=True
    )
    assert message in response.content.decode()
    assert IntroEvent.objects.get(pk=event.pk).at == event.at


def test_the_time_of_someone_elses_step_is_not_offered(alice, bob):
    i = introduced(alice)
    record(i, "met", alice, {"seeker"})
    met = i.events.get(type="met")
    bobs = client_for(bob)
    assert reverse("intros:event_time", args=[i.id, met.id]) not in page(bobs, i)
    response = bobs.post(
        reverse("intros:event_time", args=[i.id, met.id]),
        {"at": _local(timezone.now() - timedelta(hours=2), bob)},
        follow=True,
    )
    assert "Only the person who recorded “Met” can correct its time." in response.content.decode()


def test_someone_elses_introduction_is_not_found(alice, bob):
    carol = make_user("carol@example.com", "Carol Cole")
    i = introduced(alice)
    record(i, "met", alice, {"seeker"})
    met = i.events.get(type="met")
    carols = client_for(carol)
    assert carols.post(reverse("intros:undo", args=[i.id]), {"event": met.id}).status_code == 404
    time_url = reverse("intros:event_time", args=[i.id, met.id])
    assert carols.post(time_url, {"at": "2020-01-01T10:00"}).status_code == 404
    assert Intro.objects.get(pk=i.pk).state == "met"


def test_undone_steps_leave_the_follow_through_record(alice_client, alice, bob):
    i = introduced(alice, days_ago=4)
    record(i, "reached_out", alice, {"seeker"})  # late
    alice_client.post(
        reverse("intros:undo", args=[i.id]), {"event": i.events.get(type="reached_out").id}
    )
    assert not IntroEvent.objects.filter(intro=i, on_time__isnull=False).exists()
