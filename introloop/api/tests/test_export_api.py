"""GET /api/v1/me/export: all my data as the JSON document Settings → Data downloads."""

import json

import pytest
from django.utils import timezone

from introloop.intros.tests.factories import intro
from introloop.network.tests.factories import contact
from introloop.portability.services import export_user_data

pytestmark = pytest.mark.django_db


def test_it_answers_everything_kept_about_me_and_nothing_of_anyone_else(alice_api, alice, bob):
    contact(alice, "Mine", emails=["mine@example.com"])
    contact(bob, "Theirs")
    intro(alice)

    response = alice_api.get("/api/v1/me/export")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["format"] == "introloop-export"
    assert body["account"]["email"] == alice.email
    assert [c["full_name"] for c in body["contacts"]] == ["Mine"]
    assert len(body["introductions"]) == 1
    # The same sections as the download, none dropped on the way.
    expected = json.loads(json.dumps(export_user_data(alice, timezone.now())))
    assert set(body) == set(expected)
    assert body["notifications"] == expected["notifications"]
    assert "Theirs" not in response.content.decode()
