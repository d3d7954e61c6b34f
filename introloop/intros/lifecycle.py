"""The introduction lifecycle as data: which event may happen from which state, by whom, and
what is due next.

Everything that changes an introduction's state goes through `record_event`, which checks the
table, stamps the milestone, records the event, recomputes the next step, and refuses a change
that raced with another (the row's `version`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from introloop.accounts.models import User
from introloop.outbox.services import cancel_queued

from .models import (
    DEFAULT_RULES,
    ENDED_STATES,
    EventType,
    Intro,
    IntroEvent,
    Role,
    State,
    snapshot,
)
from .steps import STEPS, Step

S, R = State, Role
AFTER_INTRO = {S.INTRODUCED, S.REACHED_OUT, S.SCHEDULED, S.MET, S.THANKED}


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]  # states it may happen in
    to: str | None  # the new state; None leaves the state as it is
    roles: frozenset[str]  # who may record it
    stamp: str | None = None  # the milestone field it sets
    label: str = ""


def _t(
    sources: Iterable[str],
    to: str | None,
    roles: Iterable[str],
    stamp: str | None = None,
    label: str = "",
) -> Transition:
    return Transition(frozenset(sources), to, frozenset(roles), stamp, label)


def label(event: str) -> str:
    return _LABELS.get(event, event)


# Looked up for every captured message: Django's get_FOO_display and .values build theirs a call.
_LABELS = {value: str(name) for value, name in EventType.choices}
_STATE_LABELS = {value: str(name) for value, name in S.choices}


TRANSITIONS: dict[str, Transition] = {
    "asked": _t({S.REQUESTED}, S.ASKED, {R.CONNECTOR}, "asked_at", "Asked the target"),
    "accepted": _t({S.ASKED}, S.ACCEPTED, {R.TARGET, R.CONNECTOR}, "answered_at",
                   "Target accepted"),
    "declined": _t({S.ASKED}, S.DECLINED, {R.TARGET, R.CONNECTOR}, "answered_at",
                   "Target declined"),
    "introduced": _t({S.REQUESTED, S.ACCEPTED}, S.INTRODUCED, {R.CONNECTOR}, "introduced_at",
                     "Introduced"),
    "reached_out": _t({S.INTRODUCED}, S.REACHED_OUT, {R.SEEKER, R.TARGET}, "reached_out_at",
                      "Seeker reached out"),
    "followed_up": _t({S.REACHED_OUT}, None, {R.SEEKER}, "last_follow_up_at",
                      "Seeker followed up"),
    "scheduled": _t({S.INTRODUCED, S.REACHED_OUT, S.SCHEDULED}, S.SCHEDULED,
                    {R.SEEKER, R.TARGET}, None, "Conversation booked"),
    "met": _t({S.INTRODUCED, S.REACHED_OUT, S.SCHEDULED}, S.MET, {R.SEEKER, R.TARGET},
              "met_at", "Met"),
    "thanked": _t({S.MET}, S.THANKED, {R.SEEKER}, "thanked_at", "Seeker said thank you"),
    "loop_closed": _t({S.MET, S.THANKED, S.REACHED_OUT}, S.LOOP_CLOSED, {R.SEEKER},
                      "closed_at", "Loop closed"),
    "withdrawn": _t({S.REQUESTED, S.ASKED, S.ACCEPTED}, S.WITHDRAWN, {R.SEEKER, R.CONNECTOR},
                    "ended_at", "Withdrawn"),
    "dropped": _t(AFTER_INTRO, S.DROPPED, {R.SEEKER, R.CONNECTOR}, "ended_at", "Dropped"),
    "note": _t(set(State.values), None, {R.SEEKER, R.CONNECTOR, R.TARGET}, None, "Note"),
}  # fmt: skip
# The first event of an introduction logged from a given point.
STARTS = {"requested": S.REQUESTED, "introduced": S.INTRODUCED, "met": S.MET}


# Who does an event, where others may also record it: the connector may record the target's
# answer, and the target that the seeker wrote to them.
DONE_BY = {
    "requested": {R.SEEKER},
    "accepted": {R.TARGET},
    "declined": {R.TARGET},
    "reached_out": {R.SEEKER},
}


def done_by(event_type: str, role: str) -> bool:
    """Whether a party in `role` is one who does `event_type` (the connector introduces): if
    not, the party who recorded it only logged what someone else did."""
    if event_type in DONE_BY:
        return role in DONE_BY[event_type]
    transition = TRANSITIONS.get(event_type)
    return transition is None or role in transition.roles


class EventRefused(Exception):
    """The event makes no sense now; the message says why, for the person who tried."""


@dataclass
class NextStep:
    step: str
    owner: str
    due_at: datetime

    def overdue(self, now: datetime) -> bool:
        return now > self.due_at

    @property
    def kind(self) -> Step:
        return STEPS[self.step]

    def title(self, intro: Intro, target_name: str | None = None) -> str:
        return self.kind.title_for(
            intro.seeker_name, target_name or intro.target_name, intro.connector_name
        )


def owner_reminded_at(intro: Intro, step: NextStep) -> datetime:
    """When the owner of `step` is first reminded of it: once it is due, and never for a time
    before it was recorded (an introduction logged after the fact starts its clocks then)."""
    return max(step.due_at, intro.clock_at or step.due_at)


def others_hear_at(intro: Intro, step: NextStep, grace: timedelta) -> datetime:
    """The earliest moment someone else may hear that `step` is late: `grace` after it was
    due, and never before its owner was reminded and had OWNER_GRACE_DAYS after that."""
    owner_grace = timedelta(days=settings.OWNER_GRACE_DAYS)
    return max(step.due_at + grace, owner_reminded_at(intro, step) + owner_grace)


def _days(intro: Intro, rule: str) -> timedelta:
    return _rule_days(intro.rules, rule)


def _rule_days(rules: dict[str, int] | None, rule: str) -> timedelta:
    return timedelta(days=(rules or {}).get(rule, DEFAULT_RULES[rule]))


def _due(step: str, at: datetime) -> NextStep:
    return NextStep(step, STEPS[step].owner, at)


def _milestone(milestone: datetime | None, intro: Intro) -> datetime:
    """A milestone the introduction's state guarantees: the event that led to the state
    stamped it (`start`, `record_event`)."""
    if milestone is None:
        raise AssertionError(f"A {intro.state} introduction ({intro.pk}) lacks its milestone")
    return milestone


def next_steps(intro: Intro) -> list[NextStep]:
    """What is due now, most urgent first; empty once the introduction has ended."""
    s, steps = intro.state, []
    if s == S.REQUESTED:
        step = "ask_target" if intro.double_opt_in else "introduce"
        requested = _milestone(intro.requested_at, intro)
        steps.append(_due(step, requested + _days(intro, "connector_days")))
    elif s == S.ASKED:
        asked = _milestone(intro.asked_at, intro)
        steps.append(_due("answer", asked + _days(intro, "answer_days")))
    elif s == S.ACCEPTED:
        answered = _milestone(intro.answered_at, intro)
        steps.append(_due("introduce", answered + _days(intro, "connector_days")))
    elif s == S.INTRODUCED:
        introduced = _milestone(intro.introduced_at, intro)
        steps.append(_due("reach_out", introduced + _days(intro, "reach_out_days")))
    elif s == S.REACHED_OUT:
        last = _milestone(intro.last_follow_up_at or intro.reached_out_at, intro)
        if intro.follow_ups < 2:
            steps.append(_due("follow_up", last + _days(intro, "follow_up_days")))
        else:
            # Followed up twice without an answer: time to tell the connector.
            steps.append(_due("close_loop", last + _days(intro, "close_loop_days")))
    elif s == S.SCHEDULED:
        scheduled_for = _milestone(intro.scheduled_for, intro)
        steps.append(_due("meet", scheduled_for + timedelta(days=1)))
    elif s in (S.MET, S.THANKED):
        steps += _after_meeting(s, _milestone(intro.met_at, intro), intro.rules)
    return sorted(steps, key=lambda step: step.due_at)


def _after_meeting(state: str, met: datetime, rules: dict[str, int] | None) -> list[NextStep]:
    thank = [_due("thank", met + _rule_days(rules, "thank_days"))] if state == S.MET else []
    return [*thank, _due("close_loop", met + _rule_days(rules, "close_loop_days"))]


def stored_steps(
    state: str, next_step: str, next_due_at: datetime | None, met_at: datetime | None,
    rules: dict[str, int] | None,
) -> list[NextStep]:  # fmt: skip
    """next_steps() read from the denormalised columns instead of the whole row, for lists
    of many introductions. Every state has at most one step, which refresh_next_step()
    stored, except *met*: thank and close the loop, both counted from the meeting."""
    if state == S.MET and met_at is not None:
        return sorted(_after_meeting(state, met_at, rules), key=lambda step: step.due_at)
    if not next_step or next_due_at is None:
        return []
    return [_due(next_step, next_due_at)]


class Stateful(Protocol):
    """What refusal reads: an Intro, or capture's plain view of one (capture/matching.py)."""

    state: str
    double_opt_in: bool
    follow_ups: int


