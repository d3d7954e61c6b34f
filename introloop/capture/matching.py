"""What a captured message means for the account that received it, in order of trust:
Introloop's own reply key, the thread of earlier captured mail, then the people on it. The
decision is data (`Decision`); services.py carries it out, or keeps it as a proposal."""

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.db import connection

from introloop import access
from introloop.accounts.models import User
from introloop.intros import lifecycle
from introloop.intros.models import ENDED_STATES, Intro, State
from introloop.outbox.models import Message
from introloop.outbox.replykeys import intro_of, intro_of_local

from .models import CapturedMessage
from .parsing import MAX_RECIPIENTS, Parsed, Person

ROLES = ("seeker", "connector", "target")
MAX_REFERENCES = 50  # of one message's thread, looked up
CHUNK = 500  # values in one IN list
# What deciding reads of an introduction (lifecycle.refusal included); acting re-reads it.
READ = (
    "pk", "state", "double_opt_in", "follow_ups", "updated_at",
    *(f"{role}_email" for role in ROLES), *(f"{role}_contact_id" for role in ROLES),
)  # fmt: skip
T = TypeVar("T")
_INTRODUCING = re.compile(
    r"intro|meet|connect|vorstell|kennenlernen|bekannt mach|in kontakt", re.IGNORECASE
)
_GREETING = re.compile(r"^(hi|hello|hey|dear|hallo|liebe|lieber|guten tag|moin)\b.*$", re.I)


@dataclass(slots=True)
class IntroView:
    """An introduction as deciding reads it (READ): plain values, read for a whole batch in
    one query without building model instances (they cost more than the query)."""

    pk: int
    state: str
    double_opt_in: bool
    follow_ups: int
    updated_at: datetime
    seeker_email: str
    connector_email: str
    target_email: str
    seeker_contact_id: int | None
    connector_contact_id: int | None
    target_contact_id: int | None

    @classmethod
    def of(cls, intro: Intro) -> "IntroView":
        return cls(*(getattr(intro, name) for name in READ))


@dataclass
class Decision:
    action: str  # applied, proposed, ignored
    reason: str
    intro: IntroView | None = None
    event: str = ""
    proposal: dict = field(default_factory=dict)  # what applying it does: services.carry_out


def ignored(reason: str) -> Decision:
    return Decision("ignored", reason)


class Known:
    """What deciding about a batch of one account's messages reads from the database, in
    four queries for the whole batch: the emails Introloop sent that they answer, the
    earlier captured mail of their threads, the ids of introductions with their people, and
    those of them (and of the introductions named) the account may see, as plain values.
    The worker keeps it current as it acts (`learn`)."""

    def __init__(self, owner: User, batch: Sequence[Parsed]) -> None:
        self.owner = owner
        references = {r for parsed in batch for r in parsed.references[:MAX_REFERENCES]}
        keyed = {r: intro_of(r) for r in references}
        plain = [r for r, intro_id in keyed.items() if intro_id is None]
        self.sent: dict[str, int] = {}
        for message_id, topic in _chunked(
            plain, lambda ids: Message.objects.filter(message_id__in=[f"<{r}>" for r in ids])
            .values_list("message_id", "topic")
        ):  # fmt: skip
            parts = topic.split(":")  # intro:<id> or intro:<id>:<step>
            if len(parts) >= 2 and parts[0] == "intro" and parts[1].isdigit():
                self.sent[message_id.strip("<>")] = int(parts[1])
        self.threads: dict[str, int] = dict(
            _chunked(plain, lambda ids: CapturedMessage.objects.filter(
                owner=owner, message_id__in=ids, intro__isnull=False
            ).order_by().values_list("message_id", "intro_id"))  # capture_message_ref_idx
        )  # fmt: skip
        self.sent.update({r: intro_id for r, intro_id in keyed.items() if intro_id is not None})
        self.sent.update(_records(batch))
        named = set(self.sent.values()) | set(self.threads.values())
        # Every introduction that fits a message has a party other than the user on it (its
        # author and another person are two people), so those addresses find them all.
        people = {p.email for parsed in batch for p in parsed.people} - {owner.email}
        self.intros: dict[int, IntroView] = {}
        self.by_email: dict[str, set[int]] = {}
        # Ids by address first, so that the address indexes lead (the user's own indexes
        # would read every introduction of theirs); then only those the user may see.
        named |= set(_chunked(sorted(people), _ids_by_address))
        rows = access.scope(Intro.objects, owner).filter(pk__in=named) if named else None
        for values in rows.values_list(*READ) if rows is not None else []:
            self.learn(IntroView(*values))

    def learn(self, intro: IntroView, message_id: str = "") -> None:
        """`intro` as it is now (after a message acted on it), and `message_id` in its thread."""
        self.intros[intro.pk] = intro
        for role in ROLES:
            self.by_email.setdefault(getattr(intro, f"{role}_email"), set()).add(intro.pk)
        if message_id:
            self.threads[message_id] = intro.pk

    def thread(self, parsed: Parsed) -> IntroView | Decision | None:
        """(a) Introloop's reply key, an introduction's record among the recipients, or an
        email Introloop sent; (b) earlier captured mail."""
        records = [p.email for p in [*parsed.to, *parsed.cc] if p.email in self.sent]
        for reference in [*parsed.references[:MAX_REFERENCES], *records]:
            if reference in self.sent:
                intro = self.intros.get(self.sent[reference])
                if intro is None:  # someone else's introduction: never theirs to touch
                    return ignored("It refers to an introduction that is not yours.")
                return intro
        for reference in parsed.references[:MAX_REFERENCES]:
            if reference in self.threads and self.threads[reference] in self.intros:
                return self.intros[self.threads[reference]]
        return None

    def fitting(self, parsed: Parsed) -> list[IntroView]:
        """(c) Open introductions whose author and at least one other party are on it."""
        author = parsed.author.email if parsed.author else ""
        others = {p.email for p in parsed.people if p.email != author}
        if not author or not others:
            return []
        # Not by the user's own address: they are on every one of their introductions.
        keys = ({author} | others) - {self.owner.email}
        ids = set().union(*(self.by_email.get(e, ()) for e in keys))
        found = [
            intro for intro in map(self.intros.__getitem__, ids)
            if intro.state not in ENDED_STATES and author in _parties(intro)
            and others & _parties(intro)
        ]  # fmt: skip
        return sorted(found, key=lambda intro: intro.updated_at, reverse=True)[:20]


