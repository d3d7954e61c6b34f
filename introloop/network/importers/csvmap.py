"""Any other CSV file (a spreadsheet, a CRM, Outlook), read through a column mapping.

guess_mapping() proposes one from the headers, in English and a few other languages; the user
can correct it and import again with their own mapping.
"""

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator

from .cleaning import ResultBuilder, parse_birthday, parse_date, parse_days
from .linkedin import find_header
from .records import ContactRecord, ImportFileError, ParseResult

MAPPABLE_FIELDS = [
    ("full_name", "Full name"),
    ("given_name", "Given (first) name"),
    ("family_name", "Family (last) name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("linkedin_url", "LinkedIn profile URL"),
    ("company", "Company"),
    ("title", "Job title"),
    ("industry", "Industry"),
    ("location", "Location"),
    ("tags", "Tags"),
    ("notes", "Notes"),
    ("how_we_met", "How we met"),
    ("how_they_can_help", "How they could help"),
    ("strength", "Strength (close, warm, acquaintance, cold)"),
    ("keep_in_touch_days", "Keep in touch (days)"),
    ("birthday", "Birthday"),
    ("connected_on", "Connected on"),
    ("", "Ignore this column"),
]
_FIELD_NAMES = frozenset(name for name, _ in MAPPABLE_FIELDS)
# Fields that several columns may feed; the others take the first non-empty column.
_MULTI_FIELDS = frozenset({"email", "phone", "tags", "notes", "location"})
_IDENTIFYING_FIELDS = ("full_name", "given_name", "family_name", "email", "linkedin_url")

# Header (lower-case, accents, digits and punctuation removed) -> field. Within a field, an
# earlier synonym wins over a later one for the single column that field gets: Outlook has
# both "Title" (Mr., Dr.) and "Job Title".
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "fullname", "name", "displayname", "contactname", "contact", "nomcomplet", "nom",
        "vollstandigername", "nombrecompleto", "nome", "naam",
    ),
    "given_name": (
        "firstname", "givenname", "first", "forename", "prenom", "vorname", "nombre", "voornaam",
    ),
    "family_name": (
        "lastname", "familyname", "surname", "last", "nachname", "familienname", "apellido",
        "apellidos", "achternaam", "nomdefamille", "cognome", "sobrenome",
    ),
    "email": (
        "email", "emailaddress", "mail", "emailadresse", "courriel", "adresseemail",
        "adressemail", "adressecourriel", "correo", "correoelectronico", "workemail",
        "homeemail", "personalemail", "businessemail", "otheremail", "primaryemail",
        "emailwork", "emailhome", "emailpersonal", "mailadresse", "emails", "emailaddresses",
    ),
    "phone": (
        "phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "cell", "cellphone",
        "tel", "telephone", "telefon", "telefono", "telefonnummer", "mobiltelefon", "handy",
        "mobil", "portable", "homephone", "workphone", "businessphone", "primaryphone",
        "otherphone", "phonework", "phonehome", "phonemobile", "numero", "gsm", "phones",
        "phonenumbers",
    ),
    "linkedin_url": (
        "linkedin", "linkedinurl", "linkedinprofile", "linkedinprofileurl", "profileurl",
        "profile", "url",
    ),
    "company": (
        "company", "companyname", "organization", "organisation", "organizationname",
        "employer", "entreprise", "societe", "firma", "unternehmen", "empresa", "azienda",
        "bedrijf", "currentcompany", "account", "accountname",
    ),
    "title": (
        "jobtitle", "position", "role", "poste", "fonction", "cargo", "puesto", "functie",
        "currentposition", "occupation", "beruf", "headline", "title", "titre",
    ),
    "industry": ("industry", "sector", "secteur", "branche", "industrie", "sektor"),
    "location": (
        "location", "city", "town", "ville", "stadt", "ort", "wohnort", "ciudad", "citta",
        "region", "state", "province", "country", "pays", "land", "pais", "paese",
        "localisation", "lieu",
    ),
    "tags": (
        "tags", "tag", "labels", "label", "groups", "group", "categories", "category",
        "etiquettes", "kategorien", "gruppen", "lists", "list",
    ),
    "notes": (
        "notes", "note", "comments", "comment", "remarks", "remarques", "commentaires",
        "notizen", "bemerkungen", "notas", "description",
    ),
    "how_we_met": ("howwemet", "wherewemet", "howmet", "met", "context"),
    "how_they_can_help": ("howtheycanhelp", "howtheycouldhelp", "canhelpwith", "canhelp", "help"),
    "strength": ("strength", "relationshipstrength", "relationship", "closeness"),
    "keep_in_touch_days": (
        "keepintouchdays", "keepintouch", "followupdays", "frequencydays", "cadence",
    ),
    "birthday": (
        "birthday", "birthdate", "dateofbirth", "dob", "bday", "anniversaire",
        "datedenaissance", "geburtstag", "geburtsdatum", "cumpleanos", "fechadenacimiento",
    ),
    "connected_on": (
        "connectedon", "connectiondate", "dateconnected", "datedeconnexion", "verbundenam",
        "since", "metdate",
    ),
}  # fmt: skip
_RANK = {
    synonym: (field, rank)
    for field, synonyms in _SYNONYMS.items()
    for rank, synonym in enumerate(synonyms)
}
_KIND_WORDS = (
    ("work", ("work", "business", "office", "bureau", "professionnel", "pro", "arbeit",
              "geschaft", "trabajo")),
    ("home", ("home", "personal", "private", "perso", "prive", "privat", "casa", "domicile")),
    ("mobile", ("mobile", "cell", "handy", "portable", "mobil", "gsm")),
)  # fmt: skip


