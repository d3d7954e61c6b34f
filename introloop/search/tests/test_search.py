"""Search everywhere: one query finds the viewer's contacts, introductions, asks, goals and
applications, in groups, each row linking to its page; nobody else's; bad input gets a clear
answer, never an error page."""

from datetime import date

import pytest
from django.urls import reverse

from introloop.goals.models import Application, Ask, Goal, Need
from introloop.intros.services import Party
from introloop.intros.tests.factories import intro
from introloop.network.tests.factories import contact
from introloop.search import views

pytestmark = pytest.mark.django_db


def search(client, q, **params):
    return client.get(reverse("search"), {"q": q, **params})


def acme_everywhere(user, who: str = "Ben Ortiz"):
    """One of each kind of record, each mentioning Acme."""
    ben = contact(user, who, company="Acme Robotics", title="Staff engineer")
    made = intro(user, target=Party("Tomasz Nowak", "tomasz@example.org"), purpose="Hiring at Acme")
    goal = Goal.objects.create(owner=user, title="A platform role")
    Need.objects.create(goal=goal, text="How Acme runs its on-call")
    ask = Ask.objects.create(
        owner=user, contact=ben, kind="advice", on=date(2026, 3, 1), note="Acme interview prep"
    )
    application = Application.objects.create(
        owner=user, company="Acme Robotics", role="Platform lead", applied_on=date(2026, 3, 2)
    )
    return {
        "contact": reverse("timeline:contact", args=[ben.id]),
        "intro": reverse("intros:detail", args=[made.id]),
        "goal": reverse("goals:detail", args=[goal.id]),
        "ask": reverse("goals:ask_edit", args=[ask.id]),
        "application": reverse("goals:application_edit", args=[application.id]),
    }


def test_it_finds_each_kind_in_its_group_linking_to_its_page(alice_client, alice):
    urls = acme_everywhere(alice)

    response = search(alice_client, "acme")

    page = response.content.decode()
    assert response.status_code == 200
    for heading in ["Contacts", "Introductions", "Asks and favours", "Goals", "Applications"]:
        assert f'>{heading} <small class="muted">(1)</small></h2>' in page, heading
    for url in urls.values():
        assert f'href="{url}"' in page
    assert "Ben Ortiz" in page and "Platform lead at Acme Robotics" in page
    assert "Alice Archer → Tomasz Nowak" in page


def test_every_word_must_match_and_groups_without_matches_are_left_out(alice_client, alice):
    acme_everywhere(alice)

    page = search(alice_client, "acme  ENGINEER").content.decode()

    assert "Ben Ortiz" in page
    assert "Introductions" not in page and "Applications" not in page
    assert "Nothing matches" in search(alice_client, "acme zeppelin").content.decode()


def test_another_users_records_never_appear(alice_client, alice, bob):
    mine = acme_everywhere(alice, "Ann Alder")
    theirs = acme_everywhere(bob, "Bob's Acme friend")

    page = search(alice_client, "acme").content.decode()

    for url in mine.values():
        assert url in page
    for url in theirs.values():
        assert url not in page
    assert "Acme friend" not in page
    only = search(alice_client, "acme", only="applications").content.decode()
    assert theirs["application"] not in only


def test_a_group_shows_its_first_rows_and_links_to_all_of_them(alice_client, alice):
    for n in range(views.PAGE_ROWS + 2):
        contact(alice, f"Zed Person {n:02d}")
        Application.objects.create(
            owner=alice, company="Zed Corp", role=f"Role {n}", applied_on=date(2026, 1, 1)
        )

    page = search(alice_client, "zed").content.decode()

    assert page.count("Zed Person") == views.PAGE_ROWS
    assert 'href="/contacts/?q=zed">All 12 contacts</a>' in page
    assert 'href="/search/?q=zed&amp;only=applications">All 12 applications</a>' in page
    everything = search(alice_client, "zed", only="applications").content.decode()
    assert everything.count(" at Zed Corp") == 12
    assert "Zed Person" not in everything


def test_as_you_type_it_answers_a_short_list_of_links_without_the_page(alice_client, alice):
    urls = acme_everywhere(alice)

    response = alice_client.get(reverse("search"), {"q": "acme"}, headers={"HX-Request": "true"})

    fragment = response.content.decode()
    assert "<html" not in fragment
    assert urls["contact"] in fragment and urls["intro"] in fragment
    assert "5 results" in fragment
    assert 'href="/search/?q=acme"' in fragment  # see all results
    short = alice_client.get(reverse("search"), {"q": "a"}, headers={"HX-Request": "true"})
    assert short.status_code == 200 and "<a" not in short.content.decode()


@pytest.mark.parametrize(
    ("q", "status", "says"),
    [
        ("", 200, "Type at least 2 characters"),
        ("a", 200, "Type at least 2 characters"),
        ("  b  ", 200, "Type at least 2 characters"),
        ("\x00\x00", 200, "Type at least 2 characters"),
        ("x" * 10_000, 400, "Search for at most 200 characters"),
    ],
)
def test_bad_queries_get_a_clear_answer(alice_client, alice, q, status, says):
    acme_everywhere(alice)

    response = search(alice_client, q)

    assert response.status_code == status
    assert says in response.content.decode()


def test_wildcards_and_nul_bytes_are_searched_for_as_they_are(alice_client, alice):
    acme_everywhere(alice)
    contact(alice, "Percy 100% Sure")

    assert "Nothing matches" in search(alice_client, "%%").content.decode()
    assert "Nothing matches" in search(alice_client, "__").content.decode()
    assert "Ben Ortiz" not in search(alice_client, "% _").content.decode()
    assert "Percy 100% Sure" in search(alice_client, "100%").content.decode()
    nul = search(alice_client, "ac\x00me")
    assert nul.status_code == 200  # the NUL splits the word: "ac" and "me" both match Acme
    assert "Ben Ortiz" in nul.content.decode()


def test_visitors_are_sent_to_log_in(client):
    response = search(client, "acme")

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_header_has_the_box_and_the_shortcuts_for_people_logged_in(alice_client, client):
    page = alice_client.get(reverse("today")).content.decode()

    assert 'role="search"' in page and 'name="q"' in page
    assert "Keyboard shortcuts" in page and "introloop/search.js" in page
    assert 'role="search"' not in client.get(reverse("accounts:login")).content.decode()
