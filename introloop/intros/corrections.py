"""Undo and correct: take back the latest step of an introduction, reopen one that ended, and
correct when a recorded step happened.

The rules, decided here once:

- Only the latest step can be undone: the latest entry of the history that is not a note.
  An undo is itself an entry and is never undone in turn, so a second undo (a double click,
  two tabs, a retried request) is refused and the history holds one undo.
- Whoever recorded a step may undo it. An ended introduction (declined, withdrawn, dropped,
  loop closed) may also be reopened by its seeker or its connector, whoever recorded the
  ending: reopening is undoing the ending, and either of them may want to carry on.
- The first entry (the introduction being logged) cannot be undone, nor a step recorded
  before undo existed: neither holds the introduction as it was before it (`before`).
- Undoing restores the introduction as it was just before the step (state, milestones,
  outcome, follow-ups) and recomputes its next step. The step stays in the history, marked
  undone, with an "undone" entry pointing at it; it no longer counts in follow-through
  records (its `on_time` is cleared).
- Whoever recorded a step may correct its time, never into the future nor out of order with
  the steps around it. The milestone it stamped moves with it, and so do the next step, its
  own on-time record and those of the steps after it.

Every change locks the introduction (`select_for_update`) and checks its `version`, as
`lifecycle.record_event` does, so that an undo and another change cannot both apply.
"""

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from django.db import transaction
from django.utils import timezone

from introloop import access
from introloop.accounts.models import User

from . import lifecycle
from .models import ENDED_STATES, MILESTONES, EventType, Intro, IntroEvent, Role

# Those who may reopen an ended introduction, whoever ended it.
REOPENERS = frozenset({Role.SEEKER, Role.CONNECTOR})
ENDINGS = frozenset(e for e, t in lifecycle.TRANSITIONS.items() if t.to in ENDED_STATES)
# Not steps: nothing to undo or to correct, and no place in the order of steps.
NOT_STEPS = frozenset({EventType.NOTE, EventType.UNDONE})
# As in lifecycle: a time typed to the minute may fall just before the one it follows.
SLACK = timedelta(minutes=1)

Kind = Literal["conflict", "forbidden", "invalid", "not_found"]


class CorrectionRefused(Exception):
    """The undo or correction cannot be made; the message says why. `kind`: "conflict" (it
    does not fit now), "forbidden" (not yours), "invalid" (a bad time), "not_found"."""

    def __init__(self, message: str, kind: Kind = "conflict") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Offers:
    """What a viewer may do to an introduction's history: the step they may undo (reopening
    it when that step ended it), and the steps whose time they may correct."""

    undo: IntroEvent | None = None
    reopen: bool = False
    correctable: set[int] = field(default_factory=set)


def offers_for(events: Iterable[IntroEvent], user_id: int, roles: set[str]) -> Offers:
    """What `user_id`, playing `roles`, may undo and correct among an introduction's events
    (all of them, as loaded for its page: no query)."""
    history = _by_recording(events)
    offers = Offers(correctable={e.pk for e in history if _correctable(e, user_id)})
    try:
        offers.undo = _to_undo(history, user_id, roles)
    except CorrectionRefused:
        return offers
    offers.reopen = offers.undo.type in ENDINGS
    return offers


def described(event: IntroEvent) -> str:
    """What a person reads once `event` is undone."""
    name = lifecycle.label(event.type)
    if event.type in ENDINGS:
        return f"Reopened: “{name}” is undone."
    return f"Undone: “{name}”."


def _entry_note(step: IntroEvent) -> str:
    """What the "undone" entry says in the history."""
    name = lifecycle.label(step.type)
    return f"Reopened: undid “{name}”." if step.type in ENDINGS else f"Undid “{name}”."


@transaction.atomic
def undo(
    intro_id: int, user: User, *, now: datetime, event_id: int | None = None, via: str = "web"
) -> tuple[Intro, IntroEvent]:
    """Undo the latest step of the introduction, recorded by `user` (or reopen it, when that
    step ended it); with `event_id`, only if that is still the latest step. Returns the
    introduction as restored and the step undone; raises CorrectionRefused."""
    intro = Intro.objects.select_for_update().get(pk=intro_id)
    roles = access.roles_of(intro, user)
    history = _by_recording(intro.events.all())
    if event_id is not None:
        _check_still_latest(history, event_id)
    step = _to_undo(history, user.pk, roles)
    _restore(intro, step.before)
    lifecycle.refresh_next_step(intro)
    intro.clock_at = now  # the restored step's clock starts again now, as after any change
    _save(intro, now)
    entry = IntroEvent.objects.create(
        intro=intro,
        type=EventType.UNDONE,
        at=now,
        recorded_at=now,
        actor_role=step.actor_role if step.actor_user_id == user.pk else _reopener(roles),
        actor_user=user,
        via=via,
        note=_entry_note(step),
    )
    # An undone step no longer counts as done, on time or late, in any record.
    claimed = IntroEvent.objects.filter(pk=step.pk, undone_at__isnull=True).update(
        undone_at=now, undone_by=entry, on_time=None
    )
    if claimed != 1:
        raise CorrectionRefused(f"“{lifecycle.label(step.type)}” has already been undone.")
    step.undone_at, step.undone_by, step.on_time = now, entry, None
    lifecycle.cancel_stale_mail(intro, now)
    return intro, step


