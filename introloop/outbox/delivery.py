"""Delivering the outbox over SMTP: at least once, with a lease, outside any transaction.

A worker claims one message with a conditional UPDATE (a lease), sends it with its fixed
Message-ID, then marks it sent. If the worker dies in between, the lease runs out and another
worker sends it again; if SMTP fails, the message waits with an exponential backoff.
"""

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import transaction
from django.db.models import F, Q, QuerySet

from introloop.clock import moving_clock

from .models import Message
from .replykeys import RECORD_NAME, reply_address, reply_key

log = logging.getLogger(__name__)

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=2)


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: 1, 2, 4 … minutes, at most two hours."""
    doublings: int = 2 ** max(attempts - 1, 0)
    return min(BACKOFF_FIRST * doublings, BACKOFF_MAX)


def smtp_connection() -> SmtpBackend | None:
    """A connection to the configured SMTP server, or None when EMAIL_URL is not set."""
    if not settings.SMTP:
        return None
    return SmtpBackend(fail_silently=False, **settings.SMTP)


def _due(now: datetime) -> QuerySet[Message]:
    return Message.objects.filter(status=Message.Status.QUEUED, next_attempt_at__lte=now).filter(
        Q(leased_until__isnull=True) | Q(leased_until__lte=now)
    )


def claim_next(now: datetime) -> Message | None:
    """Lease the next message due for delivery, or return None when there is none.

    On PostgreSQL, SKIP LOCKED lets concurrent workers pick different rows instead of
    contending for the same one. The conditional UPDATE is what guarantees a single owner,
    on SQLite (which ignores row locks) as well.
    """
    lease_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    for _ in range(5):
        with transaction.atomic():
            message_id = (
                _due(now)
                .order_by("next_attempt_at", "id")
                .select_for_update(skip_locked=True)
                .values_list("id", flat=True)
                .first()
            )
            if message_id is None:
                return None
            claimed = (
                _due(now)
                .filter(id=message_id)
                .update(leased_until=lease_until, attempts=F("attempts") + 1)
            )
        if claimed == 1:
            return Message.objects.get(id=message_id)
    return None


def as_email(message: Message, connection: BaseEmailBackend | None) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=message.from_email,
        to=message.to,
        cc=message.cc,
        bcc=message.bcc,
        reply_to=_reply_to(message),
        headers={**message.headers, "Message-ID": message.message_id, **_reply_key(message)},
        connection=connection,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def _reply_to(message: Message) -> list[str]:
    """The message's own Reply-To (the introduction email's three people, in their order),
    then the introduction's record, so that a reply reaches capture without anyone's Bcc.
    Added at send time: a change of CAPTURE_DOMAIN applies to mail already queued."""
    record = reply_address(message.topic)
    if record is None or record in message.reply_to:
        return list(message.reply_to)
    return [*message.reply_to, formataddr((RECORD_NAME, record))]


def _reply_key(message: Message) -> dict[str, str]:
    """References starting with the reply key of the introduction the message is about."""
    domain = message.message_id.rsplit("@", 1)[-1].strip("<> ") or "introloop.local"
    key = reply_key(message.topic, domain)
    if key is None:
        return {}
    theirs = message.headers.get("References", "")
    return {"References": f"{key} {theirs}".strip()}


def mark_sent(message: Message, now: datetime) -> None:
    """Record a delivery, even when the lease ran out meanwhile: the mail went out, so no
    worker should send it again, and a worker that took it over and gave up was wrong."""
    Message.objects.filter(id=message.id).exclude(status=Message.Status.SENT).update(
        status=Message.Status.SENT, sent_at=now, leased_until=None, last_error=""
    )


def mark_failed_attempt(message: Message, error: str, now: datetime) -> bool:
    """Schedule a retry with backoff, or give up (status failed) after OUTBOX_MAX_ATTEMPTS.

    Only while this worker still holds its lease (`message` as claim_next() returned it):
    after it ran out, another worker may have taken the message over and be sending it, and
    freeing or failing it then would let a third worker send it again, or mark failed a
    message that is delivered. Returns False when the lease was lost and nothing changed.
    """
    gave_up = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    return bool(
        Message.objects.filter(
            id=message.id, status=Message.Status.QUEUED, leased_until=message.leased_until
        ).update(
            status=Message.Status.FAILED if gave_up else Message.Status.QUEUED,
            next_attempt_at=now + backoff(message.attempts),
            leased_until=None,
            last_error=error[:2000],
        )
    )


def deliver_due(
    now: datetime, limit: int = 100, clock: Callable[[], datetime] | None = None
) -> int:
    """Deliver up to `limit` due messages over one SMTP connection; return how many were sent.

    Each message is leased when it is claimed, for OUTBOX_LEASE_SECONDS from that moment
    (`clock()`, which moves on during the pass, where `now` stands still): a pass that
    outlasts one lease must not leave the messages it claims late with leases that ran out
    already, for another worker to send again. Stops at the first failure: the server is
    probably unwell, and the failed message waits for its backoff.
    """
    connection = smtp_connection()
    if connection is None:
        return 0
    clock = clock or moving_clock(now)
    sent = 0
    try:
        while sent < limit:
            message = claim_next(clock())
            if message is None:
                break
            try:
                as_email(message, connection).send()
            except Exception as exc:  # every SMTP or network error means "try again later"
                log.warning("Delivery of message %s failed: %s", message.id, exc)
                if not mark_failed_attempt(message, f"{type(exc).__name__}: {exc}", now):
                    log.info("Message %s was taken over by another worker", message.id)
                break
            mark_sent(message, now)
            sent += 1
    finally:
        # Closing a broken connection has nothing useful to report.
        with contextlib.suppress(Exception):
            connection.close()
    return sent


def retry_now(message: Message, now: datetime) -> None:
    """Put a failed (or waiting) message back at the front of the queue."""
    Message.objects.filter(id=message.id).exclude(status=Message.Status.SENT).update(
        status=Message.Status.QUEUED, next_attempt_at=now, leased_until=None, attempts=0
    )


def retry_all_failed(now: datetime) -> int:
    return Message.objects.filter(status=Message.Status.FAILED).update(
        status=Message.Status.QUEUED, next_attempt_at=now, leased_until=None, attempts=0
    )
