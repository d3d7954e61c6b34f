"""/api/v1/interactions: log, list, read and delete interactions."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from introloop.network.models import Contact, Interaction
from introloop.network.tests.factories import contact, interaction

pytestmark = pytest.mark.django_db


def test_it_lists_interactions_newest_first_for_one_contact_or_all(alice_api, alice, bob):
    ann, ben = contact(alice, "Ann"), contact(alice, "Ben")
    first = interaction(alice, [ann], date(2026, 1, 5), notes="Coffee")
    both = interaction(alice, [ann, ben], date(2026, 2, 1), kind="video")
    interaction(bob, [contact(bob, "Theirs")], date(2026, 3, 1))

    everything = alice_api.get("/api/v1/interactions").json()
    assert everything["count"] == 2
    assert [i["id"] for i in everything["items"]] == [both.id, first.id]
    assert everything["items"][0]["contact_ids"] == sorted([ann.id, ben.id])

    bens = alice_api.get(f"/api/v1/interactions?contact_id={ben.id}").json()
    assert [i["id"] for i in bens["items"]] == [both.id]
    paged = alice_api.get("/api/v1/interactions?limit=1&offset=1").json()
    assert ([i["notes"] for i in paged["items"]], paged["count"]) == (["Coffee"], 2)


def test_the_list_takes_the_same_queries_for_few_or_many(alice_api, alice):
    ann = contact(alice, "Ann")
    interaction(alice, [ann], date(2026, 1, 1))
    alice_api.get("/api/v1/me")  # the token's first use is recorded once, outside the count
    with CaptureQueriesContext(connection) as few:
        alice_api.get("/api/v1/interactions")
    for n in range(20):
        interaction(alice, [ann, contact(alice, f"P{n}")], date(2026, 1, 2))
    with CaptureQueriesContext(connection) as many:
        assert len(alice_api.get("/api/v1/interactions").json()["items"]) == 21
    assert len(many) == len(few)


def test_it_reads_and_deletes_one_and_the_contacts_dates_follow(alice_api, alice):
    ann = contact(alice, "Ann")
    interaction(alice, [ann], date(2026, 1, 5))
    latest = interaction(alice, [ann], date(2026, 2, 1), notes="Lunch")
    url = f"/api/v1/interactions/{latest.id}"
    assert alice_api.get(url).json() == {
        "id": latest.id, "kind": "call", "occurred_on": "2026-02-01",
        "contact_ids": [ann.id], "notes": "Lunch",
    }  # fmt: skip

    assert alice_api.delete(url).status_code == 204

    assert alice_api.get(url).status_code == 404
    assert Contact.objects.get(pk=ann.pk).last_interaction_on == date(2026, 1, 5)


def test_someone_elses_interaction_or_contact_is_a_404(alice_api, alice, bob):
    theirs = contact(bob, "Theirs")
    logged = interaction(bob, [theirs], date(2026, 1, 5))
    url = f"/api/v1/interactions/{logged.id}"
    assert alice_api.get(url).status_code == 404
    assert alice_api.delete(url).status_code == 404
    assert alice_api.get(f"/api/v1/interactions?contact_id={theirs.id}").status_code == 404
    assert Interaction.objects.filter(pk=logged.pk).exists()


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", "contact_id=ann"])
def test_bad_paging_or_filters_are_a_422_naming_the_parameter(alice_api, query):
    response = alice_api.get(f"/api/v1/interactions?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == query.split("=")[0]
