import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from introloop.outbox.backends import OutboxBackend
from introloop.outbox.models import Message
from introloop.outbox.services import queue_message

pytestmark = pytest.mark.django_db


def test_queueing_stores_everything_needed_to_send_later(alice):
    message = queue_message(
        to=["a@example.com"],
        subject="Hello\r\nBcc: injected@example.com",
        body_text="Plain",
        body_html="<p>Rich</p>",
        user=alice,
        headers={"List-Unsubscribe": "<https://x.example/u>"},
    )
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.subject == "Hello Bcc: injected@example.com"  # one line, no header injection
    assert message.message_id.startswith("<") and message.message_id.endswith(">")
    assert message.headers == {"List-Unsubscribe": "<https://x.example/u>"}
    assert message.attempts == 0


def test_every_message_gets_its_own_message_id(db):
    ids = {
        queue_message(to=["a@example.com"], subject="s", body_text="b").message_id
        for _ in range(20)
    }
    assert len(ids) == 20


def test_djangos_own_mail_goes_to_the_outbox_through_the_backend(db):
    email = EmailMultiAlternatives("Subject", "Body", "from@example.com", ["to@example.com"])
    email.attach_alternative("<b>Body</b>", "text/html")

    assert OutboxBackend().send_messages([email]) == 1

    message = Message.objects.get()
    assert message.to == ["to@example.com"]
    assert message.from_email == "from@example.com"
    assert message.body_html == "<b>Body</b>"
    assert len(mail.outbox) == 0  # nothing bypassed the outbox
