"""Workers that lose a race over a message: the claim that another worker won first, and the
outcome of a send that ends after the lease ran out and another worker took the message over.
Whoever loses backs off; nobody sends a message twice, and a delivered message counts as sent."""

import asyncio
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import timezone

from conftest import SmtpSink, free_port
from introloop.outbox import delivery
from introloop.outbox.models import Message
from introloop.outbox.services import queue_message

ACCEPT = "250 OK"
REFUSE = "451 4.3.0 Temporary failure, try again later"


def queue(n: int = 1) -> list[Message]:
    return [
        queue_message(to=[f"person{i}@example.com"], subject=f"Message {i}", body_text="Hi")
        for i in range(n)
    ]


@dataclass
class Held:
    envelope: object
    answer: str | None = None


@dataclass
class HoldingSmtpSink(SmtpSink):
    """A real SMTP server that keeps the first `hold` messages waiting at DATA until the test
    answers them: a send that takes as long as the story needs."""

    hold: int = 2
    held: list[Held] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            holding = len(self.held) < self.hold
            if holding:
                mail = Held(envelope)
                self.held.append(mail)
        if not holding:
            return await super().handle_DATA(server, session, envelope)
        while mail.answer is None:
            await asyncio.sleep(0.005)
        if mail.answer == ACCEPT:
            with self.lock:
                self.received.append(envelope)
        return mail.answer

    def wait_until_holding(self, count: int) -> None:
        deadline = time.monotonic() + 10
        while len(self.held) < count:
            assert time.monotonic() < deadline, f"{len(self.held)} messages arrived, not {count}"
            time.sleep(0.005)

    def answer(self, which: int, reply: str) -> None:
        self.held[which].answer = reply


@pytest.fixture
def slow_smtp(settings):
    sink = HoldingSmtpSink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    settings.SMTP = {"host": "127.0.0.1", "port": sink.port, "username": "", "password": "",
                     "use_tls": False, "use_ssl": False, "timeout": 30}  # fmt: skip
    yield sink
    for mail in sink.held:
        mail.answer = mail.answer or REFUSE
    controller.stop()


class Worker(threading.Thread):
    """One delivery pass in its own thread, with its own database connection, as of `now`."""

    def __init__(self, now):
        super().__init__(daemon=True)
        self.now = now
        self.sent: int | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.sent = delivery.deliver_due(self.now)
        except BaseException as exc:  # reported by finish()
            self.error = exc
        finally:
            connection.close()

    def finish(self) -> int:
        self.join(timeout=30)
        assert not self.is_alive(), "the worker is still sending"
        if self.error:
            raise self.error
        return self.sent


def test_a_worker_that_loses_the_claim_moves_on_to_the_next_message(db, smtp_server):
    first, second = queue(2)
    now = timezone.now()
    other_worker = []

    def another_worker_claims_it_first(execute, sql, params, many, context):
        # Between this worker's SELECT of the next message and its conditional UPDATE, another
        # worker claims that message and delivers it. SKIP LOCKED (PostgreSQL) and IMMEDIATE
        # transactions (SQLite) keep this from happening today; the conditional UPDATE is
        # what makes it harmless if it ever does.
        if not other_worker and sql.startswith('UPDATE "outbox_message"'):
            other_worker.append("started")
            other_worker[0] = delivery.deliver_due(now, limit=1)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(another_worker_claims_it_first):
        sent = delivery.deliver_due(now)

    assert (other_worker, sent) == ([1], 1)
    assert sorted(smtp_server.message_ids()) == sorted([first.message_id, second.message_id])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("sent", "sent")
    assert (first.attempts, second.attempts) == (1, 1)  # the lost claim counted no attempt
    assert delivery.deliver_due(now + timedelta(hours=1)) == 0


def lease_taken_over(sink: HoldingSmtpSink, settings) -> tuple[Message, Worker, Worker]:
    """Worker A starts sending; its server is so slow that the lease runs out, and worker B,
    whose clock is past the lease, takes the message over and starts sending it too."""
    [message] = queue()
    started = timezone.now()
    first = Worker(started)
    first.start()
    sink.wait_until_holding(1)
    second = Worker(started + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))
    second.start()
    sink.wait_until_holding(2)
    return message, first, second


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("max_attempts", [12, 2], ids=["retries-left", "last-attempt"])
def test_a_failure_after_the_lease_ran_out_leaves_the_message_to_its_new_owner(
    slow_smtp, settings, max_attempts
):
    settings.OUTBOX_MAX_ATTEMPTS = max_attempts
    message, first, second = lease_taken_over(slow_smtp, settings)

    slow_smtp.answer(0, REFUSE)
    assert first.finish() == 0
    # A third worker comes by while B is still sending: the message is B's, not free again.
    assert delivery.deliver_due(second.now + timedelta(minutes=1)) == 0

    slow_smtp.answer(1, ACCEPT)
    assert second.finish() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.attempts == 2
    assert slow_smtp.message_ids() == [message.message_id]
    assert delivery.deliver_due(second.now + timedelta(days=1)) == 0


@pytest.mark.django_db(transaction=True)
def test_a_success_after_the_lease_ran_out_stands_when_the_new_owner_fails(slow_smtp, settings):
    message, first, second = lease_taken_over(slow_smtp, settings)

    slow_smtp.answer(0, ACCEPT)
    assert first.finish() == 1
    slow_smtp.answer(1, REFUSE)
    assert second.finish() == 0

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert message.sent_at == first.now
    assert delivery.deliver_due(second.now + timedelta(days=1)) == 0  # not queued again
    assert slow_smtp.message_ids() == [message.message_id]


@pytest.mark.django_db(transaction=True)
def test_a_success_after_the_new_owner_gave_up_still_counts_as_sent(slow_smtp, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message, first, second = lease_taken_over(slow_smtp, settings)

    slow_smtp.answer(1, REFUSE)  # B's is the last attempt: B gives up on the message
    assert second.finish() == 0
    assert Message.objects.get(pk=message.pk).status == Message.Status.FAILED
    slow_smtp.answer(0, ACCEPT)  # ... and then A's send goes through after all
    assert first.finish() == 1

    message.refresh_from_db()
    assert message.status == Message.Status.SENT  # so staff see no failure to retry
    assert delivery.retry_all_failed(second.now) == 0
    assert delivery.deliver_due(second.now + timedelta(days=1)) == 0
    assert slow_smtp.message_ids() == [message.message_id]


@pytest.mark.django_db(transaction=True)
def test_a_pass_longer_than_the_lease_sends_nothing_twice(settings, smtp_server):
    """Each message is leased from when it is claimed: a slow pass does not leave the
    messages it claims late with leases that already ran out for another worker to take."""
    settings.OUTBOX_LEASE_SECONDS = 1
    smtp_server.delay = 0.3  # 8 messages take one worker about 2.4 s, over two leases
    queue(8)

    def worker():
        try:
            while delivery.deliver_due(timezone.now()):
                pass
        finally:
            connection.close()

    first = threading.Thread(target=worker)
    first.start()
    time.sleep(1.2)  # the first worker's pass is past its first lease
    second = threading.Thread(target=worker)
    second.start()
    first.join()
    second.join()

    ids = smtp_server.message_ids()
    assert len(ids) == 8
    assert len(set(ids)) == 8  # nobody got a message twice
    assert Message.objects.filter(status="sent").count() == 8
