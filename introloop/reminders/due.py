"""What is due, for whom: the one computation behind Today, the digest, the calendar feed and
the API. `due_items` works for many users at once in a fixed number of queries; the others
ask it about one person.

Three sources: the steps of introductions (owner, title and draft from intros.steps), asks
awaiting a follow-up (goals) and contacts to keep in touch with (network). Where do I add a
new kind of due item? A source function here, listed in SOURCES, and its one-click done in
services.mark_done().
"""

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NotRequired, TypedDict, Unpack

from django.db.models import Q
from django.urls import reverse

from introloop import access
from introloop.accounts.models import User
from introloop.goals.models import Ask
from introloop.intros import lifecycle, messages
from introloop.intros.messages import Draft
from introloop.intros.models import Intro
from introloop.lookups import any_of
from introloop.network.models import Contact

from .models import Snooze


@dataclass
class DueItem:
    key: str  # stable: "intro:12:reach_out", "contact:55:reconnect"
    kind: str  # intro_step, ask, reconnect
    step: str
    title: str
    due_at: datetime
    due_on: date  # the due day in the user's time zone
    overdue: bool
    url: str
    intro_id: int | None = None
    contact_id: int | None = None
    draft: Draft | None = None
    # Whether the item has a drafted message, drafted or not yet (see add_drafts).
    has_draft: bool = False
    # The event that records the step with one click; None when it needs more (an outcome).
    done_event: str | None = None


# Each user's items, by user id.
Found = dict[int, list[DueItem]]


def end_of_local_day(user: User, now: datetime, days_after: int = 0) -> datetime:
    local = now.astimezone(user.zone)
    day = local.date() + timedelta(days=days_after)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=user.zone)


@functools.cache
def url_template(name: str) -> str:
    """A route's path with "{}" where its one argument goes: reverse() once, not per item."""
    return reverse(name, args=[987654321]).replace("987654321", "{}")


def _intro_items(
    users: dict[int, User],
    now: datetime,
    until: dict[int, datetime],
    drafts: bool,
    intros: Iterable[Intro] | None = None,
) -> Found:
    latest = max(until.values())
    templates = messages.own_templates(users) if drafts else {}
    if intros is None:
        ids = list(users)
        intros = Intro.objects.filter(next_due_at__lte=latest).filter(
            Q(any_of("seeker_user_id", ids))
            | Q(any_of("connector_user_id", ids))
            | Q(any_of("target_user_id", ids))
        )
    intro_url = url_template("intros:detail")
    found: Found = {}
    for intro in intros:
        for step in lifecycle.next_steps(intro):
            user_id = getattr(intro, f"{step.owner}_user_id")
            if user_id not in users or step.due_at >= until[user_id]:
                continue
            user = users[user_id]
            # Straight from the party columns: roles_of() may look up the creator.
            target = access.target_shown(intro, access.party_roles(intro, user_id))
            kind = step.kind
            draft = None
            if drafts:
                draft = messages.draft_for_step(
                    step.step, intro, user, bool(target.email), preloaded=templates
                )
            found.setdefault(user_id, []).append(
                DueItem(
                    key=f"intro:{intro.id}:{step.step}",
                    kind="intro_step",
                    step=step.step,
                    title=step.title(intro, target.name),
                    due_at=step.due_at,
                    due_on=step.due_at.astimezone(user.zone).date(),
                    overdue=step.overdue(now),
                    url=intro_url.format(intro.id),
                    intro_id=intro.id,
                    draft=draft,
                    has_draft=kind.draft is not None,
                    done_event=kind.completed_by if kind.one_click else None,
                )
            )
    return found


RECONNECT_SUBJECT = "Catching up"
RECONNECT_BODY = (
    "Hi {first},\n\nIt's been a while since we last spoke, and I was thinking of you. How are "
    "things going{at_company}? I'd love to hear what you're working on.\n\nBest,\n{me}"
)


def _contact_items(
    users: dict[int, User],
    now: datetime,
    until: dict[int, datetime],
    drafts: bool,
    intros: Iterable[Intro] | None = None,
) -> Found:
    latest = max(until.values()).date()
    contacts = Contact.objects.filter(any_of("owner_id", users), reconnect_due_on__lte=latest).only(
        "id", "owner_id", "full_name", "given_name", "company", "reconnect_due_on",
        "keep_in_touch_days",
    ).prefetch_related("emails")  # fmt: skip
    found: Found = {}
    contact_url = url_template("timeline:contact")
    for contact in contacts:
        assert contact.reconnect_due_on is not None  # the filter above leaves out the rest
        user = users[contact.owner_id]
        first = contact.given_name or contact.full_name.split()[0]
        at_company = f" at {contact.company}" if contact.company else ""
        body = RECONNECT_BODY.format(first=first, at_company=at_company, me=user.get_short_name())
        emails = [e.email for e in contact.emails.all()][:1]
        _add_day_item(
            found, user, contact.reconnect_due_on, now, until,
            key=f"contact:{contact.id}:reconnect", kind="reconnect", step="reconnect",
            title=f"Reconnect with {contact.full_name}", url=contact_url.format(contact.id),
            contact_id=contact.id, done_event="interaction", has_draft=True,
            draft=Draft(key="reconnect", subject=RECONNECT_SUBJECT, body=body, to=emails),
        )  # fmt: skip
    return found


