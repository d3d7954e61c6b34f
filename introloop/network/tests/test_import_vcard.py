"""Importing vCard files: 2.1 from phones, 3.0 from Apple Contacts, 4.0, and our own export."""

from datetime import date
from pathlib import Path

from introloop.network.importers.detect import parse_upload

FILES = Path(__file__).parent / "files"


def parse_sample(name: str):
    return parse_upload((FILES / name).read_bytes(), filename=name)


def by_name(result):
    return {r.full_name: r for r in result.records}


def test_it_imports_a_vcard_21_phone_export_with_quoted_printable_in_two_charsets():
    result = parse_sample("vcard21_phone.vcf")

    assert result.format == "vcard"
    assert result.total_rows == 4
    people = by_name(result)
    assert list(people) == ["José Luis García", "Jürgen Müller", "Chidi Okonkwo"]

    jose = people["José Luis García"]  # CHARSET=UTF-8
    assert (jose.given_name, jose.family_name) == ("José Luis", "García")
    assert jose.emails == [
        ("joseluis.garcia@gmail.com", "home"),
        ("jl.garcia@telefonica.es", "work"),
    ]
    assert jose.phones == [("+34 612 345 678", "mobile"), ("+34 915 555 123", "work")]
    assert jose.company == "Telefónica"
    assert jose.title == "Director, Open Innovation"  # not cut at the comma
    assert jose.notes == (
        "Conocido en el MWC 2024, stand de Telefónica.\nQuiere presentarme a su equipo de datos."
    )

    jurgen = people["Jürgen Müller"]  # CHARSET=ISO-8859-1
    assert (jurgen.given_name, jurgen.family_name) == ("Jürgen", "Müller")
    assert jurgen.emails == [("j.mueller@t-online.de", "")]  # PREF and INTERNET are not kinds
    assert jurgen.phones == [("030 1234567", "home"), ("0170 1234567", "mobile")]
    assert jurgen.location == "Berlin, Deutschland"
    assert jurgen.notes == "Kennt den Geschäftsführer von Zalando."
    assert jurgen.birthday == "1968-07-04"
    assert jurgen.line == 15

    assert people["Chidi Okonkwo"].given_name == "Chidi"  # only N: the full name is built

    assert [(e.line, e.message) for e in result.errors] == [
        (35, "no name, email or LinkedIn profile")
    ]


def test_it_imports_an_apple_contacts_export():
    result = parse_sample("vcard30_apple.vcf")

    jorg = result.records[0]
    assert jorg.full_name == "Jörg Weißmann"
    assert jorg.emails == [
        ("joerg.weissmann@deutschebahn.com", "work"),  # item1.X-ABLabel:_$!<Work>!$_
        ("joerg.w@posteo.de", "privat"),  # a label the user typed
    ]
    assert jorg.phones == [("+49 151 23456789", "mobile")]  # the iPhone duplicate is merged
    assert jorg.company == "Deutsche Bahn AG"
    assert jorg.title == "Head of Data, Mobility Platform"
    assert jorg.location == "Berlin, Germany"
    assert jorg.linkedin_url == "https://www.linkedin.com/in/j%C3%B6rg-wei%C3%9Fmann-5a1b2c3d"
    assert jorg.notes == (
        "Met at the Berlin Data Summit, 2023. Knows the hiring manager at Zalando.\n"
        "Ask about the platform team."
    )
    assert jorg.birthday == "--04-15"  # X-APPLE-OMIT-YEAR=1604
    assert jorg.tags == ["Data", "Berlin"]
    assert jorg.uid == "7C1D9B2E-3F4A-4B6C-8D9E-0A1B2C3D4E5F"

    mai = result.records[1]
    assert mai.line == 42
    assert mai.emails == [("mai.nguyen@vinai.io", "other")]
    assert mai.linkedin_url == "https://www.linkedin.com/in/thimainguyen"  # from x-user
    assert mai.birthday == "1990-10-02"

    # A card for a bakery, with a phone number only: not a person with a name.
    assert [(e.line, e.message) for e in result.errors] == [
        (54, "no name, email or LinkedIn profile")
    ]


def test_it_imports_vcard_40():
    result = parse_sample("vcard40.vcf")

    sofia, kenji, olivia = result.records
    assert sofia.emails == [
        ("sofia.rossi@unicredit.it", "work"),
        ("sofia.rossi86@gmail.com", "home"),
    ]
    assert sofia.phones == [("+39-347-123-4567", "mobile"), ("+39-02-8862-1234", "work")]
    assert sofia.company == "UniCredit"
    assert sofia.birthday == "--04-15"
    assert sofia.location == "Milano, MI, Italia"
    assert sofia.linkedin_url == "https://www.linkedin.com/in/sofiarossi"
    assert sofia.tags == ["Finance", "Milano", "Friends of Luca"]
    assert (
        sofia.notes
        == "Met at the ESADE alumni dinner, Barcelona.\nAsk about the risk team's hiring plans."
    )
    assert sofia.uid == "2f0b8e7c-4a51-4c2a-9a1e-6f7c1c9b5d10"

    assert (kenji.full_name, kenji.birthday) == ("Kenji Nakamura", "--12-03")
    assert (olivia.given_name, olivia.family_name) == ("Olivia", "Chen-Martínez")
    assert olivia.birthday == "1979-02-28"
    assert [(e.line, e.message) for e in result.errors] == [
        (35, "this card is a contact group, not a person")
    ]


