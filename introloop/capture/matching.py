"""What a captured message means for the account that received it, in order of trust:
Introloop's own reply key, the thread of earlier captured mail, then the people on it. The
decision is data (`Decision`); services.py carries it out, or keeps it as a proposal."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q

from introloop import access
from introloop.accounts.models import User
from introloop.intros import lifecycle
from introloop.intros.models import ENDED_STATES, Intro, State
from introloop.outbox.models import Message
from introloop.outbox.replykeys import intro_of

from .models import CapturedMessage
from .parsing import MAX_RECIPIENTS, Parsed, Person

ROLES = ("seeker", "connector", "target")
_INTRODUCING = re.compile(
    r"intro|meet|connect|vorstell|kennenlernen|bekannt mach|in kontakt", re.IGNORECASE
)
_GREETING = re.compile(r"^(hi|hello|hey|dear|hallo|liebe|lieber|guten tag|moin)\b.*$", re.I)


@dataclass
class Decision:
    action: str  # applied, proposed, ignored
    reason: str
    intro: Intro | None = None
    event: str = ""
    proposal: dict = field(default_factory=dict)  # what applying it does: services.carry_out


def ignored(reason: str) -> Decision:
    return Decision("ignored", reason)


def decide(owner: User, parsed: Parsed, distrust: str, now: datetime) -> Decision:
    """`distrust` is "" when the message may act for `owner`, else why it may only propose."""
    if parsed.not_personal:
        return ignored(parsed.not_personal)
    if parsed.recipients > MAX_RECIPIENTS:
        return ignored(f"More than {MAX_RECIPIENTS} recipients: not a personal message.")
    if parsed.author is None:
        return ignored("The message has no sender that can be read.")
    threaded = _by_thread(owner, parsed)
    if isinstance(threaded, Decision):
        return threaded
    if threaded is not None:
        return _step(threaded, parsed, distrust, "It answers an earlier email about it.")
    fitting = _fitting(owner, parsed)
    if len(fitting) == 1:
        return _step(fitting[0], parsed, distrust, "Its people are those of one open introduction.")
    if len(fitting) > 1:
        return Decision(
            "proposed",
            f"{len(fitting)} open introductions have these people; choose on its page.",
            intro=fitting[0],
        )
    return _new_intro(owner, parsed, distrust)


def _by_thread(owner: User, parsed: Parsed) -> Intro | Decision | None:
    """(a) Introloop's reply key, or an email it sent; (b) earlier captured mail."""
    mine = access.scope(Intro.objects, owner)
    for reference in parsed.references:
        intro_id = intro_of(reference)
        if intro_id is None:
            topic = Message.objects.filter(message_id=f"<{reference}>").values_list(
                "topic", flat=True
            )
            found = next(iter(topic), "")
            parts = found.split(":")
            intro_id = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else None
        if intro_id is not None:
            intro = mine.filter(pk=intro_id).first()
            if intro is None:  # a key of someone else's introduction: never theirs to touch
                return ignored("It refers to an introduction that is not yours.")
            return intro
    if parsed.references:
        earlier = next(
            iter(
                CapturedMessage.objects.filter(
                    owner=owner, message_id__in=parsed.references[:50], intro__isnull=False
                )
                .select_related("intro")
                .order_by()[:1]  # unordered: capture_message_ref_idx, not a scan by date
            ),
            None,
        )
        if earlier and earlier.intro:
            return earlier.intro
    return None


def _fitting(owner: User, parsed: Parsed) -> list[Intro]:
    """(c) Open introductions whose author and at least one other party are on the message."""
    author = parsed.author.email if parsed.author else ""
    others = [p.email for p in parsed.people if p.email != author]
    if not author or not others:
        return []
    by_author = Q(seeker_email=author) | Q(connector_email=author) | Q(target_email=author)
    by_others = (
        Q(seeker_email__in=others) | Q(connector_email__in=others) | Q(target_email__in=others)
    )
    # Ids first, from a few columns: the user may be a party of thousands of introductions.
    ids = list(
        access.scope(Intro.objects, owner)
        .filter(by_author & by_others)
        .exclude(state__in=ENDED_STATES)
        .order_by("-updated_at")
        .values_list("id", flat=True)[:20]
    )
    if len(ids) > 1:
        return list(Intro.objects.filter(pk__in=ids).order_by("-updated_at"))
    return list(Intro.objects.filter(pk__in=ids)) if ids else []


