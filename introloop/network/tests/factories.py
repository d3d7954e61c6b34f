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
