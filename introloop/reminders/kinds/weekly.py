"""The weekly summary: last week's figures from the dashboard, on Monday morning.

It goes to everyone with an active goal who has not turned it off (Targets.weekly_summary), on
Monday in their time zone once it is past their digest hour. The reminder sweep queues it: its
key names the ISO week, so it is queued once a week however often the sweep runs. There is no
catching up: a Monday without a sweep past that hour means no summary that week.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.urls import reverse

from introloop.accounts.models import User
from introloop.goals.models import Goal
from introloop.goals.services import stop_weekly_summary
from introloop.goals.stats import Stats, WeekFigures, stats_for
from introloop.intros.models import ActionLink
from introloop.outbox.services import OutgoingEmail

from ..models import NotificationSettings
from .base import Candidate, Compose, SweepInput, reminder_email

KIND = "weekly"
LABEL = "the weekly summary"
SETTING = None
turn_off = stop_weekly_summary  # an account turns it off in its targets (goals)
DEFAULT_HOUR = NotificationSettings._meta.get_field("digest_hour").default


def _monday_somewhere(now: datetime) -> bool:
    """Whether it is Monday anywhere on Earth (UTC-12 to UTC+14), so other days cost nothing."""
    first, last = (now - timedelta(hours=12)).date(), (now + timedelta(hours=14)).date()
    return any((first + timedelta(days=i)).weekday() == 0 for i in range((last - first).days + 1))


def collect(sweep: SweepInput) -> list[Candidate]:
    """A weekly summary for each user whose Monday it is, past their digest hour."""
    now = sweep.now
    if not _monday_somewhere(now):
        return []
    users = (
        sweep.in_shard(User.objects.filter(is_active=True), "id")
        .filter(Exists(Goal.objects.filter(owner=OuterRef("pk"), active=True)))
        .exclude(targets__weekly_summary=False)
        .annotate(hour=F("notification_settings__digest_hour"))
        .only("id", "email", "name", "time_zone", "date_joined")
        .order_by("id")
    )
    candidates = []
    for user in users:
        local = now.astimezone(user.zone)
        hour = DEFAULT_HOUR if user.hour is None else user.hour
        if local.weekday() != 0 or local.hour < hour:
            continue
        if user.date_joined.astimezone(user.zone).date() > local.date() - timedelta(days=7):
            continue  # no full week yet: a summary of zeros says nothing
        year, week, _ = local.isocalendar()
        candidates.append(
            Candidate(
                key=f"{KIND}:{user.email}:{year}-W{week:02d}",
                kind=KIND,
                recipient=user.email,
                user_id=user.id,
                intro_id=None,
                compose=_summary(user),
            )
        )
    return candidates


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%"


def _last_week(stats: Stats) -> WeekFigures:
    """Last week's figures: stats_for() reads twelve weeks, so there is always a last week."""
    week = stats.last_week
    if week is None:
        raise AssertionError("A weekly summary needs figures for more than one week")
    return week


def summary_lines(stats: Stats) -> tuple[str, list[str], list[str]]:
    """(the week's dates, last week's figures, figures since the start), as sentences."""
    week = _last_week(stats)
    end = week.start + timedelta(days=6)
    dates = f"{week.start.day} {week.start:%B} to {end.day} {end:%B}"
    target = stats.outreach_target
    met = " (target met)" if week.conversations >= target else ""
    last = [
        f"New conversations: {week.conversations} of your target of {target}{met}",
        f"Referrals and introductions collected: {week.referrals_new} new, "
        f"{week.referrals_total} of your target of {stats.referral_target} in all",
        f"Steps done on time: {week.steps_on_time} of {week.steps} "
        f"({_percent(week.steps_on_time, week.steps)})"
        if week.steps
        else "Steps done on time: none were due",
    ]
    overall = []
    if stats.steps:
        overall.append(
            f"Steps done on time: {stats.steps_on_time} of {stats.steps} "
            f"({_percent(stats.steps_on_time, stats.steps)})"
        )
    overall.append(
        "Introductions: " + ", ".join(f"{s.count} {s.label.lower()}" for s in stats.funnel)
    )
    for source in stats.applications:
        if source.applications:
            overall.append(
                f"{source.label}: {source.applications}, of which {source.interviews} reached "
                f"an interview ({_percent(source.interviews, source.applications)})"
            )
    return dates, last, overall


def _summary(user: User) -> Compose:
    def compose(now: datetime, links: list[ActionLink]) -> OutgoingEmail:
        stats = stats_for(user, now)
        dates, last, overall = summary_lines(stats)
        context = {
            "name": user.get_short_name(),
            "dates": dates,
            "last": last,
            "overall": overall,
            "conversations": _last_week(stats).conversations,
            "target": stats.outreach_target,
            "referrals": stats.referrals,
            "referral_target": stats.referral_target,
            "dashboard_url": settings.SITE_URL + reverse("goals:dashboard"),
        }
        return reminder_email(
            "reminders/weekly",
            context,
            to=user.email,
            kind=KIND,
            what="this weekly summary",
            user_id=user.id,
        )

    return compose
