"""The rules every importer applies to a record before handing it over, in one place.

Each format module fills a ContactRecord with what the file says (values as written, emails
not yet checked) and passes it to ResultBuilder.keep(), which cleans it, warns about what it
dropped, and keeps or rejects it. LinkedIn's hot loop inlines the few rules it needs.
"""

from collections.abc import Callable
from datetime import date

from nameparser import HumanName

from .decoding import normalize_email, normalize_linkedin_url
from .records import MAX_LENGTHS, STRENGTHS, ContactRecord, ParseResult, RowProblem

SOURCES = ("manual", "linkedin", "vcard", "google", "csv")
PROGRESS_EVERY = 1000
# Not in MAX_LENGTHS (yet): the contact model's limits for an email kind and a uid.
KIND_MAX_LENGTH = 30
UID_MAX_LENGTH = 255

# Fields cut to MAX_LENGTHS, with the words used in the warning.
_CUT_FIELDS = (
    ("full_name", "name"),
    ("given_name", "given name"),
    ("family_name", "family name"),
    ("company", "company"),
    ("title", "title"),
    ("industry", "industry"),
    ("location", "location"),
)
_STRIPPED_FIELDS = (
    "full_name",
    "given_name",
    "family_name",
    "company",
    "title",
    "industry",
    "location",
    "notes",
    "how_we_met",
    "how_they_can_help",
    "uid",
    "introduced_by_uid",
    "source",
)
_MULTILINE_FIELDS = ("notes", "how_we_met", "how_they_can_help")

# Email and phone "types" that say nothing about whose address it is.
_MEANINGLESS_KINDS = frozenset(
    {"", "internet", "x-internet", "pref", "voice", "text", "msg", "uri", "x400"}
)
_KIND_ALIASES = {"cell": "mobile", "cellular": "mobile", "iphone": "mobile", "handy": "mobile"}


def normalize_kind(kind: str) -> str:
    """ "work", "home", "mobile"... from a vCard TYPE, an Apple label or a Google label."""
    kind = kind.strip()
    if kind.startswith("_$!<") and kind.endswith(">!$_"):  # Apple's built-in labels
        kind = kind[4:-4]
    kind = kind.removeprefix("* ").strip().lower()
    kind = _KIND_ALIASES.get(kind, kind)
    return "" if kind in _MEANINGLESS_KINDS else kind[:KIND_MAX_LENGTH].rstrip()


def join_place(*parts: str) -> str:
    """ "Berlin, Germany" from locality, region and country, skipping empty and repeated parts."""
    kept: list[str] = []
    for part in parts:
        part = part.strip()
        if part and part.casefold() not in (k.casefold() for k in kept):
            kept.append(part)
    return ", ".join(kept)


def clean_tag(tag: str) -> str:
    return " ".join(tag.replace(",", " ").split())


# Month names and abbreviations in the languages LinkedIn exports in. No strptime: it costs
# ~3 µs a row and depends on the locale.
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "jan january janv janvier januar jän jänner ene enero gen gennaio janeiro januari",
            "feb february fév fev févr fevr février fevrier februar fevereiro febbraio "
            "febrero februari",
            "mar march mars mär märz mrz marz marzo março marco maart mrt",
            "apr april avr avril abr abril aprile",
            "may mai mayo maio mag maggio mei",
            "jun june juin juni junio junho giu giugno",
            "jul july juil juillet juli julio julho lug luglio",
            "aug august aoû aou août aout ago agosto augustus",
            "sep sept september septembre septiembre setembro set settembre",
            "oct october octobre okt oktober octubre out outubro ott ottobre",
            "nov november novembre noviembre novembro",
            "dec december déc décembre decembre dez dezember dic diciembre dezembro dicembre",
        ),
        start=1,
    )
    for name in names.split()
}
_DATE_FILLER = frozenset({"de", "del"})  # "5 de nov. de 2024"


def parse_iso_date(s: str) -> date | None:
    """YYYY-MM-DD (a time after it is ignored), or None."""
    s = s.strip()[:10]
    if len(s) != 10 or s[4] != "-" or s[7] != "-":
        return None
    try:
        return date(int(s[:4]), int(s[5:7]), int(s[8:10]))
    except ValueError:
        return None


