import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_me_answers_with_the_token_owner(alice_api, alice):
    response = alice_api.get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body.pop("calendar_url").endswith(".ics")
    assert body.pop("capture_address") is None  # capture is off without CAPTURE_DOMAIN
    assert body == {
        "id": alice.id,
        "email": "alice@example.com",
        "name": "Alice Archer",
        "time_zone": "Europe/Paris",
        "email_verified": True,
    }


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer il_not-a-real-token", "Token abc", "Basic YWxpY2U6cGFzcw=="],
)
def test_missing_or_wrong_credentials_get_a_json_401(db, header):
    headers = {"Authorization": header} if header else {}
    response = Client().get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "API token" in response.json()["detail"]


def test_a_session_cookie_is_not_an_api_credential(alice_client):
    assert alice_client.get("/api/v1/me").status_code == 401


def test_a_deactivated_users_token_stops_working(alice_api, alice):
    alice.is_active = False
    alice.save()
    assert alice_api.get("/api/v1/me").status_code == 401


def test_patch_me_changes_name_and_time_zone(alice_api, alice):
    response = alice_api.patch("/api/v1/me", json={"name": " Alice A. ", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 200
    assert response.json()["time_zone"] == "Asia/Tokyo"
    alice.refresh_from_db()
    assert (alice.name, alice.time_zone) == ("Alice A.", "Asia/Tokyo")


def test_a_bad_value_is_a_422_naming_the_field_and_changes_nothing(alice_api, alice):
    response = alice_api.patch("/api/v1/me", json={"name": "Al", "time_zone": "Mars/Base"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {"field": "time_zone", "message": "Unknown time zone 'Mars/Base'; use an IANA name like "
         "Europe/Paris"},
    ]  # fmt: skip
    assert body["detail"].startswith("time_zone: Unknown time zone")
    alice.refresh_from_db()
    assert alice.name == "Alice Archer"


def test_a_wrong_type_is_a_422_naming_the_field(alice_api):
    response = alice_api.patch("/api/v1/me", json={"name": ["not", "a", "string"]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"


@pytest.mark.parametrize("body", ['{"name": ', "not json at all", "\x00\xff"])
def test_malformed_json_is_a_400_with_a_message(alice_api, body):
    response = alice_api.client.patch(
        "/api/v1/me", data=body, content_type="application/json", headers=alice_api.headers
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not a valid JSON object."}


def test_a_json_body_that_is_not_an_object_is_a_400(alice_api):
    response = alice_api.client.patch(
        "/api/v1/me", data=json.dumps([1, 2]), content_type="application/json",
        headers=alice_api.headers,
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not a valid JSON object."}


def test_an_unknown_api_path_is_a_json_404(alice_api):
    response = alice_api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_wrong_method_is_a_405(alice_api):
    assert alice_api.delete("/api/v1/me").status_code == 405


def test_the_openapi_document_describes_the_api_and_its_auth(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/me" in spec["paths"]
    assert {"get", "patch"} <= set(spec["paths"]["/api/v1/me"])
    assert spec["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_the_api_docs_page_uses_no_cdn(db):
    page = Client().get("/api/v1/docs").content.decode()
    assert "cdn." not in page
    assert "/static/" in page
