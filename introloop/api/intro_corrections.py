"""/api/v1/intros/{id}/undo and PATCH /api/v1/intros/{id}/events/{event_id}: take back your
latest step or reopen an ended introduction, and correct when a step happened. The rules are
in introloop/intros/corrections.py."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from introloop.accounts.requests import ApiRequest
from introloop.intros import corrections, queries

from .errors import invalid
from .intros import EventOut, IntroOut, event_out, intro_out
from .types import Moment

router = Router(tags=["introductions"])


class EventTimeIn(Schema):
    # Optional in the schema so that someone else's introduction is a 404 before anything.
    at: Moment | None = None


def _refused(refused: corrections.CorrectionRefused) -> Exception:
    if refused.kind == "not_found":
        return Http404()
    if refused.kind == "invalid":
        return invalid("at", str(refused))
    return HttpError(403, str(refused))


@router.post(
    "/intros/{intro_id}/undo",
    response={200: IntroOut, 409: dict},
    summary="Undo your latest step, or reopen an ended introduction (409 when there is none)",
)
def undo(request: ApiRequest, intro_id: int):
    """Undoes the latest step of the introduction if you recorded it: the introduction returns
    to where it stood before, and the history keeps both the step (with `undone_at`) and an
    `undone` entry. An ended introduction (declined, withdrawn, dropped, loop closed) is
    reopened the same way, by its seeker or its connector, whoever ended it. Only the latest
    step can be undone, once: 409 otherwise, saying why."""
    intro = queries.get_visible(request.auth, intro_id)
    now = timezone.now()
    try:
        intro, _ = corrections.undo(intro.id, request.auth, now=now, via="api")
    except corrections.CorrectionRefused as refused:
        return Status(409, {"detail": str(refused)})
    return intro_out(intro, request.auth, now)


@router.get(
    "/intros/{intro_id}/events/{event_id}",
    response=EventOut,
    summary="One entry of an introduction's history",
)
def get_event(request: ApiRequest, intro_id: int, event_id: int):
    intro = queries.get_visible(request.auth, intro_id)
    return event_out(get_object_or_404(intro.events, pk=event_id))


@router.patch(
    "/intros/{intro_id}/events/{event_id}",
    response={200: IntroOut, 409: dict},
    summary="Correct when a step you recorded happened",
)
def correct_time(request: ApiRequest, intro_id: int, event_id: int, payload: EventTimeIn):
    """`at`: when it really happened. Not in the future, and not before the step recorded
    before it nor after the one recorded after it (422); the milestone, the next step and the
    on-time records follow. 403 for a step someone else recorded; 409 for a note, an undo or
    an undone step."""
    intro = queries.get_visible(request.auth, intro_id)
    if payload.at is None:
        raise invalid("at", "Field required")
    now = timezone.now()
    try:
        intro = corrections.correct_time(intro.id, event_id, request.auth, at=payload.at, now=now)
    except corrections.CorrectionRefused as refused:
        if refused.kind == "conflict":
            return Status(409, {"detail": str(refused)})
        raise _refused(refused) from None
    return intro_out(intro, request.auth, now)
