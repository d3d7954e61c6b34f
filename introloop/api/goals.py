"""/api/v1/goals with their checklists, /asks and /applications. Input goes through the pages'
own forms."""

from datetime import date, datetime

from django.http import QueryDict
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from introloop import access
from introloop.accounts.requests import ApiRequest
from introloop.goals import services
from introloop.goals.forms import ApplicationForm, AskForm, GoalForm, NeedForm
from introloop.goals.models import Application, Ask, Goal, Need
from introloop.goals.suggestions import suggestions
from introloop.network.models import Contact
from introloop.network.queries import local_today

from .contacts import _form_errors
from .parser import Input
from .types import Day

router = Router(tags=["goals"])


class NeedOut(Schema):
    id: int
    kind: str
    text: str
    done: bool


class NeedIn(Input):
    kind: str = "information"  # information, advice or feedback
    text: str = ""  # what you need to learn or get, up to 300 characters


class NeedPatch(Input):
    done: bool | None = None


class GoalIn(Schema):
    title: str | None = None
    roles: list[str] | None = None
    industries: list[str] | None = None
    companies: list[str] | None = None
    locations: list[str] | None = None
    # titles that count as one another, one line each: "PM = Product Manager, Product Owner"
    also_counts_as: str | None = None
    active: bool | None = None


class GoalOut(Schema):
    id: int
    title: str
    roles: list[str]
    industries: list[str]
    companies: list[str]
    locations: list[str]
    also_counts_as: str
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
    on: Day | None = None
    follow_up_on: Day | None = None
    intro_id: int | None = None
    goal_id: int | None = None
    note: str = ""
    result: str = ""


class AskPatch(Schema):
    contact_id: int | None = None
    kind: str | None = None
    direction: str | None = None
    status: str | None = None
    on: Day | None = None
    follow_up_on: Day | None = None
    intro_id: int | None = None
    goal_id: int | None = None
    note: str | None = None
    result: str | None = None


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
    applied_on: Day | None = None
    source: str = "cold"
    intro_id: int | None = None
    contact_id: int | None = None
    status: str = "applied"
    notes: str = ""


class ApplicationPatch(Schema):
    company: str | None = None
    role: str | None = None
    applied_on: Day | None = None
    source: str | None = None
    intro_id: int | None = None
    contact_id: int | None = None
    status: str | None = None
    notes: str | None = None


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
                                          "locations", "also_counts_as", "active", "created_at",
                                          "updated_at")},
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


def _get_goal(request: ApiRequest, goal_id: int) -> Goal:
    return access.get_or_404(Goal, request.auth, id=goal_id)


@router.get("/goals", response=list[GoalOut], summary="Your goals")
def list_goals(request: ApiRequest):
    return [_goal_out(g) for g in access.scope(Goal, request.auth).prefetch_related("needs")]


@router.post("/goals", response={201: GoalOut}, summary="Add a goal")
def create_goal(request: ApiRequest, payload: GoalIn):
    values = payload.dict()
    values["active"] = True if payload.active is None else payload.active
    form = GoalForm(_data(values))
    if not form.is_valid():
        raise _form_errors(form)
    goal = form.save(commit=False)
    goal.owner = request.auth
    services.save_goal(goal, now=timezone.now())
    return Status(201, _goal_out(goal))


@router.get("/goals/{int:goal_id}", response=GoalOut, summary="One goal")
def get_goal(request: ApiRequest, goal_id: int):
    return _goal_out(_get_goal(request, goal_id))


@router.patch("/goals/{int:goal_id}", response=GoalOut, summary="Change some fields")
def patch_goal(request: ApiRequest, goal_id: int, payload: GoalIn):
    goal = _get_goal(request, goal_id)
    current = {f: getattr(goal, f) for f in ("title", "roles", "industries", "companies",
                                             "locations", "also_counts_as", "active")}  # fmt: skip
    form = GoalForm(_data({**current, **payload.dict(exclude_unset=True)}), instance=goal)
    if not form.is_valid():
        raise _form_errors(form)
    services.save_goal(form.save(commit=False), now=timezone.now())
    return _goal_out(goal)


