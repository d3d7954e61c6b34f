"""Reads of introductions: lists per role, what a viewer may see, follow-through records."""

import statistics
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Max, Q, QuerySet

from introloop import access
from introloop.accounts.models import User
from introloop.network.models import Contact
from introloop.network.queries import TimelineEntry

from .models import ENDED_STATES, Intro, IntroEvent, Role, State

LIST_FILTERS = {
    "open": "Open",
    "overdue": "Overdue",
    "ended": "Ended",
    "all": "All",
}


def intros_for(user: User, role: str, state: str, now: datetime) -> QuerySet[Intro]:
    """The introductions where `user` plays `role`, filtered; most urgent first.

    Whether each is overdue is a comparison on the stored next due date, in the query.
    """
    intros = access.scope(Intro.objects.filter(**{f"{role}_user": user}), user)
    if state == "open":
        intros = intros.exclude(state__in=ENDED_STATES)
    elif state == "overdue":
        intros = intros.filter(next_due_at__lt=now)
    elif state == "ended":
        intros = intros.filter(state__in=ENDED_STATES)
    elif state in State.values:
        intros = intros.filter(state=state)
    return intros.only(*LIST_FIELDS).order_by(
        F("next_due_at").asc(nulls_last=True), "-updated_at", "-id"
    )


LIST_FIELDS = (
    "id", "state", "purpose", "double_opt_in", "seeker_name", "seeker_user", "connector_name",
    "connector_user", "target_name", "target_email", "target_user", "created_by", "logged_as",
    "next_step", "next_owner", "next_due_at", "answered_at", "updated_at",
    "target_email_by_connector",  # access.target_shown reads it for every row
)  # fmt: skip


def get_visible(user: User, intro_id: int) -> Intro:
    """One introduction `user` takes part in, or Http404."""
    return access.get_or_404(
        Intro.objects.select_related("parent", "created_by"), user, pk=intro_id
    )


def chain(intro: Intro) -> list[Intro]:
    """Earlier introductions this one follows on from, oldest first (at most ten)."""
    found: list[Intro] = []
    current = intro.parent
    while current is not None and len(found) < 10:
        found.append(current)
        current = current.parent
    return list(reversed(found))


@dataclass
class FollowThrough:
    seeker_name: str
    seeker_email: str
    introductions: int
    steps_done: int
    on_time_share: float | None  # 0..1, None when no step was done yet
    median_days_to_reach_out: float | None
    loops_closed: int


def follow_through(intros: QuerySet[Intro]) -> list[FollowThrough]:
    """The follow-through record of each seeker among `intros`, aggregated in the database."""
    per_seeker = (
        intros.values("seeker_email")
        .annotate(
            name=Max("seeker_name"),
            n=Count("id"),
            closed=Count("id", filter=Q(state=State.LOOP_CLOSED)),
        )
        .order_by()
    )
    days: dict[str, list[float]] = {}
    reached = intros.filter(introduced_at__isnull=False, reached_out_at__isnull=False)
    for email, introduced_at, reached_out_at in reached.values_list(
        "seeker_email", "introduced_at", "reached_out_at"
    ):
        # Both are set: the filter above leaves out the rest.
        assert introduced_at is not None and reached_out_at is not None
        days.setdefault(email, []).append((reached_out_at - introduced_at).total_seconds() / 86400)
    timing = (
        IntroEvent.objects.filter(
            intro__in=intros.values("id"), actor_role=Role.SEEKER, on_time__isnull=False
        )
        .values("intro__seeker_email")
        .annotate(done=Count("id"), on_time=Count("id", filter=Q(on_time=True)))
        .order_by()
    )
    steps = {row["intro__seeker_email"]: (row["done"], row["on_time"]) for row in timing}
    records = []
    for row in per_seeker:
        email = row["seeker_email"]
        done, on_time = steps.get(email, (0, 0))
        records.append(
            FollowThrough(
                seeker_name=row["name"],
                seeker_email=email,
                introductions=row["n"],
                steps_done=done,
                on_time_share=on_time / done if done else None,
                median_days_to_reach_out=(
                    round(statistics.median(days[email]), 1) if email in days else None
                ),
                loops_closed=row["closed"],
            )
        )
    return sorted(records, key=lambda r: (-r.introductions, r.seeker_name))


def contact_timeline(contact: Contact) -> list[TimelineEntry]:
    """The introductions a contact took part in, for their timeline on the contact page."""
    intros = Intro.objects.filter(created_by_id=contact.owner_id).filter(
        Q(target_contact=contact) | Q(seeker_contact=contact) | Q(connector_contact=contact)
    )
    entries = []
    for intro in intros:
        role = next(r for r in Role.values if getattr(intro, f"{r}_contact_id") == contact.pk)
        titles: dict[str, str] = {
            Role.TARGET: f"Introduced to {intro.seeker_name}",
            Role.SEEKER: f"Asked to meet {intro.target_name}",
            Role.CONNECTOR: f"Introduction: {intro.seeker_name} → {intro.target_name}",
        }
        title = titles[role]
        entries.append(
            TimelineEntry(
                on=(intro.introduced_at or intro.requested_at or intro.created_at).date(),
                kind="introduction",
                title=f"{title} ({intro.get_state_display().lower()})",
                notes=intro.purpose,
                others=[],
                obj=intro,
            )
        )
    return entries
