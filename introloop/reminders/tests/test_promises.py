"""The introduction's page says who Introloop reminds of the steps that are not the viewer's,
and the sweep keeps that promise: the nudges it sends are the ones the page announced."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from conftest import make_user
from introloop.intros.models import Intro
from introloop.intros.sending import send_opt_in_request
from introloop.intros.services import Party
from introloop.intros.tests.factories import intro
from introloop.reminders.models import EmailOptOut
from introloop.reminders.promises import promises
from introloop.reminders.sweep import sweep

from .test_nudges import ANSWER_DUE, ASKED_AT, nudges

pytestmark = pytest.mark.django_db


def asked_by(alice, target=None) -> Intro:
    """Alice, the connector, asks Tom (or `target`) whether he would talk to Maya."""
    created = intro(
        alice, seeker=Party("Maya Chen", "maya@example.net"), target=target, now=ASKED_AT
    )
    send_opt_in_request(created, alice, ASKED_AT)
    return Intro.objects.get(pk=created.pk)


def said(intro_row: Intro, viewer, now: datetime) -> list[str]:
    return promises(Intro.objects.get(pk=intro_row.pk), viewer, now)


def test_the_page_announces_each_nudge_the_sweep_then_sends(alice):
    asked = asked_by(alice)

    assert said(asked, alice, ASKED_AT) == [
        "If Tom has not done it by Tue 17 Nov, Introloop emails them a reminder, with "
        "one-click answers (three at most, two days apart)."
    ]
    sweep(ANSWER_DUE)
    assert len(nudges()) == 1
    assert said(asked, alice, ANSWER_DUE + timedelta(hours=1)) == [
        "If Tom has not done it by Thu 19 Nov, Introloop emails them a reminder, with "
        "one-click answers (2 more at most, two days apart)."
    ]
    sweep(ANSWER_DUE + timedelta(days=2))
    sweep(ANSWER_DUE + timedelta(days=4))
    assert len(nudges()) == 3
    assert said(asked, alice, ANSWER_DUE + timedelta(days=5)) == [
        "Introloop has reminded Tom 3 times about this step and will not write again: if it "
        "matters, follow it up yourself."
    ]
    sweep(ANSWER_DUE + timedelta(days=6))
    assert len(nudges()) == 3


def test_someone_who_stopped_reminders_is_not_promised_one(alice):
    asked = asked_by(alice)
    EmailOptOut.objects.create(email="tom@example.org", kind="nudge")

    assert said(asked, alice, ANSWER_DUE) == [
        "Tom asked Introloop not to email them reminders: nobody will remind them."
    ]
    sweep(ANSWER_DUE)
    assert nudges() == []


def test_an_unconfirmed_account_is_told_nobody_reminds_them(alice):
    asked = asked_by(alice)
    alice.email_verified_at = None
    alice.save(update_fields=["email_verified_at"])

    assert "only for an account with a confirmed address" in said(asked, alice, ANSWER_DUE)[0]
    sweep(ANSWER_DUE)
    assert nudges() == []


def test_a_party_with_an_account_sees_it_on_their_today_page(alice):
    make_user("tom@example.org", "Tom Hale")
    asked = asked_by(alice)

    assert said(asked, alice, ASKED_AT) == [
        "Tom has an account: from Tue 17 Nov this step is on Tom's Today page and in their "
        "daily digest."
    ]


def test_the_fragment_is_for_the_parties_only(alice, bob, client):
    asked = asked_by(alice)
    url = reverse("reminders:who_is_reminded", args=[asked.id])

    client.force_login(alice)
    with time_machine.travel(ASKED_AT + timedelta(hours=1)):
        page = client.get(url)
    assert page.status_code == 200
    assert "If Tom has not done it by Tue 17 Nov" in page.content.decode()
    intro_page = client.get(reverse("intros:detail", args=[asked.id])).content.decode()
    assert f'hx-get="{url}?step=answer"' in intro_page

    with time_machine.travel(ASKED_AT + timedelta(hours=1)):
        assert client.get(url + "?step=answer").content == page.content  # Tom's step
        assert client.get(url + "?step=reach_out").content.strip() == b""  # not open now

    client.force_login(bob)
    assert client.get(url).status_code == 404


def test_nothing_is_said_of_the_viewers_own_steps(alice):
    asked = asked_by(alice)
    tom = make_user("tom@example.org", "Tom Hale")
    tom_view = Intro.objects.get(pk=asked.pk)
    tom_view.target_user = tom
    tom_view.save(update_fields=["target_user"])

    assert said(tom_view, tom, ASKED_AT) == []
