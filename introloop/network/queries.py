"""Reads of the contact book, each built to run in a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypedDict

from django.db.models import Count, F, Model, Prefetch, Q, QuerySet
from django.db.models.expressions import OrderBy

from introloop import access
from introloop.accounts.models import User

from .models import Contact, ContactEmail, ContactTag, Interaction, NotDuplicate, Tag, fold

SORTS: dict[str, tuple[str, list[str | OrderBy]]] = {
    "name": ("Name", ["name_key", "id"]),
    "company": ("Company", ["company", "name_key", "id"]),
    "last": ("Last interaction", [F("last_interaction_on").desc(nulls_last=True), "name_key"]),
    "due": ("Reconnect by", [F("reconnect_due_on").asc(nulls_last=True), "name_key"]),
    "added": ("Recently added", ["-id"]),
}


def local_today(user: User, now: datetime) -> date:
    return now.astimezone(user.zone).date()


def owner_contacts(owner: User) -> QuerySet[Contact]:
    return access.scope(Contact, owner)


# What a row of the contact list shows, read as plain values: a page of model instances
# with prefetched relations cost more than the SQL itself.
LIST_COLUMNS = ("id", "full_name", "title", "company", "last_interaction_on", "reconnect_due_on")


def emails_of(contact_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Each contact's (email, kind) pairs in their order, in one query."""
    found: dict[int, list[tuple[str, str]]] = {}
    rows = ContactEmail.objects.filter(contact_id__in=contact_ids).values_list(
        "contact_id", "email", "kind"
    )
    for contact_id, email, kind in rows:
        found.setdefault(contact_id, []).append((email, kind))
    return found


def tag_names_of(contact_ids: list[int]) -> dict[int, list[str]]:
    """Each contact's tag names in tag order, in one query."""
    found: dict[int, list[str]] = {}
    rows = (
        ContactTag.objects.filter(contact_id__in=contact_ids)
        .order_by("tag__key")
        .values_list("contact_id", "tag__name")
    )
    for contact_id, name in rows:
        found.setdefault(contact_id, []).append(name)
    return found


class ContactFilters(TypedDict):
    """The contact list's filters, as search_contacts takes them."""

    q: str
    tag: str
    company: str
    strength: str
    overdue: bool
    sort: str


def search_contacts(
    owner: User,
    *,
    today: date,
    q: str = "",
    tag: str = "",
    company: str = "",
    strength: str = "",
    overdue: bool = False,
    sort: str = "name",
) -> QuerySet[Contact]:
    """The owner's contacts matching every word of `q` and every filter, in `sort` order."""
    contacts = owner_contacts(owner)
    for word in fold(q).split()[:10]:
        contacts = contacts.filter(search_text__contains=word)
    if tag:
        contacts = contacts.filter(tags__owner=owner, tags__key=fold(tag))
    if company:
        contacts = contacts.filter(company__iexact=company.strip())
    if strength:
        contacts = contacts.filter(strength=strength)
    if overdue:
        contacts = contacts.filter(reconnect_due_on__lt=today)
    return contacts.order_by(*SORTS.get(sort, SORTS["name"])[1])


def tags_with_counts(owner: User) -> QuerySet[Tag]:
    return access.scope(Tag, owner).annotate(n=Count("contacts")).filter(n__gt=0)


@dataclass
class TimelineEntry:
    on: date
    kind: str  # "interaction", "introduction", "ask"
    title: str
    notes: str
    others: list[Contact]
    obj: Model  # the interaction, introduction or ask


def interaction_timeline(contact: Contact) -> list[TimelineEntry]:
    """The interactions with this contact, for their timeline."""
    interactions = contact.interactions.prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.only("id", "full_name"))
    )
    return [
        TimelineEntry(
            on=i.occurred_on,
            kind="interaction",
            title=i.get_kind_display(),
            notes=i.notes,
            others=[c for c in i.contacts.all() if c.pk != contact.pk],
            obj=i,
        )
        for i in interactions
    ]


@dataclass
class DuplicateGroup:
    reason: str
    contacts: list[Contact]


def duplicate_groups(owner, limit: int = 50) -> list[DuplicateGroup]:
    """Contacts that look like the same person: a shared email address, or the same name.

    Pairs the owner marked as different people are left out.
    """
    same_email = (
        access.scope(ContactEmail, owner)
        .values("email")
        .annotate(n=Count("contact", distinct=True))
        .filter(n__gt=1)
        .values_list("email", flat=True)[:limit]
    )
    same_name = (
        access.scope(Contact, owner)
        .exclude(name_key="")
        .values("name_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("name_key", flat=True)[:limit]
    )
    emails, names = list(same_email), list(same_name)
    candidates = (
        access.scope(Contact, owner)
        .filter(Q(emails__email__in=emails) | Q(name_key__in=names))
        .distinct()
        .prefetch_related("emails")
        .order_by("id")
    )
    by_key: dict[tuple[str, str], list[Contact]] = {}
    for contact in candidates:
        if contact.name_key in names:
            by_key.setdefault(("name", contact.name_key), []).append(contact)
        for email in contact.emails.all():
            if email.email in emails:
                by_key.setdefault(("email", email.email), []).append(contact)
    dismissed = set(access.scope(NotDuplicate, owner).values_list("first_id", "second_id"))
    groups, seen = [], set()
    for (why, value), members in by_key.items():
        ids = frozenset(c.id for c in members)
        if len(ids) < 2 or ids in seen:
            continue
        pairs = {(a, b) for a in ids for b in ids if a < b}
        if pairs <= dismissed:
            continue
        seen.add(ids)
        reason = f"same email {value}" if why == "email" else "same name"
        groups.append(DuplicateGroup(reason=reason, contacts=members))
    return groups[:limit]


def recent_interactions(owner, limit: int = 20) -> QuerySet[Interaction]:
    return (
        access.scope(Interaction, owner)
        .prefetch_related(Prefetch("contacts", queryset=Contact.objects.only("id", "full_name")))
        .order_by("-occurred_on", "-id")[:limit]
    )
