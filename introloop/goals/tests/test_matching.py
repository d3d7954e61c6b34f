"""Company names and job titles: when a contact's counts as one a goal names."""

import importlib

import pytest

from introloop.goals.matching import (
    CompanyMatcher,
    company_key,
    is_legal_suffix,
    title_variants,
    variants_pattern,
)


@pytest.mark.parametrize(
    "name",
    ["Acme", "Acme Inc", "ACME, Inc.", "Acmé Incorporated", " acme  ltd. ", "Acme Co., Ltd."],
)
def test_it_drops_case_accents_punctuation_and_legal_forms(name):
    assert company_key(name) == "acme"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Siemens AG", "siemens"),
        ("Nestlé S.A.", "nestle"),
        ("Ferrari S.p.A.", "ferrari"),
        ("Philips N.V.", "philips"),
        ("ING Groep B.V.", "ing groep"),
        ("Atlassian Pty Ltd", "atlassian"),
        ("Ørsted A/S", "ørsted"),  # Ø is a letter of its own, not O with a mark
        ("Smith & Co.", "smith"),
        ("AT&T", "at and t"),
        ("Limited", "limited"),  # never the last word left
        ("Inc.", "inc"),
        ("", ""),
    ],
)
def test_it_normalises_company_names(name, key):
    assert company_key(name) == key


def test_similar_names_match_and_merely_close_ones_do_not():
    matcher = CompanyMatcher(["Acme, Inc.", "Meta", "Octopus Energy"])
    assert matcher.match("Acmé Incorporated") == ("Acme, Inc.", "normalised")
    assert matcher.match("acme, inc.") == ("Acme, Inc.", "same")
    assert matcher.match("Octopus Enrgy Ltd") == ("Octopus Energy", "similar")
    assert matcher.match("Acne") is None
    assert matcher.match("Metabase") is None
    assert matcher.match("Meta Platforms, Inc.") is None
    assert matcher.match("") is None
    assert CompanyMatcher(["Company 15"]).match("Company 151") is None  # not a typo


def test_a_goal_company_that_is_only_a_legal_form_matches_nothing_else():
    assert not CompanyMatcher(["", "  "])
    assert CompanyMatcher(["Inc."]).match("Acme Inc") is None


def test_titles_count_as_the_roles_of_their_row():
    variants = title_variants(["PM", "Recruiter"])
    pattern = variants_pattern(variants)
    assert pattern is not None
    for title, role in [
        ("senior product owner", "PM"),
        ("head of product, emea", "PM"),
        ("talent acquisition partner", "Recruiter"),
    ]:
        found = pattern.search(title)
        assert found and variants[found[0]] == role
    assert pattern.search("pmo lead") is None
    assert variants_pattern(title_variants(["Baker"])) is None


def test_a_goal_extends_the_table():
    variants = title_variants(["Growth PM"], [("Growth PM", "Growth Lead")])
    assert variants == {"growth lead": "Growth PM"}


def test_the_migration_joins_lone_legal_forms_back_to_their_company():
    migration = importlib.import_module("introloop.goals.migrations.0003_rejoin_split_companies")
    assert migration.rejoined(["Acme", "Inc.", "Globex", "Initech", "S.A.", "Umbrella"]) == [
        "Acme, Inc.",
        "Globex",
        "Initech, S.A.",
        "Umbrella",
    ]
    assert migration.rejoined(["Inc.", "Acme"]) == ["Inc.", "Acme"]
    assert is_legal_suffix("Co., Ltd.") and not is_legal_suffix("Acme")
