"""/api/v1/imports: a contacts file, imported at once, or in the background when it is large
(network/import_jobs.py), with the job's progress and its cancel."""

import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from introloop import access
from introloop.accounts.requests import ApiRequest
from introloop.network import import_jobs
from introloop.network.import_views import read_upload
from introloop.network.importers.detect import parse_upload
from introloop.network.importers.records import FORMATS, ImportFileError
from introloop.network.imports import apply_import, plan_import
from introloop.network.models import ImportJob

router = Router(tags=["contacts"])


class Problem(Schema):
    line: int
    message: str


class ImportOut(Schema):
    format: str
    dry_run: bool
    created: int
    updated: int
    unchanged: int
    errors: list[Problem]
    warnings: list[Problem]


class ImportJobStarted(Schema):
    id: int
    status: str  # queued


class ImportJobOut(Schema):
    id: int
    status: str  # queued, running, done, failed or canceled
    processed: int  # contacts written so far (new and updated)
    total: int  # contacts to write; 0 until the file is read
    created: int
    updated: int
    unchanged: int
    errors: list[Problem]  # skipped rows, known once the file is read


@router.post(
    "/imports",
    response={200: ImportOut, 202: ImportJobStarted},
    summary="Import a contacts file (a large one in the background)",
)
def import_contacts(
    request: ApiRequest,
    file: UploadedFile = File(...),
    format: str = Form(""),
    dry_run: bool = Form(False),
    mapping: str = Form(""),
):
    """Upload LinkedIn's Connections.csv or export ZIP, a vCard, a Google Contacts CSV, an
    Introloop export, or any CSV (with `mapping`: a JSON object from column header to field).
    `dry_run=true` answers what would happen without changing anything.

    A file of more than IMPORT_BACKGROUND_ROWS rows (2,000 unless configured) is imported in
    the background: the answer is 202 with the job's `id`; follow it at `GET /imports/{id}`.
    `dry_run` is refused (422) for such a file."""
    if format and format not in FORMATS:
        raise HttpError(422, f"format must be one of {', '.join(FORMATS)}")
    try:
        column_map = json.loads(mapping) if mapping else None
    except json.JSONDecodeError:
        raise HttpError(422, "mapping must be a JSON object of column header → field") from None
    if column_map is not None and not isinstance(column_map, dict):
        raise HttpError(422, "mapping must be a JSON object of column header → field")
    try:
        data = read_upload(file)
        filename = file.name or "upload"
        if import_jobs.runs_in_background(data):
            return _start_job(request, data, filename, format, column_map, dry_run)
        parsed = parse_upload(data, filename=filename, format=format or None, mapping=column_map)
    except ImportFileError as error:
        raise HttpError(422, str(error)) from None
    if dry_run:
        with transaction.atomic():
            plan = plan_import(request.auth, parsed)
    else:
        plan = apply_import(request.auth, parsed, now=timezone.now(), filename=filename).plan
    return {
        "format": plan.format,
        "dry_run": dry_run,
        "created": len(plan.creates),
        "updated": len(plan.updates),
        "unchanged": plan.unchanged,
        "errors": [{"line": p.line, "message": p.message} for p in plan.errors],
        "warnings": [{"line": p.line, "message": p.message} for p in plan.warnings],
    }


def _start_job(
    request: ApiRequest,
    data: bytes,
    filename: str,
    format: str,
    mapping: dict[str, str] | None,
    dry_run: bool,
) -> Status:
    if dry_run:
        rows = settings.IMPORT_BACKGROUND_ROWS
        raise HttpError(
            422,
            f"dry_run is for files of up to {rows:,} rows; this one has about "
            f"{import_jobs.estimate_rows(data):,}, so it is imported in the background, "
            "without a preview. Import it without dry_run (canceling the import undoes it), "
            "or try a part of the file first.",
        )
    # Refuse a bad file now, with the reason, rather than as a failed job later.
    import_jobs.parse_head(data, filename=filename, format=format or None, mapping=mapping)
    job = import_jobs.start_job(
        request.auth, data, filename=filename, format=format, mapping=mapping, now=timezone.now()
    )
    return Status(202, {"id": job.id, "status": job.status})


def _get_job(request: ApiRequest, job_id: int) -> ImportJob:
    return access.get_or_404(ImportJob.objects.defer("warnings"), request.auth, id=job_id)


def _job_out(job: ImportJob) -> dict:
    return {
        "id": job.id,
        "status": job.status,
        "processed": job.processed,
        "total": job.total,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "errors": job.errors,
    }


@router.get("/imports/{int:job_id}", response=ImportJobOut, summary="A large import's progress")
def get_import_job(request: ApiRequest, job_id: int):
    """Poll it every second or two until `status` is done, failed or canceled."""
    return _job_out(_get_job(request, job_id))


@router.post(
    "/imports/{int:job_id}/cancel",
    response={200: ImportJobOut, 409: dict},
    summary="Cancel a large import, undoing it",
)
def cancel_import_job(request: ApiRequest, job_id: int):
    """A queued import is canceled at once; a running one stops before its next batch and its
    worker undoes it: the status is `running` until then, `canceled` once nothing of it is
    left. 409 when it is done or failed already."""
    import_jobs.request_cancel(_get_job(request, job_id), timezone.now())
    job = _get_job(request, job_id)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return Status(409, {"detail": f"This import has {job.status}; it cannot be canceled."})
    return _job_out(job)
