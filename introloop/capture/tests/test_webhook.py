"""A mail provider's inbound webhook: the provider's real payload posted to the real URL is
stored once for the account it was sent to, and read by the worker; a wrong secret, an unknown
address or a broken payload store nothing and never answer 500."""

import base64
import hashlib
import hmac
import importlib
import json
import logging
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import clear_url_caches

import introloop.urls
from introloop.capture import intake
from introloop.capture.models import CapturedMessage
from introloop.capture.services import process_next
from introloop.outbox.replykeys import reply_address

from .conftest import MAIL, mail
from .test_actions import intro_of

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
SECRET = "provider:a-long-random-secret"
POSTMARK = "/capture/webhooks/postmark/inbound/"
MAILGUN_MIME = "/capture/webhooks/mailgun/inbound_mime/"


@pytest.fixture
def mount(capture_on):
    """Sets CAPTURE_WEBHOOK_SECRET and reads urls.py again, as a start-up with it would."""
    before = capture_on.CAPTURE_WEBHOOK_SECRET

    def with_secret(secret: str) -> None:
        capture_on.CAPTURE_WEBHOOK_SECRET = secret
        capture_on.ANYMAIL = {"WEBHOOK_SECRET": secret}
        importlib.reload(introloop.urls)
        clear_url_caches()

    yield with_secret
    with_secret(before)


@pytest.fixture
def webhook_on(mount, capture_on):
    mount(SECRET)
    return capture_on


@pytest.fixture
def provider():
    # As the provider is: no session, no CSRF token, and errors seen as the status it gets.
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def auth(secret: str = SECRET) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(secret.encode()).decode()}


def postmark(raw: bytes, recipient: str | None, secret: str = SECRET, client=None):
    """Postmark's inbound JSON with "Include raw email content" on."""
    payload = {"MessageID": "0b1e3c00-pm", "RawEmail": raw.decode(), "Headers": []}
    if recipient:
        payload["OriginalRecipient"] = recipient
    return (client or Client(raise_request_exception=False)).post(
        POSTMARK, data=json.dumps(payload), content_type="application/json", headers=auth(secret)
    )


def forwarded_intro(user) -> bytes:
    raw = (MAIL / "attached_forward.eml").read_bytes()
    return raw.replace(b"maya@example.com", user.email.encode())


def test_a_posted_message_is_stored_once_for_its_account_and_read(alice, bob, webhook_on, provider):
    address = intake.capture_address(alice)
    raw = forwarded_intro(alice)

    first = postmark(raw, address, client=provider)
    again = postmark(raw, address, client=provider)

    assert first.status_code == 200 and again.status_code == 200
    row = CapturedMessage.objects.get()
    assert (row.owner, row.source, row.message_id) == (
        alice,
        "webhook",
        "attached-forward-1@example.com",
    )
    assert process_next(NOW) == 1
    row.refresh_from_db()
    assert (row.action, row.event) == ("applied", "introduced")


def test_without_an_envelope_the_to_and_cc_addresses_find_each_account(alice, bob, webhook_on):
    to, cc = intake.capture_address(alice), intake.capture_address(bob)
    raw = mail("Carla <carla@example.org>", f"Tom <tom@example.org>, {to}", cc=f"Bob <{cc}>")

    assert postmark(raw, None).status_code == 200

    assert sorted(CapturedMessage.objects.values_list("owner__email", flat=True)) == [
        "alice@example.com",
        "bob@example.com",
    ]


def test_a_reply_to_an_introductions_record_is_stored_for_its_owner(alice, bob, webhook_on):
    webhook_on.CAPTURE_REPLY_TO = True
    record = reply_address(f"intro:{intro_of(alice).pk}")
    raw = mail("Tom Target <tom@example.org>", record, "Re: Intro", message_id="reply-1")

    assert postmark(raw, record).status_code == 200

    assert CapturedMessage.objects.get().owner == alice


