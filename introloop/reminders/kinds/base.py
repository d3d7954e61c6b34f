"""What every kind of reminder shares: the candidate the sweep claims, the introductions it
read once for all kinds, and the unsubscribe link every reminder carries."""

import binascii
import functools
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core import signing
from django.db.models import BigIntegerField, Case, F, QuerySet, When
from django.db.models.functions import Coalesce

from introloop.accounts.models import User
from introloop.intros import lifecycle
from introloop.intros.models import ActionLink, Intro, Role
from introloop.lookups import any_of
from introloop.network.models import Contact
from introloop.outbox.emails import render
from introloop.outbox.services import OutgoingEmail
from introloop.routes import url_template

from ..models import EmailOptOut, NotificationSettings

Rows = TypeVar("Rows", bound="QuerySet[Any]")

UNSUBSCRIBE_SALT = "introloop.reminders.unsubscribe"

# Writes a reminder's email, given `now` and a list that collects the new link rows.
Compose = Callable[[datetime, list[ActionLink]], OutgoingEmail]


@dataclass
class Candidate:
    """A reminder that should exist: its unique key names its kind, recipient, item, step and
    due date, so that it is queued once however often the sweep runs."""

    key: str
    kind: str
    recipient: str
    user_id: int | None
    intro_id: int | None
    # Called only once the key is claimed, with `now` and a list that collects new link rows.
    compose: Compose
    # The introduction's step it is about and when that step fell due, for a dry run to show;
    # None for reminders about no single step (a digest, the weekly summary).
    step: str | None = None
    due_at: datetime | None = None


# Columns a sweep never reads; leaving them out of 10,000 rows is measurably faster.
_UNUSED_INTRO_FIELDS = (
    "seeker_contact",
    "target_contact",
    "connector_contact",
    "parent",
    "thanked_at",
    "ended_at",
    "checkin_sent_at",
    "version",
    "created_at",
    "updated_at",
)


@dataclass
class SweepInput:
    """What the sweep reads once and every kind of reminder shares.

    A sweep may be split into `shards` (see sweep.py): shard k holds the due introductions
    whose steps' owner has an account `user_id % shards == k` (the others by `id % shards`),
    the users with `id % shards == k`, and each kind's own reads filtered with `in_shard`, so
    that the shards together hold every candidate once. One shard (the default) is all."""

    now: datetime
    intros: list[Intro]  # every introduction with a step due by the end of anyone's day
    intros_of: dict[int, list[Intro]] = field(default_factory=dict)  # by the owner's account
    owners: set[int] = field(default_factory=set)  # users who may get a digest
    due: int = 0  # items due as of now
    shard: int = 0
    shards: int = 1

    @classmethod
    def read(cls, now: datetime, shard: int = 0, shards: int = 1) -> "SweepInput":
        # Anyone's "today" ends within 26 hours from now (UTC+14, or a day that gains an hour).
        horizon = now + timedelta(hours=26)
        found = cls(now=now, intros=[], shard=shard, shards=shards)
        rows = Intro.objects.filter(next_due_at__lte=horizon)
        if shards > 1:
            # All of a state's steps have one owner, kept in next_owner with next_due_at: an
            # introduction sits in the shard of that owner's account, so that the owner's
            # digest finds all of theirs in one shard, and is read once.
            whole = BigIntegerField()
            owner = Case(
                *(When(next_owner=role, then=f"{role.value}_user_id") for role in Role),
                output_field=whole,
            )
            key = Coalesce(owner, "id", output_field=whole) % shards
            rows = rows.alias(shard_of=key).filter(shard_of=shard)
        found.intros = list(rows.defer(*_UNUSED_INTRO_FIELDS).order_by("id"))
        for intro in found.intros:
            for step in lifecycle.next_steps(intro):
                found.due += step.due_at <= now
                user_id = getattr(intro, f"{step.owner}_user_id")
                if user_id:
                    found.intros_of.setdefault(user_id, []).append(intro)
        found.owners = set(found.intros_of)
        latest_day = horizon.date() + timedelta(days=1)
        contacts = found.in_shard(Contact.objects.all(), "owner_id")
        found.owners.update(
            contacts.filter(reconnect_due_on__lte=latest_day)
            .values_list("owner_id", flat=True)
            .distinct()
        )
        found.due += contacts.filter(reconnect_due_on__lte=now.date()).count()
        return found

    def in_shard(self, rows: Rows, column: str) -> Rows:
        """`rows` whose `column` (an id) falls in this shard: all of them when unsharded."""
        if self.shards == 1:
            return rows
        return rows.alias(shard_of=F(column) % self.shards).filter(shard_of=self.shard)


