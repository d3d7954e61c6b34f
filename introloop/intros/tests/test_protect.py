"""Protecting contacts: cooldown warnings (counts only) and connectors' monthly caps."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from introloop.intros.services import IntroRefused, Party, recent_asks
from introloop.network.models import Contact
from introloop.network.tests.factories import contact

from .factories import intro

pytestmark = pytest.mark.django_db


def test_asking_a_recently_asked_target_warns_with_counts_and_date_only(alice, bob):
    intro(bob, now=timezone.now() - timedelta(days=10))
    intro(make_user("carol@example.com", "Carol"), now=timezone.now() - timedelta(days=3))
    from introloop.intros.services import NewIntro, create_intro

    _, warnings = create_intro(alice, NewIntro(
        connector=Party("Sam", "sam@example.com"), seeker=Party("Alice", alice.email),
        target=Party("Tom Hale", "TOM@example.org"), purpose="Advice"), timezone.now())  # fmt: skip
    [warning] = warnings
    assert "Tom Hale was asked for an introduction 2 times in the last 30 days" in warning
    assert "Bob" not in warning and "Carol" not in warning
    assert recent_asks("tom@example.org", timezone.now(), 30)[0] == 3


def test_old_asks_do_not_count(alice, bob):
    intro(bob, now=timezone.now() - timedelta(days=45))
    from introloop.intros.services import NewIntro, create_intro

    _, warnings = create_intro(alice, NewIntro(
        connector=Party("Sam", "sam@example.com"), seeker=Party("Alice", alice.email),
        target=Party("Tom Hale", "tom@example.org"), purpose="Advice"), timezone.now())  # fmt: skip
    assert warnings == []


def test_a_connector_caps_introductions_to_one_of_their_contacts(alice):
    tom = contact(alice, "Tom Hale", emails=["tom@example.org"])
    tom.intro_cap_per_month = 1
    tom.save()
    intro(alice, seeker=Party("Maya", "maya@example.net"))
    with pytest.raises(IntroRefused, match="capped introductions to Tom Hale at 1 a month"):
        intro(alice, seeker=Party("Raj", "raj@example.net"))


def test_a_cap_set_on_the_contact_form_is_enforced(alice_client, alice):
    alice_client.post(
        reverse("network:new"),
        {"full_name": "Tom Hale", "emails": "tom@example.org", "intro_cap_per_month": "1"},
    )
    assert Contact.objects.get(owner=alice).intro_cap_per_month == 1
    intro(alice, seeker=Party("Maya", "maya@example.net"))
    with pytest.raises(IntroRefused, match="capped introductions to Tom Hale at 1 a month"):
        intro(alice, seeker=Party("Raj", "raj@example.net"))


def test_a_cap_set_through_the_api_is_enforced_and_removed_with_null(alice_api, alice):
    created = alice_api.post(
        "/api/v1/contacts",
        json={"full_name": "Tom Hale", "emails": ["tom@example.org"], "intro_cap_per_month": 1},
    )
    assert created.json()["intro_cap_per_month"] == 1
    new = {
        "connector_name": "Alice", "connector_email": alice.email, "seeker_name": "Maya",
        "seeker_email": "maya@example.net", "target_name": "Tom Hale",
        "target_email": "tom@example.org", "purpose": "Advice",
    }  # fmt: skip
    assert alice_api.post("/api/v1/intros", json=new).status_code == 201

    refused = alice_api.post("/api/v1/intros", json={**new, "seeker_email": "raj@example.net"})
    assert refused.status_code == 422
    assert "capped introductions to Tom Hale at 1 a month" in refused.json()["detail"]

    url = f"/api/v1/contacts/{created.json()['id']}"
    assert (
        alice_api.patch(url, json={"intro_cap_per_month": None}).json()["intro_cap_per_month"]
        is None
    )
    again = alice_api.post("/api/v1/intros", json={**new, "seeker_email": "raj@example.net"})
    assert again.status_code == 201
