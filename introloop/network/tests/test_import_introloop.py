"""Reading back Introloop's own CSV and JSON exports: export -> import gives the same contacts."""

import csv
import io
import json
from dataclasses import asdict, replace
from datetime import date

import pytest

from introloop.network.importers.detect import parse_upload
from introloop.network.importers.introloop import (
    EXPORT_CSV_HEADER,
    format_multi,
    neutralize_cell,
    parse_multi,
    restore_cell,
)
from introloop.network.importers.records import ContactRecord, ImportFileError

SOPHIE = ContactRecord(
    line=2,
    full_name="Sophie Laurent",
    given_name="Sophie",
    family_name="Laurent",
    emails=[("sophie.laurent@alan.com", "work"), ("sophie.l@gmail.com", "")],
    phones=[
        ("+33 6 11 22 33 44", "mobile"),
        ("01 23 45 67 89 (ext 12)", ""),
        ("+1 (555) 010-9999", "work (old)"),
    ],
    linkedin_url="https://www.linkedin.com/in/sophielaurent",
    company="Alan",
    title="Engineering Manager",
    industry="Health insurance",
    location="Paris, France",
    tags=["Paris", "Health tech", "=cmd"],
    notes='Worked together at Criteo.\n=HYPERLINK("http://evil")\n\'quoted',
    how_we_met="@Criteo, 2016–2019",  # noqa: RUF001
    how_they_can_help="-knows every EM in Paris",
    strength="close",
    keep_in_touch_days=60,
    birthday="--04-15",
    connected_on=date(2016, 3, 1),
    uid="c3f1a9e2-6b7d-4e8f-9a0b-1c2d3e4f5a6b",
    introduced_by_uid="",
    source="linkedin",
)
MALIK = ContactRecord(
    line=3,
    full_name="Malik Haddad",
    given_name="Malik",
    family_name="Haddad",
    emails=[("malik@doctolib.fr", "")],
    company="'=Doctolib",  # already starts with a quote
    birthday="1988-12-01",
    uid="d4e2b0f3-7c8e-4f90-ab1c-2d3e4f5a6b7c",
    introduced_by_uid="c3f1a9e2-6b7d-4e8f-9a0b-1c2d3e4f5a6b",
    source="manual",
)


def export_csv(records: list[ContactRecord]) -> bytes:
    """What the exporter writes, using the shared helpers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_CSV_HEADER)
    for r in records:
        row = [
            r.full_name,
            r.given_name,
            r.family_name,
            format_multi(r.emails),
            format_multi(r.phones),
            r.linkedin_url,
            r.company,
            r.title,
            r.industry,
            r.location,
            ", ".join(r.tags),
            r.how_we_met,
            r.how_they_can_help,
            r.strength,
            "" if r.keep_in_touch_days is None else str(r.keep_in_touch_days),
            "",  # introductions a month at most: records do not carry it (yet)
            r.birthday,
            r.connected_on.isoformat() if r.connected_on else "",
            r.notes,
            r.source,
            r.introduced_by_uid,
            r.uid,
        ]
        writer.writerow([neutralize_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


def export_json(records: list[ContactRecord]) -> bytes:
    contacts = []
    for r in records:
        entry = asdict(r)
        del entry["line"]
        entry["emails"] = [{"email": e, "kind": k} for e, k in r.emails]
        entry["phones"] = [{"number": n, "kind": k} for n, k in r.phones]
        entry["connected_on"] = r.connected_on.isoformat() if r.connected_on else None
        contacts.append(entry)
    return json.dumps({"format": "introloop-contacts", "version": 1, "contacts": contacts}).encode()


def test_a_csv_export_reads_back_as_the_same_contacts():
    data = export_csv([SOPHIE, MALIK])
    assert b"'=HYPERLINK" not in data  # only a cell's first character matters
    assert b"'@Criteo" in data and b"'+33 6" in data and b"''=Doctolib" in data

    result = parse_upload(data, filename="introloop-contacts.csv")

    assert result.format == "csv"
    assert result.mapping is None
    assert result.errors == result.warnings == []
    assert result.records == [SOPHIE, replace(MALIK, line=5)]  # Sophie's notes take three lines


def test_a_json_export_reads_back_as_the_same_contacts():
    result = parse_upload(export_json([SOPHIE, MALIK]), filename="introloop-contacts.json")

    assert result.format == "json"
    assert result.errors == result.warnings == []
    assert result.records == [replace(SOPHIE, line=1), replace(MALIK, line=2)]


def test_a_json_contact_with_wrong_types_is_rejected_by_number():
    document = json.loads(export_json([SOPHIE, MALIK, MALIK]))
    document["contacts"][1]["emails"] = "malik@doctolib.fr"
    document["contacts"][2]["keep_in_touch_days"] = "sixty"
    document["contacts"].append("Zoë")

    result = parse_upload(json.dumps(document).encode())

    assert [r.full_name for r in result.records] == ["Sophie Laurent"]
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "contact #2: 'emails' should be a list"),
        (3, "contact #3: 'keep_in_touch_days' should be a whole number or null"),
        (4, "contact #4: should be an object"),
    ]


def test_json_warnings_name_the_contact():
    document = json.loads(export_json([MALIK]))
    document["contacts"][0]["emails"].append({"email": "not-an-address", "kind": None})

    result = parse_upload(json.dumps(document).encode())

    assert [w.message for w in result.warnings] == [
        "contact #1: 'not-an-address' is not an email address; the contact is kept without it"
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"format": "introloop-contacts", "version": 1, "contacts": [', "damaged"),
        (b'{"format": "introloop-contacts", "version": 1, "contacts": {}}', 'list of "contacts"'),
        (b'{"format": "introloop-contacts", "contacts": []}', '"version": 1'),
        (b'{"format": "introloop-contacts", "version": 2, "contacts": []}', "newer version"),
        (b'{"name": "Ann", "email": "ann@example.com"}', "not an Introloop contacts export"),
        (b'[{"name": "Ann"}]', "not an Introloop contacts export"),
        (b"[" * 100_000, "nested too deeply|damaged"),
    ],
)
def test_malformed_or_foreign_json_is_refused(data, message):
    with pytest.raises(ImportFileError, match=message):
        parse_upload(data)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+33 6 11 22 33 44", "'+33 6 11 22 33 44"),
        ("-5", "'-5"),
        ("@mention", "'@mention"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("'=already", "''=already"),
        ("'plain quote", "'plain quote"),
        ("Ann O'Neil", "Ann O'Neil"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_cells_are_neutralised_and_restored_exactly(value, written):
    assert neutralize_cell(value) == written
    assert restore_cell(written) == value


@pytest.mark.parametrize(
    "values",
    [
        [("ann@x.com", "work"), ("ann@gmail.com", "")],
        [("01 23 (ext 12)", ""), ("+1 (555) 010-9999", "work (old)")],
        [("555", "odd) kind")],
        [],
    ],
)
def test_emails_and_phones_cells_read_back_as_written(values):
    cell = format_multi(values)
    expected = [
        (v, k.replace("(", "").replace(")", "") if k.count("(") != k.count(")") else k)
        for v, k in values
    ]
    assert parse_multi(cell) == expected


def test_the_multi_value_cell_looks_like_the_documented_example():
    assert (
        format_multi([("ann@x.com", "work"), ("ann@gmail.com", "")])
        == "ann@x.com (work) ::: ann@gmail.com"
    )
