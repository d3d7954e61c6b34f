"""Throttling kept in the database, so every web process sees the same counts."""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest

from .models import FailedLogin, normalize_email


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def email_key(kind: str, email: str) -> str:
    return _key(kind, normalize_email(email))


def ip_key(kind: str, ip: str) -> str:
    return _key(f"{kind}-ip", ip)


def client_ip(request: HttpRequest) -> str:
    if settings.TRUST_PROXY_HEADERS:
        # The proxy appends the address it saw; anything before it could be forged.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _blocked_until(limits: dict[str, int], now: datetime, window: int) -> datetime | None:
    """When the first of `limits` (key -> allowed count per window) that is exceeded frees up."""
    since = now - timedelta(seconds=window)
    latest_release = None
    for key, limit in limits.items():
        recent = list(
            FailedLogin.objects.filter(key=key, at__gt=since)
            .order_by("-at")
            .values_list("at", flat=True)[: limit + 1]
        )
        if len(recent) > limit:
            # Free again once the oldest of the last `limit` attempts leaves the window.
            release = recent[limit - 1] + timedelta(seconds=window)
            latest_release = max(latest_release or release, release)
    return latest_release


class Attempt:
    """One attempt, counted before it is tried.

    Each attempt writes its row first (committed at once), then counts the rows in the
    window, its own among them, and goes ahead only within the limit. Counting after writing
    is what makes it hold under concurrency, on both databases: of any number of attempts at
    the same moment, the one that counts last sees every attempt that went ahead, so at most
    `limit` do. (Checking first and writing after a failed password, as before, let 6 to 9 of
    40 simultaneous guesses through a limit of 5.)
    """

    def __init__(self, limits: dict[str, int], now: datetime, window: int):
        self.rows = FailedLogin.objects.bulk_create(
            [FailedLogin(key=key, at=now) for key in limits]
        )
        self.blocked_until = _blocked_until(limits, now, window)
        if self.blocked_until is not None:
            self.cancel()  # refused attempts do not hold the door shut any longer

    def cancel(self) -> None:
        """It does not count (it succeeded, or was refused before it was tried)."""
        FailedLogin.objects.filter(id__in=[row.id for row in self.rows]).delete()
        self.rows = []


def forget(key: str) -> None:
    FailedLogin.objects.filter(key=key).delete()


def login_limits(email: str, ip: str) -> dict[str, int]:
    limit = settings.LOGIN_FAILURE_LIMIT
    return {email_key("login", email): limit, ip_key("login", ip): limit * 4}


def prune(now: datetime) -> int:
    """Delete records too old to count; the worker calls this now and then."""
    horizon = now - timedelta(seconds=max(settings.LOGIN_FAILURE_WINDOW, 3600))
    deleted, _ = FailedLogin.objects.filter(at__lt=horizon).delete()
    return deleted
