"""Today, on the page and over the API, costs the same number of queries with 10 or 200 of
each kind of due item: introduction steps (as seeker, connector and target), asks awaiting a
follow-up and people to keep in touch with."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from introloop.goals.models import Ask
from introloop.intros.services import Party, send_opt_in_request
from introloop.intros.tests.factories import intro
from introloop.network.models import Contact
from introloop.network.tests.factories import contact

from .factories import introduced

pytestmark = pytest.mark.django_db

MOST_QUERIES = 15  # whatever the number of rows (11 for the page, 7 for the API)


def queries_to(get) -> tuple[int, object]:
    """The queries of a warm request: the first one may also note when the API token was used."""
    get()
    with CaptureQueriesContext(connection) as counted:
        response = get()
    assert response.status_code == 200
    return len(counted.captured_queries), response


class DueItems:
    """Builds, for one user, batches of every kind of item Today lists."""

    def __init__(self, user):
        self.user = user
        self.connector = make_user("cora@example.com", "Cora Connector")
        self.made = 0

    def add(self, count: int) -> None:
        now = timezone.now()
        today = now.astimezone(self.user.zone).date()
        me = Party(self.user.display_name, self.user.email)
        for n in range(self.made, self.made + count):
            # Seeker: reaching out was due three days ago.
            introduced(self.user, now - timedelta(days=5),
                       target=Party(f"Tom {n}", f"tom{n}@example.org"))  # fmt: skip
            # Connector: asking the target is due within three days.
            intro(self.user, seeker=Party(f"Maya {n}", f"maya{n}@example.net"),
                  target=Party(f"Tina {n}", f"tina{n}@example.org"))  # fmt: skip
            # Target: Cora asked whether the user would talk to Sam; answering is due in 6 days.
            asked = intro(self.connector, seeker=Party(f"Sam {n}", f"sam{n}@example.net"),
                          target=me, now=now - timedelta(days=1))  # fmt: skip
            send_opt_in_request(asked, self.connector, now - timedelta(days=1))
            # An ask awaiting its follow-up since yesterday.
            helper = contact(self.user, f"Helper {n}", emails=[f"helper{n}@example.org"])
            Ask.objects.create(owner=self.user, contact=helper, kind="advice",
                               on=today - timedelta(days=10),
                               follow_up_on=today - timedelta(days=1))  # fmt: skip
            # Someone to keep in touch with, overdue.
            friend = contact(self.user, f"Friend {n}", emails=[f"friend{n}@example.org"],
                             keep_in_touch_days=30)  # fmt: skip
            Contact.objects.filter(pk=friend.pk).update(reconnect_due_on=today - timedelta(days=2))
        self.made += count


@pytest.fixture(autouse=True)
def _cora_may_ask_many(settings):
    """Cora asks hundreds of targets here, far beyond a new account's daily allowance."""
    settings.OTHERS_EMAILS_PER_DAY_NEW = settings.OTHERS_EMAILS_PER_DAY = 10_000


def test_the_today_page_costs_the_same_with_10_or_200_of_each_item(alice_client, alice):
    items = DueItems(alice)
    items.add(10)
    with_10, page = queries_to(lambda: alice_client.get(reverse("today")))
    shown = page.context["overdue"] + page.context["due_today"] + page.context["this_week"]
    assert len(shown) == 10 * 4 + 10  # every reconnect shown while there are few

    items.add(190)
    with_200, page = queries_to(lambda: alice_client.get(reverse("today")))

    shown = page.context["overdue"] + page.context["due_today"] + page.context["this_week"]
    assert sorted({i.step for i in shown}) == [
        "answer", "ask_target", "follow_up", "reach_out", "reconnect",
    ]  # fmt: skip
    assert len(shown) == 200 * 4 + 10
    assert "And 190 more people you meant to keep in touch with" in page.content.decode()
    assert with_200 == with_10
    assert with_200 <= MOST_QUERIES


def test_today_over_the_api_costs_the_same_with_10_or_200_of_each_item(alice_api, alice):
    items = DueItems(alice)
    items.add(10)
    with_10, response = queries_to(lambda: alice_api.get("/api/v1/today"))
    assert len(response.json()["items"]) == 10 * 5

    items.add(190)
    with_200, response = queries_to(lambda: alice_api.get("/api/v1/today"))

    body = response.json()["items"]
    assert len(body) == 200 * 5
    assert {i["kind"] for i in body} == {"intro_step", "ask", "reconnect"}
    assert all(i["draft"]["to"] for i in body if i["kind"] == "reconnect")
    assert with_200 == with_10
    assert with_200 <= MOST_QUERIES