class MappingRequired(ImportFileError):
    """The file's headers do not say which columns hold names and emails."""

    def __init__(self, message: str, columns: list[str], mapping: dict[str, str]):
        super().__init__(message)
        self.columns = columns
        self.mapping = mapping


def header_key(header: str) -> str:
    """ "E-mail Address 2" -> "emailaddress", "Prénom" -> "prenom"."""
    plain = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.casefold() if c.isalpha())


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Each header -> the field it most likely holds, or "" (ignore)."""
    mapping = {header: "" for header in headers}
    best: dict[str, tuple[int, str]] = {}  # single-column field -> (rank, header)
    keys = {header: header_key(header) for header in headers}
    for header in headers:
        field, rank = _RANK.get(keys[header], ("", 0))
        if not field:
            continue
        if field in _MULTI_FIELDS:
            mapping[header] = field
        elif field not in best or rank < best[field][0]:
            best[field] = (rank, header)
    # "Nom" next to "Prénom" (or "Name" next to "Vorname") is the family name.
    if "given_name" in best and "family_name" not in best and "full_name" in best:
        rank, header = best.pop("full_name")
        if keys[header] in ("nom", "name", "naam", "nome"):
            best["family_name"] = (rank, header)
        else:
            best["full_name"] = (rank, header)
    for field, (_rank, header) in best.items():
        mapping[header] = field
    return mapping


def _kind_from_header(header: str) -> str:
    key = header_key(header)
    for kind, words in _KIND_WORDS:
        if any(word in key for word in words):
            return kind
    return ""


def guess_delimiter(text: str) -> str:
    """Comma, semicolon or tab, whichever the first line (outside quotes) has most of."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _rows(reader) -> Iterator[tuple[int, list[str]]]:
    previous = reader.line_num
    for row in reader:
        yield previous + 1, row
        previous = reader.line_num


def _with_kind(value: str, kind: str) -> tuple[str, str]:
    """ "ann@x.com (work)" as Introloop's own export writes it -> ("ann@x.com", "work")."""
    value = value.strip()
    if value.endswith(")") and " (" in value:
        written, _, written_kind = value[:-1].rpartition(" (")
        if written_kind and "(" not in written_kind and ")" not in written_kind:
            return written.strip(), written_kind.strip()
    return value, kind


