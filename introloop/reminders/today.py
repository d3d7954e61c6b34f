"""Today: one person's due items in groups (overdue, due today, the coming week), read a page
at a time, so that Today and /api/v1/today cost the same with ten or thousands of steps due.

Introduction steps stay in the database until a page of them is wanted: a group is a range of
the next due date, counted, then read with LIMIT in its order. What is left is few and computed
whole: the two steps of *met* introductions (thank, close the loop), asks awaiting a follow-up
and people to reconnect with.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import Count, Q, QuerySet, Window

from introloop.accounts.models import User
from introloop.intros.models import Intro, State

from .due import DAY_SOURCES, STEP_COLUMNS, DueItem, end_of_local_day, owned_steps, step_items
from .models import Snooze

GROUPS = {"overdue": "Overdue", "today": "Due today", "week": "Coming up this week"}
# Each group of Today shows its first GROUP_CAP items and links to the rest, GROUP_PAGE at a time.
GROUP_CAP = 20
GROUP_PAGE = 50
# Keep-in-touch reminders can number in the hundreds after an import: Today shows the most
# overdue few and links to the rest, so introduction steps are not buried.
RECONNECTS_SHOWN = 10
# Overdue introduction steps come first: other people are waiting on those.
KIND_ORDER = {"intro_step": 0, "ask": 1, "reconnect": 2}


@dataclass
class Upcoming:
    """One user's due items up to the end of their day `days_ahead` days from now."""

    user: User
    now: datetime
    today: date
    end_of_today: datetime
    steps: QuerySet[Intro]  # due introduction steps left in the database (not met, not snoozed)
    others: list[DueItem]  # the rest, computed, without snoozed ones, soonest first
    more_reconnects: int = 0  # reconnects left out beyond the `reconnects` asked for

    @classmethod
    def read(
        cls, user: User, now: datetime, days_ahead: int = 7, reconnects: int | None = None
    ) -> "Upcoming":
        users, until = {user.id: user}, {user.id: end_of_local_day(user, now, days_ahead)}
        snoozed = set(Snooze.objects.filter(user=user, until__gt=now).values_list("key", flat=True))
        due = owned_steps([user.id]).filter(next_due_at__lt=until[user.id])
        met = due.filter(state=State.MET).values_list(*STEP_COLUMNS)
        others = step_items(users, now, until, met).get(user.id, [])
        for source in DAY_SOURCES:
            others += source(users, now, until, True, None).get(user.id, [])
        others = sorted((i for i in others if i.key not in snoozed), key=lambda i: i.order)
        more = 0
        if reconnects is not None:
            hidden = {i.key for i in others if i.kind == "reconnect"}
            hidden = set([i.key for i in others if i.key in hidden][reconnects:])
            others, more = [i for i in others if i.key not in hidden], len(hidden)
        steps = due.exclude(state=State.MET)
        if snoozed_steps := _snoozed_steps(snoozed):
            steps = steps.exclude(snoozed_steps)
        return cls(user, now, now.astimezone(user.zone).date(), end_of_local_day(user, now),
                   steps, others, more)  # fmt: skip

    def page(self, group: str, offset: int, limit: int) -> tuple[int, list[DueItem]]:
        """How many items `group` holds ("all" for every group), and `limit` of them from
        `offset`, in the group's order, without their words (due.add_words)."""
        in_db, in_group = self._bounds(group)
        steps = self.steps.filter(in_db)
        found: list[DueItem] = []
        if limit <= 0:
            count = steps.count()
        else:
            # One query: the group's first rows up to the page's end, each with the group's size.
            rows = list(
                steps.annotate(total=Window(Count("pk")))
                .order_by("next_due_at", "id")
                .values_list(*STEP_COLUMNS, "total")[: offset + limit]
            )
            count = rows[0][-1] if rows else 0
            users = {self.user.id: self.user}
            until = {self.user.id: datetime.max.replace(tzinfo=UTC)}
            found = step_items(users, self.now, until, (r[:-1] for r in rows)).get(self.user.id, [])
        mine = [i for i in self.others if in_group(i)]
        order = _priority if group == "overdue" else _soonest
        return count + len(mine), sorted(found + mine, key=order)[offset : offset + limit]

    def _bounds(self, group: str) -> tuple[Q, Callable[[DueItem], bool]]:
        """The group as a range of next due dates, and as a test of a computed item. An
        introduction step is overdue once its moment has passed; an ask or a reconnect, which
        falls on a day, once its day has."""
        now, end_of_today, today = self.now, self.end_of_today, self.today
        if group == "overdue":
            return Q(next_due_at__lt=now), lambda i: i.overdue
        if group == "today":
            return (Q(next_due_at__gte=now, next_due_at__lt=end_of_today),
                    lambda i: not i.overdue and i.due_on == today)  # fmt: skip
        if group == "week":
            return (Q(next_due_at__gte=end_of_today),
                    lambda i: not i.overdue and i.due_on > today)  # fmt: skip
        return Q(), lambda i: True


def _soonest(item: DueItem) -> tuple[datetime, str, int, str]:
    return item.order


def _priority(item: DueItem) -> tuple[int, datetime, str, int, str]:
    return KIND_ORDER.get(item.kind, 1), *item.order


def _snoozed_steps(keys: set[str]) -> Q:
    """The introduction steps among snoozed item keys ("intro:12:reach_out")."""
    snoozed = Q()
    for key in keys:
        kind, _, rest = key.partition(":")
        intro_id, _, step = rest.partition(":")
        if kind == "intro" and intro_id.isdigit():
            snoozed |= Q(pk=int(intro_id), next_step=step)
    return snoozed
