"""Introloop's own exports (CSV and JSON), read back so that export -> import loses nothing.

The CSV conventions are defined here once, for the exporter and this reader alike:
EXPORT_CSV_HEADER, format_multi() for the Emails and Phones cells, neutralize_cell() for
cells a spreadsheet would run as formulas.
"""

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from ..services import InvalidContact, clean_intro_cap
from .cleaning import ResultBuilder, parse_birthday, parse_days, parse_iso_date
from .records import ContactRecord, ImportFileError, ParseResult

EXPORT_CSV_HEADER = [
    "Full name",
    "Given name",
    "Family name",
    "Emails",
    "Phones",
    "LinkedIn URL",
    "Company",
    "Title",
    "Industry",
    "Location",
    "Tags",
    "How we met",
    "How they could help",
    "Strength",
    "Keep in touch (days)",
    "Introductions a month at most",
    "Birthday",
    "Connected on",
    "Notes",
    "Source",
    "Introduced by UID",
    "UID",
]
# Exports made before the introduction cap had its column still read back.
_EARLIER_CSV_HEADER = [c for c in EXPORT_CSV_HEADER if c != "Introductions a month at most"]
_CAP_AT = EXPORT_CSV_HEADER.index("Introductions a month at most")
JSON_FORMAT = "introloop-contacts"
JSON_VERSION = 1
MULTI_SEPARATOR = " ::: "
TAG_SEPARATOR = ", "

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: str) -> str:
    """value, with a ' in front if a spreadsheet would run it as a formula.

    A value that already starts with quotes before such a character gets one more, so that
    the reader, which removes exactly one, gives back the value as it was.
    """
    if value.lstrip("'").startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def restore_cell(value: str) -> str:
    """Undo neutralize_cell()."""
    if value.startswith("'") and value.lstrip("'").startswith(_FORMULA_STARTS):
        return value[1:]
    return value


def _balanced(kind: str) -> bool:
    depth = 0
    for char in kind:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def format_multi(values: list[tuple[str, str]]) -> str:
    """ "ann@x.com (work) ::: ann@gmail.com" for the Emails and Phones cells."""
    items = []
    for value, kind in values:
        kind = kind.replace(":::", " ").strip()
        if not _balanced(kind):
            kind = kind.replace("(", "").replace(")", "")
        if kind:
            items.append(f"{value} ({kind})")
        elif value.endswith(")"):
            items.append(f"{value} ()")  # so "555 1234 (ext 12)" is not read as a kind
        else:
            items.append(value)
    return MULTI_SEPARATOR.join(items)


def parse_multi(cell: str) -> list[tuple[str, str]]:
    """Undo format_multi()."""
    values = []
    for item in cell.split(MULTI_SEPARATOR):
        item = item.strip()
        if not item:
            continue
        value, kind = item, ""
        if item.endswith(")"):
            depth = 0
            for i in range(len(item) - 1, -1, -1):
                depth += {")": 1, "(": -1}.get(item[i], 0)
                if depth == 0:
                    if i > 0 and item[i - 1] == " ":
                        value, kind = item[: i - 1].rstrip(), item[i + 1 : -1].strip()
                    break
        values.append((value, kind))
    return values


def is_export_header(row: list[str]) -> bool:
    return [cell.strip() for cell in row] in (EXPORT_CSV_HEADER, _EARLIER_CSV_HEADER)


def parse_export_csv(
    text: str, *, progress: Callable[[int, int], None] | None = None
) -> ParseResult:
    """Records from an Introloop CSV export."""
    builder = ResultBuilder("csv", progress=progress, expected=text.count("\n"))
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or not is_export_header(header):
        raise ImportFileError("This file's columns are not those of an Introloop CSV export.")
    columns = [cell.strip() for cell in header]
    builder.result.columns = columns
    width = len(columns)
    earlier = columns == _EARLIER_CSV_HEADER
    previous_line = reader.line_num
    for row in reader:
        line = previous_line + 1
        previous_line = reader.line_num
        if not "".join(row).strip():
            continue
        if len(row) != width:
            builder.reject(line, f"expected {width} columns, found {len(row)}")
            continue
        cells = [restore_cell(cell) for cell in row]
        if earlier:
            cells.insert(_CAP_AT, "")
        builder.keep(_record_from_row(line, cells, builder))
    return builder.finish()


def _record_from_row(line: int, row: list[str], builder: ResultBuilder) -> ContactRecord:
    (
        full_name, given_name, family_name, emails, phones, linkedin_url, company, title,
        industry, location, tags, how_we_met, how_they_can_help, strength, keep_in_touch,
        intro_cap, birthday, connected_on, notes, source, introduced_by_uid, uid,
    ) = row  # fmt: skip
    record = ContactRecord(
        line=line,
        full_name=full_name,
        given_name=given_name,
        family_name=family_name,
        emails=parse_multi(emails),
        phones=parse_multi(phones),
        linkedin_url=linkedin_url,
        company=company,
        title=title,
        industry=industry,
        location=location,
        tags=tags.split(","),
        notes=notes,
        how_we_met=how_we_met,
        how_they_can_help=how_they_can_help,
        strength=strength,
        source=source.strip().lower(),
        introduced_by_uid=introduced_by_uid,
        uid=uid,
    )
    _set_days_and_dates(
        record, keep_in_touch.strip(), birthday.strip(), connected_on.strip(), builder
    )
    record.intro_cap_per_month = read_intro_cap(intro_cap.strip() or None, line, builder)
    return record


