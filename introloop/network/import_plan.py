"""What an import would do, without writing: each record matched to a contact, and the plan.

Each record is matched to an existing contact (same uid, same LinkedIn profile, a shared email
address, or the same name and company) and updates it instead of creating a duplicate, so
importing the same file twice creates nothing new. Rows of the same file that match each other
become one contact. The import preview shows the plan; `imports.apply_import` writes it.
"""

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db import connection

from introloop.accounts.models import User

from .importers.records import ContactRecord, ParseResult, RowProblem
from .models import Contact, ContactEmail, ContactTag, Tag, fold
from .services import split_name

# Single-value fields a file may set; its non-empty values win over the contact's.
OVERWRITE_FIELDS = (
    "full_name",
    "given_name",
    "family_name",
    "company",
    "title",
    "industry",
    "location",
    "strength",
    "keep_in_touch_days",
    "intro_cap_per_month",
    "birthday",
    "connected_on",
)
# Free-text fields: the file's text is appended unless the contact already holds it.
APPEND_FIELDS = ("notes", "how_we_met", "how_they_can_help")

FIELD_LABELS = {
    "full_name": "Name",
    "given_name": "Given name",
    "family_name": "Family name",
    "linkedin_url": "LinkedIn",
    "company": "Company",
    "title": "Title",
    "industry": "Industry",
    "location": "Location",
    "strength": "Relationship",
    "keep_in_touch_days": "Keep in touch",
    "intro_cap_per_month": "Introductions a month at most",
    "birthday": "Birthday",
    "connected_on": "Connected on",
    "notes": "Notes",
    "how_we_met": "How we met",
    "how_they_can_help": "How they could help",
    "emails": "Emails",
    "phones": "Phones",
    "tags": "Tags",
    "introduced_by_uid": "Introduced by",
}


@dataclass
class Change:
    field: str
    old: str
    new: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)


@dataclass
class PlannedUpdate:
    contact_id: int
    record: ContactRecord  # the contact's values after the import
    changes: list[Change]


@dataclass
class ImportPlan:
    format: str
    creates: list[ContactRecord] = field(default_factory=list)
    updates: list[PlannedUpdate] = field(default_factory=list)
    unchanged: int = 0
    merged_in_file: int = 0  # rows that repeat a person already earlier in the file
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    total_rows: int = 0


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())


def _text(value) -> str:
    return "" if value is None else str(value)


def merge_into(target: ContactRecord, incoming: ContactRecord) -> list[Change]:
    """Apply `incoming` onto `target` by the import rules; return what changed."""
    changes = []
    for name in OVERWRITE_FIELDS:
        new = getattr(incoming, name)
        old = getattr(target, name)
        if new not in ("", None) and new != old:
            setattr(target, name, new)
            changes.append(Change(name, _text(old), _text(new)))
    if incoming.linkedin_url and not target.linkedin_url:
        target.linkedin_url = incoming.linkedin_url
        changes.append(Change("linkedin_url", "", incoming.linkedin_url))
    for name in APPEND_FIELDS:
        new = getattr(incoming, name).strip()
        old = getattr(target, name)
        if new and new not in old:
            setattr(target, name, f"{old}\n\n{new}" if old.strip() else new)
            changes.append(Change(name, old, getattr(target, name)))
    known = {e for e, _ in target.emails}
    added = [(e, k) for e, k in incoming.emails if e not in known]
    if added:
        target.emails = [*target.emails, *added]
        changes.append(Change("emails", "", ", ".join(e for e, _ in added)))
    known_phones = {_digits(n) for n, _ in target.phones}
    added_phones = [(n, k) for n, k in incoming.phones if _digits(n) not in known_phones]
    if added_phones:
        target.phones = [*target.phones, *added_phones]
        changes.append(Change("phones", "", ", ".join(n for n, _ in added_phones)))
    known_tags = {fold(t) for t in target.tags}
    added_tags = [t for t in incoming.tags if fold(t) not in known_tags]
    if added_tags:
        target.tags = [*target.tags, *added_tags]
        changes.append(Change("tags", "", ", ".join(added_tags)))
    if incoming.introduced_by_uid and not target.introduced_by_uid:
        target.introduced_by_uid = incoming.introduced_by_uid
        changes.append(Change("introduced_by_uid", "", incoming.introduced_by_uid))
    return changes


