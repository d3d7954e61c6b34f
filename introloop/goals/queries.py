"""Reads for goals: reciprocity per contact, asks on a contact's timeline."""

from django.db.models import Count, Max, Q

from introloop import access
from introloop.network.queries import TimelineEntry

from .models import Ask


def reciprocity(owner, contact_ids) -> dict[int, dict]:
    """Per contact: favours received (asks of them that were done), given, and last asked."""
    rows = (
        access.scope(Ask, owner)
        .filter(contact_id__in=list(contact_ids))
        .values("contact_id")
        .annotate(
            received=Count("id", filter=Q(direction=Ask.Direction.ASKED, status=Ask.Status.DONE)),
            given=Count("id", filter=Q(direction=Ask.Direction.GIVEN)),
            last_asked=Max("on", filter=Q(direction=Ask.Direction.ASKED)),
        )
        .order_by()
    )
    return {
        row["contact_id"]: {
            "received": row["received"],
            "given": row["given"],
            "last_asked_on": row["last_asked"],
        }
        for row in rows
    }


def contact_timeline(contact) -> list[TimelineEntry]:
    entries = []
    for ask in Ask.objects.filter(owner_id=contact.owner_id, contact=contact):
        verb = "Asked for" if ask.direction == Ask.Direction.ASKED else "Helped with"
        what, status = ask.get_kind_display().lower(), ask.get_status_display().lower()
        entries.append(
            TimelineEntry(
                on=ask.on,
                kind="ask",
                title=f"{verb}: {what} ({status})",
                notes="\n".join(p for p in (ask.note, ask.result) if p),
                others=[],
                obj=ask,
            )
        )
    return entries


def contact_page_balance(contact, user) -> dict:
    """For the contact page: the balance of favours, and a nudge to give back."""
    balance = reciprocity(user, [contact.id]).get(contact.id, {"received": 0, "given": 0,
                                                                "last_asked_on": None})  # fmt: skip
    received, given = balance["received"], balance["given"]
    return {
        "balance": balance,
        "give_back": received - given >= 2,
        "balance_text": _balance_text(received, given),
    }


def _balance_text(received: int, given: int) -> str:
    """What follows the contact's name: who helped whom how often, in words ("never" read as
    "Samir helped you never")."""
    if not received and not given:
        return "and you have not done each other a favour yet"
    theirs = f"helped you {_times(received)}" if received else "has not helped you yet"
    yours = f"you helped them {_times(given)}" if given else "you have not helped them yet"
    return f"{theirs}; {yours}"


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")
