"""What came of an introduction, to the connector, once the seeker closed the loop."""

from datetime import datetime, timedelta

from introloop.intros.models import ActionLink, Intro, Role, State
from introloop.intros.notices import notices_for
from introloop.outbox.services import OutgoingEmail

from .base import (
    Candidate,
    Compose,
    SweepInput,
    first_name,
    intro_candidate,
    reminder_email,
    told_connectors,
)

KIND = "outcome"
LABEL = "outcomes of introductions you made"
SETTING = "outcomes_enabled"
WINDOW = timedelta(days=14)  # loops closed longer ago are old news


def collect(sweep: SweepInput) -> list[Candidate]:
    now = sweep.now
    closed = Intro.objects.filter(
        state=State.LOOP_CLOSED, closed_at__gte=now - WINDOW, closed_at__lte=now
    )
    closed = sweep.in_shard(closed, "id")
    candidates = []
    for intro, _ in told_connectors(list(closed), KIND, SETTING):
        assert intro.closed_at is not None  # the filter above leaves out the rest
        tail = f"loop_closed:{intro.closed_at.date().isoformat()}"
        candidates.append(intro_candidate(KIND, intro, Role.CONNECTOR, tail, _composer(intro)))
    return candidates


def _composer(intro: Intro) -> Compose:
    def compose(now: datetime, links: list[ActionLink]) -> OutgoingEmail:
        context = {
            "connector_first": first_name(intro.connector_name),
            "seeker": intro.seeker_name,
            "target": intro.target_name,
            "outcome": intro.outcome,
            "notices": notices_for(intro, [Role.CONNECTOR]),
        }
        return reminder_email(
            "reminders/outcome",
            context,
            to=intro.connector_email,
            kind=KIND,
            what=LABEL,
            user_id=intro.connector_user_id,
        )

    return compose
