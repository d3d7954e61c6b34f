"""Reading what a phone shares to Introloop (the share target) into a contact's fields."""

import pytest

from introloop.network.sharing import MAX_NAME, read_shared


@pytest.mark.parametrize(
    ("title", "name", "headline", "company"),
    [
        ("Ann Lee | LinkedIn", "Ann Lee", "", ""),
        ("Ann Lee - Acme | LinkedIn", "Ann Lee", "", "Acme"),
        ("Ann Lee - Staff Engineer - Acme | LinkedIn", "Ann Lee", "Staff Engineer", "Acme"),
        ("(3) Ann Lee \u2013 Staff Engineer \u2014 Acme | LinkedIn", "Ann Lee", "Staff Engineer", "Acme"),
        ("Ann Lee - Staff Engineer at Acme | LinkedIn", "Ann Lee", "Staff Engineer", "Acme"),
        ("Ann Lee - Builder - Platforms - Acme Inc. | LinkedIn", "Ann Lee", "Builder - Platforms",
         "Acme Inc."),
        ("Jean-Luc Picard - Captain - Starfleet | LinkedIn", "Jean-Luc Picard", "Captain",
         "Starfleet"),
    ],
)  # fmt: skip
def test_it_reads_the_name_headline_and_company_from_a_linkedin_title(
    title, name, headline, company
):
    shared = read_shared(title, "", "https://www.linkedin.com/in/annlee")
    assert (shared.name, shared.headline, shared.company) == (name, headline, company)
    assert shared.linkedin_url == "https://www.linkedin.com/in/annlee"
    assert shared.contact_fields()["full_name"] == name


def test_it_finds_the_profile_address_inside_the_text_and_drops_tracking():
    text = "Check out Ann Lee\u2019s profile on LinkedIn https://uk.linkedin.com/in/AnnLee/?utm_source=share."
    shared = read_shared("", text, "")
    assert shared.name == "Ann Lee"
    assert shared.linkedin_url == "https://www.linkedin.com/in/annlee"
    assert shared.note == ""  # LinkedIn's own wording is not a note
    assert shared.contact_fields() == {
        "full_name": "Ann Lee",
        "linkedin_url": "https://www.linkedin.com/in/annlee",
    }


def test_a_piece_of_text_becomes_the_note_and_the_purpose():
    shared = read_shared("", "How platform teams at Acme hire https://acme.example/jobs/1.", "")
    assert shared.url == "https://acme.example/jobs/1"
    assert shared.linkedin_url == ""
    assert shared.name == ""
    assert shared.contact_fields() == {
        "notes": "How platform teams at Acme hire\nhttps://acme.example/jobs/1"
    }
    assert shared.intro_fields() == {
        "target_url": "https://acme.example/jobs/1",
        "purpose": "How platform teams at Acme hire",
    }


def test_another_sites_title_is_nobodys_name():
    shared = read_shared("Acme careers", "", "https://acme.example/jobs")
    assert shared.name == ""
    assert shared.contact_fields()["notes"] == "Acme careers\nhttps://acme.example/jobs"


def test_a_linkedin_post_gives_its_author_and_its_words():
    shared = read_shared("Ann Lee on LinkedIn: We are hiring platform engineers", "", "")
    assert shared.name == "Ann Lee"
    assert shared.intro_fields() == {
        "target_name": "Ann Lee",
        "purpose": "We are hiring platform engineers",
    }


def test_the_introduction_link_carries_the_target():
    shared = read_shared(
        "Ann Lee - Staff Engineer - Acme | LinkedIn", "", "https://www.linkedin.com/in/annlee"
    )
    assert shared.intro_fields() == {
        "target_name": "Ann Lee",
        "target_company": "Acme",
        "target_url": "https://www.linkedin.com/in/annlee",
    }


@pytest.mark.parametrize(
    ("title", "text", "url"),
    [
        ("", "", ""),
        ("   ", "\n\n", " "),
        ("| LinkedIn", "", ""),
        (" - - | LinkedIn", "", "https://www.linkedin.com/in/"),
        ("\x00\x01\x7f", "\ud800", "javascript:alert(1)"),
        ("x" * 100_000, "y " * 100_000, "https://" + "z" * 100_000),
        ("<script>alert(1)</script> | LinkedIn", "https://", "ftp://example.com"),
    ],
)
def test_empty_huge_or_garbage_input_gives_an_answer_within_bounds(title, text, url):
    shared = read_shared(title, text, url)
    for value in shared.contact_fields().values():
        assert len(value) <= 5000
        assert "\x00" not in value
    assert len(shared.name) <= MAX_NAME
    assert not shared.url or shared.url.startswith(("http://", "https://"))
    assert shared.linkedin_url in ("", "https://www.linkedin.com/in/annlee")


def test_nothing_shared_is_empty():
    assert read_shared("", "", "").is_empty
    assert read_shared("", "", "").contact_fields() == {}
