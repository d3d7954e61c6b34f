from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, email, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def test_it_logs_in_with_the_email_in_any_case_and_lands_on_today(client, alice):
    response = log_in(client, "  ALICE@example.com", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("today")
    assert int(client.session["_auth_user_id"]) == alice.id


def test_it_follows_next_but_only_within_the_site(client, alice):
    response = client.post(
        reverse("accounts:login") + "?next=/settings/",
        {"username": alice.email, "password": PASSWORD, "next": "/settings/"},
    )
    assert response.url == "/settings/"
    client.logout()
    response = client.post(
        reverse("accounts:login"),
        {"username": alice.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse("today")


def test_a_wrong_password_gets_an_inline_error(client, alice):
    response = log_in(client, alice.email, "nope")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_address_even_with_the_right_password(client, alice, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        log_in(client, alice.email, "wrong guess")

    response = log_in(client, alice.email, PASSWORD)

    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_the_window(client, alice, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        log_in(client, alice.email, "wrong guess")
    later = timezone.now() + timedelta(seconds=settings.LOGIN_FAILURE_WINDOW + 1)
    with time_machine.travel(later):
        response = log_in(client, alice.email, PASSWORD)
    assert response.status_code == 302


def test_guessing_many_addresses_from_one_ip_is_limited_too(client, alice, settings):
    for n in range(settings.LOGIN_FAILURE_LIMIT * 4):
        log_in(client, f"someone{n}@example.com", "guess")
    response = log_in(client, alice.email, PASSWORD)
    assert "Too many failed attempts" in response.content.decode()
    # Another client address is not affected.
    assert log_in(client, alice.email, PASSWORD, REMOTE_ADDR="10.1.2.3").status_code == 302


def test_a_success_clears_the_failures_of_that_address(client, alice, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        log_in(client, alice.email, "wrong guess")
    assert log_in(client, alice.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        log_in(client, alice.email, "wrong guess")
    assert log_in(client, alice.email, PASSWORD).status_code == 302


def test_an_inactive_account_cannot_log_in(client, alice):
    alice.is_active = False
    alice.save()
    assert log_in(client, alice.email, PASSWORD).status_code == 200


def test_log_out_needs_a_post(alice_client):
    assert alice_client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in alice_client.session
    response = alice_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in alice_client.session


def test_pages_need_a_login(client, db):
    for name in (
        "today",
        "network:list",
        "intros:mine",
        "goals:list",
        "goals:dashboard",
        "accounts:profile",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
