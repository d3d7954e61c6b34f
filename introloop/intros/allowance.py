"""How much mail the app may write to other people for an account: only from a confirmed
address, and at most so many a day (fewer for new accounts)."""

from datetime import datetime, timedelta

from django.conf import settings

from introloop.accounts.models import User
from introloop.outbox.services import sent_for_lately


class SendRefused(Exception):
    """The app will not email others for this account now; the message says why."""

    def __init__(self, message: str, *, limit_reached: bool = False):
        super().__init__(message)
        self.limit_reached = limit_reached


def check_may_email_others(user: User, now: datetime, count: int = 1) -> None:
    """Raise SendRefused unless the app may send `count` emails to others for `user`.

    Only from a confirmed address, and at most so many a day (fewer for new accounts), so
    that nobody can use Introloop to send their text to strangers.
    """
    if not user.is_verified:
        raise SendRefused(
            "Confirm your email address first (Settings → Profile): Introloop writes to other "
            "people for you only from a confirmed address. Meanwhile, the drafted message is "
            "yours to send from your own mail."
        )
    new = user.date_joined > now - timedelta(days=settings.NEW_ACCOUNT_DAYS)
    limit = settings.OTHERS_EMAILS_PER_DAY_NEW if new else settings.OTHERS_EMAILS_PER_DAY
    sent = sent_for_lately(user, now)
    if sent + count > limit:
        raise SendRefused(
            f"Introloop has sent {sent} emails for you in the last 24 hours, the most it sends "
            f"for {'a new account' if new else 'one account'} in a day. Send this one from your "
            "own mail (the drafted message is on the page), or try again tomorrow.",
            limit_reached=True,
        )
