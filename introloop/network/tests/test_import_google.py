"""Importing Google Contacts CSV exports, both generations of columns."""

from pathlib import Path

from introloop.network.importers.detect import parse_upload

FILES = Path(__file__).parent / "files"


def parse_sample(name: str, **kwargs):
    return parse_upload((FILES / name).read_bytes(), filename=name, **kwargs)


def test_it_imports_a_google_contacts_export():
    result = parse_sample("google_contacts.csv")

    assert result.format == "google"
    assert result.total_rows == 4
    emma, carlos, aisha = result.records

    assert (emma.line, emma.full_name, emma.given_name, emma.family_name) == (
        2,
        "Emma Thompson",
        "Emma",
        "Thompson",
    )
    assert emma.emails == [
        ("emma.thompson@monzo.com", "work"),  # two addresses in one cell, " ::: "
        ("emma.t@monzo.com", "work"),
        ("emma.thompson85@gmail.com", "home"),
    ]
    assert emma.phones == [("+44 7700 900123", "mobile")]
    assert (emma.company, emma.title) == ("Monzo", "Head of Talent")
    assert emma.birthday == "1985-04-15"
    assert emma.tags == ["Recruiters", "starred"]  # "* myContacts" dropped
    assert emma.notes == "Met at Mind the Product, London.\nHappy to refer me for PM roles."
    assert emma.location == "London, United Kingdom"
    assert emma.linkedin_url == "https://www.linkedin.com/in/emmathompson-talent"

    assert carlos.line == 6  # Emma's notes and address took four lines
    assert carlos.full_name == "Carlos Eduardo Mendes"
    assert carlos.phones == [("+55 11 3003-4828", "work"), ("+55 11 99876-5432", "mobile")]
    assert carlos.birthday == "--09-21"
    assert carlos.tags == ["São Paulo", "Ex-colleagues"]
    assert carlos.location == "São Paulo, SP, Brasil"

    assert aisha.emails == [("a.okafor@wellcome.org", "work")]
    assert aisha.birthday == ""
    assert [(w.line, w.message) for w in result.warnings] == [
        (8, "'15/04/1979' is not a birthday Introloop can read; it was left empty"),
        (8, "'aisha.okafor@' is not an email address; the contact is kept without it"),
    ]
    # A pizzeria with only a phone number.
    assert [(e.line, e.message) for e in result.errors] == [
        (7, "no name, email or LinkedIn profile")
    ]


def test_it_imports_the_older_google_contacts_export():
    result = parse_sample("google_contacts_legacy.csv")

    assert result.format == "google"
    mette, ravi = result.records
    assert (mette.full_name, mette.given_name, mette.family_name) == (
        "Mette Kjær Andersen",
        "Mette",
        "Andersen",
    )
    assert mette.emails == [
        ("mette.andersen@maersk.com", "work"),
        ("mette.k.andersen@gmail.com", "home"),
        ("mette@andersen.dk", "home"),
    ]
    assert (mette.company, mette.title) == ("A.P. Moller - Maersk", "VP, Digital Products")
    assert mette.linkedin_url == "https://www.linkedin.com/in/metteandersen"  # the second website
    assert mette.tags == ["Coworkers", "Copenhagen"]
    assert mette.location == "København, Denmark"
    assert mette.birthday == "1983-11-30"

    assert ravi.tags == ["Friends"]  # "* My Contacts" and "* Other Contacts" dropped
    assert ravi.birthday == "--02-29"
    assert ravi.emails == [("ravi.s@protonmail.com", "other")]
    assert [e.line for e in result.errors] == [4]


def test_a_google_file_can_still_be_mapped_by_hand_as_a_plain_csv():
    result = parse_sample(
        "google_contacts.csv",
        format="csv",
        mapping={
            "First Name": "given_name",
            "Last Name": "family_name",
            "E-mail 1 - Value": "email",
        },
    )

    assert result.format == "csv"
    assert result.records[0].full_name == "Emma Thompson"
    assert result.records[0].emails == [("emma.thompson@monzo.com", ""), ("emma.t@monzo.com", "")]
