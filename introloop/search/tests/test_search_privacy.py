"""A seeker never finds an introduction by the name or address of a target they may not see yet
(access.target_shown): searching for a declined target's name, or for a target's address before
they agree, finds nothing; the connector finds the same introduction by either."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from introloop.intros.models import Intro
from introloop.intros.sending import send_opt_in_request
from introloop.intros.services import NewIntro, Party, create_intro
from introloop.outbox.models import Message

pytestmark = pytest.mark.django_db
TOMASZ = Party("Tomasz Wiśniewski", "tomasz.w@example.org")
LINK = re.compile(r"http://127\.0\.0\.1:8000(/links/\S+/)")


@pytest.fixture
def cora(db):
    return make_user("cora@example.com", "Cora Lindqvist")


@pytest.fixture
def maya(db):
    return make_user("maya@example.com", "Maya Patel")


def asked(cora, maya) -> Intro:
    """Cora asks Tomasz, by email through the app, whether he will talk to Maya."""
    new = NewIntro(
        connector=Party(cora.display_name, cora.email),
        seeker=Party(maya.display_name, maya.email),
        target=TOMASZ,
        purpose="Advice on platform teams",
    )
    intro, _ = create_intro(cora, new, timezone.now())
    return send_opt_in_request(intro, cora, timezone.now())


def answer(action: str) -> None:
    message = Message.objects.filter(to=[TOMASZ.email]).latest("id")
    [link] = LINK.findall(message.body_text)
    assert Client().post(link, {"action": action}).status_code == 200


def finds(user, q: str, intro: Intro) -> bool:
    """Whether `user` finds the introduction, on the results page and as they type."""
    client = Client()
    client.force_login(user)
    url = reverse("intros:detail", args=[intro.id])
    page = client.get(reverse("search"), {"q": q}).content.decode()
    live = client.get(reverse("search"), {"q": q}, headers={"HX-Request": "true"})
    assert (url in page) == (url in live.content.decode())
    return url in page


@pytest.mark.parametrize("q", ["Tomasz", "Wiśniewski", TOMASZ.email, "example.org"])
def test_the_seeker_never_finds_an_introduction_by_a_target_who_declined(cora, maya, q):
    intro = asked(cora, maya)
    answer("declined")

    assert not finds(maya, q, intro)
    assert finds(cora, q, intro)
    assert finds(maya, "platform teams", intro)  # found by what she may see
    page = Client()
    page.force_login(maya)
    shown = page.get(reverse("search"), {"q": "platform"}).content.decode()
    assert "Tomasz" not in shown and "Wiśniewski" not in shown


def test_the_seeker_finds_the_targets_name_but_not_their_address_before_they_agree(cora, maya):
    intro = asked(cora, maya)

    assert finds(maya, "Tomasz", intro)
    assert not finds(maya, TOMASZ.email, intro)
    assert not finds(maya, "tomasz platform example.org", intro)
    assert finds(cora, TOMASZ.email, intro)

    answer("accepted")

    assert finds(maya, TOMASZ.email, intro)
