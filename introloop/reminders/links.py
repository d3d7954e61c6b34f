"""The daily digest's one-click Done and Snooze links: signed, expiring, single-use.

A link carries what it acts on, signed with the site's secret: the account, the action, the
digest's day, the item's due day and the item's key. The sweep signs two per item and stores
nothing; a DigestLinkUse row, written when a link is followed, makes it single-use.
services.use_digest_link() follows one.
"""

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing

from introloop.routes import url_template

DIGEST_LINK_SALT = "introloop.reminders.digest_link"
DIGEST_LINK_DAYS = 14
ACTIONS = ("done", "snooze")
# user id . action . digest day . due day . item key (keys are like "intro:12:reach_out")
_PAYLOAD = re.compile(r"(\d+)\.(done|snooze)\.([0-9-]{10})\.([0-9-]{10})\.([a-z0-9_:]{1,100})")


@dataclass(frozen=True)
class DigestLink:
    user_id: int
    action: str  # done, snooze
    digest_on: date  # the digest's day, in the user's time zone
    due_on: date  # the item's due day when the digest was written
    key: str  # the due item's key

    def expired(self, today: date) -> bool:
        return today > self.digest_on + timedelta(days=DIGEST_LINK_DAYS)


@functools.lru_cache(maxsize=4)
def _signer(secret_key: str) -> signing.Signer:
    """One signer per secret key (Signer's constructor reads the settings each time)."""
    return signing.Signer(key=secret_key, salt=DIGEST_LINK_SALT)


def digest_link_urls(
    user_id: int, digest_on: date, due_on: date, key: str, actions: tuple[str, ...] = ACTIONS
) -> list[str]:
    """Absolute URLs, one per action, that each do it to the user's item once, for two weeks.

    A plain-text payload rather than signing.dumps()'s JSON, built once per item: the sweep
    signs two links per item of thousands of digests.
    """
    signer = _signer(settings.SECRET_KEY)
    url = settings.SITE_URL + url_template("reminders:digest_link")
    tail = f"{digest_on.isoformat()}.{due_on.isoformat()}.{key}"
    return [url.format(signer.sign(f"{user_id}.{action}.{tail}")) for action in actions]


def read_digest_link(token: str) -> DigestLink:
    """What a link's token says; signing.BadSignature if it was forged or damaged."""
    found = _PAYLOAD.fullmatch(_signer(settings.SECRET_KEY).unsign(token))
    if found is None:
        raise signing.BadSignature("Not a digest link")
    user_id, action, digest_on, due_on, key = found.groups()
    try:
        return DigestLink(
            int(user_id), action, date.fromisoformat(digest_on), date.fromisoformat(due_on), key
        )
    except ValueError:
        raise signing.BadSignature("Not a digest link") from None
