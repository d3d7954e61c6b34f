"""The dashboard's figures: referrals against the target, follow-through on time, the funnel of
introductions, applications by source and weekly outreach.

Everything is read in six queries whatever the size of the history (rows are bucketed into
weeks in Python: weeks start on Monday in the user's time zone, which SQL cannot do portably).
The dashboard, the API and the weekly summary email all use `stats_for`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q

from introloop.intros.models import Intro, IntroEvent, Role, State
from introloop.network.models import Interaction

from .models import Application, Ask, Targets

DEFAULT_OUTREACH = Targets._meta.get_field("weekly_outreach").default
DEFAULT_REFERRALS = Targets._meta.get_field("referrals").default
INTERVIEW_STATUSES = (Application.Status.INTERVIEWING, Application.Status.OFFER)
SOURCES = [
    (Application.Source.COLD.value, "Cold applications"),
    (Application.Source.REFERRAL.value, "Referrals"),
]
FUNNEL = [
    ("introduced", "Introduced"),
    ("reached_out", "Reached out"),
    ("met", "Met"),
    ("thanked", "Thanked"),
    ("loop_closed", "Loop closed"),
]


@dataclass
class WeekFigures:
    start: date  # the Monday the week starts on, in the user's time zone
    referrals_total: int  # referrals and introductions collected by the end of the week
    referrals_new: int
    steps: int  # the seeker's steps done that week that had a due date
    steps_on_time: int
    on_time_share: float | None  # None for a week without steps
    conversations: int  # interactions logged + introductions reached out to
    interactions: int
    reached_out: int


@dataclass
class FunnelStage:
    stage: str
    label: str
    count: int
    share: float | None  # of the introductions


@dataclass
class SourceFigures:
    source: str
    label: str
    applications: int
    interviews: int
    interview_rate: float | None


@dataclass
class Stats:
    as_of: datetime
    time_zone: str
    week_start: date  # this week's Monday
    referral_target: int
    referrals: int
    outreach_target: int
    outreach_this_week: int
    steps: int  # all time
    steps_on_time: int
    on_time_share: float | None
    weeks: list[WeekFigures] = field(default_factory=list)  # oldest first; the last is this week
    funnel: list[FunnelStage] = field(default_factory=list)
    applications: list[SourceFigures] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing recorded yet that the dashboard could show."""
        return not (
            self.referrals
            or self.steps
            or self.funnel[0].count
            or any(s.applications for s in self.applications)
            or any(w.conversations for w in self.weeks)
        )

    @property
    def last_week(self) -> WeekFigures | None:
        return self.weeks[-2] if len(self.weeks) > 1 else None

    def as_dict(self) -> dict:
        """Plain JSON types: dates and times as ISO 8601 strings."""
        return jsonable(asdict(self))


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return value


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _targets(user) -> tuple[int, int]:
    """(weekly outreach, referrals) targets; the defaults if the user never set them."""
    row = Targets.objects.filter(user=user).values_list("weekly_outreach", "referrals").first()
    return row or (DEFAULT_OUTREACH, DEFAULT_REFERRALS)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


class _Weeks:
    """Buckets local dates and aware datetimes into `n` weeks ending with the current one."""

    def __init__(self, now: datetime, zone: ZoneInfo, n: int):
        self.zone = zone
        self.current = _monday(now.astimezone(zone).date())
        self.first = self.current - timedelta(weeks=n - 1)
        self.starts = [self.first + timedelta(weeks=i) for i in range(n)]
        self.end = self.current + timedelta(weeks=1)  # exclusive

    def index(self, moment: date | datetime) -> int | None:
        """The week `moment` falls in (0 = the oldest); -1 before the window; None after it."""
        day = moment.astimezone(self.zone).date() if isinstance(moment, datetime) else moment
        if day >= self.end:
            return None
        if day < self.first:
            return -1
        return (day - self.first).days // 7

    def tally(self, amounts: Iterable[tuple[date | datetime, int]]) -> tuple[int, list[int]]:
        """The sum of (moment, amount) pairs before the window, and in each week of it; the
        moments after the window are left out."""
        before, per_week = 0, [0] * len(self.starts)
        for moment, amount in amounts:
            i = self.index(moment)
            if i == -1:
                before += amount
            elif i is not None:
                per_week[i] += amount
        return before, per_week


def stats_for(user, now: datetime, weeks: int = 12) -> Stats:
    """The dashboard's figures for `user` as of `now`, over the last `weeks` weeks."""
    span = _Weeks(now, user.zone, weeks)
    outreach_target, referral_target = _targets(user)
    intros = list(
        Intro.objects.filter(seeker_user=user, introduced_at__isnull=False).values_list(
            "introduced_at", "reached_out_at", "met_at", "thanked_at", "state"
        )
    )
    referral_days = _referral_days(user)
    steps = _seeker_steps(user)
    week_rows = _week_figures(span, intros, referral_days, steps, _interactions(user, span))
    steps_on_time = sum(on_time for _, on_time in steps)
    return Stats(
        as_of=now,
        time_zone=str(user.zone),
        week_start=span.current,
        referral_target=referral_target,
        referrals=week_rows[-1].referrals_total,
        outreach_target=outreach_target,
        outreach_this_week=week_rows[-1].conversations,
        steps=len(steps),
        steps_on_time=steps_on_time,
        on_time_share=_share(steps_on_time, len(steps)),
        weeks=week_rows,
        funnel=funnel(intros),
        applications=_applications(user),
    )


