"""Reading stored mail and acting on it: the worker claims a message, reads it, decides, and
records what it did, in one transaction; accepting or dismissing a proposal; replaying.

A message acts for its account only when it came in by the account's token (every stored
message did), from the account's verified address, and, behind a trusted MTA
(CAPTURE_AUTHSERV_ID), with DMARC passing; otherwise it can only propose.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from introloop.accounts.models import User
from introloop.intros import lifecycle
from introloop.intros.models import Intro
from introloop.intros.services import IntroRefused, NewIntro, Party, create_intro
from introloop.network.models import Contact, ContactEmail, Interaction
from introloop.network.services import log_interaction

from . import matching
from .models import CaptureAddress, CapturedMessage
from .parsing import Parsed, parse

log = logging.getLogger("introloop.capture")
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 3
BATCH = 200  # messages of one account read together...
BATCH_BYTES = 25 * 1024 * 1024  # ...and at most this much of them held in memory at once
M = CapturedMessage


class ProposalRefused(Exception):
    """A proposal can no longer be accepted; the message says why."""


def distrust(owner: User, parsed: Parsed, by_record: bool = False) -> str:
    """Why the message may only propose for `owner`, or "" when it may act. `by_record`:
    it came only to an introduction's record address, which is no secret."""
    if parsed.sender is None or parsed.sender.email != owner.email or not owner.is_verified:
        return "Proposed: it was not sent from your verified address."
    trusted_mta = settings.CAPTURE_AUTHSERV_ID
    vouched = bool(trusted_mta) and parsed.dmarc.get(trusted_mta) == "pass"
    if trusted_mta and not vouched:
        return "Proposed: your mail server did not confirm the sender (DMARC)."
    if by_record and not vouched:
        return (
            "Proposed: it came to the introduction's address in Reply-To, which everyone on "
            "the email knows; mail to your private capture address acts by itself."
        )
    return ""


def claim(now: datetime, size: int = BATCH) -> list[CapturedMessage]:
    """Claim up to `size` waiting messages of one account, the oldest first: a conditional
    update tagged with this claim, so that two workers never hold the same message."""
    due = Q(status=M.Status.PENDING) | Q(status=M.Status.PROCESSING, claimed_until__lt=now)
    waiting = M.objects.filter(due).order_by("received_at", "id")
    owner_id = waiting.values_list("owner_id", flat=True).first()
    if owner_id is None:
        return []
    pks: list[int] = []
    held_bytes = 0
    for pk, size_of in waiting.filter(owner_id=owner_id).values_list("pk", "size")[:size]:
        if pks and held_bytes + size_of > BATCH_BYTES:
            break
        pks.append(pk)
        held_bytes += size_of
    tag = secrets.token_hex(16)
    M.objects.filter(due, pk__in=pks).update(
        status=M.Status.PROCESSING, claimed_until=now + LEASE, claim=tag
    )
    held = M.objects.filter(pk__in=pks, claim=tag, status=M.Status.PROCESSING)
    return list(held.select_related("owner").order_by("received_at", "id"))


def process_next(now: datetime, size: int = BATCH) -> int:
    """Read a batch of waiting messages of one account; how many (the worker's "did I find
    work?"). The batch shares one look at the account's introductions (matching.Known)."""
    rows = claim(now, size)
    if not rows:
        return 0
    read = {row.pk: read_raw(row) for row in rows}
    known = matching.Known(rows[0].owner, [p for p in read.values() if isinstance(p, Parsed)])
    for row in rows:
        try:
            now_is = process(row, now, read[row.pk], known)
        except Exception as error:  # one bad message must not stop the others
            log.exception("Could not read captured message %s", row.pk)
            M.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
            if row.attempts + 1 >= MAX_ATTEMPTS:
                M.objects.filter(pk=row.pk).update(
                    status=M.Status.DONE, processed_at=now, action=M.Action.IGNORED,
                    reason=f"It could not be read ({type(error).__name__}).",
                )  # fmt: skip
            continue
        if now_is is not None:
            known.learn(now_is, row.message_id)
    return len(rows)


