"""Importing LinkedIn's Connections.csv and LinkedIn's data export ZIP."""

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from introloop.network.importers import linkedin
from introloop.network.importers.detect import parse_upload
from introloop.network.importers.records import ImportFileError

FILES = Path(__file__).parent / "files"
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def sample(name: str) -> bytes:
    return (FILES / name).read_bytes()


def by_name(result):
    return {r.full_name: r for r in result.records}


def test_it_imports_connections_csv_with_linkedins_note_lines():
    result = parse_upload(sample("linkedin_connections.csv"), filename="Connections.csv")

    assert result.format == "linkedin"
    assert result.total_rows == 7
    assert result.errors == []
    assert result.warnings == []
    assert result.columns == HEADER.strip().split(",")
    people = by_name(result)
    assert list(people) == [
        "Amélie Durand",
        "Rajesh Krishnamurthy",
        "Siobhán O'Connor",
        "Jörg Weißmann",
        "Li Wei",
        "Marcus Johnson-Reid",
        "Zoë",
    ]
    amelie = people["Amélie Durand"]
    assert (amelie.given_name, amelie.family_name) == ("Amélie", "Durand")
    assert amelie.company == "Société Générale"
    assert amelie.title == "Chargée de recrutement"
    assert amelie.linkedin_url == "https://www.linkedin.com/in/amelie-durand-3b2a1c"
    assert amelie.connected_on == date(2024, 3, 12)
    assert amelie.emails == []
    assert amelie.line == 5  # after the three note lines and the header
    assert people["Siobhán O'Connor"].company == "Dupont, Martin & Associés"
    assert people["Rajesh Krishnamurthy"].emails == [("rajesh.k@outlook.com", "")]
    marcus = people["Marcus Johnson-Reid"]
    assert marcus.given_name == "Marcus"  # the trailing space LinkedIn left is gone
    assert marcus.emails == [("marcus.johnsonreid@gmail.com", "")]
    assert people["Jörg Weißmann"].linkedin_url == (
        "https://www.linkedin.com/in/j%C3%B6rg-wei%C3%9Fmann-5a1b2c3d"
    )
    assert people["Zoë"].family_name == ""
    assert people["Li Wei"].company == ""


def test_it_imports_connections_csv_without_note_lines():
    result = parse_upload(sample("linkedin_connections_plain.csv"))

    assert result.format == "linkedin"
    assert [(r.line, r.full_name, r.connected_on) for r in result.records] == [
        (2, "Priya Natarajan", date(2024, 10, 14)),
        (3, "Tom Becker", date(2022, 4, 3)),
        (4, "Ana Ferreira", date(2020, 12, 22)),
    ]


def test_it_imports_a_french_account_export():
    result = parse_upload(sample("linkedin_connections_fr.csv"))

    assert result.format == "linkedin"
    assert result.warnings == []
    assert [(r.full_name, r.company, r.connected_on) for r in result.records] == [
        ("Hélène Moreau", "BNP Paribas", date(2024, 11, 5)),
        ("François Lefèvre", "Lefèvre, Petit & Fils", date(2023, 2, 12)),
        ("Camille Bernard", "Doctolib", date(2021, 8, 1)),
        ("Yasmine Benali", "Station F", date(2019, 12, 17)),
    ]
    assert result.records[0].linkedin_url == "https://www.linkedin.com/in/helene-moreau-4a5b6c"


@pytest.mark.parametrize(
    ("header", "connected_on", "expected"),
    [
        (
            "Vorname,Nachname,URL,E-Mail-Adresse,Unternehmen,Position,Verbunden am",
            "05 Mär 2024",
            date(2024, 3, 5),
        ),
        (
            "Vorname,Nachname,URL,E-Mail-Adresse,Unternehmen,Position,Verbunden am",
            "05. Okt. 2024",
            date(2024, 10, 5),
        ),
        (
            "Nombre,Apellidos,URL,Dirección de correo electrónico,Empresa,Cargo,Conectado el",
            "5 ene 2024",
            date(2024, 1, 5),
        ),
        (
            "Nome,Sobrenome,URL,Endereço de e-mail,Empresa,Cargo,Conectado em",
            "21 set. 2022",
            date(2022, 9, 21),
        ),
        (
            "Nome,Cognome,URL,Indirizzo email,Azienda,Posizione,Collegato il",
            "03 giu 2020",
            date(2020, 6, 3),
        ),
        (
            "Voornaam,Achternaam,URL,E-mailadres,Bedrijf,Functie,Connectie sinds",
            "11 mrt 2021",
            date(2021, 3, 11),
        ),
        (
            "First Name,Last Name,URL,Email Address,Company,Position,Connected On",
            "2024-11-05",
            date(2024, 11, 5),
        ),
        (
            "First Name,Last Name,URL,Email Address,Company,Position,Connected On",
            "5 Sept 2018",
            date(2018, 9, 5),
        ),
    ],
)
def test_it_reads_headers_and_dates_in_other_languages(header, connected_on, expected):
    data = f"{header}\nAnn,Smith,https://www.linkedin.com/in/annsmith,,Acme,CTO,{connected_on}\n"

    result = parse_upload(data.encode())

    assert result.format == "linkedin"
    assert result.records[0].connected_on == expected
    assert result.warnings == []


