"""Drafted messages for each step, filled from the introduction; users can reword them.

Placeholders are plain `{name}` words replaced from a fixed list, never template code, so a
user's own wording cannot reach anything but these values.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from introloop.accounts.models import User

from .models import Intro, MessageTemplate, Role
from .steps import STEPS

PLACEHOLDERS = {
    "seeker": "the seeker's full name",
    "seeker_first": "the seeker's first name",
    "target": "the target's full name",
    "target_first": "the target's first name",
    "connector": "the connector's full name",
    "connector_first": "the connector's first name",
    "topic": "what the seeker hopes to learn about, as a phrase in the writer's voice: "
    'it follows "hopes to learn about"',
    "purpose": "what the seeker hopes to learn, exactly as written on the introduction",
    "outcome": "what came of it (once the loop is closed)",
}

# The connector's drafts speak about the seeker (by name, "they"); the seeker's speak as "I".
# Who writes each one is its step's owner (WRITERS); {topic} is the purpose in that voice.
DEFAULTS: dict[str, tuple[str, str, str]] = {
    # key: (who writes it, subject, body)
    "connector_ask": (
        "Connector asks the target",
        "Would you be happy to meet {seeker}?",
        "Hi {target_first},\n\n"
        "Would you be happy for me to introduce you to {seeker}? {seeker_first} hopes to learn "
        "about {topic}, and I thought of you straight away.\n\n"
        "No pressure at all: if now isn't a good time, just say so and I'll understand.\n\n"
        "Thank you,\n{connector_first}",
    ),
    "connector_introduce": (
        "Connector introduces both sides",
        "Introduction: {seeker} and {target}",
        "Hi {target_first} and {seeker_first},\n\n"
        "I'm delighted to introduce you to each other.\n\n"
        "{target_first}, {seeker} is someone I'm happy to vouch for. They are hoping to learn "
        "about {topic}, and you are the person I would ask.\n\n"
        "{seeker_first}, {target} has kindly agreed to talk. I'll let you take it from here: "
        "please write to {target_first} with a few times that suit you.\n\n"
        "Best wishes,\n{connector_first}",
    ),
    "seeker_reach_out": (
        "Seeker writes to the target",
        "Following {connector_first}'s introduction",
        "Hi {target_first},\n\n"
        "Thank you for agreeing to talk, and thanks to {connector_first} for connecting us. "
        "I'm hoping to learn about {topic}, and your view would help me a great deal.\n\n"
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

# Who writes each drafted message, read from the steps table: the voice it speaks in.
WRITERS: dict[str, str] = {s.draft: s.owner for s in STEPS.values() if s.draft}

# A wish that opens a purpose, cut so that what is left follows "hopes to learn about":
# "I'd love to learn how…", "Maya would like 20 minutes on…", "Advice on data teams".
# The seeker's name is read as "I" first (see topic_of).
_LEAD_IN = re.compile(
    r"""^
    (?:(?:i|we)(?:['\u2019]d|['\u2019]m|\s+would|\s+am|\s+is|\s+are)?\s+
       (?:really\s+|also\s+|very\s+|just\s+)?
       (?:love|like|hope|hopes|hoping|want|wants|looking|keen|eager|interested|curious
          |be\s+grateful|appreciate|value|welcome)
       (?:\s+(?:to|for|in))?\s+)?
    (?:(?:\d+|a\s+few|a\s+couple\s+of)\s+(?:minutes|mins)(?:\s+of\s+your\s+time)?
       \s+(?:on|about|to)\s+)?
    (?:(?:learn|hear|know|understand|find\s+out|talk|chat|ask\s+you|ask|discuss|explore|get)
       (?:\s+|$))?
    (?:(?:some\s+|your\s+)?(?:advice|tips|guidance|pointers|insights?|thoughts|perspective)
       \s+(?:on|about|into|for)\s+(?!my\b))?   # "advice on my CV" stays whole
    (?:more\s+)?(?:about\s+)?""",
    re.IGNORECASE | re.VERBOSE,
)
# A clause with the seeker as its subject, left once the opening wish is cut.
_SPEAKS_OF_SEEKER = re.compile(r"(?:i|we)(?:['\u2019](?:m|d|ve|ll|re))?(?:\s|$)", re.IGNORECASE)
# A wish further in: "I'm moving into product and would love to hear how…".
_WISH_INSIDE = re.compile(
    r"\b(?:love|like|hope|hoping|want|keen|eager)\s+to\s+"
    r"(?:learn|hear|know|understand|find\s+out|talk|chat|ask|discuss|explore)\s+"
    r"(?:more\s+)?(?:about\s+)?",
    re.IGNORECASE,
)
# Words a phrase may start with that are not names (nor are most words in -ing): their
# capital goes, mid-sentence.
_COMMON_START = frozenset(
    {
        *("how", "what", "why", "whether", "when", "where", "who", "which", "if"),
        *("the", "a", "an", "your", "their", "his", "her", "its", "my", "any", "some", "more"),
        *("advice", "feedback", "ways", "ideas", "tips", "insights", "introductions"),
        *("opportunities", "roles", "jobs", "careers", "career", "life", "work"),
    }
)
# First person to third, for the connector's voice ("they" takes the same verbs as "I").
_THIRD_PERSON = [
    (re.compile(r"\bI am\b"), "they are"),
    (re.compile(r"\bI was\b"), "they were"),
    (re.compile(r"\bI(['\u2019])m\b"), r"they\1re"),
    (re.compile(r"\bI\b"), "they"),
    (re.compile(r"\bmy\b"), "their"),
    (re.compile(r"\bmine\b"), "theirs"),
    (re.compile(r"\bmyself\b"), "themselves"),
    (re.compile(r"\bme\b"), "them"),
]
# When nothing is left of a purpose ("I'd love to chat").
_NO_TOPIC = "your work"


def fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)


def _first(name: str) -> str:
    return name.split()[0] if name.strip() else name


def topic_of(purpose: str, seeker_name: str, voice: str) -> str:
    """The purpose as a phrase that follows "hopes to learn about", in the writer's voice.

    "I'd love to learn how your team hires." becomes "how your team hires"; in the
    connector's voice "advice on my move" becomes "advice on their move". A sentence that
    stays about the seeker ("I'm moving into product") gives way to a neutral "your work".
    """
    text = " ".join(purpose.split()).rstrip(" .!?;:,")
    # "Maya hopes to…", written by a connector, reads like "I hope to…".
    for name in (seeker_name.strip(), _first(seeker_name)):
        if name and text.lower().startswith(name.lower() + " "):
            text = "I" + text[len(name) :]
            break
    lead_in = _LEAD_IN.match(text)
    if lead_in:
        text = text[lead_in.end() :]
    if _SPEAKS_OF_SEEKER.match(text):
        # "I'm moving into product and would love to hear how…": what follows the wish.
        inside = _WISH_INSIDE.search(text)
        text = text[inside.end() :] if inside else ""
    text = text.rstrip(" .!?;:,")
    if not text or _SPEAKS_OF_SEEKER.match(text):
        return _NO_TOPIC
    word = re.split(r"['\u2019]", text.split()[0])[0]  # "What's" -> "What"
    common = word.lower() in _COMMON_START or (len(word) > 4 and word.endswith("ing"))
    if common and (len(word) == 1 or word[1:].islower()):
        text = text[0].lower() + text[1:]
    if voice == Role.CONNECTOR:
        for pattern, replacement in _THIRD_PERSON:
            text = pattern.sub(replacement, text)
        text = re.sub(r"([.!?] )they\b", r"\1They", text)
    return text


def values_for(intro: Intro, voice: str = Role.SEEKER) -> dict[str, str]:
    """What the placeholders stand for in a message written in `voice` (a role)."""
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
        "topic": topic_of(intro.purpose, intro.seeker_name, voice),
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
    values = values_for(intro, WRITERS.get(key, Role.SEEKER))
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
