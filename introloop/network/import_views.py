"""Moving contacts in and out: upload, preview (with column mapping), commit; and exports.

A large file (network/import_jobs.py) skips the preview: it becomes a job that the worker
imports in the background, and its page shows the progress until the result.
"""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from introloop import access
from introloop.accounts.requests import AuthedRequest

from . import exports, import_jobs
from .forms import ImportUploadForm
from .importers.csvmap import MAPPABLE_FIELDS, MappingRequired
from .importers.detect import FORMAT_NAMES, max_import_bytes, parse_upload
from .importers.records import ImportFileError, ParseResult
from .imports import apply_import, plan_import
from .models import ImportJob, ImportRun, ImportUpload

PREVIEW_ROWS = 25


def _get_upload_for_user(request: HttpRequest, upload_id: int) -> ImportUpload:
    # A file that a background import holds is that job's, not a preview's.
    waiting = ImportUpload.objects.filter(job__isnull=True)
    return access.get_or_404(waiting, request.user, id=upload_id)


def _get_job_for_user(request: HttpRequest, job_id: int) -> ImportJob:
    return access.get_or_404(ImportJob, request.user, id=job_id)


def _parse(upload: ImportUpload, large: bool = False) -> ParseResult:
    """The upload's records; only its first rows when it is to be imported in the background."""
    read = import_jobs.parse_head if large else parse_upload
    return read(
        bytes(upload.data),
        filename=upload.filename,
        format=upload.format or None,
        mapping=upload.mapping,
    )


def _is_large(upload: ImportUpload) -> bool:
    try:
        return import_jobs.runs_in_background(bytes(upload.data))
    except ImportFileError:
        return False  # refused again, with the reason, when it is read whole


