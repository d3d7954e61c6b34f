"""Queueing mail: every email is a row of the outbox before it is an SMTP transaction.

Delivery is in delivery.py and happens in the worker, never in a request. This module is the
only writer of new outbox rows: one at a time (`queue_message`, `queue_email`) or in bulk for
the reminder sweep (`queue_messages`).
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import make_msgid
from django.db import connection
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Replace, TruncDate
from django.utils import timezone

from introloop.bulk import insert_rows

from .emails import EMAILS, render
from .models import ForgottenSent, Message
from .stops import address_key, stop_url, without_stopped


@dataclass
class OutgoingEmail:
    to: list[str]
    subject: str
    body_text: str
    body_html: str = ""
    user_id: int | None = None  # the account the message concerns: exported and deleted with it
    headers: dict[str, str] = field(default_factory=dict)
    reply_to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    bcc: list[str] = field(default_factory=list)
    from_email: str = ""  # the instance's address when empty
    sent_for_id: int | None = None  # the account on whose behalf it goes to someone else
    topic: str = ""  # what it is about, e.g. "intro:12:reach_out": see cancel_queued()


def _domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "introloop.local"


# The columns a new message fills, in the order of _values().
_COLUMNS = (
    "user_id",
    "sent_for_id",
    "topic",
    "from_email",
    "to",
    "cc",
    "bcc",
    "reply_to",
    "subject",
    "body_text",
    "body_html",
    "headers",
    "message_id",
    "status",
    "attempts",
    "last_error",
    "created_at",
    "next_attempt_at",
)
_JSON_COLUMNS = ("to", "cc", "bcc", "reply_to", "headers")


def _values(email: OutgoingEmail, now: datetime | str | None, domain: str) -> tuple[Any, ...]:
    """The outbox columns of one new message (`now` as the database adapter wants it)."""
    return (
        email.user_id,
        email.sent_for_id,
        email.topic,
        email.from_email or settings.DEFAULT_FROM_EMAIL,
        list(email.to),
        list(email.cc),
        list(email.bcc),
        list(email.reply_to),
        # Header injection is refused later by Django's mail classes; collapse lines here so
        # the stored subject is what is sent.
        " ".join(email.subject.split()),
        email.body_text,
        email.body_html,
        dict(email.headers),
        # Fixed now, so that a retried delivery is recognisably the same message.
        make_msgid(domain=domain),
        Message.Status.QUEUED.value,
        0,
        "",
        now,
        now,
    )


def queue_message(
    *,
    to: list[str],
    subject: str,
    body_text: str,
    body_html: str = "",
    user: AbstractBaseUser | None = None,
    headers: dict[str, str] | None = None,
    reply_to: list[str] | None = None,
    cc: list[str] | None = None,
    bcc: list[str] | None = None,
    from_email: str | None = None,
    sent_for: AbstractBaseUser | None = None,
    topic: str = "",
    now: datetime | None = None,
    honour_stops: bool = True,
) -> Message | None:
    """Write one message to the outbox; the worker delivers it. Addresses on the stop list
    are left out (unless `honour_stops` is False: an account's own verification, say), and
    a message left with nobody to go to is not written: None."""
    email = OutgoingEmail(
        to=list(to),
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        user_id=user.pk if user else None,
        headers=dict(headers or {}),
        reply_to=list(reply_to or []),
        cc=list(cc or []),
        bcc=list(bcc or []),
        from_email=from_email or "",
        sent_for_id=sent_for.pk if sent_for else None,
        topic=topic,
    )
    if honour_stops and not without_stopped([email]):
        return None
    values = _values(email, now or timezone.now(), _domain())
    return Message.objects.create(**dict(zip(_COLUMNS, values, strict=True)))


class MessageOptions(TypedDict, total=False):
    """What queue_email passes on to queue_message as it is."""

    headers: dict[str, str] | None
    reply_to: list[str] | None
    cc: list[str] | None
    bcc: list[str] | None
    from_email: str | None
    sent_for: AbstractBaseUser | None
    topic: str


def queue_email(
    name: str,
    context: dict[str, Any],
    *,
    to: list[str],
    user: AbstractBaseUser | None = None,
    now: datetime | None = None,
    **kw: Unpack[MessageOptions],
) -> Message | None:
    """Render the email `name` of the index (outbox.emails.EMAILS) and queue it; None when
    every recipient is on the stop list."""
    rendered = render(name, context)
    return queue_message(
        to=to,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        user=user,
        now=now,
        honour_stops=EMAILS[name].stoppable,
        **kw,
    )


_EMPTY_JSON: dict[type[object], str] = {list: "[]", dict: "{}"}


def queue_messages(emails: list[OutgoingEmail], now: datetime) -> int:
    """Write many messages to the outbox at once, inside the caller's transaction.

    COPY on PostgreSQL and one executemany on SQLite: for the reminder sweep's thousands of
    emails, the ORM's bulk_create costs more than everything else the sweep does. Addresses
    on the stop list are left out, in one query for the batch.
    """
    emails = without_stopped(emails) if emails else emails
    if not emails:
        return 0
    domain = _domain()
    stamp = connection.ops.adapt_datetimefield_value(now)
    json_at = [_COLUMNS.index(c) for c in _JSON_COLUMNS]
    rows = []
    for email in emails:
        row = list(_values(email, stamp, domain))
        for i in json_at:
            row[i] = json.dumps(row[i]) if row[i] else _EMPTY_JSON[type(row[i])]
        rows.append(row)
    insert_rows(Message._meta.db_table, _COLUMNS, rows)
    return len(rows)


FORMER_MEMBER = "a former member"


def forget_person(email: str, name: str) -> int:
    """Remove from the outbox every message to or mentioning `email`: mail not sent yet is
    dropped, mail sent is kept only as a count per day (ForgottenSent). Other people's mail
    that names them (a heads-up about them, say) keeps its place with the name replaced.
    Returns how many messages went."""
    deleted = _forget_address(email) if email else 0
    name = " ".join(name.split())
    if len(name.split()) >= 2:  # a full name; a lone first name would hit strangers
        for field in ("subject", "body_text", "body_html"):
            Message.objects.filter(**{f"{field}__contains": name}).update(
                **{field: Replace(field, Value(name), Value(FORMER_MEMBER))}
            )
    return deleted


def _forget_address(email: str) -> int:
    mentions = Message.objects.filter(
        Q(to__icontains=email) | Q(cc__icontains=email) | Q(bcc__icontains=email)
        | Q(reply_to__icontains=email) | Q(subject__icontains=email)
        | Q(body_text__icontains=email)
    )  # fmt: skip
    sent = (
        mentions.filter(status=Message.Status.SENT, sent_at__isnull=False)
        .annotate(day=TruncDate("sent_at"))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in sent:
        tally, _ = ForgottenSent.objects.get_or_create(day=row["day"])
        ForgottenSent.objects.filter(pk=tally.pk).update(count=F("count") + row["n"])
    deleted, _ = mentions.delete()
    return deleted


def sent_for_lately(user: AbstractBaseUser, now: datetime, hours: int = 24) -> int:
    """How many messages went to other people on `user`'s behalf in the last `hours`."""
    return Message.objects.filter(
        sent_for_id=user.pk, created_at__gt=now - timedelta(hours=hours)
    ).count()


def cancel_queued(prefix: str, keep: Iterable[str], now: datetime) -> int:
    """Cancel queued messages whose topic starts with `prefix`, except the topics in `keep`:
    what they say stopped being true before they left. A message a worker is sending right
    now (its lease runs) goes: it is too late to stop it, and it was true when it was taken."""
    return (
        Message.objects.filter(status=Message.Status.QUEUED, topic__startswith=prefix)
        .exclude(topic__in=list(keep))
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
        .update(status=Message.Status.CANCELED, last_error="Canceled: no longer true.")
    )


def cancel_sent_for(user: AbstractBaseUser) -> int:
    """Drop what is still queued on `user`'s behalf (their account was blocked)."""
    deleted, _ = Message.objects.filter(sent_for_id=user.pk, status=Message.Status.QUEUED).delete()
    return deleted


CONFIRM_STOP_EVERY = timedelta(hours=24)


def send_stop_confirmation(email: str, now: datetime) -> bool:
    """Email `email` the link that stops introduction emails to it: what a stop link in an
    email that others received too does, so that only the address's owner can stop its mail.
    At most once a day per address (the link must not flood it); False when one went."""
    topic = f"stop:{address_key(email)}"
    if Message.objects.filter(topic=topic, created_at__gt=now - CONFIRM_STOP_EVERY).exists():
        return False
    queue_email(
        "outbox/confirm_stop", {"email": email, "url": stop_url(email)}, to=[email], topic=topic,
        now=now,
    )  # fmt: skip
    return True
