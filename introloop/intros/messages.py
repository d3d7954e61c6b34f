"""Drafted messages for each step, filled from the introduction; users can reword them.

Placeholders are plain `{name}` words replaced from a fixed list, never template code, so a
user's own wording cannot reach anything but these values.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from introloop.accounts.models import User

from .models import Intro, MessageTemplate
from .steps import STEPS

PLACEHOLDERS = {
    "seeker": "the seeker's full name",
    "seeker_first": "the seeker's first name",
    "target": "the target's full name",
    "target_first": "the target's first name",
    "connector": "the connector's full name",
    "connector_first": "the connector's first name",
    "purpose": "what the seeker hopes to learn or get",
    "outcome": "what came of it (once the loop is closed)",
}

DEFAULTS: dict[str, tuple[str, str, str]] = {
    # key: (who writes it, subject, body)
    "connector_ask": (
        "Connector asks the target",
        "Would you be happy to meet {seeker}?",
        "Hi {target_first},\n\n"
        "I'd like to introduce you to {seeker}. In short: {purpose}\n\n"
        "Would you be happy for me to put you in touch? No pressure at all: if now isn't a good "
        "time, just say so and I'll understand.\n\n"
        "Thank you,\n{connector_first}",
    ),
    "connector_introduce": (
        "Connector introduces both sides",
        "Introduction: {seeker} and {target}",
        "Hi {target_first} and {seeker_first},\n\n"
        "I'm delighted to introduce you to each other.\n\n"
        "{target_first}, {seeker} is someone I'm happy to vouch for. {purpose}\n\n"
        "{seeker_first}, {target} has kindly agreed to talk. I'll let you take it from here: "
        "please write to {target_first} with a few times that suit you.\n\n"
        "Best wishes,\n{connector_first}",
    ),
    "seeker_reach_out": (
        "Seeker writes to the target",
        "Following {connector_first}'s introduction",
        "Hi {target_first},\n\n"
        "Thank you for agreeing to talk, and thanks to {connector_first} for connecting us. "
        "{purpose}\n\n"
        "Would you have 20 minutes in the next week or two? I'm happy to work around your "
        "schedule, by phone or video.\n\n"
        "Best regards,\n{seeker_first}",
    ),
    "seeker_follow_up": (
        "Seeker follows up with a silent target",
        "Re: Following {connector_first}'s introduction",
        "Hi {target_first},\n\n"
        "Just bringing this back to the top of your inbox in case it got buried. I'd still love "
        "20 minutes whenever suits you, and no worries at all if now is busy.\n\n"
        "Best,\n{seeker_first}",
    ),
    "seeker_thank": (
        "Seeker thanks the target",
        "Thank you",
        "Hi {target_first},\n\n"
        "Thank you so much for your time. Your advice was really helpful, and I'll follow up on "
        "what we discussed.\n\n"
        "If there is ever anything I can do in return, please let me know.\n\n"
        "With thanks,\n{seeker_first}",
    ),
    "seeker_close_loop": (
        "Seeker tells the connector what came of it",
        "Thank you for introducing me to {target}",
        "Hi {connector_first},\n\n"
        "I wanted to let you know how it went with {target_first}. {outcome}\n\n"
        "Thank you again for making the introduction; it made a real difference.\n\n"
        "Best,\n{seeker_first}",
    ),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Users' own wordings, (user id, key) -> (subject, body): see own_templates.
OwnTemplates = dict[tuple[int, str], tuple[str, str]]


def fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)


def _first(name: str) -> str:
    return name.split()[0] if name.strip() else name


def values_for(intro: Intro) -> dict[str, str]:
    purpose = intro.purpose.strip()
    if purpose and purpose[-1] not in ".!?":
        purpose += "."
    return {
        "seeker": intro.seeker_name,
        "seeker_first": _first(intro.seeker_name),
        "target": intro.target_name,
        "target_first": _first(intro.target_name),
        "connector": intro.connector_name,
        "connector_first": _first(intro.connector_name),
        "purpose": purpose,
        "outcome": intro.outcome or "[Say what came of it.]",
    }


@dataclass
class Draft:
    key: str
    subject: str
    body: str
    to: list[str]

    @property
    def mailto(self) -> str:
        return f"mailto:{','.join(self.to)}?subject={quote(self.subject)}&body={quote(self.body)}"


def own_templates(user_ids: Iterable[int]) -> OwnTemplates:
    """The users' own wordings, for drafting many messages without a query each."""
    rows = MessageTemplate.objects.filter(user__in=list(user_ids))
    return {(t.user_id, t.key): (t.subject, t.body) for t in rows}


def template_for(
    user: User | None, key: str, preloaded: OwnTemplates | None = None
) -> tuple[str, str]:
    if preloaded is not None:
        own = preloaded.get((user.pk, key)) if user else None
        return own or (DEFAULTS[key][1], DEFAULTS[key][2])
    found = MessageTemplate.objects.filter(user=user, key=key).first() if user else None
    if found:
        return found.subject, found.body
    return DEFAULTS[key][1], DEFAULTS[key][2]


def draft(
    key: str,
    intro: Intro,
    user: User | None,
    to: list[str] | None = None,
    preloaded: OwnTemplates | None = None,
) -> Draft:
    subject, body = template_for(user, key, preloaded)
    values = values_for(intro)
    return Draft(key=key, subject=fill(subject, values), body=fill(body, values), to=to or [])


def draft_for_step(
    step: str,
    intro: Intro,
    user: User | None,
    target_email_visible: bool,
    preloaded: OwnTemplates | None = None,
) -> Draft | None:
    """The message that goes with a next step, addressed as far as the viewer may see."""
    kind = STEPS[step]
    if kind.draft is None:
        return None
    key, recipient = kind.draft, kind.draft_to
    if recipient == "both":
        to = [intro.seeker_email, intro.target_email]
    elif recipient == "target":
        to = [intro.target_email] if target_email_visible else []
    else:
        to = [intro.connector_email]
    return draft(key, intro, user, to=to, preloaded=preloaded)
