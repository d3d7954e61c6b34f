"""Importing any other CSV file through a column mapping, guessed or chosen."""

from pathlib import Path

import pytest

from introloop.network.importers.csvmap import (
    MAPPABLE_FIELDS,
    MappingRequired,
    guess_delimiter,
    guess_mapping,
)
from introloop.network.importers.detect import parse_upload
from introloop.network.importers.records import ImportFileError

FILES = Path(__file__).parent / "files"


def parse_sample(name: str, **kwargs):
    return parse_upload((FILES / name).read_bytes(), filename=name, **kwargs)


def test_it_imports_a_crm_export_with_guessed_columns():
    result = parse_sample("generic_crm.csv")

    assert result.format == "csv"
    assert result.columns[:3] == ["Full Name", "Email", "Work Email"]  # the BOM is gone
    assert result.mapping == {
        "Full Name": "full_name",
        "Email": "email",
        "Work Email": "email",
        "Mobile": "phone",
        "Company": "company",
        "Job Title": "title",
        "City": "location",
        "Country": "location",
        "Tags": "tags",
        "Relationship": "strength",
        "Follow-up (days)": "keep_in_touch_days",
        "Birthday": "birthday",
        "LinkedIn": "linkedin_url",
        "Notes": "notes",
    }
    grace, diego, yuki = result.records

    assert grace.full_name == "Grace Hopper-Lee"
    assert (grace.given_name, grace.family_name) == ("Grace", "Hopper-Lee")
    assert grace.emails == [("grace@hopperlee.com", ""), ("grace.lee@nasa.gov", "work")]
    assert grace.phones == [("+1 202 555 0143", "mobile")]
    assert grace.location == "Washington, USA"
    assert grace.tags == ["mentor", "space", "DC"]
    assert grace.strength == "warm"
    assert grace.keep_in_touch_days == 30
    assert grace.birthday == "1979-12-09"
    assert grace.linkedin_url == "https://www.linkedin.com/in/gracehopperlee"
    assert grace.notes == "Met at Grace Hopper Celebration 2023.\nOffered to review my CV."

    assert diego.line == 4
    assert (diego.emails, diego.strength, diego.keep_in_touch_days, diego.birthday) == (
        [],
        "",
        None,
        "",
    )
    assert sorted(w.message for w in result.warnings) == [
        "'15/04/1985' is not a date Introloop can read without guessing; write it as "
        "YYYY-MM-DD (the birthday was left empty)",
        "'diego.fernandez@@globant.com' is not an email address; the contact is kept without it",
        "'hot' is not a strength (close, warm, acquaintance or cold); it was left empty",
        "'two weeks' is not a number of days; 'keep in touch' was left empty",
    ]
    assert [(e.line, e.message) for e in result.errors] == [
        (5, "no name, email or LinkedIn profile")
    ]

    assert yuki.tags == ["design", "Tokyo"]  # "Design" again is the same tag
    assert yuki.strength == "close"
    assert yuki.birthday == "--07-07"


def test_it_imports_excels_unicode_text_export():
    result = parse_sample("excel_unicode_text.txt")

    assert result.format == "csv"
    ingrid, kwame, lukasz = result.records
    assert ingrid.emails == [("ingrid.solberg@equinor.com", "")]
    assert ingrid.phones == [("+47 912 34 567", "mobile")]
    assert ingrid.notes == 'Met at ONS 2024.\nOffered to introduce me to the "New Energy" team.'
    assert kwame.line == 4
    assert lukasz.full_name == "Łukasz Zieliński"
    assert lukasz.location == "Poznań"


def test_it_imports_a_french_excel_csv_in_latin1_with_semicolons():
    result = parse_sample("latin1_semicolon.csv")

    assert result.mapping == {
        "Prénom": "given_name",
        "Nom": "family_name",  # next to Prénom, Nom is the family name
        "E-mail": "email",
        "Téléphone": "phone",
        "Société": "company",
        "Fonction": "title",
        "Ville": "location",
        "Remarques": "notes",
    }
    benoit, cecile, noel = result.records
    assert benoit.full_name == "Benoît Lemaire"
    assert benoit.notes == "Rencontré au salon « Vivatech »"
    assert cecile.notes == "Très sympa; connaît l'équipe RH"
    assert noel.emails == []
    assert noel.phones == [("01 23 45 67 89", "")]


def test_the_users_own_mapping_wins_over_the_guess():
    data = "Who,Where,Mail\nAnn Smith,Lyon,ann@example.com\n"

    result = parse_upload(data.encode(), mapping={"Who": "full_name", "Mail": "email", "Where": ""})

    assert result.mapping == {"Who": "full_name", "Where": "", "Mail": "email"}
    [ann] = result.records
    assert (ann.full_name, ann.emails, ann.location) == ("Ann Smith", [("ann@example.com", "")], "")


