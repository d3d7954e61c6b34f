"""Someone without an account learns why each email came and who holds their address, and
stops all introduction emails from the instance with one link; nobody can start a new
introduction to them after, and nothing more is sent to them."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from introloop.intros import allowance, sending
from introloop.intros.models import Intro
from introloop.intros.services import Party
from introloop.outbox import delivery
from introloop.outbox.models import Message, StoppedAddress
from introloop.outbox.services import queue_message

from .factories import intro

pytestmark = pytest.mark.django_db
STOP_LINK = re.compile(re.escape(settings.SITE_URL) + r"(/stop/\S+/)")
MAYA = Party("Maya Chen", "maya@example.net")


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def delivered_to(smtp_server, address: str) -> list:
    return [
        message
        for envelope, message in zip(smtp_server.received, smtp_server.messages(), strict=True)
        if address in envelope.rcpt_tos
    ]


@pytest.fixture
def tom_stop_link(alice, smtp_server):
    """Alice (connector) asks Tom (target, no account) by email for Maya (seeker, no
    account); the question reaches Tom over SMTP. Returns the stop link it carries."""
    asked = intro(alice, seeker=MAYA)
    sending.send_opt_in_request(asked, alice, timezone.now())
    delivery.deliver_due(timezone.now())
    [question] = delivered_to(smtp_server, "tom@example.org")
    text = text_of(question)
    assert (
        "You received this because Alice Archer asked you, through Introloop, whether you "
        "would talk to Maya Chen; Alice Archer holds your address." in text
    )
    [link] = STOP_LINK.findall(text)
    assert link in question.get_body(("html",)).get_content()
    return link


def test_the_target_stops_all_introduction_emails_from_the_question_they_got(tom_stop_link):
    tom = Client()
    page = tom.get(tom_stop_link)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stop introduction emails to tom@example.org?" in html
    assert "ask for my data to be erased" in html
    assert not StoppedAddress.objects.exists()  # opening the link changes nothing

    done = tom.post(tom_stop_link, {"action": "stop"})
    assert done.status_code == 200
    assert "will send no more introduction emails to tom@example.org" in done.content.decode()
    assert list(StoppedAddress.objects.values_list("email", flat=True)) == ["tom@example.org"]

    again = tom.post(tom_stop_link, {"action": "stop"})  # a replayed link, a double click
    assert "Already stopped" in again.content.decode()
    assert StoppedAddress.objects.count() == 1


def test_a_new_introduction_to_them_is_refused_on_the_web_and_in_the_api(
    tom_stop_link, bob, alice_api
):
    Client().post(tom_stop_link, {"action": "stop"})
    refusal = "Tom Hale has asked not to receive introduction emails from this instance."

    bob_client = Client()
    bob_client.force_login(bob)
    form = {
        "my_role": "seeker", "connector_name": "Sam Okafor", "connector_email": "sam@example.com",
        "target_name": "Tom Hale", "target_email": "TOM@example.org",
        "purpose": "Advice", "start": "requested", "double_opt_in": "on",
    }  # fmt: skip
    page = bob_client.post(reverse("intros:new"), form)
    assert page.status_code == 200
    html = page.content.decode()
    assert refusal in html
    assert "Alice" not in html  # who asked before is never told

    new = {
        "connector_name": "Alice Archer", "connector_email": "alice@example.com",
        "seeker_name": "Raj Patel", "seeker_email": "raj@example.net",
        "target_name": "Tom Hale", "target_email": "tom@example.org", "purpose": "Advice",
    }  # fmt: skip
    refused = alice_api.post("/api/v1/intros", json=new)
    assert refused.status_code == 422
    assert refused.json()["detail"] == refusal
    assert Intro.objects.count() == 1  # only the first one


def test_nothing_more_is_sent_to_them(tom_stop_link, alice, smtp_server):
    sent_before = len(smtp_server.received)
    waiting = queue_message(to=["tom@example.org"], subject="A nudge", body_text="…")
    shared = queue_message(
        to=["tom@example.org", "maya@example.net"], subject="Both", body_text="…"
    )
    assert waiting is not None and shared is not None

    Client().post(tom_stop_link, {"action": "stop"})
    assert queue_message(to=["Tom@Example.org"], subject="Later", body_text="…") is None
    delivery.deliver_due(timezone.now())

    assert len(delivered_to(smtp_server, "tom@example.org")) == 1  # the question, before
    assert len(smtp_server.received) == sent_before + 1  # the shared one, to Maya alone
    assert smtp_server.received[-1].rcpt_tos == ["maya@example.net"]
    assert Message.objects.get(pk=waiting.pk).status == Message.Status.CANCELED

    # Introloop refuses to email them for the connector instead of pretending it did.
    ongoing = Intro.objects.get()
    with pytest.raises(allowance.SendRefused, match="Tom Hale has asked not to receive"):
        sending.send_introduction(ongoing, alice, timezone.now())
    assert Intro.objects.get().state == "asked"


def test_asking_for_erasure_is_recorded_for_staff(tom_stop_link, charlie):
    done = Client().post(tom_stop_link, {"action": "erase"})
    assert "erased is recorded" in done.content.decode()
    assert StoppedAddress.objects.get().erasure_requested_at is not None

    staff = Client()
    staff.force_login(charlie)
    page = staff.get(reverse("outbox:stopped")).content.decode()
    assert "tom@example.org" in page
    assert "1 address stopped; 1 asked for their data to be erased." in page


def test_the_introduction_email_says_why_to_each_party_without_an_account(alice):
    made = intro(alice, seeker=MAYA, start="requested", double_opt_in=False)
    sending.send_introduction(made, alice, timezone.now())
    group = Message.objects.get(to=["maya@example.net", "tom@example.org"])
    for name, other in [("Maya Chen", "Tom Hale"), ("Tom Hale", "Maya Chen")]:
        assert (
            f"{name}: you received this because Alice Archer introduced you to {other}, and "
            "Introloop keeps track of it; Alice Archer holds your address." in group.body_text
        )
    assert len(STOP_LINK.findall(group.body_text)) == 2
    # Maya's private note about her next step carries her own line.
    note = Message.objects.get(to=["maya@example.net"])
    assert "You received this because Alice Archer introduced you to Tom Hale" in note.body_text


def test_a_party_with_an_account_gets_no_stop_line(alice, bob):
    made = intro(alice, seeker=Party("Bob Baker", bob.email), double_opt_in=False)
    sending.send_introduction(made, alice, timezone.now())
    group = Message.objects.get(to=[bob.email, "tom@example.org"])
    assert group.body_text.count("received this because") == 1
    assert (
        "You received this because Alice Archer introduced you to Bob Baker, and Introloop "
        "keeps track of it; Alice Archer holds your address." in group.body_text
    )
    [link] = STOP_LINK.findall(group.body_text)
    assert "tom@example.org" in Client().get(link).content.decode()
