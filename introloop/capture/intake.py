"""The one way in behind every way in: find the account an address belongs to, and store a
raw message once (by Message-ID and by content hash). Reading it is the worker's job.

Two kinds of address at CAPTURE_DOMAIN: an account's own (its token), and an introduction's
record (`ilk.<id>.<signature>`, the Reply-To of Introloop's mail about it): mail to a record
is stored for one party of the introduction, chosen by its From (`owner_for_reply`)."""

import hashlib
from collections.abc import Sequence
from datetime import datetime
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction

from introloop.accounts.models import User
from introloop.intros.models import Intro
from introloop.outbox.replykeys import intro_of_local

from .models import CaptureAddress, CapturedMessage
from .trimming import without_attachments

# Any of these makes bytes an email message; JSON or a photo has none of them.
_MESSAGE_HEADERS = ("from", "to", "date", "message-id", "subject", "received", "sender")


class Refused(Exception):
    """The message is not stored; `status` is the HTTP status that says why."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def capture_address(user: User) -> str | None:
    """The account's private address, or None while capture is off (no CAPTURE_DOMAIN)."""
    if not settings.CAPTURE_DOMAIN:
        return None
    token = address_row(user).token
    local = f"{settings.CAPTURE_LOCALPART}+{token}" if settings.CAPTURE_LOCALPART else token
    return f"{local}@{settings.CAPTURE_DOMAIN}"


def address_row(user: User) -> CaptureAddress:
    found = CaptureAddress.objects.filter(user=user).first()
    if found:
        return found
    with transaction.atomic():
        CaptureAddress.objects.get_or_create(user=user)
    return CaptureAddress.objects.get(user=user)


def new_address(user: User) -> str | None:
    """A new token: mail to the old address is refused from now on."""
    row = address_row(user)
    CaptureAddress.objects.filter(pk=row.pk).update(token=CaptureAddress().token)
    return capture_address(user)


def token_of(address: str) -> str | None:
    """The token in an address at CAPTURE_DOMAIN (either form), or None for another domain."""
    _, email = parseaddr(address)
    local, _, domain = email.strip().lower().rpartition("@")
    if not settings.CAPTURE_DOMAIN or domain != settings.CAPTURE_DOMAIN or not local:
        return None
    return local.rsplit("+", 1)[-1]


def user_for_token(token: str) -> User | None:
    row = CaptureAddress.objects.select_related("user").filter(token=token).first()
    return row.user if row and row.user.is_active else None


def user_for_address(address: str) -> User | None:
    token = token_of(address)
    return user_for_token(token) if token else None


def intro_for_address(address: str) -> int | None:
    """The introduction whose record `address` is, if its key is signed right and the
    introduction still exists; None for a forged key, a deleted introduction, or a token."""
    local = token_of(address)
    intro_id = intro_of_local(local) if local else None
    if intro_id is None or not Intro.objects.filter(pk=intro_id).exists():
        return None
    return intro_id


def owner_for_reply(intro_id: int, raw: bytes) -> User | None:
    """Whose account mail to an introduction's record is for: the party whose verified
    address sent it, else the introduction's creator; never anyone who is not on it. None
    once the introduction is gone (deleted since the address was accepted)."""
    intro = (
        Intro.objects.filter(pk=intro_id)
        .only("created_by", "seeker_user", "connector_user", "target_user")
        .first()
    )
    if intro is None:
        return None
    ids = (intro.created_by_id, intro.seeker_user_id, intro.connector_user_id, intro.target_user_id)
    parties = {pk for pk in ids if pk is not None}
    active = User.objects.filter(pk__in=parties, is_active=True)
    sender = sender_of(raw)
    by_sender = active.filter(email=sender, email_verified_at__isnull=False).first()
    return by_sender or active.filter(pk=intro.created_by_id).first()


def sender_of(raw: bytes) -> str:
    """The From address, lower-cased; "" when there is none that can be read."""
    try:
        headers = BytesHeaderParser().parsebytes(raw[: 256 * 1024])
        found = getaddresses([str(v) for v in headers.get_all("From") or []])
    except Exception:  # a broken header block has no sender to trust
        return ""
    return next((address.strip().lower() for _, address in found if "@" in address), "")


def accounts_for(addresses: list[str], raw: bytes) -> list[User]:
    """The accounts a message delivered to `addresses` is stored for, each once."""
    found: dict[int, User] = {}
    for address in addresses:
        intro_id = intro_for_address(address)
        user = owner_for_reply(intro_id, raw) if intro_id else user_for_address(address)
        if user is not None:
            found.setdefault(user.pk, user)
    return list(found.values())


def message_id_of(raw: bytes) -> str:
    """The Message-ID without its angle brackets; raises Refused if `raw` is no message."""
    try:
        headers = BytesHeaderParser().parsebytes(raw[: 256 * 1024])
        names = {name.lower() for name in headers}
        value = str(headers.get("Message-ID", "") or "")
    except Exception:  # any unreadable header block is "not a message"
        raise Refused("This is not an email message (RFC 822).", 400) from None
    if not names & set(_MESSAGE_HEADERS):
        raise Refused("This is not an email message (RFC 822): it has no mail headers.", 400)
    return " ".join(value.split()).strip("<> ")[:255]


def check_size(size: int) -> None:
    if size > settings.CAPTURE_MAX_BYTES:
        mb = settings.CAPTURE_MAX_BYTES / (1024 * 1024)
        raise Refused(f"The message is larger than the {mb:g} MB limit.", 413)


def store(
    user: User, raw: bytes, source: str, now: datetime, to: Sequence[str] = ()
) -> tuple[CapturedMessage, bool]:
    """Store `raw` for `user` unless they have it already (same Message-ID or same bytes):
    (the row, whether it is new). `to` is where it was delivered (nothing: the account
    uploaded it itself). Attachments are dropped unless the account keeps whole messages.
    Raises Refused for no message or one too large."""
    check_size(len(raw))
    message_id = message_id_of(raw)
    digest = hashlib.sha256(raw).hexdigest()  # of what came: the same mail by two ways in
    # The account's token and choice, read once: was it its own address, does it keep all?
    token, keeps_whole = (
        CaptureAddress.objects.filter(user=user).values_list("token", "keep_whole_messages").first()
    ) or (None, False)
    by_record = bool(to) and not any(token and token_of(address) == token for address in to)
    existing = _existing(user, message_id, digest)
    if existing:
        if existing.by_record and not by_record:  # it came to the private address too
            CapturedMessage.objects.filter(
                pk=existing.pk, status=CapturedMessage.Status.PENDING
            ).update(by_record=False)
        return existing, False
    kept = raw if keeps_whole else without_attachments(raw)
    try:
        with transaction.atomic():
            row = CapturedMessage.objects.create(
                owner=user, source=source, raw=kept, size=len(kept), message_id=message_id,
                sha256=digest, received_at=now, by_record=by_record,
            )  # fmt: skip
    except IntegrityError:  # the same message by another way in, at the same moment
        existing = _existing(user, message_id, digest)
        if existing is None:
            raise
        return existing, False
    return row, True


def _existing(user: User, message_id: str, digest: str) -> CapturedMessage | None:
    # Unordered: the model's order (newest first) would steer SQLite to the wrong index.
    rows = CapturedMessage.objects.filter(owner=user).defer("raw").order_by()
    if message_id:
        found = next(iter(rows.filter(message_id=message_id)[:1]), None)
        if found:
            return found
    return next(iter(rows.filter(sha256=digest)[:1]), None)
