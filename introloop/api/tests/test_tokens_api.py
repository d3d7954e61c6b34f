"""/api/v1/me/tokens: list and revoke API tokens (Settings → API tokens)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import ApiClient
from introloop.accounts.models import ApiToken
from introloop.accounts.services import create_api_token

pytestmark = pytest.mark.django_db


def test_it_lists_my_tokens_by_prefix_and_marks_the_one_in_use(alice_api, alice, bob):
    laptop, _ = create_api_token(alice, "laptop", timezone.now())
    create_api_token(bob, "bob's", timezone.now())

    tokens = alice_api.get("/api/v1/me/tokens").json()

    assert [(t["name"], t["current"]) for t in tokens] == [("laptop", False), ("tests", True)]
    assert tokens[0]["prefix"] == laptop.prefix and tokens[0]["last_used_at"] is None
    assert set(tokens[0]) == {"id", "name", "prefix", "created_at", "last_used_at", "current"}
    one = alice_api.get(f"/api/v1/me/tokens/{laptop.id}").json()
    assert (one["name"], one["current"]) == ("laptop", False)


def test_a_revoked_token_stops_working_at_once(alice_api, alice):
    other, raw = create_api_token(alice, "script", timezone.now())
    script = ApiClient(Client(), raw)
    assert script.get("/api/v1/me").status_code == 200

    assert alice_api.delete(f"/api/v1/me/tokens/{other.id}").status_code == 204

    assert script.get("/api/v1/me").status_code == 401
    assert alice_api.get("/api/v1/me").status_code == 200


def test_a_token_can_revoke_itself(alice_api, alice):
    [mine] = alice_api.get("/api/v1/me/tokens").json()
    assert alice_api.delete(f"/api/v1/me/tokens/{mine['id']}").status_code == 204
    assert alice_api.get("/api/v1/me/tokens").status_code == 401


def test_someone_elses_token_is_a_404_and_keeps_working(alice_api, bob):
    theirs, raw = create_api_token(bob, "bob's", timezone.now())
    url = f"/api/v1/me/tokens/{theirs.id}"
    assert alice_api.get(url).status_code == 404
    assert alice_api.delete(url).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert ApiClient(Client(), raw).get("/api/v1/me").status_code == 200


def test_an_id_that_is_not_a_number_is_a_404(alice_api):
    assert alice_api.delete("/api/v1/me/tokens/first").status_code == 404
    assert ApiToken.objects.count() == 1


def test_the_list_takes_the_same_queries_for_few_or_many(alice_api, alice):
    alice_api.get("/api/v1/me")  # the token's first use is recorded once, outside the count
    with CaptureQueriesContext(connection) as few:
        alice_api.get("/api/v1/me/tokens")
    for n in range(10):
        create_api_token(alice, f"t{n}", timezone.now())
    with CaptureQueriesContext(connection) as many:
        assert len(alice_api.get("/api/v1/me/tokens").json()) == 11
    assert len(many) == len(few)
