from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import make_user
from introloop.intros.models import Intro

pytestmark = pytest.mark.django_db

NEW = {
    "connector_name": "Sam Okafor", "connector_email": "sam@example.com",
    "seeker_name": "Alice Archer", "seeker_email": "alice@example.com",
    "target_name": "Tom Hale", "target_email": "tom@example.org",
    "purpose": "Learn how the data team hires", "double_opt_in": True,
}  # fmt: skip


def test_create_then_read_with_next_steps_and_history(alice_api, alice):
    created = alice_api.post("/api/v1/intros", json=NEW)
    assert created.status_code == 201
    body = created.json()
    assert body["state"] == "requested"
    assert body["your_roles"] == ["seeker"]
    assert body["warnings"] == []
    [step] = body["next_steps"]
    assert (step["step"], step["owner"], step["overdue"]) == ("ask_target", "connector", False)

    detail = alice_api.get(f"/api/v1/intros/{body['id']}").json()
    assert [e["type"] for e in detail["history"]] == ["requested"]


def test_logging_an_introduction_that_already_happened(alice_api):
    last_week = (timezone.now() - timedelta(days=7)).isoformat()
    body = alice_api.post("/api/v1/intros", json={**NEW, "introduced_at": last_week}).json()
    assert body["state"] == "introduced"
    assert body["next_steps"][0]["step"] == "reach_out"
    assert body["next_steps"][0]["overdue"] is True


@pytest.mark.parametrize(
    ("change", "status", "field_or_text"),
    [
        ({"target_email": "alice@example.com"}, 422, "two different people"),
        ({"seeker_email": "x@example.com"}, 422, "must be one of the three people"),
        ({"target_email": "nope"}, 422, "target_email"),
        ({"introduced_at": "last tuesday"}, 422, "introduced_at"),
        ({"purpose": "   "}, 422, "purpose"),
        ({"parent_id": 999999}, 422, "No introduction 999999"),
    ],
)
def test_bad_introductions_get_a_clear_answer(alice_api, change, status, field_or_text):
    response = alice_api.post("/api/v1/intros", json={**NEW, **change})
    assert response.status_code == status
    body = response.json()
    fields = [e["field"] for e in body.get("errors", [])]
    assert field_or_text in fields or field_or_text in body["detail"]
    assert not Intro.objects.exists()


def test_events_move_it_along_and_refusals_are_409(alice_api):
    body = alice_api.post("/api/v1/intros", json={**NEW, "double_opt_in": False,
                          "introduced_at": timezone.now().isoformat()}).json()  # fmt: skip
    url = f"/api/v1/intros/{body['id']}/events"

    assert alice_api.post(url, json={"type": "reached_out"}).json()["state"] == "reached_out"
    refused = alice_api.post(url, json={"type": "thanked"})
    assert refused.status_code == 409
    assert "after you have met" in refused.json()["detail"]
    twice = alice_api.post(url, json={"type": "reached_out"})
    assert twice.status_code == 409
    assert alice_api.post(url, json={"type": "warp"}).status_code == 422
    bad_time = alice_api.post(url, json={"type": "met", "at": "soonish"})
    assert bad_time.status_code == 422 and bad_time.json()["errors"][0]["field"] == "at"
    met = alice_api.post(url, json={"type": "met"}).json()
    assert [s["step"] for s in met["next_steps"]] == ["thank", "close_loop"]
    closed = alice_api.post(url, json={"type": "loop_closed", "outcome": "Got a referral"}).json()
    assert closed["state"] == "loop_closed" and closed["outcome"] == "Got a referral"
    assert alice_api.post(url, json={"type": "dropped"}).status_code == 409


def test_lists_by_role_and_state(alice_api, alice):
    sam = make_user("sam@example.com", "Sam Okafor")
    alice_api.post("/api/v1/intros", json=NEW)
    alice_api.post("/api/v1/intros", json={**NEW, "target_name": "Ann", "target_email": "ann@x.org",
                   "double_opt_in": False, "introduced_at": (timezone.now() - timedelta(days=5))
                   .isoformat()})  # fmt: skip
    mine = alice_api.get("/api/v1/intros?role=seeker").json()
    assert mine["count"] == 2
    overdue = alice_api.get("/api/v1/intros?role=seeker&state=overdue").json()
    assert [i["target_name"] for i in overdue["items"]] == ["Ann"]
    assert overdue["items"][0]["overdue"] is True
    assert alice_api.get("/api/v1/intros?role=connector").json()["count"] == 0
    assert alice_api.get("/api/v1/intros?role=boss").status_code == 422
    assert alice_api.get("/api/v1/intros?state=nonsense").status_code == 422

    from django.test import Client

    from conftest import ApiClient, api_token_for

    sams = ApiClient(Client(), api_token_for(sam))
    assert sams.get("/api/v1/intros?role=connector").json()["count"] == 2


def test_double_opt_in_hides_the_target_address_from_the_seeker(alice_api, alice):
    sam = make_user("sam@example.com", "Sam Okafor")
    from django.test import Client

    from conftest import ApiClient, api_token_for

    sams = ApiClient(Client(), api_token_for(sam))
    body = sams.post("/api/v1/intros", json=NEW).json()
    assert body["target_email"] == "tom@example.org"  # the connector sees it
    seen = alice_api.get(f"/api/v1/intros/{body['id']}").json()
    assert seen["target_email"] == ""
    sams.post(f"/api/v1/intros/{body['id']}/events", json={"type": "asked"})
    sams.post(f"/api/v1/intros/{body['id']}/events", json={"type": "accepted"})
    assert alice_api.get(f"/api/v1/intros/{body['id']}").json()["target_email"] == "tom@example.org"


def test_someone_elses_introduction_is_404(alice_api, bob_api):
    body = alice_api.post("/api/v1/intros", json=NEW).json()
    assert bob_api.get(f"/api/v1/intros/{body['id']}").status_code == 404
    assert (
        bob_api.post(f"/api/v1/intros/{body['id']}/events", json={"type": "asked"}).status_code
        == 404
    )


def test_follow_through(alice_api):
    body = alice_api.post("/api/v1/intros", json={**NEW, "double_opt_in": False,
                          "introduced_at": (timezone.now() - timedelta(days=3)).isoformat()}).json()  # fmt: skip
    alice_api.post(f"/api/v1/intros/{body['id']}/events", json={"type": "reached_out"})
    record = alice_api.get("/api/v1/me/follow-through").json()["as_seeker"]
    assert record["introductions"] == 1
    assert record["steps_done"] == 1 and record["on_time_share"] == 0.0  # 3 days > 2 allowed
    assert 2.9 < record["median_days_to_reach_out"] < 3.1
