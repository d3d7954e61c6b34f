"""The lists of introductions, from each side, cost the same number of queries with 10 or 200
introductions: over the API, and on the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from introloop.intros.services import Party

from .factories import intro

pytestmark = pytest.mark.django_db

MOST_QUERIES = 10  # whatever the number of rows (3 for the API, 4 to 7 for a page)
PAGES = {"seeker": "intros:mine", "connector": "intros:made", "target": "intros:to_me"}


def queries_to(get) -> tuple[int, object]:
    """The queries of a warm request: the first one may also note when the API token was used."""
    get()
    with CaptureQueriesContext(connection) as counted:
        response = get()
    assert response.status_code == 200
    return len(counted.captured_queries), response


class Introductions:
    """Introductions in which one user plays each part, some logged by them, some by Cora."""

    def __init__(self, user):
        self.user = user
        self.cora = make_user("cora@example.com", "Cora Connector")
        self.made = 0

    def add(self, count: int) -> None:
        me = Party(self.user.display_name, self.user.email)
        for n in range(self.made, self.made + count):
            intro(self.user, target=Party(f"Tom {n}", f"tom{n}@example.org"))
            intro(self.cora, seeker=me, target=Party(f"Tina {n}", f"tina{n}@example.org"))
            intro(self.user, seeker=Party(f"Maya {n}", f"maya{n}@example.net"),
                  target=Party(f"Theo {n}", f"theo{n}@example.org"))  # fmt: skip
            intro(self.cora, seeker=Party(f"Sam {n}", f"sam{n}@example.net"), target=me)
        self.made += count


PER_ROLE = {"seeker": 2, "connector": 1, "target": 1}  # introductions per role in each batch


@pytest.mark.parametrize("role", ["seeker", "connector", "target"])
def test_listing_introductions_over_the_api_costs_the_same_with_10_or_200(alice_api, alice, role):
    intros = Introductions(alice)
    url = f"/api/v1/intros?role={role}&state=all&limit=500"
    intros.add(10)
    with_10, _ = queries_to(lambda: alice_api.get(url))

    intros.add(190)
    with_200, response = queries_to(lambda: alice_api.get(url))

    body = response.json()
    assert body["count"] == len(body["items"]) == 200 * PER_ROLE[role]
    assert all(i["target_name"] and i["next_step"] for i in body["items"])
    assert with_200 == with_10
    assert with_200 <= MOST_QUERIES


@pytest.mark.parametrize("role", ["seeker", "connector", "target"])
def test_the_introduction_pages_cost_the_same_with_10_or_200(alice_client, alice, role):
    intros = Introductions(alice)
    url = reverse(PAGES[role]) + "?state=all"
    intros.add(10)
    with_10, _ = queries_to(lambda: alice_client.get(url))

    intros.add(190)
    with_200, page = queries_to(lambda: alice_client.get(url))

    assert page.context["page"].paginator.count == 200 * PER_ROLE[role]
    assert len(page.context["page"]) == 50  # one page
    assert with_200 == with_10
    assert with_200 <= MOST_QUERIES
