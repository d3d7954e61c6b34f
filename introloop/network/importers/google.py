"""Google Contacts' CSV export, in both generations of its columns.

Since 2023: First Name, Middle Name, Last Name, ..., Organization Name, Labels, E-mail 1 - Label,
E-mail 1 - Value... Before: Name, Given Name, Family Name, ..., Group Membership, E-mail 1 - Type,
Organization 1 - Name... Only the columns a contact has data for are written ("E-mail 3 - Value"
exists only if someone has three), and several values can share one cell, joined by " ::: ".
"""

import csv
import io
import re
from collections.abc import Callable

from .cleaning import ResultBuilder, join_place, parse_birthday
from .decoding import normalize_linkedin_url
from .records import ContactRecord, ImportFileError, ParseResult

# Google's built-in groups, written with a "* " prefix. Friends, Family and Coworkers were
# groups people used as labels in the old Google Contacts, so they are kept.
_KEPT_SYSTEM_GROUPS = {
    "starred": "starred",
    "friends": "Friends",
    "family": "Family",
    "coworkers": "Coworkers",
}

_numbered = re.compile(r"(E-mail|Phone|Website|Address|Organization) (\d+) - (.+)")


def split_values(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(":::")] if ":::" in cell else [cell.strip()]


def tags_from_groups(cell: str) -> list[str]:
    """Labels or Group Membership -> tags; "* myContacts" and other system groups dropped."""
    tags = []
    for group in split_values(cell):
        if group.startswith("*"):
            kept = _KEPT_SYSTEM_GROUPS.get(group[1:].strip().lower())
            if kept:
                tags.append(kept)
        elif group:
            tags.append(group)
    return tags


def is_google_header(header: list[str]) -> bool:
    names = {h.strip() for h in header}
    has_name = bool(names & {"Name", "Given Name", "First Name", "Last Name", "Family Name"})
    numbered = any(_numbered.fullmatch(h) for h in names)
    generation = {"Labels", "File As", "Group Membership", "Additional Name"} & names
    return has_name and numbered and bool(generation)


class _Columns:
    """Where each thing Google writes sits in this file's header."""

    def __init__(self, header: list[str]):
        self.index: dict[str, int] = {}
        for i, name in enumerate(header):
            self.index.setdefault(name.strip(), i)
        # kind -> slot number -> {"Value": i, "Label": i, ...}
        self.slots: dict[str, dict[int, dict[str, int]]] = {}
        for name, i in self.index.items():
            match = _numbered.fullmatch(name)
            if match:
                what, slot, part = match.groups()
                self.slots.setdefault(what, {}).setdefault(int(slot), {})[part] = i

    def slot_values(self, what: str) -> list[dict[str, int]]:
        return [parts for _, parts in sorted(self.slots.get(what, {}).items())]


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def _labelled(row: list[str], parts: dict[str, int]) -> list[tuple[str, str]]:
    values = split_values(_cell(row, parts.get("Value")))
    labels = split_values(_cell(row, parts.get("Label", parts.get("Type"))))
    if len(labels) != len(values):
        labels = [labels[0]] * len(values)
    return [(value, label) for value, label in zip(values, labels, strict=True) if value]


def _first(cell: str) -> str:
    return split_values(cell)[0] if cell else ""


def parse_google_csv(
    text: str, *, progress: Callable[[int, int], None] | None = None
) -> ParseResult:
    """Records from a Google Contacts CSV export."""
    builder = ResultBuilder("google", progress=progress, expected=text.count("\n"))
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not is_google_header(header):
        raise ImportFileError("This file's columns are not those of a Google Contacts export.")
    builder.result.columns = [h.strip() for h in header]
    columns = _Columns(header)
    get = columns.index.get
    previous_line = reader.line_num
    for row in reader:
        line = previous_line + 1
        previous_line = reader.line_num
        if not "".join(row).strip():
            continue
        if len(row) > len(header) and "".join(row[len(header) :]).strip():
            builder.reject(line, f"expected {len(header)} columns, found {len(row)}")
            continue
        builder.keep(_record(line, row, columns, get, builder))
    return builder.finish()


def _record(line, row, columns: _Columns, get, builder: ResultBuilder) -> ContactRecord:
    record = ContactRecord(line=line)
    if "First Name" in columns.index or "Last Name" in columns.index:  # since 2023
        first, middle, last = (
            _cell(row, get(c)) for c in ("First Name", "Middle Name", "Last Name")
        )
        record.given_name = first
        record.family_name = last
        record.full_name = " ".join(p for p in (first, middle, last) if p)
        record.company = _first(_cell(row, get("Organization Name")))
        record.title = _first(_cell(row, get("Organization Title")))
        tags_cell = _cell(row, get("Labels"))
    else:
        record.full_name = _cell(row, get("Name"))
        record.given_name = _cell(row, get("Given Name"))
        record.family_name = _cell(row, get("Family Name"))
        tags_cell = _cell(row, get("Group Membership"))
    for parts in columns.slot_values("Organization"):
        record.company = record.company or _first(_cell(row, parts.get("Name")))
        record.title = record.title or _first(_cell(row, parts.get("Title")))

    for parts in columns.slot_values("E-mail"):
        record.emails.extend(_labelled(row, parts))
    for parts in columns.slot_values("Phone"):
        record.phones.extend(_labelled(row, parts))
    for parts in columns.slot_values("Website"):
        for url, _label in _labelled(row, parts):
            if not record.linkedin_url and normalize_linkedin_url(url):
                record.linkedin_url = url
    for parts in columns.slot_values("Address"):
        place = [_first(_cell(row, parts.get(p))) for p in ("City", "Region", "Country")]
        if any(place):
            record.location = join_place(*place)
            break
    if not record.location:
        record.location = _cell(row, get("Location"))

    record.tags = tags_from_groups(tags_cell)
    record.notes = _cell(row, get("Notes"))
    birthday = _cell(row, get("Birthday"))
    if birthday:
        record.birthday = parse_birthday(birthday) or ""
        if not record.birthday:
            builder.warn(
                line, f"'{birthday}' is not a birthday Introloop can read; it was left empty"
            )
    return record