@router.delete("/goals/{int:goal_id}", response={204: None}, summary="Delete a goal")
def delete_goal(request: ApiRequest, goal_id: int):
    _get_goal(request, goal_id).delete()
    return Status(204, None)


@router.get(
    "/goals/{int:goal_id}/suggestions", response=list[SuggestionOut], summary="Who can help, ranked"
)
def goal_suggestions(request: ApiRequest, goal_id: int, limit: int = Query(25, ge=1, le=200)):
    goal = _get_goal(request, goal_id)
    return suggestions(goal, local_today(request.auth, timezone.now()), limit=limit)


ASK_FIELDS = ("id", "contact_id", "kind", "direction", "status", "on", "follow_up_on",
              "intro_id", "goal_id", "note", "result")  # fmt: skip


def _ask_out(ask: Ask) -> dict:
    return {f: getattr(ask, f) for f in ASK_FIELDS}


@router.get("/asks", response=list[AskOut], summary="Asks and favours, newest first")
def list_asks(request: ApiRequest, contact_id: int | None = None):
    asks = access.scope(Ask, request.auth)
    if contact_id is not None:
        asks = asks.filter(contact_id=contact_id)
    return [_ask_out(a) for a in asks[:500]]


ASK_FORM_FIELDS = {"contact_id": "contact", "intro_id": "intro", "goal_id": "goal"}


def _save_ask(request: ApiRequest, values: dict, ask: Ask | None) -> tuple[Ask, list[str]]:
    """Validate API fields with the page's form; 422 names the API's field, not the form's."""
    today = local_today(request.auth, timezone.now())
    form_values = {ASK_FORM_FIELDS.get(k, k): v for k, v in values.items() if k != "id"}
    form = AskForm(request.auth, _data(form_values), instance=ask, today=today)
    if not form.is_valid():
        raise _form_errors(form, {v: k for k, v in ASK_FORM_FIELDS.items()})
    saved = form.save(commit=False)
    saved.owner = request.auth
    return services.save_ask(saved)


def _require_contact(request: ApiRequest, contact_id: int | None) -> None:
    # Someone else's contact is a 404 like any other object of theirs, not a form error.
    if (
        contact_id is not None
        and not access.scope(Contact, request.auth).filter(id=contact_id).exists()
    ):
        raise HttpError(404, f"No contact with id {contact_id}.")


def _get_ask(request: ApiRequest, ask_id: int) -> Ask:
    return access.get_or_404(Ask, request.auth, id=ask_id)


@router.post("/asks", response={201: AskCreated}, summary="Record an ask or a favour given")
def create_ask(request: ApiRequest, payload: AskIn):
    _require_contact(request, payload.contact_id)
    values = payload.dict()
    values["on"] = values["on"] or local_today(request.auth, timezone.now())
    ask, warnings = _save_ask(request, values, None)
    return Status(201, {**_ask_out(ask), "warnings": warnings})


@router.get("/asks/{ask_id}", response=AskOut, summary="One ask or favour")
def get_ask(request: ApiRequest, ask_id: int):
    return _ask_out(_get_ask(request, ask_id))


@router.patch("/asks/{ask_id}", response=AskCreated, summary="Change some fields, e.g. the status")
def patch_ask(request: ApiRequest, ask_id: int, payload: AskPatch):
    ask = _get_ask(request, ask_id)
    changes = payload.dict(exclude_unset=True)
    _require_contact(request, changes.get("contact_id"))
    ask, warnings = _save_ask(request, {**_ask_out(ask), **changes}, ask)
    return {**_ask_out(ask), "warnings": warnings}


@router.delete("/asks/{ask_id}", response={204: None}, summary="Delete an ask or favour")
def delete_ask(request: ApiRequest, ask_id: int):
    _get_ask(request, ask_id).delete()
    return Status(204, None)


