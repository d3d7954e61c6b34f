"""Applying parsed contact files to a user's contact book: plan, then write at once.

An import is one transaction: it applies in full or changes nothing. What it does is planned in
`import_plan` (matching each record to a contact); this module writes the plan.

The write path uses multi-row INSERTs and executemany through Django's connection, not the
ORM row by row: a 20,000-row LinkedIn export is the common case (bench/contacts.py).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction

from introloop.accounts.models import User

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
from .models import Contact, ContactEmail, ContactTag, ImportRun, fold
from .services import get_or_create_tags, reconnect_due_on, search_text_for

# What was importable from here before the plan had a module of its own.
__all__ = [
    "APPEND_FIELDS",
    "FIELD_LABELS",
    "OVERWRITE_FIELDS",
    "Change",
    "ImportOutcome",
    "ImportPlan",
    "PlannedUpdate",
    "apply_import",
    "merge_into",
    "plan_import",
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
_UPDATE_COLUMNS = (
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


def _insert_contacts(owner_id: int, records: list[ContactRecord], now: datetime, progress):
    """Insert the new contacts with executemany; return their ids by uid.

    The owner's row is locked for the whole import, so the owner's rows with an id above the
    previous maximum are exactly the ones inserted here.
    """
    table = Contact._meta.db_table
    sql = (
        f"INSERT INTO {table} ({', '.join(_CONTACT_COLUMNS)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(_CONTACT_COLUMNS))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {table} WHERE owner_id = %s", [owner_id])  # noqa: S608
        before = cursor.fetchone()[0] or 0
        step = 5000
        for start in range(0, len(records), step):
            rows = _contact_rows(owner_id, records[start : start + step], now)
            cursor.executemany(sql, rows)
            if progress:
                progress(start + len(rows), len(records))
        cursor.execute(
            f"SELECT uid, id FROM {table} WHERE owner_id = %s AND id > %s",  # noqa: S608
            [owner_id, before],
        )
        return dict(cursor.fetchall())


def _contact_rows(owner_id: int, records: list[ContactRecord], now: datetime) -> list[tuple]:
    """New contacts' rows, in _CONTACT_COLUMNS order."""
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
    assignments = ", ".join(f"{c} = %s" for c in _UPDATE_COLUMNS)
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


def apply_import(
    owner: User,
    parsed: ParseResult,
    *,
    now: datetime,
    filename: str = "",
    progress: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """Plan and write the import in one transaction: all of it, or nothing."""
    with transaction.atomic():
        # One import at a time per person: a second one waits, then plans on fresh data.
        User.objects.select_for_update().filter(pk=owner.pk).exists()
        plan = plan_import(owner, parsed)
        _write_plan(owner, plan, now, progress)
        run = ImportRun.objects.create(
            owner=owner,
            filename=filename[:255],
            format=plan.format,
            created=len(plan.creates),
            updated=len(plan.updates),
            unchanged=plan.unchanged,
            rejected=len(plan.errors),
            finished_at=now,
        )
    return ImportOutcome(plan=plan, run=run)


def _write_plan(owner: User, plan: ImportPlan, now: datetime, progress) -> None:
    new_ids = _insert_contacts(owner.pk, plan.creates, now, progress)
    if plan.updates:
        dates = Contact.objects.filter(id__in=[u.contact_id for u in plan.updates]).values_list(
            "id", "created_at", "last_interaction_on"
        )
        _update_contacts(plan.updates, {pk: (c, last) for pk, c, last in dates}, now)

    targets = [(new_ids[r.uid], r) for r in plan.creates]
    targets += [(u.contact_id, u.record) for u in plan.updates]
    _write_emails(owner.pk, targets, plan)
    _write_tags(owner, targets)
    _link_introducers(owner, targets, new_ids)


def _write_emails(owner_id: int, targets, plan: ImportPlan) -> None:
    updated_ids = [u.contact_id for u in plan.updates]
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
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {ContactEmail._meta.db_table} "  # noqa: S608
                "(owner_id, contact_id, email, kind, position) VALUES (%s, %s, %s, %s, %s)",
                rows,
            )


def _write_tags(owner: User, targets) -> None:
    names = {t for _, record in targets for t in record.tags}
    if not names:
        return
    tags = {t.key: t.id for t in get_or_create_tags(owner, names)}
    ids = [pk for pk, _ in targets]
    have = set(ContactTag.objects.filter(contact_id__in=ids).values_list("contact_id", "tag_id"))
    rows = {
        (pk, tags[fold(name)])
        for pk, record in targets
        for name in record.tags
        if fold(name) in tags and (pk, tags[fold(name)]) not in have
    }
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {ContactTag._meta.db_table} (contact_id, tag_id) "  # noqa: S608
                "VALUES (%s, %s)",
                sorted(rows),
            )


def _link_introducers(owner: User, targets, new_ids: dict[str, int]) -> None:
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
