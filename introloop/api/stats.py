"""/api/v1/stats: the dashboard's figures; /me/targets: the targets they are measured against."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Query, Router, Schema

from introloop.accounts.requests import ApiRequest
from introloop.goals.connector_stats import connector_stats_for
from introloop.goals.forms import TargetsForm
from introloop.goals.services import save_targets, targets_for
from introloop.goals.stats import stats_for

from .contacts import _form_errors
from .intros import FollowThroughOut
from .parser import Input

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


class TargetsOut(Schema):
    weekly_outreach: int  # new conversations a week, 1 to 100
    referrals: int  # referrals and introductions to collect, 1 to 1,000
    weekly_summary: bool  # the weekly summary email


class TargetsPatch(Input):
    weekly_outreach: int | None = None
    referrals: int | None = None
    weekly_summary: bool | None = None


class OutcomeOut(Schema):
    intro_id: int
    seeker_name: str
    target_name: str
    closed_at: datetime | None
    outcome: str


class ConnectorOut(Schema):
    made: int  # introductions where you are the connector, asked of you or logged
    introduced: int
    open: int
    declined: int  # declined by the target, or withdrawn before the introduction
    loops_closed: int
    funnel: list[FunnelStageOut]  # empty when you made none
    outcomes: list[OutcomeOut]  # the five latest closed loops, newest first
    follow_through: list[FollowThroughOut]  # one row per seeker you introduced


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
    connector: ConnectorOut


@router.get(
    "/stats",
    response=StatsOut,
    summary="Your dashboard's figures: referrals, follow-through, funnel, sources, outreach",
)
def stats(request: ApiRequest, weeks: int = Query(12, ge=1, le=104)):
    """Weeks start on Monday in your time zone, oldest first; the last one is this week, so far.
    Shares are fractions from 0 to 1, or null when there is nothing to divide. `connector`
    holds the introductions you made for others: what came of them and how each seeker
    followed through."""
    now = timezone.now()
    figures = stats_for(request.auth, now, weeks=weeks).as_dict()
    return {**figures, "connector": connector_stats_for(request.auth, now).as_dict()}


TARGET_FIELDS = ("weekly_outreach", "referrals", "weekly_summary")


@router.get("/me/targets", response=TargetsOut, summary="Your targets and the weekly summary")
def get_targets(request: ApiRequest):
    current = targets_for(request.auth)
    return {f: getattr(current, f) for f in TARGET_FIELDS}


@router.patch("/me/targets", response=TargetsOut, summary="Change some targets")
def patch_targets(request: ApiRequest, payload: TargetsPatch):
    current = targets_for(request.auth)
    values = {**{f: getattr(current, f) for f in TARGET_FIELDS}, **payload.changes()}
    form = TargetsForm(values, instance=current)
    if not form.is_valid():
        raise _form_errors(form)
    saved = save_targets(request.auth, {f: form.cleaned_data[f] for f in TARGET_FIELDS})
    return {f: getattr(saved, f) for f in TARGET_FIELDS}
