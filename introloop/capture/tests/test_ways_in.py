"""Ways in: the private address, the upload endpoint and the SMTP listener store a message
once per account, and refuse what is not theirs to take."""

import smtplib

import pytest
from django.utils import timezone

from conftest import free_port
from introloop.capture import intake
from introloop.capture.mailin import controller
from introloop.capture.models import CapturedMessage

from .conftest import MAIL, mail


def test_capture_address_is_null_while_capture_is_off(alice_api, settings):
    settings.CAPTURE_DOMAIN = ""
    assert alice_api.get("/api/v1/me").json()["capture_address"] is None


def test_each_account_has_its_own_unguessable_address(alice, bob, capture_on, alice_api):
    address = alice_api.get("/api/v1/me").json()["capture_address"]
    token, _, domain = address.partition("@")
    assert domain == "capture.example.net" and len(token) == 20
    assert intake.user_for_address(address) == alice
    assert intake.capture_address(bob) != address


def test_plus_addressing_puts_the_token_after_the_local_part(alice, capture_on):
    capture_on.CAPTURE_LOCALPART = "capture"
    address = intake.capture_address(alice)
    assert address.startswith("capture+")
    assert intake.user_for_address(f"Alice <{address}>") == alice


def test_a_new_address_revokes_the_old_one(alice, capture_on):
    old = intake.capture_address(alice)
    new = intake.new_address(alice)
    assert new != old
    assert intake.user_for_address(old) is None
    assert intake.user_for_address(new) == alice


def test_an_upload_is_stored_once(alice_api):
    raw = (MAIL / "gmail_reply.eml").read_bytes()
    first = alice_api.client.post(
        "/api/v1/capture", data=raw, content_type="message/rfc822", headers=alice_api.headers
    )
    again = alice_api.client.post(
        "/api/v1/capture", data=raw, content_type="message/rfc822", headers=alice_api.headers
    )
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["message_id"] == "CAF=gmail-reply-1@mail.gmail.com"
    assert CapturedMessage.objects.count() == 1


def test_the_same_message_id_with_other_bytes_is_the_same_message(alice):
    now = timezone.now()
    one, created = intake.store(alice, mail("a@x.org", "b@x.org", message_id="same"), "smtp", now)
    two, again = intake.store(
        alice, mail("a@x.org", "b@x.org", "Re", message_id="same"), "imap", now
    )
    assert created and not again and one.pk == two.pk


def test_an_upload_as_a_file_field(alice_api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("fwd.eml", (MAIL / "attached_forward.eml").read_bytes())
    response = alice_api.client.post(
        "/api/v1/capture", data={"file": upload}, headers=alice_api.headers
    )
    assert response.status_code == 201


def test_a_message_over_the_limit_is_refused(alice_api, settings):
    settings.CAPTURE_MAX_BYTES = 1000
    raw = mail("a@x.org", "b@x.org", body="x" * 2000)
    response = alice_api.client.post(
        "/api/v1/capture", data=raw, content_type="message/rfc822", headers=alice_api.headers
    )
    assert response.status_code == 413
    assert not CapturedMessage.objects.exists()


@pytest.mark.parametrize("body", [b"", b"hello world", b'{"json": true}', b"\x89PNG\r\n\x1a\n"])
def test_what_is_not_a_message_is_refused(alice_api, body):
    response = alice_api.client.post(
        "/api/v1/capture", data=body, content_type="message/rfc822", headers=alice_api.headers
    )
    assert response.status_code == 400
    assert not CapturedMessage.objects.exists()


def test_an_upload_needs_a_token(client):
    response = client.post(
        "/api/v1/capture", data=b"From: a@b.c\n\nx", content_type="message/rfc822"
    )
    assert response.status_code == 401


def crlf(raw: bytes) -> bytes:
    """As an MTA sends it (smtplib leaves the line ends of bytes as they are)."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.fixture
def mailin(capture_on, transactional_db):
    port = free_port()
    running = controller("127.0.0.1", port)
    running.start()
    yield port
    running.stop()


def test_mailin_stores_mail_for_a_capture_address(alice, mailin):
    address = intake.capture_address(alice)
    with smtplib.SMTP("127.0.0.1", mailin) as smtp:
        smtp.sendmail("maya@example.com", [address], crlf((MAIL / "gmail_reply.eml").read_bytes()))
        # The same message again (a retrying MTA) is accepted and not stored twice.
        smtp.sendmail("maya@example.com", [address], crlf((MAIL / "gmail_reply.eml").read_bytes()))
    stored = CapturedMessage.objects.get()
    assert (stored.owner, stored.source) == (alice, "smtp")


def test_mailin_refuses_unknown_tokens_and_other_domains(alice, mailin):
    with smtplib.SMTP("127.0.0.1", mailin) as smtp:
        smtp.ehlo()
        assert smtp.mail("maya@example.com")[0] == 250
        code, text = smtp.rcpt("nobodyxyz@capture.example.net")
        assert code == 550
        code, text = smtp.rcpt("someone@elsewhere.example")
        assert code == 550 and b"Relay" in text
    assert not CapturedMessage.objects.exists()


def test_mailin_refuses_a_message_over_the_limit(alice, mailin, settings):
    settings.CAPTURE_MAX_BYTES = 2000
    address = intake.capture_address(alice)
    with smtplib.SMTP("127.0.0.1", mailin) as smtp, pytest.raises(smtplib.SMTPException) as error:
        smtp.sendmail(
            "maya@example.com", [address], crlf(mail("a@x.org", address, body="x\n" * 3000))
        )
    assert "552" in str(error.value) or getattr(error.value, "smtp_code", 0) == 552
    assert not CapturedMessage.objects.exists()


def test_a_50_mb_message_is_refused_without_being_stored(alice_api):
    raw = b"From: a@example.org\r\nTo: b@example.org\r\n\r\n" + b"x" * (50 * 1024 * 1024)
    response = alice_api.client.post(
        "/api/v1/capture", data=raw, content_type="message/rfc822", headers=alice_api.headers
    )
    assert response.status_code == 413
    assert not CapturedMessage.objects.exists()


def test_mailin_offers_starttls_with_a_certificate(transactional_db, alice, capture_on, tmp_path):
    """With MAILIN_TLS_CERT/KEY, a sending server can encrypt what it delivers: STARTTLS is
    offered, the session upgrades, and the message is captured as over plain SMTP."""
    import ssl
    import subprocess

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=capture.example.net", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    capture_on.MAILIN_TLS_CERT, capture_on.MAILIN_TLS_KEY = str(cert), str(key)
    port = free_port()
    running = controller("127.0.0.1", port)
    running.start()
    try:
        client_context = ssl.create_default_context(cafile=str(cert))
        client_context.check_hostname = False
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.ehlo()
            assert smtp.has_extn("starttls")
            assert smtp.starttls(context=client_context)[0] == 220
            smtp.ehlo()
            smtp.sendmail("maya@example.com", [intake.capture_address(alice)],
                          mail("Maya <maya@example.com>", "tom@example.org", body="Over TLS"))  # fmt: skip
    finally:
        running.stop()
    assert CapturedMessage.objects.filter(owner=alice, source="smtp").count() == 1
