"""Large imports in the background: a job that the worker runs in batches.

A file of more than IMPORT_BACKGROUND_ROWS rows (`estimate_rows`, milliseconds for 20 MB) is
not read in the web request: `start_job` stores it and the request answers at once. A worker
claims the job (`claim_next_job`: a conditional UPDATE, plus SKIP LOCKED on PostgreSQL, as
outbox/delivery.py does), reads and plans the file as a small import would (`plan_import`),
then writes the plan in batches of BATCH_ROWS contacts (`write_plan_slice`, the small import's
writer), each batch its own short transaction: other writers never wait long behind an import,
on SQLite either.

Atomic in effect: each batch records, in its own transaction, what undoing it takes (the
contacts it created, the contacts it updated as they were: `ImportJobBatch`). A job that fails,
or that its owner cancels, undoes its batches, last first, and leaves the book as it was.

Resumable: the worker holds a lease on the job, renewed by every batch, and each batch's
conditional UPDATE of the job checks the lease's token and the number of the last batch
written, so only the worker holding the job writes, and each batch once. When a worker dies
(kill -9), the lease runs out and another worker claims the job: it reads and plans the file
again, and the rows of the batches already written now match the contacts they created (as
when the same file is imported twice), so nothing is imported twice.

The job is in three modules: this one (what a web request does: estimate, start, cancel; and
the settings the others share), import_worker.py (claiming and running a job in batches) and
import_undo.py (what each batch keeps to be undone, and undoing it).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from introloop.accounts.models import User
from introloop.clock import Clock

from .importers import linkedin
from .importers.decoding import decode_text
from .importers.detect import parse_upload
from .importers.records import ParseResult
from .models import ImportJob, ImportUpload

Status = ImportJob.Status
__all__ = ["Clock", "Status"]

BATCH_ROWS = 1000  # contacts a batch writes: ~50 ms on SQLite
LEASE = timedelta(minutes=2)  # renewed by every batch; reading and planning 200,000 rows: ~10 s
MAX_ATTEMPTS = 5  # claims of one job (its workers died) before it is given up, and undone
KEEP_ENDED = timedelta(days=30)  # ended jobs stay listed on the import page this long
ZIP_BYTES_PER_ROW = 100  # a LinkedIn row is 100 to 150 bytes: a ZIP's rows are not undercounted
HEAD_CHARS = 65536  # what a web request reads of a large file to refuse a bad one at once
# SQLite lets one writer in at a time, and a writer kept waiting tries again every 100 ms (its
# busy handler): batches back to back would starve it. After at most this many seconds of
# batches, the worker stays out of transactions for longer than that (making the next batches'
# rows, or sleeping), so that nobody waits a second behind an import (0.8 s let the slowest
# write of the load benchmark wait 1.06 s).
MAKE_WAY_EVERY = 0.5
MAKE_WAY_FOR = 0.11
# A batch dirties more pages than SQLite's WAL holds before it copies them back into the
# database (1,000 pages): a job lets it grow to this many first, so that pages rewritten by
# consecutive batches are copied once (a 200,000-row import took 30% longer without).
CHECKPOINT_PAGES = 20000

FAILED = "Something went wrong while importing this file. Try again; if it fails again, tell us."


class Interrupted(Exception):
    """The job's row did not match this worker's view of it: lost, canceled or failing."""


class LeaseLost(Exception):
    """Another worker holds the job now: this one stops without writing."""


# --- Before the job: in the web request ---------------------------------------------------


def estimate_rows(data: bytes) -> int:
    """How many contacts a file holds, guessed without parsing it: the lines of a CSV, the
    cards of a vCard, the contacts of an Introloop JSON export, and for LinkedIn's ZIP the size
    of Connections.csv from the ZIP's directory (nothing is unpacked). Raises ImportFileError
    for a ZIP that parse_upload() would refuse (a ZIP bomb…)."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return linkedin.declared_connections_size(data) // ZIP_BYTES_PER_ROW
    if data[:256].lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        return data.count(b'"full_name"')
    if b"BEGIN:VCARD" in data[:HEAD_CHARS].upper():
        return data.upper().count(b"BEGIN:VCARD")
    return data.count(b"\n")


def runs_in_background(data: bytes) -> bool:
    """True when a file is too large to import in a web request (IMPORT_BACKGROUND_ROWS)."""
    return estimate_rows(data) > settings.IMPORT_BACKGROUND_ROWS


def parse_head(
    data: bytes, *, filename: str, format: str | None = None, mapping: dict[str, str] | None = None
) -> ParseResult:
    """The first rows of a large file, read as the whole file will be: refuses at once what the
    job would refuse (not a contacts file, the wrong format chosen), and gives a generic CSV's
    columns and guessed mapping (or raises MappingRequired, as parse_upload() does). A ZIP's
    limits are checked by estimate_rows(); a JSON export is only read whole, by the job."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return ParseResult(format="linkedin", records=[])
    text = decode_text(data)
    if text[:256].lstrip()[:1] == "{":
        return ParseResult(format="json", records=[])
    head = text[:HEAD_CHARS]
    if len(text) > HEAD_CHARS and "\n" in head:
        head = head[: head.rindex("\n") + 1]
    return parse_upload(head.encode(), filename=filename, format=format, mapping=mapping)


def start_job(
    owner: User,
    data: bytes,
    *,
    filename: str,
    format: str = "",
    mapping: dict[str, str] | None = None,
    now: datetime,
) -> ImportJob:
    """Queue a large import; the worker runs it (`run_next`)."""
    with transaction.atomic():
        upload = ImportUpload.objects.create(
            owner=owner,
            filename=filename[:255],
            data=data,
            format=format,
            mapping=mapping,
            created_at=now,
        )
        return start_job_from_upload(upload, now=now)


def start_job_from_upload(upload: ImportUpload, *, now: datetime) -> ImportJob:
    """Queue the import of an uploaded file (a large generic CSV, once its owner said which
    column is which); the job keeps the upload until it ends."""
    return ImportJob.objects.create(
        owner_id=upload.owner_id, upload=upload, filename=upload.filename, created_at=now
    )


def request_cancel(job: ImportJob, now: datetime) -> None:
    """Cancel a job for its owner: a queued one ends at once; a running one is undone by its
    worker before its next batch. A job that has ended stays as it is."""
    with transaction.atomic():
        if ImportJob.objects.filter(id=job.id, status=Status.QUEUED).update(
            status=Status.CANCELED, finished_at=now
        ):
            ImportUpload.objects.filter(job=job.id).delete()
            return
    ImportJob.objects.filter(id=job.id, status=Status.RUNNING).update(cancel_requested=True)


def prune_ended_jobs(now: datetime) -> int:
    """Forget jobs that ended more than KEEP_ENDED ago (their file went when they ended)."""
    ended = [Status.DONE, Status.FAILED, Status.CANCELED]
    deleted, _ = ImportJob.objects.filter(
        status__in=ended, finished_at__lt=now - KEEP_ENDED
    ).delete()
    return deleted