def _referral_days(user) -> list[date]:
    """The days of the referrals the user asked for and got."""
    return list(
        Ask.objects.filter(
            owner=user,
            kind=Ask.Kind.REFERRAL,
            direction=Ask.Direction.ASKED,
            status=Ask.Status.DONE,
        ).values_list("on", flat=True)
    )


def _seeker_steps(user) -> list[tuple[datetime, bool]]:
    """(when, whether on time) of every step the user did as a seeker that had a due date."""
    events = IntroEvent.objects.filter(
        intro__seeker_user=user, actor_role=Role.SEEKER, on_time__isnull=False
    ).values_list("at", "on_time")
    return [(at, bool(on_time)) for at, on_time in events]


def _interactions(user, span: _Weeks) -> list[tuple[date, int]]:
    """(day, how many) of the interactions the user logged within the weeks of `span`."""
    logged = (
        Interaction.objects.filter(
            owner=user, occurred_on__gte=span.first, occurred_on__lt=span.end
        )
        .values_list("occurred_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    return list(logged)


def _week_figures(
    span: _Weeks, intros: list[tuple], referral_days: list[date], steps, interactions
) -> list[WeekFigures]:
    """Each week's figures, oldest first. Referrals and introductions both count as collected;
    `steps` holds (moment, on time) per step, `interactions` (day, how many)."""
    collected = [(row[0], 1) for row in intros] + [(day, 1) for day in referral_days]
    before, collected_in = span.tally(collected)
    _, reached_out = span.tally((row[1], 1) for row in intros if row[1])
    _, steps_in = span.tally((at, 1) for at, _ in steps)
    _, on_time_in = span.tally(steps)
    _, interactions_in = span.tally(interactions)
    totals = list(accumulate(collected_in, initial=before))[1:]
    return [
        WeekFigures(
            start=start,
            referrals_total=totals[i],
            referrals_new=collected_in[i],
            steps=steps_in[i],
            steps_on_time=on_time_in[i],
            on_time_share=_share(on_time_in[i], steps_in[i]),
            conversations=interactions_in[i] + reached_out[i],
            interactions=interactions_in[i],
            reached_out=reached_out[i],
        )
        for i, start in enumerate(span.starts)
    ]


def funnel(intros) -> list[FunnelStage]:
    """How many of the introductions reached each milestone."""
    counts = dict.fromkeys((key for key, _ in FUNNEL), 0)
    for _introduced_at, reached_out_at, met_at, thanked_at, state in intros:
        counts["introduced"] += 1
        # Logged as "we met" without the reaching out recorded: they got in touch all the same.
        counts["reached_out"] += bool(reached_out_at or met_at)
        counts["met"] += bool(met_at)
        counts["thanked"] += bool(thanked_at)
        counts["loop_closed"] += state == State.LOOP_CLOSED
    introduced = counts["introduced"]
    return [
        FunnelStage(key, label, counts[key], _share(counts[key], introduced))
        for key, label in FUNNEL
    ]


def _applications(user) -> list[SourceFigures]:
    """Applications and interviews by source."""
    by_source = {
        row["source"]: row
        for row in Application.objects.filter(owner=user)
        .values("source")
        .annotate(
            n=Count("id"),
            interviews=Count("id", filter=Q(interviewed=True) | Q(status__in=INTERVIEW_STATUSES)),
        )
        .order_by()
    }
    return [_source(key, label, by_source.get(key)) for key, label in SOURCES]


def _source(key: str, label: str, row: Mapping[str, Any] | None) -> SourceFigures:
    n, interviews = (row["n"], row["interviews"]) if row else (0, 0)
    return SourceFigures(key, label, n, interviews, _share(interviews, n))


def outreach_this_week(user, now: datetime) -> tuple[int, int]:
    """(new conversations so far this week, the weekly target), for the Today page."""
    zone = user.zone
    monday = _monday(now.astimezone(zone).date())
    start = datetime.combine(monday, time(0), tzinfo=zone)
    end = datetime.combine(monday + timedelta(weeks=1), time(0), tzinfo=zone)
    logged = Interaction.objects.filter(
        owner=user, occurred_on__gte=monday, occurred_on__lt=monday + timedelta(weeks=1)
    ).count()
    reached = Intro.objects.filter(
        seeker_user=user, reached_out_at__gte=start, reached_out_at__lt=end
    ).count()
    return logged + reached, _targets(user)[0]


def outreach_for_today(user, now: datetime) -> dict:
    done, target = outreach_this_week(user, now)
    return {"outreach": {"done": done, "target": target, "percent": min(100, 100 * done // target)}}
