"""A connector's dashboard: the introductions they made, what came of them, and how the
seekers they introduced followed through (page and GET /api/v1/stats)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import ApiClient, api_token_for, make_user
from introloop.goals.connector_stats import connector_stats_for
from introloop.intros import lifecycle
from introloop.intros.services import NewIntro, Party, create_intro
from introloop.reminders.tests.factories import introduced, step

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 11, 12, tzinfo=UTC)
SEEKER = {"seeker"}


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def made_by(connector, seeker: Party, target: str, days_ago: int):
    when = NOW - timedelta(days=days_ago)
    return introduced(
        connector, when, seeker=seeker, target=Party(target, f"{target.lower()}@example.org")
    )


def record(connector, bob) -> None:
    """Bob introduced Ann twice and Cy once; Ann closed one loop, Cy met; Dee's request was
    declined; Ann's own introduction (made by someone else) is not Bob's."""
    ann, cy = Party("Ann Lee", "ann@example.com"), Party("Cy Moss", "cy@example.com")
    first = made_by(connector, ann, "Tomasz", 20)
    step(first, "reached_out", SEEKER, NOW - timedelta(days=19))
    step(first, "met", SEEKER, NOW - timedelta(days=12))
    step(first, "thanked", SEEKER, NOW - timedelta(days=11))
    step(first, "loop_closed", SEEKER, NOW - timedelta(days=5), outcome="A referral at Acme")
    made_by(connector, ann, "Ursula", 3)
    later = made_by(connector, cy, "Vera", 10)
    step(later, "reached_out", SEEKER, NOW - timedelta(days=6))  # due two days after: late
    step(later, "met", SEEKER, NOW - timedelta(days=2))
    asked = create_intro(
        connector,
        NewIntro(
            connector=Party(connector.display_name, connector.email),
            seeker=Party("Dee Park", "dee@example.com"),
            target=Party("Wen", "wen@example.org"),
            purpose="data teams",
            double_opt_in=True,
            start="requested",
        ),
        NOW - timedelta(days=4),
    )[0]
    lifecycle.record_event(asked.id, "withdrawn", roles={"connector"}, now=NOW - timedelta(days=3))
    # Bob's own search: someone else connects him.
    introduced(bob, NOW - timedelta(days=8), connector=Party("Rae Tan", "rae@example.com"))


def page(client) -> str:
    response = client.get(reverse("goals:dashboard"))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_a_connector_sees_what_they_made_and_what_came_of_it(client, frozen):
    sam = make_user("sam@example.com", "Sam Okafor")
    bob = make_user("bob@example.com", "Bob Stone")
    record(sam, bob)
    client.force_login(sam)

    html = page(client)

    assert "Your dashboard fills in as you go" not in html
    assert "Introductions you made" in html
    assert '<dt>Introductions made</dt> <dd>3 <span class="of">of 4 asked of you or logged' in html
    assert '<dt>Loops closed</dt> <dd>1 <span class="of">of 3 introduced' in html
    assert "<dt>Declined or withdrawn</dt> <dd>1</dd>" in html
    assert (
        'Ann Lee → Tomasz</a> <small class="muted">· 6 Mar 2026</small><br>A referral at Acme'
        in html
    )
    # One follow-through row per seeker: Ann (2 introductions, 1 loop closed), Cy (1, late).
    assert "<td>Ann Lee</td><td>2</td>" in html and "<td>Cy Moss</td><td>1</td>" in html
    assert "<td>Dee Park</td>" in html  # asked and withdrawn: still a seeker Sam dealt with
    # Sam has no job search of his own: no seeker figures.
    assert "Your job search" not in html and "Steps done on time" not in html


def test_someone_both_seeker_and_connector_sees_both(client, frozen):
    sam = make_user("sam@example.com", "Sam Okafor")
    bob = make_user("bob@example.com", "Bob Stone")
    record(sam, bob)
    introduced(sam, NOW - timedelta(days=1))  # Sam's own search
    client.force_login(sam)

    html = page(client)

    assert "<h2>Your job search</h2>" in html and "Introductions you made" in html


def test_someone_elses_introductions_never_count(client, frozen):
    sam = make_user("sam@example.com", "Sam Okafor")
    bob = make_user("bob@example.com", "Bob Stone")
    record(sam, bob)
    client.force_login(bob)

    html = page(client)

    assert "Introductions you made" not in html and "A referral at Acme" not in html
    assert connector_stats_for(bob, NOW).is_empty


def test_the_api_gives_the_same_figures(client, frozen):
    sam = make_user("sam@example.com", "Sam Okafor")
    bob = make_user("bob@example.com", "Bob Stone")
    record(sam, bob)
    body = ApiClient(client, api_token_for(sam)).get("/api/v1/stats").json()["connector"]

    assert (body["made"], body["introduced"], body["open"]) == (4, 3, 2)
    assert (body["declined"], body["loops_closed"]) == (1, 1)
    assert [s["count"] for s in body["funnel"]] == [3, 2, 2, 1, 1]
    assert body["outcomes"] == [
        {
            "intro_id": body["outcomes"][0]["intro_id"],
            "seeker_name": "Ann Lee",
            "target_name": "Tomasz",
            "closed_at": "2026-03-06T12:00:00Z",
            "outcome": "A referral at Acme",
        }
    ]
    rows = {r["seeker_name"]: r for r in body["follow_through"]}
    assert (rows["Ann Lee"]["introductions"], rows["Ann Lee"]["loops_closed"]) == (2, 1)
    assert rows["Cy Moss"]["on_time_share"] == 0.5


def test_the_number_of_queries_does_not_grow_with_what_was_made(client, frozen):
    sam = make_user("sam@example.com", "Sam Okafor")
    client.force_login(sam)

    def more(n: int, tag: str) -> int:
        for i in range(n):
            seeker = Party(f"Seeker {tag}{i}", f"s{tag}{i}@example.com")
            intro = made_by(sam, seeker, f"T{tag}{i}", 10 + i % 5)
            step(intro, "reached_out", SEEKER, NOW - timedelta(days=1))
            step(intro, "met", SEEKER, NOW - timedelta(hours=20))
            step(intro, "thanked", SEEKER, NOW - timedelta(hours=10))
            step(intro, "loop_closed", SEEKER, NOW - timedelta(hours=5), outcome=f"Fine {i}")
        with CaptureQueriesContext(connection) as queries:
            page(client)
        return len(queries)

    assert more(2, "a") == more(30, "b")
