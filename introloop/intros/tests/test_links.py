"""People without accounts act through signed, expiring, single-use links in emails."""

import re
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from introloop.intros import sending
from introloop.intros.models import Intro, IntroEvent
from introloop.intros.services import Party
from introloop.outbox.models import Message

from .factories import intro

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://127\.0\.0\.1:8000(/links/\S+/)")


@pytest.fixture
def asked(alice):
    """Alice is the connector; she asks Tom (no account) by email for Maya (no account)."""
    i = intro(alice, seeker=Party("Maya Chen", "maya@example.net"))
    sending.send_opt_in_request(i, alice, timezone.now())
    return Intro.objects.get(pk=i.pk)


def links_in(message: Message) -> list[str]:
    return LINK.findall(message.body_text)


def test_the_opt_in_email_reaches_the_target_with_one_link(asked):
    message = Message.objects.get(to=["tom@example.org"])
    assert message.subject == "Would you be happy to meet Maya Chen?"
    assert "Maya hopes to learn about data teams" in message.body_text
    assert message.reply_to == ["alice@example.com"]
    assert len(links_in(message)) == 1
    assert asked.state == "asked"


def test_opening_the_link_shows_the_question_and_changes_nothing(client, asked):
    [link] = links_in(Message.objects.get())
    page = client.get(link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Happy to talk to Maya Chen?" in html
    assert "Yes, happy to talk" in html and "Not right now" in html
    assert "maya@example.net" not in html  # nothing beyond what the question needs
    assert Intro.objects.get(pk=asked.pk).state == "asked"


def test_accepting_records_the_answer_once(client, asked):
    [link] = links_in(Message.objects.get())
    done = client.post(link, {"action": "accepted"})
    assert "Thank you" in done.content.decode()
    fresh = Intro.objects.get(pk=asked.pk)
    assert fresh.state == "accepted"
    event = fresh.events.get(type="accepted")
    assert (event.actor_role, event.actor_name, event.via) == ("target", "Tom Hale", "link")

    again = client.post(link, {"action": "declined"})
    assert again.status_code == 200  # kindly: nothing is wrong
    assert "already used: “Yes, happy to talk” was recorded" in again.content.decode()
    assert Intro.objects.get(pk=asked.pk).state == "accepted"


@pytest.mark.parametrize("mangle", [lambda url: url[:-5] + "xxxx/", lambda url: "/links/abc/"])
def test_a_guessed_or_tampered_link_does_nothing(client, asked, mangle):
    [link] = links_in(Message.objects.get())
    response = client.post(mangle(link), {"action": "accepted"})
    assert response.status_code == 410
    assert "not valid" in response.content.decode()
    assert Intro.objects.get(pk=asked.pk).state == "asked"


def test_a_link_expires(client, asked):
    [link] = links_in(Message.objects.get())
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = client.post(link, {"action": "accepted"})
    assert "expired" in response.content.decode()
    assert Intro.objects.get(pk=asked.pk).state == "asked"


def test_a_link_only_does_what_it_was_made_for(client, asked):
    [link] = links_in(Message.objects.get())
    response = client.post(link, {"action": "loop_closed"})
    assert response.status_code == 422
    assert "Choose one of the answers" in response.content.decode()
    assert Intro.objects.get(pk=asked.pk).state == "asked"


@pytest.mark.django_db(transaction=True)
def test_two_tabs_accepting_at_once_record_one_acceptance(asked):
    [link] = links_in(Message.objects.get())
    statuses, barrier = [], threading.Barrier(2)

    def click():
        barrier.wait()
        try:
            statuses.append(Client().post(link, {"action": "accepted"}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # The second click finds the answer recorded and says so kindly.
    assert statuses == [200, 200]
    assert IntroEvent.objects.filter(intro=asked, type="accepted").count() == 1


def test_a_seeker_without_an_account_marks_their_step_from_the_email(client, alice):
    i = intro(alice, seeker=Party("Maya Chen", "maya@example.net"), double_opt_in=False)
    sending.send_introduction(i, alice, timezone.now())

    shared = Message.objects.get(to=["maya@example.net", "tom@example.org"])
    assert shared.cc == ["alice@example.com"]
    assert "I'm delighted to introduce you" in shared.body_text
    assert not links_in(shared)  # links are personal, never in the shared email
    private = Message.objects.get(to=["maya@example.net"])
    [link] = links_in(private)

    done = client.post(link, {"action": "reached_out"})
    fresh = Intro.objects.get(pk=i.pk)
    assert fresh.state == "reached_out"
    # The page says what is next and by when, without sending Maya to a Today page she lacks.
    follow_up = fresh.next_due_at.astimezone(alice.zone)
    text = done.content.decode()
    assert f"Next, your move: follow up with Tom Hale, by {follow_up:%a %-d %b}." in text
    assert "Today page" not in text
    assert fresh.events.get(type="reached_out").actor_role == "seeker"
