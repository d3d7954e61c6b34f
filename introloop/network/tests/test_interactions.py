from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from introloop.network.models import Interaction

from .factories import contact, interaction

pytestmark = pytest.mark.django_db


def test_logging_a_call_with_two_people_shows_on_both_timelines(alice_client, alice):
    ann, ben = contact(alice, "Ann"), contact(alice, "Ben")
    response = alice_client.post(
        reverse("network:interaction_new"),
        {"kind": "coffee", "occurred_on": "2026-11-02", "contacts": [ann.id, ben.id],
         "notes": "Talked about the data team"},
    )  # fmt: skip
    assert response.status_code == 302
    for person, other in ((ann, "Ben"), (ben, "Ann")):
        page = alice_client.get(reverse("timeline:contact", args=[person.id])).content.decode()
        assert "Coffee" in page and "Talked about the data team" in page and other in page
        person.refresh_from_db()
        assert person.last_interaction_on == date(2026, 11, 2)


def test_logging_resets_the_keep_in_touch_clock_and_deleting_restores_it(alice_client, alice):
    today = timezone.now().date()
    c = contact(alice, "Cam", keep_in_touch_days=30)
    interaction(alice, [c], today - timedelta(days=40))
    c.refresh_from_db()
    assert c.reconnect_due_on == today - timedelta(days=10)

    newest = interaction(alice, [c], today - timedelta(days=1))
    c.refresh_from_db()
    assert c.reconnect_due_on == today + timedelta(days=29)

    alice_client.post(reverse("network:interaction_delete", args=[newest.id]))
    c.refresh_from_db()
    assert c.last_interaction_on == today - timedelta(days=40)
    assert c.reconnect_due_on == today - timedelta(days=10)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "call", "occurred_on": "2099-01-01"}, "more than a year ahead"),
        ({"kind": "call", "occurred_on": "31/12/2026"}, "Enter a valid date."),
        ({"kind": "telepathy", "occurred_on": "2026-01-01"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_inline(alice_client, alice, data, message):
    c = contact(alice, "Dee")
    response = alice_client.post(reverse("network:interaction_new"), {**data, "contacts": [c.id]})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Interaction.objects.exists()


def test_an_interaction_needs_someone_and_only_my_contacts(alice_client, alice, bob):
    theirs = contact(bob, "Bob's")
    for people in ([], [theirs.id]):
        response = alice_client.post(
            reverse("network:interaction_new"),
            {"kind": "call", "occurred_on": "2026-01-01", "contacts": people},
        )
        assert response.status_code == 200
    assert not Interaction.objects.exists()


def test_the_interaction_form_offers_kinds_without_a_blank_choice(alice_client, alice):
    ann = contact(alice, "Ann")
    page = alice_client.get(reverse("timeline:contact", args=[ann.id])).content.decode()
    assert '<select name="kind"' in page
    assert "---------" not in page
    missing = alice_client.post(reverse("network:interaction_new"),
                                {"occurred_on": "2026-11-02", "contacts": [ann.id]})  # fmt: skip
    assert missing.status_code == 200 and "This field is required." in missing.content.decode()
    assert not Interaction.objects.exists()