def test_a_csv_whose_columns_cannot_be_guessed_asks_for_a_mapping():
    data = "Column A,Column B\nAnn Smith,Lyon\n"

    with pytest.raises(
        MappingRequired, match="Choose which columns hold names and emails"
    ) as caught:
        parse_upload(data.encode())

    assert caught.value.columns == ["Column A", "Column B"]
    assert isinstance(caught.value, ImportFileError)


def test_an_unknown_field_in_a_mapping_is_refused():
    with pytest.raises(ImportFileError, match="'salary' is not a field"):
        parse_upload(b"Name,Pay\nAnn,10\n", mapping={"Name": "full_name", "Pay": "salary"})


def test_a_row_with_more_cells_than_the_header_is_rejected():
    data = "Name,Email\nAnn Smith,ann@example.com\nBob, Jones,bob@example.com\nCarla,\n"

    result = parse_upload(data.encode())

    assert [r.full_name for r in result.records] == ["Ann Smith", "Carla"]
    assert [(e.line, e.message) for e in result.errors] == [(3, "expected 2 columns, found 3")]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (["Name", "E-mail", "Phone"], ["full_name", "email", "phone"]),
        (["First name", "Last name", "Email address"], ["given_name", "family_name", "email"]),
        (
            ["Vorname", "Nachname", "E-Mail-Adresse", "Telefon", "Firma"],
            ["given_name", "family_name", "email", "phone", "company"],
        ),
        (["Vorname", "Name", "Handy"], ["given_name", "family_name", "phone"]),
        (["Nom", "Courriel", "Entreprise", "Poste"], ["full_name", "email", "company", "title"]),
        (
            ["Title", "First Name", "Last Name", "Job Title"],
            ["", "given_name", "family_name", "title"],
        ),
        (["E-mail Address", "E-mail 2 Address", "E-mail Display Name"], ["email", "email", ""]),
        (
            ["Organization", "Role", "Profile URL", "Groups", "Comments"],
            ["company", "title", "linkedin_url", "tags", "notes"],
        ),
        (
            ["Employer", "Position", "LinkedIn", "Labels"],
            ["company", "title", "linkedin_url", "tags"],
        ),
        (
            ["Contact", "Mail", "Tel", "Date of birth", "Connected on"],
            ["full_name", "email", "phone", "birthday", "connected_on"],
        ),
        (["Name", "Full name"], ["", "full_name"]),
        (["Shoe size"], [""]),
    ],
)
def test_it_guesses_columns_from_common_headers(headers, expected):
    assert list(guess_mapping(headers).values()) == expected


def test_every_guessed_field_is_one_a_user_can_choose():
    fields = {name for name, _ in MAPPABLE_FIELDS}
    assert "" in fields
    headers = [
        "Name",
        "Email",
        "Mobile",
        "LinkedIn",
        "Company",
        "Title",
        "Industry",
        "City",
        "Tags",
        "Notes",
        "How we met",
        "How they can help",
        "Strength",
        "Keep in touch (days)",
        "Birthday",
        "Connected on",
        "Given name",
        "Family name",
    ]
    assert set(guess_mapping(headers).values()) == fields - {""}


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("Name,Email\n", ","),
        ("Name;Email;Phone\n", ";"),
        ("Name\tEmail\n", "\t"),
        ('"Smith, Ann";Email\n', ";"),
        ("Name\n", ","),
    ],
)
def test_it_detects_the_delimiter_from_the_header(text, delimiter):
    assert guess_delimiter(text) == delimiter


def test_an_introloop_export_resaved_by_a_french_excel_still_imports():
    data = (
        "Full name;Emails;Phones;Tags\r\n"
        "Ann Smith;ann@x.com (work) ::: ann@gmail.com;"
        "'+33 6 12 34 56 78 (mobile);Paris, fintech\r\n"
    )

    [ann] = parse_upload(data.encode("cp1252")).records

    assert ann.emails == [("ann@x.com", "work"), ("ann@gmail.com", "")]
    assert ann.phones == [("+33 6 12 34 56 78", "mobile")]
    assert ann.tags == ["Paris", "fintech"]


def test_linkedin_style_dates_are_read_but_ambiguous_ones_are_not():
    data = "Name,Connected on\nAnn,05 Nov 2024\nBob,2024-11-05\nCarla,11/05/2024\n"

    result = parse_upload(data.encode())

    assert [str(r.connected_on) for r in result.records] == ["2024-11-05", "2024-11-05", "None"]
    assert [w.line for w in result.warnings] == [4]