def read_raw(row: CapturedMessage) -> Parsed | str:
    """The stored message read, or why it could not be."""
    try:
        return parse(bytes(row.raw), row.owner.zone)
    except (RecursionError, MemoryError, ValueError, LookupError, AttributeError) as error:
        return f"It could not be read ({type(error).__name__})."


@transaction.atomic
def process(
    row: CapturedMessage,
    now: datetime,
    parsed: Parsed | str | None = None,
    known: matching.Known | None = None,
) -> matching.IntroView | None:
    """Decide and act on a message read into `parsed` (read now when not given): all of it
    or none of it. The introduction it touched, as it is now."""
    owner = row.owner
    parsed = read_raw(row) if parsed is None else parsed
    if isinstance(parsed, str):
        decision = matching.ignored(parsed)
    else:
        _read_into(row, parsed, now)
        doubt = distrust(owner, parsed, row.by_record)
        decision = matching.decide(owner, parsed, doubt, now, known)
    touched = decision.intro
    row.action, row.reason = decision.action, decision.reason
    row.intro_id = touched.pk if touched else None
    row.event, row.proposal = decision.event, decision.proposal
    if decision.action == M.Action.APPLIED and decision.proposal:
        try:
            row.intro = carry_out(row, now)
            row.resolution = M.Resolution.ACCEPTED
            touched = matching.IntroView.of(row.intro)
        except (lifecycle.EventRefused, IntroRefused) as refused:
            row.action, row.reason = M.Action.PROPOSED, f"{decision.reason} Not recorded: {refused}"
    if isinstance(parsed, Parsed) and row.action != M.Action.IGNORED:
        row.interaction = _file_interaction(row, parsed, now, touched)
    row.status, row.processed_at, row.claimed_until = M.Status.DONE, now, None
    row.save()
    return touched


def _read_into(row: CapturedMessage, parsed: Parsed, now: datetime) -> None:
    author = parsed.author
    row.subject = parsed.subject
    row.from_name = author.name[:300] if author else ""
    row.from_email = author.email[:254] if author else ""
    row.sent_at = min(parsed.date, now) if parsed.date else None
    # The account's own address marked, so that the inbox and the export can say "you".
    row.participants = [{**p, "you": p["email"] == row.owner.email} for p in parsed.participants()]
    row.new_text = parsed.text


def _when(row: CapturedMessage, now: datetime) -> datetime:
    return min(row.sent_at or row.received_at, now)


def note_for(row: CapturedMessage) -> str:
    """How an automatic change reads in the introduction's history."""
    moment = row.sent_at or row.received_at
    return f"From your email of {moment.astimezone(row.owner.zone):%-d %b %Y}"


def carry_out(row: CapturedMessage, now: datetime) -> Intro:
    """Do what the row's proposal says (automatically, or on accepting it)."""
    proposal, owner = row.proposal, row.owner
    at = datetime.fromisoformat(proposal["at"]) if proposal.get("at") else _when(row, now)
    at = min(at, now)
    if proposal.get("kind") == "create":
        new = NewIntro(
            connector=Party(**proposal["connector"]), seeker=Party(**proposal["seeker"]),
            target=Party(**proposal["target"]), purpose=proposal["purpose"],
            double_opt_in=False, start="introduced", at=at, add_contacts=True,
        )  # fmt: skip
        intro, _ = create_intro(owner, new, now)
        lifecycle.record_event(
            intro.pk, "note", roles={intro.logged_as}, now=now, at=at, actor_user=owner,
            via="email", note=note_for(row),
        )  # fmt: skip
        return intro
    if row.intro_id is None:
        raise ProposalRefused("The introduction it was about was deleted.")
    scheduled = proposal.get("scheduled_for")
    return lifecycle.record_event(
        row.intro_id, proposal["event"], roles={proposal["role"]}, now=now, at=at,
        actor_user=owner, actor_name=proposal.get("actor_name", ""), via="email",
        note=note_for(row), outcome=proposal.get("outcome", ""),
        scheduled_for=datetime.fromisoformat(scheduled) if scheduled else None,
    )  # fmt: skip


