"""Running a large import in the worker: claim a job, read and plan its file, write the plan
in batches, finish or undo (network/import_jobs.py tells the whole story)."""

import logging
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from introloop.accounts.models import User
from introloop.bulk import cycle_collection_paused
from introloop.clock import Clock, moving_clock

from . import import_jobs as jobs
from .import_plan import ImportPlan, PlannedUpdate, plan_import
from .import_undo import snapshot, undo
from .importers.detect import parse_upload
from .importers.records import ContactRecord, ImportFileError, RowProblem
from .imports import (
    contact_rows,
    link_introducers,
    lock_owner,
    refresh_planner_statistics,
    write_plan_slice,
)
from .models import (
    ImportJob,
    ImportJobBatch,
    ImportRun,
    ImportUpload,
)

log = logging.getLogger(__name__)
Status = jobs.Status


def _claimable(now: datetime) -> QuerySet[ImportJob]:
    # One job per owner at a time: two imports planned on the same book would collide.
    busy_owner = ImportJob.objects.filter(
        owner=OuterRef("owner"), status=Status.RUNNING, leased_until__gt=now
    )
    return ImportJob.objects.filter(
        Q(status=Status.QUEUED) | Q(status=Status.RUNNING, leased_until__lte=now)
    ).exclude(Exists(busy_owner))


def claim_next_job(now: datetime) -> ImportJob | None:
    """Lease the oldest job waiting (or whose worker died), or None when there is none.

    The conditional UPDATE guarantees a single owner on both databases; SKIP LOCKED lets
    workers on PostgreSQL pass over a job another is claiming instead of waiting for it.
    """
    if not _claimable(now).exists():  # the common case, without taking SQLite's write lock
        return None
    for _ in range(5):
        token = secrets.token_hex(16)
        with transaction.atomic():
            found = (
                _claimable(now)
                .order_by("created_at", "id")
                .select_for_update(skip_locked=True)
                .values_list("id", "owner_id")
                .first()
            )
            if found is None:
                return None
            job_id, owner_id = found
            # Two workers claiming two jobs of one person: the second sees the first's claim.
            lock_owner(owner_id)
            claimed = (
                _claimable(now)
                .filter(id=job_id)
                .update(
                    status=Status.RUNNING,
                    lease_token=token,
                    leased_until=now + jobs.LEASE,
                    attempts=F("attempts") + 1,
                    started_at=Coalesce(F("started_at"), Value(now)),
                )
            )
        if claimed == 1:
            return ImportJob.objects.select_related("upload").get(id=job_id)
    return None


