"""The lists of goals, asks and applications, on their pages and over the API, cost the same
number of queries with 10 or 200 rows."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from introloop.goals.models import Application, Ask, Goal
from introloop.intros.services import Party
from introloop.intros.tests.factories import intro
from introloop.network.tests.factories import contact

pytestmark = pytest.mark.django_db

MOST_QUERIES = 5  # whatever the number of rows (3 for a page, 2 for the API)
KINDS = [k for k, _ in Ask.Kind.choices]


def queries_to(get) -> tuple[int, object]:
    """The queries of a warm request: the first one may also note when the API token was used."""
    get()
    with CaptureQueriesContext(connection) as counted:
        response = get()
    assert response.status_code == 200
    return len(counted.captured_queries), response


class Records:
    """Asks, favours and applications of one user, each with its own contact, goal and
    introduction, so that anything read per row shows in the count."""

    def __init__(self, user):
        self.user = user
        self.made = 0

    def add(self, count: int) -> None:
        for n in range(self.made, self.made + count):
            person = contact(self.user, f"Person {n:03d}", emails=[f"person{n}@example.org"])
            goal = Goal.objects.create(owner=self.user, title=f"Goal {n}")
            about = intro(self.user, target=Party(f"Tom {n}", f"tom{n}@example.org"))
            on = date(2026, 3, 1) + timedelta(days=n)
            Ask.objects.create(
                owner=self.user, contact=person, goal=goal, intro=about, kind=KINDS[n % 5],
                direction="given" if n % 3 == 0 else "asked", on=on,
                follow_up_on=on + timedelta(days=7),
            )  # fmt: skip
            Application.objects.create(
                owner=self.user, company=f"Company {n}", role="Data lead", applied_on=on,
                source="referral", intro=about, contact=person,
            )  # fmt: skip
        self.made += count


def test_the_asks_page_costs_the_same_with_10_or_200_asks(alice_client, alice):
    records = Records(alice)
    records.add(10)
    with_10, _ = queries_to(lambda: alice_client.get(reverse("goals:asks")))

    records.add(190)
    with_200, page = queries_to(lambda: alice_client.get(reverse("goals:asks")))

    html = page.content.decode()
    assert html.count("<tr>") == 1 + 200
    assert "Person 000" in html and "Person 199" in html
    assert with_200 == with_10
    assert with_200 <= MOST_QUERIES


def test_the_asks_api_costs_the_same_with_10_or_200_asks(alice_api, alice):
    records = Records(alice)
    records.add(10)
    with_10, _ = queries_to(lambda: alice_api.get("/api/v1/asks"))

    records.add(190)
    with_200, response = queries_to(lambda: alice_api.get("/api/v1/asks"))

    body = response.json()
    assert len(body) == 200
    assert all(a["contact_id"] and a["goal_id"] and a["intro_id"] for a in body)
    assert with_200 == with_10
    assert with_200 <= MOST_QUERIES


def test_the_applications_page_costs_the_same_with_10_or_200_applications(alice_client, alice):
    records = Records(alice)
    records.add(10)
    with_10, _ = queries_to(lambda: alice_client.get(reverse("goals:applications")))

    records.add(190)
    with_200, page = queries_to(lambda: alice_client.get(reverse("goals:applications")))

    html = page.content.decode()
    assert html.count("<tr>") == 1 + 200
    assert "Data lead at Company 0<" in html and "Data lead at Company 199<" in html
    assert with_200 == with_10
    assert with_200 <= MOST_QUERIES


def test_the_applications_api_costs_the_same_with_10_or_200_applications(alice_api, alice):
    records = Records(alice)
    records.add(10)
    with_10, _ = queries_to(lambda: alice_api.get("/api/v1/applications"))

    records.add(190)
    with_200, response = queries_to(lambda: alice_api.get("/api/v1/applications"))

    body = response.json()
    assert len(body) == 200
    assert all(a["contact_id"] and a["intro_id"] for a in body)
    assert with_200 == with_10
    assert with_200 <= MOST_QUERIES


def test_the_goals_page_and_api_cost_the_same_with_10_or_200_goals(alice_client, alice_api, alice):
    records = Records(alice)
    records.add(10)
    page_10, _ = queries_to(lambda: alice_client.get(reverse("goals:list")))
    api_10, _ = queries_to(lambda: alice_api.get("/api/v1/goals"))

    records.add(190)
    page_200, page = queries_to(lambda: alice_client.get(reverse("goals:list")))
    api_200, response = queries_to(lambda: alice_api.get("/api/v1/goals"))

    assert "Goal 0<" in page.content.decode() and "Goal 199<" in page.content.decode()
    assert len(response.json()) == 200
    assert (page_200, api_200) == (page_10, api_10)
    assert page_200 <= 8 and api_200 <= MOST_QUERIES  # the page adds each goal's progress
