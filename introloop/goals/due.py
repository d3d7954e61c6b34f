"""Asks awaiting follow-up, as due items for Today, the digest and the calendar."""

from datetime import datetime, time

from introloop.lookups import any_of
from introloop.reminders.due import DueItem, url_template

from .models import Ask
from .services import followed_up


def ask_items(users: dict, now: datetime, until: dict, drafts: bool, intros=None) -> dict:
    latest = max(until.values()).date()
    asks = Ask.objects.filter(
        any_of("owner_id", users), status=Ask.Status.ASKED, follow_up_on__lte=latest
    ).select_related("contact")
    contact_url = url_template("network:detail")
    found: dict[int, list[DueItem]] = {}
    for ask in asks:
        user = users[ask.owner_id]
        due_at = datetime.combine(ask.follow_up_on, time(9), tzinfo=user.zone)
        if due_at >= until[user.id]:
            continue
        today = now.astimezone(user.zone).date()
        found.setdefault(user.id, []).append(
            DueItem(
                key=f"ask:{ask.id}:follow_up",
                kind="ask",
                step="follow_up",
                title=f"Follow up with {ask.contact.full_name}: {ask.get_kind_display().lower()}",
                due_at=due_at,
                due_on=ask.follow_up_on,
                overdue=ask.follow_up_on < today,
                url=contact_url.format(ask.contact_id),
                contact_id=ask.contact_id,
                done_event="followed_up",
            )
        )
    return found


def ask_done(user, item: DueItem, now: datetime) -> None:
    """Done on Today: the seeker followed up on the ask."""
    ask = Ask.objects.get(pk=int(item.key.split(":")[1]), owner=user)
    followed_up(ask, now.astimezone(user.zone).date())
