"""The one entry point: uploaded bytes in, records out, whatever the format.

parse_upload() works out what the file is (or checks the user's choice against it), then
hands it to the module for that format. It raises nothing but ImportFileError.
"""

import csv
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from . import csvmap, google, introloop, linkedin, vcard
from .decoding import decode_text
from .records import FORMATS, ImportFileError, ParseResult

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # the IMPORT_MAX_BYTES setting overrides it
_SNIFF_CHARS = 65536
_SNIFF_ROWS = 30

FORMAT_NAMES = {
    "linkedin": "LinkedIn connections",
    "vcard": "vCard",
    "google": "Google Contacts",
    "csv": "CSV",
    "json": "Introloop JSON",
}
# What a file was found to be -> how to say it, and which chosen formats it can be read as.
_LOOKS_LIKE = {
    "zip": "a ZIP file",
    "linkedin": "LinkedIn's Connections.csv",
    "vcard": "a vCard file",
    "json": "a JSON file",
    "introloop-csv": "an Introloop CSV export",
    "google": "a Google Contacts CSV file",
    "csv": "a CSV file",
}
_READABLE_AS = {
    "zip": {"linkedin"},
    "linkedin": {"linkedin", "csv"},
    "vcard": {"vcard"},
    "json": {"json"},
    "introloop-csv": {"csv"},
    "google": {"google", "csv"},
    "csv": {"csv"},
}
_FORMAT_OF = {"zip": "linkedin", "introloop-csv": "csv"}


@dataclass
class _Sniffed:
    kind: str  # a key of _LOOKS_LIKE
    text: str = ""
    document: object = None  # parsed JSON
    delimiter: str = ","


def max_import_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", MAX_IMPORT_BYTES)


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    if value >= 10:
        return f"{value:.0f}"
    if value >= 0.1:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.2g}"


def parse_upload(
    data: bytes,
    *,
    filename: str = "",
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ParseResult:
    """The contacts in an uploaded file, with the rows that were rejected or changed.

    format is one of FORMATS, or None to detect it. mapping (column header -> field) is for
    generic CSV files; without it the columns are guessed (see ParseResult.mapping).
    progress(done, total) is called every thousand or so records. Raises ImportFileError,
    whose message is for the user, when the whole file is refused; nothing else.
    """
    try:
        return _parse(bytes(data), filename, format, mapping, progress)
    except ImportFileError:
        raise
    except csv.Error as exc:
        raise ImportFileError(f"This CSV file could not be read ({exc}).") from exc
    except Exception as exc:
        logger.exception("Could not parse an uploaded contacts file (%s)", filename)
        raise ImportFileError(
            "Introloop could not read this file; it may be damaged. Try exporting it again."
        ) from exc


def _parse(data, filename, format, mapping, progress) -> ParseResult:
    limit = max_import_bytes()
    if len(data) > limit:
        raise ImportFileError(
            f"This file is {_megabytes(len(data))} MB; Introloop imports files of up to "
            f"{_megabytes(limit)} MB."
        )
    if format is not None and format not in FORMATS:
        raise ImportFileError(f"'{format}' is not a format Introloop imports.")

    sniffed = _sniff(data, format)
    if format is None:
        format = "csv" if mapping is not None and "csv" in _READABLE_AS[sniffed.kind] else None
        format = format or _FORMAT_OF.get(sniffed.kind, sniffed.kind)
    elif format not in _READABLE_AS[sniffed.kind]:
        looks_like = _LOOKS_LIKE[sniffed.kind]
        raise ImportFileError(
            f"You chose {FORMAT_NAMES[format]}, but this file looks like {looks_like}."
        )

    kind, text = sniffed.kind, sniffed.text
    if kind == "zip":
        return linkedin.parse_export_zip(data, progress=progress)
    if kind == "vcard":
        return vcard.parse_vcards(text, progress=progress)
    if kind == "json":
        return introloop.parse_export_json(sniffed.document, progress=progress)
    if format == "linkedin":
        return linkedin.parse_connections(text, delimiter=sniffed.delimiter, progress=progress)
    if format == "google":
        return google.parse_google_csv(text, progress=progress)
    if kind == "introloop-csv" and mapping is None:
        return introloop.parse_export_csv(text, progress=progress)
    return csvmap.parse_mapped_csv(text, mapping, delimiter=sniffed.delimiter, progress=progress)


def _sniff(data: bytes, chosen: str | None) -> _Sniffed:
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _Sniffed("zip")
    text = decode_text(data)
    start = text[:_SNIFF_CHARS].lstrip()
    if start[:11].upper() == "BEGIN:VCARD":
        return _Sniffed("vcard", text)
    if chosen == "vcard" and "BEGIN:VCARD" in text[:_SNIFF_CHARS].upper():
        return _Sniffed("vcard", text)
    if start.startswith(("{", "[")):
        document = _json_or_none(text, must=start.startswith("{"))
        if document is not None:
            if chosen in (None, "json") and not introloop.is_export_json(document):
                raise ImportFileError("This JSON file is not an Introloop contacts export.")
            return _Sniffed("json", text, document)
    return _sniff_csv(text)


def _json_or_none(text: str, must: bool) -> object:
    """The parsed JSON; None if text is not JSON and need not be (a CSV can start with "[")."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if must:
            raise ImportFileError(
                f"This JSON file is damaged (line {exc.lineno}: {exc.msg})."
            ) from exc
        return None
    except RecursionError as exc:
        raise ImportFileError(
            "This JSON file is nested too deeply to be a contacts export."
        ) from exc


def _first_rows(text: str, delimiter: str) -> list[list[str]]:
    rows = []
    try:
        for row in csv.reader(io.StringIO(text[:_SNIFF_CHARS], newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) >= _SNIFF_ROWS:
                break
    except csv.Error:
        pass
    return rows


MAX_COLUMNS = 500  # a contacts export has a few dozen; 100,000 made the preview take minutes


def _refuse_too_wide(rows: list[list[str]]) -> None:
    widest = max((len(row) for row in rows), default=0)
    if widest > MAX_COLUMNS:
        raise ImportFileError(
            f"This file has {widest:,} columns or more; Introloop reads files of up to "
            f"{MAX_COLUMNS} columns (a contacts export has a few dozen). Check that it is the "
            "file you meant."
        )


def _sniff_csv(text: str) -> _Sniffed:
    rows = _first_rows(text, ",")
    _refuse_too_wide(rows)
    if linkedin.looks_like_connections(rows):
        return _Sniffed("linkedin", text)
    header = next((row for row in rows if "".join(row).strip()), [])
    if introloop.is_export_header(header):
        return _Sniffed("introloop-csv", text)
    if google.is_google_header(header):
        return _Sniffed("google", text)
    delimiter = csvmap.guess_delimiter(text)
    if delimiter != ",":
        rows = _first_rows(text, delimiter)
        _refuse_too_wide(rows)
        if linkedin.looks_like_connections(rows):
            return _Sniffed("linkedin", text, delimiter=delimiter)
    return _Sniffed("csv", text, delimiter=delimiter)
