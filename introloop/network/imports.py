"""Applying parsed contact files to a user's contact book: plan, then write.

A small import is one transaction: it applies in full or changes nothing. What it does is
planned in `import_plan` (matching each record to a contact); this module writes the plan, one
slice at a time (`write_plan_slice`): the whole plan at once here, or batch by batch in a
background job (`import_jobs`).

The write path uses executemany through Django's connection, not the ORM row by row: a
20,000-row LinkedIn export is the common case (bench/contacts.py).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction

from introloop.accounts.models import User
from introloop.bulk import cycle_collection_paused, insert_rows

from .import_plan import (
    APPEND_FIELDS,
    FIELD_LABELS,
    OVERWRITE_FIELDS,
    Change,
    ImportPlan,
    PlannedUpdate,
    merge_into,
    plan_import,
)
from .importers.records import ContactRecord, ParseResult
from .models import Contact, ContactEmail, ContactTag, ImportRun, Tag, fold
from .services import clean_tag, get_or_create_tags, reconnect_due_on, search_text_for

# What was importable from here before the plan had a module of its own.
__all__ = [
    "APPEND_FIELDS",
    "FIELD_LABELS",
    "OVERWRITE_FIELDS",
    "Change",
    "ImportOutcome",
    "ImportPlan",
    "PlannedUpdate",
    "SliceWritten",
    "apply_import",
    "contact_rows",
    "link_introducers",
    "merge_into",
    "plan_import",
    "write_plan_slice",
]

_CONTACT_COLUMNS = (
    "owner_id",
    "uid",
    "merged_uids",
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
    "how_they_can_help",
    "strength",
    "notes",
    "keep_in_touch_days",
    "intro_cap_per_month",
    "source",
    "connected_on",
    "birthday",
    "created_at",
    "updated_at",
    "name_key",
    "search_text",
    "reconnect_due_on",
)
# What an import may change in a contact it updates (besides emails, tags and its introducer).
UPDATE_COLUMNS = (
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
    "how_they_can_help",
    "strength",
    "notes",
    "keep_in_touch_days",
    "intro_cap_per_month",
    "connected_on",
    "birthday",
    "updated_at",
    "name_key",
    "search_text",
    "reconnect_due_on",
)


def _search_text(record: ContactRecord) -> str:
    return search_text_for(
        (
            record.full_name,
            record.company,
            record.title,
            record.industry,
            record.location,
            " ".join(record.tags),
            " ".join([e for e, _ in record.emails]),
            record.notes,
            record.how_we_met,
            record.how_they_can_help,
        )
    )


def _phones_json(record: ContactRecord) -> str:
    if not record.phones:
        return "[]"
    return json.dumps([{"number": n, "kind": k} for n, k in record.phones])


def _insert_contacts(
    owner_id: int,
    records: list[ContactRecord],
    now: datetime,
    progress,
    rows: list[tuple] | None = None,
) -> dict[str, int]:
    """Insert the new contacts (their `rows`, when made already); return their ids by uid."""
    if not records:
        return {}
    if rows is None:
        rows = contact_rows(owner_id, records, now)
    table = Contact._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _copy_contacts(cursor, table, records, rows, progress)
        # Every id above the table's largest before the inserts is new: the rows read back
        # are found through the primary key (a batch of a large import reads its own rows,
        # not all the owner's), then narrowed to the owner's (others may add contacts too).
        sql = (
            f"INSERT INTO {table} ({', '.join(_CONTACT_COLUMNS)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(_CONTACT_COLUMNS))})"
        )
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608
        before = cursor.fetchone()[0] or 0
        step = 5000
        for start in range(0, len(rows), step):
            cursor.executemany(sql, rows[start : start + step])
            if progress:
                progress(min(start + step, len(rows)), len(rows))
        cursor.execute(f"SELECT uid, id, owner_id FROM {table} WHERE id > %s", [before])  # noqa: S608
        return {uid: pk for uid, pk, owner in cursor.fetchall() if owner == owner_id}


def _copy_contacts(cursor, table: str, records: list[ContactRecord], rows, progress):
    """PostgreSQL: take the ids from the table's own sequence first (so that it stays ahead
    of every id written), then COPY the rows with them: one statement, no parameters to quote
    client-side and no INSERT to parse per row (8.7 times the floor with executemany)."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
        [table, len(rows)],
    )
    ids = [pk for (pk,) in cursor.fetchall()]
    columns = ", ".join(("id", *_CONTACT_COLUMNS))
    step = 5000
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for start in range(0, len(rows), step):
            for pk, row in zip(ids[start : start + step], rows[start : start + step], strict=True):
                copy.write_row((pk, *row))
            if progress:
                progress(min(start + step, len(rows)), len(rows))
    return {r.uid: pk for r, pk in zip(records, ids, strict=True)}


