"""/api/v1/stats: the dashboard's figures."""

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from introloop.goals.stats import stats_for

router = Router(tags=["stats"])


class WeekOut(Schema):
    start: date
    referrals_total: int
    referrals_new: int
    steps: int
    steps_on_time: int
    on_time_share: float | None
    conversations: int
    interactions: int
    reached_out: int


class FunnelStageOut(Schema):
    stage: str
    label: str
    count: int
    share: float | None


class SourceOut(Schema):
    source: str
    label: str
    applications: int
    interviews: int
    interview_rate: float | None


class StatsOut(Schema):
    as_of: datetime
    time_zone: str
    week_start: date
    referral_target: int
    referrals: int
    outreach_target: int
    outreach_this_week: int
    steps: int
    steps_on_time: int
    on_time_share: float | None
    weeks: list[WeekOut]
    funnel: list[FunnelStageOut]
    applications: list[SourceOut]


@router.get(
    "/stats",
    response=StatsOut,
    summary="Your dashboard's figures: referrals, follow-through, funnel, sources, outreach",
)
def stats(request: HttpRequest, weeks: int = Query(12, ge=1, le=104)):
    """Weeks start on Monday in your time zone, oldest first; the last one is this week, so far.
    Shares are fractions from 0 to 1, or null when there is nothing to divide."""
    return stats_for(request.auth, timezone.now(), weeks=weeks).as_dict()
