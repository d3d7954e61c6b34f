"""/api/v1/interactions: log a touch point with contacts, read them back, delete one."""

from datetime import date

from django.db.models import Prefetch
from django.http import QueryDict
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from introloop import access
from introloop.accounts.requests import ApiRequest
from introloop.network import queries, services
from introloop.network.forms import InteractionForm
from introloop.network.models import Contact, Interaction

from .contacts import _form_errors, require_own_contacts
from .types import Day

router = Router(tags=["contacts"])


class InteractionIn(Schema):
    kind: str
    occurred_on: Day
    contact_ids: list[int] = Field(min_length=1)
    notes: str = ""


class InteractionOut(Schema):
    id: int
    kind: str
    occurred_on: date
    contact_ids: list[int]
    notes: str


class InteractionList(Schema):
    items: list[InteractionOut]
    count: int


def _interaction_out(interaction: Interaction) -> dict:
    return {
        "id": interaction.id,
        "kind": interaction.kind,
        "occurred_on": interaction.occurred_on,
        "contact_ids": sorted(c.id for c in interaction.contacts.all()),
        "notes": interaction.notes,
    }


def _get_interaction(request: ApiRequest, interaction_id: int) -> Interaction:
    return access.get_or_404(Interaction, request.auth, id=interaction_id)


@router.post("/interactions", response={201: InteractionOut}, summary="Log an interaction")
def create_interaction(request: ApiRequest, payload: InteractionIn):
    require_own_contacts(request, payload.contact_ids)
    data = QueryDict(mutable=True)
    data.update({"kind": payload.kind, "occurred_on": payload.occurred_on.isoformat()})
    data["notes"] = payload.notes
    data.setlist("contacts", [str(i) for i in payload.contact_ids])
    today = queries.local_today(request.auth, timezone.now())
    form = InteractionForm(request.auth, data, today=today)
    if not form.is_valid():
        raise _form_errors(form)
    interaction = services.log_interaction(
        request.auth,
        kind=form.cleaned_data["kind"],
        occurred_on=form.cleaned_data["occurred_on"],
        notes=form.cleaned_data["notes"],
        contacts=list(form.cleaned_data["contacts"]),
        now=timezone.now(),
    )
    return Status(201, _interaction_out(interaction))


@router.get("/interactions", response=InteractionList, summary="Your interactions, newest first")
def list_interactions(
    request: ApiRequest,
    contact_id: int | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    """All of them, or those with one contact (`contact_id`), as on the contact's page."""
    interactions = access.scope(Interaction, request.auth)
    if contact_id is not None:
        contact = access.get_or_404(Contact, request.auth, id=contact_id)
        interactions = interactions.filter(contacts=contact)
    page = interactions.order_by("-occurred_on", "-id").prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.only("id"))
    )[offset : offset + limit]
    return {"items": [_interaction_out(i) for i in page], "count": interactions.count()}


@router.get(
    "/contacts/{int:contact_id}/interactions",
    response=InteractionList,
    summary="One contact's interactions, newest first (captured emails included)",
)
def contact_interactions(
    request: ApiRequest,
    contact_id: int,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    return list_interactions(request, contact_id=contact_id, limit=limit, offset=offset)


@router.get(
    "/interactions/{int:interaction_id}", response=InteractionOut, summary="One interaction"
)
def get_interaction(request: ApiRequest, interaction_id: int):
    return _interaction_out(_get_interaction(request, interaction_id))


@router.delete(
    "/interactions/{int:interaction_id}", response={204: None}, summary="Delete an interaction"
)
def delete_interaction(request: ApiRequest, interaction_id: int):
    """The contacts' last-interaction dates and keep-in-touch reminders follow."""
    services.delete_interaction(_get_interaction(request, interaction_id))
    return Status(204, None)
