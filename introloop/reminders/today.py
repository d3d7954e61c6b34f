"""Today: one person's due items in groups (overdue, due today, the coming week), read a page
at a time, so that Today and /api/v1/today cost the same with ten or thousands of steps due.

Introduction steps stay in the database until a page of them is wanted: a group is a range of
the stored due date of an introduction's first open step (and of its second, for a met one:
thank and close the loop), counted and read with LIMIT in its order. What is left is few and
computed whole: asks awaiting a follow-up and people to reconnect with.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db.models import Count, Q, QuerySet, Window

from introloop.accounts.models import User
from introloop.intros.models import Intro

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


# An introduction's open steps as the database holds them: the first (`next_due_at`, every open
# introduction) and the second (`later_due_at`, a met one: thank and close the loop).
DUE_COLUMNS = {"first": "next_due_at", "second": "later_due_at"}


@dataclass
class Upcoming:
    """One user's due items up to the end of their day `days_ahead` days from now."""

    user: User
    now: datetime
    today: date
    end_of_today: datetime
    # Due introduction steps left in the database, first and second, without snoozed ones.
    steps: dict[str, QuerySet[Intro]]
    others: list[DueItem]  # asks and reconnects, computed, without snoozed ones, soonest first
    more_reconnects: int = 0  # reconnects left out beyond the `reconnects` asked for

    @classmethod
    def read(
        cls, user: User, now: datetime, days_ahead: int = 7, reconnects: int | None = None
    ) -> "Upcoming":
        users, until = {user.id: user}, {user.id: end_of_local_day(user, now, days_ahead)}
        snoozed = set(Snooze.objects.filter(user=user, until__gt=now).values_list("key", flat=True))
        others: list[DueItem] = []
        for source in DAY_SOURCES:
            others += source(users, now, until, True, None).get(user.id, [])
        others = sorted((i for i in others if i.key not in snoozed), key=lambda i: i.order)
        more = 0
        if reconnects is not None:
            hidden = {i.key for i in others if i.kind == "reconnect"}
            hidden = set([i.key for i in others if i.key in hidden][reconnects:])
            others, more = [i for i in others if i.key not in hidden], len(hidden)
        steps = {}
        for which, column in DUE_COLUMNS.items():
            due = owned_steps([user.id]).filter(**{f"{column}__lt": until[user.id]})
            if left_out := _snoozed_steps(snoozed, which):
                due = due.exclude(left_out)
            steps[which] = due
        return cls(user, now, now.astimezone(user.zone).date(), end_of_local_day(user, now),
                   steps, others, more)  # fmt: skip

    def page(self, group: str, offset: int, limit: int) -> tuple[int, list[DueItem]]:
        """How many items `group` holds ("all" for every group), and `limit` of them from
        `offset`, in the group's order, without their words (due.add_words)."""
        count, found = 0, list[DueItem]()
        for which, column in DUE_COLUMNS.items():
            counted, items = self._steps(which, column, group, offset + limit)
            count, found = count + counted, found + items
        in_group = self._test(group)
        mine = [i for i in self.others if in_group(i)]
        order = _priority if group == "overdue" else _soonest
        return count + len(mine), sorted(found + mine, key=order)[offset : offset + limit]

    def _steps(self, which: str, column: str, group: str, first: int) -> tuple[int, list[DueItem]]:
        """How many of the group's first (or second) steps there are, and the first `first`
        of them: one query, each row carrying the group's size."""
        steps = self.steps[which].filter(self._range(column, group))
        if first <= 0:
            return steps.count(), []
        rows = list(
            steps.annotate(total=Window(Count("pk")))
            .order_by(column, "id")
            .values_list(*STEP_COLUMNS, "total")[:first]
        )
        users = {self.user.id: self.user}
        until = {self.user.id: datetime.max.replace(tzinfo=UTC)}
        items = step_items(users, self.now, until, (r[:-1] for r in rows)).get(self.user.id, [])
        # Each row gives both steps of a met introduction: keep the one this column dates.
        firsts = {f"intro:{row[0]}:{row[2]}" for row in rows}
        kept = [i for i in items if (i.key in firsts) == (which == "first")]
        return (rows[0][-1] if rows else 0), kept

    def _range(self, column: str, group: str) -> Q:
        """The group as a range of a due-date column."""
        now, end_of_today = self.now, self.end_of_today
        bounds = {
            "overdue": {f"{column}__lt": now},
            "today": {f"{column}__gte": now, f"{column}__lt": end_of_today},
            "week": {f"{column}__gte": end_of_today},
        }
        return Q(**bounds.get(group, {}))

    def _test(self, group: str) -> Callable[[DueItem], bool]:
        """The group as a test of a computed item: an ask or a reconnect falls on a day, and
        is overdue once that day has passed (an introduction step, once its moment has)."""
        today = self.today
        tests: dict[str, Callable[[DueItem], bool]] = {
            "overdue": lambda i: i.overdue,
            "today": lambda i: not i.overdue and i.due_on == today,
            "week": lambda i: not i.overdue and i.due_on > today,
        }
        return tests.get(group, lambda i: True)


def _soonest(item: DueItem) -> tuple[datetime, str, int, str]:
    return item.order


def _priority(item: DueItem) -> tuple[int, datetime, str, int, str]:
    return KIND_ORDER.get(item.kind, 1), *item.order


def _snoozed_steps(keys: set[str], which: str) -> Q:
    """The first (or second) introduction steps among snoozed item keys
    ("intro:12:reach_out"): a step not stored as the next one is the second."""
    snoozed = Q()
    for key in keys:
        kind, _, rest = key.partition(":")
        intro_id, _, step = rest.partition(":")
        if kind == "intro" and intro_id.isdigit():
            first = Q(pk=int(intro_id), next_step=step)
            snoozed |= first if which == "first" else Q(pk=int(intro_id)) & ~Q(next_step=step)
    return snoozed
