"""/api/v1/me/intro-settings and /message-templates (Settings → Introductions, Messages)."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from introloop.intros.messages import DEFAULTS
from introloop.intros.models import IntroSettings, MessageTemplate
from introloop.intros.services import Party
from introloop.intros.tests.factories import intro

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/intro-settings"
DEFAULT_DAYS = {"connector_days": 5, "answer_days": 7, "reach_out_days": 2, "follow_up_days": 5,
                "thank_days": 1, "close_loop_days": 7, "cooldown_days": 30}  # fmt: skip


def put(api, url: str, body: dict):
    return api.request("PUT", url, json=body)


def test_it_reads_and_changes_the_due_dates_new_introductions_use(alice_api, alice):
    assert alice_api.get(URL).json() == DEFAULT_DAYS

    changed = alice_api.patch(URL, json={"connector_days": 10, "cooldown_days": 60})

    assert changed.status_code == 200
    assert changed.json() == {**DEFAULT_DAYS, "connector_days": 10, "cooldown_days": 60}
    made = intro(alice, seeker=Party("Maya", "maya@example.net"))
    [step] = alice_api.get(f"/api/v1/intros/{made.id}").json()["next_steps"]
    due = datetime.fromisoformat(step["due_at"]) - made.created_at
    assert step["step"] == "ask_target"
    assert abs(due - timedelta(days=10)) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answer_days": 0}, "answer_days"),
        ({"answer_days": 366}, "answer_days"),
        ({"answer_days": -1}, "answer_days"),
        ({"answer_days": "a week"}, "answer_days"),
        ({"answer_days": None}, "answer_days"),
        ({"reply_days": 3}, "reply_days"),
    ],
)
def test_bad_days_are_a_422_naming_the_field_and_change_nothing(alice_api, alice, change, field):
    response = alice_api.patch(URL, json={"thank_days": 2, **change})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert not IntroSettings.objects.exists()
    assert alice_api.get(URL).json() == DEFAULT_DAYS


def test_it_lists_every_drafted_message_with_the_placeholders(alice_api):
    body = alice_api.get("/api/v1/message-templates").json()
    assert [t["key"] for t in body["items"]] == list(DEFAULTS)
    ask = body["items"][0]
    assert ask["label"] == "Connector asks the target"
    assert ask["subject"] == ask["default_subject"] == "Would you be happy to meet {seeker}?"
    assert ask["customised"] is False
    assert {"name": "seeker_first", "meaning": "the seeker's first name"} in body["placeholders"]


def test_my_wording_is_saved_used_in_drafts_and_reset(alice_api, alice, bob_api):
    url = "/api/v1/message-templates/connector_ask"
    saved = put(alice_api, url, {"subject": "Meet {seeker}?", "body": "Hi {target_first}!"})
    assert saved.status_code == 200
    assert (saved.json()["subject"], saved.json()["customised"]) == ("Meet {seeker}?", True)

    intro(alice, seeker=Party("Maya Lin", "maya@example.net"))
    [item] = alice_api.get("/api/v1/today").json()["items"]
    assert (item["draft"]["subject"], item["draft"]["body"]) == ("Meet Maya Lin?", "Hi Tom!")
    assert bob_api.get("/api/v1/message-templates").json()["items"][0]["customised"] is False

    reset = alice_api.delete(url)
    assert reset.status_code == 200
    assert reset.json()["subject"] == "Would you be happy to meet {seeker}?"
    assert reset.json()["customised"] is False
    assert not MessageTemplate.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "x" * 201, "body": "Hi"}, "subject"),
        ({"subject": "Hi", "body": "x" * 5001}, "body"),
        ({"subject": "", "body": "Hi"}, "subject"),
        ({"subject": "Hi"}, "body"),
        ({"subject": ["Hi"], "body": "Hi"}, "subject"),
        ({"subject": "Hi", "body": "Hi", "signature": "A."}, "signature"),
    ],
)
def test_bad_wording_is_a_422_naming_the_field_and_saves_nothing(alice_api, body, field):
    response = put(alice_api, "/api/v1/message-templates/seeker_thank", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert not MessageTemplate.objects.exists()


def test_an_unknown_message_is_a_404(alice_api):
    response = put(alice_api, "/api/v1/message-templates/cover_letter", {"subject": "a"})
    assert response.status_code == 404
    assert alice_api.delete("/api/v1/message-templates/cover_letter").status_code == 404


def test_the_list_takes_the_same_queries_however_many_are_mine(alice_api, alice):
    alice_api.get("/api/v1/me")  # the token's first use is recorded once, outside the count
    with CaptureQueriesContext(connection) as none_mine:
        alice_api.get("/api/v1/message-templates")
    for key in DEFAULTS:
        put(alice_api, f"/api/v1/message-templates/{key}", {"subject": "S", "body": "B"})
    with CaptureQueriesContext(connection) as all_mine:
        items = alice_api.get("/api/v1/message-templates").json()["items"]
    assert all(t["customised"] for t in items)
    assert len(all_mine) == len(none_mine)