def contact_rows(owner_id: int, records: list[ContactRecord], now: datetime) -> list[tuple]:
    """New contacts' rows as write_plan_slice() inserts them (a batch's, made before its
    transaction, so that other writers can get in meanwhile)."""
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    date_value = ops.adapt_datefield_value
    today = now.date()
    rows = []
    for r in records:
        days = r.keep_in_touch_days
        rows.append(
            (
                owner_id,
                r.uid,
                "[]",
                r.full_name,
                r.given_name,
                r.family_name,
                _phones_json(r),
                r.linkedin_url,
                r.company,
                r.title,
                r.industry,
                r.location,
                r.how_we_met,
                r.how_they_can_help,
                r.strength,
                r.notes,
                days,
                r.intro_cap_per_month,
                r.source,
                date_value(r.connected_on),
                r.birthday,
                stamp,
                stamp,
                fold(r.full_name),
                _search_text(r),
                date_value(today + timedelta(days=days)) if days else None,
            )
        )
    return rows


def _update_contacts(updates: list[PlannedUpdate], dates: dict[int, tuple], now: datetime):
    """Rewrite the updated contacts' columns; `dates` maps id -> (created_at, last interaction)."""
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    assignments = ", ".join(f"{c} = %s" for c in UPDATE_COLUMNS)
    rows = []
    for update in updates:
        r = update.record
        created_at, last_interaction_on = dates[update.contact_id]
        due = reconnect_due_on(last_interaction_on, created_at, r.keep_in_touch_days)
        rows.append(
            (
                r.full_name,
                r.given_name,
                r.family_name,
                _phones_json(r),
                r.linkedin_url,
                r.company,
                r.title,
                r.industry,
                r.location,
                r.how_we_met,
                r.how_they_can_help,
                r.strength,
                r.notes,
                r.keep_in_touch_days,
                r.intro_cap_per_month,
                ops.adapt_datefield_value(r.connected_on),
                r.birthday,
                stamp,
                fold(r.full_name),
                _search_text(r),
                ops.adapt_datefield_value(due),
                update.contact_id,
            )
        )
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Contact._meta.db_table} SET {assignments} WHERE id = %s",  # noqa: S608
                rows,
            )


@dataclass
class ImportOutcome:
    plan: ImportPlan
    run: ImportRun | None


@dataclass
class SliceWritten:
    """What writing one slice of a plan added, for undoing it."""

    created_ids: list[int]  # the contacts it created, in the order of the slice's creates
    created_tag_ids: list[int]  # the tags that did not exist before it


