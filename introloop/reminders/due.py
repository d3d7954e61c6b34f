"""What is due, for whom: the one computation behind Today, the digest, the calendar feed and
the API. `due_items` works for many users at once in a fixed number of queries; the others
ask it about one person.

Three sources: the steps of introductions (owner, title and draft from intros.steps), asks
awaiting a follow-up (goals) and contacts to keep in touch with (network). Where do I add a
new kind of due item? A source function here, listed in SOURCES, and its one-click done in
services.mark_done().
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NotRequired, TypedDict, Unpack

from django.db.models import Q, QuerySet

from introloop import access
from introloop.accounts.models import User
from introloop.goals.models import Ask
from introloop.intros import lifecycle, messages
from introloop.intros.messages import Draft
from introloop.intros.models import Intro
from introloop.intros.steps import STEPS
from introloop.lookups import any_of
from introloop.network.models import Contact
from introloop.routes import url_template

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
    # Whether the item has a drafted message, drafted or not yet (see add_words).
    has_draft: bool = False
    # The event that records the step with one click; None when it needs more (an outcome).
    done_event: str | None = None

    @property
    def order(self) -> tuple[datetime, str, int, str]:
        """Soonest first; among equals, by kind and the id of what it is about (the database
        sorts introduction steps by next due date, then id, the same way)."""
        return self.due_at, self.kind, self.intro_id or self.contact_id or 0, self.key

    # Its routes on Today, formatted rather than reversed: a page shows dozens of items.
    @property
    def done_url(self) -> str:
        return url_template("reminders:done").format(self.key)

    @property
    def snooze_url(self) -> str:
        return url_template("reminders:snooze").format(self.key)

    @property
    def draft_url(self) -> str:
        return url_template("reminders:draft").format(self.key)


# Each user's items, by user id.
Found = dict[int, list[DueItem]]


def end_of_local_day(user: User, now: datetime, days_after: int = 0) -> datetime:
    local = now.astimezone(user.zone)
    day = local.date() + timedelta(days=days_after)
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=user.zone)


# What a list of due steps reads of each introduction: enough to know its steps, their owner
# and due date (lifecycle.stored_steps), not the words shown with them (add_words).
_PARTIES = ("seeker", "connector", "target")
STEP_COLUMNS = ("id", "state", "next_step", "next_due_at", "met_at", "rules",
                 *(f"{party}_user_id" for party in _PARTIES))  # fmt: skip


def owned_steps(user_ids: Iterable[int]) -> QuerySet[Intro]:
    """Introductions whose next step one of these users owns (every step of an introduction
    waits on the same party)."""
    ids = list(user_ids)
    return Intro.objects.filter(
        Q(next_owner="seeker", seeker_user_id__in=ids)
        | Q(next_owner="connector", connector_user_id__in=ids)
        | Q(next_owner="target", target_user_id__in=ids)
    )


def _intro_items(
    users: dict[int, User],
    now: datetime,
    until: dict[int, datetime],
    drafts: bool,
    intros: Iterable[Intro] | None = None,
) -> Found:
    """The introduction steps each user owns, without their title (add_words): reading every
    due introduction whole costs thirty times more than its step columns."""
    if intros is None:
        latest = max(until.values())
        rows = owned_steps(users).filter(next_due_at__lt=latest).values_list(*STEP_COLUMNS)
        return step_items(users, now, until, rows)
    return step_items(users, now, until, ([getattr(i, c) for c in STEP_COLUMNS] for i in intros))


def step_items(
    users: dict[int, User], now: datetime, until: dict[int, datetime], rows: Iterable[Sequence[Any]]
) -> Found:
    """The due items of introductions' rows of STEP_COLUMNS, for the users owning them."""
    intro_url = url_template("intros:detail")
    found: Found = {}
    for intro_id, state, next_step, next_due_at, met_at, rules, *party_users in rows:
        for step in lifecycle.stored_steps(state, next_step, next_due_at, met_at, rules):
            user_id = party_users[_PARTIES.index(step.owner)]
            if user_id not in users or step.due_at >= until[user_id]:
                continue
            kind = step.kind
            found.setdefault(user_id, []).append(
                DueItem(
                    key=f"intro:{intro_id}:{step.step}",
                    kind="intro_step",
                    step=step.step,
                    title="",
                    due_at=step.due_at,
                    due_on=step.due_at.astimezone(users[user_id].zone).date(),
                    overdue=step.overdue(now),
                    url=intro_url.format(intro_id),
                    intro_id=intro_id,
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
# Items that fall on a day (at 9 in the owner's zone), unlike introduction steps.
DAY_SOURCES: tuple[Source, ...] = (_ask_items, _contact_items)
SOURCES: tuple[Source, ...] = (_intro_items, *DAY_SOURCES)


def due_items(
    users: Sequence[User],
    now: datetime,
    days_ahead: int = 0,
    snoozed: str = "hide",
    drafts: bool = True,
    intros: list[Intro] | None = None,
    words: bool = True,
) -> dict[int, list[DueItem]]:
    """Every user's due items up to the end of their local day `days_ahead` days from now,
    overdue ones included, soonest first. Snoozed items are hidden (`snoozed="hide"`, for
    Today and emails), kept as they are ("keep"), or moved to the day they come back ("move",
    for the calendar). The sweep passes `intros` it has already read (those due by the end of
    every user's day) instead of reading them again. `words=False` leaves introduction steps
    without their title and draft, for lists that word only the items they show (add_words)."""
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
        items.sort(key=lambda i: i.order)
    if words:
        known = _intros_of([i for items in result.values() for i in items], intros)
        for user_id, items in result.items():
            add_words(by_id[user_id], items, drafts=drafts, intros=known)
    return result


def due_items_for(
    user: User, now: datetime, days_ahead: int = 0, words: bool = True
) -> list[DueItem]:
    """The user's due items (see due_items); `words=False` leaves introduction steps without
    their title and drafted message, for lists that word only the items they show."""
    return due_items([user], now, days_ahead, words=words)[user.id]


def _intros_of(items: Sequence[DueItem], known: list[Intro] | None = None) -> dict[int, Intro]:
    wanted = {i.intro_id for i in items if i.intro_id is not None}
    if known is not None:
        return {i.id: i for i in known if i.id in wanted}
    return {i.id: i for i in Intro.objects.filter(any_of("id", wanted))} if wanted else {}


def add_words(
    user: User,
    items: Sequence[DueItem],
    drafts: bool = False,
    intros: dict[int, Intro] | None = None,
) -> None:
    """Title these introduction steps, and draft their messages if `drafts`, in at most two
    queries whatever their number: a page of Today, or the one item someone opened."""
    todo = [
        i for i in items if i.kind == "intro_step" and (not i.title or (drafts and not i.draft))
    ]
    if not todo:
        return
    known = _intros_of(todo) if intros is None else intros
    templates = messages.own_templates([user.id]) if drafts else {}
    for item in todo:
        intro = known.get(item.intro_id or 0)
        if intro is None:
            continue
        # Straight from the party columns: roles_of() may look up the creator.
        target = access.target_shown(intro, access.party_roles(intro, user.id))
        item.title = STEPS[item.step].title_for(
            intro.seeker_name, target.name or intro.target_name, intro.connector_name
        )
        if drafts and item.draft is None:
            item.draft = messages.draft_for_step(
                item.step, intro, user, bool(target.email), preloaded=templates
            )


def item_for(user: User, key: str, now: datetime, draft: bool = False) -> DueItem | None:
    """One of the user's items (snoozed or not), looking a year ahead; with its drafted
    message if `draft`."""
    items = due_items([user], now, days_ahead=366, snoozed="keep", words=False)[user.id]
    found = next((i for i in items if i.key == key), None)
    if found is not None:
        add_words(user, [found], drafts=draft)
    return found