@functools.lru_cache(maxsize=4)
def _signer(secret_key: str) -> signing.Signer:
    """One signer per secret key (Signer's constructor reads the settings each time)."""
    return signing.Signer(key=secret_key, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(recipient: str, kind: str, user_id: int | None) -> str:
    """A signed link that stops this kind of email for this recipient, without logging in.

    The payload is plain text rather than signing.dumps()'s JSON: the sweep signs one per
    email, and this costs a fifth as much.
    """
    payload = urlsafe_b64encode(f"{kind}|{user_id or ''}|{recipient}".encode()).decode()
    token = _signer(settings.SECRET_KEY).sign(payload)
    return settings.SITE_URL + url_template("reminders:unsubscribe").format(token)


def read_unsubscribe_token(token: str) -> tuple[str, int | None, str]:
    """(kind, user id, recipient) from an unsubscribe link; signing.BadSignature if forged.

    Links sent before the plain-text payload carry signing.dumps()'s JSON; they still work.
    """
    payload = _signer(settings.SECRET_KEY).unsign(token)
    try:
        kind, user_id, recipient = urlsafe_b64decode(payload.encode()).decode().split("|", 2)
    except (ValueError, binascii.Error):
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        if not isinstance(data, dict):
            raise signing.BadSignature("Not an unsubscribe link") from None
        return str(data.get("k")), data.get("u"), str(data.get("e", ""))
    return kind, int(user_id) if user_id.isdigit() else None, recipient


def reminder_email(
    template: str,
    context: dict[str, Any],
    *,
    to: str,
    kind: str,
    what: str,
    user_id: int | None,
    topic: str = "",
) -> OutgoingEmail:
    """Render a reminder with its footer: why it came and the one-click stop (RFC 8058)."""
    url = unsubscribe_url(to, kind, user_id)
    rendered = render(template, {**context, "what": what, "unsubscribe_url": url}, footer=True)
    return OutgoingEmail(
        to=[to],
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        user_id=user_id,
        topic=topic,
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def opted_out(emails: set[str], kind: str) -> set[str]:
    """Which of these addresses (of people without an account) stopped this kind of email."""
    rows = EmailOptOut.objects.filter(any_of("email", emails), kind=kind)
    return set(rows.values_list("email", flat=True))


def intro_candidate(
    kind: str,
    intro: Intro,
    role: str,
    tail: str,
    compose: Compose,
    *,
    step: lifecycle.NextStep | None = None,
) -> Candidate:
    """A reminder about an introduction to one of its parties; `tail` completes its key
    (the step and its due date, say) after the kind, the recipient and the introduction.
    `step` is the open step it is about, if it is about one."""
    email = intro.party(role)[1]
    return Candidate(
        key=f"{kind}:{email}:intro:{intro.id}" + (f":{tail}" if tail else ""),
        kind=kind,
        recipient=email,
        user_id=getattr(intro, f"{role}_user_id"),
        intro_id=intro.id,
        compose=compose,
        step=step.step if step else None,
        due_at=step.due_at if step else None,
    )


def connector_prefs(intros: list[Intro]) -> dict[int, NotificationSettings]:
    """The notification settings of the connectors of `intros` who have an account."""
    ids = {i.connector_user_id for i in intros if i.connector_user_id}
    return {s.user_id: s for s in NotificationSettings.objects.filter(any_of("user_id", ids))}


def told_connectors(
    intros: list[Intro], kind: str, setting: str
) -> list[tuple[Intro, NotificationSettings]]:
    """The introductions whose connector wants this kind of email, with their settings.

    A connector who is also the seeker, or has no address (a deleted account), hears nothing.
    """
    told = [i for i in intros if i.connector_email and i.connector_email != i.seeker_email]
    prefs = connector_prefs(told)
    stopped = opted_out({i.connector_email for i in told}, kind)
    found, default = [], NotificationSettings()
    for intro in told:
        user_id = intro.connector_user_id
        pref = (prefs.get(user_id) if user_id is not None else None) or default
        if getattr(pref, setting) and intro.connector_email not in stopped:
            found.append((intro, pref))
    return found


def trusted_creators(intros: list[Intro]) -> set[int]:
    """Of the accounts that logged these introductions, those the app may email others for:
    confirmed and not blocked. Nobody can have the sweep write to strangers otherwise."""
    ids = {intro.created_by_id for intro in intros}
    return set(
        User.objects.filter(
            any_of("id", ids), is_active=True, email_verified_at__isnull=False
        ).values_list("id", flat=True)
    )


def first_name(name: str) -> str:
    return name.split()[0] if name.strip() else name