# Where a record is: ("new", position in the plan's creates) or ("existing", contact id).
Key = tuple[str, int]


class _Index:
    """Where to find a person by each identity a record can carry."""

    def __init__(self) -> None:
        self.records: dict[Key, ContactRecord] = {}
        self.by_uid: dict[str, Key] = {}
        self.by_linkedin: dict[str, Key] = {}
        self.by_email: dict[str, Key] = {}
        self.by_name_company: dict[tuple[str, str], Key] = {}

    def add(self, key: Key, record: ContactRecord, uids=(), name_key=None) -> None:
        self.records[key] = record
        if record.uid:
            self.by_uid.setdefault(record.uid, key)
        for uid in uids:
            self.by_uid.setdefault(uid, key)
        if record.linkedin_url:
            self.by_linkedin.setdefault(record.linkedin_url, key)
        for email, _ in record.emails:
            self.by_email.setdefault(email, key)
        if record.full_name:
            self.by_name_company.setdefault(name_key or _name_key(record), key)

    def find(self, record: ContactRecord, name_key) -> Key | None:
        if record.uid and (key := self.by_uid.get(record.uid)) is not None:
            return key
        if record.linkedin_url and (key := self.by_linkedin.get(record.linkedin_url)) is not None:
            return key
        for email, _ in record.emails:
            if (key := self.by_email.get(email)) is not None:
                return key
        if record.full_name and (key := self.by_name_company.get(name_key)) is not None:
            # Namesakes at one company are different people when their profiles differ.
            found = self.records[key]
            if record.linkedin_url and found.linkedin_url:
                return None
            return key
        return None


def _name_key(record: ContactRecord) -> tuple[str, str]:
    return fold(record.full_name), fold(record.company)


def _existing_records(owner: User) -> tuple[dict[int, ContactRecord], dict[int, list[str]]]:
    """The owner's contacts as records, and their merged-away uids: three plain queries.

    Read with a plain cursor: the ORM's per-value converters would cost more than the rest
    of a re-import of an unchanged file.
    """
    table = Contact._meta.db_table
    records: dict[int, ContactRecord] = {}
    merged: dict[int, list[str]] = {}
    uid_of: dict[int, str] = {}
    introducer: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, uid, merged_uids, phones, introduced_by_id, connected_on, "  # noqa: S608
            f"keep_in_touch_days, intro_cap_per_month, {', '.join(_TEXT_COLUMNS)} "
            f"FROM {table} WHERE owner_id = %s",
            [owner.pk],
        )
        for pk, uid, merged_uids, phones, introduced_by, connected_on, days, cap, *texts in cursor:
            record = ContactRecord(
                line=0, uid=uid, keep_in_touch_days=days, intro_cap_per_month=cap
            )
            for name, value in zip(_TEXT_COLUMNS, texts, strict=True):
                setattr(record, name, value)
            if isinstance(connected_on, str):
                connected_on = date.fromisoformat(connected_on)
            record.connected_on = connected_on
            phones = _json_list(phones)
            if phones:
                record.phones = [(p.get("number", ""), p.get("kind", "")) for p in phones]
            merged_uids = _json_list(merged_uids)
            if merged_uids:
                merged[pk] = merged_uids
            if introduced_by:
                introducer[pk] = introduced_by
            records[pk] = record
            uid_of[pk] = uid
        cursor.execute(
            f"SELECT contact_id, email, kind FROM {ContactEmail._meta.db_table} "  # noqa: S608
            "WHERE owner_id = %s ORDER BY contact_id, position, id",
            [owner.pk],
        )
        # A contact added between these reads (its owner at work meanwhile) is not among
        # `records`: its emails and tags are passed over, as the contact itself was.
        for pk, email, kind in cursor:
            if pk in records:
                records[pk].emails.append((email, kind))
        cursor.execute(
            f"SELECT ct.contact_id, t.name FROM {ContactTag._meta.db_table} ct "  # noqa: S608
            f"JOIN {Tag._meta.db_table} t ON t.id = ct.tag_id WHERE t.owner_id = %s "
            "ORDER BY ct.id",
            [owner.pk],
        )
        for pk, name in cursor:
            if pk in records:
                records[pk].tags.append(name)
    for pk, introduced_by in introducer.items():
        records[pk].introduced_by_uid = uid_of.get(introduced_by, "")
    return records, merged


