"""vCard 2.1, 3.0 and 4.0 files with one card or thousands (phones, Apple, Google, Outlook).

The file is split into cards here, so that each card's first line is known and a card that
cannot be parsed is reported without sinking the others. Within a card, vobject unfolds lines
(including 2.1's quoted-printable soft line breaks) and parses names, groups and parameters.
Values are decoded here rather than by vobject's readComponents: its text decoding keeps only
what comes before the first unescaped comma ("NOTE:Met in Lyon, 2019" becomes "Met in Lyon"),
and 2.1 files never escape commas.
"""

import io
import quopri
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

from vobject.base import getLogicalLines, parseLine

from .cleaning import (
    ResultBuilder,
    join_place,
    normalize_kind,
    parse_birthday,
    parse_days,
    parse_iso_date,
)
from .decoding import normalize_linkedin_url
from .records import ContactRecord, ParseResult

# Properties that hold pictures, sounds or keys: skipped before parsing.
_BINARY_PROPERTIES = ("PHOTO", "LOGO", "SOUND", "KEY")
_APPLE_OMITTED_YEAR = "1604"


@dataclass(slots=True)
class Card:
    line: int  # first line of BEGIN:VCARD in the file
    lines: list[str]  # physical lines, BEGIN and END included
    complete: bool = True


def split_cards(text: str) -> Iterator[Card]:
    """The cards of a vCard file, each with the line it starts on. Text outside cards is ignored."""
    card: Card | None = None
    depth = 0
    for number, physical in enumerate(io.StringIO(text, newline=""), start=1):
        # Not lstrip(): a folded line starts with a space, and may start with "BEGIN:VCARD" too.
        word = physical.lstrip("\ufeff").rstrip().upper()
        if word.startswith("BEGIN:VCARD"):
            if card is None:
                card = Card(number, [])
            depth += 1
        if card is not None:
            card.lines.append(physical)
            if word.startswith("END:VCARD"):
                depth -= 1
                if depth == 0:
                    yield card
                    card = None
    if card is not None:
        card.complete = False
        yield card


def count_cards(text: str) -> int:
    return text.upper().count("BEGIN:VCARD")


def _without_binary_properties(lines: list[str]) -> str:
    """The card's text without PHOTO and the like (and their continuation lines).

    Some 2.1 writers do not indent base64 continuation lines; those lines have no colon, which
    tells them from the next property.
    """
    kept = []
    skipping = False
    for physical in lines:
        if skipping:
            if physical[:1] in (" ", "\t") or (physical.strip() and ":" not in physical):
                continue
            skipping = False
        head = physical.split(":", 1)[0].split(";", 1)[0].rsplit(".", 1)[-1].strip().upper()
        if head in _BINARY_PROPERTIES:
            skipping = True
            continue
        kept.append(physical)
    return "".join(kept)


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    out = []
    chars = iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append("\n" if following in ("n", "N") else following)
        else:
            out.append(char)
    return "".join(out)


def _split(value: str, separator: str) -> list[str]:
    """value split on separators that are not backslash-escaped; parts are not unescaped."""
    parts, current, escaped = [], [], False
    for char in value:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


@dataclass(slots=True)
class Property:
    name: str  # upper-case, without the group
    group: str  # upper-case, "" if none
    params: dict[str, list[str]]  # upper-case names; bare 2.1 parameters under "TYPE"
    value: str  # still escaped, except quoted-printable which is decoded

    def text(self) -> str:
        return _unescape(self.value).replace("\r\n", "\n").replace("\r", "\n").strip()

    def components(self) -> list[str]:
        """Structured values (N, ADR, ORG): parts split on ";" and on "," within a part."""
        return [
            " ".join(_unescape(piece).strip() for piece in _split(part, ",") if piece.strip())
            for part in _split(self.value, ";")
        ]

    def types(self) -> list[str]:
        found: list[str] = []
        for value in self.params.get("TYPE", []):
            found.extend(t.strip().lower() for t in value.split(","))
        return found


