"""`introloop mailin`: an SMTP listener (aiosmtpd) for an MX or an MTA to deliver to. It
accepts mail only for capture addresses that exist (550 otherwise: no relaying, no
backscatter), refuses a message over CAPTURE_MAX_BYTES (552), and stores each message once
per account; the worker reads it. An introduction's record address (a reply to Introloop's
own mail) is checked at RCPT time (a forged key or a deleted introduction: 550); whose
account it lands in is decided at DATA time, from the message's From."""

import asyncio
import logging
import ssl
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from django.utils import timezone

from . import intake

log = logging.getLogger("introloop.mailin")


def _known(address: str) -> bool:
    """An account's capture address, or the record of an introduction that exists."""
    try:
        return (
            intake.intro_for_address(address) is not None
            or intake.user_for_address(address) is not None
        )
    finally:
        connections.close_all()  # this pool thread's connection: none left open between mails


def _store(addresses: list[str], raw: bytes) -> int:
    """Store `raw` for each account its recipients name, once each; how many accounts."""
    try:
        now = timezone.now()
        accounts = intake.accounts_for(addresses, raw)
        for user in accounts:
            intake.store(user, raw, "smtp", now, to=addresses)
        return len(accounts)
    finally:
        connections.close_all()


class Handler:
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:  # fmt: skip
        if intake.token_of(address) is None:
            return "550 5.7.1 Relay access denied"
        if not await sync_to_async(_known, thread_sensitive=False)(address):
            return "550 5.1.1 No such capture address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content or b""
        if len(raw) > settings.CAPTURE_MAX_BYTES:
            return "552 5.3.4 Message too big"
        try:
            stored = await sync_to_async(_store, thread_sensitive=False)(envelope.rcpt_tos, raw)
        except intake.Refused as refused:
            return f"554 5.6.0 {refused}"
        except Exception:  # a database hiccup: the sender retries later
            log.exception("Could not store a captured message")
            return "451 4.3.0 Temporary failure, try again later"
        if not stored:  # every address went away since RCPT (a deleted introduction)
            return "550 5.1.1 No such capture address"
        return "250 OK: captured"


def controller(host: str, port: int):
    from aiosmtpd.controller import Controller

    # data_size_limit makes aiosmtpd answer 552 itself once the limit is passed, without
    # holding more than that in memory.
    return Controller(
        Handler(), hostname=host, port=port, data_size_limit=settings.CAPTURE_MAX_BYTES,
        decode_data=False, server_hostname=settings.CAPTURE_DOMAIN or None,
        tls_context=tls_context(),
    )  # fmt: skip


def tls_context() -> ssl.SSLContext | None:
    """STARTTLS, offered when MAILIN_TLS_CERT (and MAILIN_TLS_KEY, unless the certificate
    file holds the key) name a certificate: senders encrypt what they deliver. Not required:
    an MX must still take mail from servers that cannot."""
    if not settings.MAILIN_TLS_CERT:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(settings.MAILIN_TLS_CERT, settings.MAILIN_TLS_KEY or None)
    return context


def serve_forever(host: str, port: int) -> None:
    running = controller(host, port)
    running.start()
    log.info("mailin listening on %s:%s", host, port)
    try:
        asyncio.run(_forever())
    finally:
        running.stop()


async def _forever() -> None:
    await asyncio.Event().wait()