def read_intro_cap(value: object, line: int, builder: ResultBuilder) -> int | None:
    """The contact's monthly cap on introductions from a CSV cell or a JSON value, or None
    (with a warning when the file holds something else).
    """
    if value is None:
        return None
    try:
        return clean_intro_cap(int(value) if isinstance(value, str) and value.isdigit() else value)
    except InvalidContact:
        builder.warn(line, f"'{value}' is not a number of introductions a month; no cap was set")
        return None


def _set_days_and_dates(
    record: ContactRecord, days: str, birthday: str, connected_on: str, builder: ResultBuilder
) -> None:
    line = record.line
    if days:
        record.keep_in_touch_days = parse_days(days)
        if record.keep_in_touch_days is None:
            builder.warn(line, f"'{days}' is not a number of days; 'keep in touch' was left empty")
    if birthday:
        record.birthday = parse_birthday(birthday) or ""
        if not record.birthday:
            builder.warn(
                line, f"'{birthday}' is not a birthday Introloop can read; it was left empty"
            )
    if connected_on:
        record.connected_on = parse_iso_date(connected_on)
        if record.connected_on is None:
            builder.warn(
                line, f"'{connected_on}' is not a date; the connection date was left empty"
            )


def is_export_json(document: object) -> bool:
    return isinstance(document, dict) and document.get("format") == JSON_FORMAT


_TEXT_KEYS = (
    "uid",
    "full_name",
    "given_name",
    "family_name",
    "linkedin_url",
    "company",
    "title",
    "industry",
    "location",
    "notes",
    "how_we_met",
    "how_they_can_help",
    "strength",
    "source",
    "introduced_by_uid",
)


class _WrongType(Exception):
    pass


def _text(entry: dict, key: str) -> str:
    value = entry.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _WrongType(f"'{key}' should be text")
    return value


def _pairs(entry: dict, key: str, value_key: str) -> list[tuple[str, str]]:
    items = entry.get(key) or []
    if not isinstance(items, list):
        raise _WrongType(f"'{key}' should be a list")
    pairs = []
    for item in items:
        if not isinstance(item, dict):
            raise _WrongType(f"each of '{key}' should be an object with '{value_key}' and 'kind'")
        value, kind = _text(item, value_key), _text(item, "kind")
        pairs.append((value, kind))
    return pairs


def parse_export_json(
    document: object, *, progress: Callable[[int, int], None] | None = None
) -> ParseResult:
    """Records from a parsed Introloop JSON export; ImportFileError if it has the wrong shape."""
    if not is_export_json(document) or not isinstance(document, dict):
        raise ImportFileError("This JSON file is not an Introloop contacts export.")
    version = document.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > JSON_VERSION:
        raise ImportFileError(
            f"This file was exported by a newer version of Introloop (format version {version}); "
            "update Introloop to import it."
        )
    contacts = document.get("contacts")
    if version != JSON_VERSION or not isinstance(contacts, list):
        raise ImportFileError(
            "This JSON file is not an Introloop contacts export: it should have "
            '"version": 1 and a list of "contacts".'
        )
    builder = ResultBuilder("json", progress=progress, expected=len(contacts), where="contact")
    for number, entry in enumerate(contacts, start=1):
        if not isinstance(entry, dict):
            builder.reject(number, "should be an object")
            continue
        try:
            record = _record_from_entry(number, entry, builder)
        except _WrongType as exc:
            builder.reject(number, str(exc))
            continue
        builder.keep(record)
    return builder.finish()


def _record_from_entry(number: int, entry: dict, builder: ResultBuilder) -> ContactRecord:
    texts: dict[str, Any] = {key: _text(entry, key) for key in _TEXT_KEYS}
    record = ContactRecord(line=number, **texts)
    record.source = record.source.strip().lower()
    record.emails = _pairs(entry, "emails", "email")
    record.phones = _pairs(entry, "phones", "number")
    tags = entry.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _WrongType("'tags' should be a list of text")
    record.tags = list(tags)
    days = entry.get("keep_in_touch_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int)):
        raise _WrongType("'keep_in_touch_days' should be a whole number or null")
    birthday = _text(entry, "birthday")
    connected_on = entry.get("connected_on")
    if connected_on is not None and not isinstance(connected_on, str):
        raise _WrongType("'connected_on' should be a date (YYYY-MM-DD) or null")
    if days is not None:
        if 0 < days <= 36500:
            record.keep_in_touch_days = days
        else:
            builder.warn(
                number, f"'{days}' is not a number of days; 'keep in touch' was left empty"
            )
    _set_days_and_dates(record, "", birthday.strip(), (connected_on or "").strip(), builder)
    record.intro_cap_per_month = read_intro_cap(entry.get("intro_cap_per_month"), number, builder)
    return record


def parse_export_json_text(
    text: str, *, progress: Callable[[int, int], None] | None = None
) -> ParseResult:
    """Records from the text of an Introloop JSON export."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"This JSON file is damaged (line {exc.lineno}: {exc.msg}).") from exc
    except RecursionError as exc:
        raise ImportFileError(
            "This JSON file is nested too deeply to be a contacts export."
        ) from exc
    return parse_export_json(document, progress=progress)
