"""What every importer produces: plain records, with the line each came from.

Importers only read files; matching records to existing contacts and writing them is
`network.imports`. Nothing here touches the database.
"""

from dataclasses import dataclass, field
from datetime import date

FORMATS = ("linkedin", "vcard", "google", "csv", "json")
STRENGTHS = ("close", "warm", "acquaintance", "cold")

# Longest values kept; longer ones are cut with a warning.
MAX_LENGTHS = {
    "full_name": 300,
    "given_name": 150,
    "family_name": 150,
    "company": 200,
    "title": 200,
    "industry": 120,
    "location": 200,
    "linkedin_url": 300,
    "email": 254,
    "phone": 64,
    "tag": 50,
}


@dataclass(slots=True)
class ContactRecord:
    line: int  # 1-based line in the file where this record starts
    full_name: str = ""
    given_name: str = ""
    family_name: str = ""
    # (address stripped and lower-cased, kind such as "work", "home" or "")
    emails: list[tuple[str, str]] = field(default_factory=list)
    # (number as written, kind such as "mobile", "work" or "")
    phones: list[tuple[str, str]] = field(default_factory=list)
    linkedin_url: str = ""  # normalised with normalize_linkedin_url, or ""
    company: str = ""
    title: str = ""
    industry: str = ""
    location: str = ""
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    how_we_met: str = ""
    how_they_can_help: str = ""
    strength: str = ""  # "" or one of STRENGTHS
    keep_in_touch_days: int | None = None
    birthday: str = ""  # "YYYY-MM-DD", or "--MM-DD" when the year is unknown
    connected_on: date | None = None
    uid: str = ""  # a vCard UID or an Introloop export's uid; "" when the file has none
    introduced_by_uid: str = ""  # Introloop exports only
    source: str = ""  # manual, linkedin, vcard, google or csv; "" means the file's format
    # Last, as some readers build records by position. Introloop exports only: 1 to 100.
    intro_cap_per_month: int | None = None


@dataclass(slots=True)
class RowProblem:
    line: int
    message: str


@dataclass
class ParseResult:
    format: str  # one of FORMATS
    records: list[ContactRecord]
    errors: list[RowProblem] = field(default_factory=list)  # rejected rows
    warnings: list[RowProblem] = field(default_factory=list)  # kept rows, something dropped
    total_rows: int = 0  # data rows or cards seen, rejected ones included
    columns: list[str] | None = None  # CSV formats: the header row
    mapping: dict[str, str] | None = None  # generic CSV: column header -> field name


class ImportFileError(Exception):
    """The whole file is refused; the message is shown to the user as is."""
