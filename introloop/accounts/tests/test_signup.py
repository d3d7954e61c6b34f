import re

import pytest
from django.urls import reverse

from introloop.accounts.models import User
from introloop.outbox.models import Message

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Dana Diaz",
    "email": "Dana@Example.com ",
    "password": "a long and unusual passphrase",
    "time_zone": "America/Chicago",
}


def test_it_creates_the_account_logs_in_and_queues_a_verification_email(client):
    response = client.post(reverse("accounts:signup"), GOOD)

    assert response.status_code == 302
    assert response.url == reverse("today")
    user = User.objects.get()
    assert user.email == "dana@example.com"
    assert user.name == "Dana Diaz"
    assert user.time_zone == "America/Chicago"
    assert user.password.startswith("argon2")
    assert not user.is_verified
    assert client.get(reverse("today")).context["user"] == user

    message = Message.objects.get()
    assert message.to == ["dana@example.com"]
    assert message.user == user
    assert "Confirm your email" in message.subject
    assert re.search(r"http://127\.0\.0\.1:8000/accounts/verify/\S+/\S+/", message.body_text)
    assert "Confirm my email" in message.body_html


def test_it_shows_the_unverified_banner_until_confirmed(client):
    client.post(reverse("accounts:signup"), GOOD)
    page = client.get(reverse("today")).content.decode()
    assert "Please confirm your email address" in page


def test_it_refuses_an_address_already_taken_in_any_letter_case(client, alice):
    response = client.post(reverse("accounts:signup"), {**GOOD, "email": "ALICE@example.com"})

    assert response.status_code == 200
    assert "An account with this email already exists" in response.content.decode()
    assert User.objects.count() == 1
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("email", "not-an-address", "Enter a valid email address."),
        ("email", "", "This field is required."),
        ("password", "12345678", "This password is too common."),
        ("password", "short", "This password is too short."),
        ("password", "dana@example.com", "The password is too similar"),
        ("time_zone", "Mars/Olympus", "Select a valid choice."),
    ],
)
def test_it_shows_inline_errors_and_creates_nothing(client, field, value, error):
    response = client.post(reverse("accounts:signup"), {**GOOD, field: value})

    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert f'id="id_{field}_error"' in html or field == "time_zone"
    assert User.objects.count() == 0
    assert Message.objects.count() == 0


def test_the_time_zone_defaults_to_utc_without_javascript(client):
    client.post(reverse("accounts:signup"), {**GOOD, "time_zone": ""})
    assert User.objects.get().time_zone == "UTC"


def test_it_can_be_closed_by_the_operator(client, settings):
    settings.REGISTRATION_OPEN = False
    response = client.post(reverse("accounts:signup"), GOOD)
    assert response.status_code == 403
    assert "Sign-up is closed" in response.content.decode()
    assert User.objects.count() == 0


def test_a_logged_in_user_is_sent_on_to_today(alice_client):
    response = alice_client.get(reverse("accounts:signup"))
    assert response.status_code == 302
    assert response.url == reverse("today")
