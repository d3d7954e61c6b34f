"""Reads of captured mail: one inbox item as the API and the page show it."""

from typing import Any

from .models import CapturedMessage


def inbox_item(row: CapturedMessage) -> dict[str, Any]:
    return {
        "id": row.pk,
        "message_id": row.message_id,
        "subject": row.subject,
        "from": row.from_email,
        "received_at": row.received_at,
        "action": row.action,
        "reason": row.reason,
        "intro_id": row.intro_id,
        "event": row.event,
    }


def proposals(owner_id: int, limit: int = 20) -> list[CapturedMessage]:
    """Proposals waiting for the owner, newest first (Today shows them)."""
    return list(
        CapturedMessage.objects.filter(owner_id=owner_id, action="proposed", resolution="")
        .defer("raw")
        .order_by("-received_at", "-id")[:limit]
    )