def run_next(
    now: datetime,
    *,
    clock: Clock | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Claim one job and run it to its end; 1 if there was one, else 0."""
    job = claim_next_job(now)
    if job is None:
        return 0
    run_job(job, now, clock=clock, on_batch=on_batch)
    return 1


def run_job(
    job: ImportJob,
    now: datetime,
    *,
    clock: Clock | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> None:
    """Run a job this worker claimed: import it batch by batch, or undo it if it failed or
    was canceled. Stops quietly when another worker took it over.

    `now` stamps the contacts written; `clock()` (moving on from `now`) renews the lease.
    `on_batch(number)` is called after each batch is committed.
    """
    clock = clock or moving_clock(now)
    with _fewer_checkpoints(), cycle_collection_paused():
        _run(job, now, clock, on_batch)


def _run(
    job: ImportJob, now: datetime, clock: Clock, on_batch: Callable[[int], None] | None
) -> None:
    try:
        if job.attempts > jobs.MAX_ATTEMPTS and not (job.failure or job.cancel_requested):
            log.error("Import job %s: giving up after %d attempts", job.id, job.attempts)
            _fail(job, jobs.FAILED, clock)
        if not (job.failure or job.cancel_requested):
            try:
                _import(job, now, clock, on_batch)
                return
            except jobs.Interrupted:
                _check_still_held(job)  # else canceled, or failed: undone below
            except jobs.LeaseLost:
                raise
            except ImportFileError as error:
                _fail(job, str(error), clock)
            except Exception:
                log.exception("Import job %s failed", job.id)
                _fail(job, jobs.FAILED, clock)
        undo(job, clock)
    except (jobs.LeaseLost, jobs.Interrupted):
        log.info("Import job %s was taken over by another worker", job.id)


def _import(
    job: ImportJob, now: datetime, clock: Clock, on_batch: Callable[[int], None] | None
) -> None:
    upload = job.upload
    if upload is None:  # cannot be: the upload goes when the job ends
        raise ImportFileError("The file of this import is gone; upload it again.")
    parsed = parse_upload(
        bytes(upload.data),
        filename=upload.filename,
        format=upload.format or None,
        mapping=upload.mapping,
    )
    job.upload = None  # this worker no longer needs the file in memory
    owner = job.owner
    # A resumed job plans again: rows of the batches written already now match their contacts.
    plan = plan_import(owner, parsed)
    _save_plan(job, plan, clock)
    for creates, rows, updates in _prepared(plan, owner.pk, now):
        _write_batch(job, owner, creates, rows, updates, now, clock)
        if on_batch:
            on_batch(job.batches_done)
    _finish(job, owner, plan, clock)


Slice = tuple[list[ContactRecord], list[tuple[object, ...]], list[PlannedUpdate]]


def _prepared(plan: ImportPlan, owner_id: int, now: datetime) -> Iterator[Slice]:
    """The plan's slices, each with its new contacts' rows made before its transaction.

    On SQLite, where one writer writes at a time and a writer kept waiting tries again every
    100 ms, the rows of the next slices are made in one stretch of MAKE_WAY_FOR every
    MAKE_WAY_EVERY seconds: other writers get in meanwhile, and the worker loses no time (it
    sleeps only when nothing is left to make).
    """
    sqlite = connection.vendor == "sqlite"
    slices = _slices(plan, jobs.BATCH_ROWS)
    ready: deque[Slice] = deque()
    writing_since = time.monotonic()
    while True:
        due = sqlite and time.monotonic() - writing_since >= jobs.MAKE_WAY_EVERY
        if due or not ready:
            gap = time.monotonic()
            for creates, updates in slices:
                ready.append((creates, contact_rows(owner_id, creates, now), updates))
                if not sqlite or time.monotonic() - gap >= jobs.MAKE_WAY_FOR:
                    break
            if not ready:
                return
            if due:
                time.sleep(max(0.0, jobs.MAKE_WAY_FOR - (time.monotonic() - gap)))
            if time.monotonic() - gap >= jobs.MAKE_WAY_FOR:
                writing_since = time.monotonic()
        yield ready.popleft()


def _slices(
    plan: ImportPlan, size: int
) -> Iterator[tuple[list[ContactRecord], list[PlannedUpdate]]]:
    """The plan's creates, then its updates, `size` at a time."""
    creates, updates = plan.creates, plan.updates
    n = len(creates)
    for start in range(0, n + len(updates), size):
        end = start + size
        yield creates[start:end], updates[max(start - n, 0) : max(end - n, 0)]


def _held(job: ImportJob) -> QuerySet[ImportJob]:
    """The job, while this worker holds it and nobody asked it to stop."""
    return ImportJob.objects.filter(
        id=job.id,
        lease_token=job.lease_token,
        status=Status.RUNNING,
        cancel_requested=False,
        failure="",
    )


def _check_still_held(job: ImportJob) -> None:
    """After an interruption: raise LeaseLost unless this worker still holds the job (which
    then has to be undone), and note why it stopped."""
    state = (
        ImportJob.objects.filter(id=job.id, lease_token=job.lease_token, status=Status.RUNNING)
        .values("cancel_requested", "failure")
        .first()
    )
    if state is None:
        raise jobs.LeaseLost
    job.cancel_requested, job.failure = state["cancel_requested"], state["failure"]


def _problems(problems: list[RowProblem]) -> list[dict[str, object]]:
    return [{"line": p.line, "message": p.message} for p in problems]


def _save_plan(job: ImportJob, plan: ImportPlan, clock: Clock) -> None:
    values = {
        "read_as": plan.format,
        "rows": plan.total_rows,
        "errors": _problems(plan.errors),
        "warnings": _problems(plan.warnings),
        "total": F("processed") + len(plan.creates) + len(plan.updates),
        "leased_until": clock() + jobs.LEASE,
    }
    if job.batches_done == 0:
        # A resumed job keeps its first plan's figure: its own batches now count as unchanged.
        values["unchanged"] = plan.unchanged
    if not _held(job).update(**values):
        raise jobs.Interrupted


def _write_batch(
    job: ImportJob,
    owner: User,
    creates: list[ContactRecord],
    rows: list[tuple[object, ...]],
    updates: list[PlannedUpdate],
    now: datetime,
    clock: Clock,
) -> None:
    """Write one slice of the plan and what undoing it takes, in one transaction."""
    number = job.batches_done + 1
    with transaction.atomic():
        lock_owner(owner.pk)
        moved = (
            _held(job)
            .filter(batches_done=number - 1)
            .update(
                batches_done=number,
                processed=F("processed") + len(creates) + len(updates),
                created=F("created") + len(creates),
                updated=F("updated") + len(updates),
                leased_until=clock() + jobs.LEASE,
            )
        )
        if not moved:
            raise jobs.Interrupted
        previous = snapshot([u.contact_id for u in updates])
        written = write_plan_slice(owner, creates, updates, now=now, rows=rows)
        ImportJobBatch.objects.create(
            job_id=job.id,
            number=number,
            created_ids=written.created_ids,
            previous=previous,
            created_tag_ids=written.created_tag_ids,
        )
    job.batches_done = number


def _finish(job: ImportJob, owner: User, plan: ImportPlan, clock: Clock) -> None:
    with transaction.atomic():
        lock_owner(owner.pk)
        at = clock()
        ended = (
            _held(job)
            .filter(batches_done=job.batches_done)
            .update(status=Status.DONE, finished_at=at, lease_token="", leased_until=None)
        )
        if not ended:
            raise jobs.Interrupted
        ImportUpload.objects.filter(job=job.id).delete()
        # Introducers that came in a later batch than the contacts they introduced.
        link_introducers(owner, [*plan.creates, *(u.record for u in plan.updates)])
        ImportJobBatch.objects.filter(job_id=job.id).delete()
        figures = ImportJob.objects.filter(id=job.id).values(
            "filename", "read_as", "created", "updated", "unchanged"
        )[0]
        ImportRun.objects.create(
            owner=owner,
            filename=figures["filename"],
            format=figures["read_as"],
            created=figures["created"],
            updated=figures["updated"],
            unchanged=figures["unchanged"],
            rejected=len(plan.errors),
            finished_at=at,
        )
    refresh_planner_statistics(len(plan.creates))


def _fail(job: ImportJob, message: str, clock: Clock) -> None:
    """Record why the job failed; its batches are undone next."""
    if not ImportJob.objects.filter(
        id=job.id, lease_token=job.lease_token, status=Status.RUNNING
    ).update(failure=message[:2000], leased_until=clock() + jobs.LEASE):
        raise jobs.LeaseLost
    job.failure = message


@contextmanager
def _fewer_checkpoints() -> Iterator[None]:
    """On SQLite, let the write-ahead log grow to CHECKPOINT_PAGES for the job's batches."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        (usual,) = cursor.fetchone()
        cursor.execute(f"PRAGMA wal_autocheckpoint={jobs.CHECKPOINT_PAGES:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(usual):d}")
