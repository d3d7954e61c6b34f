"""/api/v1/search: the same groups as the web page, scoped to the token's account; bad queries
are a 422 naming the field, never a 500."""

from urllib.parse import quote

import pytest

from .test_search import acme_everywhere

pytestmark = pytest.mark.django_db

URL = "/api/v1/search"


def test_it_answers_the_groups_of_the_web_page(alice_api, alice, bob):
    urls = acme_everywhere(alice)
    acme_everywhere(bob, "Bob's Acme friend")

    body = alice_api.get(f"{URL}?q=acme").json()

    assert body["q"] == "acme"
    groups = {group["key"]: group for group in body["groups"]}
    assert list(groups) == ["contacts", "intros", "asks", "goals", "applications"]
    assert all(group["count"] == 1 for group in groups.values())
    assert groups["contacts"]["rows"] == [
        {"title": "Ben Ortiz", "detail": "Staff engineer at Acme Robotics", "url": urls["contact"]}
    ]
    assert groups["contacts"]["all_url"] == "/contacts/?q=acme"
    one = alice_api.get(f"{URL}?q=acme&group=applications&limit=1").json()
    assert [group["key"] for group in one["groups"]] == ["applications"]
    assert one["groups"][0]["rows"][0]["url"] == urls["application"]


@pytest.mark.parametrize(
    "query",
    ["", "q=", "q=a", "q=%00%00", "q=" + "x" * 10_000, "q=ab&limit=0", "q=ab&group=people"],
)
def test_bad_queries_are_a_422(alice_api, query):
    response = alice_api.get(f"{URL}?{query}")

    assert response.status_code == 422
    assert response.json()["detail"]


def test_wildcards_are_searched_for_as_they_are(alice_api, alice):
    acme_everywhere(alice)

    body = alice_api.get(f"{URL}?q={quote('%%')}").json()

    assert [group["count"] for group in body["groups"]] == [0, 0, 0, 0, 0]


def test_it_needs_a_token(client):
    assert client.get(f"{URL}?q=acme").status_code == 401
