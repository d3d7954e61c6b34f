"""POST /api/v1/contacts/tags: the contact list's bulk tagging."""

import pytest

from introloop.network.models import Contact, ContactTag, Tag
from introloop.network.tests.factories import contact

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/tags"


def tagged() -> list[str]:
    return sorted(ContactTag.objects.values_list("contact__full_name", flat=True))


def test_it_adds_then_removes_a_tag_on_the_chosen_contacts(alice_api, alice):
    a, b, _ = contact(alice, "Ann"), contact(alice, "Ben"), contact(alice, "Cy")

    added = alice_api.post(URL, json={"contact_ids": [a.id, b.id], "tag": " Recruiters "})
    assert added.status_code == 200
    assert added.json() == {"tag": "Recruiters", "action": "add", "changed": 2}
    assert tagged() == ["Ann", "Ben"]
    assert "recruiters" in Contact.objects.get(pk=a.pk).search_text

    again = alice_api.post(URL, json={"contact_ids": [a.id], "tag": "recruiters"}).json()
    assert again["changed"] == 0

    removed = alice_api.post(
        URL, json={"contact_ids": [a.id], "tag": "recruiters", "action": "remove"}
    )
    assert removed.json() == {"tag": "recruiters", "action": "remove", "changed": 1}
    assert tagged() == ["Ben"]
    assert alice_api.get("/api/v1/contacts?tag=Recruiters").json()["count"] == 1


def test_it_is_a_404_when_a_contact_is_someone_elses(alice_api, alice, bob):
    mine, theirs = contact(alice, "Ann"), contact(bob, "Theirs")
    response = alice_api.post(URL, json={"contact_ids": [mine.id, theirs.id], "tag": "x"})
    assert response.status_code == 404
    assert response.json()["detail"] == f"No contact with id {theirs.id}."
    assert not ContactTag.objects.exists() and not Tag.objects.filter(owner=bob).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tag": "x" * 51}, "tag"),
        ({"tag": " , "}, "tag"),
        ({"tag": ""}, "tag"),
        ({"tag": ["a", "b"]}, "tag"),
        ({"action": "toggle"}, "action"),
        ({"contact_ids": []}, "contact_ids"),
        ({"contact_ids": "1,2"}, "contact_ids"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_it_refuses_bad_input_naming_the_field_and_changes_nothing(alice_api, alice, change, field):
    ann = contact(alice, "Ann")
    response = alice_api.post(URL, json={"contact_ids": [ann.id], "tag": "ok", **change})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert not ContactTag.objects.exists() and not Tag.objects.exists()
