"""/api/v1/contacts/duplicates, /contacts/{id}/merge and /contacts/not-duplicates."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from introloop.network.models import Contact, Interaction, NotDuplicate
from introloop.network.tests.factories import contact, interaction

pytestmark = pytest.mark.django_db


def test_it_lists_contacts_that_look_like_the_same_person(alice_api, alice, bob):
    ann = contact(alice, "Ann Lee", emails=["ann@acme.com"], company="Acme", title="CTO")
    annie = contact(alice, "Annie L.", emails=["ANN@acme.com"])
    contact(alice, "Someone Else")
    contact(bob, "Ann Lee", emails=["ann@acme.com"])

    [group] = alice_api.get("/api/v1/contacts/duplicates").json()

    assert group["reason"] == "same email ann@acme.com"
    assert group["contacts"] == [
        {"id": ann.id, "full_name": "Ann Lee", "headline": "CTO at Acme",
         "emails": ["ann@acme.com"], "source": "manual"},
        {"id": annie.id, "full_name": "Annie L.", "headline": "", "emails": ["ann@acme.com"],
         "source": "manual"},
    ]  # fmt: skip


def test_the_list_takes_the_same_queries_for_few_or_many(alice_api, alice):
    contact(alice, "Sam Lee", emails=["sam@x.com"])
    contact(alice, "Sam Lee")
    alice_api.get("/api/v1/me")  # the token's first use is recorded once, outside the count
    with CaptureQueriesContext(connection) as few:
        alice_api.get("/api/v1/contacts/duplicates")
    for n in range(10):
        contact(alice, f"Twin {n}", emails=[f"t{n}@x.com"])
        contact(alice, f"Twin {n}", emails=[f"t{n}@y.com"])
    with CaptureQueriesContext(connection) as many:
        assert len(alice_api.get("/api/v1/contacts/duplicates").json()) == 11
    assert len(many) == len(few)


@pytest.fixture
def twins(alice):
    keep = contact(alice, "Ann Lee", emails=["ann@acme.com"], tags=["mentor"], company="Acme",
                   notes="Met at PyCon.", title="CTO")  # fmt: skip
    other = contact(alice, "Ann Lee", emails=["ann.lee@gmail.com"], tags=["climbing"],
                    company="Acme Corp", title="VP", notes="Climbs.", location="Leeds")  # fmt: skip
    interaction(alice, [other], date(2026, 2, 1))
    return keep, other


def test_the_preview_names_the_fields_to_choose(alice_api, twins):
    keep, other = twins
    preview = alice_api.get(f"/api/v1/contacts/{keep.id}/merge?other_id={other.id}")
    assert preview.status_code == 200
    body = preview.json()
    assert (body["keep"]["id"], body["other"]["id"]) == (keep.id, other.id)
    assert body["conflicts"] == [
        {"field": "company", "label": "Company", "keep": "Acme", "other": "Acme Corp"},
        {"field": "title", "label": "Title", "keep": "CTO", "other": "VP"},
    ]
    assert Contact.objects.count() == 2


def test_it_merges_taking_the_chosen_fields_from_the_other_and_losing_nothing(alice_api, twins):
    keep, other = twins
    response = alice_api.post(
        f"/api/v1/contacts/{keep.id}/merge",
        json={"other_id": other.id, "take_from_other": ["company"]},
    )
    assert response.status_code == 200
    merged = response.json()
    assert (merged["id"], merged["company"], merged["title"]) == (keep.id, "Acme Corp", "CTO")
    assert merged["location"] == "Leeds"
    assert [e["email"] for e in merged["emails"]] == ["ann@acme.com", "ann.lee@gmail.com"]
    assert sorted(merged["tags"]) == ["climbing", "mentor"]
    assert merged["last_interaction_on"] == "2026-02-01"
    assert not Contact.objects.filter(pk=other.pk).exists()
    assert Interaction.objects.filter(contacts=keep).count() == 1


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"other_id": None}, 422, "other_id"),
        ({"other_id": "same"}, 422, "other_id"),
        ({"other_id": "SELF"}, 422, "other_id"),
        ({"take_from_other": ["uid"]}, 422, "take_from_other"),
        ({"take_from_other": "company"}, 422, "take_from_other"),
        ({"take_from_other": ["company"] * 21}, 422, "take_from_other"),
        ({"keep_other": True}, 422, "keep_other"),
    ],
)
def test_bad_merges_are_refused_naming_the_field_and_change_nothing(
    alice_api, twins, body, status, field
):
    keep, other = twins
    body = {"other_id": other.id, **body}
    if body["other_id"] == "SELF":
        body["other_id"] = keep.id
    response = alice_api.post(f"/api/v1/contacts/{keep.id}/merge", json=body)
    assert response.status_code == status
    assert response.json()["errors"][0]["field"] == field
    assert Contact.objects.count() == 2
    keep.refresh_from_db()
    assert keep.company == "Acme"


def test_someone_elses_contact_on_either_side_is_a_404(alice_api, alice, bob):
    mine, theirs = contact(alice, "Ann Lee"), contact(bob, "Ann Lee")
    for keep, other in ((mine, theirs), (theirs, mine)):
        url = f"/api/v1/contacts/{keep.id}/merge"
        assert alice_api.post(url, json={"other_id": other.id}).status_code == 404
        assert alice_api.get(f"{url}?other_id={other.id}").status_code == 404
    assert Contact.objects.count() == 2


def test_not_duplicates_hides_the_suggestion(alice_api, alice):
    a, b = contact(alice, "Sam Lee"), contact(alice, "Sam Lee")
    response = alice_api.post("/api/v1/contacts/not-duplicates", json={"contact_ids": [b.id, a.id]})
    assert response.status_code == 204
    assert alice_api.get("/api/v1/contacts/duplicates").json() == []
    again = alice_api.post("/api/v1/contacts/not-duplicates", json={"contact_ids": [a.id, b.id]})
    assert again.status_code == 204
    assert NotDuplicate.objects.count() == 1


@pytest.mark.parametrize(
    ("ids", "status"),
    [("one", 422), ("mine", 422), ("twice", 422), ("theirs", 404), ("strings", 422)],
)
def test_not_duplicates_needs_two_of_my_own_contacts(alice_api, alice, bob, ids, status):
    a, b, theirs = contact(alice, "Sam Lee"), contact(alice, "Sam Lee"), contact(bob, "Sam Lee")
    body = {
        "one": {"contact_ids": [a.id]},
        "mine": {"contact_ids": [a.id, b.id], "reason": "twins"},
        "twice": {"contact_ids": [a.id, a.id]},
        "theirs": {"contact_ids": [a.id, theirs.id]},
        "strings": {"contact_ids": ["a", "b"]},
    }[ids]
    response = alice_api.post("/api/v1/contacts/not-duplicates", json=body)
    assert response.status_code == status
    assert not NotDuplicate.objects.exists()
