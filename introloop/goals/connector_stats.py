"""The dashboard's figures for someone who makes introductions: how many they made, what came
of them, and how the seekers they introduced followed through.

A connector's goodwill is what an introduction spends; these figures show whether it was
well spent. Read in four queries whatever the number of introductions.
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.db.models import Count, Q

from introloop import access
from introloop.intros.models import ENDED_STATES, Intro, State
from introloop.intros.queries import FollowThrough, follow_through

from .stats import FunnelStage, funnel, jsonable

OUTCOMES_SHOWN = 5


@dataclass
class Outcome:
    """A loop closed on an introduction the user made: what the seeker said came of it."""

    intro_id: int
    seeker_name: str
    target_name: str
    closed_at: datetime | None
    outcome: str


@dataclass
class ConnectorStats:
    made: int  # every introduction where the user is the connector, asked for or made
    introduced: int  # those that reached the introduction itself
    open: int  # still under way
    declined: int  # the target said no, or the introduction was withdrawn before it was made
    loops_closed: int
    funnel: list[FunnelStage] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)  # newest first, at most five
    follow_through: list[FollowThrough] = field(default_factory=list)  # one row per seeker

    @property
    def is_empty(self) -> bool:
        return not self.made

    def as_dict(self) -> dict:
        return jsonable(asdict(self))


def connector_stats_for(user, now: datetime) -> ConnectorStats:
    """What `user` has done as a connector, as of `now`."""
    made = access.scope(Intro.objects.filter(connector_user=user), user)
    counts = made.aggregate(
        made=Count("id"),
        introduced=Count("id", filter=Q(introduced_at__isnull=False)),
        open=Count("id", filter=~Q(state__in=ENDED_STATES)),
        declined=Count("id", filter=Q(state__in=(State.DECLINED, State.WITHDRAWN))),
        loops_closed=Count("id", filter=Q(state=State.LOOP_CLOSED)),
    )
    if not counts["made"]:
        return ConnectorStats(**counts)
    milestones = made.filter(introduced_at__isnull=False, introduced_at__lte=now).values_list(
        "introduced_at", "reached_out_at", "met_at", "thanked_at", "state"
    )
    closed = (
        made.filter(state=State.LOOP_CLOSED)
        .order_by("-closed_at", "-id")
        .only("seeker_name", "target_name", "closed_at", "outcome")[:OUTCOMES_SHOWN]
    )
    return ConnectorStats(
        **counts,
        funnel=funnel(list(milestones)),
        outcomes=[
            Outcome(
                intro_id=intro.id,
                seeker_name=intro.seeker_name,
                target_name=intro.target_name,  # the connector brought them: always shown
                closed_at=intro.closed_at,
                outcome=intro.outcome,
            )
            for intro in closed
        ],
        follow_through=follow_through(made),
    )
