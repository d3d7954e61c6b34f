"""The daily digest: everything due today and overdue, at the hour each person chose."""

from datetime import date, datetime
from typing import NamedTuple

from django.conf import settings
from django.db.models import F

from introloop.accounts.models import User
from introloop.intros.models import ActionLink
from introloop.lookups import any_of
from introloop.outbox.services import OutgoingEmail

from ..due import DueItem, due_items
from ..links import digest_link_urls
from ..models import NotificationSettings
from .base import Candidate, Compose, SweepInput, reminder_email

KIND = "digest"
LABEL = "the daily digest"
SETTING = "digest_enabled"  # how an account turns it off
USER_CHUNK = 1000
RECONNECTS = 5  # keep-in-touch reminders listed in a digest; the rest are counted
# Items listed per group, each with its signed links; the rest are counted, with a link to
# that group on Today (as Today caps its own groups).
GROUP_CAP = 20


def collect(sweep: SweepInput) -> list[Candidate]:
    """A digest for each user past their digest hour with something due."""
    candidates = []
    defaults = NotificationSettings()
    ids = sorted(sweep.owners)
    for start in range(0, len(ids), USER_CHUNK):
        chunk = ids[start : start + USER_CHUNK]
        # Each user's digest settings come with them (a LEFT JOIN); no row means the defaults.
        users = (
            User.objects.filter(any_of("id", chunk), is_active=True)
            .annotate(
                digest_on=F("notification_settings__digest_enabled"),
                digest_hour=F("notification_settings__digest_hour"),
            )
            .only("id", "email", "name", "time_zone")
        )
        ready = []
        for user in users:
            enabled = defaults.digest_enabled if user.digest_on is None else user.digest_on
            hour = defaults.digest_hour if user.digest_hour is None else user.digest_hour
            if enabled and sweep.now.astimezone(user.zone).hour >= hour:
                ready.append(user)
        theirs = {i.id: i for user in ready for i in sweep.intros_of.get(user.id, [])}
        items = due_items(ready, sweep.now, drafts=False, intros=list(theirs.values()))
        for user in ready:
            if not items[user.id]:
                continue  # nothing due: no digest
            local = sweep.now.astimezone(user.zone)
            candidates.append(
                Candidate(
                    key=f"{KIND}:{user.email}:{local.date().isoformat()}",
                    kind=KIND,
                    recipient=user.email,
                    user_id=user.id,
                    intro_id=None,
                    compose=_composer(user, items[user.id], local),
                )
            )
    return candidates


def _composer(user: User, items: list[DueItem], local_now: datetime) -> Compose:
    def compose(now: datetime, links: list[ActionLink]) -> OutgoingEmail:
        today = local_now.date()
        reconnects = [i for i in items if i.kind == "reconnect"]
        shown = [i for i in items if i.kind != "reconnect"] + reconnects[:RECONNECTS]
        shown.sort(key=lambda i: (i.due_at, i.key))
        overdue = [i for i in shown if i.overdue and i.due_on < today]
        rest = [i for i in shown if not (i.overdue and i.due_on < today)]
        groups = [
            Group(
                label,
                [_line(user.id, today, i) for i in group[:GROUP_CAP]],
                max(len(group) - GROUP_CAP, 0),
                f"{settings.SITE_URL}/today/?show={show}",
            )
            for label, show, group in (("Overdue", "overdue", overdue), ("Today", "today", rest))
            if group
        ]
        context = {
            "greeting": greeting(local_now),
            "name": user.get_short_name(),
            "groups": groups,
            "count": len(items),
            "first": items[0].title,
            "more": max(len(reconnects) - RECONNECTS, 0),
            "today_url": f"{settings.SITE_URL}/today/",
        }
        return reminder_email(
            "reminders/digest",
            context,
            to=user.email,
            kind=KIND,
            what="this daily digest",
            user_id=user.id,
        )

    return compose


def greeting(local_now: datetime) -> str:
    """By the hour where the person is: a digest hour can be any hour of the day."""
    if local_now.hour < 12:
        return "Good morning"
    return "Good afternoon" if local_now.hour < 18 else "Good evening"


class Group(NamedTuple):
    label: str
    lines: list["Line"]
    more: int  # items of the group past GROUP_CAP, not listed
    url: str  # the group on Today


class Line(NamedTuple):
    title: str
    due: str
    url: str
    done_url: str  # the one-click Done link, or the item's page when it needs words
    done_label: str
    snooze_url: str


def _line(user_id: int, today: date, item: DueItem) -> Line:
    """An item with its signed Done and Snooze links (a step that needs words opens instead)."""
    url = settings.SITE_URL + item.url
    due = f"{item.due_on:%a %-d %b}"
    if item.done_event is None:
        [snooze] = digest_link_urls(user_id, today, item.due_on, item.key, ("snooze",))
        return Line(item.title, due, url, url, "Open", snooze)
    done, snooze = digest_link_urls(user_id, today, item.due_on, item.key)
    return Line(item.title, due, url, done, "Done", snooze)