def _parties(intro: IntroView) -> set[str]:
    return {intro.seeker_email, intro.connector_email, intro.target_email}


def _records(batch: Sequence[Parsed]) -> dict[str, int]:
    """The introductions' record addresses (`[localpart+]ilk.<id>.<sig>@CAPTURE_DOMAIN`, the
    Reply-To of Introloop's mail) among the recipients: a message sent there names its
    introduction even when it lost its References."""
    if not settings.CAPTURE_DOMAIN:
        return {}
    domain, found = f"@{settings.CAPTURE_DOMAIN}", {}
    for address in {p.email for parsed in batch for p in [*parsed.to, *parsed.cc]}:
        if address.endswith(domain):
            intro_id = intro_of_local(address.rpartition("@")[0].rsplit("+", 1)[-1])
            if intro_id is not None:
                found[address] = intro_id
    return found


def _ids_by_address(emails: list[str]) -> list[int]:
    """Ids of the introductions (anyone's: only ids, scoped by the caller) with a party at one
    of `emails`. In SQL: the ORM spends ~5 µs preparing each value of an IN list, three
    times the query itself for the few hundred addresses of a batch."""
    table, marks = Intro._meta.db_table, ", ".join(["%s"] * len(emails))
    where = " OR ".join(f"{role}_email IN ({marks})" for role in ROLES)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE {where}", emails * len(ROLES))  # noqa: S608 - names are ours, values are parameters
        return [pk for (pk,) in cursor.fetchall()]


def _chunked(values: list[str], query: Callable[[list[str]], Iterable[T]]) -> Iterator[T]:
    for start in range(0, len(values), CHUNK):
        yield from query(values[start : start + CHUNK])


def decide(
    owner: User, parsed: Parsed, distrust: str, now: datetime, known: Known | None = None
) -> Decision:
    """`distrust` is "" when the message may act for `owner`, else why it may only propose.
    `known` is what was read for the batch the message is in (read now when not given)."""
    if parsed.not_personal:
        return ignored(parsed.not_personal)
    if parsed.recipients > MAX_RECIPIENTS:
        return ignored(f"More than {MAX_RECIPIENTS} recipients: not a personal message.")
    if parsed.author is None:
        return ignored("The message has no sender that can be read.")
    known = known or Known(owner, [parsed])
    threaded = known.thread(parsed)
    if isinstance(threaded, Decision):
        return threaded
    if threaded is not None:
        return _step(threaded, parsed, distrust, "It answers an earlier email about it.")
    fitting = known.fitting(parsed)
    if len(fitting) == 1:
        return _step(fitting[0], parsed, distrust, "Its people are those of one open introduction.")
    if len(fitting) > 1:
        return Decision(
            "proposed",
            f"{len(fitting)} open introductions have these people; choose on its page.",
            intro=fitting[0],
        )
    return _new_intro(owner, parsed, distrust)


def role_of(intro: IntroView, email: str) -> str:
    return next((r for r in ROLES if getattr(intro, f"{r}_email") == email), "")


def _step(intro: IntroView, parsed: Parsed, distrust: str, why: str) -> Decision:
    """(d) and the rules of point 3: which event the message is, on `intro`."""
    assert parsed.author is not None
    author = role_of(intro, parsed.author.email)
    on = {role_of(intro, p.email) for p in [*parsed.to, *parsed.cc]} - {""}
    state, at = intro.state, parsed.date
    event, automatic, details = "", True, {}
    if state in (State.INTRODUCED, State.REACHED_OUT, State.SCHEDULED) and parsed.meeting_at:
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
