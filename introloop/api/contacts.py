"""/api/v1/contacts, their tags, and /exports of them.

Input is validated by the same Django forms as the web pages, so both answer bad input with
the same messages; the API names the field. Imports, interactions, duplicates and merging have
modules of their own.
"""

from datetime import date, datetime

from django.http import HttpResponse, QueryDict
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from pydantic import Field

from introloop import access
from introloop.accounts.requests import ApiRequest
from introloop.goals.queries import reciprocity
from introloop.network import exports, queries, services
from introloop.network.forms import BulkTagForm, ContactForm, join_labelled
from introloop.network.import_views import export_response
from introloop.network.models import Contact

from .parser import Input

router = Router(tags=["contacts"])


class EmailIO(Schema):
    email: str
    kind: str = ""


class PhoneIO(Schema):
    number: str
    kind: str = ""


class Reciprocity(Schema):
    received: int  # favours they did for you (asks of them that were done)
    given: int  # favours you did for them


class ContactOut(Schema):
    id: int
    uid: str
    full_name: str
    given_name: str
    family_name: str
    emails: list[EmailIO]
    phones: list[PhoneIO]
    linkedin_url: str
    company: str
    title: str
    industry: str
    location: str
    tags: list[str]
    how_we_met: str
    introduced_by_id: int | None
    how_they_can_help: str
    strength: str
    notes: str
    keep_in_touch_days: int | None
    intro_cap_per_month: int | None  # introductions a month you make to them at most
    source: str
    connected_on: date | None
    birthday: str
    last_interaction_on: date | None
    reconnect_due_on: date | None
    reconnect_overdue: bool
    reciprocity: Reciprocity
    last_asked_at: date | None
    created_at: datetime
    updated_at: datetime


class ContactIn(Schema):
    full_name: str | None = None
    emails: list[EmailIO | str] | None = None
    phones: list[PhoneIO | str] | None = None
    linkedin_url: str | None = None
    company: str | None = None
    title: str | None = None
    industry: str | None = None
    location: str | None = None
    tags: list[str] | None = None
    how_we_met: str | None = None
    introduced_by_id: int | None = None
    how_they_can_help: str | None = None
    strength: str | None = None
    notes: str | None = None
    keep_in_touch_days: int | None = None
    # 1 to 100; null (on PATCH) removes the cap.
    intro_cap_per_month: int | None = None
    birthday: str | None = None


class ContactList(Schema):
    items: list[ContactOut]
    count: int


class BulkTagIn(Input):
    contact_ids: list[int] = Field(min_length=1, max_length=5000)
    tag: str
    action: str = "add"  # or "remove"


class BulkTagOut(Schema):
    tag: str
    action: str
    changed: int  # contacts that gained (or lost) the tag; the others already had it (or not)


# The contact's own columns in ContactOut, in its order; the rest are worded by contact_json.
COLUMNS = (
    "id",
    "uid",
    "full_name",
    "given_name",
    "family_name",
    "phones",
    "linkedin_url",
    "company",
    "title",
    "industry",
    "location",
    "how_we_met",
    "introduced_by_id",
    "how_they_can_help",
    "strength",
    "notes",
    "keep_in_touch_days",
    "intro_cap_per_month",
    "source",
    "connected_on",
    "birthday",
    "last_interaction_on",
    "reconnect_due_on",
    "created_at",
    "updated_at",
)
_FIELD_ORDER = tuple(ContactOut.model_fields)


def contact_json(
    columns: dict,
    emails: list[tuple[str, str]],
    tags: list[str],
    today: date,
    balance: dict | None = None,
) -> dict:
    """A contact as ContactOut, from its COLUMNS values, (email, kind) pairs and tag names;
    keys in ContactOut's order, so it serialises exactly as the validated schema would."""
    balance = balance or {}
    due_on = columns["reconnect_due_on"]
    worded = {
        **columns,
        "emails": [{"email": email, "kind": kind} for email, kind in emails],
        "phones": [
            {"number": p.get("number", ""), "kind": p.get("kind", "")} for p in columns["phones"]
        ],
        "tags": tags,
        "reconnect_overdue": bool(due_on and due_on < today),
        "reciprocity": {"received": balance.get("received", 0), "given": balance.get("given", 0)},
        "last_asked_at": balance.get("last_asked_on"),
    }
    return {field: worded[field] for field in _FIELD_ORDER}


def contact_out(contact: Contact, today: date, balance: dict | None = None) -> dict:
    return contact_json(
        {f: getattr(contact, f) for f in COLUMNS},
        [(e.email, e.kind) for e in contact.emails.all()],
        [t.name for t in contact.tags.all()],
        today,
        balance,
    )


def _today(request: ApiRequest) -> date:
    return queries.local_today(request.auth, timezone.now())


def _form_errors(form, rename: dict | None = None) -> ValidationError:
    """A form's errors as the API's 422, naming each field as the API spells it."""
    rename = rename or {"introduced_by": "introduced_by_id", "contacts": "contact_ids"}
    return ValidationError(
        [
            {"loc": ["body", "payload", rename.get(field, field)], "msg": message}
            for field, messages in form.errors.items()
            for message in messages
        ]
    )


def _labelled(items: list) -> str:
    pairs: list[tuple[str, str]] = []
    for item in items:
        if isinstance(item, str):
            pairs.append((item, ""))
        else:
            value = getattr(item, "email", None) or getattr(item, "number", "")
            pairs.append((str(value), item.kind))
    return join_labelled(pairs)


