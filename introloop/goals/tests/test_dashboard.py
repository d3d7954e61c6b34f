"""The dashboard page, its charts, and GET /api/v1/stats."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from introloop.goals.charts import bar_chart
from introloop.goals.models import Application, Ask
from introloop.intros.services import Party
from introloop.network.tests.factories import contact, interaction
from introloop.reminders.tests.factories import introduced, step

from .test_stats import NOW, SEEKER, history

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def page(client) -> str:
    response = client.get(reverse("goals:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_it_shows_the_headline_figures_charts_and_their_numbers(alice_client, alice, bob, frozen):
    history(alice, bob)

    html = squeeze(page(alice_client))

    assert 'aria-current="page">Dashboard<' in html
    # Headline figures.
    assert '6 <span class="of">of 20</span>' in html
    assert '67% <span class="of">4 of 6 steps</span>' in html
    assert '2 <span class="of">of 3</span>' in html  # this week's conversations
    assert 'Referrals: <strong>100%</strong> <span class="of">2 of 2</span>' in html
    assert 'Cold applications: <strong>33%</strong> <span class="of">1 of 3</span>' in html
    # Five charts of her search, and one of the introduction she made for Bob; each an image
    # with a title and a summary that carries the numbers.
    assert html.count('role="img"') == 6
    assert (
        len(re.findall(r'<svg class="chart [^>]*role="img" aria-label="[^"]+"[^>]*><title>', html))
        == 6
    )
    assert 'aria-label="Introductions you made by milestone reached: introduced 1,' in html
    assert (
        'aria-label="Referrals and introductions collected, cumulative, over 12 weeks from '
        '22 Dec: 2 at the start, 6 now, against a target of 20."'
    ) in html
    assert "introduced 4, reached out 3, met 2, thanked 1, loop closed 1." in html
    assert (
        "cold applications 3, of which 1 reached an interview (33%); referrals 2, of which 2 "
        "reached an interview (100%)."
    ) in html
    # Every bar carries its number: the funnel's first bar, the applications' interviews.
    assert ">4 · 100%</text>" in html and ">2 (100%)</text>" in html
    # The same numbers as tables, newest week first.
    assert html.count("<summary>Show the numbers</summary>") == 6
    assert '<th scope="row">This week</th><td>1</td><td>6 of 20</td>' in html
    assert '<th scope="row">Week of 2 Mar</th><td>1</td><td>0</td><td>1 of 3</td>' in html
    assert '<th scope="row">Week of 2 Mar</th><td>2</td><td>1</td><td>50%</td>' in html
    assert '<th scope="row">Week of 22 Dec</th><td>0</td><td>0</td><td>\N{EN DASH}</td>' in html
    assert '<th scope="row">Reached out</th><td>3</td><td>75%</td>' in html
    assert '<th scope="row">Cold applications</th><td>3</td><td>1</td><td>33%</td>' in html
    assert "fills in as you go" not in html


def test_a_new_user_sees_what_will_appear_and_where_to_start(alice_client):
    html = squeeze(page(alice_client))

    assert "Your dashboard fills in as you go" in html
    assert "against your target of 100" in html and "against your target of 5" in html
    assert f'href="{reverse("intros:new")}" role="button">Log an introduction' in html
    assert f'href="{reverse("goals:new")}" role="button" class="secondary">Add a goal' in html
    assert 'role="img"' not in html


def test_the_page_needs_a_login(client):
    response = client.get(reverse("goals:dashboard"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        page(client)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_history(alice_client, alice, frozen):
    def more(n: int) -> None:
        rita = contact(alice, f"Rita {n}")
        for i in range(n):
            when = NOW - timedelta(days=3 * i + 1)
            target = Party(f"Tom {n}-{i}", f"tom{n}-{i}@example.org")
            intro = introduced(alice, when - timedelta(hours=1), target=target)
            step(intro, "reached_out", SEEKER, when)
            interaction(alice, [rita], when.date())
            Ask.objects.create(
                owner=alice, contact=rita, kind="referral", status="done", on=when.date()
            )
            Application.objects.create(
                owner=alice,
                company="Acme",
                role="Analyst",
                applied_on=when.date(),
                source=["cold", "referral"][i % 2],
                interviewed=i % 3 == 0,
            )

    more(2)
    few = count_queries(alice_client)
    more(40)
    many = count_queries(alice_client)

    assert few == many, (few, many)
    assert '84 <span class="of">of 100</span>' in squeeze(page(alice_client))


def test_chart_text_is_escaped():
    svg = bar_chart(
        kind="test",
        title="<b>Title</b>",
        summary='"quoted" & <tag>',
        labels=["<x>"],
        values=[1],
        value_labels=["<1>"],
        ymax=2,
        ticks=[(0, "0")],
    )
    assert "<b>" not in svg and "<x>" not in svg and "<1>" not in svg and "<tag>" not in svg
    assert 'aria-label="&quot;quoted&quot; &amp; &lt;tag&gt;"' in svg
    assert "<title>&lt;b&gt;Title&lt;/b&gt;</title>" in svg


def test_the_api_returns_the_same_figures(alice_api, alice, bob, frozen):
    history(alice, bob)

    response = alice_api.get("/api/v1/stats")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "as_of",
        "time_zone",
        "week_start",
        "referral_target",
        "referrals",
        "outreach_target",
        "outreach_this_week",
        "steps",
        "steps_on_time",
        "on_time_share",
        "weeks",
        "funnel",
        "applications",
        "connector",
    }
    # Alice introduced Bob to someone: a connector's figures, beside her own search.
    assert body["connector"]["made"] == 1
    assert body["connector"]["follow_through"][0]["seeker_name"] == "Bob Baker"
    assert body["week_start"] == "2026-03-09" and body["time_zone"] == "Europe/Paris"
    assert (body["referrals"], body["referral_target"]) == (6, 20)
    assert (body["steps"], body["steps_on_time"], body["on_time_share"]) == (6, 4, 0.6667)
    assert len(body["weeks"]) == 12 and body["weeks"][0]["start"] == "2025-12-22"
    assert body["weeks"][-1]["conversations"] == 2
    assert [s["count"] for s in body["funnel"]] == [4, 3, 2, 1, 1]
    assert body["applications"][0] == {
        "source": "cold",
        "label": "Cold applications",
        "applications": 3,
        "interviews": 1,
        "interview_rate": 0.3333,
    }
    assert len(alice_api.get("/api/v1/stats?weeks=4").json()["weeks"]) == 4
    assert alice_api.get("/api/v1/stats?weeks=0").status_code == 422


def test_the_api_shows_only_your_own_figures(bob_api, alice, bob, frozen):
    history(alice, bob)
    body = bob_api.get("/api/v1/stats").json()
    assert body["referrals"] == 2 and body["funnel"][0]["count"] == 2
    assert body["applications"][0]["applications"] == 1


def test_the_api_needs_a_token(client, db):
    response = client.get("/api/v1/stats")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_weeks_in_the_api_are_mondays(alice_api, alice):
    body = alice_api.get("/api/v1/stats").json()
    assert all(date.fromisoformat(w["start"]).weekday() == 0 for w in body["weeks"])
