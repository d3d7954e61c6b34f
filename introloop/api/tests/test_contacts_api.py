from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from introloop.network.models import Contact, Interaction
from introloop.network.tests.factories import contact

pytestmark = pytest.mark.django_db


def test_list_searches_filters_and_pages(alice_api, alice, bob):
    for n in range(7):
        contact(alice, f"Analyst {n}", company="Acme", tags=["finance"] if n % 2 else [])
    contact(alice, "Zed Other", company="Initech")
    contact(bob, "Analyst of Bob")

    body = alice_api.get("/api/v1/contacts?q=analyst&tag=finance&limit=2&offset=1").json()

    assert body["count"] == 3
    assert [c["full_name"] for c in body["items"]] == ["Analyst 3", "Analyst 5"]
    assert body["items"][0]["tags"] == ["finance"]
    assert set(body["items"][0]) >= {"id", "emails", "phones", "linkedin_url", "last_interaction_on",
                                     "reconnect_overdue", "strength", "uid"}  # fmt: skip


def test_the_list_takes_the_same_queries_for_10_or_200(alice_api, alice):
    for n in range(10):
        contact(alice, f"One {n}", emails=[f"one{n}@x.com"], tags=["t"])
    alice_api.get("/api/v1/me")  # the token's first use is recorded once, outside the count
    with CaptureQueriesContext(connection) as few:
        alice_api.get("/api/v1/contacts?limit=200")
    for n in range(190):
        contact(alice, f"More {n}", emails=[f"m{n}@x.com"], tags=["t", "u"])
    with CaptureQueriesContext(connection) as many:
        assert len(alice_api.get("/api/v1/contacts?limit=200").json()["items"]) == 200
    assert len(many) == len(few)


def test_a_listed_contact_is_exactly_the_contact_read_alone(alice_api, alice):
    ann = contact(alice, "Ann Lee", emails=[("ann@x.com", "work"), "a@y.com"], tags=["b", "A"],
                  phones=[("+44 1", "cell")], title="CTO",
                  connected_on=date(2020, 1, 2), birthday="--03-04")  # fmt: skip
    contact(alice, "Bob Other")
    Contact.objects.filter(id=ann.id).update(reconnect_due_on=date(2000, 1, 1))

    listed = alice_api.get("/api/v1/contacts?q=ann").json()["items"]
    alone = alice_api.get(f"/api/v1/contacts/{ann.id}").json()

    assert listed == [alone]
    assert list(listed[0]) == list(alone)  # the same keys in the same order
    assert alone["emails"] == [
        {"email": "ann@x.com", "kind": "work"},
        {"email": "a@y.com", "kind": ""},
    ]
    assert alone["tags"] == ["A", "b"] and alone["reconnect_overdue"] is True


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "offset=-1", "limit=lots"])
def test_bad_paging_is_a_422_naming_the_parameter(alice_api, query):
    response = alice_api.get(f"/api/v1/contacts?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == query.split("=")[0]


def test_create_read_patch_delete(alice_api, alice):
    created = alice_api.post(
        "/api/v1/contacts",
        json={"full_name": "Ines Costa", "emails": ["Ines@Example.pt", {"email": "ic@work.io",
              "kind": "work"}], "tags": ["Lisbon"], "strength": "warm", "keep_in_touch_days": 90},
    )  # fmt: skip
    assert created.status_code == 201
    body = created.json()
    assert body["emails"] == [{"email": "ines@example.pt", "kind": ""},
                              {"email": "ic@work.io", "kind": "work"}]  # fmt: skip
    assert (body["given_name"], body["family_name"]) == ("Ines", "Costa")
    url = f"/api/v1/contacts/{body['id']}"

    assert alice_api.get(url).json()["full_name"] == "Ines Costa"
    patched = alice_api.patch(url, json={"title": "Partner", "tags": ["Lisbon", "VC"]}).json()
    assert patched["title"] == "Partner"
    assert patched["tags"] == ["Lisbon", "VC"]
    assert patched["emails"][1]["email"] == "ic@work.io"  # untouched fields stay
    assert patched["strength"] == "warm"

    assert alice_api.delete(url).status_code == 204
    assert alice_api.get(url).status_code == 404


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "This field is required."),
        ({"full_name": "A", "emails": ["nope"]}, "emails", "Not an email address: nope"),
        ({"full_name": "A", "strength": "besties"}, "strength", "Select a valid choice"),
        ({"full_name": "A", "keep_in_touch_days": -3}, "keep_in_touch_days", "greater than"),
        ({"full_name": "A", "linkedin_url": "https://x.com/a"}, "linkedin_url", "LinkedIn"),
        ({"full_name": "A", "introduced_by_id": 999999}, "introduced_by_id", "valid choice"),
        ({"full_name": "A", "tags": "not-a-list"}, "tags", "list"),
    ],
)
def test_bad_contacts_are_a_422_naming_the_field(alice_api, payload, field, message):
    response = alice_api.post("/api/v1/contacts", json=payload)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors[0]["field"] == field
    assert message.lower() in errors[0]["message"].lower()
    assert not Contact.objects.exists()


def test_another_users_contact_is_404(alice_api, bob):
    theirs = contact(bob, "Private")
    url = f"/api/v1/contacts/{theirs.id}"
    for response in (alice_api.get(url), alice_api.patch(url, json={}), alice_api.delete(url)):
        assert response.status_code == 404
    assert Contact.objects.filter(pk=theirs.pk).exists()


