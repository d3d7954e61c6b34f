"""Acting on due items: done (records the step) and snooze, on Today and from the digest's
links; notification settings and the one-click unsubscribe."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from django.core import signing
from django.db import IntegrityError, transaction

from introloop import access
from introloop.accounts.models import User
from introloop.goals.models import Ask
from introloop.goals.services import followed_up
from introloop.intros import lifecycle
from introloop.intros.models import Intro
from introloop.network.models import Contact
from introloop.network.services import log_interaction

from .due import DueItem, item_for
from .kinds import KINDS
from .kinds.base import read_unsubscribe_token
from .links import DigestLink, read_digest_link
from .models import DigestLinkUse, EmailOptOut, NotificationSettings, Snooze, new_calendar_token

SNOOZES = {"1": ("1 day", timedelta(days=1)), "3": ("3 days", timedelta(days=3)),
           "7": ("next week", timedelta(days=7))}  # fmt: skip
DIGEST_SNOOZE = "1"  # a digest's Snooze: the first of Today's choices


class NotDoable(Exception):
    """The item cannot be done with one click; the message says what to do instead."""


def settings_for(user: User) -> NotificationSettings:
    found, _ = NotificationSettings.objects.get_or_create(user=user)
    return found


def snooze(user: User, item: DueItem, days: str, now: datetime) -> datetime:
    """Hide the item until `days` from now (or from its due date, if that is later)."""
    until = max(now, item.due_at) + SNOOZES[days][1]
    Snooze.objects.update_or_create(user=user, key=item.key, defaults={"until": until})
    return until


# Where a Done was clicked, by `via`: Today (and the API), or a digest's link.
DONE_WHERE = {"web": "on Today", "link": "from the daily digest"}


@transaction.atomic
def mark_done(user: User, item: DueItem, now: datetime, *, via: str = "web") -> None:
    """Record the step the item stands for, as the user, now."""
    if item.done_event is None:
        raise NotDoable("This one needs a few words from you: open it to finish.")
    today = now.astimezone(user.zone).date()
    where = DONE_WHERE[via]
    if item.kind == "intro_step":
        intro = access.get_or_404(Intro, user, pk=item.intro_id)
        try:
            lifecycle.record_event(
                intro.pk, item.done_event, roles=access.roles_of(intro, user), now=now,
                actor_user=user, via=via, note=f"Marked done {where}.",
            )  # fmt: skip
        except lifecycle.EventRefused as refused:
            raise NotDoable(str(refused)) from None
    elif item.kind == "ask":
        followed_up(access.get_or_404(Ask, user, pk=int(item.key.split(":")[1])), today)
    elif item.kind == "reconnect":
        contact = access.get_or_404(Contact, user, pk=item.contact_id)
        log_interaction(
            user, kind="message", occurred_on=today, notes=f"Reconnected (marked done {where}).",
            contacts=[contact], now=now,
        )  # fmt: skip
    Snooze.objects.filter(user=user, key=item.key).delete()


class BadDigestLink(Exception):
    """A digest link that cannot be used: forged or damaged (400), or too old (410)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class AlreadyRecorded(Exception):
    """The link was used already, or its item is no longer due: nothing left to do."""


@dataclass
class OpenedDigestLink:
    """A valid digest link: whose, what it does, the item it names, and, once a Snooze is
    followed, until when."""

    user: User
    link: DigestLink
    item: DueItem
    until: datetime | None = None


def open_digest_link(token: str, now: datetime) -> OpenedDigestLink:
    """The item a digest's Done or Snooze link names, still to act on; BadDigestLink if the
    link is forged or expired, AlreadyRecorded if it was used or the item is done."""
    try:
        link = read_digest_link(token)
    except signing.BadSignature:
        problem = "This link is not valid. Check that it was copied whole."
        raise BadDigestLink(problem, 400) from None
    user = User.objects.filter(pk=link.user_id, is_active=True).first()
    if user is None:
        raise BadDigestLink("This link no longer works.", 410)
    if link.expired(now.astimezone(user.zone).date()):
        raise BadDigestLink("This link has expired: it works for two weeks.", 410)
    used = DigestLinkUse.objects.filter(
        user=user, key=link.key, action=link.action, digest_on=link.digest_on
    )
    if used.exists():
        raise AlreadyRecorded("This link was already used.")
    item = item_for(user, link.key, now)
    # Not due any more, or due again later (a follow-up after one was done): done meanwhile.
    if item is None or item.due_on > link.due_on:
        raise AlreadyRecorded("Nothing left to do: this was done meanwhile.")
    return OpenedDigestLink(user, link, item)


@transaction.atomic
def use_digest_link(token: str, now: datetime) -> OpenedDigestLink:
    """Follow a digest's link: mark its item done or snooze it for a day, as Today does, once
    (the DigestLinkUse row's unique key; a second click raises AlreadyRecorded)."""
    opened = open_digest_link(token, now)
    link = opened.link
    try:
        with transaction.atomic():
            DigestLinkUse.objects.create(
                user=opened.user, key=link.key, action=link.action, digest_on=link.digest_on,
                used_at=now,
            )  # fmt: skip
    except IntegrityError:
        raise AlreadyRecorded("This link was already used.") from None
    if link.action == "done":
        mark_done(opened.user, opened.item, now, via="link")
    else:
        opened.until = snooze(opened.user, opened.item, DIGEST_SNOOZE, now)
    return opened


def regenerate_calendar_token(user: User) -> str:
    current = settings_for(user)
    current.calendar_token = new_calendar_token()
    current.save(update_fields=["calendar_token"])
    return current.calendar_token


class BadUnsubscribeLink(Exception):
    """The unsubscribe link was tampered with or names no kind of email."""


class UnsubscribeDetails(TypedDict):
    kind: str
    label: str
    email: str
    user_id: int | None


def unsubscribe_details(token: str) -> UnsubscribeDetails:
    """What the link stops: {"kind", "label", "email", "user_id"}; BadUnsubscribeLink if none."""
    try:
        name, user_id, email = read_unsubscribe_token(token)
    except signing.BadSignature:
        raise BadUnsubscribeLink from None
    kind = KINDS.get(name)
    if kind is None:
        raise BadUnsubscribeLink
    return {"kind": kind.KIND, "label": kind.LABEL, "email": email, "user_id": user_id}


@transaction.atomic
def unsubscribe(token: str) -> UnsubscribeDetails:
    """Stop the kind of email the link came with: in the account's settings when it is an
    account's, otherwise for the address. Doing it twice is harmless."""
    details = unsubscribe_details(token)
    kind = KINDS[details["kind"]]
    user = User.objects.filter(pk=details["user_id"]).first() if details["user_id"] else None
    if user is not None and kind.SETTING:
        NotificationSettings.objects.update_or_create(user=user, defaults={kind.SETTING: False})
    elif user is not None and hasattr(kind, "turn_off"):
        kind.turn_off(user)
    else:
        EmailOptOut.objects.get_or_create(email=details["email"], kind=kind.KIND)
    return details


def save_notification_settings(user: User, values: dict[str, int | bool]) -> NotificationSettings:
    """Change some of the user's notification settings (the digest, heads-ups, outcomes)."""
    current = settings_for(user)
    for field, value in values.items():
        setattr(current, field, value)
    current.save(update_fields=list(values))
    return current
