import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from introloop.accounts.services import queue_verification_email, verification_path
from introloop.outbox.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(db):
    return make_user("dana@example.com", "Dana", verified=False)


def emailed_link(user) -> str:
    queue_verification_email(user, timezone.now())
    body = Message.objects.filter(user=user).latest("id").body_text
    return re.search(r"http://127\.0\.0\.1:8000(/accounts/verify/\S+/)", body).group(1)


def test_opening_the_link_asks_for_confirmation_and_changes_nothing(client, dana):
    response = client.get(emailed_link(dana))

    assert response.status_code == 200
    assert "Confirm dana@example.com" in response.content.decode()
    dana.refresh_from_db()
    assert not dana.is_verified


def test_confirming_verifies_the_address_without_logging_in(client, dana):
    link = emailed_link(dana)

    response = client.post(link)

    assert response.status_code == 302
    dana.refresh_from_db()
    assert dana.is_verified
    assert "_auth_user_id" not in client.session


def test_a_link_works_only_once(client, dana):
    link = emailed_link(dana)
    client.post(link)
    verified_at = type(dana).objects.get(pk=dana.pk).email_verified_at

    response = client.post(link)

    assert response.status_code == 400
    assert "This link no longer works" in response.content.decode()
    assert type(dana).objects.get(pk=dana.pk).email_verified_at == verified_at


def test_a_tampered_or_garbled_link_is_refused(client, dana):
    link = emailed_link(dana)
    uid, token = link.strip("/").split("/")[-2:]

    assert client.post(f"/accounts/verify/{uid}/{token[:-2]}xx/").status_code == 400
    assert client.post(f"/accounts/verify/%%%/{token}/").status_code in (400, 404)
    assert client.post(f"/accounts/verify/MTIzNDU2/{token}/").status_code == 400
    dana.refresh_from_db()
    assert not dana.is_verified


def test_a_link_expires(client, dana, settings):
    link = emailed_link(dana)
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)
    ):
        response = client.post(link)
    assert response.status_code == 400
    dana.refresh_from_db()
    assert not dana.is_verified


def test_a_link_for_an_old_address_dies_when_the_address_changes(client, dana):
    path = verification_path(dana)
    dana.email = "dana.new@example.com"
    dana.save()
    assert client.post(path).status_code == 400


def test_resending_is_limited_to_three_an_hour(client, dana):
    client.force_login(dana)
    for _ in range(5):
        client.post(reverse("accounts:resend_verification"))
    assert Message.objects.filter(user=dana).count() == 3
    response = client.post(reverse("accounts:resend_verification"), follow=True)
    assert "try again in an hour" in response.content.decode()
