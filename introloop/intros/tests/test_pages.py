"""The introduction pages, from each party's side."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from introloop.intros import lifecycle
from introloop.intros.models import Intro, IntroSettings, MessageTemplate
from introloop.intros.services import Party

from .factories import intro

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(db):
    return make_user("sam@example.com", "Sam Okafor")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_logging_an_introduction_in_under_a_minute(alice_client, alice, sam):
    response = alice_client.post(
        reverse("intros:new"),
        {
            "my_role": "seeker",
            "connector_name": "Sam Okafor",
            "connector_email": "SAM@example.com",
            "target_name": "Tom Hale",
            "target_email": "tom@example.org",
            "purpose": "Learn how their data team hires",
            "double_opt_in": "on",
            "start": "requested",
        },
    )
    i = Intro.objects.get()
    assert response.url == reverse("intros:detail", args=[i.id])
    assert (i.seeker_user, i.connector_user, i.target_user) == (alice, sam, None)
    assert i.state == "requested" and i.double_opt_in

    # Both registered parties see it, each from their side.
    page = alice_client.get(response.url).content.decode()
    assert "Waiting on Sam Okafor since" in page
    assert "tom@example.org" in page  # she typed it herself
    sams = client_for(sam).get(response.url).content.decode()
    assert "Your move" in sams and "tom@example.org" in sams
    assert "Ask Tom Hale by email" in sams


def test_logging_something_that_already_happened(alice_client, alice):
    last_tuesday = (timezone.now() - timedelta(days=6)).date()
    alice_client.post(
        reverse("intros:new"),
        {
            "my_role": "seeker",
            "connector_name": "Sarah Lim",
            "connector_email": "sarah@x.org",
            "target_name": "Tom Hale",
            "target_email": "tom@example.org",
            "purpose": "Advice",
            "start": "introduced",
            "on": last_tuesday.isoformat(),
        },
    )
    i = Intro.objects.get()
    assert i.state == "introduced" and not i.double_opt_in
    assert i.introduced_at.astimezone(alice.zone).date() == last_tuesday
    assert i.next_due_at < timezone.now()  # two days to reach out: already overdue
    listing = alice_client.get(reverse("intros:mine")).content.decode()
    assert "Overdue" in listing and "Tom Hale" in listing


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target_email": "alice@example.com"}, "two different people"),
        ({"target_email": "not-an-address"}, "Enter a valid email address."),
        ({"connector_email": ""}, "This field is required."),
        ({"on": "2099-01-01", "start": "introduced"}, "in the future"),
        ({"purpose": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_inline(alice_client, change, message):
    data = {
        "my_role": "seeker",
        "connector_name": "Sam",
        "connector_email": "sam@example.com",
        "target_name": "Tom",
        "target_email": "tom@example.org",
        "purpose": "Advice",
        "start": "requested",
        **change,
    }
    response = alice_client.post(reverse("intros:new"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Intro.objects.exists()


def test_recording_steps_from_the_page(alice_client, alice):
    i = intro(alice, start="introduced", double_opt_in=False)
    url = reverse("intros:event", args=[i.id])
    alice_client.post(url, {"type": "reached_out"})
    assert Intro.objects.get(pk=i.pk).state == "reached_out"
    response = alice_client.post(url, {"type": "thanked"}, follow=True)
    assert "Thank them after you have met." in response.content.decode()
    response = alice_client.post(url, {"type": "met", "at": "not a time"}, follow=True)
    assert "Enter a valid date/time." in response.content.decode()
    assert Intro.objects.get(pk=i.pk).state == "reached_out"


def test_a_seeker_sees_the_drafted_message_for_their_step(alice_client, alice):
    i = intro(alice, start="introduced", double_opt_in=False)
    page = alice_client.get(reverse("intros:detail", args=[i.id])).content.decode()
    assert "Write to Tom Hale" in page
    assert "Thank you for agreeing to talk, and thanks to Sam for connecting us." in page
    assert "mailto:tom@example.org?subject=Following%20Sam%27s%20introduction" in page


def test_users_can_reword_the_drafts(alice_client, alice):
    alice_client.post(
        reverse("intros:messages"),
        {
            "key": "seeker_reach_out",
            "subject": "Hello from {seeker_first}",
            "body": "Dear {target}, {connector_first} said you know {purpose} {nonsense} {{x}}",
        },
    )
    assert MessageTemplate.objects.get(user=alice).key == "seeker_reach_out"
    i = intro(alice, start="introduced", double_opt_in=False)
    page = alice_client.get(reverse("intros:detail", args=[i.id])).content.decode()
    assert "Dear Tom Hale, Sam said you know Advice on data teams. {nonsense}" in page

    alice_client.post(
        reverse("intros:messages"),
        {"key": "seeker_reach_out", "subject": "x", "body": "y", "reset": "1"},
    )
    assert not MessageTemplate.objects.exists()


def test_declined_targets_are_never_shown_to_the_seeker(alice, sam):
    # Sam, the connector, names the target; Alice, the seeker, never learns who declined.
    i = intro(sam, seeker=Party("Alice Archer", alice.email))
    lifecycle.record_event(i.id, "asked", roles={"connector"}, now=timezone.now())
    waiting = client_for(alice).get(reverse("intros:detail", args=[i.id])).content.decode()
    assert "Tom Hale" in waiting and "tom@example.org" not in waiting
    assert "Their address shows once they accept." in waiting
    lifecycle.record_event(i.id, "declined", roles={"target"}, now=timezone.now())
    page = client_for(alice).get(reverse("intros:detail", args=[i.id])).content.decode()
    assert "Tom Hale" not in page and "tom@example.org" not in page
    listing = client_for(alice).get(reverse("intros:mine") + "?state=all").content.decode()
    assert "Tom Hale" not in listing
    assert "Tom Hale" in client_for(sam).get(reverse("intros:detail", args=[i.id])).content.decode()


def test_nobody_else_sees_an_introduction(client, alice, bob):
    i = intro(alice)
    client.force_login(bob)
    assert client.get(reverse("intros:detail", args=[i.id])).status_code == 404
    assert "Tom Hale" not in client.get(reverse("intros:mine") + "?state=all").content.decode()


def test_verifying_an_address_brings_its_introductions_into_the_account(alice):
    i = intro(alice, target=Party("Dana", "dana@example.org"))
    dana = make_user("dana@example.org", "Dana", verified=False)
    assert Intro.objects.get(pk=i.pk).target_user is None
    from introloop.accounts.services import verify_email
    from introloop.accounts.tokens import email_verification_token

    verify_email(dana, email_verification_token.make_token(dana), timezone.now())
    assert Intro.objects.get(pk=i.pk).target_user == dana
    assert "Alice" in client_for(dana).get(reverse("intros:to_me")).content.decode()


def test_the_lists_filter_by_state_and_show_follow_through(alice_client, alice):
    intro(alice, start="introduced", double_opt_in=False, at=timezone.now() - timedelta(days=5))
    done = intro(alice, start="met", target=Party("Ann", "ann@example.org"))
    lifecycle.record_event(
        done.id, "loop_closed", roles={"seeker"}, now=timezone.now(), outcome="Got a referral"
    )
    page = alice_client.get(reverse("intros:mine"))
    assert [i.target_name for i in page.context["page"].object_list] == ["Tom Hale"]
    ended = alice_client.get(reverse("intros:mine") + "?state=ended")
    assert [i.target_name for i in ended.context["page"].object_list] == ["Ann"]
    [record] = page.context["follow_through"]
    assert (record.introductions, record.loops_closed) == (2, 1)
    # The follow-through table is on the page once, and the window's title is only a title.
    html = page.content.decode()
    assert html.count("Follow-through</h2>") == 1
    assert "<title>My introductions · " in html
    assert f'href="{reverse("intros:detail", args=[page.context["page"][0].id])}"' in html


def test_settings_change_the_due_dates_of_new_introductions(alice_client, alice):
    data = {
        "connector_days": 3,
        "answer_days": 7,
        "reach_out_days": 4,
        "follow_up_days": 5,
        "thank_days": 1,
        "close_loop_days": 7,
        "cooldown_days": 30,
    }
    alice_client.post(reverse("intros:settings"), data)
    assert IntroSettings.objects.get(user=alice).reach_out_days == 4
    bad = alice_client.post(reverse("intros:settings"), {**data, "thank_days": 0})
    assert "Between 1 and 365 days." in bad.content.decode()


def test_the_list_takes_the_same_number_of_queries_for_2_or_40(alice_client, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(2):
        intro(alice, target=Party(f"T{n}", f"t{n}@example.org"))
    with CaptureQueriesContext(connection) as few:
        alice_client.get(reverse("intros:mine"))
    for n in range(2, 40):
        intro(alice, target=Party(f"T{n}", f"t{n}@example.org"))
    with CaptureQueriesContext(connection) as many:
        alice_client.get(reverse("intros:mine"))
    assert len(many) == len(few)


def test_send_the_introduction_from_the_page(alice, sam):
    i = intro(alice, connector=Party("Sam Okafor", sam.email), double_opt_in=False)
    response = client_for(sam).post(
        reverse("intros:send", args=[i.id, "introduction"]), follow=True
    )
    sent = Intro.objects.get(pk=i.pk)
    assert sent.state == "introduced"
    due = f"{sent.next_due_at.astimezone(sam.zone):%a %-d %b}"
    assert (
        f"Sent to Alice Archer and Tom Hale. Next, Alice's move: write to Tom Hale, due {due}."
        in html.unescape(response.content.decode())
    )
    # The seeker cannot send it.
    again = client_for(alice).post(reverse("intros:send", args=[i.id, "ask"]), follow=True)
    assert "Only the connector" in again.content.decode()


def test_an_introduction_shows_on_the_contacts_timeline(alice_client, alice):
    from introloop.network.tests.factories import contact

    tom = contact(alice, "Tom Hale", emails=["tom@example.org"])
    i = intro(alice)
    assert i.target_contact == tom
    page = alice_client.get(reverse("timeline:contact", args=[tom.id])).content.decode()
    assert f'href="/intros/{i.id}/"' in page
    assert "Introduced to Alice Archer (requested)" in page


def test_history_says_who_logged_an_event_someone_else_did(alice_client, alice):
    """Alice logs an introduction Sam made: the history must not say Alice introduced."""
    made = intro(alice, start="introduced", double_opt_in=False)
    lifecycle.record_event(
        made.id, "reached_out", roles={"seeker"}, now=timezone.now(), actor_user=alice
    )
    page = alice_client.get(reverse("intros:detail", args=[made.id])).content.decode()
    history = " ".join(page[page.index('class="timeline"') :].split())
    assert (
        f'<strong>Introduced</strong> <span class="muted">logged by {alice.display_name}' in history
    )
    assert f'reached out</strong> <span class="muted">by {alice.display_name}' in history


def test_history_says_the_connector_only_logged_the_targets_answer(alice_client, alice):
    """Alice, the connector, records Tom's yes: Tom answered, Alice logged it."""
    made = intro(alice, seeker=Party("Maya Chen", "maya@example.net"))
    lifecycle.record_event(made.id, "asked", roles={"connector"}, now=timezone.now())
    lifecycle.record_event(
        made.id, "accepted", roles={"connector"}, now=timezone.now(), actor_user=alice
    )
    page = alice_client.get(reverse("intros:detail", args=[made.id])).content.decode()
    history = " ".join(page[page.index('class="timeline"') :].split())
    assert (
        f'<strong>Target accepted</strong> <span class="muted">logged by {alice.display_name}'
        in history
    )