def refusal(intro: Stateful, event: str, roles: set[str]) -> str | None:
    """Why `event` may not be recorded now by someone with `roles`, or None if it may."""
    transition = TRANSITIONS.get(event)
    if transition is None:
        return f"Unknown event “{event}”."
    if intro.state in ENDED_STATES and event != "note":
        ended = _STATE_LABELS.get(intro.state, intro.state).lower()
        return (
            f"This introduction has ended ({ended}); nothing more can be recorded. Its seeker "
            "or connector can reopen it from its page."
        )
    if not roles & transition.roles:
        who = " or ".join(sorted(transition.roles))
        return f"Only the {who} can record “{transition.label.lower()}”."
    if intro.state not in transition.sources:
        return _out_of_order(intro, event)
    if event == "introduced" and intro.double_opt_in and intro.state != S.ACCEPTED:
        return "With double opt-in, the target must accept before the introduction."
    if event == "loop_closed" and intro.state == S.REACHED_OUT and intro.follow_ups < 2:
        return "Close the loop after meeting, or after following up twice without an answer."
    return None


def _out_of_order(intro: Stateful, event: str) -> str:
    state = _STATE_LABELS.get(intro.state, intro.state).lower()
    messages = {
        "accepted": "The target has already answered, or was not asked yet.",
        "declined": "The target has already answered, or was not asked yet.",
        "asked": "The target can only be asked before the introduction.",
        "introduced": "They have already been introduced." if intro.state in AFTER_INTRO else
        "The target has not accepted yet.",
        "reached_out": "Reaching out comes right after the introduction.",
        "thanked": "Thank them after you have met.",
        "loop_closed": "Close the loop after meeting.",
        "withdrawn": "Once introduced, an introduction is dropped rather than withdrawn.",
        "dropped": "Before the introduction, an introduction is withdrawn rather than dropped.",
    }  # fmt: skip
    return messages.get(event, f"That does not fit now (the introduction is {state}).")


