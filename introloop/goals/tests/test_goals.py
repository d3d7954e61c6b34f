"""Goals, their checklist, the brief and its public page."""

import pytest
from django.test import Client
from django.urls import reverse

from introloop.goals.models import Brief, Goal, Need

pytestmark = pytest.mark.django_db

GOAL = {
    "title": "Product role in climate tech",
    "roles": "Product Manager\nSenior Product Manager",
    "industries": "Climate, Energy",
    "companies": "Octopus Energy\nØrsted\n Climeworks \noctopus energy",
    "locations": "London",
    "active": "on",
}


def test_a_goal_keeps_clean_lists(alice_client, alice):
    response = alice_client.post(reverse("goals:new"), GOAL)
    goal = Goal.objects.get(owner=alice)
    assert response.url == reverse("goals:detail", args=[goal.id])
    assert goal.roles == ["Product Manager", "Senior Product Manager"]
    assert goal.companies == ["Octopus Energy", "Ørsted", "Climeworks"]  # repeats dropped
    assert goal.industries == ["Climate", "Energy"]


def test_a_comma_stays_part_of_a_company_name(alice_client, alice):
    alice_client.post(reverse("goals:new"), {**GOAL, "companies": "Acme, Inc.\nGlobex"})
    goal = Goal.objects.get(owner=alice)
    assert goal.companies == ["Acme, Inc.", "Globex"]
    page = alice_client.get(reverse("goals:edit", args=[goal.id])).content.decode()
    assert "Acme, Inc.\nGlobex</textarea>" in page
    alice_client.post(
        reverse("goals:edit", args=[goal.id]), {**GOAL, "companies": "Acme, Inc.\nGlobex"}
    )
    goal.refresh_from_db()
    assert goal.companies == ["Acme, Inc.", "Globex"]


def test_titles_that_also_count_are_kept_one_line_each(alice_client, alice):
    variants = "PM = Product Manager,  Product Owner\n\n  Growth PM, Growth Lead "
    alice_client.post(reverse("goals:new"), {**GOAL, "also_counts_as": variants})
    goal = Goal.objects.get(owner=alice)
    assert goal.also_counts_as == "PM = Product Manager, Product Owner\nGrowth PM = Growth Lead"


def test_a_title_that_counts_as_nothing_else_is_refused(alice_client):
    response = alice_client.post(reverse("goals:new"), {**GOAL, "also_counts_as": "PM"})
    assert "Line 1 names only “PM”" in response.content.decode()
    assert not Goal.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"roles": "", "industries": "", "companies": "", "locations": ""}, "Say at least one"),
        ({"title": ""}, "This field is required."),
        ({"companies": "\n".join(f"Company {n}" for n in range(201))}, "At most 200 companies"),
    ],
)
def test_empty_or_oversized_goals_are_refused_inline(alice_client, change, message):
    response = alice_client.post(reverse("goals:new"), {**GOAL, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Goal.objects.exists()


def test_a_goal_with_hundreds_of_companies_is_fine(alice_client, alice):
    companies = "\n".join(f"Company {n}" for n in range(200))
    alice_client.post(reverse("goals:new"), {**GOAL, "companies": companies})
    assert len(Goal.objects.get().companies) == 200
    assert alice_client.get(reverse("goals:list")).status_code == 200


def test_the_checklist_of_needs(alice_client, alice):
    alice_client.post(reverse("goals:new"), GOAL)
    goal = Goal.objects.get()
    alice_client.post(
        reverse("goals:need_add", args=[goal.id]),
        {"kind": "information", "text": "How product teams there are organised"},
    )
    need = Need.objects.get()
    alice_client.post(reverse("goals:need_toggle", args=[need.id]))
    assert Need.objects.get().done
    bad = alice_client.post(
        reverse("goals:need_add", args=[goal.id]), {"kind": "x", "text": ""}, follow=True
    )
    assert "Say what you need" in bad.content.decode()
    assert alice_client.get(reverse("goals:need_delete", args=[need.id])).status_code == 405
    removed = alice_client.post(reverse("goals:need_delete", args=[need.id]), follow=True)
    assert "Removed “How product teams there are organised”" in removed.content.decode()
    assert not Need.objects.exists() and Goal.objects.exists()


def test_the_brief_says_openly_what_the_seeker_is_looking_for(alice_client, alice):
    alice_client.post(reverse("goals:new"), GOAL)
    goal = Goal.objects.get()
    Need.objects.create(goal=goal, kind="information", text="how product teams are organised")
    Need.objects.create(goal=goal, kind="feedback", text="my portfolio")
    text = alice_client.get(reverse("goals:list")).context["brief_text"]
    assert "I'm Alice Archer, and I'm looking for my next role." in text
    assert (
        "a role as Product Manager or Senior Product Manager in Climate or Energy, ideally "
        "at Octopus Energy, Ørsted or Climeworks, based in London."
    ) in text
    assert (
        "I'd especially like to learn how product teams are organised and get feedback on "
        "my portfolio."
    ) in text
    assert "grateful for an introduction" in text


def test_sharing_the_brief_at_an_unguessable_link_and_revoking_it(alice_client, alice):
    alice_client.post(reverse("goals:new"), GOAL)
    alice_client.post(
        reverse("goals:brief"), {"action": "save", "intro_text": "Eight years in data engineering."}
    )
    brief = Brief.objects.get(owner=alice)
    url = f"/b/{brief.token}/"
    assert len(brief.token) >= 30
    assert Client().get(url).status_code == 404  # not shared yet

    alice_client.post(reverse("goals:brief"), {"action": "share"})
    page = Client().get(url).content.decode()
    assert "Alice Archer is looking for their next role" in page
    assert "Eight years in data engineering." in page
    assert '<meta name="robots" content="noindex, nofollow">' in page  # kept out of search engines

    alice_client.post(reverse("goals:brief"), {"action": "new_address"})
    assert Client().get(url).status_code == 404
    new_url = f"/b/{Brief.objects.get(owner=alice).token}/"
    assert Client().get(new_url).status_code == 200
    alice_client.post(reverse("goals:brief"), {"action": "unshare"})
    assert Client().get(new_url).status_code == 404


def test_someone_elses_goal_is_not_found(alice_client, bob):
    theirs = Goal.objects.create(owner=bob, title="Secret", roles=["Spy"])
    assert alice_client.get(reverse("goals:detail", args=[theirs.id])).status_code == 404
    assert "Secret" not in alice_client.get(reverse("goals:list")).content.decode()
