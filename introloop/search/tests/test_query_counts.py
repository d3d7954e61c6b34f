"""Searching costs the same number of queries with 10 or 200 matches of each kind, on the
results page, the page of one group and the dropdown."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from introloop.goals.models import Application, Ask, Goal, Need
from introloop.intros.services import Party
from introloop.intros.tests.factories import intro
from introloop.network.tests.factories import contact

pytestmark = pytest.mark.django_db


def queries_to(client, params: dict, headers: dict) -> int:
    """The queries of a warm search for "zed"."""
    client.get(reverse("search"), {"q": "zed", **params}, headers=headers)
    with CaptureQueriesContext(connection) as counted:
        response = client.get(reverse("search"), {"q": "zed", **params}, headers=headers)
    assert response.status_code == 200
    assert "Zed" in response.content.decode()
    return len(counted.captured_queries)


def add(user, start: int, count: int) -> None:
    """`count` records of each kind, all matching "zed"; each with its own contact and goal."""
    for n in range(start, start + count):
        person = contact(user, f"Zed Person {n:03d}", company="Zed Corp")
        goal = Goal.objects.create(owner=user, title=f"Goal {n}")
        Need.objects.create(goal=goal, text="Learn how Zed Corp hires")
        intro(user, target=Party(f"Tom Zed {n}", f"tom{n}@example.org"), purpose="Zed advice")
        on = date(2026, 3, 1) + timedelta(days=n)
        Ask.objects.create(owner=user, contact=person, goal=goal, kind="advice", on=on)
        Application.objects.create(
            owner=user, company="Zed Corp", role="Data lead", applied_on=on, contact=person
        )


ASKED = {
    "page": ({}, {}),
    "one group": ({"only": "intros"}, {}),
    "dropdown": ({}, {"HX-Request": "true"}),
}


def test_a_search_costs_the_same_with_10_or_200_matches(alice_client, alice):
    def counts() -> dict[str, int]:
        return {name: queries_to(alice_client, *asked) for name, asked in ASKED.items()}

    add(alice, 0, 10)
    with_10 = counts()
    add(alice, 10, 190)
    with_200 = counts()

    assert with_200 == with_10
    assert max(with_10.values()) <= 12  # session and user, then one or two queries a group
