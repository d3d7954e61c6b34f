"""Exporting and re-importing into an empty account gives back the same contacts."""

import csv
import io
from datetime import date

import pytest
from django.utils import timezone

from introloop.network import exports
from introloop.network.importers.detect import parse_upload
from introloop.network.imports import apply_import
from introloop.network.models import Contact

from .factories import contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(alice):
    sam = contact(alice, "Sam O'Neil", emails=[("sam@acme.com", "work")], company="Acme")
    contact(
        alice,
        "Zoë Ångström-Müller",
        given_name="Zoë",
        family_name="Ångström-Müller",
        emails=[("zoe@example.se", "home"), ("z.a@work.example", "work")],
        phones=[("+46 70 123 45 67", "mobile"), ("=1+1", "")],
        linkedin_url="https://www.linkedin.com/in/zoe-angstrom",
        company='=HYPERLINK("http://evil.example")',
        title="Head of Product, EMEA",
        industry="Software",
        location="Stockholm, Sweden",
        tags=["mentor", "Nordics"],
        notes='Two paragraphs.\n\nSecond one, with "quotes"; commas, and ::: colons.',
        how_we_met="Web Summit 2023",
        how_they_can_help="Feedback on my portfolio",
        strength="close",
        keep_in_touch_days=45,
        birthday="--02-29",
        connected_on=date(2021, 3, 9),
        source="linkedin",
    )
    contact(alice, "Bare Name")
    zoe = Contact.objects.get(full_name__startswith="Zoë")
    zoe.introduced_by = sam
    zoe.save()
    return alice


def comparable(owner) -> list[dict]:
    return sorted(exports.contact_dicts(owner), key=lambda d: d["uid"])


@pytest.mark.parametrize("fmt", ["csv", "vcf", "json"])
def test_export_then_import_gives_back_the_same_contacts(network, bob, fmt):
    if fmt == "csv":
        data = exports.contacts_csv(network).encode("utf-8")
    elif fmt == "vcf":
        data = exports.contacts_vcard(network).encode("utf-8")
    else:
        import json

        data = json.dumps(exports.contacts_json(network)).encode("utf-8")

    parsed = parse_upload(data, filename=f"contacts.{fmt}")
    assert not parsed.errors, parsed.errors
    apply_import(bob, parsed, now=timezone.now())

    assert comparable(bob) == comparable(network)
    # And importing the export again changes nothing.
    again = apply_import(bob, parse_upload(data, filename=f"contacts.{fmt}"), now=timezone.now())
    assert (len(again.plan.creates), len(again.plan.updates)) == (0, 0)


def test_the_csv_neutralises_cells_a_spreadsheet_would_run(network):
    rows = list(csv.reader(io.StringIO(exports.contacts_csv(network).lstrip("\ufeff"))))
    header, zoe = rows[0], next(r for r in rows if r[0].startswith("Zoë"))
    assert zoe[header.index("Company")] == '\'=HYPERLINK("http://evil.example")'
    assert zoe[header.index("Phones")].startswith("+46") is False
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_vcard_is_version_4(network):
    text = exports.contacts_vcard(network)
    assert text.count("BEGIN:VCARD") == 3
    assert text.count("VERSION:4.0") == 3
