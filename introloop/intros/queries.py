"""Reads of introductions: lists per role, what a viewer may see, follow-through records."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, F, FloatField, Func, Max, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler

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
    medians = _median_days_to_reach_out(intros)
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
                median_days_to_reach_out=round(medians[email], 1) if email in medians else None,
                loops_closed=row["closed"],
            )
        )
    return sorted(records, key=lambda r: (-r.introductions, r.seeker_name))


class _DaysBetween(Func):
    """Days from `start` to `end`, as Python computes `(end - start).total_seconds() / 86400`:
    whole microseconds divided by 10**6, then by 86400, so that medians match to the last bit."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        (start, start_params), (end, end_params) = self._compiled(compiler)
        # EXTRACT gives exact numeric seconds (PostgreSQL 14+), rounded once to a float.
        sql = f"EXTRACT(EPOCH FROM ({end} - {start}))::float8 / 86400"
        return sql, (*end_params, *start_params)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        (start, start_params), (end, end_params) = self._compiled(compiler)
        # SQLite holds 'YYYY-MM-DD HH:MM:SS[.ffffff]' (str() of the datetime: six digits or
        # none) and its date functions round to milliseconds: whole seconds from the first 19
        # characters, microseconds from the rest ('' casts to 0).
        seconds = "CAST(strftime('%%s', substr({0}, 1, 19)) AS INTEGER)"
        micros = "CAST(substr({0}, 21) AS INTEGER)"
        sql = (
            f"(({seconds.format(end)} - {seconds.format(start)}) * 1000000"
            f" + {micros.format(end)} - {micros.format(start)}) / 1000000.0 / 86400"
        )
        return sql, end_params + start_params + end_params + start_params

    def _compiled(self, compiler: SQLCompiler) -> list[tuple[str, tuple[Any, ...]]]:
        compiled = map(compiler.compile, self.get_source_expressions())
        return [(sql, tuple(params)) for sql, params in compiled]


# The median is statistics.median's (lower middle + upper middle) / 2, written out rather than
# percentile_cont, whose lo + (hi - lo) * 0.5 can differ from it in the last bit.
_MEDIAN_SQL = {
    "postgresql": """
        SELECT seeker_email, (PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY days)
            + PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY days DESC)) / 2
        FROM ({}) AS reached GROUP BY seeker_email""",
    # No percentile function: number each seeker's rows and keep the middle one or two.
    "sqlite": """
        SELECT seeker_email, (MIN(days) + MAX(days)) / 2 FROM (
            SELECT seeker_email, days, COUNT(*) OVER (PARTITION BY seeker_email) AS n,
                ROW_NUMBER() OVER (PARTITION BY seeker_email ORDER BY days) AS position
            FROM ({}) AS reached
        ) AS ranked WHERE position IN ((n + 1) / 2, (n + 2) / 2) GROUP BY seeker_email""",
}


def _median_days_to_reach_out(intros: QuerySet[Intro]) -> dict[str, float]:
    """Each seeker's median days from introduction to reaching out, in one query."""
    reached = (
        intros.filter(introduced_at__isnull=False, reached_out_at__isnull=False)
        .order_by()
        .annotate(days=_DaysBetween("introduced_at", "reached_out_at"))
        .values_list("seeker_email", "days")
    )
    try:
        sql, params = reached.query.sql_with_params()
    except EmptyResultSet:  # e.g. nobody's introductions (scope() of an anonymous viewer)
        return {}
    db = connections[reached.db]
    with db.cursor() as cursor:
        cursor.execute(_MEDIAN_SQL[db.vendor].format(sql), params)
        return {email: median for email, median in cursor.fetchall()}


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