def test_mailgun_raw_mime_with_its_signature(alice, webhook_on):
    webhook_on.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": "key-123"}
    timestamp, token = "1773136800", "a" * 50
    signature = hmac.new(b"key-123", f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    address = intake.capture_address(alice)
    form = {
        "recipient": address, "sender": "alice@example.com", "timestamp": timestamp,
        "token": token, "signature": signature,
        "body-mime": mail("alice@example.com", address, message_id="mg-1").decode(),
    }  # fmt: skip

    assert Client().post(MAILGUN_MIME, data=form, headers=auth()).status_code == 200
    assert CapturedMessage.objects.get().message_id == "mg-1@t"

    form["signature"] = "0" * 64
    form["body-mime"] = mail("alice@example.com", address, message_id="mg-2").decode()
    response = Client(raise_request_exception=False).post(MAILGUN_MIME, data=form, headers=auth())
    assert response.status_code == 400 and CapturedMessage.objects.count() == 1


def test_a_provider_whose_key_is_missing_is_asked_to_retry_not_a_500(alice, webhook_on, caplog):
    form = {"recipient": intake.capture_address(alice), "timestamp": "1", "token": "t",
            "signature": "s", "body-mime": mail("a@x.org", "b@x.org").decode()}  # fmt: skip
    response = Client(raise_request_exception=False).post(MAILGUN_MIME, data=form, headers=auth())
    assert response.status_code == 503  # the provider retries until the operator sets the key
    assert "MAILGUN_WEBHOOK_SIGNING_KEY" in caplog.text
    assert not CapturedMessage.objects.exists()


@pytest.mark.parametrize("secret", ["provider:wrong", "", None])
def test_a_wrong_or_missing_secret_stores_nothing(alice, webhook_on, secret):
    raw = forwarded_intro(alice)
    payload = json.dumps(
        {"RawEmail": raw.decode(), "OriginalRecipient": intake.capture_address(alice)}
    )
    headers = auth(secret) if secret is not None else {}
    response = Client(raise_request_exception=False).post(
        POSTMARK, data=payload, content_type="application/json", headers=headers
    )
    assert response.status_code == 400
    assert not CapturedMessage.objects.exists()


def test_an_unknown_address_stores_nothing(alice, webhook_on, caplog):
    caplog.set_level(logging.INFO, logger="introloop.capture.webhook")
    raw = mail("a@x.org", "nobody@capture.example.net")
    assert postmark(raw, "nobody@capture.example.net").status_code == 200
    assert postmark(raw, "someone@elsewhere.example").status_code == 200
    assert not CapturedMessage.objects.exists()
    assert "no capture address" in caplog.text


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all", b"[1, 2, 3]", b'{"RawEmail": 42}', b'{"Headers": "x"}',
        b"\xff\xfe broken bytes", b'{"RawEmail": "--b\\n\\n\\n--b--", "OriginalRecipient": "@"}',
    ],
    ids=["text", "list", "number", "headers", "bytes", "mime"],
)  # fmt: skip
def test_a_malformed_payload_is_never_a_500_and_stores_nothing(alice, webhook_on, body):
    response = Client(raise_request_exception=False).post(
        POSTMARK, data=body, content_type="application/json", headers=auth()
    )
    assert response.status_code in (200, 400)
    assert not CapturedMessage.objects.exists()


def test_what_is_not_a_message_is_not_stored(alice, webhook_on, caplog):
    caplog.set_level(logging.INFO, logger="introloop.capture.webhook")
    raw = b"just some words, no headers\n"
    assert postmark(raw, intake.capture_address(alice)).status_code == 200
    assert not CapturedMessage.objects.exists()
    assert "refused" in caplog.text


def test_a_message_over_the_limit_is_not_stored(alice, webhook_on, caplog):
    caplog.set_level(logging.INFO, logger="introloop.capture.webhook")
    webhook_on.CAPTURE_MAX_BYTES = 1000
    address = intake.capture_address(alice)
    assert postmark(mail("a@x.org", address, body="x" * 2000), address).status_code == 200
    assert not CapturedMessage.objects.exists()
    assert "larger than" in caplog.text


def test_a_payload_over_the_request_limit_is_a_400(alice, webhook_on):
    webhook_on.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    address = intake.capture_address(alice)
    assert postmark(mail("a@x.org", address, body="x" * 2000), address).status_code == 400
    assert not CapturedMessage.objects.exists()


def test_without_the_setting_there_is_no_webhook(alice, mount):
    mount("")
    address = intake.capture_address(alice)
    assert postmark(forwarded_intro(alice), address).status_code == 404
    assert not CapturedMessage.objects.exists()


def test_a_secret_removed_while_running_closes_the_webhook(alice, webhook_on):
    webhook_on.CAPTURE_WEBHOOK_SECRET = ""  # the URLs stay mounted; the view refuses
    assert postmark(forwarded_intro(alice), intake.capture_address(alice)).status_code == 404


def test_an_8bit_message_is_stored_as_it_was_sent(alice, webhook_on):
    raw = (MAIL / "outlook_forward_de.eml").read_bytes()  # German, 8-bit UTF-8 in the body
    assert postmark(raw, intake.capture_address(alice)).status_code == 200
    assert bytes(CapturedMessage.objects.get().raw) == raw
