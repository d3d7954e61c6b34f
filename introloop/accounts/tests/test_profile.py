from datetime import UTC, datetime

import pytest
from django.urls import reverse

from introloop.outbox.models import Message

pytestmark = pytest.mark.django_db


def save_profile(client, **fields):
    data = {"name": "Alice A.", "email": "alice@example.com", "time_zone": "Europe/Paris"}
    return client.post(reverse("accounts:profile"), {**data, **fields})


def test_it_saves_the_name_and_time_zone(alice_client, alice):
    response = save_profile(
        alice_client, name="  Alice Archer-Smith ", time_zone="Pacific/Auckland"
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.name == "Alice Archer-Smith"
    assert alice.time_zone == "Pacific/Auckland"
    assert alice.email_verified_at is not None
    assert Message.objects.count() == 0


def test_times_are_shown_in_the_users_time_zone(alice_client, alice):
    from introloop.accounts.models import ApiToken

    ApiToken.objects.create(
        user=alice,
        name="t",
        token_hash="x" * 64,
        prefix="il_x",
        created_at=datetime(2026, 7, 1, 22, 30, tzinfo=UTC),
    )
    save_profile(alice_client, time_zone="Pacific/Auckland")
    page = alice_client.get(reverse("accounts:api_tokens")).content.decode()
    assert "2 Jul 2026, 10:30" in page  # 22:30 UTC is 10:30 the next morning in Auckland


def test_an_unknown_time_zone_is_refused_inline(alice_client, alice):
    response = save_profile(alice_client, time_zone="Atlantis/Lost")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    alice.refresh_from_db()
    assert alice.time_zone == "Europe/Paris"


def test_changing_the_email_asks_to_verify_the_new_one(alice_client, alice):
    response = save_profile(alice_client, email="Alice.New@Example.com")
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice.new@example.com"
    assert alice.email_verified_at is None
    assert Message.objects.get().to == ["alice.new@example.com"]
    # Still logged in.
    assert alice_client.get(reverse("accounts:profile")).status_code == 200


def test_an_email_used_by_another_account_is_refused(alice_client, alice, bob):
    response = save_profile(alice_client, email="BOB@example.com")
    assert response.status_code == 200
    assert "Another account already uses this email." in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
