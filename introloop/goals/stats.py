"""The dashboard's figures: referrals against the target, follow-through on time, the funnel of
introductions, applications by source and weekly outreach.

Everything is read in six queries whatever the size of the history (rows are bucketed into
weeks in Python: weeks start on Monday in the user's time zone, which SQL cannot do portably).
The dashboard, the API and the weekly summary email all use `stats_for`.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
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
        return _jsonable(asdict(self))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
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


def stats_for(user, now: datetime, weeks: int = 12) -> Stats:
    """The dashboard's figures for `user` as of `now`, over the last `weeks` weeks."""
    zone = user.zone
    span = _Weeks(now, zone, weeks)
    outreach_target, referral_target = _targets(user)

    collected = [0] * weeks
    before = 0
    reached_out = [0] * weeks
    funnel = dict.fromkeys((key for key, _ in FUNNEL), 0)
    intros = Intro.objects.filter(seeker_user=user, introduced_at__isnull=False).values_list(
        "introduced_at", "reached_out_at", "met_at", "thanked_at", "state"
    )
    for introduced_at, reached_out_at, met_at, thanked_at, state in intros:
        funnel["introduced"] += 1
        # Logged as "we met" without the reaching out recorded: they got in touch all the same.
        funnel["reached_out"] += bool(reached_out_at or met_at)
        funnel["met"] += bool(met_at)
        funnel["thanked"] += bool(thanked_at)
        funnel["loop_closed"] += state == State.LOOP_CLOSED
        i = span.index(introduced_at)
        if i == -1:
            before += 1
        elif i is not None:
            collected[i] += 1
        if reached_out_at:
            i = span.index(reached_out_at)
            if i is not None and i >= 0:
                reached_out[i] += 1

    referral_days = Ask.objects.filter(
        owner=user, kind=Ask.Kind.REFERRAL, direction=Ask.Direction.ASKED, status=Ask.Status.DONE
    ).values_list("on", flat=True)
    for day in referral_days:
        i = span.index(day)
        if i == -1:
            before += 1
        elif i is not None:
            collected[i] += 1

    steps, on_time = [0] * weeks, [0] * weeks
    steps_total = on_time_total = 0
    events = IntroEvent.objects.filter(
        intro__seeker_user=user, actor_role=Role.SEEKER, on_time__isnull=False
    ).values_list("at", "on_time")
    for at, was_on_time in events:
        steps_total += 1
        on_time_total += was_on_time
        i = span.index(at)
        if i is not None and i >= 0:
            steps[i] += 1
            on_time[i] += was_on_time

    interactions = [0] * weeks
    logged = (
        Interaction.objects.filter(
            owner=user, occurred_on__gte=span.first, occurred_on__lt=span.end
        )
        .values("occurred_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in logged:
        interactions[span.index(row["occurred_on"])] += row["n"]

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

    week_rows, running = [], before
    for i, start in enumerate(span.starts):
        running += collected[i]
        week_rows.append(
            WeekFigures(
                start=start,
                referrals_total=running,
                referrals_new=collected[i],
                steps=steps[i],
                steps_on_time=on_time[i],
                on_time_share=_share(on_time[i], steps[i]),
                conversations=interactions[i] + reached_out[i],
                interactions=interactions[i],
                reached_out=reached_out[i],
            )
        )
    introduced = funnel["introduced"]
    return Stats(
        as_of=now,
        time_zone=str(zone),
        week_start=span.current,
        referral_target=referral_target,
        referrals=running,
        outreach_target=outreach_target,
        outreach_this_week=week_rows[-1].conversations,
        steps=steps_total,
        steps_on_time=on_time_total,
        on_time_share=_share(on_time_total, steps_total),
        weeks=week_rows,
        funnel=[
            FunnelStage(key, label, funnel[key], _share(funnel[key], introduced))
            for key, label in FUNNEL
        ],
        applications=[_source(key, label, by_source.get(key)) for key, label in SOURCES],
    )


def _source(key: str, label: str, row: dict | None) -> SourceFigures:
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
