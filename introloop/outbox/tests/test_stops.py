"""The stop list is honoured by the outbox itself: whatever queues mail, nothing goes to an
address that asked for no more introduction emails (an account's own emails aside)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from introloop.accounts.services import mark_verified
from introloop.outbox import stops
from introloop.outbox.models import Message, StoppedAddress
from introloop.outbox.services import OutgoingEmail, queue_email, queue_message, queue_messages

pytestmark = pytest.mark.django_db


def stop_path(email: str) -> str:
    return stops.stop_url(email).removeprefix(settings.SITE_URL)


def test_it_leaves_stopped_addresses_out_and_drops_mail_left_for_nobody():
    stops.stop("tom@example.org", timezone.now())
    shared = queue_message(
        to=["Tom Hale <TOM@example.org>", "maya@example.net"], cc=["tom@example.org"],
        subject="s", body_text="b",
    )  # fmt: skip
    assert shared is not None
    assert (shared.to, shared.cc) == (["maya@example.net"], [])
    assert queue_message(to=["tom@example.org"], subject="s", body_text="b") is None
    assert Message.objects.count() == 1


def test_an_accounts_own_emails_still_reach_a_stopped_address(alice):
    stops.stop(alice.email, timezone.now())
    context = {"user": alice, "reset_url": "http://x/reset/"}
    assert queue_email("accounts/password_reset", context, to=[alice.email]) is not None


def test_the_sweeps_bulk_queueing_asks_the_stop_list_once_per_batch():
    stops.stop("tom@example.org", timezone.now())
    emails = [
        OutgoingEmail(to=[f"person{i}@example.net"], subject="s", body_text="b") for i in range(50)
    ] + [OutgoingEmail(to=["tom@example.org"], subject="s", body_text="b")]
    with CaptureQueriesContext(connection) as queries:
        queued = queue_messages(emails, timezone.now())
    assert queued == 50
    stop_reads = [q for q in queries.captured_queries if "outbox_stoppedaddress" in q["sql"]]
    assert len(stop_reads) == 1
    assert not Message.objects.filter(to__icontains="tom@").exists()


def test_mail_waiting_when_they_stop_is_not_sent_to_them():
    now = timezone.now()
    alone = queue_message(to=["tom@example.org"], subject="s", body_text="b")
    shared = queue_message(to=["tom@example.org"], cc=["maya@example.net"], subject="s",
                           body_text="b")  # fmt: skip
    other = queue_message(to=["atom@example.org"], subject="s", body_text="b")
    assert alone and shared and other
    assert stops.stop("Tom@example.org", now) is True

    assert Message.objects.get(pk=alone.pk).status == Message.Status.CANCELED
    kept = Message.objects.get(pk=shared.pk)
    assert (kept.status, kept.to, kept.cc) == (Message.Status.QUEUED, [], ["maya@example.net"])
    assert Message.objects.get(pk=other.pk).to == ["atom@example.org"]  # a longer address


def test_a_message_being_sent_right_now_is_left_alone():
    now = timezone.now()
    sending = queue_message(to=["tom@example.org"], subject="s", body_text="b")
    assert sending is not None
    Message.objects.filter(pk=sending.pk).update(leased_until=now + timedelta(minutes=1))
    stops.stop("tom@example.org", now)
    assert Message.objects.get(pk=sending.pk).status == Message.Status.QUEUED


def test_opening_the_link_asks_and_changes_nothing(client):
    page = client.get(stop_path("tom@example.org"))
    assert page.status_code == 200
    assert "Stop introduction emails to tom@example.org?" in page.content.decode()
    assert not StoppedAddress.objects.exists()


def test_a_replayed_link_says_already_stopped_and_still_offers_erasure(client):
    path = stop_path("tom@example.org")
    client.post(path, {"action": "stop"})
    page = client.get(path).content.decode()
    assert "Already stopped" in page and "Ask for my data to be erased" in page
    again = client.post(path, {"action": "stop"})
    assert again.status_code == 200 and "Already stopped" in again.content.decode()
    client.post(path, {"action": "erase"})
    assert StoppedAddress.objects.get().erasure_requested_at is not None
    assert "was recorded on" in client.get(path).content.decode()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda path: path[:-6] + "xxxxx/",  # a tampered signature
        lambda path: path.split(":")[0] + "/",  # cut short in a mail client
        lambda path: "/stop/" + stops._signer("not-our-key").sign("dG9tQGV4YW1wbGUub3Jn") + "/",
    ],
)
def test_a_forged_or_broken_link_is_a_friendly_400_and_stops_nothing(client, mangle):
    path = mangle(stop_path("tom@example.org"))
    for response in (client.get(path), client.post(path, {"action": "stop"})):
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert not StoppedAddress.objects.exists()


def test_an_address_confirmed_for_an_account_leaves_the_list(bob):
    stops.stop(bob.email, timezone.now())
    mark_verified(bob, timezone.now())
    assert not stops.is_stopped(bob.email)


def test_staff_see_the_stop_list_and_nobody_else_does(
    client, charlie, bob, django_assert_num_queries
):
    stops.stop("tom@example.org", timezone.now())
    stops.stop("maya@example.net", timezone.now(), erase=True)
    url = reverse("outbox:stopped")

    assert client.get(url).status_code == 302  # to the login page
    client.force_login(bob)
    assert client.get(url).status_code == 404

    staff = Client()
    staff.force_login(charlie)
    staff.get(url)  # warm the session
    with django_assert_num_queries(5):  # session, user, count, page, erasure count
        page = staff.get(url)
    html = page.content.decode()
    assert "2 addresses stopped; 1 asked for their data to be erased." in html
    assert html.index("maya@example.net") < html.index("tom@example.org")  # newest first