def apply_import(
    owner: User,
    parsed: ParseResult,
    *,
    now: datetime,
    filename: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """Plan and write the import in one transaction: all of it, or nothing."""
    with cycle_collection_paused(), transaction.atomic():
        # One import at a time per person: a second one waits, then plans on fresh data.
        lock_owner(owner.pk)
        plan = plan_import(owner, parsed)
        write_plan_slice(owner, plan.creates, plan.updates, now=now, progress=progress)
        run = record_run(owner, plan, filename=filename, now=now)
    refresh_planner_statistics(len(plan.creates))
    return ImportOutcome(plan=plan, run=run)


def refresh_planner_statistics(created: int) -> None:
    """After a big import, ANALYZE the contact tables on PostgreSQL. Until autovacuum gets to
    them, the planner thinks they are near empty: the contact list then sorted all of an
    account's 20,000 rows for each page (16 ms) instead of reading the name index (0.1 ms)."""
    if created >= 1000 and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE network_contact, network_contactemail, network_contacttag")


def lock_owner(owner_id: int) -> None:
    """Lock the owner's row until the transaction ends: their imports write one at a time.

    FOR NO KEY UPDATE on PostgreSQL: rows that refer to the owner (a contact added meanwhile)
    take a KEY SHARE lock on it, which this one lets through. SQLite writes one at a time.
    """
    User.objects.select_for_update(no_key=True).filter(pk=owner_id).exists()


def record_run(owner: User, plan: ImportPlan, *, filename: str, now: datetime) -> ImportRun:
    """The import history's line for a plan that was written."""
    return ImportRun.objects.create(
        owner=owner,
        filename=filename[:255],
        format=plan.format,
        created=len(plan.creates),
        updated=len(plan.updates),
        unchanged=plan.unchanged,
        rejected=len(plan.errors),
        finished_at=now,
    )


def write_plan_slice(
    owner: User,
    creates: list[ContactRecord],
    updates: list[PlannedUpdate],
    *,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
    rows: list[tuple] | None = None,
) -> SliceWritten:
    """Write part of a plan (or all of it): insert `creates` (whose `contact_rows()` may be
    made already), rewrite `updates`, add their emails and tags, link their introducers when
    these exist already.

    The caller holds a transaction and the owner's lock (`lock_owner`).
    """
    new_ids = _insert_contacts(owner.pk, creates, now, progress, rows)
    if updates:
        dates = Contact.objects.filter(id__in=[u.contact_id for u in updates]).values_list(
            "id", "created_at", "last_interaction_on"
        )
        _update_contacts(updates, {pk: (c, last) for pk, c, last in dates}, now)

    targets = [(new_ids[r.uid], r) for r in creates]
    targets += [(u.contact_id, u.record) for u in updates]
    _write_emails(owner.pk, targets, updates)
    created_tag_ids = _write_tags(owner, targets)
    _link_introducers(owner, targets)
    return SliceWritten([new_ids[r.uid] for r in creates], created_tag_ids)


def link_introducers(owner: User, records: list[ContactRecord]) -> None:
    """Link each record's contact to its introducer (by uid), where it has none yet: a plan
    written in batches links the ones whose introducer came in a later batch at the end."""
    wanted = [r for r in records if r.introduced_by_uid]
    if not wanted:
        return
    uids = {r.uid for r in wanted}
    ids = dict(Contact.objects.filter(owner=owner, uid__in=uids).values_list("uid", "id"))
    _link_introducers(owner, [(ids[r.uid], r) for r in wanted if r.uid in ids])


def _write_emails(owner_id: int, targets, updates: list[PlannedUpdate]) -> None:
    updated_ids = [u.contact_id for u in updates]
    have = set(
        ContactEmail.objects.filter(contact_id__in=updated_ids).values_list("contact_id", "email")
    )
    rows = [
        (owner_id, pk, email, kind, position)
        for pk, record in targets
        for position, (email, kind) in enumerate(record.emails)
        if (pk, email) not in have
    ]
    if rows:
        insert_rows(
            ContactEmail._meta.db_table,
            ("owner_id", "contact_id", "email", "kind", "position"),
            rows,
        )


def _write_tags(owner: User, targets) -> list[int]:
    """Tag the targets; return the ids of the tags created for it."""
    names = {t for _, record in targets for t in record.tags}
    if not names:
        return []
    keys = {fold(clean_tag(name)) for name in names}
    had = set(Tag.objects.filter(owner=owner, key__in=keys).values_list("id", flat=True))
    found = get_or_create_tags(owner, names)
    tags = {t.key: t.id for t in found}
    ids = [pk for pk, _ in targets]
    have = set(ContactTag.objects.filter(contact_id__in=ids).values_list("contact_id", "tag_id"))
    tag_of = {name: tags[key] for name in names if (key := fold(name)) in tags}  # fold once
    rows = {
        (pk, tag_of[name])
        for pk, record in targets
        for name in record.tags
        if name in tag_of and (pk, tag_of[name]) not in have
    }
    if rows:
        insert_rows(ContactTag._meta.db_table, ("contact_id", "tag_id"), sorted(rows))
    return sorted(t.id for t in found if t.id not in had)


def _link_introducers(owner: User, targets) -> None:
    wanted = {pk: r.introduced_by_uid for pk, r in targets if r.introduced_by_uid}
    if not wanted:
        return
    uid_to_id = dict(
        Contact.objects.filter(owner=owner, uid__in=set(wanted.values())).values_list("uid", "id")
    )
    rows = [
        (uid_to_id[uid], pk)
        for pk, uid in wanted.items()
        if uid in uid_to_id and uid_to_id[uid] != pk
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Contact._meta.db_table} SET introduced_by_id = %s "  # noqa: S608
                "WHERE id = %s AND introduced_by_id IS NULL",
                rows,
            )
