"""/api/v1/today: what is due, and one-click done or snooze."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import field_validator

from introloop.accounts.requests import ApiRequest
from introloop.capture.queries import inbox_item
from introloop.capture.queries import proposals as capture_proposals
from introloop.reminders import services
from introloop.reminders.due import add_words, item_for
from introloop.reminders.today import Upcoming

from .types import Moment

router = Router(tags=["today"])


class DraftOut(Schema):
    subject: str
    body: str
    to: list[str]
    mailto: str


class ItemOut(Schema):
    key: str
    kind: str
    step: str
    title: str
    due_at: datetime
    due_on: date
    overdue: bool
    url: str
    intro_id: int | None
    contact_id: int | None
    one_click_done: bool
    draft: DraftOut | None


class TodayOut(Schema):
    as_of: datetime
    count: int  # all the items due, of which `items` is the page asked for
    items: list[ItemOut]
    # What captured mail proposes, newest first (20 at most), as GET /capture/inbox lists
    # them: {"id", "message_id", "subject", "from", "received_at", "action", "reason",
    # "intro_id", "event"}; accept or dismiss them there.
    proposals: list[dict]


class SnoozeIn(Schema):
    days: int = 1  # a default, so someone else's item is a 404 before any validation

    @field_validator("days")
    @classmethod
    def known_length(cls, value: int) -> int:
        if str(value) not in services.SNOOZES:
            raise ValueError("snooze for 1, 3 or 7 days")
        return value


class SnoozeOut(Schema):
    key: str
    until: datetime


def _item_out(item) -> dict:
    draft = None
    if item.draft:
        draft = {"subject": item.draft.subject, "body": item.draft.body, "to": item.draft.to,
                 "mailto": item.draft.mailto}  # fmt: skip
    return {
        "key": item.key, "kind": item.kind, "step": item.step, "title": item.title,
        "due_at": item.due_at, "due_on": item.due_on, "overdue": item.overdue,
        "url": item.url, "intro_id": item.intro_id, "contact_id": item.contact_id,
        "one_click_done": item.done_event is not None, "draft": draft,
    }  # fmt: skip


PAGE = 50


def _page(request: ApiRequest, now: datetime, limit: int = PAGE, offset: int = 0) -> dict:
    """One page of the due items, soonest first (the overdue ones lead), with drafts drafted
    for that page only."""
    count, page = Upcoming.read(request.auth, now, days_ahead=7).page("all", offset, limit)
    add_words(request.auth, page, drafts=True)
    proposals = [inbox_item(p) for p in capture_proposals(request.auth.id)]
    return {
        "as_of": now, "count": count, "items": [_item_out(i) for i in page],
        "proposals": proposals,
    }  # fmt: skip


@router.get("/today", response=TodayOut, summary="Your due items: overdue, today, this week")
def today(
    request: ApiRequest,
    as_of: Moment | None = Query(None),
    limit: int = Query(PAGE, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    return _page(request, as_of or timezone.now(), limit, offset)


def _item(request: ApiRequest, key: str):
    item = item_for(request.auth, key, timezone.now())
    if item is None:
        raise HttpError(404, "Not found.")
    return item


@router.post("/today/{key}/done", response=TodayOut, summary="Record the item's step")
def done(request: ApiRequest, key: str):
    item = _item(request, key)
    try:
        services.mark_done(request.auth, item, timezone.now())
    except services.NotDoable as problem:
        raise HttpError(409, str(problem)) from None
    return _page(request, timezone.now())


@router.post("/today/{key}/snooze", response=SnoozeOut, summary="Hide the item for a while")
def snooze(request: ApiRequest, key: str, payload: SnoozeIn):
    item = _item(request, key)
    until = services.snooze(request.auth, item, str(payload.days), timezone.now())
    return {"key": item.key, "until": until}
