"""All of a user's contacts as CSV, vCard 4.0 or JSON; each re-imports to the same contacts."""

import csv
import io
from collections.abc import Iterator

import vobject

from .importers.introloop import EXPORT_CSV_HEADER, format_multi, neutralize_cell
from .models import Contact

EXPORT_FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "vcf": ("text/vcard; charset=utf-8", "vcf"),
    "json": ("application/json", "json"),
}


def _contacts(owner) -> Iterator[Contact]:
    return (
        Contact.objects.filter(owner=owner)
        .select_related("introduced_by")
        .prefetch_related("emails", "tags")
        .order_by("name_key", "id")
        .iterator(chunk_size=2000)
    )


def _phones(contact: Contact) -> list[tuple[str, str]]:
    return [(p.get("number", ""), p.get("kind", "")) for p in contact.phones]


def _introducer_uid(contact: Contact) -> str:
    return contact.introduced_by.uid if contact.introduced_by_id else ""


def contact_dict(contact: Contact) -> dict:
    return {
        "uid": contact.uid,
        "full_name": contact.full_name,
        "given_name": contact.given_name,
        "family_name": contact.family_name,
        "emails": [{"email": e.email, "kind": e.kind} for e in contact.emails.all()],
        "phones": [{"number": n, "kind": k} for n, k in _phones(contact)],
        "linkedin_url": contact.linkedin_url,
        "company": contact.company,
        "title": contact.title,
        "industry": contact.industry,
        "location": contact.location,
        "tags": [t.name for t in contact.tags.all()],
        "notes": contact.notes,
        "how_we_met": contact.how_we_met,
        "how_they_can_help": contact.how_they_can_help,
        "strength": contact.strength,
        "keep_in_touch_days": contact.keep_in_touch_days,
        "birthday": contact.birthday,
        "connected_on": contact.connected_on.isoformat() if contact.connected_on else None,
        "source": contact.source,
        "introduced_by_uid": _introducer_uid(contact),
    }


def contacts_json(owner) -> dict:
    return {
        "format": "introloop-contacts",
        "version": 1,
        "contacts": [contact_dict(c) for c in _contacts(owner)],
    }


def contacts_csv(owner) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_CSV_HEADER)
    for c in _contacts(owner):
        row = [
            c.full_name,
            c.given_name,
            c.family_name,
            format_multi([(e.email, e.kind) for e in c.emails.all()]),
            format_multi(_phones(c)),
            c.linkedin_url,
            c.company,
            c.title,
            c.industry,
            c.location,
            ", ".join(t.name for t in c.tags.all()),
            c.how_we_met,
            c.how_they_can_help,
            c.strength,
            "" if c.keep_in_touch_days is None else str(c.keep_in_touch_days),
            c.birthday,
            c.connected_on.isoformat() if c.connected_on else "",
            c.notes,
            c.source,
            _introducer_uid(c),
            c.uid,
        ]
        writer.writerow([neutralize_cell(value) for value in row])
    # A BOM so that spreadsheet programs read the file as UTF-8.
    return "\ufeff" + out.getvalue()


def _add(card, name: str, value, **params):
    prop = card.add(name)
    prop.value = value
    for key, values in params.items():
        if values:
            prop.params[key.upper()] = values if isinstance(values, list) else [values]
    return prop


def contact_vcard(contact: Contact) -> str:
    card = vobject.vCard()
    _add(card, "version", "4.0")
    _add(card, "uid", contact.uid)
    _add(card, "fn", contact.full_name)
    _add(card, "n", vobject.vcard.Name(family=contact.family_name, given=contact.given_name))
    for e in contact.emails.all():
        _add(card, "email", e.email, type=e.kind)
    for number, kind in _phones(contact):
        _add(card, "tel", number, type=kind)
    if contact.company:
        _add(card, "org", [contact.company])
    if contact.title:
        _add(card, "title", contact.title)
    if contact.linkedin_url:
        _add(card, "url", contact.linkedin_url, type="linkedin")
    if contact.location:
        _add(card, "adr", vobject.vcard.Address(city=contact.location))
    tags = [t.name for t in contact.tags.all()]
    if tags:
        _add(card, "categories", tags)
    if contact.birthday:
        bday = contact.birthday.replace("-", "") if contact.birthday.startswith("--") else None
        _add(card, "bday", "--" + bday.lstrip("-") if bday else contact.birthday)
    if contact.notes:
        _add(card, "note", contact.notes)
    extras = {
        "x-introloop-industry": contact.industry,
        "x-introloop-strength": contact.strength,
        "x-introloop-how-we-met": contact.how_we_met,
        "x-introloop-how-they-can-help": contact.how_they_can_help,
        "x-introloop-keep-in-touch-days": str(contact.keep_in_touch_days or ""),
        "x-introloop-connected-on": (
            contact.connected_on.isoformat() if contact.connected_on else ""
        ),
        "x-introloop-introduced-by": _introducer_uid(contact),
        "x-introloop-source": contact.source,
    }
    for name, value in extras.items():
        if value:
            _add(card, name, value)
    return card.serialize()


def contacts_vcard(owner) -> str:
    return "".join(contact_vcard(c) for c in _contacts(owner))
