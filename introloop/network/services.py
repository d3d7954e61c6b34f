"""Operations that change the contact book; each is one transaction, with "now" passed in."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from nameparser import HumanName

from introloop.accounts.models import User

from .importers.records import ContactRecord
from .models import (
    Contact,
    ContactEmail,
    ContactTag,
    ImportUpload,
    Interaction,
    Tag,
    fold,
)


def clean_tag(name: str) -> str:
    return " ".join(name.replace(",", " ").split())[:50]


def split_name(full_name: str) -> tuple[str, str]:
    """(given, family) for a full name, e.g. "Dr. Ana María de la Cruz" -> ("Ana", "de la Cruz")."""
    parsed = HumanName(full_name)
    return parsed.first[:150], parsed.last[:150]


def search_text_for(values: Iterable[str]) -> str:
    # Empty values leave double spaces; harmless, as searches match single words.
    return fold(" ".join(values))


def contact_search_text(contact: Contact, tags: list[str], emails: list[str]) -> str:
    return search_text_for(
        [
            contact.full_name,
            contact.company,
            contact.title,
            contact.industry,
            contact.location,
            " ".join(tags),
            " ".join(emails),
            contact.notes,
            contact.how_we_met,
            contact.how_they_can_help,
        ]
    )


def reconnect_due_on(
    last_interaction_on: date | None, created_at: datetime, keep_in_touch_days: int | None
) -> date | None:
    """When to reconnect: the cadence counted from the last interaction (or from when the
    contact was added, before any interaction)."""
    if not keep_in_touch_days:
        return None
    start = last_interaction_on or created_at.date()
    return start + timedelta(days=keep_in_touch_days)


def get_or_create_tags(owner: User, names: Iterable[str]) -> list[Tag]:
    wanted: dict[str, str] = {}  # by key, the first spelling
    for name in names:
        name = clean_tag(name)
        if name:
            wanted.setdefault(fold(name), name)
    if not wanted:
        return []
    existing = {t.key: t for t in Tag.objects.filter(owner=owner, key__in=list(wanted))}
    missing = [Tag(owner=owner, name=name, key=key) for key, name in wanted.items()]
    missing = [t for t in missing if t.key not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.key: t for t in Tag.objects.filter(owner=owner, key__in=list(wanted))}
    return [existing[key] for key in wanted]


def refresh_derived(contact: Contact) -> None:
    tags = [t.name for t in contact.tags.all()]
    emails = list(contact.emails.values_list("email", flat=True))
    contact.name_key = fold(contact.full_name)
    contact.search_text = contact_search_text(contact, tags, emails)
    contact.reconnect_due_on = reconnect_due_on(
        contact.last_interaction_on, contact.created_at, contact.keep_in_touch_days
    )
    Contact.objects.filter(pk=contact.pk).update(
        name_key=contact.name_key,
        search_text=contact.search_text,
        reconnect_due_on=contact.reconnect_due_on,
    )


SCALAR_FIELDS = (
    "full_name",
    "given_name",
    "family_name",
    "linkedin_url",
    "company",
    "title",
    "industry",
    "location",
    "how_we_met",
    "how_they_can_help",
    "strength",
    "notes",
    "keep_in_touch_days",
    "connected_on",
    "birthday",
)


def write_emails(contact: Contact, emails: list[tuple[str, str]]) -> None:
    contact.emails.all().delete()
    unique: dict[str, str] = {}  # address -> kind
    for email, kind in emails:
        unique.setdefault(email.strip().lower(), kind)
    ContactEmail.objects.bulk_create(
        ContactEmail(owner_id=contact.owner_id, contact=contact, email=e, kind=k, position=i)
        for i, (e, k) in enumerate(unique.items())
    )


def write_tags(contact: Contact, names: list[str]) -> None:
    tags = get_or_create_tags(contact.owner, names)
    ContactTag.objects.filter(contact=contact).exclude(tag__in=tags).delete()
    ContactTag.objects.bulk_create(
        [ContactTag(contact=contact, tag=t) for t in tags], ignore_conflicts=True
    )


def _fill_names(record: ContactRecord) -> None:
    if record.full_name and not (record.given_name or record.family_name):
        record.given_name, record.family_name = split_name(record.full_name)
    elif not record.full_name:
        record.full_name = " ".join(p for p in (record.given_name, record.family_name) if p)


@transaction.atomic
def create_contact(
    owner: User,
    record: ContactRecord,
    now: datetime,
    introduced_by: Contact | None = None,
    *,
    intro_cap_per_month: int | None = None,
) -> Contact:
    """Create a contact from a record (from a form, the API or an import).

    `intro_cap_per_month`: how many introductions a month they receive through the owner at
    most (None: no cap); InvalidContact when it is not a whole number from 1 to 100.
    """
    _fill_names(record)
    contact = Contact(
        owner=owner,
        source=record.source or "manual",
        phones=[{"number": n, "kind": k} for n, k in record.phones],
        introduced_by=introduced_by,
        intro_cap_per_month=clean_intro_cap(intro_cap_per_month),
        created_at=now,
        updated_at=now,
    )
    if record.uid:
        contact.uid = record.uid
    for field in SCALAR_FIELDS:
        setattr(contact, field, getattr(record, field))
    contact.name_key = fold(contact.full_name)
    contact.save()
    write_emails(contact, record.emails)
    write_tags(contact, record.tags)
    refresh_derived(contact)
    return contact


@transaction.atomic
def update_contact(
    contact: Contact,
    record: ContactRecord,
    now: datetime,
    introduced_by: Contact | None = None,
    *,
    intro_cap_per_month: int | None,
) -> Contact:
    """Replace the contact's fields with the record's (an edit form or a PATCH).

    The cap is a required keyword, so that no caller removes it by forgetting it: None is
    "no cap".
    """
    cap = clean_intro_cap(intro_cap_per_month)
    _fill_names(record)
    for field in SCALAR_FIELDS:
        setattr(contact, field, getattr(record, field))
    contact.phones = [{"number": n, "kind": k} for n, k in record.phones]
    contact.introduced_by = introduced_by
    contact.intro_cap_per_month = cap
    contact.updated_at = now
    contact.save()
    write_emails(contact, record.emails)
    write_tags(contact, record.tags)
    refresh_derived(contact)
    return contact


def record_from_contact(contact: Contact) -> ContactRecord:
    """The contact's current values as a record, e.g. to apply a partial update on top."""
    record = ContactRecord(line=0, source=contact.source, uid=contact.uid)
    for field in SCALAR_FIELDS:
        setattr(record, field, getattr(contact, field))
    record.emails = [(e.email, e.kind) for e in contact.emails.all()]
    record.phones = [(p.get("number", ""), p.get("kind", "")) for p in contact.phones]
    record.tags = [t.name for t in contact.tags.all()]
    return record


