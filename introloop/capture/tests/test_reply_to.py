"""Replies to Introloop's own emails: mail about an introduction names the introduction's
record last in Reply-To, so that a plain reply reaches capture without anyone's Bcc. The
reply lands in the account of the party who wrote it (when they have one), else with the
introduction's creator; never with anyone else, and a forged key is refused at RCPT."""

import smtplib
from datetime import timedelta
from email.utils import format_datetime, make_msgid

import pytest
from django.utils import timezone

from conftest import free_port, make_user
from introloop.capture import intake
from introloop.capture.imap import owner_of
from introloop.capture.mailin import controller
from introloop.capture.models import CapturedMessage
from introloop.capture.services import process_next
from introloop.intros.models import Intro
from introloop.intros.sending import send_introduction
from introloop.intros.services import NewIntro, Party, create_intro
from introloop.outbox.delivery import deliver_due
from introloop.outbox.replykeys import RECORD_NAME, intro_of
from introloop.outbox.services import queue_message

TOM = "tom@example.org"  # the target: no account


@pytest.fixture
def maya(transactional_db):
    return make_user("maya@example.com", "Maya Seeker")


@pytest.fixture
def carla(transactional_db):
    return make_user("carla@example.org", "Carla Connector")


@pytest.fixture
def on(capture_on):
    capture_on.CAPTURE_REPLY_TO = True
    return capture_on


@pytest.fixture
def mailin(on):
    port = free_port()
    running = controller("127.0.0.1", port)
    running.start()
    yield port
    running.stop()


def introduced(carla, maya) -> Intro:
    """Carla introduces Maya (who has an account) to Tom (who has none) through Introloop."""
    new = NewIntro(
        connector=Party("Carla Connector", carla.email),
        seeker=Party("Maya Seeker", maya.email),
        target=Party("Tom Target", TOM),
        purpose="Advice on data teams",
        double_opt_in=False,
        start="requested",
    )
    intro, _ = create_intro(carla, new, timezone.now() - timedelta(hours=1))
    return send_introduction(intro, carla, timezone.now() - timedelta(minutes=30))


def sent(smtp_server, **header):
    deliver_due(timezone.now())
    [message] = [
        m for m in smtp_server.messages() if all(v in str(m[k]) for k, v in header.items())
    ]
    return message


def reply_to(message) -> list[str]:
    return [a.addr_spec for a in message["Reply-To"].addresses] if message["Reply-To"] else []


def reply(to: object, author: str, body: str, subject: str = "Re: Introduction") -> bytes:
    """A reply to `to` (an email Introloop sent) as a mail client writes it: to its
    Reply-To, threaded by In-Reply-To and References."""
    headers = [
        f"From: {author}", f"To: {to['Reply-To']}", f"Subject: {subject}",
        f"Date: {format_datetime(timezone.now())}", f"Message-ID: {make_msgid(domain='mail.test')}",
        f"In-Reply-To: {to['Message-ID']}",
        f"References: {to['References']} {to['Message-ID']}",
    ]  # fmt: skip
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


def deliver(port: int, raw: bytes, *rcpt: str) -> None:
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.sendmail("sender@example.org", list(rcpt), raw)


def read_all() -> None:
    while process_next(timezone.now()):
        pass


# Sending


def test_the_introduction_replies_to_the_three_people_then_the_record(maya, carla, on,
                                                                      smtp_server):  # fmt: skip
    intro = introduced(carla, maya)
    email = sent(smtp_server, Cc=carla.email)
    record = f"ilk.{intro.pk}."
    assert reply_to(email)[:3] == [maya.email, TOM, carla.email]
    assert reply_to(email)[3].startswith(record) and reply_to(email)[3].endswith(
        "@capture.example.net"
    )
    assert email["Reply-To"].addresses[3].display_name == RECORD_NAME
    # The same key opens References, so a reply to any of the four is threaded.
    assert intro_of(email["References"].split()[0].strip("<>")) == intro.pk


def test_a_reminder_about_an_introduction_replies_to_the_record_only(maya, carla, on,
                                                                      smtp_server):  # fmt: skip
    intro = introduced(carla, maya)
    queue_message(to=[maya.email], subject="Reach out to Tom", body_text="…", user=maya,
                  topic=f"intro:{intro.pk}:reach_out", now=timezone.now())  # fmt: skip
    queue_message(to=[maya.email], subject="Your digest", body_text="…", now=timezone.now())
    reminder = sent(smtp_server, Subject="Reach out to Tom")
    assert [a.display_name for a in reminder["Reply-To"].addresses] == [RECORD_NAME]
    assert intake.intro_for_address(reply_to(reminder)[0]) == intro.pk
    assert sent(smtp_server, Subject="Your digest")["Reply-To"] is None


