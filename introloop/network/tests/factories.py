"""Small factories for contact-book tests."""

from datetime import date

from django.utils import timezone

from introloop.network.importers.records import ContactRecord
from introloop.network.services import create_contact, log_interaction


def contact(owner, name: str = "Ann Lee", **fields):
    emails = fields.pop("emails", [])
    record = ContactRecord(
        line=0, full_name=name, emails=[(e, "") if isinstance(e, str) else e for e in emails],
        **fields,
    )  # fmt: skip
    return create_contact(owner, record, fields.pop("now", None) or timezone.now())


def interaction(owner, contacts, on: date, kind: str = "call", notes: str = ""):
    return log_interaction(
        owner, kind=kind, occurred_on=on, notes=notes, contacts=list(contacts), now=timezone.now()
    )


def linkedin_export(rows: int, *, start: int = 0, emails: bool = True) -> bytes:
    """A Connections.csv as LinkedIn writes it (note lines, then seven columns), one distinct
    person a row: Person 0, Person 1…, each with a profile and an email address."""
    lines = [
        "Notes:",
        '"When exporting your connection data, you may notice that some of the email '
        'addresses are missing."',
        "",
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On",
    ]
    for n in range(start, start + rows):
        email = f"person{n}@example.com" if emails else ""
        lines.append(
            f"Person,{n},https://www.linkedin.com/in/person-{n},{email},Company {n % 50},"
            f"Engineer,05 Nov 2024"
        )
    return ("\n".join(lines) + "\n").encode()
