"""Nudges to people without an account who own a late step: the target who has not answered,
the seeker who has not written. At most one per step every two days, three in all."""

from datetime import datetime, timedelta

from introloop.intros.lifecycle import NextStep, next_steps
from introloop.intros.links import choice_links
from introloop.intros.models import ActionLink, Intro, Role
from introloop.intros.steps import lower_first
from introloop.lookups import any_of
from introloop.outbox.services import OutgoingEmail

from ..models import Reminder
from .base import (
    Candidate,
    Compose,
    SweepInput,
    intro_candidate,
    opted_out,
    reminder_email,
    trusted_creators,
)

KIND = "nudge"
LABEL = "reminders about introductions"
SETTING = None  # only people without an account get nudges: they stop them by address
EVERY = timedelta(days=2)
PER_STEP = 3


def collect(sweep: SweepInput) -> list[Candidate]:
    wanted = []
    for intro in sweep.intros:
        for step in next_steps(intro):
            if step.owner not in (Role.SEEKER, Role.TARGET) or step.due_at > sweep.now:
                continue
            if getattr(intro, f"{step.owner}_user_id") is not None:
                continue  # registered people get their digest instead
            if not step.kind.choices:
                continue  # nothing they could answer with one click
            wanted.append((intro, step))
    trusted = trusted_creators([intro for intro, _ in wanted])
    wanted = [(intro, step) for intro, step in wanted if intro.created_by_id in trusted]
    if not wanted:
        return []
    stopped = opted_out({intro.party(step.owner)[1] for intro, step in wanted}, KIND)
    sent = _history([intro.id for intro, _ in wanted])
    candidates = []
    for intro, step in wanted:
        email = intro.party(step.owner)[1]
        if not email or email in stopped:
            continue
        prefix = f"{KIND}:{email}:intro:{intro.id}:{step.step}:{step.due_at.date().isoformat()}"
        count, last = sent.get(prefix, (0, None))
        if count >= PER_STEP or (last and sweep.now - last < EVERY):
            continue
        tail = f"{step.step}:{step.due_at.date().isoformat()}:{count + 1}"
        compose = _composer(intro, step)
        candidates.append(intro_candidate(KIND, intro, step.owner, tail, compose, step=step))
    return candidates


def _history(intro_ids: list[int]) -> dict[str, tuple[int, datetime]]:
    """Nudges already queued per (recipient, item, step, due date): how many, the last when."""
    rows = Reminder.objects.filter(any_of("intro_id", intro_ids), kind=KIND).values_list(
        "key", "created_at"
    )
    grouped: dict[str, tuple[int, datetime]] = {}
    for key, created_at in rows:
        prefix = key.rsplit(":", 1)[0]
        count, last = grouped.get(prefix, (0, created_at))
        grouped[prefix] = (count + 1, max(last, created_at))
    return grouped


def _composer(intro: Intro, step: NextStep) -> Compose:
    def compose(now: datetime, links: list[ActionLink]) -> OutgoingEmail:
        name, email = intro.party(step.owner)
        context = {
            "name": name,
            "seeker": intro.seeker_name,
            "target": intro.target_name,
            "connector": intro.connector_name,
            "purpose": intro.purpose,
            "next": lower_first(step.title(intro)),
            "due": f"{step.due_at:%-d %b}",
            "choices": choice_links(intro, step, now, links),
        }
        template = f"reminders/nudge_{step.owner}"
        return reminder_email(
            template,
            context,
            to=email,
            kind=KIND,
            what="reminders about this introduction",
            user_id=None,
        )

    return compose