@pytest.mark.parametrize("off", [{"CAPTURE_REPLY_TO": False}, {"CAPTURE_DOMAIN": ""}])
def test_nothing_is_added_when_it_is_off_or_capture_is(maya, carla, on, smtp_server, off):
    for name, value in off.items():
        setattr(on, name, value)
    introduced(carla, maya)
    assert reply_to(sent(smtp_server, Cc=carla.email)) == [maya.email, TOM, carla.email]


def test_one_mailbox_with_plus_addressing_gets_a_sub_addressed_record(maya, carla, on,
                                                                       smtp_server):  # fmt: skip
    on.CAPTURE_LOCALPART = "capture"
    intro = introduced(carla, maya)
    record = reply_to(sent(smtp_server, Cc=carla.email))[3]
    assert record.startswith(f"capture+ilk.{intro.pk}.")
    assert intake.intro_for_address(record) == intro.pk


# Receiving


def test_the_seekers_reply_lands_in_her_account_and_proposes_reaching_out(maya, carla, mailin,
                                                                          smtp_server):  # fmt: skip
    """The record's address is no secret (everyone on the email has it), so mail to it only
    proposes: anyone could write "From: maya@…" to it."""
    intro = introduced(carla, maya)
    email = sent(smtp_server, Cc=carla.email)
    raw = reply(email, "Maya Seeker <Maya@Example.com>", "Hi Tom, lovely to meet you.")
    deliver(mailin, raw, reply_to(email)[3])
    [row] = CapturedMessage.objects.all()
    assert row.owner == maya and row.by_record
    read_all()
    row.refresh_from_db()
    intro.refresh_from_db()
    assert (row.action, row.event, row.intro_id) == ("proposed", "reached_out", intro.pk)
    assert "everyone on the email knows" in row.reason
    assert intro.state == "introduced"


def test_her_reply_acts_when_her_mail_server_vouches_for_the_sender(maya, carla, mailin,
                                                                    smtp_server, on):  # fmt: skip
    on.CAPTURE_AUTHSERV_ID = "mx.capture.example.net"
    intro = introduced(carla, maya)
    email = sent(smtp_server, Cc=carla.email)
    raw = reply(email, maya.email, "Hi Tom, lovely to meet you.")
    vouched = (
        b"Authentication-Results: mx.capture.example.net; dmarc=pass header.from=example.com\r\n"
    )
    deliver(mailin, vouched + raw, reply_to(email)[3])
    read_all()
    row = CapturedMessage.objects.get()
    intro.refresh_from_db()
    assert (row.action, row.event, intro.state) == ("applied", "reached_out", "reached_out")


def test_the_targets_reply_lands_with_the_creator_and_records_nothing(maya, carla, mailin,
                                                                      smtp_server):  # fmt: skip
    intro = introduced(carla, maya)
    email = sent(smtp_server, Cc=carla.email)
    deliver(mailin, reply(email, f"Tom Target <{TOM}>", "Hi Maya, happy to talk."),
            reply_to(email)[3])  # fmt: skip
    [row] = CapturedMessage.objects.all()
    assert row.owner == carla
    read_all()
    row.refresh_from_db()
    intro.refresh_from_db()
    assert row.intro_id == intro.pk and row.event == ""
    assert intro.state == "introduced"


def test_a_bcc_to_her_own_address_and_the_record_is_one_item(maya, carla, mailin, smtp_server):
    introduced(carla, maya)
    email = sent(smtp_server, Cc=carla.email)
    raw = reply(email, maya.email, "Hi Tom, lovely to meet you.")
    deliver(mailin, raw, reply_to(email)[3], intake.capture_address(maya))
    assert [row.owner for row in CapturedMessage.objects.all()] == [maya]
    read_all()  # her private address vouches for it: it acts
    assert CapturedMessage.objects.get().action == "applied"


def test_the_record_first_then_her_own_address_is_one_item_that_acts(maya, carla, mailin,
                                                                     smtp_server):  # fmt: skip
    introduced(carla, maya)
    email = sent(smtp_server, Cc=carla.email)
    raw = reply(email, maya.email, "Hi Tom, lovely to meet you.")
    deliver(mailin, raw, reply_to(email)[3])
    deliver(mailin, raw, intake.capture_address(maya))  # her Bcc copy, a moment later
    read_all()
    row = CapturedMessage.objects.get()
    assert (row.by_record, row.action, row.event) == (False, "applied", "reached_out")


