"""The reply key every email about an introduction carries: a signed Message-ID-shaped token
first in its References, so that a reply (which keeps References) names its introduction
even when the reply's author removed everything else. Capture (capture/matching.py) reads it
back; the signature means nobody can make a key for an introduction by guessing its id.

The same key is the local part of one more Reply-To address at CAPTURE_DOMAIN (the
introduction's record), so that a reply reaches capture even when nobody Bcc'd their own
capture address; capture/intake.py decides whose account it lands in."""

import hashlib
import hmac
import re

from django.conf import settings

_KEY = re.compile(r"^ilk\.(\d{1,18})\.([0-9a-f]{20})$")
RECORD_NAME = "Introloop (the introduction's record)"


def _signature(topic_id: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"reply-key:{topic_id}".encode(), hashlib.sha256).hexdigest()[:20]


def _intro_id(topic: str) -> str | None:
    """`intro:<id>` or `intro:<id>:<step>`: the introduction's id; None for anything else."""
    parts = topic.split(":")
    if len(parts) < 2 or parts[0] != "intro" or not parts[1].isdigit():
        return None
    return parts[1]


def _local(intro_id: str) -> str:
    return f"ilk.{intro_id}.{_signature(intro_id)}"


def reply_key(topic: str, domain: str) -> str | None:
    """The key for an outbox topic (`intro:<id>:<step>`), or None for mail about no intro."""
    intro_id = _intro_id(topic)
    return f"<{_local(intro_id)}@{domain}>" if intro_id else None


def reply_address(topic: str) -> str | None:
    """The record's address for mail about an introduction, or None: mail about no intro,
    capture off (no CAPTURE_DOMAIN) or CAPTURE_REPLY_TO off. Sub-addressed like capture
    addresses when one mailbox receives them all (CAPTURE_LOCALPART)."""
    intro_id = _intro_id(topic)
    if intro_id is None or not settings.CAPTURE_DOMAIN or not settings.CAPTURE_REPLY_TO:
        return None
    local = _local(intro_id)
    if settings.CAPTURE_LOCALPART:
        local = f"{settings.CAPTURE_LOCALPART}+{local}"
    return f"{local}@{settings.CAPTURE_DOMAIN}"


def intro_of_local(local: str) -> int | None:
    """The introduction a key (`ilk.<id>.<sig>`, no domain) names, if its signature is right."""
    found = _KEY.match(local)
    if not found or not hmac.compare_digest(found.group(2), _signature(found.group(1))):
        return None
    return int(found.group(1))


def intro_of(message_id: str) -> int | None:
    """The introduction a reply key (a Message-ID without <>) names, if its signature is right."""
    local, at, _ = message_id.partition("@")
    return intro_of_local(local) if at else None
