"""/api/v1/goals/brief: read and edit the brief, share it, stop sharing, make a new link."""

from urllib.parse import urlparse

import pytest
from django.test import Client

from introloop.goals.models import Brief, Goal

pytestmark = pytest.mark.django_db

URL = "/api/v1/goals/brief"


def public(body: dict) -> int:
    return Client().get(urlparse(body["public_url"]).path).status_code


def test_it_reads_the_brief_written_from_my_goals(alice_api, alice):
    assert alice_api.get(URL).json() == {
        "text": "", "intro_text": "", "shared": False, "public_url": None,
    }  # fmt: skip
    Goal.objects.create(owner=alice, title="Data", roles=["Analyst"], companies=["Acme"])
    text = alice_api.get(URL).json()["text"]
    assert text.startswith("I'm Alice Archer, and I'm looking for my next role.")
    assert "a role as Analyst, ideally at Acme" in text


def test_it_edits_the_sentence_about_me(alice_api, alice):
    Goal.objects.create(owner=alice, title="Data", roles=["Analyst"])
    body = alice_api.patch(URL, json={"intro_text": " Eight years in data. "}).json()
    assert body["intro_text"] == "Eight years in data."
    assert "my next role. Eight years in data." in body["text"]
    assert body["shared"] is False
    assert alice_api.patch(URL, json={}).json()["intro_text"] == "Eight years in data."


def test_sharing_stopping_and_a_new_link(alice_api, alice):
    Goal.objects.create(owner=alice, title="Data", roles=["Analyst"])
    shared = alice_api.post(f"{URL}/share").json()
    assert shared["shared"] is True
    assert public(shared) == 200

    stopped = alice_api.post(f"{URL}/unshare").json()
    assert stopped["shared"] is False and stopped["public_url"] == shared["public_url"]
    assert public(shared) == 404

    alice_api.post(f"{URL}/share")
    renewed = alice_api.post(f"{URL}/new-link").json()
    assert renewed["public_url"] != shared["public_url"] and renewed["shared"] is True
    assert (public(shared), public(renewed)) == (404, 200)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"intro_text": "x" * 501}, "intro_text"),
        ({"intro_text": ["x"]}, "intro_text"),
        ({"intro_text": None}, "intro_text"),
        ({"shared": True}, "shared"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(alice_api, body, field):
    response = alice_api.patch(URL, json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert not Brief.objects.exists()


def test_each_person_has_their_own_brief(alice_api, bob_api, bob):
    Goal.objects.create(owner=bob, title="Bob's", roles=["Chef"])
    alice_api.post(f"{URL}/share")
    alice_api.patch(URL, json={"intro_text": "Alice here."})
    theirs = bob_api.get(URL).json()
    assert (theirs["shared"], theirs["intro_text"]) == (False, "")
    assert "Chef" not in alice_api.get(URL).json()["text"]
