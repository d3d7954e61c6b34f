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
from introloop.intros.sending import send_opt_in_request
from introloop.intros.services import Party
from introloop.intros.tests.factories import intro
from introloop.network.models import Contact
from introloop.network.tests.factories import contact
from introloop.reminders.today import GROUP_CAP, GROUP_PAGE

from .factories import introduced

pytestmark = pytest.mark.django_db

MOST_QUERIES = 17  # whatever the number of rows (17 for the page, 10 for the API)


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


def shown_on(page) -> list:
    return page.context["overdue"] + page.context["due_today"] + page.context["this_week"]


def test_the_today_page_costs_the_same_with_10_or_200_of_each_item(alice_client, alice):
    items = DueItems(alice)
    items.add(10)
    with_10, page = queries_to(lambda: alice_client.get(reverse("today")))
    # Overdue: 10 steps to reach out, 10 asks, 10 reconnects; this week: 10 + 10 steps.
    assert [(g["name"], g["count"], len(g["items"])) for g in page.context["groups"]] == [
        ("overdue", 30, GROUP_CAP), ("today", 0, 0), ("week", 20, GROUP_CAP),
    ]  # fmt: skip
    assert "Show all 30 overdue" in page.content.decode()

    items.add(190)
    with_200, page = queries_to(lambda: alice_client.get(reverse("today")))

    assert [(g["name"], g["count"], len(g["items"])) for g in page.context["groups"]] == [
        ("overdue", 200 + 200 + 10, GROUP_CAP), ("today", 0, 0), ("week", 400, GROUP_CAP),
    ]  # fmt: skip
    html = page.content.decode()
    assert "Show all 410 overdue" in html and "Show all 400 coming up this week" in html
    assert "And 190 more people you meant to keep in touch with" in html
    assert "Thank you for agreeing" not in html  # drafts are drafted when opened
    assert with_200 == with_10
    assert with_200 <= MOST_QUERIES, with_200


def test_paging_through_a_group_costs_the_same_with_10_or_200_of_each_item(alice_client, alice):
    items = DueItems(alice)
    items.add(10)
    url = reverse("today") + "?show=week&page=2"
    with_10, page = queries_to(lambda: alice_client.get(reverse("today") + "?show=week"))
    assert [len(g["items"]) for g in page.context["groups"]] == [20]

    items.add(190)
    with_200, page = queries_to(lambda: alice_client.get(url))

    [week] = page.context["groups"]
    assert (week["name"], week["count"], len(week["items"])) == ("week", 400, GROUP_PAGE)
    assert week["page"].number == 2
    assert "Page 2 of 8" in page.content.decode()
    assert with_200 == with_10


def test_sorted_steps_on_every_page_of_a_group(alice_client, alice):
    DueItems(alice).add(30)
    pages = [
        alice_client.get(reverse("today"), {"show": "overdue", "page": n}).context["groups"][0]
        for n in (1, 2)
    ]
    shown = [i.key for g in pages for i in g["items"]]
    # Introduction steps first, then asks, then the first 10 reconnects: 30 + 30 + 10.
    assert len(shown) == len(set(shown)) == 70
    assert [i.kind for i in pages[0]["items"]][:30] == ["intro_step"] * 30


def test_today_over_the_api_costs_the_same_with_10_or_200_of_each_item(alice_api, alice):
    items = DueItems(alice)
    items.add(10)
    with_10, response = queries_to(lambda: alice_api.get("/api/v1/today"))
    assert response.json()["count"] == 10 * 5
    assert len(response.json()["items"]) == 10 * 5

    items.add(190)
    with_200, response = queries_to(lambda: alice_api.get("/api/v1/today"))

    assert response.json()["count"] == 200 * 5
    assert len(response.json()["items"]) == 50  # the default page
    # The page's drafts are drafted: reaching out comes with its message.
    writing = [i for i in response.json()["items"] if i["step"] == "reach_out"]
    assert writing and all(i["draft"]["body"] for i in writing)
    assert with_200 == with_10
    assert with_200 <= MOST_QUERIES, with_200

    last, response = queries_to(lambda: alice_api.get("/api/v1/today?limit=500&offset=900"))
    body = response.json()["items"]
    assert len(body) == 100
    everything = [
        i["key"]
        for offset in range(0, 1000, 500)
        for i in alice_api.get(f"/api/v1/today?limit=500&offset={offset}").json()["items"]
    ]
    assert len(set(everything)) == 1000
    assert last == with_10