_TEXT_COLUMNS = (
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
    "source",
    "birthday",
)


def _json_list(value) -> list:
    """A JSON list column, as text on SQLite or already decoded on PostgreSQL."""
    if not value or value == "[]":
        return []
    return json.loads(value) if isinstance(value, str) else value


def _complete(record: ContactRecord) -> None:
    if record.full_name and not (record.given_name or record.family_name):
        record.given_name, record.family_name = split_name(record.full_name)
    elif not record.full_name:
        record.full_name = " ".join(p for p in (record.given_name, record.family_name) if p)
    if not record.full_name and record.emails:
        record.full_name = record.emails[0][0].split("@")[0]


def plan_import(owner: User, parsed: ParseResult) -> ImportPlan:
    """What importing `parsed` would create, update and leave unchanged, without writing."""
    plan = ImportPlan(
        format=parsed.format,
        errors=list(parsed.errors),
        warnings=list(parsed.warnings),
        total_rows=parsed.total_rows,
    )
    existing, merged_uids = _existing_records(owner)
    index = _Index()
    for pk, record in existing.items():
        index.add(("old", pk), record, merged_uids.get(pk, ()))
    touched: dict[int, list[Change]] = {}
    fresh_uids = _ordered_uids(len(parsed.records))
    for record in parsed.records:
        if not record.source:
            record.source = parsed.format
        name_key = _name_key(record) if record.full_name else None
        key = index.find(record, name_key)
        if key is None:
            _complete(record)
            if not record.uid:
                record.uid = next(fresh_uids)
            index.add(("new", len(plan.creates)), record, name_key=name_key)
            plan.creates.append(record)
            continue
        where, position = key
        if where == "new":
            merge_into(plan.creates[position], record)
            plan.merged_in_file += 1
            index.add(key, plan.creates[position])
            continue
        changes = merge_into(existing[position], record)
        touched.setdefault(position, []).extend(changes)
        if changes:
            index.add(key, existing[position])
    for pk, changes in touched.items():
        changes = _net(changes)
        if changes:
            plan.updates.append(PlannedUpdate(contact_id=pk, record=existing[pk], changes=changes))
        else:
            plan.unchanged += 1
    return plan


def _net(changes: list[Change]) -> list[Change]:
    """One change per field, from its first old value to its last new one; none if equal
    (several rows of a file may set a field back and forth)."""
    first: dict[str, Change] = {}
    for change in changes:
        if change.field in first:
            first[change.field] = Change(change.field, first[change.field].old, change.new)
        else:
            first[change.field] = change
    return [c for c in first.values() if c.old != c.new]


def _ordered_uids(n: int) -> Iterator[str]:
    """n version-7 UUID strings (RFC 9562), in increasing order: the time in milliseconds, a
    42-bit counter, then 32 random bits. In order, a large import's new contacts go to the end
    of the (owner, uid) index instead of all over it: written batch by batch in the background,
    random uids made each batch rewrite most of that index (a 200,000-row import took 25%
    longer). One urandom call, as uuid.uuid4() per row is slow."""
    ms = f"{int(time.time() * 1000) & 0xFFFFFFFFFFFF:012x}"
    head = f"{ms[:8]}-{ms[8:]}-7"
    random_hex = os.urandom(4 * n).hex()
    for i in range(n):
        low = f"{0x80000000 | (i & 0x3FFFFFFF):08x}"  # the variant's bits, then the counter's
        yield f"{head}{i >> 30:03x}-{low[:4]}-{low[4:]}{random_hex[8 * i : 8 * i + 8]}"