class DayItem(TypedDict):
    """What a due item on a day says besides its day (see _add_day_item)."""

    key: str
    kind: str
    step: str
    title: str
    url: str
    contact_id: int
    done_event: str
    has_draft: NotRequired[bool]
    draft: NotRequired[Draft]


def _add_day_item(
    found: Found,
    user: User,
    day: date,
    now: datetime,
    until: dict[int, datetime],
    **item: Unpack[DayItem],
) -> None:
    """Add an item due on `day` (at 9 in the user's zone) to `found`, if it is due by then."""
    due_at = datetime.combine(day, time(9), tzinfo=user.zone)
    if due_at < until[user.id]:
        today = now.astimezone(user.zone).date()
        found.setdefault(user.id, []).append(
            DueItem(due_at=due_at, due_on=day, overdue=day < today, **item)
        )


def _ask_items(
    users: dict[int, User],
    now: datetime,
    until: dict[int, datetime],
    drafts: bool,
    intros: Iterable[Intro] | None = None,
) -> Found:
    """Asks awaiting a follow-up: due on their follow-up day, at 9 in the owner's zone."""
    latest = max(until.values()).date()
    asks = Ask.objects.filter(
        any_of("owner_id", users), status=Ask.Status.ASKED, follow_up_on__lte=latest
    ).select_related("contact")
    contact_url = url_template("timeline:contact")
    found: Found = {}
    for ask in asks:
        assert ask.follow_up_on is not None  # the filter above leaves out the rest
        what = ask.get_kind_display().lower()
        _add_day_item(
            found, users[ask.owner_id], ask.follow_up_on, now, until,
            key=f"ask:{ask.id}:follow_up", kind="ask", step="follow_up",
            title=f"Follow up with {ask.contact.full_name}: {what}",
            url=contact_url.format(ask.contact_id), contact_id=ask.contact_id,
            done_event="followed_up",
        )  # fmt: skip
    return found


Source = Callable[
    [dict[int, User], datetime, dict[int, datetime], bool, Iterable[Intro] | None], Found
]
SOURCES: tuple[Source, ...] = (_intro_items, _ask_items, _contact_items)


def due_items(
    users: Sequence[User],
    now: datetime,
    days_ahead: int = 0,
    snoozed: str = "hide",
    drafts: bool = True,
    intros: list[Intro] | None = None,
) -> dict[int, list[DueItem]]:
    """Every user's due items up to the end of their local day `days_ahead` days from now,
    overdue ones included, soonest first. Snoozed items are hidden (`snoozed="hide"`, for
    Today and emails), kept as they are ("keep"), or moved to the day they come back ("move",
    for the calendar). The sweep passes `intros` it has already read (those due by the end of
    every user's day) instead of reading them again."""
    by_id = {u.id: u for u in users}
    if not by_id:
        return {}
    until = {u.id: end_of_local_day(u, now, days_ahead) for u in users}
    result: Found = {u.id: [] for u in users}
    for source in SOURCES:
        for user_id, items in source(by_id, now, until, drafts, intros).items():
            result[user_id].extend(items)
    if snoozed != "keep":
        until_of = {
            (user_id, key): moment
            for user_id, key, moment in Snooze.objects.filter(
                any_of("user_id", by_id), until__gt=now
            ).values_list("user_id", "key", "until")
        }
        for user_id, items in result.items():
            kept = []
            for item in items:
                back = until_of.get((user_id, item.key))
                if back is None:
                    kept.append(item)
                elif snoozed == "move":
                    item.due_at, item.overdue = back, False
                    item.due_on = back.astimezone(by_id[user_id].zone).date()
                    kept.append(item)
            result[user_id] = kept
    for items in result.values():
        items.sort(key=lambda i: (i.due_at, i.key))
    return result


def due_items_for(
    user: User, now: datetime, days_ahead: int = 0, drafts: bool = True
) -> list[DueItem]:
    """The user's due items (see due_items); `drafts=False` leaves introduction steps without
    their drafted message, for lists that draft only the items they show (add_drafts)."""
    return due_items([user], now, days_ahead, drafts=drafts)[user.id]


def add_drafts(user: User, items: Sequence[DueItem]) -> None:
    """Draft the messages of these introduction steps, in two queries whatever their number:
    a page of Today, or the one item whose draft someone opened."""
    wanted = {i.intro_id for i in items if i.kind == "intro_step" and i.draft is None}
    if not wanted:
        return
    intros = {i.id: i for i in Intro.objects.filter(any_of("id", wanted))}
    templates = messages.own_templates([user.id])
    for item in items:
        intro = intros.get(item.intro_id or 0)
        if item.kind != "intro_step" or item.draft is not None or intro is None:
            continue
        target = access.target_shown(intro, access.party_roles(intro, user.id))
        item.draft = messages.draft_for_step(
            item.step, intro, user, bool(target.email), preloaded=templates
        )


def item_for(user: User, key: str, now: datetime, draft: bool = False) -> DueItem | None:
    """One of the user's items (snoozed or not), looking a year ahead; with its drafted
    message if `draft`."""
    items = due_items([user], now, days_ahead=366, snoozed="keep", drafts=False)[user.id]
    found = next((i for i in items if i.key == key), None)
    if found is not None and draft:
        add_drafts(user, [found])
    return found