def _decode_quoted_printable(value: str, charset: str) -> str:
    raw = quopri.decodestring(value.encode("utf-8", errors="replace"))
    for encoding in (charset, "utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("latin-1")


def parse_properties(card_text: str) -> list[Property]:
    """The card's properties; vobject's ParseError when a line is not a vCard line."""
    properties = []
    for logical, _number in getLogicalLines(io.StringIO(card_text, newline=""), allowQP=True):
        name, raw_params, value, group = parseLine(logical)
        params: dict[str, list[str]] = {}
        for param in raw_params:
            if len(param) == 1:  # 2.1's bare "WORK", "QUOTED-PRINTABLE", "BASE64"
                bare = param[0].upper()
                key = "ENCODING" if bare in ("QUOTED-PRINTABLE", "BASE64", "8BIT") else "TYPE"
                params.setdefault(key, []).append(param[0])
            else:
                params.setdefault(param[0].upper(), []).extend(param[1:])
        if any(e.upper() == "QUOTED-PRINTABLE" for e in params.get("ENCODING", [])):
            charset = (params.get("CHARSET") or ["utf-8"])[0]
            value = _decode_quoted_printable(value, charset).replace("\\", "\\\\")
        properties.append(Property(name.upper(), (group or "").upper(), params, value))
    return properties


def _kind(prop: Property, labels: dict[str, str]) -> str:
    label = labels.get(prop.group, "") if prop.group else ""
    if label and normalize_kind(label):
        return normalize_kind(label)
    for kind in prop.types():
        kind = normalize_kind(kind)
        if kind:
            return kind
    return ""


def _birthday(prop: Property) -> str | None:
    value = prop.text()
    omitted = prop.params.get("X-APPLE-OMIT-YEAR", [])
    if omitted and value.startswith(omitted[0]):
        value = "--" + value[len(omitted[0]) :].lstrip("-")
    elif value.startswith(_APPLE_OMITTED_YEAR + "-"):
        value = "--" + value[5:]
    return parse_birthday(value)


def record_from_properties(
    line: int, properties: list[Property], warn: Callable[[str], None]
) -> ContactRecord:
    """What a user would expect to get from one card."""
    record = ContactRecord(line=line)
    labels = {p.group: p.text() for p in properties if p.name == "X-ABLABEL" and p.group}
    linkedin_candidates = []
    for prop in properties:
        name = prop.name
        if name == "FN":
            record.full_name = record.full_name or prop.text()
        elif name == "N":
            _add_name_parts(record, prop)
        elif name == "EMAIL":
            record.emails.append((prop.text(), _kind(prop, labels)))
        elif name == "TEL":
            record.phones.append((_phone_number(prop), _kind(prop, labels)))
        elif name == "ORG":
            record.company = record.company or prop.components()[0]
        elif name == "TITLE":
            record.title = record.title or prop.text()
        elif name == "NOTE":
            text = prop.text()
            record.notes = (
                f"{record.notes}\n{text}" if record.notes and text else record.notes or text
            )
        elif name == "URL":
            linkedin_candidates.append(prop.text())
        elif name == "X-SOCIALPROFILE" and "linkedin" in prop.types():
            linkedin_candidates.insert(0, _social_profile_url(prop))
        elif name == "CATEGORIES":
            record.tags.extend(_categories(prop))
        elif name == "ADR" and not record.location:
            parts = [*prop.components(), "", "", "", "", "", "", ""]
            record.location = join_place(parts[3], parts[4], parts[6])
        elif name == "BDAY" and not record.birthday:
            _add_birthday(record, prop, warn)
        elif name == "UID":
            record.uid = prop.text()
        elif name.startswith("X-INTROLOOP-"):
            _introloop_property(record, name[12:], prop.text(), warn)
    if _is_organization(properties):  # a card for a company (Apple, vCard 4): FN is its name
        record.company = record.company or record.full_name
        if record.full_name == record.company:
            record.full_name = ""
    record.linkedin_url = next(
        (url for url in linkedin_candidates if normalize_linkedin_url(url)), ""
    )
    return record


def _add_name_parts(record: ContactRecord, prop: Property) -> None:
    """Family and given names from N, unless an earlier N gave them; additional names count
    as given."""
    parts = [*prop.components(), "", "", ""]
    family, given, additional = parts[0], parts[1], parts[2]
    record.family_name = record.family_name or family
    record.given_name = record.given_name or " ".join(p for p in (given, additional) if p)


def _phone_number(prop: Property) -> str:
    number = prop.text()
    return number[4:] if number.lower().startswith("tel:") else number


def _social_profile_url(prop: Property) -> str:
    """The profile's URL, or one made from its user name when the URL is not a profile's."""
    url = prop.text()
    user = (prop.params.get("X-USER") or [""])[0]
    if not normalize_linkedin_url(url) and user:
        url = f"https://www.linkedin.com/in/{user}"
    return url


def _categories(prop: Property) -> list[str]:
    """The card's tags, without the "My Contacts" every Google contact has."""
    tags = []
    for part in _split(prop.value, ","):
        tag = _unescape(part).strip()
        if tag and tag.lower() not in ("mycontacts", "my contacts"):
            tags.append(tag)
    return tags


def _add_birthday(record: ContactRecord, prop: Property, warn: Callable[[str], None]) -> None:
    birthday = _birthday(prop)
    if birthday is None:
        warn(f"'{prop.text()}' is not a birthday Introloop can read; it was left empty")
    else:
        record.birthday = birthday


def _introloop_property(
    record: ContactRecord, name: str, value: str, warn: Callable[[str], None]
) -> None:
    if name == "INDUSTRY":
        record.industry = value
    elif name == "STRENGTH":
        record.strength = value
    elif name == "HOW-WE-MET":
        record.how_we_met = value
    elif name == "HOW-THEY-CAN-HELP":
        record.how_they_can_help = value
    elif name == "KEEP-IN-TOUCH-DAYS" and value:
        record.keep_in_touch_days = parse_days(value)
        if record.keep_in_touch_days is None:
            warn(f"'{value}' is not a number of days; 'keep in touch' was left empty")
    elif name == "CONNECTED-ON" and value:
        record.connected_on = parse_iso_date(value)
        if record.connected_on is None:
            warn(f"'{value}' is not a date; the connection date was left empty")
    elif name == "INTRODUCED-BY":
        record.introduced_by_uid = value
    elif name == "SOURCE":
        record.source = value.lower()


def _is_organization(properties: list[Property]) -> bool:
    for prop in properties:
        if prop.name == "X-ABSHOWAS" and prop.text().upper() == "COMPANY":
            return True
        if prop.name == "KIND" and prop.text().lower() in ("org", "organization"):
            return True
    return False


def _is_group(properties: list[Property]) -> bool:
    for prop in properties:
        if prop.name in ("KIND", "X-ADDRESSBOOKSERVER-KIND") and prop.text().lower() == "group":
            return True
    return False


def parse_vcards(text: str, *, progress: Callable[[int, int], None] | None = None) -> ParseResult:
    """Records from the text of a .vcf file."""
    builder = ResultBuilder("vcard", progress=progress, expected=count_cards(text))
    for card in split_cards(text):
        if not card.complete:
            builder.reject(
                card.line, "this card has no END:VCARD; the file may have been cut short"
            )
            continue
        try:
            properties = parse_properties(_without_binary_properties(card.lines))
        except Exception as exc:  # vobject's ParseError, or anything else a broken card causes
            detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            builder.reject(card.line, f"this card could not be read ({detail})")
            continue
        if _is_group(properties):
            builder.reject(card.line, "this card is a contact group, not a person")
            continue
        record = record_from_properties(card.line, properties, partial(builder.warn, card.line))
        builder.keep(record)
    return builder.finish()
