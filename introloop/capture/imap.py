"""Capture by IMAP: poll one catch-all mailbox (plus-addressing: capture+<token>@domain) for
operators without an MX. Each message is stored for the account its token names (or, sent to
an introduction's record, for the party intake.owner_for_reply chooses) and then deleted
from the mailbox; storing is idempotent, so two workers polling at once, or the same
message also arriving by SMTP, still make one item.

CAPTURE_IMAP_URL: imaps://user:password@host[:993][/folder] (or imap:// for a server on
loopback, or with STARTTLS: imap+starttls://). The worker polls every half minute;
`introloop capture_imap` instead waits with IDLE where the server offers it.
"""

import logging
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from urllib.parse import unquote, urlsplit

from django.conf import settings
from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.mailbox import BaseMailBox

from . import intake

log = logging.getLogger("introloop.capture.imap")
# Where the address a message was delivered to shows, most reliable first.
_DELIVERY_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To", "Cc")
BATCH = 50


@dataclass
class ImapSettings:
    scheme: str
    host: str
    port: int
    user: str
    password: str
    folder: str


def parse_url(url: str) -> ImapSettings:
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps", "imap+starttls") or not parts.hostname:
        raise ValueError("CAPTURE_IMAP_URL must look like imaps://user:password@host/INBOX")
    default = 993 if parts.scheme == "imaps" else 143
    return ImapSettings(
        scheme=parts.scheme, host=parts.hostname, port=parts.port or default,
        user=unquote(parts.username or ""), password=unquote(parts.password or ""),
        folder=unquote(parts.path.strip("/")) or "INBOX",
    )  # fmt: skip


def connect(config: ImapSettings, timeout: float = 30) -> BaseMailBox:
    box: BaseMailBox
    if config.scheme == "imaps":
        box = MailBox(config.host, config.port, timeout=timeout,
                      ssl_context=ssl.create_default_context())  # fmt: skip
    elif config.scheme == "imap+starttls":
        box = MailBoxStartTls(config.host, config.port, timeout=timeout,
                              ssl_context=ssl.create_default_context())  # fmt: skip
    else:
        box = MailBoxUnencrypted(config.host, config.port, timeout=timeout)
    return box.login(config.user, config.password, initial_folder=config.folder)


def owner_of(raw: bytes):  # -> User | None
    """The account whose capture address the message was delivered to, or, for an
    introduction's record address, the party intake.owner_for_reply chooses."""
    for address in delivered_to(raw):
        found = intake.accounts_for([address], raw)
        if found:
            return found[0]
    return None


def delivered_to(raw: bytes) -> list[str]:
    headers = BytesHeaderParser().parsebytes(raw[: 128 * 1024])
    values = [str(v) for name in _DELIVERY_HEADERS for v in (headers.get_all(name) or [])]
    return [address for _, address in getaddresses(values) if address]


def fetch_new(box: BaseMailBox, now: datetime) -> int:
    """Store every message in the folder for its account, then delete it; how many stored."""
    stored, done = 0, []
    sizes = {m.uid: m.size_rfc822 for m in box.fetch(headers_only=True, mark_seen=False,
                                                      limit=BATCH, bulk=True)}  # fmt: skip
    for uid, size in sizes.items():
        if not uid:
            continue
        done.append(uid)
        if size > settings.CAPTURE_MAX_BYTES:
            log.warning("IMAP message %s is over CAPTURE_MAX_BYTES (%s bytes); deleted", uid, size)
            continue
        raw = _raw(box, uid)
        user = owner_of(raw) if raw else None
        if user is None:
            continue  # no capture address of anyone here: nothing to keep
        try:
            _, created = intake.store(user, raw, "imap", now, to=delivered_to(raw))
            stored += created
        except intake.Refused as refused:
            log.warning("IMAP message %s not stored: %s", uid, refused)
    _delete(box, done)
    return stored


def _raw(box: BaseMailBox, uid: str) -> bytes:
    status, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return b""
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return bytes(item[1])
    return b""


def _delete(box: BaseMailBox, uids: Iterable[str]) -> None:
    uids = list(uids)
    if uids:
        box.delete(uids)


def poll(now: datetime) -> int:
    """The worker's job: one pass over the mailbox, if CAPTURE_IMAP_URL is set."""
    if not settings.CAPTURE_IMAP_URL or not settings.CAPTURE_DOMAIN:
        return 0
    with connect(parse_url(settings.CAPTURE_IMAP_URL)) as box:
        return fetch_new(box, now)


def wait_for_mail(box: BaseMailBox, seconds: float) -> None:
    """IDLE until something arrives (or `seconds` pass), where the server offers it."""
    if "IDLE" in box.client.capabilities:
        box.idle.wait(timeout=seconds)
