"""Every route that takes an object id answers 404 to anyone but the object's owner.

The test walks the URL configuration, so a route added by any later feature is covered the
day it lands: a new kind of id fails here until it gets an entry in OWNED_OBJECTS (how to
make one for a given owner) or in PUBLIC_LINK_ROUTES (why it is reachable without an account).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from conftest import api_token_for, make_user
from introloop.accounts.models import ApiToken, User
from introloop.accounts.services import create_api_token
from introloop.capture.models import CapturedMessage
from introloop.goals.models import Application, Ask, Goal, Need
from introloop.intros.models import Intro, IntroEvent
from introloop.intros.services import NewIntro, Party, create_intro
from introloop.network.import_jobs import start_job
from introloop.network.importers.records import ContactRecord
from introloop.network.models import Contact, ImportJob, ImportUpload, Interaction
from introloop.network.services import create_contact, log_interaction
from introloop.outbox.models import Message
from introloop.outbox.services import queue_message
from introloop.reminders.models import Snooze


def make_contact(owner) -> Contact:
    record = ContactRecord(line=0, full_name="Owned Person", emails=[("o@example.com", "")])
    return create_contact(owner, record, timezone.now())


def make_intro(owner) -> Intro:
    new = NewIntro(
        connector=Party("Carla Connector", "carla@example.org"),
        seeker=Party("Owner", owner.email),
        target=Party("Tom Target", "tom@example.org"),
        purpose="Advice on data teams",
        double_opt_in=False,
    )
    return create_intro(owner, new, timezone.now())[0]


def make_overdue_contact_key(owner) -> str:
    contact = make_contact(owner)
    Contact.objects.filter(pk=contact.pk).update(
        keep_in_touch_days=30, reconnect_due_on=date(2026, 1, 1)
    )
    return f"contact:{contact.id}:reconnect"


@dataclass
class Owned:
    make: Callable  # make(owner) -> id of a new object that belongs to `owner`
    exists: Callable[[int], bool]
    # Routes for this object are staff tools: the owner-side check uses a staff account.
    staff_only: bool = False


def make_captured(owner) -> int:
    from introloop.capture.intake import store

    raw = b"From: a@example.org\nTo: b@example.org\nMessage-ID: <owned@t>\n\nhi\n"
    return store(owner, raw, "upload", timezone.now())[0].id


OWNED_OBJECTS: dict[str, Owned] = {
    "captured_id": Owned(
        make=make_captured,
        exists=lambda pk: CapturedMessage.objects.filter(pk=pk).exists(),
    ),
    "token_id": Owned(
        make=lambda owner: create_api_token(owner, "owned", timezone.now())[0].id,
        exists=lambda pk: ApiToken.objects.filter(pk=pk).exists(),
    ),
    "contact_id": Owned(
        make=lambda owner: make_contact(owner).id,
        exists=lambda pk: Contact.objects.filter(pk=pk).exists(),
    ),
    "interaction_id": Owned(
        make=lambda owner: (
            log_interaction(
                owner,
                kind="call",
                occurred_on=date(2026, 1, 5),
                notes="",
                now=timezone.now(),
                contacts=[make_contact(owner)],
            ).id
        ),
        exists=lambda pk: Interaction.objects.filter(pk=pk).exists(),
    ),
    "upload_id": Owned(
        make=lambda owner: (
            ImportUpload.objects.create(
                owner=owner, filename="c.csv", data=b"Name,Email\nAnn,ann@example.com\n", format=""
            ).id
        ),
        exists=lambda pk: ImportUpload.objects.filter(pk=pk).exists(),
    ),
    # A large import waiting for the worker: nobody else may see it or cancel it.
    "job_id": Owned(
        make=lambda owner: (
            start_job(
                owner, b"Name,Email\nAnn,ann@example.com\n", filename="c.csv", now=timezone.now()
            ).id
        ),
        exists=lambda pk: ImportJob.objects.filter(pk=pk, status="queued").exists(),
    ),
    "intro_id": Owned(
        make=lambda owner: make_intro(owner).id,
        exists=lambda pk: Intro.objects.filter(pk=pk, version=0).exists(),
    ),
    # A step of the owner's latest introduction (the one made for `intro_id` just before, on
    # routes that name both): nobody else may correct its time.
    "event_id": Owned(
        make=lambda owner: (
            (Intro.objects.filter(created_by=owner).order_by("-id").first() or make_intro(owner))
            .events.get()
            .id
        ),
        exists=lambda pk: IntroEvent.objects.filter(pk=pk, corrected_at__isnull=True).exists(),
    ),
    # A due item's key (on Today): an overdue keep-in-touch with one of the owner's contacts.
    "key": Owned(
        make=lambda owner: make_overdue_contact_key(owner),
        exists=lambda key: not Snooze.objects.exists() and not Interaction.objects.exists(),
    ),
    "goal_id": Owned(
        make=lambda owner: (
            Goal.objects.create(owner=owner, title="Data roles", roles=["Analyst"]).id
        ),
        exists=lambda pk: Goal.objects.filter(pk=pk, title="Data roles").exists(),
    ),
    "need_id": Owned(
        make=lambda owner: (
            Need.objects.create(
                goal=Goal.objects.create(owner=owner, title="G", roles=["R"]), text="How they hire"
            ).id
        ),
        exists=lambda pk: Need.objects.filter(pk=pk, done=False).exists(),
    ),
    "ask_id": Owned(
        make=lambda owner: (
            Ask.objects.create(
                owner=owner, contact=make_contact(owner), kind="advice", on=date(2026, 1, 5)
            ).id
        ),
        exists=lambda pk: Ask.objects.filter(pk=pk, kind="advice").exists(),
    ),
    "application_id": Owned(
        make=lambda owner: (
            Application.objects.create(
                owner=owner, company="Acme", role="Analyst", applied_on=date(2026, 1, 5)
            ).id
        ),
        exists=lambda pk: Application.objects.filter(pk=pk, company="Acme").exists(),
    ),
    "message_id": Owned(
        make=lambda owner: (
            queue_message(to=[owner.email], subject="s", body_text="b", user=owner).id
        ),
        exists=lambda pk: Message.objects.filter(pk=pk).exists(),
        staff_only=True,
    ),
    # An account, on the staff page that blocks it: only staff may touch it.
    "user_id": Owned(
        make=lambda owner: make_user("someone@example.com").id,
        exists=lambda pk: User.objects.filter(pk=pk, is_active=True).exists(),
        staff_only=True,
    ),
}

# Parameters that are not object ids, and a value to call such routes with.
ROUTE_VALUES = {"what": "introduction"}

# Routes that take parameters but are meant for people without a session: each explains why.
PUBLIC_LINK_ROUTES = {
    "accounts/verify/<uidb64>/<token>/": "signed, expiring, single-use email verification link",
    "accounts/password-reset/<uidb64>/<token>/": "Django's signed password-reset link",
    "links/<str:token>/": "signed, expiring, single-use action link sent by email",
    "calendar/<str:token>.ics": "the private calendar feed: a long random token is the key",
    "unsubscribe/<str:token>/": "signed one-click unsubscribe link in reminder emails",
    "b/<str:token>/": "a shared brief: public on purpose, at a long random token",
    "digest/<str:token>/": "signed, expiring, single-use Done/Snooze link of a daily digest",
    "stop/<str:token>/": "signed stop link of one address, in every email to someone without "
    "an account (from a shared email it only sends that address a confirmation)",
    # Not an object id: the file format of the caller's own export.
    "contacts/export/contacts.<str:fmt>": "exports only ever hold the requester's contacts",
    "api/v1/exports/contacts.<fmt>": "exports only ever hold the requester's contacts",
}

PARAM = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def all_routes(patterns=None, prefix: str = "") -> list[str]:
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            routes += all_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            routes.append(prefix + str(entry.pattern))
    return routes


def owned_object_routes() -> list[str]:
    routes = {route for route in all_routes() if PARAM.search(route)}
    return sorted(routes - set(PUBLIC_LINK_ROUTES))


def test_the_walk_finds_web_and_api_routes_and_every_public_route_exists():
    routes = all_routes()
    assert "settings/tokens/<int:token_id>/revoke/" in owned_object_routes()
    assert "api/v1/me" in routes
    assert set(PUBLIC_LINK_ROUTES) <= set(routes)


@pytest.mark.parametrize("route", owned_object_routes())
def test_another_users_object_is_404_on_every_route_and_method(route, db):
    params = [m["name"] for m in PARAM.finditer(route) if m["name"] not in ROUTE_VALUES]
    unknown = [p for p in params if p not in OWNED_OBJECTS]
    assert not unknown, (
        f"Route {route!r} takes {unknown}: add how to make such an object to OWNED_OBJECTS in "
        f"{__file__}, or list the route in PUBLIC_LINK_ROUTES with the reason it is public."
    )
    staff_only = any(OWNED_OBJECTS[p].staff_only for p in params)
    owner = make_user("owner@example.com", is_staff=staff_only)
    intruder = make_user("intruder@example.com")
    ids = {p: OWNED_OBJECTS[p].make(owner) for p in params}
    values = {**ROUTE_VALUES, **ids}
    path = "/" + PARAM.sub(lambda m: str(values[m["name"]]), route)

    answers = {}
    for method in ("get", "post", "put", "patch", "delete"):
        answers[method] = request_as(intruder, method, path, route).status_code

    assert 404 in answers.values(), f"{path}: {answers}"
    # 422: the request body was refused before any object was looked up; it reveals nothing.
    assert set(answers.values()) <= {404, 405, 422}, f"{path} answered the intruder: {answers}"
    for param, pk in ids.items():
        assert OWNED_OBJECTS[param].exists(pk), f"{path}: the intruder changed {param}={pk}"

    # The owner does reach the object, so the 404 above is about ownership, not a dead route.
    owner_answers = {m: request_as(owner, m, path, route).status_code for m in ("get", "post")}
    assert set(owner_answers.values()) - {404, 405}, f"{path} for its owner: {owner_answers}"


def request_as(user, method: str, path: str, route: str):
    client = Client()
    if route.startswith("api/"):
        headers = {"Authorization": f"Bearer {api_token_for(user)}"}
        if method == "get":
            return client.get(path, headers=headers)
        return getattr(client, method)(
            path, data="{}", headers=headers, content_type="application/json"
        )
    client.force_login(user)
    return getattr(client, method)(path)