def test_it_reads_back_introloops_own_vcard_export():
    result = parse_sample("introloop_export.vcf")

    sophie, malik = result.records
    assert sophie.industry == "Health insurance"
    assert sophie.strength == "close"
    assert sophie.how_we_met == "Colleagues at Criteo, 2016–2019"  # noqa: RUF001
    assert sophie.how_they_can_help == "Knows every engineering manager in Paris health tech"
    assert sophie.keep_in_touch_days == 60
    assert sophie.connected_on == date(2016, 3, 1)
    assert sophie.source == "linkedin"
    assert sophie.linkedin_url == "https://www.linkedin.com/in/sophielaurent"
    assert malik.introduced_by_uid == sophie.uid == "c3f1a9e2-6b7d-4e8f-9a0b-1c2d3e4f5a6b"
    assert malik.keep_in_touch_days is None
    assert malik.connected_on is None
    assert [(w.line, w.message) for w in result.warnings] == [
        (22, "'soon' is not a number of days; 'keep in touch' was left empty"),
        (22, "'2024-02-30' is not a date; the connection date was left empty"),
    ]


def test_a_card_vobject_cannot_parse_is_rejected_and_the_others_kept():
    data = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Smith\r\nEMAIL:ann@example.com\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Broken Card\r\n"
        "this line is not a property\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Carla Diaz\r\nEND:VCARD\r\n"
    )

    result = parse_upload(data.encode())

    assert [(r.line, r.full_name) for r in result.records] == [(1, "Ann Smith"), (11, "Carla Diaz")]
    assert len(result.errors) == 1
    assert result.errors[0].line == 6
    assert result.errors[0].message.startswith("this card could not be read")
    assert result.total_rows == 3


def test_a_file_cut_short_keeps_the_complete_cards():
    data = "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Smith\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Bob"

    result = parse_upload(data.encode())

    assert [r.full_name for r in result.records] == ["Ann Smith"]
    assert [(e.line, e.message) for e in result.errors] == [
        (5, "this card has no END:VCARD; the file may have been cut short")
    ]


def test_commas_and_semicolons_in_values_survive():
    data = (
        "BEGIN:VCARD\nVERSION:3.0\nN:O'Neil;Mary\\, Jane;;;\nFN:Mary, Jane O'Neil\n"
        "ORG:Smith\\, Jones & Co;Legal\nTITLE:Partner; Head of IP\n"
        'NOTE:Path C:\\\\data\\; "quoted"\nCATEGORIES:Law\\, IP,London\nEND:VCARD\n'
    )

    [record] = parse_upload(data.encode()).records

    assert record.full_name == "Mary, Jane O'Neil"
    assert record.given_name == "Mary, Jane"
    assert record.company == "Smith, Jones & Co"
    assert record.title == "Partner; Head of IP"
    assert record.notes == 'Path C:\\data; "quoted"'
    assert record.tags == ["Law IP", "London"]  # commas are dropped from tags


def test_a_huge_photo_is_skipped_without_slowing_anything():
    photo = (
        "PHOTO;ENCODING=b;TYPE=JPEG:" + "A" * 74 + "".join("\n " + "B" * 74 for _ in range(5000))
    )
    data = f"BEGIN:VCARD\nVERSION:3.0\nFN:Ann Smith\n{photo}\nEMAIL:ann@example.com\nEND:VCARD\n"

    [record] = parse_upload(data.encode()).records

    assert record.emails == [("ann@example.com", "")]


def test_quoted_printable_without_a_charset_in_windows_1252_is_still_read():
    data = (
        b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
        b"N;ENCODING=QUOTED-PRINTABLE:Lef=E8vre;Fran=E7ois\r\nEND:VCARD\r\n"
    )

    [record] = parse_upload(data).records

    assert record.full_name == "François Lefèvre"


def test_old_mac_line_endings_and_a_folded_begin_line_are_handled():
    data = (
        "BEGIN:VCARD\rVERSION:3.0\rFN:Ann Smith\rEMAIL:ann@example.com\rEND:VCARD\r"
        "BEGIN:VCARD\rVERSION:3.0\rFN:Bob Jones\r"
        "NOTE:a note that mentions\r  BEGIN:VCARD\rEND:VCARD\r"
    )

    result = parse_upload(data.encode())

    assert [(r.line, r.full_name) for r in result.records] == [(1, "Ann Smith"), (6, "Bob Jones")]
    assert result.records[1].notes == "a note that mentions BEGIN:VCARD"


def test_progress_is_reported_for_big_address_books():
    card = "BEGIN:VCARD\nVERSION:3.0\nFN:Person {0}\nEMAIL:p{0}@example.com\nEND:VCARD\n"
    data = "".join(card.format(i) for i in range(1200)).encode()
    calls = []

    result = parse_upload(data, progress=lambda done, total: calls.append((done, total)))

    assert len(result.records) == 1200
    assert calls == [(1000, 1200), (1200, 1200)]
