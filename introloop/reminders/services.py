"""Acting on due items: done (records the step) and snooze; notification settings and the
one-click unsubscribe."""

from datetime import datetime, timedelta
from typing import TypedDict

from django.core import signing
from django.db import transaction

from introloop import access
from introloop.accounts.models import User
from introloop.goals.models import Ask
from introloop.goals.services import followed_up
from introloop.intros import lifecycle
from introloop.intros.models import Intro
from introloop.network.models import Contact
from introloop.network.services import log_interaction

from .due import DueItem
from .kinds import KINDS
from .kinds.base import read_unsubscribe_token
from .models import EmailOptOut, NotificationSettings, Snooze, new_calendar_token

SNOOZES = {"1": ("1 day", timedelta(days=1)), "3": ("3 days", timedelta(days=3)),
           "7": ("next week", timedelta(days=7))}  # fmt: skip


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


@transaction.atomic
def mark_done(user: User, item: DueItem, now: datetime) -> None:
    """Record the step the item stands for, as the user, now."""
    if item.done_event is None:
        raise NotDoable("This one needs a few words from you: open it to finish.")
    today = now.astimezone(user.zone).date()
    if item.kind == "intro_step":
        intro = access.get_or_404(Intro, user, pk=item.intro_id)
        try:
            lifecycle.record_event(
                intro.pk, item.done_event, roles=access.roles_of(intro, user), now=now,
                actor_user=user, note="Marked done on Today.",
            )  # fmt: skip
        except lifecycle.EventRefused as refused:
            raise NotDoable(str(refused)) from None
    elif item.kind == "ask":
        followed_up(access.get_or_404(Ask, user, pk=int(item.key.split(":")[1])), today)
    elif item.kind == "reconnect":
        contact = access.get_or_404(Contact, user, pk=item.contact_id)
        log_interaction(
            user, kind="message", occurred_on=today, notes="Reconnected (marked done on Today).",
            contacts=[contact], now=now,
        )  # fmt: skip
    Snooze.objects.filter(user=user, key=item.key).delete()


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
