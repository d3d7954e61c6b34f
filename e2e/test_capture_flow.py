"""Capture from email as its people live it: Cora (connector, with an account) introduces
Maya (seeker, with an account) to Tom (no account) through Introloop. Their mail clients
answer the introduction email as it arrived on a real SMTP server, and their messages reach
Introloop by a real SMTP listener (`mailin` on loopback). Maya finds her private address on
the capture page; what she writes moves the introduction on by itself when it reaches that
address, and waits for her one click on Today when it only reached the introduction's record
(its Reply-To, which everyone on the email knows). Tom's reply lands with Cora, never with
anyone else."""

import re
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import free_port
from introloop.capture.mailin import controller
from introloop.capture.models import CapturedMessage
from introloop.intros.models import Intro
from introloop.intros.sending import send_introduction
from introloop.intros.services import NewIntro, Party, create_intro
from introloop.ops.worker import read_captured_mail

from .test_accounts_flow import log_in, make_user
from .test_conversation import PostOffice, Received

pytestmark = pytest.mark.e2e

MAYA, CORA, TOM = "maya@example.com", "cora@example.org", "tom@acme.example"
DOMAIN = "capture.example.net"


@pytest.fixture
def mailin(settings, live_server):
    settings.CAPTURE_DOMAIN, settings.CAPTURE_LOCALPART = DOMAIN, ""
    settings.CAPTURE_AUTHSERV_ID, settings.CAPTURE_REPLY_TO = "", True
    port = free_port()
    running = controller("127.0.0.1", port)
    running.start()
    yield port
    running.stop()


def reply_all(to: Received, author: str, body: str, bcc: str = "", calendar: str = "") -> tuple:
    """What a mail client sends for "Reply all": to the Reply-To (the author left out), the
    thread kept in In-Reply-To and References. (The envelope, and the message.)"""
    people = [a for _, a in getaddresses(to.message.get_all("Reply-To", [])) if a != author]
    message = EmailMessage()
    message["From"], message["To"] = author, ", ".join(people)
    message["Subject"] = f"Re: {to.subject}"
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid(domain=author.split("@")[1])
    message["In-Reply-To"] = str(to.message["Message-ID"])
    message["References"] = f"{to.message['References']} {to.message['Message-ID']}"
    message.set_content(body)
    if calendar:
        message.add_attachment(calendar.encode(), maintype="text", subtype="calendar",
                               filename="invite.ics")  # fmt: skip
    ours = [a for a in [*people, bcc] if a.endswith("@" + DOMAIN)]  # what reaches Introloop
    return ours, message


def send(port: int, envelope_to: list[str], message: EmailMessage) -> None:
    """The senders' mail servers deliver to Introloop's MX (mailin) over SMTP."""
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.send_message(message, to_addrs=envelope_to)
    while read_captured_mail(timezone.now()):  # the worker
        pass


def test_mail_moves_the_introduction_on_and_waits_for_a_click_when_it_must(
    mailin, smtp_server, new_page
):
    maya_user, cora_user = make_user(MAYA, "Maya Patel"), make_user(CORA, "Cora Lindqvist")
    new = NewIntro(
        connector=Party("Cora Lindqvist", CORA), seeker=Party("Maya Patel", MAYA),
        target=Party("Tom Nowak", TOM), purpose="How Acme's data team hires",
        double_opt_in=False, start="requested",
    )  # fmt: skip
    intro, _ = create_intro(cora_user, new, timezone.now() - timedelta(hours=2))
    send_introduction(intro, cora_user, timezone.now() - timedelta(hours=1))
    [introduction] = PostOffice(smtp_server).deliver()
    reply_to = [a for _, a in getaddresses(introduction.message.get_all("Reply-To", []))]
    assert reply_to[:3] == [MAYA, TOM, CORA] and re.match(rf"ilk\.{intro.pk}\.\w+@", reply_to[3])

    # Maya finds her private address on the capture page.
    maya = new_page()
    log_in(maya, MAYA)
    expect(maya).to_have_url(re.compile(r"/today/$"))
    maya.get_by_role("link", name="Settings").first.click()
    maya.get_by_role("link", name="Capture from email").click()
    address = maya.get_by_label("Your capture address").input_value()
    assert address.endswith("@" + DOMAIN)

    # 1. She answers all, without her address: it reaches the record only, so it waits for
    # her click on Today instead of acting.
    envelope, message = reply_all(introduction, MAYA, "Hi Tom, lovely to meet you. Coffee?")
    send(mailin, envelope, message)
    maya.goto("/today/")
    proposals = maya.get_by_role("region", name="From your email")
    expect(proposals).to_contain_text("Proposed: it came to the introduction's address")
    intro.refresh_from_db()
    assert intro.state == "introduced"
    proposals.get_by_role("button", name=re.compile(r"^Accept")).click()
    intro.refresh_from_db()
    assert intro.state == "reached_out"
    maya.goto(f"/intros/{intro.pk}/")
    expect(maya.locator(".timeline")).to_contain_text("From your email of")

    # 2. Her invitation, with her own address in Bcc, books the call by itself.
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    calendar = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nSUMMARY:Coffee\r\nUID:c-1@example.com\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    envelope, message = reply_all(introduction, MAYA, "Invitation: coffee", address, calendar)
    send(mailin, envelope, message)
    maya.goto("/capture/")
    expect(maya.locator(".capture-list")).to_contain_text("Recorded: “Conversation booked”")
    intro.refresh_from_db()
    assert intro.state == "scheduled" and intro.scheduled_for == start

    # 3. Tom answers all: it reaches the record only, and lands with Cora (who made the
    # introduction), filed with it; it moves nothing, and Maya's account does not get it.
    envelope, message = reply_all(introduction, TOM, "Thursday works. Tom")
    send(mailin, envelope, message)
    tom_row = CapturedMessage.objects.get(from_email=TOM)
    assert tom_row.owner == cora_user and tom_row.intro_id == intro.pk
    assert not CapturedMessage.objects.filter(owner=maya_user, from_email=TOM).exists()
    cora = new_page()
    log_in(cora, CORA)
    expect(cora).to_have_url(re.compile(r"/today/$"))
    cora.goto("/capture/")
    item = cora.locator(".capture-item").filter(has_text=TOM)
    expect(item).to_contain_text("Filed with the introduction")
    item.get_by_role("link", name="The introduction").click()
    expect(cora).to_have_url(re.compile(rf"/intros/{intro.pk}/$"))
    assert Intro.objects.get(pk=intro.pk).state == "scheduled"