def parse_named_month_date(s: str) -> date | None:
    """ "05 Nov 2024", "5 nov. 2024", "05. Nov. 2024", "5 de nov. de 2024", or None."""
    if len(s) == 11 and s[2] == " " and s[6] == " ":  # LinkedIn's usual "05 Nov 2024"
        number = MONTHS.get(s[3:6].lower())
        if number and s[:2].isdigit() and s[7:].isdigit():
            try:
                return date(int(s[7:]), number, int(s[:2]))
            except ValueError:
                return None
    parts = [
        p for p in s.replace(".", " ").replace(",", " ").lower().split() if p not in _DATE_FILLER
    ]
    if len(parts) != 3:
        return None
    day, month, year = parts
    if day in MONTHS and month.isdigit():  # "Nov 05 2024"
        day, month = month, day
    number = MONTHS.get(month)
    if number is None or not day.isdigit() or not year.isdigit() or len(year) != 4:
        return None
    try:
        return date(int(year), number, int(day))
    except ValueError:
        return None


def parse_date(s: str) -> date | None:
    """An unambiguous date: ISO, or day, month name and year. "04/05/2024" is not one."""
    return parse_iso_date(s) or parse_named_month_date(s)


def parse_birthday(s: str) -> str | None:
    """ "YYYY-MM-DD", or "--MM-DD" when the year is unknown; None when s is not a date.

    Accepts ISO (with or without dashes, a time after it is ignored), vCard 4.0's --MMDD and
    --MM-DD, and day/month-name/year.
    """
    s = s.strip()
    if s.startswith("--"):
        rest = s[2:].replace("-", "")
        if len(rest) != 4 or not rest.isdigit():
            return None
        month, day_of_month = int(rest[:2]), int(rest[2:])
        try:
            date(2000, month, day_of_month)  # a leap year, so --02-29 is a birthday
        except ValueError:
            return None
        return f"--{rest[:2]}-{rest[2:]}"
    head = s.split("T")[0]
    if len(head) == 8 and head.isdigit():
        head = f"{head[:4]}-{head[4:6]}-{head[6:]}"
    day = parse_iso_date(head) or parse_named_month_date(s)
    return day.isoformat() if day else None


def parse_days(raw: str) -> int | None:
    """A positive whole number of days, or None."""
    raw = raw.strip()
    if raw.isdigit() and 0 < int(raw) <= 36500:
        return int(raw)
    return None


def _phone_key(number: str) -> str:
    return "".join(c for c in number if c.isdigit() or c == "+")


def _build_full_name(record: ContactRecord) -> None:
    if not record.full_name:
        record.full_name = " ".join(p for p in (record.given_name, record.family_name) if p)
    elif not record.given_name and not record.family_name and "@" not in record.full_name:
        name = HumanName(record.full_name)
        record.given_name = " ".join(p for p in (name.first, name.middle) if p)
        record.family_name = name.last
        if not record.given_name and not record.family_name:
            record.given_name = record.full_name


def finish_record(record: ContactRecord, warn: Callable[[str], None]) -> str | None:
    """Apply the common rules to record in place; the reason to reject it, or None.

    Expects emails as written (they are checked and lower-cased here), phones and tags as
    written, linkedin_url as written. Warnings are only given for kept records.
    """
    notes: list[str] = []
    _strip_fields(record)
    _build_full_name(record)
    record.emails = _clean_emails(record.emails, notes)
    _clean_linkedin_url(record, notes)
    if not (record.full_name or record.emails or record.linkedin_url):
        dropped = [n.split(";")[0] for n in notes]
        return "no name, email or LinkedIn profile" + (
            f" ({'; '.join(dropped)})" if dropped else ""
        )
    _cut_long_fields(record, notes)
    record.phones = _clean_phones(record.phones, notes)
    record.tags = _clean_tags(record.tags, notes)
    _check_details(record, notes)
    for note in notes:
        warn(note)
    return None


def _strip_fields(record: ContactRecord) -> None:
    """Text fields without surrounding space, and free text with "\\n" line ends."""
    for name in _STRIPPED_FIELDS:
        value = getattr(record, name)
        if value:
            setattr(record, name, value.strip())
    for name in _MULTILINE_FIELDS:
        value = getattr(record, name)
        if "\r" in value:
            setattr(record, name, value.replace("\r\n", "\n").replace("\r", "\n"))


def _clean_emails(written: list[tuple[str, str]], notes: list[str]) -> list[tuple[str, str]]:
    """The valid addresses, lower-cased, once each; a note for each one dropped."""
    emails: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw, kind in written:
        if not raw.strip():
            continue
        address = normalize_email(raw)
        if not address:
            notes.append(f"'{raw.strip()}' is not an email address; the contact is kept without it")
        elif len(address) > MAX_LENGTHS["email"]:
            notes.append(
                f"'{address}' is too long for an email address; the contact is kept without it"
            )
        elif address not in seen:
            seen.add(address)
            emails.append((address, normalize_kind(kind)))
    return emails