@transaction.atomic
def correct_time(intro_id: int, event_id: int, user: User, *, at: datetime, now: datetime) -> Intro:
    """Move the step `event_id`, recorded by `user`, to `at`: its milestone, the next step and
    the on-time records follow. Raises CorrectionRefused."""
    intro = Intro.objects.select_for_update().get(pk=intro_id)
    history = _by_recording(intro.events.all())
    event = next((e for e in history if e.pk == event_id), None)
    if event is None:
        raise CorrectionRefused("No such step in this introduction.", "not_found")
    _check_correctable(event, user.pk)
    steps = [e for e in history if _counts(e)]
    _check_order(steps, event, at, now)
    old = event.at
    stamps = _stamps(event, first=event.pk == history[0].pk)
    for name in stamps:
        if getattr(intro, name) == old:  # still this step's stamp (not a later follow-up's)
            setattr(intro, name, at)
    lifecycle.refresh_next_step(intro)
    _save(intro, now)
    event.at, event.corrected_at = at, now
    if event.due_at is not None and event.on_time is not None:
        event.on_time = at <= event.due_at
    event.save(update_fields=["at", "corrected_at", "on_time"])
    _follow_later_steps(intro, [e for e in history if e.pk > event.pk], stamps, old, at)
    return intro


# --- Which step may be undone, by whom ------------------------------------------------------


def _by_recording(events: Iterable[IntroEvent]) -> list[IntroEvent]:
    """In the order they were recorded, which is the order they changed the introduction
    (a step's time may be set earlier than the one before it was recorded)."""
    return sorted(events, key=lambda e: e.pk)


def _counts(event: IntroEvent) -> bool:
    """A step that stands: not a note, not an undo, not undone."""
    return event.type not in NOT_STEPS and event.undone_at is None


def _may_undo(event: IntroEvent, user_id: int, roles: set[str]) -> bool:
    mine = event.actor_user_id is not None and event.actor_user_id == user_id
    return mine or (event.type in ENDINGS and bool(roles & REOPENERS))


def _reopener(roles: set[str]) -> str:
    return next((r for r in (Role.SEEKER, Role.CONNECTOR) if r in roles), "")


def _to_undo(history: list[IntroEvent], user_id: int, roles: set[str]) -> IntroEvent:
    """The step `user_id` may undo now, or CorrectionRefused saying why there is none."""
    latest = next((e for e in reversed(history) if e.type != EventType.NOTE), None)
    if latest is None:
        raise CorrectionRefused("There is nothing to undo.")
    if latest.type == EventType.UNDONE:
        undone = next((e for e in history if e.undone_by_id == latest.pk), None)
        name = lifecycle.label(undone.type) if undone else "the latest step"
        raise CorrectionRefused(
            f"“{name}” has already been undone. Only the latest step can be undone, once; "
            "record what happened instead."
        )
    if not _may_undo(latest, user_id, roles):
        if any(_counts(e) and e.actor_user_id == user_id for e in history):
            raise CorrectionRefused(
                f"Only the latest step can be undone, and the latest, "
                f"“{lifecycle.label(latest.type)}”, was recorded by someone else."
            )
        raise CorrectionRefused("You have recorded no step that can be undone.")
    if latest.before is None:
        raise CorrectionRefused(
            f"“{lifecycle.label(latest.type)}” cannot be undone: it is how the introduction "
            "was logged, or it was recorded before undo existed."
        )
    return latest


def _check_still_latest(history: list[IntroEvent], event_id: int) -> None:
    """The step a page offered to undo must still be the one to undo (not a stale page)."""
    latest = next((e for e in reversed(history) if e.type != EventType.NOTE), None)
    if latest is not None and latest.pk == event_id:
        return
    chosen = next((e for e in history if e.pk == event_id), None)
    if chosen is None:
        raise CorrectionRefused("No such step in this introduction.", "not_found")
    name = lifecycle.label(chosen.type)
    if chosen.undone_at is not None:
        raise CorrectionRefused(f"“{name}” has already been undone.")
    raise CorrectionRefused(
        f"“{name}” is no longer the latest step: something was recorded since. Only the "
        "latest step can be undone."
    )


