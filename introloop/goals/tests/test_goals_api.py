import pytest

from introloop.goals.models import Goal
from introloop.network.tests.factories import contact

pytestmark = pytest.mark.django_db


def test_goals_crud_and_suggestions(alice_api, alice):
    ann = contact(alice, "Ann Lee", company="Acme")
    created = alice_api.post(
        "/api/v1/goals",
        json={"title": "PM roles", "roles": ["PM"], "companies": ["Acme", "Globex"]},
    )
    assert created.status_code == 201
    goal = created.json()
    assert goal["companies"] == ["Acme", "Globex"] and goal["active"] is True
    url = f"/api/v1/goals/{goal['id']}"
    assert alice_api.patch(url, json={"industries": ["Fintech"]}).json()["industries"] == [
        "Fintech"
    ]
    assert alice_api.get(url).json()["roles"] == ["PM"]
    [suggestion] = alice_api.get(url + "/suggestions").json()
    assert suggestion["contact_id"] == ann.id and suggestion["score"] > 0
    assert suggestion["reasons"][0] == "works at Acme, one of your target companies"
    assert alice_api.delete(url).status_code == 204
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "Empty"}, ""),
        ({"title": "", "roles": ["PM"]}, "title"),
        ({"title": "Big", "companies": [f"C{n}" for n in range(300)]}, "companies"),
        ({"title": "Typed", "roles": "PM"}, "roles"),
    ],
)
def test_bad_goals_are_422_naming_the_field(alice_api, payload, field):
    response = alice_api.post("/api/v1/goals", json=payload)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field or field == ""
    assert not Goal.objects.exists()


def test_asks_reciprocity_and_last_asked(alice_api, alice, bob):
    ann = contact(alice, "Ann Lee")
    asked = alice_api.post(
        "/api/v1/asks",
        json={
            "contact_id": ann.id,
            "kind": "advice",
            "direction": "asked",
            "status": "done",
            "on": "2026-11-01",
            "follow_up_on": "2026-11-08",
            "note": "CV",
        },
    )
    assert asked.status_code == 201 and asked.json()["warnings"] == []
    again = alice_api.post(
        "/api/v1/asks", json={"contact_id": ann.id, "kind": "referral", "on": "2026-11-10"}
    ).json()
    assert "You last asked Ann Lee" in again["warnings"][0]
    alice_api.post(
        "/api/v1/asks",
        json={
            "contact_id": ann.id,
            "kind": "other",
            "direction": "given",
            "status": "done",
            "on": "2026-11-12",
        },
    )
    body = alice_api.get(f"/api/v1/contacts/{ann.id}").json()
    assert body["reciprocity"] == {"received": 1, "given": 1}
    assert body["last_asked_at"] == "2026-11-10"
    assert len(alice_api.get("/api/v1/asks").json()) == 3

    theirs = contact(bob, "Private")
    assert (
        alice_api.post("/api/v1/asks", json={"contact_id": theirs.id, "kind": "advice"}).status_code
        == 404
    )
    bad = alice_api.post(
        "/api/v1/asks", json={"contact_id": ann.id, "kind": "advice", "on": "2026-02-30"}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "on"
    wrong = alice_api.post("/api/v1/asks", json={"contact_id": ann.id, "kind": "bribe"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "kind"


def test_applications(alice_api):
    created = alice_api.post(
        "/api/v1/applications",
        json={"company": "Acme", "role": "PM", "applied_on": "2026-11-01", "status": "offer"},
    )
    assert created.status_code == 201 and created.json()["interviewed"] is True
    assert [a["company"] for a in alice_api.get("/api/v1/applications").json()] == ["Acme"]
    bad = alice_api.post(
        "/api/v1/applications", json={"company": "X", "role": "Y", "source": "nepotism"}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "source"


def test_asks_can_be_read_changed_and_deleted(alice_api, alice, bob):
    ann = contact(alice, "Ann Lee")
    created = alice_api.post(
        "/api/v1/asks",
        json={
            "contact_id": ann.id,
            "kind": "referral",
            "on": "2026-11-01",
            "follow_up_on": "2026-11-08",
        },
    ).json()
    url = f"/api/v1/asks/{created['id']}"
    changed = alice_api.patch(url, json={"status": "done", "result": "Referred to Acme"})
    assert changed.status_code == 200
    assert changed.json() | {"warnings": None} == created | {
        "status": "done",
        "result": "Referred to Acme",
        "warnings": None,
    }
    assert alice_api.get(url).json()["status"] == "done"

    bad = alice_api.patch(url, json={"follow_up_on": "2026-10-01"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "follow_up_on"
    theirs = contact(bob, "Private")
    assert alice_api.patch(url, json={"contact_id": theirs.id}).status_code == 404
    assert alice_api.get(url).json()["contact_id"] == ann.id  # nothing half-changed

    assert alice_api.delete(url).status_code == 204
    assert alice_api.get(url).status_code == 404
    assert alice_api.get(f"/api/v1/contacts/{ann.id}").json()["reciprocity"]["received"] == 0


def test_applications_can_be_changed_and_deleted(alice_api):
    created = alice_api.post(
        "/api/v1/applications", json={"company": "Acme", "role": "PM", "applied_on": "2026-11-01"}
    ).json()
    url = f"/api/v1/applications/{created['id']}"
    moved = alice_api.patch(url, json={"status": "interviewing"}).json()
    assert moved["status"] == "interviewing" and moved["interviewed"] is True
    rejected = alice_api.patch(url, json={"status": "rejected"}).json()
    assert rejected["interviewed"] is True  # the interview still counts
    bad = alice_api.patch(url, json={"applied_on": "yesterday"})
    assert bad.status_code == 422
    assert alice_api.delete(url).status_code == 204
    assert alice_api.get("/api/v1/applications").json() == []


def test_a_company_with_a_comma_and_extra_titles_through_the_api(alice_api, alice):
    contact(alice, "Olu Owner", company="ACME Incorporated", title="Product Owner")
    created = alice_api.post(
        "/api/v1/goals",
        json={
            "title": "PM roles",
            "roles": ["Growth PM"],
            "companies": ["Acme, Inc.", "Globex"],
            "also_counts_as": "Growth PM = Product Owner",
        },
    ).json()
    assert created["companies"] == ["Acme, Inc.", "Globex"]
    url = f"/api/v1/goals/{created['id']}"
    patched = alice_api.patch(url, json={"title": "Growth PM roles"}).json()
    assert patched["companies"] == ["Acme, Inc.", "Globex"]
    assert patched["also_counts_as"] == "Growth PM = Product Owner"
    [suggestion] = alice_api.get(url + "/suggestions").json()
    assert suggestion["reasons"][:2] == [
        "works at ACME Incorporated (matches “Acme, Inc.”, one of your target companies)",
        "is a Product Owner (counts as “Growth PM”)",
    ]
