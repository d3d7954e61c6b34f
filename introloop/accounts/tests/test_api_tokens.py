import re

import pytest
from django.urls import reverse

from introloop.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def create(client, name="laptop script"):
    return client.post(reverse("accounts:api_tokens"), {"name": name})


def test_a_new_token_is_shown_once_and_works_for_the_api(alice_client, alice, client):
    page = create(alice_client).content.decode()
    raw = re.search(r'<code id="new-token">(il_[\w-]+)</code>', page)[1]

    token = ApiToken.objects.get(user=alice)
    assert token.name == "laptop script"
    assert raw not in token.token_hash
    assert raw.startswith(token.prefix)

    again = alice_client.get(reverse("accounts:api_tokens")).content.decode()
    assert raw not in again
    assert "laptop script" in again
    assert token.prefix in again

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["email"] == alice.email


def test_a_token_needs_a_name(alice_client, alice):
    response = create(alice_client, name="  ")
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_working(alice_client, alice, client):
    raw = re.search(r"(il_[\w-]{20,})", create(alice_client).content.decode())[1]
    token = ApiToken.objects.get()

    response = alice_client.post(reverse("accounts:revoke_api_token", args=[token.id]))

    assert response.status_code == 302
    assert not ApiToken.objects.exists()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_revoking_needs_a_post(alice_client, alice):
    create(alice_client)
    token = ApiToken.objects.get()
    assert (
        alice_client.get(reverse("accounts:revoke_api_token", args=[token.id])).status_code == 405
    )
    assert ApiToken.objects.exists()


def test_nobody_can_revoke_or_see_another_users_token(alice_client, alice, client, bob):
    create(alice_client, name="alice private script")
    token = ApiToken.objects.get()
    client.force_login(bob)

    assert client.post(reverse("accounts:revoke_api_token", args=[token.id])).status_code == 404
    assert "alice private script" not in client.get(reverse("accounts:api_tokens")).content.decode()
    assert ApiToken.objects.filter(id=token.id).exists()
