import re

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from introloop.outbox.delivery import deliver_due
from introloop.outbox.models import Message

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 42"


def ask_for_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def reset_link(message: Message) -> str:
    return re.search(r"http://127\.0\.0\.1:8000(/accounts/password-reset/\S+/)", message.body_text)[
        1
    ]


def test_the_reset_email_lands_in_the_outbox_and_its_link_sets_a_new_password(client, alice):
    response = ask_for_reset(client, "Alice@Example.com")
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")

    message = Message.objects.get()
    assert message.to == [alice.email]
    assert message.subject == "Reset your Introloop password"
    assert message.status == Message.Status.QUEUED

    form_page = client.get(reset_link(message), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)

    # The link is spent.
    again = client.get(reset_link(message), follow=True)
    assert "no longer works" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, alice):
    response = ask_for_reset(client, "nobody@example.com")
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert Message.objects.count() == 0


def test_at_most_three_reset_mails_an_hour_per_address(client, alice):
    for _ in range(6):
        assert ask_for_reset(client, alice.email).status_code == 302
    assert Message.objects.count() == 3


def test_a_malformed_address_gets_an_inline_error(client, db):
    response = ask_for_reset(client, "not an address")
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()


def test_the_reset_email_reaches_a_real_smtp_server(client, alice, smtp_server):
    ask_for_reset(client, alice.email)

    assert deliver_due(timezone.now()) == 1

    [received] = smtp_server.messages()
    assert received["To"] == alice.email
    assert received["Subject"] == "Reset your Introloop password"
    text = received.get_body(("plain",)).get_content()
    assert "/accounts/password-reset/" in text
    html = received.get_body(("html",)).get_content()
    assert "Choose a new password" in html
    assert Message.objects.get().status == Message.Status.SENT


def test_changing_the_password_in_settings_keeps_you_logged_in(alice_client, alice):
    response = alice_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert alice_client.get(reverse("accounts:profile")).status_code == 200


def test_a_wrong_current_password_is_refused_inline(alice_client, alice):
    response = alice_client.post(
        reverse("accounts:password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_a_new_password_can_revoke_every_api_token_at_once(client, alice):
    from introloop.accounts.models import ApiToken
    from introloop.accounts.services import create_api_token

    for name in ("laptop", "phone"):
        create_api_token(alice, name, timezone.now())
    client.force_login(alice)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "another long passphrase 42",
         "new_password2": "another long passphrase 42", "revoke_tokens": "on"},
        follow=True,
    )  # fmt: skip
    assert "2 API tokens revoked" in response.content.decode()
    assert not ApiToken.objects.filter(user=alice).exists()
