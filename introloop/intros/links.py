"""One-click links for people without accounts: signed, expiring, single-use.

The URL carries the link's random key signed with the site's secret; the ActionLink row makes
it single-use (a conditional UPDATE of used_at) and lets it expire.
"""

import functools
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import lifecycle
from .lifecycle import NextStep
from .models import ActionLink, Intro
from .steps import STEPS, Choice, link_label

LINK_SALT = "introloop.intros.link"
LINK_DAYS = 30


class LinkProblem(Exception):
    """The link cannot be used; the message says why."""


def make_link(
    intro: Intro,
    role: str,
    actions: list[str],
    now: datetime,
    pending: list[ActionLink] | None = None,
) -> str:
    """An absolute, signed URL that lets `role` record one of `actions`, once.

    With `pending`, the link's row is added to that list for the caller to bulk-create in the
    same transaction as the email that carries it.
    """
    link = ActionLink(
        intro=intro,
        role=role,
        actions=actions,
        created_at=now,
        expires_at=now + timedelta(days=LINK_DAYS),
    )
    if pending is None:
        link.save()
    else:
        pending.append(link)
    # The key itself signed, not signing.dumps()'s JSON of it: a fifth of the cost, for the
    # sweep's thousands of links.
    token = signing.Signer(salt=LINK_SALT).sign(f"k.{link.key}")
    return settings.SITE_URL + _link_path().format(token)


@functools.cache
def _link_path() -> str:
    return reverse("intros:link", args=["TOKEN"]).replace("TOKEN", "{}")


def _key(token: str) -> str:
    """The link's key from its token; links sent before carry signing.dumps()'s JSON."""
    value = signing.Signer(salt=LINK_SALT).unsign(token)
    if value.startswith("k."):
        return value[2:]
    key = signing.loads(token, salt=LINK_SALT)
    if not isinstance(key, str):
        raise signing.BadSignature("Not a link key")
    return key


class LinkChoice(NamedTuple):
    label: str
    url: str


def links_for(
    intro: Intro,
    role: str,
    choices: list[Choice],
    now: datetime,
    pending: list[ActionLink] | None = None,
    *,
    exclusive: bool = False,
) -> list[dict[str, str]]:
    """A `{"label", "url"}` per choice: one link each, or one shared by alternatives."""
    if exclusive:
        url = make_link(intro, role, [c.event for c in choices], now, pending)
        return [{"label": c.label, "url": url} for c in choices]
    return [
        {"label": c.label, "url": make_link(intro, role, [c.event], now, pending)} for c in choices
    ]


def choice_links(
    intro: Intro, step: NextStep, now: datetime, pending: list[ActionLink] | None = None
) -> list[dict[str, str]]:
    """The one-click choices of a step, as links for its owner."""
    kind = step.kind
    return links_for(intro, step.owner, list(kind.choices), now, pending, exclusive=kind.exclusive)


class AlreadyDone(LinkProblem):
    """Nothing is wrong: the link was used, or what it asks was done (or ended) meanwhile.
    The page says so kindly (200)."""


def link_for_token(token: str, now: datetime) -> ActionLink:
    try:
        key = _key(token)
    except (signing.BadSignature, ValueError):
        raise LinkProblem("This link is not valid. Check that it was copied whole.") from None
    link = ActionLink.objects.select_related("intro").filter(key=key).first()
    if link is None:
        raise LinkProblem("This link is not valid. Check that it was copied whole.")
    if link.used_at is not None:
        answer = link_label(link.used_for, link.role).format(target=link.intro.target_name)
        raise AlreadyDone(
            f"This link was already used: “{answer}” was recorded on "
            f"{timezone.localtime(link.used_at):%-d %b %Y}. Thank you."
        )
    if link.expires_at < now:
        raise LinkProblem("This link has expired. The person who wrote to you can send a new one.")
    return link


def spend(token: str, action: str, now: datetime) -> ActionLink:
    """Claim the link for `action`, exactly once even when two tabs click at the same moment;
    in the caller's transaction, so that a refused action leaves it unspent."""
    link = link_for_token(token, now)
    if action not in link.actions:
        raise LinkProblem("This link cannot do that.")
    claimed = ActionLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
        used_at=now, used_for=action
    )
    if claimed != 1:
        link_for_token(token, now)  # raises AlreadyDone: another click spent it meanwhile
        raise LinkProblem("This link was already used.")
    return link


def refused(link: ActionLink, reason: str) -> LinkProblem:
    """Why the link's action cannot be recorded: kindly, when what it asks was already done
    by other means (the seeker recorded writing before the target's "yes, they did") or the
    introduction ended meanwhile; plainly otherwise."""
    intro = Intro.objects.get(pk=link.intro_id)
    if not intro.is_open:
        ended = intro.ended_at or intro.closed_at or intro.answered_at or intro.updated_at
        return AlreadyDone(
            f"This introduction was {intro.get_state_display().lower()} on "
            f"{timezone.localtime(ended):%-d %b %Y}, so there is nothing more to do here. "
            "Thank you."
        )
    done = set(link.actions)
    for step in STEPS.values():
        if done & step.completing_events:
            done |= step.completing_events
    event = intro.events.filter(type__in=done).order_by("-at", "-id").first()
    if event is not None:
        return AlreadyDone(
            f"Already recorded: “{event.get_type_display()}” on "
            f"{timezone.localtime(event.at):%-d %b %Y}. Nothing more to do here; thank you."
        )
    return LinkProblem(reason)


@transaction.atomic
def use_link(token: str, action: str, now: datetime, *, outcome: str = "") -> Intro:
    """Spend the link on `action` and record it."""
    link = spend(token, action, now)
    name, _ = link.intro.party(link.role)
    if action == "not_yet":
        return lifecycle.record_event(
            link.intro_id,
            "note",
            roles={link.role},
            now=now,
            actor_name=name,
            via="link",
            note="The target says the seeker has not been in touch yet.",
        )
    try:
        return lifecycle.record_event(
            link.intro_id,
            action,
            roles={link.role},
            now=now,
            actor_name=name,
            via="link",
            outcome=outcome,
        )
    except lifecycle.EventRefused as refusal:
        raise refused(link, str(refusal)) from None