def _split_list(cell: str) -> list[str]:
    """Several emails or tags in one cell: "a, b", "a; b", or Google's "a ::: b"."""
    return [part for part in cell.replace(":::", ",").replace(";", ",").split(",") if part.strip()]


def parse_mapped_csv(
    text: str,
    mapping: dict[str, str] | None = None,
    *,
    delimiter: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ParseResult:
    """Records from a CSV file, each column feeding the field mapping gives it."""
    delimiter = delimiter or guess_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = _rows(reader)
    start = []
    for line_and_row in rows:
        start.append(line_and_row)
        if len(start) >= 20:
            break
    non_empty = [(line, row) for line, row in start if "".join(row).strip()]
    if not non_empty:
        raise ImportFileError("This CSV file has no rows.")
    header_at = find_header([row for _, row in non_empty]) if len(non_empty[0][1]) == 1 else None
    header_line, header = non_empty[header_at or 0]
    header = [cell.strip() for cell in header]
    remaining = [(line, row) for line, row in start if line > header_line]

    if mapping is None:
        mapping = guess_mapping(header)
    else:
        unknown = sorted({field for field in mapping.values() if field not in _FIELD_NAMES})
        if unknown:
            raise ImportFileError(f"'{unknown[0]}' is not a field Introloop can import.")
        mapping = {h: mapping.get(h, "") for h in header}
    if not any(mapping.get(h) in _IDENTIFYING_FIELDS for h in header):
        raise MappingRequired(
            "Choose which columns hold names and emails: Introloop could not tell from this "
            "file's headers.",
            columns=header,
            mapping=mapping,
        )

    builder = ResultBuilder("csv", progress=progress, expected=text.count("\n"))
    builder.result.columns = header
    builder.result.mapping = mapping
    fields = [(i, mapping.get(h, ""), _kind_from_header(h)) for i, h in enumerate(header)]
    fields = [(i, field, kind) for i, field, kind in fields if field]
    width = len(header)

    def all_rows():
        yield from remaining
        yield from rows

    for line, row in all_rows():
        if not "".join(row).strip():
            continue
        if len(row) > width and "".join(row[width:]).strip():
            builder.reject(line, f"expected {width} columns, found {len(row)}")
            continue
        record = _record(line, row, fields, builder)
        builder.keep(record)
    return builder.finish()


def _record(line: int, row: list[str], fields, builder: ResultBuilder) -> ContactRecord:
    record = ContactRecord(line=line)
    notes, location = [], []
    for i, field, kind in fields:
        value = row[i].strip() if i < len(row) else ""
        if not value:
            continue
        if field == "email":
            record.emails.extend(_with_kind(address, kind) for address in _split_list(value))
        elif field == "phone":
            record.phones.extend(_with_kind(number, kind) for number in value.split(":::"))
        elif field == "tags":
            record.tags.extend(_split_list(value))
        elif field == "notes":
            notes.append(value)
        elif field == "location":
            location.append(value)
        elif field == "keep_in_touch_days":
            if record.keep_in_touch_days is None:
                record.keep_in_touch_days = parse_days(value)
                if record.keep_in_touch_days is None:
                    builder.warn(
                        line, f"'{value}' is not a number of days; 'keep in touch' was left empty"
                    )
        elif field == "birthday":
            if not record.birthday:
                record.birthday = parse_birthday(value) or ""
                if not record.birthday:
                    builder.warn(
                        line,
                        f"'{value}' is not a date Introloop can read without guessing; "
                        "write it as YYYY-MM-DD (the birthday was left empty)",
                    )
        elif field == "connected_on":
            if record.connected_on is None:
                record.connected_on = parse_date(value)
                if record.connected_on is None:
                    builder.warn(
                        line,
                        f"'{value}' is not a date Introloop can read without guessing; "
                        "write it as YYYY-MM-DD (the connection date was left empty)",
                    )
        elif not getattr(record, field):
            setattr(record, field, value)
    record.notes = "\n".join(notes)
    record.location = ", ".join(location)
    return record
