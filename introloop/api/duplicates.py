"""/api/v1/contacts/duplicates: contacts that look like the same person, merging two of them
(losing nothing), and saying that some are different people."""

from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from introloop import access
from introloop.accounts.requests import ApiRequest
from introloop.goals.queries import reciprocity
from introloop.network import merging, queries
from introloop.network.forms import MergeForm
from introloop.network.models import Contact

from .contacts import ContactOut, contact_out, require_own_contacts
from .errors import invalid
from .parser import Input

router = Router(tags=["contacts"])


class DuplicateContactOut(Schema):
    id: int
    full_name: str
    headline: str  # "Title at Company", or whichever is known
    emails: list[str]
    source: str


class DuplicateGroupOut(Schema):
    reason: str  # "same email ann@example.com" or "same name"
    contacts: list[DuplicateContactOut]


class ConflictOut(Schema):
    field: str
    label: str
    keep: str | int  # this contact's value
    other: str | int  # the other contact's value


class MergePreviewOut(Schema):
    keep: ContactOut
    other: ContactOut
    # Fields both fill differently: name those whose `other` value should win.
    conflicts: list[ConflictOut]


class MergeIn(Input):
    # Both optional in the schema, so that someone else's contact is a 404 before anything.
    other_id: int | None = None
    take_from_other: list[str] = Field(default_factory=list, max_length=20)


class NotDuplicatesIn(Input):
    contact_ids: list[int] = Field(min_length=2, max_length=100)


@router.get(
    "/contacts/duplicates",
    response=list[DuplicateGroupOut],
    summary="Contacts that look like the same person",
)
def duplicates(request: ApiRequest):
    """Groups sharing an email address or a name; groups you said are different people are
    left out."""
    return [
        {
            "reason": group.reason,
            "contacts": [
                {
                    "id": c.id,
                    "full_name": c.full_name,
                    "headline": c.headline,
                    "emails": [e.email for e in c.emails.all()],
                    "source": c.source,
                }
                for c in group.contacts
            ],
        }
        for group in queries.duplicate_groups(request.auth)
    ]


def _pair(request: ApiRequest, contact_id: int, other_id: int | None, source: str):
    keep = access.get_or_404(Contact, request.auth, id=contact_id)
    if other_id is None:
        raise invalid("other_id", "Choose the contact to merge into this one.", source)
    if other_id == keep.id:
        raise invalid("other_id", "Choose two different contacts to merge.", source)
    return keep, access.get_or_404(Contact, request.auth, id=other_id)


@router.get(
    "/contacts/{int:contact_id}/merge",
    response=MergePreviewOut,
    summary="What merging another contact into this one would ask you to choose",
)
def merge_preview(request: ApiRequest, contact_id: int, other_id: int | None = None):
    keep, other = _pair(request, contact_id, other_id, "query")
    today = queries.local_today(request.auth, timezone.now())
    balances = reciprocity(request.auth, [keep.id, other.id])
    fields = merging.merge_conflicts(keep, other)
    choices = MergeForm(keep, other, fields).fields  # labelled as on the web's merge page
    conflicts = [
        {
            "field": f,
            "label": choices[f].label,
            "keep": getattr(keep, f),
            "other": getattr(other, f),
        }
        for f in fields
    ]
    return {
        "keep": contact_out(keep, today, balances.get(keep.id)),
        "other": contact_out(other, today, balances.get(other.id)),
        "conflicts": conflicts,
    }


@router.post(
    "/contacts/{int:contact_id}/merge",
    response=ContactOut,
    summary="Merge another contact into this one, losing nothing",
)
def merge(request: ApiRequest, contact_id: int, payload: MergeIn):
    """Every email, phone, tag, interaction and note of both is kept, and the other contact
    is deleted. Where both hold a different value, this contact's wins unless the field is
    named in `take_from_other` (see the preview's `conflicts`)."""
    keep, other = _pair(request, contact_id, payload.other_id, "body")
    unknown = [f for f in payload.take_from_other if f not in merging.CHOOSABLE_FIELDS]
    if unknown:
        raise invalid(
            "take_from_other",
            f"{unknown[0]!r} cannot be chosen; these can: {', '.join(merging.CHOOSABLE_FIELDS)}.",
        )
    merged = merging.merge_contacts(keep, other, payload.take_from_other, timezone.now())
    today = queries.local_today(request.auth, timezone.now())
    return contact_out(merged, today, reciprocity(request.auth, [merged.id]).get(merged.id))


@router.post(
    "/contacts/not-duplicates",
    response={204: None},
    summary="Say that these contacts are different people",
)
def not_duplicates(request: ApiRequest, payload: NotDuplicatesIn):
    """They are no longer suggested as duplicates of each other."""
    contacts = require_own_contacts(request, payload.contact_ids)
    if len(contacts) < 2:
        raise invalid("contact_ids", "Choose at least two different contacts.")
    merging.mark_not_duplicates(request.auth, contacts)
    return Status(204, None)
