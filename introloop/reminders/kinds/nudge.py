"""Nudges to people without an account who own a late step: the target who has not answered,
the seeker who has not written. At most one per step every two days, three in all."""

from datetime import datetime, timedelta

from introloop.intros import lifecycle
from introloop.intros.lifecycle import NextStep, next_steps, refusal
from introloop.intros.links import choice_links, make_link
from introloop.intros.models import ActionLink, Intro, Role
from introloop.intros.notices import notices_for
from introloop.intros.services import seeker_led
from introloop.intros.steps import REQUEST_ANSWERS, lower_first
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
            if step.due_at <= sweep.now and applies(intro, step):
                wanted.append((intro, step))
    trusted = trusted_creators([intro for intro, _ in wanted])
    wanted = [(intro, step) for intro, step in wanted if intro.created_by_id in trusted]
    if not wanted:
        return []
    stopped = opted_out({intro.party(step.owner)[1] for intro, step in wanted}, KIND)
    sent = history([intro.id for intro, _ in wanted])
    candidates = []
    for intro, step in wanted:
        email = intro.party(step.owner)[1]
        if not email or email in stopped:
            continue
        prefix = step_prefix(intro, step, email)
        count, last = sent.get(prefix, (0, None))
        if count >= PER_STEP or (last and sweep.now - last < EVERY):
            continue
        tail = f"{step.step}:{step.due_at.date().isoformat()}:{count + 1}"
        compose = _composer(intro, step)
        candidates.append(intro_candidate(KIND, intro, step.owner, tail, compose, step=step))
    return candidates


def applies(intro: Intro, step: NextStep) -> bool:
    """Whether the owner of `step` is someone Introloop nudges about it by email, once due."""
    if step.owner == Role.CONNECTOR and not seeker_led(intro):
        return False  # a connector is nudged only about what a seeker asked of them
    if step.owner not in (Role.SEEKER, Role.TARGET, Role.CONNECTOR):
        return False
    if getattr(intro, f"{step.owner}_user_id") is not None:
        return False  # registered people get their digest instead
    # Otherwise there is nothing they could answer with one click.
    return bool(step.kind.choices) or step.owner == Role.CONNECTOR


def step_prefix(intro: Intro, step: NextStep, email: str) -> str:
    """The start of the keys of the nudges about one step (the last part counts them)."""
    return f"{KIND}:{email}:intro:{intro.id}:{step.step}:{step.due_at.date().isoformat()}"


def history(intro_ids: list[int]) -> dict[str, tuple[int, datetime]]:
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


def _choices(
    intro: Intro, step: NextStep, now: datetime, links: list[ActionLink]
) -> list[dict[str, str]]:
    if step.owner != Role.CONNECTOR:
        return choice_links(intro, step, now, links)
    # The connector answers the request on one page: the answers that fit now.
    answers = [a for a in REQUEST_ANSWERS if refusal(intro, a, {Role.CONNECTOR}) is None]
    if intro.double_opt_in and "asked" in answers and "introduced" not in answers:
        answers.insert(1, "introduced")  # "Introduce now" overrides the double opt-in
    return [{"label": "Answer", "url": make_link(intro, Role.CONNECTOR, answers, now, links)}]


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
            "choices": _choices(intro, step, now, links),
            "asked": f"{intro.requested_at or intro.created_at:%-d %b}",
            "notices": notices_for(intro, [step.owner]),
        }
        template = f"reminders/nudge_{step.owner}"
        return reminder_email(
            template,
            context,
            to=email,
            kind=KIND,
            what="reminders about this introduction",
            user_id=None,
            topic=lifecycle.topic(intro, step.step),
        )

    return compose
