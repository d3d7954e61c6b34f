import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_home_page_explains_introloop_to_visitors(client):
    page = client.get("/").content.decode()
    assert "Every introduction, followed through." in page
    assert 'href="/accounts/signup/"' in page


def test_the_home_page_sends_members_to_today(alice_client):
    response = alice_client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("today")


def test_every_section_of_the_navigation_answers(alice_client):
    page = alice_client.get(reverse("today")).content.decode()
    for name in (
        "today",
        "network:list",
        "intros:mine",
        "goals:list",
        "goals:dashboard",
        "accounts:profile",
    ):
        assert f'href="{reverse(name)}"' in page
        assert alice_client.get(reverse(name)).status_code == 200
    assert 'aria-current="page">Today<' in page


def test_the_outbox_link_is_for_staff_only(alice_client, charlie):
    assert "/staff/outbox/" not in alice_client.get(reverse("today")).content.decode()
    client = Client()
    client.force_login(charlie)
    assert "/staff/outbox/" in client.get(reverse("today")).content.decode()


def test_a_missing_page_is_a_friendly_404_in_the_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find that page" in page
    assert "Skip to main content" in page


def test_a_server_error_is_a_friendly_500_that_reveals_nothing(db, settings):
    from introloop.views import server_error

    response = server_error(Client().get("/").wsgi_request)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page


def test_api_errors_outside_ninja_are_json(client):
    response = client.get("/api/v2/anything")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_pages_carry_the_security_headers(client):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_forms_reject_a_post_without_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a@example.com", "password": "x"})
    assert response.status_code == 403
    assert "You do not have access to this" in response.content.decode()