@transaction.atomic
def delete_contact(contact: Contact) -> None:
    """Delete a contact; interactions that involved only them go too."""
    solo = Interaction.objects.filter(contacts=contact).exclude(
        id__in=Interaction.objects.filter(contacts=contact)
        .filter(contacts__in=Contact.objects.exclude(pk=contact.pk))
        .values("id")
    )
    solo.delete()
    contact.delete()


@transaction.atomic
def tag_contacts(owner: User, contact_ids: list[int], tag_name: str, add: bool = True) -> int:
    """Add (or remove) one tag on several of the owner's contacts; return how many changed."""
    contacts = list(Contact.objects.filter(owner=owner, id__in=contact_ids))
    [tag] = get_or_create_tags(owner, [tag_name])
    if add:
        have = set(
            ContactTag.objects.filter(tag=tag, contact__in=contacts).values_list(
                "contact_id", flat=True
            )
        )
        changed = [c for c in contacts if c.id not in have]
        ContactTag.objects.bulk_create([ContactTag(contact=c, tag=tag) for c in changed])
    else:
        have = set(
            ContactTag.objects.filter(tag=tag, contact__in=contacts).values_list(
                "contact_id", flat=True
            )
        )
        changed = [c for c in contacts if c.id in have]
        ContactTag.objects.filter(tag=tag, contact__in=changed).delete()
    for contact in changed:
        refresh_derived(contact)
    return len(changed)


def refresh_interaction_dates(contact_ids: Iterable[int]) -> None:
    """Recompute last_interaction_on and reconnect_due_on for these contacts."""
    ids = list(set(contact_ids))
    if not ids:
        return
    latest = (
        Interaction.contacts.through.objects.filter(contact_id=OuterRef("pk"))
        .values("contact_id")
        .annotate(last=Max("interaction__occurred_on"))
        # The django-stubs plugin does not see annotations on an auto-created through model.
        .values("last")  # type: ignore[misc]
    )
    Contact.objects.filter(id__in=ids).update(last_interaction_on=Subquery(latest))
    for contact in Contact.objects.filter(id__in=ids).only(
        "id", "last_interaction_on", "created_at", "keep_in_touch_days"
    ):
        due = reconnect_due_on(
            contact.last_interaction_on, contact.created_at, contact.keep_in_touch_days
        )
        Contact.objects.filter(id=contact.id).update(reconnect_due_on=due)


@transaction.atomic
def log_interaction(
    owner: User,
    *,
    kind: str,
    occurred_on: date,
    notes: str,
    contacts: list[Contact],
    now: datetime,
) -> Interaction:
    """Record a touch point with one or more contacts; it resets their keep-in-touch clock."""
    interaction = Interaction.objects.create(
        owner=owner, kind=kind, occurred_on=occurred_on, notes=notes.strip(), created_at=now
    )
    interaction.contacts.set(contacts)
    refresh_interaction_dates(c.id for c in contacts)
    return interaction


@transaction.atomic
def delete_interaction(interaction: Interaction) -> None:
    contact_ids = list(interaction.contacts.values_list("id", flat=True))
    interaction.delete()
    refresh_interaction_dates(contact_ids)


def prune_import_uploads(now: datetime, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget files uploaded for an import that was never committed; a large import's file
    stays while its job waits for a worker, however long (the job deletes it when it ends)."""
    stale = ImportUpload.objects.filter(created_at__lt=now - older_than, job__isnull=True)
    deleted, _ = stale.delete()
    return deleted


INTRO_CAP_MIN, INTRO_CAP_MAX = 1, 100


class InvalidContact(ValueError):
    """A value a contact cannot hold; the message says why."""


def clean_intro_cap(value: object) -> int | None:
    """A contact's monthly cap on introductions: a whole number from 1 to 100, or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidContact("The cap is a whole number of introductions a month.")
    if not INTRO_CAP_MIN <= value <= INTRO_CAP_MAX:
        raise InvalidContact(
            f"Between {INTRO_CAP_MIN} and {INTRO_CAP_MAX} introductions a month, or empty for "
            "no cap."
        )
    return value
