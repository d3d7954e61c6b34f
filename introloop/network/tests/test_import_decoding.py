"""Reading uploaded bytes as text, and the email and LinkedIn URL normalisations."""

import pytest

from introloop.network.importers.decoding import (
    decode_text,
    normalize_email,
    normalize_linkedin_url,
)
from introloop.network.importers.records import ImportFileError

TEXT = "Prénom,Nom\nHélène,Moreau\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        b"\xff\xfe" + TEXT.encode("utf-16-le"),
        b"\xfe\xff" + TEXT.encode("utf-16-be"),
        TEXT.encode("utf-16-le"),  # no BOM, still plainly UTF-16
        TEXT.encode("cp1252"),
        TEXT.encode("latin-1"),
    ],
    ids=["utf-8", "utf-8 BOM", "utf-16-le BOM", "utf-16-be BOM", "utf-16-le", "cp1252", "latin-1"],
)
def test_it_reads_the_encodings_people_upload(data):
    assert decode_text(data) == TEXT


def test_it_reads_cp1252_quotes_and_euro_signs_from_old_windows_exports():
    text = "“Société” – 5 €"  # noqa: RUF001 - the typographic characters are the point
    assert decode_text(text.encode("cp1252")) == text


def test_it_falls_back_to_latin1_for_bytes_cp1252_does_not_define():
    data = b"Name,Company\nZo\xeb,Caf\xe9 M\xfcller\n" * 5 + b"Ann,\x81\n"
    assert decode_text(data) == data.decode("latin-1")


@pytest.mark.parametrize(
    "data", [b"", b"   \r\n\t\n", b"\xef\xbb\xbf", b"\xff\xfe" + " \n".encode("utf-16-le")]
)
def test_it_refuses_empty_files(data):
    with pytest.raises(ImportFileError, match="empty"):
        decode_text(data)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "save it as CSV"),
    ],
)
def test_it_says_what_a_wrong_kind_of_file_is(data, words):
    with pytest.raises(ImportFileError, match=words):
        decode_text(data)


def test_it_refuses_binary_data():
    with pytest.raises(ImportFileError, match="not a text file"):
        decode_text(bytes(range(256)) * 20)
    with pytest.raises(ImportFileError, match="not a text file"):
        decode_text(b"name,email\nAnn,ann@example.com\x00\x00\n")


def test_an_old_dos_file_ending_with_ctrl_z_is_still_text():
    text = "Name,Email\r\n" + "Ann Smith,ann@example.com\r\n" * 3 + "\x1a"
    assert decode_text(text.encode("cp1252")) == text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://www.linkedin.com/in/ann-smith-1234",
            "https://www.linkedin.com/in/ann-smith-1234",
        ),
        ("http://linkedin.com/in/Ann-Smith/", "https://www.linkedin.com/in/ann-smith"),
        (
            "https://fr.linkedin.com/in/helene-moreau?originalSubdomain=fr",
            "https://www.linkedin.com/in/helene-moreau",
        ),
        ("linkedin.com/in/annsmith", "https://www.linkedin.com/in/annsmith"),
        ("www.linkedin.com/in/annsmith#about", "https://www.linkedin.com/in/annsmith"),
        (
            "https://m.linkedin.com/in/annsmith/details/experience/",
            "https://www.linkedin.com/in/annsmith",
        ),
        ("https://www.linkedin.com/in/J%C3%B6rg-M", "https://www.linkedin.com/in/j%C3%B6rg-m"),
        ("https://www.linkedin.com/in/jörg-m", "https://www.linkedin.com/in/j%C3%B6rg-m"),
        (
            "https://www.linkedin.com/pub/john-doe/12/345/678",
            "https://www.linkedin.com/pub/john-doe/12/345/678",
        ),
        ("  HTTPS://WWW.LINKEDIN.COM/IN/ANN  ", "https://www.linkedin.com/in/ann"),
        ("https://www.linkedin.com/company/acme", ""),
        ("https://www.linkedin.com/in/", ""),
        ("https://www.linkedin.com/", ""),
        ("https://notlinkedin.com/in/ann", ""),
        ("https://linkedin.com.evil.example/in/ann", ""),
        ("https://linkedin.com@evil.example/in/ann", ""),
        ("ftp://www.linkedin.com/in/ann", ""),
        ("javascript:alert(1)", ""),
        ("https://twitter.com/ann", ""),
        ("", ""),
    ],
)
def test_linkedin_profile_urls_get_one_canonical_form(url, expected):
    assert normalize_linkedin_url(url) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Ann.Smith@Example.COM ", "ann.smith@example.com"),
        ("mailto:ann@example.com", "ann@example.com"),
        ("Ann Smith <ann@example.com>", "ann@example.com"),
        ("ann@", ""),
        ("ann", ""),
        ("ann@@example.com", ""),
        ("ann smith@example.com", ""),
        ("", ""),
    ],
)
def test_emails_are_lower_cased_and_implausible_ones_dropped(raw, expected):
    assert normalize_email(raw) == expected
