"""The reply key every email about an introduction carries: a signed Message-ID-shaped token
first in its References, so that a reply (which keeps References) names its introduction
even when the reply's author removed everything else. Capture (capture/matching.py) reads it
back; the signature means nobody can make a key for an introduction by guessing its id."""

import hashlib
import hmac
import re

from django.conf import settings

_KEY = re.compile(r"^ilk\.(\d{1,18})\.([0-9a-f]{20})@")


def _signature(topic_id: str) -> str:
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"reply-key:{topic_id}".encode(), hashlib.sha256).hexdigest()[:20]


def reply_key(topic: str, domain: str) -> str | None:
    """The key for an outbox topic (`intro:<id>:<step>`), or None for mail about no intro."""
    parts = topic.split(":")
    if len(parts) < 2 or parts[0] != "intro" or not parts[1].isdigit():
        return None
    return f"<ilk.{parts[1]}.{_signature(parts[1])}@{domain}>"


def intro_of(message_id: str) -> int | None:
    """The introduction a reply key (without <>) names, if its signature is right."""
    found = _KEY.match(message_id)
    if not found or not hmac.compare_digest(found.group(2), _signature(found.group(1))):
        return None
    return int(found.group(1))
