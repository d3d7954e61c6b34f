"""What a confirmation says after a change to an introduction: what happened, and what is next
with its date, as the viewer may see it (the target through access.target_shown).

Who is reminded of someone else's step, and when, is the reminders' business: the
introduction's page shows it (reminders.promises), so these words promise nothing about email.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from introloop import access
from introloop.accounts.models import User

from .lifecycle import TRANSITIONS, next_steps
from .models import ENDED_STATES, Intro, State
from .steps import lower_first


def day(moment: datetime, zone: ZoneInfo) -> str:
    """A day as confirmations and the introduction's page say it: "Thu 3 Dec"."""
    return f"{moment.astimezone(zone):%a %-d %b}"


def whats_next(intro: Intro, roles: set[str], zone: ZoneInfo, *, on_today: bool = True) -> str:
    """One sentence: the first open step, whose move it is (for a viewer with `roles`) and
    when it is due; `on_today` adds that the viewer's own step is on their Today page (not
    for someone who answers by email, nor on Today itself)."""
    steps = next_steps(intro)
    if not steps:
        if intro.state == State.LOOP_CLOSED:
            return "The loop is closed: nothing more is due."
        if intro.state in ENDED_STATES:
            return "Nothing more is due: the introduction has ended."
        return "Nothing is due until the next step is recorded."
    step = steps[0]
    title = lower_first(step.title(intro, access.target_shown(intro, roles).name))
    due = day(step.due_at, zone)
    if step.owner in roles:
        return f"Next, your move: {title}, by {due}." + (
            " It is on your Today page." if on_today else ""
        )
    owner = access.party_name(intro, step.owner, roles).split(" ")[0] or "They"
    return f"Next, {owner}'s move: {title}, due {due}."


def logged(intro: Intro, viewer: User) -> str:
    """After logging an introduction."""
    roles = access.roles_of(intro, viewer)
    target = access.target_shown(intro, roles).name
    state = intro.get_state_display().lower()
    return f"Logged: {intro.seeker_name} → {target} ({state}). " + whats_next(
        intro, roles, viewer.zone
    )


def recorded(intro: Intro, event: str, at: datetime, viewer: User) -> str:
    """After recording a step (`event`) that happened at `at`."""
    what = TRANSITIONS[event].label if event in TRANSITIONS else "Note"
    roles = access.roles_of(intro, viewer)
    return f"Recorded: {what}, {day(at, viewer.zone)}. " + whats_next(intro, roles, viewer.zone)