def allowed_events(intro: Intro, roles: set[str]) -> list[str]:
    return [e for e in TRANSITIONS if e != "note" and refusal(intro, e, roles) is None]


def refresh_next_step(intro: Intro) -> None:
    steps = next_steps(intro)
    if steps:
        first = steps[0]
        intro.next_step, intro.next_owner, intro.next_due_at = first.step, first.owner, first.due_at
    else:
        intro.next_step, intro.next_owner, intro.next_due_at = "", "", None
    intro.later_due_at = steps[1].due_at if len(steps) > 1 else None


def start(intro: Intro, point: str, at: datetime) -> None:
    """Set up a new, unsaved introduction logged from `point` (requested, introduced or met)."""
    intro.state = STARTS[point]
    intro.requested_at = at
    if point in ("introduced", "met"):
        intro.introduced_at = at
    if point == "met":
        intro.met_at = at
    refresh_next_step(intro)


def _check_time(intro: Intro, event: str, at: datetime, now: datetime) -> None:
    if at > now + timedelta(minutes=5):
        raise EventRefused("That time is in the future; record it once it has happened.")
    milestones = ["requested_at", "asked_at", "answered_at", "introduced_at", "reached_out_at",
                  "met_at", "thanked_at"]  # fmt: skip
    latest = max((getattr(intro, f) for f in milestones if getattr(intro, f)), default=None)
    if latest and at < latest - timedelta(minutes=1) and event != "note":
        local = timezone.localtime(latest)
        raise EventRefused(
            f"That is before the previous event ({local:%-d %b %Y, %H:%M}); "
            "events follow each other."
        )


