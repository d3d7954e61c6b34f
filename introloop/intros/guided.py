"""The guided steps on an introduction's page: which buttons a viewer gets, in plain words.

A viewer sees, as buttons, the events they may record now (lifecycle.allowed_events), worded
from their side ("I wrote to Tomasz", "Happy to talk to Maya"). The buttons that complete one
of the viewer's open steps come first, beside that step's draft; other forward events follow as
secondary buttons (those asking for a date last). Endings and notes are rare corrections,
left to the page's "Something else" form. Every name is a first name as the viewer may see
it (access.target_shown).
"""

from dataclasses import dataclass

from introloop import access

from .lifecycle import TRANSITIONS, allowed_events, next_steps
from .models import Intro, Role, State

R = Role

# (role recording it, event): the button's visible words, and words only a screen reader
# hears after them, so that every button names the person it is about. {seeker}, {target}
# and {connector} are first names.
LABELS: dict[tuple[str, str], tuple[str, str]] = {
    (R.SEEKER, "reached_out"): ("I wrote to {target}", ""),
    (R.SEEKER, "followed_up"): ("I followed up with {target}", ""),
    (R.SEEKER, "scheduled"): ("We booked a call", " with {target}"),
    (R.SEEKER, "met"): ("We met", " {target}"),
    (R.SEEKER, "thanked"): ("I said thank you", " to {target}"),
    (R.SEEKER, "loop_closed"): ("Tell {connector} what came of it", ""),
    (R.CONNECTOR, "asked"): ("I asked {target} myself", ""),
    (R.CONNECTOR, "introduced"): ("I introduced them myself", ": {seeker} and {target}"),
    (R.CONNECTOR, "accepted"): ("{target} said yes", " to meeting {seeker}"),
    (R.CONNECTOR, "declined"): ("{target} said no", " to meeting {seeker}"),
    (R.TARGET, "accepted"): ("Happy to talk to {seeker}", ""),
    (R.TARGET, "declined"): ("Not now", ": decline to talk to {seeker}"),
    (R.TARGET, "reached_out"): ("{seeker} wrote to me", ""),
    (R.TARGET, "scheduled"): ("We booked a call", " with {seeker}"),
    (R.TARGET, "met"): ("We met", " {seeker}"),
}
# Booking again once a call is booked moves it.
RESCHEDULE: dict[str, tuple[str, str]] = {
    R.SEEKER: ("We moved the call", " with {target}"),
    R.TARGET: ("We moved the call", " with {seeker}"),
}
# What a button asks for besides the click (an EventForm field).
FIELDS = {"scheduled": "scheduled_for", "loop_closed": "outcome"}
# The connector's own steps are sent from the page ("Ask … by email"): the buttons saying
# they did it outside Introloop come after those forms, as secondary buttons.
SENT_FROM_PAGE = {"asked", "introduced"}


@dataclass(frozen=True)
class GuidedAction:
    event: str
    label: str  # the visible words
    context: str  # heard after them by a screen reader ("" when the label names the person)
    field: str = ""  # "scheduled_for" or "outcome" when the button needs it
    step: str = ""  # the viewer's open step it completes: shown first, beside its draft

    @property
    def name(self) -> str:
        """The button's accessible name: unique on the page, and says whom it is about."""
        return self.label + self.context

    @property
    def primary(self) -> bool:
        return bool(self.step)


def first_name(name: str) -> str:
    if name == access.DECLINED_TARGET:
        return name  # a description, not a name
    return name.split()[0] if name.strip() else name


def guided_actions(intro: Intro, roles: set[str]) -> list[GuidedAction]:
    """The buttons a viewer with `roles` gets on `intro`'s page: those completing one of
    their open steps first (in the steps' order), then the other forward events."""
    names = {
        "seeker": first_name(intro.seeker_name),
        "target": first_name(access.target_shown(intro, roles).name),
        "connector": first_name(intro.connector_name),
    }
    completes: dict[str, str] = {}  # event -> the open step of the viewer's it completes
    order: dict[str, int] = {}
    for position, open_step in enumerate(next_steps(intro)):
        if open_step.owner not in roles:
            continue
        kind = open_step.kind
        # A yes-or-no step (the target's answer) offers both; others their own event.
        for event in kind.completing_events if kind.exclusive else {kind.completed_by}:
            completes.setdefault(event, open_step.step)
            order.setdefault(event, position)
    actions = []
    for event in allowed_events(intro, roles):
        role = _recorded_as(event, roles)
        if (role, event) not in LABELS:
            continue  # an ending: "Something else"
        label, context = LABELS[(role, event)]
        if event == "scheduled" and intro.state == State.SCHEDULED:
            label, context = RESCHEDULE[role]
        step = "" if role == R.CONNECTOR and event in SENT_FROM_PAGE else completes.get(event, "")
        actions.append(
            GuidedAction(
                event, label.format(**names), context.format(**names), FIELDS.get(event, ""), step
            )
        )
    events = list(TRANSITIONS)
    # Among the others, plain buttons line up first, and one asking for a date comes last.
    return sorted(
        actions,
        key=lambda a: (
            not a.primary,
            order.get(a.event, 0),
            bool(a.field) and not a.primary,
            events.index(a.event),
        ),
    )


def _recorded_as(event: str, roles: set[str]) -> str:
    """The part a viewer plays when recording `event`: the seeker first, as record_event."""
    fitting = [r for r in (R.SEEKER, R.CONNECTOR, R.TARGET) if r in roles]
    return next((r for r in fitting if r in TRANSITIONS[event].roles), "")
