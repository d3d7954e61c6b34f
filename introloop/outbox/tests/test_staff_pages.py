import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from introloop.outbox.models import Message
from introloop.outbox.services import queue_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(charlie):
    client = Client()
    client.force_login(charlie)
    return client


def test_staff_read_queued_mail_and_follow_its_links(staff_client, settings):
    settings.SMTP = None
    message = queue_message(
        to=["dana@example.com"], subject="Confirm", body_text="Open http://x.example/v/1/"
    )
    listing = staff_client.get(reverse("outbox:list")).content.decode()
    assert "No SMTP server is configured" in listing
    assert "dana@example.com" in listing and "Queued" in listing

    detail = staff_client.get(reverse("outbox:detail", args=[message.id])).content.decode()
    assert '<a href="http://x.example/v/1/"' in detail


def test_the_list_filters_by_status_in_a_constant_number_of_queries(staff_client):
    for n in range(3):
        queue_message(to=[f"p{n}@example.com"], subject=f"Subject {n}", body_text="b")
    Message.objects.filter(subject="Subject 0").update(status=Message.Status.FAILED)

    with CaptureQueriesContext(connection) as few:
        staff_client.get(reverse("outbox:list"))
    for n in range(30):
        queue_message(to=[f"q{n}@example.com"], subject=f"More {n}", body_text="b")
    with CaptureQueriesContext(connection) as many:
        page = staff_client.get(reverse("outbox:list") + "?status=failed").content.decode()
    assert len(many) == len(few)
    assert "Subject 0" in page and "Subject 1" not in page
    assert "Retry 1 failed message" in page


def test_retry_puts_a_failed_message_back_in_the_queue(staff_client):
    message = queue_message(to=["p@example.com"], subject="s", body_text="b")
    Message.objects.filter(id=message.id).update(status=Message.Status.FAILED, attempts=12)

    response = staff_client.post(reverse("outbox:retry", args=[message.id]))

    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.QUEUED, 0)


def test_a_bad_page_number_does_not_break_the_list(staff_client):
    assert staff_client.get(reverse("outbox:list") + "?page=zzz&status=nonsense").status_code == 200


def test_the_outbox_does_not_exist_for_other_users(alice_client):
    message = queue_message(to=["p@example.com"], subject="s", body_text="b")
    assert alice_client.get(reverse("outbox:list")).status_code == 404
    assert alice_client.get(reverse("outbox:detail", args=[message.id])).status_code == 404
    assert alice_client.post(reverse("outbox:retry_failed")).status_code == 404
