"""The weekly summary email: last week's figures from the dashboard, on Monday morning.

It goes to everyone with an active goal who has not turned it off (Targets.weekly_summary), on
Monday in their time zone once it is past their digest hour. The reminder sweep queues it: its
key names the ISO week, so it is queued once a week however often the sweep runs. There is no
catching up: a Monday without a sweep past that hour means no summary that week.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils.html import escape

from introloop.accounts.models import User
from introloop.reminders.engine import Candidate, Email, _footer, unsubscribe_url
from introloop.reminders.models import NotificationSettings

from .models import Goal, Targets
from .stats import Stats, stats_for

KIND = "weekly"
DEFAULT_HOUR = NotificationSettings._meta.get_field("digest_hour").default


def _monday_somewhere(now: datetime) -> bool:
    """Whether it is Monday anywhere on Earth (UTC-12 to UTC+14), so other days cost nothing."""
    first, last = (now - timedelta(hours=12)).date(), (now + timedelta(hours=14)).date()
    return any((first + timedelta(days=i)).weekday() == 0 for i in range((last - first).days + 1))


def weekly_candidates(now: datetime) -> list[Candidate]:
    """A weekly summary for each user whose Monday it is, past their digest hour."""
    if not _monday_somewhere(now):
        return []
    users = (
        User.objects.filter(is_active=True)
        .filter(Exists(Goal.objects.filter(owner=OuterRef("pk"), active=True)))
        .exclude(targets__weekly_summary=False)
        .annotate(hour=F("notification_settings__digest_hour"))
        .only("id", "email", "name", "time_zone")
        .order_by("id")
    )
    candidates = []
    for user in users:
        local = now.astimezone(user.zone)
        hour = DEFAULT_HOUR if user.hour is None else user.hour
        if local.weekday() != 0 or local.hour < hour:
            continue
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


def summary_lines(stats: Stats) -> tuple[str, list[str], list[str]]:
    """(the week's dates, last week's figures, figures since the start), as sentences."""
    week = stats.last_week
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


def _summary(user: User) -> Callable[[datetime, list], Email]:
    def compose(now: datetime, links: list) -> Email:
        stats = stats_for(user, now)
        dates, last, overall = summary_lines(stats)
        week = stats.last_week
        dashboard = settings.SITE_URL + reverse("goals:dashboard")
        text = "\n".join(
            [
                f"Hello {user.get_short_name()},",
                "",
                f"Your week, {dates}:",
                *(f"- {line}" for line in last),
                "",
                "Since you started:",
                *(f"- {line}" for line in overall),
                "",
                f"The dashboard, with charts: {dashboard}",
            ]
        )
        html = (
            f"<p>Hello {escape(user.get_short_name())},</p>"
            f"<h3>Your week, {escape(dates)}</h3><ul>"
            + "".join(f"<li>{escape(line)}</li>" for line in last)
            + "</ul><h3>Since you started</h3><ul>"
            + "".join(f"<li>{escape(line)}</li>" for line in overall)
            + f'</ul><p><a href="{escape(dashboard)}">The dashboard, with charts</a></p>'
        )
        url = unsubscribe_url(user.email, KIND, user.id)
        foot_text, foot_html, headers = _footer(url, "this weekly summary")
        return Email(
            to=user.email,
            subject=(
                f"Your week: {week.conversations} of {stats.outreach_target} new conversations, "
                f"{stats.referrals} of {stats.referral_target} referrals"
            ),
            text=text + foot_text,
            html=html + foot_html,
            headers=headers,
            user_id=user.id,
        )

    return compose


def stop_weekly_summary(user: User) -> None:
    """The one-click unsubscribe from the summary's footer."""
    Targets.objects.update_or_create(user=user, defaults={"weekly_summary": False})
