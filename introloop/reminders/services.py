"""Acting on due items: done (records the step) and snooze; notification settings."""

from datetime import datetime, timedelta

from django.db import transaction

from introloop.accounts.models import User
from introloop.intros import lifecycle
from introloop.intros.models import Intro
from introloop.network.models import Contact
from introloop.network.services import log_interaction

from .due import DueItem
from .models import NotificationSettings, Snooze, new_calendar_token

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


# Kinds of due items from apps above this one: kind -> function(user, item, now) that does it.
DONE_HANDLERS: dict = {}


@transaction.atomic
def mark_done(user: User, item: DueItem, now: datetime) -> None:
    """Record the step the item stands for, as the user, now."""
    if item.done_event is None:
        raise NotDoable("This one needs a few words from you: open it to finish.")
    if item.kind == "intro_step":
        intro = Intro.objects.get(pk=item.intro_id)
        try:
            lifecycle.record_event(
                intro.pk, item.done_event, roles=set(intro.roles_of(user)), now=now,
                actor_user=user, note="Marked done on Today.",
            )  # fmt: skip
        except lifecycle.StepRefused as refused:
            raise NotDoable(str(refused)) from None
    elif item.kind == "reconnect":
        contact = Contact.objects.get(pk=item.contact_id, owner=user)
        log_interaction(
            user, kind="message", occurred_on=now.astimezone(user.zone).date(),
            notes="Reconnected (marked done on Today).", contacts=[contact], now=now,
        )  # fmt: skip
    elif item.kind in DONE_HANDLERS:
        DONE_HANDLERS[item.kind](user, item, now)
    Snooze.objects.filter(user=user, key=item.key).delete()


def regenerate_calendar_token(user: User) -> str:
    current = settings_for(user)
    current.calendar_token = new_calendar_token()
    current.save(update_fields=["calendar_token"])
    return current.calendar_token