@login_required
def import_start(request: AuthedRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        chosen = form.cleaned_data["format"]
        large = False
        try:
            data = read_upload(upload)
            large = import_jobs.runs_in_background(data)
            read = import_jobs.parse_head if large else parse_upload
            mapping = read(data, filename=upload.name, format=chosen or None).mapping
        except MappingRequired as error:
            mapping = error.mapping  # the preview page asks which column is which
        except ImportFileError as error:
            form.add_error("file", str(error))
        if not form.errors:
            if large and mapping is None:
                job = import_jobs.start_job(
                    request.user, data, filename=upload.name, format=chosen, now=timezone.now()
                )
                return redirect("network:import_job", job_id=job.id)
            pending = ImportUpload.objects.create(
                owner=request.user,
                filename=upload.name[:255],
                data=data,
                format=chosen,
                mapping=mapping,
                created_at=timezone.now(),
            )
            return redirect("network:import_preview", upload_id=pending.id)
    context = {
        "form": form,
        "runs": access.scope(ImportRun, request.user)[:10],
        "jobs": access.scope(ImportJob.objects.defer("errors", "warnings"), request.user)[:5],
        "background_rows": settings.IMPORT_BACKGROUND_ROWS,
        "nav": "contacts",
    }
    return render(request, "network/import_start.html", context)


def read_upload(upload) -> bytes:
    """The uploaded bytes, refusing files over the limit before reading them all."""
    limit = max_import_bytes()
    if upload.size > limit:
        raise ImportFileError(
            f"This file is {upload.size / 1048576:.1f} MB; the limit is "
            f"{limit / 1048576:.0f} MB. Split it, or export fewer contacts at a time."
        )
    return upload.read()


class MappingForm(forms.Form):
    def __init__(self, columns: list[str], mapping: dict[str, str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        for i, column in enumerate(columns):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=column or f"Column {i + 1}",
                choices=[(f, label) for f, label in MAPPABLE_FIELDS],
                required=False,
                initial=mapping.get(column, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {
            column: self.cleaned_data[f"col_{i}"]
            for i, column in enumerate(self.columns)
            if self.cleaned_data.get(f"col_{i}")
        }


def _columns(upload: ImportUpload, large: bool = False) -> list[str]:
    """The generic CSV's header row, in file order."""
    try:
        return _parse(upload, large).columns or list(upload.mapping or {})
    except MappingRequired as error:
        return error.columns
    except ImportFileError:
        return list(upload.mapping or {})


@login_required
def import_preview(request: AuthedRequest, upload_id: int) -> HttpResponse:
    upload = _get_upload_for_user(request, upload_id)
    # Too large to preview: the page only asks which column is which, then starts a job.
    large = _is_large(upload)
    mapping_form = None
    if upload.mapping is not None and request.method == "POST":
        mapping_form = MappingForm(_columns(upload, large), upload.mapping, request.POST)
        if mapping_form.is_valid():
            upload.mapping = mapping_form.mapping()
            upload.save(update_fields=["mapping"])
            return redirect("network:import_preview", upload_id=upload.id)
    plan, file_error = None, ""
    try:
        parsed = _parse(upload, large)
    except ImportFileError as error:
        file_error = str(error)
    else:
        plan = None if large else plan_import(request.user, parsed)
    if upload.mapping is not None and mapping_form is None:
        mapping_form = MappingForm(_columns(upload, large), upload.mapping)
    context = {
        "upload": upload,
        "plan": plan,
        "large": large,
        "estimated_rows": import_jobs.estimate_rows(bytes(upload.data)) if large else 0,
        "file_error": file_error,
        "mapping_form": mapping_form,
        "format_name": FORMAT_NAMES.get(plan.format, plan.format) if plan else "",
        "creates": plan.creates[:PREVIEW_ROWS] if plan else [],
        "updates": plan.updates[:PREVIEW_ROWS] if plan else [],
        "nav": "contacts",
    }
    return render(request, "network/import_preview.html", context)


@login_required
@require_POST
def import_commit(request: AuthedRequest, upload_id: int) -> HttpResponse:
    upload = _get_upload_for_user(request, upload_id)
    large = _is_large(upload)
    try:
        parsed = _parse(upload, large)
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("network:import_preview", upload_id=upload.id)
    if large:
        job = import_jobs.start_job_from_upload(upload, now=timezone.now())
        return redirect("network:import_job", job_id=job.id)
    outcome = apply_import(request.user, parsed, now=timezone.now(), filename=upload.filename)
    upload.delete()
    plan = outcome.plan
    summary = (
        f"Imported {upload.filename}: {len(plan.creates)} new, {len(plan.updates)} updated, "
        f"{plan.unchanged} unchanged"
    )
    if plan.errors:
        summary += f"; {len(plan.errors)} row{'s' * (len(plan.errors) != 1)} skipped"
    messages.success(request, summary + ".")
    return redirect("network:list")


@login_required
@require_POST
def import_cancel(request: AuthedRequest, upload_id: int) -> HttpResponse:
    _get_upload_for_user(request, upload_id).delete()
    messages.info(request, "Import cancelled; nothing was changed.")
    return redirect("network:import")


@login_required
def import_job(request: AuthedRequest, job_id: int) -> HttpResponse:
    """A background import's progress; HTMX polls the progress part until the job ends."""
    job = _get_job_for_user(request, job_id)
    context = {"job": job, "nav": "contacts"}
    if request.htmx:
        return render(request, "network/_import_job.html", context)
    return render(request, "network/import_job.html", context)


@login_required
@require_POST
def import_job_cancel(request: AuthedRequest, job_id: int) -> HttpResponse:
    job = _get_job_for_user(request, job_id)
    import_jobs.request_cancel(job, timezone.now())
    if request.htmx:
        context = {"job": _get_job_for_user(request, job_id), "nav": "contacts"}
        return render(request, "network/_import_job.html", context)
    return redirect("network:import_job", job_id=job.id)


def export_response(owner, fmt: str) -> HttpResponse:
    content_type, extension = exports.EXPORT_FORMATS[fmt]
    if fmt == "csv":
        body = exports.contacts_csv(owner)
    elif fmt == "vcf":
        body = exports.contacts_vcard(owner)
    else:
        body = json.dumps(exports.contacts_json(owner), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="contacts-{stamp}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def export_contacts(request: AuthedRequest, fmt: str) -> HttpResponse:
    if fmt not in exports.EXPORT_FORMATS:
        return render(request, "404.html", status=404)
    return export_response(request.user, fmt)
