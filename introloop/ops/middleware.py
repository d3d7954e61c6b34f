"""A full disk or a read-only data directory gets a clear page, not a bare error."""

import logging

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from .health import storage_problems

log = logging.getLogger("introloop.storage")
# What SQLite and PostgreSQL say when they cannot write.
STORAGE_ERRORS = (
    "database or disk is full", "readonly database", "read-only", "disk i/o error",
    "no space left on device", "could not extend file", "unable to open database file",
)  # fmt: skip


class StorageErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError):
            return None
        if not any(words in str(exception).lower() for words in STORAGE_ERRORS):
            return None
        problems = storage_problems() or [f"The database refused to write: {exception}"]
        log.error("Storage failure on %s: %s", request.path, "; ".join(problems))
        message = "Introloop cannot save anything right now: its storage is full or read-only."
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=503)
        return render(request, "503_storage.html", {"message": message}, status=503)
