"""The nudge to a target without an account who has not answered the connector's question."""

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from introloop.intros.models import Intro
from introloop.intros.sending import send_opt_in_request
from introloop.intros.services import Party
from introloop.intros.tests.factories import intro
from introloop.outbox.models import Message
from introloop.reminders.sweep import sweep

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://127\.0\.0\.1:8000(/links/\S+/)")
STOP = re.compile(r"Stop them with one click: http://127\.0\.0\.1:8000(/unsubscribe/\S+/)")
ASKED_AT = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
ANSWER_DUE = ASKED_AT + timedelta(days=7)  # the connector's default "answer within 7 days"


@pytest.fixture
def asked(alice):
    """Alice (an account) is the connector; she asks Tom (no account) by email whether he
    would talk to Maya (no account), and Tom does not answer."""
    created = intro(alice, seeker=Party("Maya Chen", "maya@example.net"), now=ASKED_AT)
    send_opt_in_request(created, alice, ASKED_AT)
    return Intro.objects.get(pk=created.pk)


def nudges() -> list[Message]:
    return list(
        Message.objects.filter(to=["tom@example.org"], subject__startswith="Reminder:").order_by(
            "id"
        )
    )


def sweep_every_12_hours(start: datetime, days: int) -> None:
    for hours in range(0, 24 * days, 12):
        sweep(start + timedelta(hours=hours))


def test_the_silent_target_gets_at_most_three_nudges_two_days_apart(asked):
    assert asked.target_user is None
    sweep_every_12_hours(ASKED_AT, days=7)
    assert nudges() == []  # answering is not due yet; the question itself was enough

    sweep_every_12_hours(ANSWER_DUE, days=12)

    sent = nudges()
    assert len(sent) == 3
    assert [m.created_at for m in sent] == [ANSWER_DUE + timedelta(days=d) for d in (0, 2, 4)]
    assert all(b.created_at - a.created_at >= timedelta(days=2)
               for a, b in itertools.pairwise(sent))  # fmt: skip
    first = sent[0]
    assert first.subject == "Reminder: would you be happy to meet Maya Chen?"
    assert "Alice Archer asked whether you would be happy to talk to Maya Chen" in first.body_text
    assert "Advice on data teams" in first.body_text


def test_the_nudge_has_one_link_that_offers_yes_and_no(asked, client):
    sweep(ANSWER_DUE)
    [nudge] = nudges()

    [link] = LINK.findall(nudge.body_text)
    assert LINK.findall(nudge.body_html.replace("&amp;", "&")) == [link]
    with time_machine.travel(ANSWER_DUE + timedelta(hours=1)):
        page = client.get(link)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Yes, happy to talk" in html
    assert "Not right now" in html
    assert Intro.objects.get(pk=asked.pk).state == "asked"  # opening the page records nothing


@pytest.mark.parametrize(("answer", "state"), [("accepted", "accepted"), ("declined", "declined")])
def test_no_more_nudges_once_the_target_answered_through_the_link(asked, client, answer, state):
    sweep(ANSWER_DUE)
    [nudge] = nudges()
    [link] = LINK.findall(nudge.body_text)

    with time_machine.travel(ANSWER_DUE + timedelta(hours=3)):
        answered = client.post(link, {"action": answer})
    assert answered.status_code == 200
    assert Intro.objects.get(pk=asked.pk).state == state

    sweep_every_12_hours(ANSWER_DUE + timedelta(hours=12), days=10)
    assert nudges() == [nudge]


def test_no_more_nudges_once_the_address_opted_out_through_the_footer(asked):
    sweep(ANSWER_DUE)
    [nudge] = nudges()
    [stop] = STOP.findall(nudge.body_text)
    assert nudge.headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{stop}>"

    page = Client().get(stop)
    assert page.status_code == 200
    assert "tom@example.org" in page.content.decode()
    sweep(ANSWER_DUE + timedelta(days=2))
    assert len(nudges()) == 2  # opening the page stopped nothing

    Client().post(stop)

    sweep_every_12_hours(ANSWER_DUE + timedelta(days=2, hours=12), days=10)
    assert len(nudges()) == 2
    assert Intro.objects.get(pk=asked.pk).state == "asked"  # stopping mail is not an answer
