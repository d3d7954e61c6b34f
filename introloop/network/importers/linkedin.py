"""LinkedIn's Connections.csv, alone or inside LinkedIn's data export ZIP.

The file has seven columns in a fixed order (First Name, Last Name, URL, Email Address,
Company, Position, Connected On), headed in the account's language, sometimes after a few
note lines. Exports run to tens of thousands of rows, so the loop below does as little as
possible per row: no regex for the usual URL, dates parsed once per distinct value.
"""

import csv
import io
import re
import zipfile
from collections.abc import Callable
from datetime import date

from .cleaning import PROGRESS_EVERY, ResultBuilder, parse_iso_date, parse_named_month_date
from .decoding import decode_text, normalize_email, normalize_linkedin_url
from .records import MAX_LENGTHS, ContactRecord, ImportFileError, ParseResult

COLUMNS = 7
# Headers LinkedIn writes in a few languages; detection does not depend on them (any language
# works: seven columns, the third one "URL"), but they let a file with no rows be recognised.
KNOWN_HEADERS = (
    ("first name", "last name", "url", "email address", "company", "position", "connected on"),
    ("prénom", "nom", "url", "adresse e-mail", "entreprise", "poste", "date de connexion"),
    ("vorname", "nachname", "url", "e-mail-adresse", "unternehmen", "position", "verbunden am"),
)
HEADER_SEARCH_ROWS = 20  # note lines LinkedIn may put before the header
MAX_MEMBER_BYTES = 100 * 1024 * 1024

NOT_CONNECTIONS = (
    "This file is not LinkedIn's Connections.csv: its columns should be First Name, Last Name, "
    "URL, Email Address, Company, Position and Connected On."
)
NO_CONNECTIONS_IN_ZIP = (
    "This ZIP file has no Connections.csv; LinkedIn's data export has one. "
    "If it is a spreadsheet, save it as CSV first."
)

# The form LinkedIn writes, once lower-cased already canonical; anything else takes the slow path.
_canonical_profile = re.compile(r"https://www\.linkedin\.com/in/[a-z0-9_-]+").fullmatch
# Names, companies and titles together no longer than this cannot need cutting.
_SHORTEST_LIMIT = min(MAX_LENGTHS[f] for f in ("given_name", "family_name", "company", "title"))


def is_header(row: list[str]) -> bool:
    """Seven columns (trailing empty cells aside), the third one "URL"."""
    cells = _without_trailing_empty(row)
    return len(cells) == COLUMNS and cells[2].strip().upper() == "URL"


def _without_trailing_empty(row: list[str]) -> list[str]:
    if len(row) > COLUMNS and not "".join(row[COLUMNS:]).strip():
        return row[:COLUMNS]
    return row