def role_of(intro: Intro, email: str) -> str:
    return next((r for r in ROLES if getattr(intro, f"{r}_email") == email), "")


def _step(intro: Intro, parsed: Parsed, distrust: str, why: str) -> Decision:
    """(d) and the rules of point 3: which event the message is, on `intro`."""
    assert parsed.author is not None
    author = role_of(intro, parsed.author.email)
    on = {role_of(intro, p.email) for p in [*parsed.to, *parsed.cc]} - {""}
    state, at = intro.state, parsed.date
    event, automatic, details = "", True, {}
    if parsed.meeting_at and state in (State.INTRODUCED, State.REACHED_OUT, State.SCHEDULED):
        event, details = "scheduled", {"scheduled_for": parsed.meeting_at.isoformat()}
    elif author == "connector" and {"seeker", "target"} <= on:
        event = "introduced"
    elif author == "seeker" and "target" in on and state == State.INTRODUCED:
        event = "reached_out"
    elif author == "seeker" and "target" in on and state == State.MET:
        event, automatic = "thanked", False
    elif (
        author == "seeker" and "connector" in on and "target" not in on
        and state in (State.MET, State.THANKED) and parsed.text
    ):  # fmt: skip
        event, automatic, details = "loop_closed", False, {"outcome": parsed.text[:2000]}
    role = author or ("seeker" if event == "scheduled" else "")
    refused = lifecycle.refusal(intro, event, {role}) if event else None
    if not event or refused:
        note = f" ({refused})" if refused else ""
        return Decision("applied", f"Filed with the introduction; no step to record{note}.", intro)
    proposal = {
        "kind": "event", "event": event, "role": role,
        "at": at.isoformat() if at else "", "actor_name": parsed.author.name, **details,
    }  # fmt: skip
    label = lifecycle.label(event)
    if not automatic:
        return Decision("proposed", f"{why} Proposed: “{label}”.", intro, event, proposal)
    if distrust:
        return Decision("proposed", f"{why} {distrust}", intro, event, proposal)
    return Decision("applied", f"{why} Recorded: “{label}”.", intro, event, proposal)


def _new_intro(owner: User, parsed: Parsed, distrust: str) -> Decision:
    """A connector introducing two people, the user among the three: a new introduction."""
    assert parsed.author is not None
    others = [p for p in [*parsed.to, *parsed.cc] if p.email != parsed.author.email]
    three = [parsed.author, *others]
    if len(others) != 2 or owner.email not in {p.email for p in three}:
        return Decision("applied", "No introduction of yours has these people.")
    if not _INTRODUCING.search(parsed.subject + " " + parsed.text[:300]):
        return Decision("applied", "No introduction of yours has these people.")
    # The user reads as the seeker when introduced; a connector's first addressee otherwise.
    seeker = next((p for p in others if p.email == owner.email), others[0])
    target = next(p for p in others if p is not seeker)
    proposal = {
        "kind": "create",
        "connector": _party(parsed.author), "seeker": _party(seeker), "target": _party(target),
        "purpose": purpose(parsed), "at": parsed.date.isoformat() if parsed.date else "",
    }  # fmt: skip
    why = f"{parsed.author.name or parsed.author.email} introduced two people."
    if distrust:
        return Decision("proposed", f"{why} {distrust}", None, "introduced", proposal)
    return Decision("applied", f"{why} Created the introduction.", None, "introduced", proposal)


def _party(person: Person) -> dict[str, str]:
    return {"name": person.name or person.email.split("@")[0], "email": person.email}


def purpose(parsed: Parsed) -> str:
    """The first lines of the introduction, past the greeting."""
    lines = [line.strip() for line in parsed.text.splitlines() if line.strip()]
    lines = [line for line in lines if not _GREETING.match(line) or len(line) > 60]
    text = " ".join(lines[:2]) or parsed.subject
    return text[:300]
