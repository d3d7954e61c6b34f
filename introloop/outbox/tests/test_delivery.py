import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from introloop.outbox import delivery
from introloop.outbox.models import Message
from introloop.outbox.services import queue_message

pytestmark = pytest.mark.django_db


def queue(n: int = 1, **kw) -> list[Message]:
    return [
        queue_message(to=[f"person{i}@example.com"], subject=f"Message {i}", body_text="Hi", **kw)
        for i in range(n)
    ]


def test_queued_mail_reaches_the_smtp_server_with_its_fixed_message_id(smtp_server):
    [message] = queue(body_html="<p>Hi</p>", headers={"X-Introloop-Kind": "test"})

    assert delivery.deliver_due(timezone.now()) == 1

    [received] = smtp_server.messages()
    assert received["Message-ID"] == message.message_id
    assert received["X-Introloop-Kind"] == "test"
    assert received.get_body(("html",)).get_content().strip() == "<p>Hi</p>"
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    # A second pass sends nothing again.
    assert delivery.deliver_due(timezone.now() + timedelta(hours=1)) == 0
    assert len(smtp_server.received) == 1


def test_without_smtp_configured_mail_stays_queued(settings):
    settings.SMTP = None
    [message] = queue()
    assert delivery.deliver_due(timezone.now()) == 0
    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.attempts == 0


def test_a_server_that_is_down_delays_mail_with_backoff_and_loses_nothing(settings):
    from conftest import free_port

    settings.SMTP = {"host": "127.0.0.1", "port": free_port(), "timeout": 2}
    [message] = queue()
    now = timezone.now()

    assert delivery.deliver_due(now) == 0

    message.refresh_from_db()
    assert message.status == Message.Status.QUEUED
    assert message.attempts == 1
    assert "Connection refused" in message.last_error
    assert message.next_attempt_at == now + timedelta(minutes=1)
    # Not retried before its time.
    assert delivery.deliver_due(now + timedelta(seconds=30)) == 0
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_server_that_refuses_for_a_while_then_recovers_gets_every_message_once(smtp_server):
    messages = queue(5)
    smtp_server.refuse_next = 3
    now = timezone.now()

    # Each pass stops at the first refusal; passes follow the backoff schedule.
    for minutes in range(0, 60, 1):
        delivery.deliver_due(now + timedelta(minutes=minutes))

    assert sorted(smtp_server.message_ids()) == sorted(m.message_id for m in messages)
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}


def test_backoff_doubles_up_to_two_hours():
    assert [delivery.backoff(n).total_seconds() / 60 for n in range(1, 10)] == [
        1, 2, 4, 8, 16, 32, 64, 120, 120,
    ]  # fmt: skip


def test_after_the_last_attempt_a_message_is_failed_and_staff_can_retry_it(settings, smtp_server):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    [message] = queue()
    smtp_server.refuse_next = 2
    now = timezone.now()
    delivery.deliver_due(now)
    delivery.deliver_due(now + timedelta(minutes=5))
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "451" in message.last_error
    assert delivery.deliver_due(now + timedelta(days=1)) == 0

    delivery.retry_now(message, now + timedelta(days=1))

    assert delivery.deliver_due(now + timedelta(days=1)) == 1
    assert smtp_server.message_ids() == [message.message_id]


def test_a_message_claimed_by_a_worker_that_died_is_sent_after_its_lease(smtp_server, settings):
    [message] = queue()
    now = timezone.now()
    claimed = delivery.claim_next(now)  # ... and the worker dies before sending
    assert claimed.id == message.id

    assert delivery.deliver_due(now + timedelta(seconds=10)) == 0  # still leased
    later = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    assert delivery.deliver_due(later) == 1

    assert smtp_server.message_ids() == [message.message_id]
    message.refresh_from_db()
    assert message.attempts == 2


def test_two_claims_at_the_same_moment_get_different_messages(db):
    first, second = queue(2)
    now = timezone.now()
    a = delivery.claim_next(now)
    b = delivery.claim_next(now)
    assert {a.id, b.id} == {first.id, second.id}
    assert delivery.claim_next(now) is None


def test_a_message_id_can_only_be_claimed_while_unclaimed(db):
    [message] = queue()
    now = timezone.now()
    assert delivery.claim_next(now) is not None
    # Someone else's conditional update on the same row changes nothing.
    assert delivery._due(now).filter(id=message.id).update(attempts=99) == 0


def database_url_for_subprocess() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_three_worker_processes_deliver_each_message_exactly_once(smtp_server, settings):
    messages = queue(120)
    smtp_server.delay = 0.01  # slow enough that the three workers overlap
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocess(),
        "INTROLOOP_DATA_DIR": str(settings.DATA_DIR),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
    }
    command = [sys.executable, "-m", "introloop", "worker", "--once"]
    started = time.monotonic()
    workers = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE) for _ in range(3)]
    outputs = [worker.communicate(timeout=120)[0].decode() for worker in workers]

    assert all(worker.returncode == 0 for worker in workers), outputs
    ids = smtp_server.message_ids()
    assert len(ids) == len(messages), f"{len(ids)} received in {time.monotonic() - started:.1f}s"
    assert sorted(ids) == sorted(m.message_id for m in messages)
    assert Message.objects.filter(status=Message.Status.SENT).count() == 120
    assert len(smtp_server.peers) >= 2, "the workers did not overlap; the test proves nothing"
