"""/api/v1/goals, /asks and /applications. Input goes through the pages' own forms."""

from datetime import date, datetime

from django.http import HttpRequest, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from introloop.goals import services
from introloop.goals.forms import ApplicationForm, AskForm, GoalForm
from introloop.goals.models import Application, Ask, Goal
from introloop.goals.suggestions import suggestions
from introloop.network.models import Contact
from introloop.network.queries import local_today

from .contacts import _form_errors

router = Router(tags=["goals"])


class NeedOut(Schema):
    id: int
    kind: str
    text: str
    done: bool


class GoalIn(Schema):
    title: str | None = None
    roles: list[str] | None = None
    industries: list[str] | None = None
    companies: list[str] | None = None
    locations: list[str] | None = None
    active: bool | None = None


class GoalOut(Schema):
    id: int
    title: str
    roles: list[str]
    industries: list[str]
    companies: list[str]
    locations: list[str]
    active: bool
    needs: list[NeedOut]
    created_at: datetime
    updated_at: datetime


class SuggestionOut(Schema):
    contact_id: int
    name: str
    headline: str
    score: float
    reasons: list[str]


class AskIn(Schema):
    contact_id: int = 0  # required in practice; 0 gives a clear 404 rather than a schema error
    kind: str = ""
    direction: str = "asked"
    status: str = "asked"
    on: date | None = None
    follow_up_on: date | None = None
    intro_id: int | None = None
    goal_id: int | None = None
    note: str = ""
    result: str = ""


class AskOut(Schema):
    id: int
    contact_id: int
    kind: str
    direction: str
    status: str
    on: date
    follow_up_on: date | None
    intro_id: int | None
    goal_id: int | None
    note: str
    result: str


class AskCreated(AskOut):
    warnings: list[str]


class ApplicationIn(Schema):
    company: str
    role: str
    applied_on: date | None = None
    source: str = "cold"
    intro_id: int | None = None
    contact_id: int | None = None
    status: str = "applied"
    notes: str = ""


class ApplicationOut(Schema):
    id: int
    company: str
    role: str
    applied_on: date
    source: str
    intro_id: int | None
    contact_id: int | None
    status: str
    interviewed: bool
    notes: str


def _goal_out(goal: Goal) -> dict:
    return {
        **{f: getattr(goal, f) for f in ("id", "title", "roles", "industries", "companies",
                                          "locations", "active", "created_at", "updated_at")},
        "needs": [{"id": n.id, "kind": n.kind, "text": n.text, "done": n.done}
                  for n in goal.needs.all()],
    }  # fmt: skip


