"""Whatever a client sends, the API answers it with a clear 4xx naming the field, never a 500,
and changes nothing: the checks live at the boundary (api/parser.py, api/types.py)."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from introloop.intros.models import Intro
from introloop.network.models import Contact

pytestmark = pytest.mark.django_db

INTRO = {
    "connector_name": "Cora", "connector_email": "cora@example.org", "seeker_name": "Alice",
    "seeker_email": "alice@example.com", "target_name": "Tom", "target_email": "tom@example.org",
    "purpose": "Advice",
}  # fmt: skip


def post(api, path: str, body) -> object:
    return api.client.post(path, data=json.dumps(body), content_type="application/json",
                           headers=api.headers)  # fmt: skip


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/contacts", {"full_name": "Ann\u0000Lee"}, "full_name"),
        ("/api/v1/contacts", {"full_name": "Ann\ud800Lee"}, "full_name"),
        ("/api/v1/contacts", {"full_name": "Ann", "tags": ["ok", "bad\u0000"]}, "tags.1"),
        ("/api/v1/interactions", {"kind": "call", "occurred_on": "2026-01-05",
                                  "contact_ids": [2**63]}, "contact_ids.0"),
        ("/api/v1/interactions", {"kind": "call", "occurred_on": "9999-12-31",
                                  "contact_ids": [1]}, "occurred_on"),
        ("/api/v1/asks", {"contact_id": 2**64, "kind": "advice"}, "contact_id"),
        ("/api/v1/intros", {**INTRO, "introduced_at": "9999-12-31T23:59:59Z"}, "introduced_at"),
        ("/api/v1/intros", {**INTRO, "purpose": "\ud83d"}, "purpose"),
    ],
)  # fmt: skip
def test_bad_values_in_a_body_are_a_422_naming_the_field(alice_api, path, body, field):
    response = post(alice_api, path, body)

    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    assert not Contact.objects.exists() and not Intro.objects.exists()


def test_nan_and_infinity_are_not_json(alice_api):
    response = alice_api.client.post(
        "/api/v1/contacts", data='{"full_name": "Ann", "keep_in_touch_days": NaN}',
        content_type="application/json", headers=alice_api.headers,
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["detail"] == "The request body is not a valid JSON object."
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    "query",
    ["/api/v1/contacts?offset=99999999999999999999", "/api/v1/contacts?limit=-99999999999999999999",
     "/api/v1/contacts?q=a%00b", "/api/v1/intros?role=seeker&offset=9223372036854775808",
     "/api/v1/today?as_of=9999-12-31T23:59:59"],
)  # fmt: skip
def test_bad_values_in_a_query_are_a_422(alice_api, query):
    response = alice_api.client.get(query, headers=alice_api.headers)
    assert response.status_code == 422, response.content


def test_a_moment_without_a_time_zone_is_read_in_the_accounts_zone(alice_api, alice):
    response = post(alice_api, "/api/v1/intros", {**INTRO, "introduced_at": "2026-01-05T10:00"})

    assert response.status_code == 201, response.content
    intro = Intro.objects.get()
    assert intro.introduced_at == datetime(2026, 1, 5, 10, 0, tzinfo=ZoneInfo(alice.time_zone))