def find_header(rows: list[list[str]]) -> int | None:
    """Index of the header among the first rows of a file, or None."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if is_header(row):
            return index
    return None


def looks_like_connections(rows: list[list[str]]) -> bool:
    """True when the first rows of a CSV are LinkedIn's header and LinkedIn's rows."""
    index = find_header(rows)
    if index is None:
        return False
    urls = [row[2] for row in rows[index + 1 :] if len(row) > 2 and row[2].strip()]
    if urls:
        return any("linkedin.com" in url.lower() for url in urls)
    header = tuple(cell.strip().lower() for cell in rows[index][:COLUMNS])
    return header in KNOWN_HEADERS


def parse_connections(
    text: str,
    *,
    delimiter: str = ",",
    progress: Callable[[int, int], None] | None = None,
) -> ParseResult:
    """Records from the text of a Connections.csv."""
    builder = ResultBuilder("linkedin", progress=progress, expected=text.count("\n"))
    result = builder.result
    records = result.records
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    for _ in range(HEADER_SEARCH_ROWS):
        row = next(reader, None)
        if row is None:
            break
        if is_header(row):
            result.columns = [cell.strip() for cell in row[:COLUMNS]]
            break
    if result.columns is None:
        raise ImportFileError(NOT_CONNECTIONS)

    _read_rows(reader, builder, progress)
    result.total_rows = len(records) + len(result.errors)
    if progress:
        progress(result.total_rows, result.total_rows)
    return result


def _read_rows(reader, builder: ResultBuilder, progress) -> None:
    """The hot loop: one record per row, the common rules inlined (~2 µs a row on top of csv)."""
    append = builder.result.records.append
    new_record = _new_record
    canonical = _canonical_profile
    columns = COLUMNS
    shortest_limit = _SHORTEST_LIMIT
    dates: dict[str, date | None] = {}
    seen = 0
    next_report = PROGRESS_EVERY if progress else -1
    previous_line = reader.line_num
    for row in reader:
        line = previous_line + 1
        previous_line = reader.line_num
        if len(row) != columns and not (row := _seven_cells(builder, line, row)):
            continue
        first, last, url, email, company, position, connected = row
        first = first.strip()
        last = last.strip()
        url = url.strip()
        email = email.strip()
        if not (first or last or url or email):
            if "".join(row).strip():
                builder.reject(line, "no name, email or LinkedIn profile")
            continue  # else an empty row, e.g. ",,,,,," at the end of an edited file
        company = company.strip()
        position = position.strip()
        connected = connected.strip()

        if url:
            lowered = url.lower()
            url = lowered if canonical(lowered) else _slow_url(builder, line, url)
        if email:
            address = normalize_email(email)
            emails = [(address, "")] if address else _bad_email(builder, line, email)
        else:
            emails = []
        if len(first) + len(last) + len(company) + len(position) > shortest_limit:
            first, last, company, position = _cut(builder, line, first, last, company, position)
        full_name = f"{first} {last}" if first and last else first or last
        if not (full_name or emails or url):
            builder.reject(line, "no name, email or LinkedIn profile")
            continue
        if not connected:
            connected_on = None
        elif connected in dates:
            connected_on = dates[connected]
        else:
            connected_on = dates[connected] = _parse_connected_on(connected)
        if connected_on is None and connected:
            builder.warn(line, f"'{connected}' is not a date; the connection date was left empty")
        append(
            new_record(line, full_name, first, last, emails, url, company, position, connected_on)
        )
        seen += 1
        if seen == next_report:
            progress(seen, max(builder.expected, seen))
            next_report += PROGRESS_EVERY


def _seven_cells(builder: ResultBuilder, line: int, row: list[str]) -> list[str] | None:
    """The row without trailing empty cells, or None when it is not seven cells (rejected
    unless it is empty)."""
    row = _without_trailing_empty(row)
    if len(row) == COLUMNS:
        return row
    if row and "".join(row).strip():
        builder.reject(line, f"expected {COLUMNS} columns, found {len(row)}")
    return None


def _new_record(
    line: int,
    full_name: str,
    first: str,
    last: str,
    emails: list[tuple[str, str]],
    url: str,
    company: str,
    position: str,
    connected_on: date | None,
) -> ContactRecord:
    """A row's record, every field given by position: with keywords and defaults, building a
    record costs about three times as much."""
    return ContactRecord(
        line,
        full_name,
        first,  # given_name
        last,  # family_name
        emails,
        [],  # phones
        url,  # linkedin_url
        company,
        position,  # title
        "",  # industry
        "",  # location
        [],  # tags
        "",  # notes
        "",  # how_we_met
        "",  # how_they_can_help
        "",  # strength
        None,  # keep_in_touch_days
        "",  # birthday
        connected_on,
    )


def _parse_connected_on(value: str) -> date | None:
    return parse_named_month_date(value) or parse_iso_date(value)


def _slow_url(builder: ResultBuilder, line: int, url: str) -> str:
    normalized = normalize_linkedin_url(url)
    if not normalized:
        builder.warn(line, f"'{url}' is not a LinkedIn profile URL; the contact is kept without it")
    return normalized


def _bad_email(builder: ResultBuilder, line: int, email: str) -> list:
    builder.warn(line, f"'{email}' is not an email address; the contact is kept without it")
    return []


def _cut(builder: ResultBuilder, line: int, *values: str) -> list[str]:
    fields = (
        ("given_name", "first name"),
        ("family_name", "last name"),
        ("company", "company"),
        ("title", "position"),
    )
    cut = []
    for value, (name, words) in zip(values, fields, strict=True):
        limit = MAX_LENGTHS[name]
        if len(value) > limit:
            builder.warn(line, f"the {words} was longer than {limit} characters and was cut")
            value = value[:limit].rstrip()
        cut.append(value)
    return cut


# Text compresses about tenfold; a member that claims a hundredfold more is not a CSV.
MAX_RATIO = 100


def _open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, NotImplementedError for odd versions, OSError...
        raise ImportFileError("This ZIP file is damaged and cannot be opened.") from exc


_TOO_BIG = (
    f"Connections.csv in this ZIP file is larger than {MAX_MEMBER_BYTES // (1024 * 1024)} MB "
    "once unpacked; Introloop will not unpack it."
)


def _connections_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    """Connections.csv in LinkedIn's export ZIP, wherever it sits, if its declared sizes are
    those of a contacts file (the limits against ZIP bombs)."""
    try:
        members = archive.infolist()
    except Exception as exc:
        raise ImportFileError("This ZIP file is damaged and cannot be opened.") from exc
    names = [m.filename.replace("\\", "/") for m in members]
    wanted = [
        m
        for m, name in zip(members, names, strict=True)
        if name.rsplit("/", 1)[-1].lower() == "connections.csv"
    ]
    if not wanted:
        if any(name.startswith("xl/") for name in names):
            raise ImportFileError(
                "This is an Excel workbook. Open it and save it as CSV "
                "(File > Save As > CSV UTF-8), then import the CSV."
            )
        raise ImportFileError(NO_CONNECTIONS_IN_ZIP)
    member = min(wanted, key=lambda m: m.filename.count("/"))  # the top-most one
    if member.file_size > MAX_MEMBER_BYTES:
        raise ImportFileError(_TOO_BIG)
    if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * member.compress_size:
        raise ImportFileError(
            "Connections.csv in this ZIP file unpacks to far more than a contacts file would "
            "(a ZIP bomb?); Introloop will not unpack it."
        )
    return member


def declared_connections_size(data: bytes) -> int:
    """The unpacked size of Connections.csv as LinkedIn's ZIP declares it, read from the ZIP's
    directory without unpacking anything; ImportFileError as connections_from_zip() would."""
    return _connections_member(_open_zip(data)).file_size


def connections_from_zip(data: bytes) -> bytes:
    """The bytes of Connections.csv inside LinkedIn's export ZIP, wherever it sits."""
    archive = _open_zip(data)
    member = _connections_member(archive)
    try:
        with archive.open(member) as stream:
            content = stream.read(MAX_MEMBER_BYTES + 1)  # the size in the header may lie
    except RuntimeError as exc:  # encrypted
        raise ImportFileError(
            "This ZIP file is password-protected; Introloop cannot open it."
        ) from exc
    except Exception as exc:
        raise ImportFileError("This ZIP file is damaged and cannot be opened.") from exc
    if len(content) > MAX_MEMBER_BYTES:
        raise ImportFileError(_TOO_BIG)
    return content


def parse_export_zip(
    data: bytes, *, progress: Callable[[int, int], None] | None = None
) -> ParseResult:
    """Records from LinkedIn's data export ZIP."""
    text = decode_text(connections_from_zip(data))
    return parse_connections(text, progress=progress)