def _clean_linkedin_url(record: ContactRecord, notes: list[str]) -> None:
    if record.linkedin_url:
        raw = record.linkedin_url.strip()
        record.linkedin_url = normalize_linkedin_url(raw)
        if not record.linkedin_url:
            notes.append(f"'{raw}' is not a LinkedIn profile URL; the contact is kept without it")
        elif len(record.linkedin_url) > MAX_LENGTHS["linkedin_url"]:
            record.linkedin_url = ""
            notes.append("the LinkedIn URL is too long; the contact is kept without it")


def _cut_long_fields(record: ContactRecord, notes: list[str]) -> None:
    for name, words in _CUT_FIELDS:
        value = getattr(record, name)
        limit = MAX_LENGTHS[name]
        if len(value) > limit:
            setattr(record, name, value[:limit].rstrip())
            notes.append(f"the {words} was longer than {limit} characters and was cut")


def _clean_phones(written: list[tuple[str, str]], notes: list[str]) -> list[tuple[str, str]]:
    """The numbers as written, cut to length, once each; a note for each one dropped or cut."""
    phones: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw, kind in written:
        number = raw.strip().lstrip("'").strip()  # Excel's "keep this as text" apostrophe
        if not number:
            continue
        key = _phone_key(number)
        if not key.strip("+"):
            notes.append(f"'{number}' is not a phone number; the contact is kept without it")
            continue
        if len(number) > MAX_LENGTHS["phone"]:
            number = number[: MAX_LENGTHS["phone"]].rstrip()
            notes.append(f"the phone number '{number}…' was too long and was cut")
        if key not in seen:
            seen.add(key)
            phones.append((number, normalize_kind(kind)))
    return phones


def _clean_tags(written: list[str], notes: list[str]) -> list[str]:
    """The tags cleaned and cut to length, once each whatever their case."""
    tags: list[str] = []
    seen: set[str] = set()
    limit = MAX_LENGTHS["tag"]
    for raw in written:
        tag = clean_tag(raw)
        if len(tag) > limit:
            tag = tag[:limit].rstrip()
            notes.append(f"the tag '{tag}…' was longer than {limit} characters and was cut")
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def _check_details(record: ContactRecord, notes: list[str]) -> None:
    """Strength, uids, source and 'keep in touch' emptied when they are not what they should be."""
    if record.strength:
        strength = record.strength.strip().lower()
        if strength not in STRENGTHS:
            notes.append(
                f"'{record.strength.strip()}' is not a strength (close, warm, acquaintance or "
                "cold); it was left empty"
            )
            strength = ""
        record.strength = strength
    for name, words in (("uid", "UID"), ("introduced_by_uid", "'introduced by' UID")):
        if len(getattr(record, name)) > UID_MAX_LENGTH:
            setattr(record, name, "")
            notes.append(f"the {words} is longer than {UID_MAX_LENGTH} characters; it was ignored")
    if record.source and record.source not in SOURCES:
        record.source = ""
    if record.keep_in_touch_days is not None and not (0 < record.keep_in_touch_days <= 36500):
        notes.append("'keep in touch' must be a positive number of days; it was left empty")
        record.keep_in_touch_days = None


class ResultBuilder:
    """Collects one file's records and problems, and reports progress now and then."""

    def __init__(
        self,
        format: str,
        *,
        progress: Callable[[int, int], None] | None = None,
        expected: int = 0,
        where: str = "line",
    ):
        self.result = ParseResult(format=format, records=[])
        self.progress = progress
        self.expected = expected  # a guess at the number of rows, for progress
        self.where = where  # "line", or "contact" for JSON where rows have no lines

    def _say(self, line: int, message: str) -> str:
        # Rows of a JSON file have no line; the UI shows RowProblem.line beside the message.
        return f"contact #{line}: {message}" if self.where == "contact" else message

    def warn(self, line: int, message: str) -> None:
        self.result.warnings.append(RowProblem(line, self._say(line, message)))

    def reject(self, line: int, message: str) -> None:
        self.result.errors.append(RowProblem(line, self._say(line, message)))
        self.count_row()

    def keep(self, record: ContactRecord) -> None:
        """Clean record with the common rules, then keep or reject it."""
        line = record.line
        problem = finish_record(record, lambda message: self.warn(line, message))
        if problem:
            self.reject(line, problem)
        else:
            self.result.records.append(record)
            self.count_row()

    def count_row(self) -> None:
        self.result.total_rows += 1
        if self.progress and self.result.total_rows % PROGRESS_EVERY == 0:
            self.progress(self.result.total_rows, max(self.expected, self.result.total_rows))

    def finish(self) -> ParseResult:
        if self.progress:
            self.progress(self.result.total_rows, self.result.total_rows)
        return self.result