def _data(values: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        if isinstance(value, list):
            data[key] = "\n".join(str(v) for v in value)
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = str(value)
    return data


def _get_goal(request: HttpRequest, goal_id: int) -> Goal:
    return get_object_or_404(Goal, id=goal_id, owner=request.auth)


@router.get("/goals", response=list[GoalOut], summary="Your goals")
def list_goals(request: HttpRequest):
    return [_goal_out(g) for g in Goal.objects.filter(owner=request.auth).prefetch_related("needs")]


@router.post("/goals", response={201: GoalOut}, summary="Add a goal")
def create_goal(request: HttpRequest, payload: GoalIn):
    values = payload.dict()
    values["active"] = True if payload.active is None else payload.active
    form = GoalForm(_data(values))
    if not form.is_valid():
        raise _form_errors(form)
    goal = form.save(commit=False)
    goal.owner = request.auth
    services.save_goal(goal, now=timezone.now())
    return Status(201, _goal_out(goal))


@router.get("/goals/{goal_id}", response=GoalOut, summary="One goal")
def get_goal(request: HttpRequest, goal_id: int):
    return _goal_out(_get_goal(request, goal_id))


@router.patch("/goals/{goal_id}", response=GoalOut, summary="Change some fields")
def patch_goal(request: HttpRequest, goal_id: int, payload: GoalIn):
    goal = _get_goal(request, goal_id)
    current = {f: getattr(goal, f) for f in ("title", "roles", "industries", "companies",
                                             "locations", "active")}  # fmt: skip
    form = GoalForm(_data({**current, **payload.dict(exclude_unset=True)}), instance=goal)
    if not form.is_valid():
        raise _form_errors(form)
    services.save_goal(form.save(commit=False), now=timezone.now())
    return _goal_out(goal)


@router.delete("/goals/{goal_id}", response={204: None}, summary="Delete a goal")
def delete_goal(request: HttpRequest, goal_id: int):
    _get_goal(request, goal_id).delete()
    return Status(204, None)


@router.get(
    "/goals/{goal_id}/suggestions", response=list[SuggestionOut], summary="Who can help, ranked"
)
def goal_suggestions(request: HttpRequest, goal_id: int, limit: int = Query(25, ge=1, le=200)):
    goal = _get_goal(request, goal_id)
    return suggestions(goal, local_today(request.auth, timezone.now()), limit=limit)


ASK_FIELDS = ("id", "contact_id", "kind", "direction", "status", "on", "follow_up_on",
              "intro_id", "goal_id", "note", "result")  # fmt: skip


def _ask_out(ask: Ask) -> dict:
    return {f: getattr(ask, f) for f in ASK_FIELDS}


@router.get("/asks", response=list[AskOut], summary="Asks and favours, newest first")
def list_asks(request: HttpRequest, contact_id: int | None = None):
    asks = Ask.objects.filter(owner=request.auth)
    if contact_id is not None:
        asks = asks.filter(contact_id=contact_id)
    return [_ask_out(a) for a in asks[:500]]


@router.post("/asks", response={201: AskCreated}, summary="Record an ask or a favour given")
def create_ask(request: HttpRequest, payload: AskIn):
    if not Contact.objects.filter(owner=request.auth, id=payload.contact_id).exists():
        raise HttpError(404, f"No contact with id {payload.contact_id}.")
    today = local_today(request.auth, timezone.now())
    values = {"contact": payload.contact_id, "kind": payload.kind, "direction": payload.direction,
              "status": payload.status, "on": payload.on or today,
              "follow_up_on": payload.follow_up_on, "intro": payload.intro_id,
              "goal": payload.goal_id, "note": payload.note, "result": payload.result}  # fmt: skip
    form = AskForm(request.auth, _data(values), today=today)
    if not form.is_valid():
        rename = {"contact": "contact_id", "intro": "intro_id", "goal": "goal_id"}
        raise _form_errors(form, rename)
    ask = form.save(commit=False)
    ask.owner = request.auth
    ask, warnings = services.save_ask(ask)
    return Status(201, {**_ask_out(ask), "warnings": warnings})


def _application_out(a: Application) -> dict:
    return {f: getattr(a, f) for f in ("id", "company", "role", "applied_on", "source", "intro_id",
                                       "contact_id", "status", "interviewed", "notes")}  # fmt: skip


@router.get("/applications", response=list[ApplicationOut], summary="Your applications")
def list_applications(request: HttpRequest):
    return [_application_out(a) for a in Application.objects.filter(owner=request.auth)[:1000]]


@router.post("/applications", response={201: ApplicationOut}, summary="Add an application")
def create_application(request: HttpRequest, payload: ApplicationIn):
    today = local_today(request.auth, timezone.now())
    values = {"company": payload.company, "role": payload.role,
              "applied_on": payload.applied_on or today, "source": payload.source,
              "intro": payload.intro_id, "contact": payload.contact_id, "status": payload.status,
              "notes": payload.notes}  # fmt: skip
    form = ApplicationForm(request.auth, _data(values), today=today)
    if not form.is_valid():
        raise _form_errors(form, {"intro": "intro_id", "contact": "contact_id"})
    application = form.save(commit=False)
    application.owner = request.auth
    services.save_application(application)
    return Status(201, _application_out(application))
