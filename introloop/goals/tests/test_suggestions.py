"""Who can help: contacts ranked by fit, with the reasons."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from introloop.goals.models import Ask, Goal
from introloop.goals.suggestions import suggestions
from introloop.network.tests.factories import contact

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


@pytest.fixture
def goal(alice):
    return Goal.objects.create(
        owner=alice,
        title="Product in climate",
        roles=["Product Manager"],
        industries=["Climate"],
        companies=["Acme Energy", "Octopus Energy"],
        locations=["London"],
    )


def test_contacts_rank_by_fit_and_say_why(goal, alice, bob):
    inside = contact(
        alice,
        "Ines Insider",
        company="Acme Energy",
        title="Product Manager",
        industry="Climate",
        strength="warm",
    )
    adjacent = contact(
        alice, "Adam Adjacent", company="Globex", title="Senior Product Manager", strength="close"
    )
    notes = contact(
        alice, "Nora Notes", company="Initech", how_they_can_help="Used to work at Octopus Energy"
    )
    contact(alice, "Zed Unrelated", company="Bakery", title="Baker")
    contact(bob, "Bob's Acme Friend", company="Acme Energy", title="Product Manager")

    found = suggestions(goal, TODAY)

    assert [s.name for s in found] == ["Ines Insider", "Adam Adjacent", "Nora Notes"]
    top = found[0]
    assert top.contact_id == inside.id
    assert top.reasons[:3] == [
        "works at Acme Energy, one of your target companies",
        "works in Climate",
        "is a Product Manager",
    ]
    assert "warm" in top.reasons and "never asked" in top.reasons
    assert found[1].contact_id == adjacent.id and "close" in found[1].reasons
    assert "your notes on them mention Octopus Energy" in found[2].reasons
    assert found[2].contact_id == notes.id


def test_recent_asks_push_a_contact_down(goal, alice):
    a = contact(alice, "Asked Recently", company="Acme Energy")
    b = contact(alice, "Asked Long Ago", company="Octopus Energy")
    Ask.objects.create(owner=alice, contact=a, kind="advice", on=TODAY - timedelta(days=10))
    Ask.objects.create(owner=alice, contact=b, kind="advice", on=TODAY - timedelta(days=200))
    found = suggestions(goal, TODAY)
    assert [s.name for s in found] == ["Asked Long Ago", "Asked Recently"]
    assert "asked 10 days ago" in found[1].reasons
    assert "not asked in 6 months" in found[0].reasons


def test_ranking_reads_a_fixed_number_of_queries(goal, alice):
    for n in range(3):
        contact(alice, f"P{n}", company="Acme Energy", tags=["climate"])
    with CaptureQueriesContext(connection) as few:
        suggestions(goal, TODAY)
    for n in range(60):
        contact(alice, f"Q{n}", company="Octopus Energy", tags=["x"])
    with CaptureQueriesContext(connection) as many:
        assert len(suggestions(goal, TODAY, limit=100)) == 63
    assert len(many) == len(few)


def test_companies_match_after_normalising_and_say_so(alice):
    goal = Goal.objects.create(owner=alice, title="Acme", companies=["Acme, Inc.", "Meta"])
    contact(alice, "Ann Exact", company="ACME, INC.")
    contact(alice, "Ben Inc", company="Acme Inc")
    contact(alice, "Cai Accent", company="Acmé Incorporated")
    contact(alice, "Dee Acne", company="Acne")
    contact(alice, "Eve Metabase", company="Metabase")

    found = {s.name: s.reasons[0] for s in suggestions(goal, TODAY)}

    assert found == {
        "Ann Exact": "works at ACME, INC., one of your target companies",
        "Ben Inc": "works at Acme Inc (matches “Acme, Inc.”, one of your target companies)",
        "Cai Accent": (
            "works at Acmé Incorporated (matches “Acme, Inc.”, one of your target companies)"
        ),
    }


def test_a_similar_company_ranks_just_below_the_same_one(alice):
    goal = Goal.objects.create(owner=alice, title="Energy", companies=["Octopus Energy"])
    contact(alice, "Tia Typo", company="Octopus Enrgy")
    contact(alice, "Sam Same", company="Octopus Energy Ltd")
    found = suggestions(goal, TODAY)
    assert [s.name for s in found] == ["Sam Same", "Tia Typo"]
    assert found[1].reasons[0] == (
        "works at Octopus Enrgy (similar to “Octopus Energy”, one of your target companies)"
    )


def test_job_title_variants_count_and_say_which(alice):
    goal = Goal.objects.create(
        owner=alice,
        title="Product",
        roles=["PM", "Software Engineer", "Growth Lead"],
        also_counts_as="Growth Lead = Head of Growth",
    )
    contact(alice, "Pia Owner", title="Product Owner")
    contact(alice, "Dev Eloper", title="Senior Developer")
    contact(alice, "Hal Growth", title="Head of Growth")
    contact(alice, "Pam Office", title="PMO Analyst")
    contact(alice, "Bo Dev", title="Business Development")

    found = {s.name: s.reasons[0] for s in suggestions(goal, TODAY)}

    assert found == {
        "Pia Owner": "is a Product Owner (counts as “PM”)",
        "Dev Eloper": "is a Senior Developer (counts as “Software Engineer”)",
        "Hal Growth": "is a Head of Growth (counts as “Growth Lead”)",
    }