def test_logging_an_interaction(alice_api, alice, bob):
    a, b = contact(alice, "A"), contact(alice, "B")
    response = alice_api.post(
        "/api/v1/interactions",
        json={"kind": "video", "occurred_on": "2026-10-01", "contact_ids": [a.id, b.id]},
    )
    assert response.status_code == 201
    assert response.json()["contact_ids"] == sorted([a.id, b.id])
    a.refresh_from_db()
    assert a.last_interaction_on == date(2026, 10, 1)

    theirs = contact(bob, "Theirs")
    refused = alice_api.post(
        "/api/v1/interactions",
        json={"kind": "call", "occurred_on": "2026-10-01", "contact_ids": [a.id, theirs.id]},
    )
    assert refused.status_code == 404
    bad = alice_api.post(
        "/api/v1/interactions", json={"kind": "call", "occurred_on": "yesterday",
                                      "contact_ids": [a.id]},
    )  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "occurred_on"
    assert Interaction.objects.count() == 1


VCARDS = b"""BEGIN:VCARD
VERSION:3.0
UID:card-1
FN:Olu Ade
N:Ade;Olu;;;
EMAIL;TYPE=INTERNET,WORK:olu@bank.ng
ORG:First Bank
END:VCARD
BEGIN:VCARD
VERSION:3.0
UID:card-2
FN:Kim Jae
N:Jae;Kim;;;
END:VCARD
"""


def post_import(api, data: bytes, name: str, **fields):
    return api.client.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile(name, data), **fields},
        headers=api.headers,
    )


def test_import_dry_run_then_for_real_then_again(alice_api, alice):
    dry = post_import(alice_api, VCARDS, "contacts.vcf", dry_run="true")
    assert dry.status_code == 200
    assert dry.json() == {"format": "vcard", "dry_run": True, "created": 2, "updated": 0,
                          "unchanged": 0, "errors": [], "warnings": []}  # fmt: skip
    assert not Contact.objects.exists()

    real = post_import(alice_api, VCARDS, "contacts.vcf").json()
    assert (real["created"], real["dry_run"]) == (2, False)
    again = post_import(alice_api, VCARDS, "contacts.vcf").json()
    assert (again["created"], again["unchanged"]) == (0, 2)
    assert Contact.objects.count() == 2


def test_import_refusals_are_422_with_the_reason(alice_api):
    assert post_import(alice_api, b"", "x.csv").json()["detail"].lower().count("empty") == 1
    wrong = post_import(alice_api, VCARDS, "contacts.vcf", format="linkedin")
    assert wrong.status_code == 422
    assert post_import(alice_api, VCARDS, "c.vcf", format="excel").status_code == 422
    assert post_import(alice_api, VCARDS, "c.vcf", mapping="{nope").status_code == 422
    missing = alice_api.client.post("/api/v1/imports", {}, headers=alice_api.headers)
    assert missing.status_code == 422
    assert not Contact.objects.exists()


def test_a_generic_csv_with_a_mapping(alice_api, alice):
    data = b"Who,Mail,Firm\nRay Chen,ray@chen.dev,Chen Labs\n"
    result = post_import(
        alice_api, data, "people.csv", format="csv",
        mapping='{"Who": "full_name", "Mail": "email", "Firm": "company"}',
    ).json()  # fmt: skip
    assert result["created"] == 1
    assert Contact.objects.get().company == "Chen Labs"


def test_exports_hold_only_my_contacts(alice_api, alice, bob):
    contact(alice, "Mine", emails=["mine@x.com"])
    contact(bob, "Theirs")
    csv = alice_api.get("/api/v1/exports/contacts.csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "Mine" in csv.content.decode() and "Theirs" not in csv.content.decode()
    assert "BEGIN:VCARD" in alice_api.get("/api/v1/exports/contacts.vcf").content.decode()
    assert (
        alice_api.get("/api/v1/exports/contacts.json").json()["contacts"][0]["full_name"] == "Mine"
    )
    assert alice_api.get("/api/v1/exports/contacts.xlsx").status_code == 404


def test_the_introduction_cap_is_read_set_kept_and_removed(alice_api, alice):
    created = alice_api.post(
        "/api/v1/contacts", json={"full_name": "Tom", "intro_cap_per_month": 3}
    )
    assert created.status_code == 201
    url = f"/api/v1/contacts/{created.json()['id']}"
    assert alice_api.get(url).json()["intro_cap_per_month"] == 3
    # A PATCH that does not name it keeps it; null removes it.
    assert alice_api.patch(url, json={"title": "CTO"}).json()["intro_cap_per_month"] == 3
    assert alice_api.patch(url, json={"intro_cap_per_month": 7}).json()["intro_cap_per_month"] == 7
    assert (
        alice_api.patch(url, json={"intro_cap_per_month": None}).json()["intro_cap_per_month"]
        is None
    )
    assert (
        alice_api.post("/api/v1/contacts", json={"full_name": "Ann"}).json()["intro_cap_per_month"]
        is None
    )


@pytest.mark.parametrize(
    ("cap", "message"),
    [(0, "Between 1 and 100"), (101, "Between 1 and 100"), ("lots", "valid integer"),
     (2.5, "valid integer")],
)  # fmt: skip
def test_a_bad_cap_is_a_422_naming_it_and_changes_nothing(alice_api, alice, cap, message):
    refused = alice_api.post(
        "/api/v1/contacts", json={"full_name": "Tom", "intro_cap_per_month": cap}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "intro_cap_per_month"
    assert message in refused.json()["detail"]
    assert not Contact.objects.exists()

    tom = contact(alice, "Tom Hale", company="Initech")
    patched = alice_api.patch(
        f"/api/v1/contacts/{tom.id}", json={"company": "Globex", "intro_cap_per_month": cap}
    )
    assert patched.status_code == 422
    tom.refresh_from_db()
    assert (tom.company, tom.intro_cap_per_month) == ("Initech", None)
