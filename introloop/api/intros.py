"""/api/v1/intros: log introductions, read them from your side, record their steps."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field, ValidationInfo, field_validator

from introloop import access
from introloop.accounts.requests import ApiRequest
from introloop.intros import allowance, lifecycle, queries, sending, services
from introloop.intros.models import ENDED_STATES, Intro, IntroEvent, State

from .types import Moment

router = Router(tags=["introductions"])


class IntroIn(Schema):
    connector_name: str = Field(min_length=1, max_length=200)
    connector_email: str
    seeker_name: str = Field(min_length=1, max_length=200)
    seeker_email: str
    target_name: str = Field(min_length=1, max_length=200)
    target_email: str = Field(
        "",
        description="May be left out by a seeker asking for the introduction: the connector "
        "supplies it when they act.",
    )
    target_company: str = Field("", max_length=200)
    target_url: str = Field("", max_length=500, description="A LinkedIn (or other) page")
    purpose: str = Field(
        min_length=1,
        max_length=2000,
        description="What the seeker hopes to learn about, as a phrase that follows "
        '"hopes to learn about": "how platform teams at Acme hire". The drafted messages '
        "use it in the seeker's words and in the connector's.",
        examples=["how platform teams at Acme hire"],
    )
    double_opt_in: bool = True
    # Where it stands: just requested, already introduced, or already met; since `at`.
    start: Literal["requested", "introduced", "met"] | None = None
    at: Moment | None = None
    introduced_at: Moment | None = None  # the same as start=introduced with at=…
    parent_id: int | None = None

    @field_validator("connector_email", "seeker_email", "target_email")
    @classmethod
    def an_email_address(cls, value: str, info: ValidationInfo) -> str:
        if info.field_name == "target_email" and not value.strip():
            return ""
        try:
            validate_email(value.strip())
        except DjangoValidationError:
            raise ValueError(f"{value!r} is not an email address") from None
        return value.strip().lower()

    @field_validator("connector_name", "seeker_name", "target_name", "purpose")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class StepOut(Schema):
    step: str
    owner: str
    completed_by: str  # the event that records it
    due_at: datetime
    overdue: bool


class EventOut(Schema):
    id: int
    type: str  # "undone" for an undo, whose note names the step it took back
    at: datetime
    actor_role: str
    via: str
    note: str
    on_time: bool | None
    undone_at: datetime | None  # this step was undone, then
    undone_by: int | None  # by that "undone" entry
    corrected_at: datetime | None  # its time was corrected, then


class IntroOut(Schema):
    id: int
    state: str
    your_roles: list[str]
    connector_name: str
    connector_email: str
    seeker_name: str
    seeker_email: str
    target_name: str
    target_email: str  # "" while the viewer may not see it (double opt-in)
    purpose: str
    double_opt_in: bool
    parent_id: int | None
    outcome: str
    is_open: bool
    next_steps: list[StepOut]
    history: list[EventOut]
    created_at: datetime


class IntroCreated(IntroOut):
    warnings: list[str]


class IntroSummary(Schema):
    id: int
    state: str
    seeker_name: str
    target_name: str
    connector_name: str
    purpose: str
    next_step: str
    next_owner: str
    next_due_at: datetime | None
    overdue: bool


class IntroList(Schema):
    items: list[IntroSummary]
    count: int


class EventIn(Schema):
    # Optional in the schema so that someone else's introduction is a 404 before anything.
    type: str = ""
    at: Moment | None = None
    note: str = Field("", max_length=5000)
    outcome: str = Field("", max_length=5000)
    scheduled_for: Moment | None = None


class FollowThroughOut(Schema):
    seeker_name: str
    seeker_email: str
    introductions: int
    steps_done: int
    on_time_share: float | None
    median_days_to_reach_out: float | None
    loops_closed: int


class FollowThroughAll(Schema):
    as_seeker: FollowThroughOut | None
    seekers_i_introduced: list[FollowThroughOut]


class SendIn(Schema):
    # "ask" or "introduction"; checked after the introduction, so that someone else's is a 404
    what: str = ""


def event_out(e: IntroEvent) -> dict:
    return {
        "id": e.id,
        "type": e.type,
        "at": e.at,
        "actor_role": e.actor_role,
        "via": e.via,
        "note": e.note,
        "on_time": e.on_time,
        "undone_at": e.undone_at,
        "undone_by": e.undone_by_id,
        "corrected_at": e.corrected_at,
    }


def intro_out(intro: Intro, user, now: datetime, with_history: bool = True) -> dict:
    roles = access.roles_of(intro, user)
    target = access.target_shown(intro, roles)
    events = list(intro.events.all()) if with_history else []
    return {
        "id": intro.id,
        "state": intro.state,
        "your_roles": sorted(roles),
        "connector_name": intro.connector_name,
        "connector_email": intro.connector_email,
        "seeker_name": intro.seeker_name,
        "seeker_email": intro.seeker_email,
        "target_name": target.name,
        "target_email": target.email,
        "purpose": intro.purpose,
        "double_opt_in": intro.double_opt_in,
        "parent_id": intro.parent_id,
        "outcome": intro.outcome,
        "is_open": intro.state not in ENDED_STATES,
        "next_steps": [
            {
                "step": s.step,
                "owner": s.owner,
                "completed_by": s.kind.completed_by,
                "due_at": s.due_at,
                "overdue": s.overdue(now),
            }
            for s in lifecycle.next_steps(intro)
        ],
        "history": [event_out(e) for e in events],
        "created_at": intro.created_at,
    }


def _get(request: ApiRequest, intro_id: int) -> Intro:
    return queries.get_visible(request.auth, intro_id)


@router.post("/intros", response={201: IntroCreated}, summary="Log an introduction")
def create_intro(request: ApiRequest, payload: IntroIn):
    """You must be one of the three people (by your account's email). `start` says where it
    stands (`requested`, the default, `introduced` or `met`) and `at` since when; double opt-in
    applies only to a requested introduction. `introduced_at` is short for
    `start=introduced` with that `at`."""
    start = payload.start or ("introduced" if payload.introduced_at else "requested")
    new = services.NewIntro(
        connector=services.Party(payload.connector_name, payload.connector_email),
        seeker=services.Party(payload.seeker_name, payload.seeker_email),
        target=services.Party(
            payload.target_name, payload.target_email, payload.target_company, payload.target_url
        ),
        purpose=payload.purpose,
        double_opt_in=payload.double_opt_in,
        start=start,
        at=payload.at or payload.introduced_at,
        parent_id=payload.parent_id,
    )
    now = timezone.now()
    try:
        intro, warnings = services.create_intro(request.auth, new, now)
    except services.IntroRefused as refused:
        raise HttpError(422, str(refused)) from None
    return Status(201, {**intro_out(intro, request.auth, now), "warnings": warnings})


@router.get("/intros", response=IntroList, summary="Your introductions from one side")
def list_intros(
    request: ApiRequest,
    role: str = Query("seeker", pattern="^(seeker|connector|target)$"),
    state: str = Query("open"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    """`state`: open, overdue, ended, all, or one state such as `introduced`."""
    if state not in queries.LIST_FILTERS and state not in State.values:
        raise HttpError(422, f"Unknown state {state!r}.")
    now = timezone.now()
    intros = queries.intros_for(request.auth, role, state, now)
    items = [
        {
            "id": i.id,
            "state": i.state,
            "seeker_name": i.seeker_name,
            "target_name": access.target_shown(i, access.roles_of(i, request.auth)).name,
            "connector_name": i.connector_name,
            "purpose": i.purpose,
            "next_step": i.next_step,
            "next_owner": i.next_owner,
            "next_due_at": i.next_due_at,
            "overdue": bool(i.next_due_at and i.next_due_at < now),
        }
        for i in intros[offset : offset + limit]
    ]
    return {"items": items, "count": intros.count()}


@router.get("/intros/{intro_id}", response=IntroOut, summary="One introduction, from your side")
def get_intro(request: ApiRequest, intro_id: int):
    return intro_out(_get(request, intro_id), request.auth, timezone.now())


@router.post(
    "/intros/{intro_id}/events",
    response={200: IntroOut, 409: dict},
    summary="Record an event (409 when it does not fit now)",
)
def record_event(request: ApiRequest, intro_id: int, payload: EventIn):
    intro = _get(request, intro_id)
    if payload.type not in lifecycle.TRANSITIONS:
        raise HttpError(
            422, f"Unknown event {payload.type!r}; one of {', '.join(lifecycle.TRANSITIONS)}."
        )
    now = timezone.now()
    try:
        intro = lifecycle.record_event(
            intro.id,
            payload.type,
            roles=access.roles_of(intro, request.auth),
            now=now,
            at=payload.at,
            actor_user=request.auth,
            via="api",
            note=payload.note,
            outcome=payload.outcome,
            scheduled_for=payload.scheduled_for,
        )
    except lifecycle.EventRefused as refused:
        return Status(409, {"detail": str(refused)})
    return intro_out(intro, request.auth, now)


@router.post(
    "/intros/{intro_id}/send",
    response={200: IntroOut, 409: dict},
    summary="Have the app email the target the opt-in question, or the introduction itself",
)
def send(request: ApiRequest, intro_id: int, payload: SendIn):
    """The connector's emails, sent by the app: `ask` emails the target whether they are
    happy to be introduced (and records `asked`); `introduction` emails the seeker and the
    target together (and records `introduced`). 409 when the step does not fit now; 403 until
    your address is confirmed; 429 past the daily limit of emails to others."""
    intro = _get(request, intro_id)
    now = timezone.now()
    send = {"ask": sending.send_opt_in_request, "introduction": sending.send_introduction}
    if payload.what not in send:
        raise HttpError(422, "what: one of “ask” or “introduction”.")
    try:
        intro = send[payload.what](intro, request.auth, now)
    except lifecycle.EventRefused as refused:
        return Status(409, {"detail": str(refused)})
    except allowance.SendRefused as refused:
        raise HttpError(429 if refused.limit_reached else 403, str(refused)) from None
    return intro_out(intro, request.auth, now)


@router.get("/me/follow-through", response=FollowThroughAll, summary="Follow-through records")
def follow_through(request: ApiRequest):
    now = timezone.now()
    own = queries.follow_through(queries.intros_for(request.auth, "seeker", "all", now))
    others = queries.follow_through(
        queries.intros_for(request.auth, "connector", "all", now).exclude(seeker_user=request.auth)
    )
    return {"as_seeker": own[0] if own else None, "seekers_i_introduced": others}
