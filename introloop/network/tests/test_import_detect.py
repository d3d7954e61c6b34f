"""What parse_upload makes of a file: its format, the user's choice checked, the refusals."""

import io
import random
import zipfile
from pathlib import Path

import pytest

from introloop.network.importers.detect import MAX_IMPORT_BYTES, parse_upload
from introloop.network.importers.records import FORMATS, ImportFileError, ParseResult

FILES = Path(__file__).parent / "files"
SAMPLES = sorted(p.name for p in FILES.iterdir())


def sample(name: str) -> bytes:
    return (FILES / name).read_bytes()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("linkedin_connections.csv", "linkedin"),
        ("linkedin_connections_plain.csv", "linkedin"),
        ("linkedin_connections_fr.csv", "linkedin"),
        ("vcard21_phone.vcf", "vcard"),
        ("vcard30_apple.vcf", "vcard"),
        ("vcard40.vcf", "vcard"),
        ("introloop_export.vcf", "vcard"),
        ("google_contacts.csv", "google"),
        ("google_contacts_legacy.csv", "google"),
        ("generic_crm.csv", "csv"),
        ("latin1_semicolon.csv", "csv"),
        ("excel_unicode_text.txt", "csv"),
    ],
)
def test_it_recognises_each_kind_of_file_without_being_told(name, expected):
    result = parse_upload(sample(name), filename=name)

    assert result.format == expected
    assert result.records


@pytest.mark.parametrize(
    ("name", "chosen"),
    [
        ("linkedin_connections.csv", "linkedin"),
        ("vcard40.vcf", "vcard"),
        ("google_contacts.csv", "google"),
        ("generic_crm.csv", "csv"),
        ("linkedin_connections.csv", "csv"),  # a LinkedIn file is a CSV too
    ],
)
def test_the_users_choice_is_followed_when_it_fits(name, chosen):
    assert parse_upload(sample(name), format=chosen).format == chosen


@pytest.mark.parametrize(
    ("name", "chosen", "message"),
    [
        ("generic_crm.csv", "vcard", "You chose vCard, but this file looks like a CSV file."),
        ("vcard30_apple.vcf", "csv", "You chose CSV, but this file looks like a vCard file."),
        (
            "vcard30_apple.vcf",
            "linkedin",
            "You chose LinkedIn connections, but this file looks like a vCard file.",
        ),
        (
            "google_contacts.csv",
            "linkedin",
            "You chose LinkedIn connections, but this file looks like a Google Contacts CSV file.",
        ),
        (
            "linkedin_connections.csv",
            "google",
            "You chose Google Contacts, but this file looks like LinkedIn's Connections.csv.",
        ),
        (
            "generic_crm.csv",
            "json",
            "You chose Introloop JSON, but this file looks like a CSV file.",
        ),
    ],
)
def test_a_wrong_choice_of_format_is_refused_saying_what_the_file_looks_like(name, chosen, message):
    with pytest.raises(ImportFileError) as caught:
        parse_upload(sample(name), format=chosen)

    assert str(caught.value) == message


def test_a_zip_chosen_as_vcard_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Connections.csv", sample("linkedin_connections.csv"))

    with pytest.raises(
        ImportFileError, match=r"You chose vCard, but this file looks like a ZIP file\."
    ):
        parse_upload(buffer.getvalue(), format="vcard")


def test_an_unknown_format_is_refused():
    with pytest.raises(ImportFileError, match="'xlsx' is not a format"):
        parse_upload(sample("generic_crm.csv"), format="xlsx")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "This file is empty."),
        (b" \n\r\n\t ", "This file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"This is an image \(PNG\)"),
        (b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n", "This is a PDF file"),
        (random.Random(1).randbytes(5000), "not a text file"),
    ],
)
def test_files_that_are_not_contacts_are_refused(data, message):
    with pytest.raises(ImportFileError, match=message):
        parse_upload(data)


def test_a_file_over_the_limit_is_refused_with_the_limit_in_megabytes(settings):
    assert MAX_IMPORT_BYTES == 20 * 1024 * 1024
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    data = b"Name,Email\n" + b"Ann Smith,ann@example.com\n" * 60_000

    with pytest.raises(ImportFileError) as caught:
        parse_upload(data)

    assert str(caught.value) == "This file is 1.5 MB; Introloop imports files of up to 1 MB."


def test_a_file_just_under_the_limit_is_read(settings):
    data = b"Name,Email\nAnn Smith,ann@example.com\n"
    settings.IMPORT_MAX_BYTES = len(data)

    assert len(parse_upload(data).records) == 1


def test_a_generic_csv_reports_progress():
    data = "Name,Email\n" + "".join(f"Person {i},p{i}@example.com\n" for i in range(2100))
    calls = []

    parse_upload(data.encode(), progress=lambda done, total: calls.append((done, total)))

    assert [done for done, _ in calls] == [1000, 2000, 2100]
    assert calls[-1] == (2100, 2100)


def assert_only_import_errors(data: bytes, **kwargs) -> None:
    try:
        result = parse_upload(data, **kwargs)
    except ImportFileError as exc:
        assert str(exc)
        assert "could not read this file" not in str(exc), (
            f"the safety net caught {exc.__cause__!r}"
        )
    else:
        assert isinstance(result, ParseResult)
        assert result.format in FORMATS


def test_random_bytes_never_raise_anything_but_import_errors():
    rng = random.Random(20241105)
    for size in [1, 2, 3, 7, 50, 500, 5000]:
        for _ in range(30):
            assert_only_import_errors(rng.randbytes(size))


@pytest.mark.parametrize("name", SAMPLES)
def test_truncated_and_mangled_samples_never_raise_anything_but_import_errors(name):
    data = sample(name)
    rng = random.Random(name)
    for cut in sorted(
        {
            1,
            2,
            3,
            len(data) // 3,
            len(data) // 2,
            len(data) - 1,
            *(rng.randrange(len(data)) for _ in range(10)),
        }
    ):
        assert_only_import_errors(data[:cut])
    for _ in range(20):
        mangled = bytearray(data)
        for _ in range(5):
            mangled[rng.randrange(len(mangled))] = rng.choice(b'",;\t\n\r:=\\\x00\xff')
        assert_only_import_errors(bytes(mangled))
    for chosen in FORMATS:
        assert_only_import_errors(data, format=chosen)


def test_a_damaged_linkedin_zip_never_raises_anything_but_import_errors():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Connections.csv", sample("linkedin_connections.csv") * 20)
    data = buffer.getvalue()
    rng = random.Random(7)
    for _ in range(50):
        mangled = bytearray(data)
        for _ in range(3):
            mangled[rng.randrange(4, len(mangled))] = rng.randrange(256)
        assert_only_import_errors(bytes(mangled))