@transaction.atomic
def record_event(
    intro_id: int,
    event: str,
    *,
    roles: set[str],
    now: datetime,
    at: datetime | None = None,
    actor_user: User | None = None,
    actor_name: str = "",
    via: str = "web",
    note: str = "",
    outcome: str = "",
    scheduled_for: datetime | None = None,
) -> Intro:
    """Record `event` on the introduction, or raise EventRefused with the reason."""
    intro = Intro.objects.select_for_update().get(pk=intro_id)
    reason = refusal(intro, event, roles)
    if reason:
        raise EventRefused(reason)
    at = at or now
    _check_time(intro, event, at, now)
    before = snapshot(intro)  # what undoing it restores (intros/corrections.py)
    _take_details(intro, event, scheduled_for, outcome)
    done = next((s for s in next_steps(intro) if event in s.kind.completing_events), None)
    _apply(intro, event, at, now)
    transition = TRANSITIONS[event]
    IntroEvent.objects.create(
        intro=intro,
        type=event,
        at=at,
        recorded_at=now,
        actor_role=_actor_role(roles, transition),
        actor_user=actor_user,
        actor_name=actor_name,
        via=via,
        note=(note or outcome).strip(),
        due_at=done.due_at if done else None,
        on_time=(at <= done.due_at) if done else None,
        before=before,
    )
    if event != "note":
        cancel_stale_mail(intro, now)
    return intro


def topic(intro: Intro, step: str) -> str:
    """The outbox topic of an email about one step of an introduction."""
    return f"intro:{intro.pk}:{step}"


def cancel_stale_mail(intro: Intro, now: datetime) -> int:
    """Cancel queued emails about steps of `intro` that are no longer open: a reminder, a
    nudge, a check-in or a heads-up must still be true when it leaves. Every change of state
    calls it, in its transaction."""
    keep = [topic(intro, s.step) for s in next_steps(intro)]
    return cancel_queued(f"intro:{intro.pk}:", keep, now)


def _actor_role(roles: set[str], transition: Transition) -> str:
    """As whom someone recorded it: the seeker first, when one person plays two parts."""
    fitting = [r for r in (R.SEEKER, R.CONNECTOR, R.TARGET) if r in roles and r in transition.roles]
    return fitting[0] if fitting else next(iter(roles), "")


def _take_details(intro: Intro, event: str, scheduled_for: datetime | None, outcome: str) -> None:
    """What some events need besides their time: the booked date, what came of it."""
    if event == "scheduled":
        if scheduled_for is None:
            raise EventRefused("Say when the conversation is booked for.")
        intro.scheduled_for = scheduled_for
    if event == "loop_closed":
        if not outcome.strip():
            raise EventRefused("Say what came of it: that is what the connector wants to hear.")
        intro.outcome = outcome.strip()


def _apply(intro: Intro, event: str, at: datetime, now: datetime) -> None:
    """Stamp the milestone, move the state, recompute the next step and save, unless someone
    else changed the introduction since it was read (its `version`)."""
    transition = TRANSITIONS[event]
    if transition.stamp:
        setattr(intro, transition.stamp, at)
    if event == "followed_up":
        intro.follow_ups += 1
    if transition.to:
        intro.state = transition.to
    refresh_next_step(intro)
    intro.updated_at = now
    if event != "note":
        intro.clock_at = now
    fields = {
        f.attname: getattr(intro, f.attname)
        for f in Intro._meta.concrete_fields
        if f.name not in ("id", "version")
    }
    changed = Intro.objects.filter(pk=intro.pk, version=intro.version).update(
        **fields, version=intro.version + 1
    )
    if changed != 1:
        raise EventRefused("Someone else changed this introduction at the same moment; reload.")
    intro.version += 1
