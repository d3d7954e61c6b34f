"""The stop list: addresses that asked for no more introduction emails from this instance.

The outbox honours it for every email it queues (`services.queue_message`, `queue_email`,
`queue_messages`): stopped addresses are taken out of the recipients, and a message left with
none is not queued. Only an account's own emails (verification, password reset: their entry
in `emails.EMAILS` says `stoppable=False`) go regardless. Every email to someone without an
account says why it came and who holds their address, with a signed link to stop (`notice`).
"""

import binascii
import functools
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from typing import Protocol, TypeVar

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from introloop.lookups import any_of

from .models import Message, StoppedAddress

STOP_SALT = "introloop.outbox.stop"


class BadStopLink(Exception):
    """The stop link was tampered with or cut short."""


@dataclass(frozen=True)
class Notice:
    """One line of an email to someone without an account: why it came, who holds their
    address, and the link that stops all introduction emails to it."""

    name: str  # the recipient's name
    email: str
    why: str  # completes "You received this because …"
    holder: str  # who holds their address
    url: str


def address_key(address: str) -> str:
    """The address alone, as the stop list spells it: "Tom <Tom@X.org>" → "tom@x.org"."""
    return parseaddr(address)[1].strip().lower() or address.strip().lower()


@functools.lru_cache(maxsize=4)
def _signer(secret_key: str) -> signing.Signer:
    return signing.Signer(key=secret_key, salt=STOP_SALT)


@functools.cache
def _path_template() -> str:
    return reverse("outbox:stop", args=["987654321"]).replace("987654321", "{}")


def stop_url(email: str, *, confirm: bool = False) -> str:
    """A signed link that stops all introduction emails to `email`; it never expires (a
    stop must still work on an old email) and replaying it changes nothing.

    With `confirm` (for an email that others receive too, such as the introduction itself),
    the link only sends `email` a confirmation with the link that stops: nobody else on the
    email can stop someone's mail."""
    key = ("c:" if confirm else "") + address_key(email)
    payload = urlsafe_b64encode(key.encode()).decode().rstrip("=")
    return settings.SITE_URL + _path_template().format(_signer(settings.SECRET_KEY).sign(payload))


def read_stop_token(token: str) -> tuple[str, bool]:
    """The address a stop link was made for, and whether it only asks for a confirmation;
    BadStopLink if it was forged or cut short."""
    try:
        payload = _signer(settings.SECRET_KEY).unsign(token)
        email = urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    except (signing.BadSignature, ValueError, binascii.Error):
        raise BadStopLink from None
    confirm = email.startswith("c:")
    email = email.removeprefix("c:")
    if "@" not in email:
        raise BadStopLink
    return email, confirm


def notice(name: str, email: str, why: str, holder: str, *, shared: bool = False) -> Notice:
    """The why-and-stop line for `email` (someone without an account); `shared` when others
    receive the same email (its link then stops only after a confirmation by email)."""
    return Notice(
        name=name, email=email, why=why, holder=holder, url=stop_url(email, confirm=shared)
    )


def stopped_among(addresses: Iterable[str]) -> set[str]:
    """Which of these addresses are on the stop list (as address_key spells them); one query."""
    keys = {address_key(a) for a in addresses if a}
    if not keys:
        return set()
    return set(StoppedAddress.objects.filter(any_of("email", keys)).values_list("email", flat=True))


def is_stopped(email: str) -> bool:
    return bool(stopped_among([email]))


class Addressed(Protocol):
    to: list[str]
    cc: list[str]
    bcc: list[str]


A = TypeVar("A", bound=Addressed)


def without_stopped(emails: Sequence[A]) -> list[A]:
    """`emails` with stopped addresses taken out of their recipients, in one query; an email
    left with nobody to go to is dropped."""
    stopped = stopped_among(a for e in emails for a in (*e.to, *e.cc, *e.bcc))
    if not stopped:
        return list(emails)
    kept = []
    for email in emails:
        email.to, email.cc, email.bcc = (
            [a for a in field if address_key(a) not in stopped]
            for field in (email.to, email.cc, email.bcc)
        )
        if email.to or email.cc or email.bcc:
            kept.append(email)
    return kept


def _recipients_left(message: Message, email: str) -> dict[str, list[str]]:
    return {
        field: [a for a in getattr(message, field) if address_key(a) != email]
        for field in ("to", "cc", "bcc")
    }


def _withdraw_queued(email: str, now: datetime) -> int:
    """Take `email` out of the mail not sent yet (queued, or failed and waiting for staff to
    retry it); cancel what is left with no recipient. A message a worker is sending right
    now (its lease runs) goes: it is too late to stop it. Returns how many changed."""
    waiting = (
        Message.objects.filter(status__in=[Message.Status.QUEUED, Message.Status.FAILED])
        .filter(Q(to__icontains=email) | Q(cc__icontains=email) | Q(bcc__icontains=email))
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
    )
    changed = 0
    for message in waiting.only("id", "status", "to", "cc", "bcc", "leased_until"):
        left = _recipients_left(message, email)
        if left == {f: getattr(message, f) for f in left}:
            continue  # the address only appeared inside another one
        same = Message.objects.filter(
            Q(leased_until__isnull=True) | Q(leased_until__lte=now),
            id=message.id,
            status=message.status,
        )
        if any(left.values()):
            changed += same.update(**left)
        else:
            changed += same.update(
                status=Message.Status.CANCELED,
                last_error="Canceled: the recipient asked for no more introduction emails.",
            )
    return changed


@transaction.atomic
def stop(email: str, now: datetime, *, erase: bool = False) -> bool:
    """Put `email` on the stop list (and, with `erase`, record that they asked for their data
    to be erased); take it out of the mail not sent yet. Returns whether anything was new:
    replaying the link changes nothing."""
    email = address_key(email)
    try:
        with transaction.atomic():
            StoppedAddress.objects.create(
                email=email, created_at=now, erasure_requested_at=now if erase else None
            )
        new = True
    except IntegrityError:  # already stopped (or stopped a moment ago by another request)
        new = False
        if erase:
            new = bool(
                StoppedAddress.objects.filter(
                    email=email, erasure_requested_at__isnull=True
                ).update(erasure_requested_at=now)
            )
    _withdraw_queued(email, now)
    return new


def stop_status(email: str) -> StoppedAddress | None:
    return StoppedAddress.objects.filter(email=address_key(email)).first()


def lift(email: str) -> int:
    """Take `email` off the stop list: its owner confirmed it for an account of their own,
    and from now on chooses their mail in its settings."""
    deleted, _ = StoppedAddress.objects.filter(email=address_key(email)).delete()
    return deleted