def test_someone_not_on_the_introduction_never_reaches_their_own_account(maya, carla, mailin,
                                                                         smtp_server):  # fmt: skip
    bob = make_user("bob@example.com", "Bob")  # verified, and on nobody's introduction
    intro = introduced(carla, maya)
    email = sent(smtp_server, Cc=carla.email)
    deliver(mailin, reply(email, bob.email, "Hi all, Bob here."), reply_to(email)[3])
    assert [row.owner for row in CapturedMessage.objects.all()] == [carla]
    read_all()
    intro.refresh_from_db()
    assert intro.state == "introduced"
    assert not CapturedMessage.objects.filter(owner=bob).exists()


def test_a_forged_key_or_a_deleted_introduction_is_refused_at_rcpt(maya, carla, mailin,
                                                                   smtp_server):  # fmt: skip
    intro = introduced(carla, maya)
    record = reply_to(sent(smtp_server, Cc=carla.email))[3]
    local, _, domain = record.partition("@")
    forged = f"ilk.{intro.pk}.{'0' * 20}@{domain}"
    guessed = f"ilk.{intro.pk + 1}.{local.rsplit('.', 1)[1]}@{domain}"  # another id, same sig
    Intro.objects.filter(pk=intro.pk).delete()
    with smtplib.SMTP("127.0.0.1", mailin) as smtp:
        smtp.ehlo()
        smtp.mail("maya@example.com")
        for address in (forged, guessed, record):
            code, text = smtp.rcpt(address)
            assert (code, text) == (550, b"5.1.1 No such capture address"), address
    assert not CapturedMessage.objects.exists()


def test_imap_finds_the_account_from_a_plus_addressed_record(maya, carla, on, smtp_server):
    on.CAPTURE_LOCALPART = "capture"
    introduced(carla, maya)
    email = sent(smtp_server, Cc=carla.email)
    raw = reply(email, maya.email, "Hi Tom.")
    assert owner_of(f"Delivered-To: {reply_to(email)[3]}\r\n".encode() + raw) == maya
    from_tom = reply(email, TOM, "Hi Maya.")
    assert owner_of(f"Delivered-To: {reply_to(email)[3]}\r\n".encode() + from_tom) == carla
    forged = reply_to(email)[3].replace(".", ".9", 1)  # ilk.9<id>: another introduction
    alone = f"Delivered-To: {forged}\r\nFrom: {maya.email}\r\nTo: {forged}\r\n\r\nHi.\r\n"
    assert owner_of(alone.encode()) is None


def test_a_reply_that_lost_its_references_is_still_filed_by_its_people(maya, carla, on,
                                                                       smtp_server):  # fmt: skip
    intro = introduced(carla, maya)
    email = sent(smtp_server, Cc=carla.email)
    raw = b"\r\n".join(
        line for line in reply(email, maya.email, "Hi Tom!").split(b"\r\n")
        if not line.startswith((b"References:", b"In-Reply-To:"))
    )  # fmt: skip
    [user] = intake.accounts_for([reply_to(email)[3]], raw)
    intake.store(user, raw, "smtp", timezone.now(), to=[reply_to(email)[3]])
    read_all()
    row = CapturedMessage.objects.get()
    assert (row.owner, row.intro_id, row.event) == (maya, intro.pk, "reached_out")


def test_a_reply_to_the_record_alone_is_filed_by_the_record(maya, carla, on, smtp_server):
    """A reply to a reminder goes to the record only; without References and from someone
    on no introduction, only the record address says which introduction it is about."""
    intro = introduced(carla, maya)
    record = reply_to(sent(smtp_server, Cc=carla.email))[3]
    raw = (
        f"From: Pat Assistant <pa@example.org>\r\nTo: {record}\r\nSubject: Tom's diary\r\n"
        "Message-ID: <pa-1@example.org>\r\n\r\nTom is free on Thursday.\r\n"
    ).encode()
    [user] = intake.accounts_for([record], raw)
    intake.store(user, raw, "smtp", timezone.now(), to=[record])
    read_all()
    row = CapturedMessage.objects.get()
    assert (row.owner, row.intro_id) == (carla, intro.pk)
