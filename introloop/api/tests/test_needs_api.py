"""A goal's checklist through the API: add, tick, untick and remove items."""

import pytest

from introloop.goals.models import Goal, Need

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(alice):
    return Goal.objects.create(owner=alice, title="Data roles", roles=["Analyst"])


def test_it_adds_ticks_unticks_and_removes_checklist_items(alice_api, goal):
    first = alice_api.post(
        f"/api/v1/goals/{goal.id}/needs", json={"kind": "advice", "text": " How they hire "}
    )
    assert first.status_code == 201
    need = first.json()
    assert (need["kind"], need["text"], need["done"]) == ("advice", "How they hire", False)
    second = alice_api.post(f"/api/v1/goals/{goal.id}/needs", json={"text": "Salary bands"})
    assert second.json()["kind"] == "information"
    assert "get advice on How they hire" in alice_api.get("/api/v1/goals/brief").json()["text"]

    url = f"/api/v1/goals/needs/{need['id']}"
    assert alice_api.patch(url, json={"done": True}).json()["done"] is True
    assert alice_api.patch(url, json={"done": True}).json()["done"] is True  # idempotent
    goal_out = alice_api.get(f"/api/v1/goals/{goal.id}").json()
    assert [(n["text"], n["done"]) for n in goal_out["needs"]] == [
        ("Salary bands", False),
        ("How they hire", True),
    ]
    assert "How they hire" not in alice_api.get("/api/v1/goals/brief").json()["text"]
    assert alice_api.patch(url, json={"done": False}).json()["done"] is False
    assert alice_api.get(url).json()["done"] is False

    assert alice_api.delete(url).status_code == 204
    assert alice_api.get(url).status_code == 404
    assert list(Need.objects.values_list("text", flat=True)) == ["Salary bands"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 301}, "text"),
        ({"text": "Ok", "kind": "gossip"}, "kind"),
        ({"text": ["Ok"]}, "text"),
        ({"text": "Ok", "done": True}, "done"),
    ],
)
def test_a_bad_item_is_a_422_naming_the_field_and_adds_nothing(alice_api, goal, body, field):
    response = alice_api.post(f"/api/v1/goals/{goal.id}/needs", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"), [({"done": None}, "done"), ({"done": "maybe"}, "done"),
                        ({"text": "Other"}, "text")]
)  # fmt: skip
def test_a_bad_tick_is_a_422_and_changes_nothing(alice_api, goal, body, field):
    need = Need.objects.create(goal=goal, text="How they hire")
    response = alice_api.patch(f"/api/v1/goals/needs/{need.id}", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    need.refresh_from_db()
    assert (need.text, need.done) == ("How they hire", False)


def test_someone_elses_goal_or_item_is_a_404(alice_api, bob):
    theirs = Goal.objects.create(owner=bob, title="Theirs", roles=["PM"])
    need = Need.objects.create(goal=theirs, text="Secret")
    assert alice_api.post(f"/api/v1/goals/{theirs.id}/needs", json={"text": "x"}).status_code == 404
    url = f"/api/v1/goals/needs/{need.id}"
    assert alice_api.get(url).status_code == 404
    assert alice_api.patch(url, json={"done": True}).status_code == 404
    assert alice_api.delete(url).status_code == 404
    need.refresh_from_db()
    assert need.done is False and Need.objects.count() == 1
