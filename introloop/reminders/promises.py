"""What Introloop will do about the open steps of an introduction that are someone else's
move, in words for the introduction's page: who is reminded, how, and from when.

The words are read from the rules the sweep applies (nudge.applies, trusted_creators,
opted_out, the nudges already sent), so that a page never promises a reminder that will not go.
"""

from datetime import datetime

from introloop import access
from introloop.accounts.models import User
from introloop.intros.confirmations import day
from introloop.intros.lifecycle import NextStep, next_steps
from introloop.intros.models import Intro

from .kinds import nudge
from .kinds.base import first_name, opted_out, trusted_creators
from .models import NotificationSettings


def promises(intro: Intro, viewer: User, now: datetime, only: str = "") -> list[str]:
    """One sentence per open step (or the `only` step) that waits on someone other than
    `viewer`."""
    roles = access.roles_of(intro, viewer)
    lines = []
    for step in next_steps(intro):
        if step.owner in roles or only not in ("", step.step):
            continue
        name = access.party_name(intro, step.owner, roles)
        if not name or name == access.DECLINED_TARGET:
            continue
        lines.append(_promise(intro, step, first_name(name), viewer, now))
    return lines


def _promise(intro: Intro, step: NextStep, name: str, viewer: User, now: datetime) -> str:
    due = day(step.due_at, viewer.zone)
    owner_id = getattr(intro, f"{step.owner}_user_id")
    if owner_id is not None:
        settings = NotificationSettings.objects.filter(user_id=owner_id).first()
        digest = (settings or NotificationSettings()).digest_enabled
        where = f"on {name}'s Today page" + (" and in their daily digest" if digest else "")
        return f"{name} has an account: from {due} this step is {where}."
    if not nudge.applies(intro, step):
        return (
            f"Introloop does not email {name} about this step: if it matters, follow it up "
            "yourself."
        )
    email = intro.party(step.owner)[1]
    if intro.created_by_id not in trusted_creators([intro]):
        return (
            f"Introloop emails {name} a reminder only for an account with a confirmed "
            "address: until then, nobody reminds them."
        )
    if not email or opted_out({email}, nudge.KIND):
        return f"{name} asked Introloop not to email them reminders: nobody will remind them."
    count, last = nudge.history([intro.id]).get(nudge.step_prefix(intro, step, email), (0, None))
    if count >= nudge.PER_STEP:
        return (
            f"Introloop has reminded {name} {nudge.PER_STEP} times about this step and will "
            "not write again: if it matters, follow it up yourself."
        )
    when = max(step.due_at, last + nudge.EVERY) if last else step.due_at
    if when <= now:
        start = f"{name} is late: Introloop emails them a reminder at its next round"
    else:
        start = f"If {name} has not done it by {day(when, viewer.zone)}, Introloop emails them"
        start += " a reminder"
    left = "three at most" if count == 0 else f"{nudge.PER_STEP - count} more at most"
    return f"{start}, with one-click answers ({left}, two days apart)."