def _restore(intro: Intro, before: Any) -> None:
    """Put back what `models.snapshot` kept of the introduction."""
    if not isinstance(before, dict):
        raise AssertionError(f"An event of introduction {intro.pk} has no usable `before`")
    intro.state = str(before["state"])
    intro.outcome = str(before.get("outcome") or "")
    intro.follow_ups = int(before.get("follow_ups") or 0)
    for name in MILESTONES:
        value = before.get(name)
        setattr(intro, name, datetime.fromisoformat(value) if isinstance(value, str) else None)


SAVED = (
    *("state", "outcome", "follow_ups", *MILESTONES),
    *("next_step", "next_owner", "next_due_at", "later_due_at", "clock_at", "updated_at"),
)


def _save(intro: Intro, now: datetime) -> None:
    """Save what undo and correction change, unless someone else changed the introduction
    since it was read (its `version`)."""
    intro.updated_at = now
    changed = Intro.objects.filter(pk=intro.pk, version=intro.version).update(
        **{name: getattr(intro, name) for name in SAVED}, version=intro.version + 1
    )
    if changed != 1:
        raise CorrectionRefused(
            "Someone else changed this introduction at the same moment; reload."
        )
    intro.version += 1


# --- Correcting a time ----------------------------------------------------------------------


def _correctable(event: IntroEvent, user_id: int) -> bool:
    return _counts(event) and event.actor_user_id is not None and event.actor_user_id == user_id


def _check_correctable(event: IntroEvent, user_id: int) -> None:
    name = lifecycle.label(event.type)
    if event.actor_user_id is None or event.actor_user_id != user_id:
        raise CorrectionRefused(
            f"Only the person who recorded “{name}” can correct its time.", "forbidden"
        )
    if event.undone_at is not None:
        raise CorrectionRefused(f"“{name}” was undone; its time no longer counts.")
    if event.type in NOT_STEPS:
        raise CorrectionRefused("Only the time of a step can be corrected.")


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%-d %b %Y, %H:%M}"


def _check_order(steps: list[IntroEvent], event: IntroEvent, at: datetime, now: datetime) -> None:
    """Not in the future, and between the step recorded before it and the one after."""
    if at > now + timedelta(minutes=5):
        raise CorrectionRefused(
            "That time is in the future; a step is recorded once it has happened.", "invalid"
        )
    position = steps.index(event)
    previous = steps[position - 1] if position > 0 else None
    following = steps[position + 1] if position + 1 < len(steps) else None
    if previous is not None and at < previous.at - SLACK:
        raise CorrectionRefused(
            f"That is before the previous step (“{lifecycle.label(previous.type)}”, "
            f"{_when(previous.at)}); steps follow each other.",
            "invalid",
        )
    if following is not None and at > following.at + SLACK:
        raise CorrectionRefused(
            f"That is after the next step (“{lifecycle.label(following.type)}”, "
            f"{_when(following.at)}); steps follow each other.",
            "invalid",
        )


_PROBE = datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(0))


def _stamps(event: IntroEvent, *, first: bool) -> tuple[str, ...]:
    """The milestones the event stamped: those `lifecycle.start` sets for the first entry,
    the transition's own for a later step."""
    if first and event.type in lifecycle.STARTS:
        probe = Intro(double_opt_in=True)
        lifecycle.start(probe, event.type, _PROBE)
        return tuple(name for name in MILESTONES if getattr(probe, name) == _PROBE)
    transition = lifecycle.TRANSITIONS.get(event.type)
    return (transition.stamp,) if transition and transition.stamp else ()


def _follow_later_steps(
    intro: Intro, later: list[IntroEvent], stamps: tuple[str, ...], old: datetime, at: datetime
) -> None:
    """The steps recorded after a corrected one kept the introduction as it was before them:
    move the corrected milestone there too (so that undoing them restores it), and redo
    their due date and on-time record from it."""
    for event in later:
        before = event.before
        if not isinstance(before, dict):
            continue
        moved = [n for n in stamps if before.get(n) and _moment(before[n]) == old]
        if not moved:
            continue
        event.before = {**before, **{n: at.isoformat() for n in moved}}
        if event.due_at is not None and event.on_time is not None:
            then = copy.copy(intro)
            _restore(then, event.before)
            done = next(
                (s for s in lifecycle.next_steps(then) if event.type in s.kind.completing_events),
                None,
            )
            event.due_at = done.due_at if done else None
            event.on_time = (event.at <= done.due_at) if done else None
        event.save(update_fields=["before", "due_at", "on_time"])


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