def _application_out(a: Application) -> dict:
    return {f: getattr(a, f) for f in ("id", "company", "role", "applied_on", "source", "intro_id",
                                       "contact_id", "status", "interviewed", "notes")}  # fmt: skip


@router.get("/applications", response=list[ApplicationOut], summary="Your applications")
def list_applications(request: ApiRequest):
    return [_application_out(a) for a in access.scope(Application, request.auth)[:1000]]


APPLICATION_FORM_FIELDS = {"contact_id": "contact", "intro_id": "intro"}


def _save_application(request: ApiRequest, values: dict, found: Application | None):
    today = local_today(request.auth, timezone.now())
    form_values = {APPLICATION_FORM_FIELDS.get(k, k): v for k, v in values.items()
                   if k not in ("id", "interviewed")}  # fmt: skip
    form = ApplicationForm(request.auth, _data(form_values), instance=found, today=today)
    if not form.is_valid():
        raise _form_errors(form, {v: k for k, v in APPLICATION_FORM_FIELDS.items()})
    application = form.save(commit=False)
    application.owner = request.auth
    return services.save_application(application)


def _get_application(request: ApiRequest, application_id: int) -> Application:
    return access.get_or_404(Application, request.auth, id=application_id)


@router.post("/applications", response={201: ApplicationOut}, summary="Add an application")
def create_application(request: ApiRequest, payload: ApplicationIn):
    values = payload.dict()
    values["applied_on"] = values["applied_on"] or local_today(request.auth, timezone.now())
    return Status(201, _application_out(_save_application(request, values, None)))


@router.get("/applications/{application_id}", response=ApplicationOut, summary="One application")
def get_application(request: ApiRequest, application_id: int):
    return _application_out(_get_application(request, application_id))


@router.patch(
    "/applications/{application_id}", response=ApplicationOut, summary="Change some fields"
)
def patch_application(request: ApiRequest, application_id: int, payload: ApplicationPatch):
    found = _get_application(request, application_id)
    values = {**_application_out(found), **payload.dict(exclude_unset=True)}
    return _application_out(_save_application(request, values, found))


@router.delete("/applications/{application_id}", response={204: None}, summary="Delete one")
def delete_application(request: ApiRequest, application_id: int):
    _get_application(request, application_id).delete()
    return Status(204, None)


def _need_out(need: Need) -> dict:
    return {"id": need.id, "kind": need.kind, "text": need.text, "done": need.done}


def _get_need(request: ApiRequest, need_id: int) -> Need:
    return access.get_or_404(Need, request.auth, id=need_id)


@router.post(
    "/goals/{int:goal_id}/needs", response={201: NeedOut}, summary="Add to a goal's checklist"
)
def add_need(request: ApiRequest, goal_id: int, payload: NeedIn):
    goal = _get_goal(request, goal_id)
    form = NeedForm({"kind": payload.kind, "text": payload.text})
    if not form.is_valid():
        raise _form_errors(form)
    need = services.add_need(goal, form.cleaned_data["kind"], form.cleaned_data["text"])
    return Status(201, _need_out(need))


@router.get("/goals/needs/{int:need_id}", response=NeedOut, summary="One checklist item")
def get_need(request: ApiRequest, need_id: int):
    return _need_out(_get_need(request, need_id))


@router.patch(
    "/goals/needs/{int:need_id}", response=NeedOut, summary="Tick a checklist item, or untick it"
)
def patch_need(request: ApiRequest, need_id: int, payload: NeedPatch):
    need = _get_need(request, need_id)
    changes = payload.changes()
    if "done" in changes:
        need = services.tick_need(need, changes["done"])
    return _need_out(need)


@router.delete(
    "/goals/needs/{int:need_id}", response={204: None}, summary="Remove a checklist item"
)
def delete_need(request: ApiRequest, need_id: int):
    services.delete_need(_get_need(request, need_id))
    return Status(204, None)