def _form_data(payload: ContactIn, base: dict) -> QueryDict:
    data = dict(base)
    for field, value in payload.dict(exclude_unset=True).items():
        item = getattr(payload, field)
        if field in ("emails", "phones"):
            data[field] = _labelled(item or [])
        elif field == "tags":
            data[field] = ", ".join(item or [])
        elif field == "introduced_by_id":
            data["introduced_by"] = value
        else:
            data[field] = value
    form_data = QueryDict(mutable=True)
    for key, value in data.items():
        form_data[key] = "" if value is None else str(value)
    return form_data


def _get_contact(request: ApiRequest, contact_id: int) -> Contact:
    return access.get_or_404(Contact, request.auth, id=contact_id)


def require_own_contacts(request: ApiRequest, contact_ids: list[int]) -> list[Contact]:
    """The viewer's contacts with these ids; 404 naming the first id that is not theirs."""
    found = {c.id: c for c in access.scope(Contact, request.auth).filter(id__in=contact_ids)}
    missing = [i for i in contact_ids if i not in found]
    if missing:
        raise HttpError(404, f"No contact with id {missing[0]}.")
    return [found[i] for i in dict.fromkeys(contact_ids)]


@router.get("/contacts", response=ContactList, summary="Your contacts, searched and paged")
def list_contacts(
    request: ApiRequest,
    q: str = "",
    tag: str = "",
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    today = _today(request)
    contacts = queries.search_contacts(request.auth, today=today, q=q, tag=tag)
    page = list(contacts.values(*COLUMNS)[offset : offset + limit])
    ids = [row["id"] for row in page]
    emails, tags = queries.emails_of(ids), queries.tag_names_of(ids)
    balances = reciprocity(request.auth, ids)
    items = [
        contact_json(row, emails.get(row["id"], []), tags.get(row["id"], []), today,
                     balances.get(row["id"]))
        for row in page
    ]  # fmt: skip
    # Built as ContactList already: skip ninja's validating 50 contacts again (~a third of
    # the request); test_contacts_api checks the items against ContactOut.
    from .api import api  # the API mounting this router, which imports this module

    body = {"items": items, "count": contacts.count()}
    return api.create_response(request, body, status=200)


@router.post("/contacts", response={201: ContactOut}, summary="Add a contact")
def create_contact(request: ApiRequest, payload: ContactIn):
    form = ContactForm(request.auth, _form_data(payload, {}))
    if not form.is_valid():
        raise _form_errors(form)
    contact = services.create_contact(
        request.auth,
        form.to_record(),
        timezone.now(),
        form.cleaned_data["introduced_by"],
        intro_cap_per_month=form.cleaned_data["intro_cap_per_month"],
    )
    return Status(201, contact_out(contact, _today(request)))


@router.post("/contacts/tags", response=BulkTagOut, summary="Add or remove a tag on contacts")
def bulk_tag(request: ApiRequest, payload: BulkTagIn):
    """The contact list's bulk action: `action` is `add` (the default) or `remove`."""
    contacts = require_own_contacts(request, payload.contact_ids)
    data = QueryDict(mutable=True)
    data.update({"tag": payload.tag, "action": payload.action})
    data.setlist("contacts", [str(c.id) for c in contacts])
    form = BulkTagForm(request.auth, data)
    if not form.is_valid():
        raise _form_errors(form)
    add = form.cleaned_data["action"] == "add"
    tag = form.cleaned_data["tag"]
    changed = services.tag_contacts(request.auth, [c.id for c in contacts], tag, add=add)
    return {"tag": tag, "action": form.cleaned_data["action"], "changed": changed}


# {int:…}: so that /contacts/tags, /contacts/duplicates… are never read as a contact's id.
@router.get("/contacts/{int:contact_id}", response=ContactOut, summary="One contact")
def get_contact(request: ApiRequest, contact_id: int):
    contact = _get_contact(request, contact_id)
    balance = reciprocity(request.auth, [contact.id]).get(contact.id)
    return contact_out(contact, _today(request), balance)


@router.patch("/contacts/{int:contact_id}", response=ContactOut, summary="Change some fields")
def patch_contact(request: ApiRequest, contact_id: int, payload: ContactIn):
    contact = _get_contact(request, contact_id)
    form = ContactForm(
        request.auth, _form_data(payload, ContactForm.initial_for(contact)), contact=contact
    )
    if not form.is_valid():
        raise _form_errors(form)
    services.update_contact(
        contact,
        form.to_record(),
        timezone.now(),
        form.cleaned_data["introduced_by"],
        intro_cap_per_month=form.cleaned_data["intro_cap_per_month"],
    )
    return contact_out(_get_contact(request, contact_id), _today(request))


@router.delete("/contacts/{int:contact_id}", response={204: None}, summary="Delete a contact")
def delete_contact(request: ApiRequest, contact_id: int):
    services.delete_contact(_get_contact(request, contact_id))
    return Status(204, None)


@router.get("/exports/contacts.{fmt}", summary="All your contacts as csv, vcf or json")
def export_contacts(request: ApiRequest, fmt: str) -> HttpResponse:
    if fmt not in exports.EXPORT_FORMATS:
        raise HttpError(404, "Export formats are contacts.csv, contacts.vcf and contacts.json.")
    return export_response(request.auth, fmt)
