"""Heads-ups to the connector when the seeker is late writing to the target or telling them
what came of it, before anyone is embarrassed: only once the seeker was reminded and had
OWNER_GRACE_DAYS to act (lifecycle.others_hear_at), so an introduction logged after the fact
never accuses at once."""

from datetime import datetime, timedelta

from django.conf import settings

from introloop.intros import lifecycle
from introloop.intros.lifecycle import NextStep
from introloop.intros.models import ActionLink, Intro, Role
from introloop.intros.notices import notices_for
from introloop.intros.steps import STEPS
from introloop.outbox.services import OutgoingEmail
from introloop.routes import url_template

from .base import (
    Candidate,
    Compose,
    SweepInput,
    first_name,
    intro_candidate,
    reminder_email,
    told_connectors,
)

KIND = "escalation"  # in reminder keys and unsubscribe links already sent: never rename
NAME = "heads_up"  # what people and `remind --dry-run --json` call it
LABEL = "heads-ups about introductions you made"
SETTING = "escalations_enabled"
# The steps whose lateness the connector hears about.
STEPS_TOLD = {name for name, step in STEPS.items() if step.heads_up}


def collect(sweep: SweepInput) -> list[Candidate]:
    late = [i for i in sweep.intros if i.next_owner == Role.SEEKER and i.next_step in STEPS_TOLD]
    candidates = []
    for intro, step, hear_at in _when_told(late):
        if sweep.now < hear_at:
            continue  # the seeker is reminded first, and has time to act
        tail = f"{step.step}:{step.due_at.date().isoformat()}"
        compose = _composer(intro, step, (sweep.now - step.due_at).days)
        candidates.append(intro_candidate(KIND, intro, Role.CONNECTOR, tail, compose, step=step))
    return candidates


def _when_told(intros: list[Intro]) -> list[tuple[Intro, NextStep, datetime]]:
    """The introductions whose connector would hear that the seeker is late, with the step
    and the moment they would."""
    found = []
    for intro, pref in told_connectors(intros, KIND, SETTING):
        step = lifecycle.next_steps(intro)[0]
        grace = timedelta(days=pref.escalation_grace_days)
        found.append((intro, step, lifecycle.others_hear_at(intro, step, grace)))
    return found


def heads_up_at(intro: Intro) -> tuple[NextStep, datetime] | None:
    """When the connector would hear that the seeker is late with their current step (and
    the step), or None when they will not (they turned heads-ups off, or it is not such a
    step): for the seeker's page."""
    if intro.next_owner != Role.SEEKER or intro.next_step not in STEPS_TOLD:
        return None
    found = _when_told([intro])
    return (found[0][1], found[0][2]) if found else None


def _composer(intro: Intro, step: NextStep, days_late: int) -> Compose:
    def compose(now: datetime, links: list[ActionLink]) -> OutgoingEmail:
        context = {
            "connector_first": first_name(intro.connector_name),
            "seeker": intro.seeker_name,
            "seeker_first": first_name(intro.seeker_name),
            "target": intro.target_name,
            "target_first": first_name(intro.target_name),
            "late_with": step.kind.heads_up,
            "due": f"{step.due_at:%-d %b}",
            "days_late": days_late,
            "intro_url": settings.SITE_URL + url_template("intros:detail").format(intro.id),
            "notices": notices_for(intro, [Role.CONNECTOR]),
        }
        return reminder_email(
            "reminders/escalation",
            context,
            to=intro.connector_email,
            kind=KIND,
            what=LABEL,
            user_id=intro.connector_user_id,
            topic=lifecycle.topic(intro, step.step),
        )

    return compose
