"""Undoing a large import: what each batch keeps of the contacts it changes, and putting the
book back as it was when a job fails or is canceled (network/import_jobs.py)."""

import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Field

from introloop.clock import Clock

from . import import_jobs as jobs
from .imports import (
    UPDATE_COLUMNS,
    lock_owner,
)
from .models import (
    Contact,
    ContactEmail,
    ContactTag,
    ImportJob,
    ImportJobBatch,
    ImportUpload,
    Tag,
)

Status = jobs.Status

# What a batch keeps of each contact it updates, to put it back.
_SNAPSHOT_FIELDS = [
    field
    for field in (Contact._meta.get_field(name) for name in (*UPDATE_COLUMNS, "introduced_by"))
    if isinstance(field, Field)
]


def snapshot(contact_ids: list[int]) -> list[dict[str, Any]]:
    """The contacts as they are now: their columns an import may change, emails and tags."""
    if not contact_ids:
        return []
    names = [f.attname for f in _SNAPSHOT_FIELDS]
    rows = Contact.objects.filter(id__in=contact_ids).values("id", *names)
    emails = defaultdict(list)
    for pk, email in ContactEmail.objects.filter(contact_id__in=contact_ids).values_list(
        "contact_id", "email"
    ):
        emails[pk].append(email)
    tags = defaultdict(list)
    for pk, tag_id in ContactTag.objects.filter(contact_id__in=contact_ids).values_list(
        "contact_id", "tag_id"
    ):
        tags[pk].append(tag_id)
    return [
        {
            **{name: _plain(value) for name, value in row.items()},
            "emails": emails[row["id"]],
            "tag_ids": tags[row["id"]],
        }
        for row in rows
    ]


def _plain(value: object) -> object:
    """A value as JSON can hold it; dates and times in full (field.to_python reads them)."""
    return value.isoformat() if isinstance(value, date) else value


def _restore(owner_id: int, previous: list[dict[str, Any]]) -> None:
    """Put updated contacts back as _snapshot() saw them, without the emails and tags the
    import added."""
    if not previous:
        return
    contacts = []
    for saved in previous:
        contact = Contact(id=saved["id"], owner_id=owner_id)
        for field in _SNAPSHOT_FIELDS:
            setattr(contact, field.attname, field.to_python(saved[field.attname]))
        contacts.append(contact)
    Contact.objects.bulk_update(contacts, [f.name for f in _SNAPSHOT_FIELDS], batch_size=200)
    ids = [saved["id"] for saved in previous]
    emails = {(saved["id"], email) for saved in previous for email in saved["emails"]}
    added = [
        pk
        for pk, contact_id, email in ContactEmail.objects.filter(contact_id__in=ids).values_list(
            "id", "contact_id", "email"
        )
        if (contact_id, email) not in emails
    ]
    ContactEmail.objects.filter(id__in=added).delete()
    tags = {(saved["id"], tag_id) for saved in previous for tag_id in saved["tag_ids"]}
    added = [
        pk
        for pk, contact_id, tag_id in ContactTag.objects.filter(contact_id__in=ids).values_list(
            "id", "contact_id", "tag_id"
        )
        if (contact_id, tag_id) not in tags
    ]
    ContactTag.objects.filter(id__in=added).delete()


def _pacer() -> Callable[[], None]:
    """A pause now and then between undone batches, on SQLite, for other writers."""
    since = time.monotonic()

    def make_way() -> None:
        nonlocal since
        if connection.vendor == "sqlite" and time.monotonic() - since >= jobs.MAKE_WAY_EVERY:
            time.sleep(jobs.MAKE_WAY_FOR)
            since = time.monotonic()

    return make_way


def undo(job: ImportJob, clock: Clock) -> None:
    """Undo the job's batches, last first, each in its own transaction; then end it."""
    make_way = _pacer()
    while _undo_last_batch(job, clock):
        make_way()
    canceled = ImportJob.objects.filter(id=job.id, cancel_requested=True).exists()
    with transaction.atomic():
        ended = ImportJob.objects.filter(
            id=job.id, lease_token=job.lease_token, status=Status.RUNNING, batches_done=0
        ).update(
            status=Status.CANCELED if canceled else Status.FAILED,
            finished_at=clock(),
            lease_token="",
            leased_until=None,
        )
        if not ended:
            raise jobs.LeaseLost
        ImportUpload.objects.filter(job=job.id).delete()


def _undo_last_batch(job: ImportJob, clock: Clock) -> bool:
    with transaction.atomic():
        lock_owner(job.owner_id)
        batch = ImportJobBatch.objects.filter(job_id=job.id).order_by("-number").first()
        if batch is None:
            return False
        created, updated = len(batch.created_ids), len(batch.previous)
        moved = ImportJob.objects.filter(
            id=job.id, lease_token=job.lease_token, status=Status.RUNNING
        ).update(
            batches_done=batch.number - 1,
            processed=F("processed") - created - updated,
            created=F("created") - created,
            updated=F("updated") - updated,
            leased_until=clock() + jobs.LEASE,
        )
        if not moved:
            raise jobs.LeaseLost
        _restore(job.owner_id, batch.previous)
        Contact.objects.filter(owner_id=job.owner_id, id__in=batch.created_ids).delete()
        Tag.objects.filter(
            owner_id=job.owner_id, id__in=batch.created_tag_ids, contacts__isnull=True
        ).delete()
        batch.delete()
    return True