def _file_interaction(
    row: CapturedMessage, parsed: Parsed, now: datetime, intro: matching.IntroView | None
) -> Interaction | None:
    """Every captured message is an email on the timelines of the contacts on it."""
    emails = [p.email for p in parsed.people if p.email != row.owner.email]
    contact_ids = set(
        ContactEmail.objects.filter(owner=row.owner, email__in=emails).values_list(
            "contact_id", flat=True
        )
    )
    if intro is not None:
        contact_ids |= {
            getattr(intro, f"{r}_contact_id")
            for r in matching.ROLES
            if getattr(intro, f"{r}_contact_id") and getattr(intro, f"{r}_email") in emails
        }
    if not contact_ids:
        return row.interaction
    contacts = list(Contact.objects.filter(owner=row.owner, pk__in=contact_ids))
    on = _when(row, now).astimezone(row.owner.zone).date()
    if row.interaction is not None:  # a replay: the same interaction, read anew
        row.interaction.notes, row.interaction.occurred_on = row.new_text, on
        row.interaction.save(update_fields=["notes", "occurred_on"])
        row.interaction.contacts.set(contacts)
        return row.interaction
    return log_interaction(
        row.owner, kind="email", occurred_on=on, notes=row.new_text, contacts=contacts, now=now
    )


@transaction.atomic
def accept(row_id: int, owner: User, now: datetime) -> CapturedMessage:
    row = (
        M.objects.select_for_update(of=("self",))
        .select_related("owner", "intro")
        .get(pk=row_id, owner=owner)
    )
    if not row.open_proposal or not row.proposal:
        raise ProposalRefused("There is nothing to accept here.")
    try:
        row.intro = carry_out(row, now)
    except (lifecycle.EventRefused, IntroRefused) as refused:
        raise ProposalRefused(str(refused)) from None
    row.resolution = M.Resolution.ACCEPTED
    row.save(update_fields=["intro", "resolution"])
    return row


def dismiss(row_id: int, owner: User) -> CapturedMessage:
    row = M.objects.get(pk=row_id, owner=owner)
    if not row.open_proposal:
        raise ProposalRefused("There is nothing to dismiss here.")
    M.objects.filter(pk=row.pk, resolution="").update(resolution=M.Resolution.DISMISSED)
    row.resolution = M.Resolution.DISMISSED
    return row


def drop_old_messages(now: datetime) -> int:
    """Keep only what was read (headers, participants, the new text) of messages read more
    than CAPTURE_KEEP_DAYS ago, unless their owner chose to keep whole messages."""
    old = M.objects.filter(
        status=M.Status.DONE,
        raw_dropped_at__isnull=True,
        processed_at__lt=now - timedelta(days=settings.CAPTURE_KEEP_DAYS),
    ).exclude(owner__capture_address__keep_whole_messages=True)
    return old.update(raw=b"", raw_dropped_at=now)


def keep_whole_messages(owner: User, keep: bool) -> None:
    from .intake import address_row

    CaptureAddress.objects.filter(pk=address_row(owner).pk).update(keep_whole_messages=keep)


def replay(owner: User | None = None) -> int:
    """Read stored mail again (after a parser fix): every message not yet acted on."""
    # Not those accepted (or applied) or dismissed: what was decided on stays decided.
    rows = M.objects.filter(status=M.Status.DONE, resolution="", raw_dropped_at__isnull=True)
    if owner is not None:
        rows = rows.filter(owner=owner)
    return rows.update(status=M.Status.PENDING, attempts=0)
