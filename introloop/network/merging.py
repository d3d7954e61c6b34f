"""Two contacts that are one person: what differs, merging them without losing anything, and
saying that some are different people after all."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from introloop.accounts.models import User

from .models import Contact, Interaction, NotDuplicate
from .services import refresh_derived, refresh_interaction_dates, write_emails, write_tags

# A contact's phone as stored in Contact.phones: {"number": …, "kind": …}.
Phone = dict[str, str]
STRENGTH_ORDER = {"close": 4, "warm": 3, "acquaintance": 2, "cold": 1, "": 0}
TEXT_FIELDS = ("notes", "how_we_met", "how_they_can_help")
CHOOSABLE_FIELDS = (
    "full_name",
    "given_name",
    "family_name",
    "linkedin_url",
    "company",
    "title",
    "industry",
    "location",
    "strength",
    "keep_in_touch_days",
    "intro_cap_per_month",
    "birthday",
)


def merge_conflicts(keep: Contact, other: Contact) -> list[str]:
    """Fields where both contacts hold different, non-empty values: the user picks one."""
    return [
        field
        for field in CHOOSABLE_FIELDS
        if getattr(keep, field) not in ("", None)
        and getattr(other, field) not in ("", None)
        and getattr(keep, field) != getattr(other, field)
    ]


def _joined_text(a: str, b: str) -> str:
    a, b = a.strip(), b.strip()
    if not b or b in a:
        return a
    if not a or a in b:
        return b
    return f"{a}\n\n{b}"


@transaction.atomic
def merge_contacts(
    keep: Contact, other: Contact, take_from_other: Iterable[str], now: datetime
) -> Contact:
    """Merge `other` into `keep` and delete `other`, losing nothing.

    Every email, phone, tag, interaction and note of both is kept; for single-value fields
    both hold, `take_from_other` names those where `other`'s value wins.
    """
    assert keep.owner_id == other.owner_id and keep.pk != other.pk
    take_from_other = set(take_from_other)
    # The LinkedIn URL that loses, if both had one, is kept in the notes.
    lost_linkedin = ""
    if keep.linkedin_url and other.linkedin_url and keep.linkedin_url != other.linkedin_url:
        loser = keep if "linkedin_url" in take_from_other else other
        lost_linkedin = loser.linkedin_url
    for field in CHOOSABLE_FIELDS:
        mine, theirs = getattr(keep, field), getattr(other, field)
        if mine in ("", None) or (field in take_from_other and theirs not in ("", None)):
            setattr(keep, field, theirs)
    for field in TEXT_FIELDS:
        setattr(keep, field, _joined_text(getattr(keep, field), getattr(other, field)))
    if lost_linkedin:
        keep.notes = _joined_text(keep.notes, f"Also on LinkedIn: {lost_linkedin}")
    keep.phones = _merged_phones(keep.phones, other.phones)
    if keep.introduced_by_id in (None, other.pk) and other.introduced_by_id != keep.pk:
        keep.introduced_by_id = other.introduced_by_id
    if other.connected_on and (not keep.connected_on or other.connected_on < keep.connected_on):
        keep.connected_on = other.connected_on
    keep.created_at = min(keep.created_at, other.created_at)
    keep.merged_uids = [*keep.merged_uids, other.uid, *other.merged_uids]
    keep.updated_at = now

    emails = [(e.email, e.kind) for e in keep.emails.all()]
    known = {e for e, _ in emails}
    emails += [(e.email, e.kind) for e in other.emails.all() if e.email not in known]
    tags = [t.name for t in keep.tags.all()] + [t.name for t in other.tags.all()]
    through = Interaction.contacts.through
    shared = list(through.objects.filter(contact=other).values_list("interaction_id", flat=True))
    Contact.objects.filter(introduced_by=other).exclude(pk=keep.pk).update(introduced_by=keep)

    # Deleted first: `keep` may take over its LinkedIn URL, which is unique per owner.
    other.delete()
    keep.save()
    through.objects.bulk_create(
        [through(interaction_id=i, contact_id=keep.pk) for i in shared], ignore_conflicts=True
    )
    write_emails(keep, emails)
    write_tags(keep, tags)
    refresh_interaction_dates([keep.pk])
    keep.refresh_from_db()
    refresh_derived(keep)
    return keep


def _merged_phones(mine: list[Phone], theirs: list[Phone]) -> list[Phone]:
    seen = {"".join(c for c in p.get("number", "") if c.isdigit()) for p in mine}
    merged = list(mine)
    for phone in theirs:
        digits = "".join(c for c in phone.get("number", "") if c.isdigit())
        if digits not in seen:
            merged.append(phone)
            seen.add(digits)
    return merged


@transaction.atomic
def mark_not_duplicates(owner: User, contacts: list[Contact]) -> None:
    """The owner says these contacts are different people: never suggest them as duplicates
    of each other again."""
    assert all(c.owner_id == owner.pk for c in contacts)
    for a in contacts:
        for b in contacts:
            if a.id < b.id:
                NotDuplicate.objects.get_or_create(owner=owner, first=a, second=b)