def test_an_unreadable_date_is_a_warning_and_the_row_is_kept():
    data = HEADER + "Ann,Smith,https://www.linkedin.com/in/annsmith,,Acme,CTO,sometime in 2019\n"

    result = parse_upload(data.encode())

    assert result.records[0].full_name == "Ann Smith"
    assert result.records[0].connected_on is None
    assert [(w.line, w.message) for w in result.warnings] == [
        (2, "'sometime in 2019' is not a date; the connection date was left empty")
    ]


def test_bad_rows_are_rejected_with_their_line_and_the_rest_imported():
    data = (
        HEADER
        + 'Ann,Smith,https://www.linkedin.com/in/annsmith,,"Acme\nInternational",CTO,05 Nov 2024\n'
        + "Bob,Jones,https://www.linkedin.com/in/bobjones,,Acme\n"
        + ",,,,Ghost Corp,Unknown,05 Nov 2024\n"
        + "Carla,Diaz,https://www.linkedin.com/in/carla,carla@,Acme,CFO,01 Jan 2020,\n"
        + ",,,,,,\n"
        + "Dan,Wu,https://www.linkedin.com/company/acme,,Acme,CEO,01 Jan 2020\n"
    )

    result = parse_upload(data.encode())

    assert [(r.line, r.full_name) for r in result.records] == [
        (2, "Ann Smith"),
        (6, "Carla Diaz"),
        (8, "Dan Wu"),
    ]
    assert result.records[0].company == "Acme\nInternational"
    assert [(e.line, e.message) for e in result.errors] == [
        (4, "expected 7 columns, found 5"),
        (5, "no name, email or LinkedIn profile"),
    ]
    assert [(w.line, w.message) for w in result.warnings] == [
        (6, "'carla@' is not an email address; the contact is kept without it"),
        (
            8,
            "'https://www.linkedin.com/company/acme' is not a LinkedIn profile URL; "
            "the contact is kept without it",
        ),
    ]
    assert result.records[2].linkedin_url == ""
    assert result.total_rows == 5  # the empty ",,,,,," row is not a contact


def test_overlong_values_are_cut_with_a_warning():
    data = HEADER + f"Ann,Smith,https://www.linkedin.com/in/annsmith,,{'A' * 250},CTO,05 Nov 2024\n"

    result = parse_upload(data.encode())

    assert result.records[0].company == "A" * 200
    assert result.warnings[0].message == "the company was longer than 200 characters and was cut"


def test_a_connections_file_with_only_the_header_has_no_contacts():
    result = parse_upload(HEADER.encode())

    assert result.format == "linkedin"
    assert result.records == []
    assert result.total_rows == 0


def export_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_it_imports_linkedins_whole_data_export_zip():
    folder = "Basic_LinkedInDataExport_11-05-2024"
    data = export_zip(
        {
            f"{folder}/Profile.csv": b"First Name,Last Name,Maiden Name\nAlice,Archer,\n",
            f"{folder}/Connections.csv": sample("linkedin_connections.csv"),
            f"{folder}/messages.csv": b"CONVERSATION ID,FROM,TO,CONTENT\n",
            f"{folder}/Jobs/Job Applications.csv": b"Application Date,Company Name\n",
        }
    )

    result = parse_upload(data, filename="Basic_LinkedInDataExport_11-05-2024.zip")

    assert result.format == "linkedin"
    assert len(result.records) == 7
    assert result.records[0].full_name == "Amélie Durand"
    assert result.records[0].line == 5


def test_it_finds_connections_csv_whatever_its_folder_and_case():
    data = export_zip({"export/CONNECTIONS.CSV": sample("linkedin_connections_plain.csv")})

    assert len(parse_upload(data, format="linkedin").records) == 3


def test_a_zip_without_connections_csv_is_refused():
    data = export_zip({"Basic_LinkedInDataExport/Profile.csv": b"First Name\nAlice\n"})

    with pytest.raises(ImportFileError, match=r"This ZIP file has no Connections\.csv"):
        parse_upload(data)


def test_an_excel_workbook_is_refused_with_advice():
    data = export_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})

    with pytest.raises(ImportFileError, match="Excel workbook"):
        parse_upload(data)


def test_a_damaged_zip_is_refused():
    data = export_zip({"Connections.csv": sample("linkedin_connections.csv")})

    with pytest.raises(ImportFileError, match="damaged"):
        parse_upload(data[: len(data) // 2])


def test_a_zip_bomb_is_not_unpacked(monkeypatch):
    assert linkedin.MAX_MEMBER_BYTES == 100 * 1024 * 1024
    monkeypatch.setattr(linkedin, "MAX_MEMBER_BYTES", 10_000)
    data = export_zip({"Connections.csv": HEADER.encode() + b" " * 10_000})
    assert len(data) < 1000

    with pytest.raises(ImportFileError, match="Introloop will not unpack it"):
        parse_upload(data)


def test_it_reports_progress_while_reading_a_big_export():
    rows = "".join(
        f"Person,{i},https://www.linkedin.com/in/person-{i},,Acme,Engineer,05 Nov 2024\n"
        for i in range(2500)
    )
    calls = []

    result = parse_upload(
        (HEADER + rows).encode(), progress=lambda done, total: calls.append((done, total))
    )

    assert len(result.records) == 2500
    assert [done for done, _ in calls] == [1000, 2000, 2500]
    assert calls[-1] == (2500, 2500)
    assert all(done <= total for done, total in calls)
