"""A seeker never learns who declined, nor a target's address before they agree: on every page,
in the API, the export, the calendar feed, the forms' pickers and the emails the seeker gets;
also after the connector deleted their account."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from conftest import api_token_for, make_user
from introloop.intros.models import Intro
from introloop.intros.sending import send_opt_in_request
from introloop.intros.services import NewIntro, Party, create_intro
from introloop.outbox.models import Message
from introloop.portability.services import delete_user
from introloop.reminders.models import NotificationSettings
from introloop.reminders.sweep import sweep

pytestmark = pytest.mark.django_db
TOMASZ = Party("Tomasz Wiśniewski", "tomasz.w@example.org")
INES = Party("Ines Okafor", "ines.okafor@example.net")
LINK = re.compile(r"http://127\.0\.0\.1:8000(/links/\S+/)")


@pytest.fixture
def cora(db):
    return make_user("cora@example.com", "Cora Lindqvist")


@pytest.fixture
def maya(db):
    return make_user("maya@example.com", "Maya Patel", time_zone="Europe/London")


def asked(cora, maya, now, target: Party = TOMASZ) -> Intro:
    """Cora asks the target, by email through the app, whether they will talk to Maya."""
    new = NewIntro(
        connector=Party(cora.display_name, cora.email),
        seeker=Party(maya.display_name, maya.email),
        target=Party(target.name, target.email),
        purpose="Advice on platform teams",
    )
    intro, _ = create_intro(cora, new, now)
    return send_opt_in_request(intro, cora, now)


def decline(intro: Intro) -> None:
    message = Message.objects.filter(to=[TOMASZ.email]).latest("id")
    [link] = LINK.findall(message.body_text)
    assert Client().post(link, {"action": "declined"}).status_code == 200


def everything_maya_sees(maya, intro: Intro) -> dict[str, str]:
    """Every surface the seeker can reach, rendered as her."""
    client = Client()
    client.force_login(maya)
    pages = [
        "/today/", "/intros/", "/intros/?state=all", "/intros/?state=ended",
        "/intros/?state=declined", "/intros/made/?state=all", "/intros/to-me/?state=all",
        f"/intros/{intro.id}/", "/asks/new/", "/applications/new/", "/dashboard/", "/contacts/",
        "/settings/data/export.json",
    ]  # fmt: skip
    seen = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        seen[page] = response.content.decode()
    headers = {"Authorization": f"Bearer {api_token_for(maya)}"}
    for path in [
        "/api/v1/intros?role=seeker&state=all", f"/api/v1/intros/{intro.id}", "/api/v1/today",
        "/api/v1/me/follow-through", "/api/v1/stats",
    ]:  # fmt: skip
        response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        seen[path] = response.content.decode()
    token = NotificationSettings.objects.get(user=maya).calendar_token
    seen["calendar"] = client.get(f"/calendar/{token}.ics").content.decode()
    for message in Message.objects.filter(to__icontains=maya.email):
        seen[f"email {message.subject}"] = message.subject + message.body_text + message.body_html
    return seen


def leaks(seen: dict[str, str], *words: str) -> list[str]:
    return [f"{word!r} on {where}" for where, text in seen.items() for word in words
            if word.lower() in text.lower()]  # fmt: skip


def test_the_seeker_never_learns_who_declined(cora, maya):
    now = timezone.now() - timedelta(days=3)
    intro = asked(cora, maya, now)
    decline(intro)
    for day in range(4):  # digests and reminders of the following days
        sweep(timezone.now() + timedelta(days=day))

    seen = everything_maya_sees(maya, Intro.objects.get(pk=intro.pk))

    assert leaks(seen, TOMASZ.name, "Wiśniewski", TOMASZ.email) == []


def test_the_seeker_sees_the_targets_address_only_once_they_agree(cora, maya):
    intro = asked(cora, maya, timezone.now())

    seen = everything_maya_sees(maya, intro)

    assert leaks(seen, TOMASZ.email) == []
    assert TOMASZ.name in seen[f"/intros/{intro.id}/"]  # the name is no secret before an answer


def test_the_connectors_account_deletion_unmasks_nobody(cora, maya):
    declined = asked(cora, maya, timezone.now())
    decline(declined)
    pending = asked(cora, maya, timezone.now(), target=INES)

    delete_user(cora)

    for intro in (declined, pending):
        handed_over = Intro.objects.get(pk=intro.pk)
        assert handed_over.created_by_id == maya.id  # Maya keeps them, as the only party left
        seen = everything_maya_sees(maya, handed_over)
        assert leaks(seen, TOMASZ.name, "Wiśniewski", TOMASZ.email, INES.email) == []
        assert INES.name in seen["/intros/"]
