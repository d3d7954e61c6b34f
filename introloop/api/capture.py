"""/api/v1/capture: upload a raw email for capture, and the review inbox of captured mail."""

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from introloop import access
from introloop.accounts.requests import ApiRequest
from introloop.capture import intake, services
from introloop.capture.models import CapturedMessage
from introloop.capture.queries import inbox_item

router = Router(tags=["capture"])


class InboxList(Schema):
    items: list[dict]
    count: int


def _raw_of(request: HttpRequest) -> bytes:
    """The message: the whole body (message/rfc822), or a multipart field `file`."""
    kind = request.content_type or ""
    limit = intake_limit()
    if kind.startswith("multipart/"):
        upload = request.FILES.get("file")
        if upload is None:
            raise HttpError(422, "Send the message as the field `file`, or as the body.")
        if upload.size and upload.size > limit:
            raise HttpError(413, "The message is larger than the limit.")
        return upload.read(limit + 1)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > limit:
        raise HttpError(413, "The message is larger than the limit.")
    return request.read(limit + 1)


def intake_limit() -> int:
    return int(settings.CAPTURE_MAX_BYTES)


@router.post(
    "/capture",
    response={200: dict, 201: dict},
    summary="Capture one email (RFC 822): as the body, or as the multipart field `file`",
)
def upload(request: ApiRequest):
    """`Content-Type: message/rfc822` and the message as the body, or a form upload with
    the field `file` (a forwarded .eml). The same message again answers 200 with the item
    already stored; a new one 201. The worker reads it within seconds."""
    try:
        raw = _raw_of(request)
        row, created = intake.store(request.auth, raw, "upload", timezone.now())
    except intake.Refused as refused:
        raise HttpError(refused.status, str(refused)) from None
    return Status(201 if created else 200, inbox_item(row))


def _mine(request: ApiRequest) -> QuerySet[CapturedMessage]:
    return access.scope(CapturedMessage, request.auth)


@router.get("/capture/inbox", response=InboxList, summary="Captured mail: what was done, and why")
def inbox(
    request: ApiRequest,
    action: str = "",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    """Newest first. `action=proposed` lists the proposals waiting for you."""
    rows = _mine(request).defer("raw")
    if action:
        if action not in CapturedMessage.Action.values:
            raise HttpError(422, "action must be applied, proposed or ignored")
        rows = rows.filter(action=action)
        if action == CapturedMessage.Action.PROPOSED:
            rows = rows.filter(resolution="")
    page = rows.order_by("-received_at", "-id")[offset : offset + limit]
    return {"items": [inbox_item(r) for r in page], "count": rows.count()}


def _decide(request: ApiRequest, captured_id: int, accept: bool):
    row = access.get_or_404(CapturedMessage.objects.defer("raw"), request.auth, id=captured_id)
    try:
        if accept:
            row = services.accept(row.pk, request.auth, timezone.now())
        else:
            row = services.dismiss(row.pk, request.auth)
    except services.ProposalRefused as refused:
        raise HttpError(409, str(refused)) from None
    return inbox_item(row)


@router.post("/capture/inbox/{int:captured_id}/accept", response=dict, summary="Accept a proposal")
def accept(request: ApiRequest, captured_id: int):
    return _decide(request, captured_id, accept=True)


@router.post(
    "/capture/inbox/{int:captured_id}/dismiss", response=dict, summary="Dismiss a proposal"
)
def dismiss(request: ApiRequest, captured_id: int):
    return _decide(request, captured_id, accept=False)
