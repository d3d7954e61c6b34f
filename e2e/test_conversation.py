"""The whole conversation of an introduction, as its three people live it: Maya (seeker, with
an account) asks Cora (connector, with an account) to introduce her to Tomasz (no account).
Every email is read from a real SMTP server, everyone acts only through what those emails and
the pages offer, and time moves with `introloop remind --as-of`. Each step asserts who
received what, and that nobody else got mail."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import getaddresses, parseaddr
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD, make_user
from introloop.goals.models import Brief, Goal
from introloop.intros.models import Intro, State
from introloop.outbox.delivery import deliver_due
from introloop.outbox.models import Message

from .test_accounts_flow import heading

pytestmark = pytest.mark.e2e

MAYA, CORA, TOMASZ = "maya@example.com", "cora@example.org", "tomasz@acme.example"
REQUEST = "Maya Patel asks you for an introduction to Tomasz Nowak"
PURPOSE = "How the data platform team at Acme hires data engineers"
# Links as the emails carry them (SITE_URL), opened as paths on the live server.
LINK = re.compile(r"https?://[^/\s]+(/links/[^/\s]+/)")
INTRO_PAGE = re.compile(r"https?://[^/\s]+(/intros/\d+/)")


@dataclass
class Received:
    """One message as the SMTP server got it: the envelope's recipients and the message."""

    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def sender_name(self) -> str:
        return parseaddr(str(self.message["From"]))[0]

    def addresses(self, header: str) -> list[str]:
        return [address for _, address in getaddresses(self.message.get_all(header, []))]

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()

    def links(self) -> list[str]:
        return LINK.findall(self.text)

    def only_link(self) -> str:
        [link] = self.links()
        return link


class PostOffice:
    """Delivers the outbox to the SMTP server, as the worker would, and hands over what
    arrived since it last looked."""

    def __init__(self, smtp_server):
        self.smtp = smtp_server
        self.seen = 0

    def deliver(self, now: datetime | None = None) -> list[Received]:
        deliver_due(now or timezone.now())
        with self.smtp.lock:
            envelopes = self.smtp.received[self.seen :]
            self.seen = len(self.smtp.received)
        return [
            Received(sorted(e.rcpt_tos), message_from_bytes(e.content, policy=default))
            for e in envelopes
        ]


def who_got(mail: list[Received]) -> dict[str, list[str]]:
    """Each recipient (To, Cc, Bcc alike: the SMTP envelope) with the subjects they got."""
    got: dict[str, list[str]] = {}
    for received in mail:
        for recipient in received.recipients:
            got.setdefault(recipient, []).append(received.subject)
    return got


def remind(as_of: datetime) -> None:
    """`introloop remind --as-of …`: the sweep as the worker would run it at that moment."""
    call_command("remind", "--as-of", as_of.isoformat(), stdout=StringIO())


def first_local(hour: int, moment: datetime, zone) -> datetime:
    """`hour`:00 where Maya lives, on the first day when that is not before `moment`."""
    day = moment.astimezone(zone).date()
    for date in (day, day + timedelta(days=1)):
        at = datetime.combine(date, time(hour), tzinfo=zone)
        if at >= moment:
            return at
    raise AssertionError("unreachable: the next day's hour is after any moment of today")


@pytest.fixture
def mail_viewer(new_page):
    """A page that shows an email's HTML part as a mail program would."""
    return new_page(viewport={"width": 800, "height": 600})


@pytest.fixture
def show_email(mail_viewer, screenshot):
    def show(received: Received, name: str) -> None:
        mail_viewer.set_content(received.html)
        screenshot(mail_viewer, name)

    return show


@pytest.fixture
def people(db):
    maya = make_user(MAYA, "Maya Patel", time_zone="Europe/London")
    Goal.objects.create(
        owner=maya,
        title="Data engineering",
        roles=["data engineer"],
        companies=["Acme"],
        active=True,
    )
    Brief.objects.create(
        owner=maya,
        shared=True,
        intro_text="I build data pipelines, and I'd love to do it for a product people use.",
    )
    cora = make_user(CORA, "Cora Lindqvist", time_zone="Europe/Stockholm")
    return maya, cora


def log_in_at(page, path: str, email: str) -> None:
    """Open a page of the app that needs an account: log in on the way, land on it."""
    page.goto(path)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))


def maya_asks_cora_for_tomasz(maya, purpose: str, company: str = "") -> None:
    """On the form at /intros/new/: a request, without Tomasz's address (Cora has it)."""
    expect(heading(maya, "Log an introduction")).to_be_visible()
    maya.get_by_label("I asked for it (I'm the seeker)").check()
    maya.get_by_label("Connector's name").fill("Cora Lindqvist")
    maya.get_by_label("Connector's email").fill(CORA)
    maya.get_by_label("Who is being introduced").fill("Tomasz Nowak")
    maya.get_by_label("Their company").fill(company)
    maya.get_by_label("What the seeker hopes to learn about").fill(purpose)
    maya.get_by_role("button", name="Log it").click()
    expect(heading(maya, "Maya Patel → Tomasz Nowak")).to_be_visible()


def test_the_whole_conversation_as_its_three_people(
    people, page, new_page, smtp_server, show_email, screenshot
):
    maya_user, _ = people
    post = PostOffice(smtp_server)
    maya = page

    # 1. Maya asks Cora for an introduction to Tomasz; she does not know his address.
    log_in_at(maya, "/intros/new/", MAYA)
    maya_asks_cora_for_tomasz(maya, PURPOSE, company="Acme")
    expect(maya.get_by_text("Waiting on Cora Lindqvist since")).to_be_visible()
    intro_path = re.sub(r"^https?://[^/]+", "", maya.url)

    mail = post.deliver()
    assert who_got(mail) == {CORA: [REQUEST]}
    [request] = mail
    assert request.sender_name == "Maya Patel via Introloop"
    assert request.addresses("Reply-To") == [MAYA]
    assert request.addresses("To") == [CORA] and not request.addresses("Cc")
    assert PURPOSE in request.text
    assert "I build data pipelines" in request.text  # Maya's brief, in her own words
    show_email(request, "conversation-01-request-email.png")

    # 2. Cora answers from the email, without logging in: ask Tomasz first.
    cora = new_page()
    cora_link = request.only_link()
    cora.goto(cora_link)
    expect(heading(cora, REQUEST)).to_be_visible()
    expect(cora.get_by_text("In Maya Patel's own words")).to_be_visible()
    for answer in ("Ask Tomasz first", "Introduce now"):
        expect(cora.get_by_role("button", name=answer)).to_be_visible()
    expect(cora.get_by_text("Pass on this one")).to_be_visible()
    expect(cora.get_by_role("button", name="Pass", exact=True)).to_be_hidden()  # folded
    screenshot(cora, "conversation-02-connector-link-page.png")
    cora.get_by_label("Tomasz Nowak's email").fill(TOMASZ)
    cora.get_by_role("button", name="Ask Tomasz first").click()
    expect(heading(cora, "Thank you")).to_be_visible()
    expect(cora.get_by_text("Introloop has asked Tomasz Nowak, from you")).to_be_visible()

    mail = post.deliver()
    [question] = mail
    assert who_got(mail) == {TOMASZ: [question.subject]}
    assert "Maya Patel" in question.subject, question.subject
    assert question.sender_name == "Cora Lindqvist via Introloop"
    assert question.addresses("Reply-To") == [CORA]
    assert "In Maya Patel's own words:" in question.text
    tomasz_link = question.only_link()
    show_email(question, "conversation-03-opt-in-question-email.png")

    maya.reload()
    expect(maya.locator(".lead .state")).to_have_text("Target asked")
    expect(maya.get_by_text("Waiting on Tomasz Nowak since")).to_be_visible()
    # Tomasz's address, which Cora gave, should stay hidden from Maya until he agrees: see
    # test_the_seeker_does_not_see_the_address_the_connector_gave_before_the_target_agrees.

    # 3. Tomasz says yes from his email; Cora introduces them from her account.
    tomasz = new_page()
    tomasz.goto(tomasz_link)
    expect(heading(tomasz, "Happy to talk to Maya Patel?")).to_be_visible()
    screenshot(tomasz, "conversation-04-target-link-page.png")
    tomasz.get_by_role("button", name="Yes, happy to talk").click()
    expect(heading(tomasz, "Thank you")).to_be_visible()
    expect(tomasz.get_by_text("Cora Lindqvist will introduce you to Maya Patel.")).to_be_visible()

    mail = post.deliver()
    [answered] = mail
    assert who_got(mail) == {CORA: ["Tomasz Nowak is happy to talk to Maya Patel"]}
    show_email(answered, "conversation-05-target-accepted-email.png")
    [cora_intro_page] = INTRO_PAGE.findall(answered.text)
    assert cora_intro_page == intro_path
    log_in_at(cora, cora_intro_page, CORA)
    expect(cora.locator(".lead .state")).to_have_text("Target accepted")
    expect(cora.get_by_text("Your move")).to_be_visible()
    cora.get_by_role("button", name="Send the introduction email to both").click()
    expect(cora.get_by_text("Sent to Maya Patel and Tomasz Nowak.")).to_be_visible()

    mail = post.deliver()
    [introduction] = mail
    assert who_got(mail) == {person: [introduction.subject] for person in (MAYA, TOMASZ, CORA)}
    assert introduction.sender_name == "Cora Lindqvist via Introloop"
    assert "Maya" in introduction.subject and "Tomasz" in introduction.subject
    assert introduction.addresses("To") == [MAYA, TOMASZ]
    assert introduction.addresses("Cc") == [CORA]
    assert introduction.addresses("Reply-To") == [MAYA, TOMASZ, CORA]
    show_email(introduction, "conversation-06-introduction-email.png")

    # Maya's move now; her page says when Cora would hear that she is late.
    intro = Intro.objects.get()
    due = intro.next_due_at
    hears_on = (due + timedelta(days=3)).astimezone(maya_user.zone)
    maya.reload()
    expect(maya.locator(".lead .state")).to_have_text("Introduced")
    expect(maya.get_by_text("Your move")).to_be_visible()
    expect(maya.get_by_text(f"Cora hears on {hears_on:%a %-d %b}")).to_be_visible()
    screenshot(maya, "conversation-07-intro-page-seeker.png")

    # 4. Time moves; Maya does not write. Her digest comes first, and only her digest.
    zone = maya_user.zone
    # Sweeps at noon, past her digest hour (8): a sweep then sends her a digest if anything
    # is due.
    reminded = first_local(12, due, zone)
    remind(reminded)
    mail = post.deliver(reminded)
    [digest] = mail
    assert who_got(mail) == {MAYA: [digest.subject]}
    assert digest.subject.startswith("Today: 1 follow-up")
    assert "Tomasz Nowak" in digest.text
    show_email(digest, "conversation-08-seeker-digest-email.png")

    # Two days after her reminder, she is still within the three days' grace: Cora hears
    # nothing yet; Maya gets the day's digest.
    grace = first_local(12, due + timedelta(days=2), zone)
    assert grace < due + timedelta(days=3)
    remind(grace)
    mail = post.deliver(grace)
    assert who_got(mail) == {MAYA: [digest.subject]}

    # Three days late: Cora gets a heads-up, before Tomasz notices; Maya her digest.
    late = first_local(12, due + timedelta(days=3), zone)
    remind(late)
    mail = post.deliver(late)
    [heads_up] = [m for m in mail if CORA in m.recipients]
    assert who_got(mail) == {
        MAYA: [digest.subject],
        CORA: ["Maya Patel is 3 days late with Tomasz Nowak"],
    }
    assert heads_up.addresses("To") == [CORA]
    assert INTRO_PAGE.findall(heads_up.text) == [intro_path]
    show_email(heads_up, "conversation-09-connector-heads-up-email.png")

    # A week after the introduction, before Maya's digest hour: Tomasz's check-in is queued.
    week = first_local(7, intro.introduced_at + timedelta(days=7), zone)
    remind(week)
    [checkin] = Message.objects.filter(to=[TOMASZ], status=Message.Status.QUEUED)
    assert checkin.subject == "Did Maya Patel get in touch?"

    # Maya finally writes to Tomasz and records it on her page: the check-in, not yet
    # delivered, is cancelled; nobody gets mail.
    maya.reload()
    maya.get_by_role("button", name="I wrote to Tomasz", exact=True).click()
    expect(maya.get_by_text("Recorded: Seeker reached out, ")).to_be_visible()
    expect(maya.locator(".lead .state")).to_have_text("Seeker reached out")
    assert who_got(post.deliver(week)) == {}
    checkin.refresh_from_db()
    assert checkin.status == Message.Status.CANCELED

    # Nor does he get one later; Maya's next step is to follow up if he does not answer.
    later = first_local(12, week + timedelta(days=1), zone)
    if later.weekday() == 0:
        later += timedelta(days=1)  # on a Monday, Maya's weekly summary would come too
    remind(later)
    mail = post.deliver(later)
    assert who_got(mail) == {MAYA: ["Today: 1 follow-up (Follow up with Tomasz Nowak)"]}

    # Tomasz opens the link of his older email: it says kindly that it was recorded.
    answer = tomasz.goto(tomasz_link)
    assert answer is not None and answer.status == 200
    expect(heading(tomasz, "Already recorded")).to_be_visible()
    expect(tomasz.get_by_text("“Yes, happy to talk” was recorded")).to_be_visible()
    screenshot(tomasz, "conversation-10-target-older-link-page.png")
    assert Intro.objects.get().state == State.REACHED_OUT

    # 5. A second, short conversation: Maya asks again; Cora passes, with a reason.
    maya.goto("/intros/new/")
    maya_asks_cora_for_tomasz(maya, "A referral for the SRE role")

    mail = post.deliver()
    [second] = mail
    assert who_got(mail) == {CORA: [REQUEST]}
    cora.goto(second.only_link())
    expect(heading(cora, REQUEST)).to_be_visible()
    cora.get_by_text("Pass on this one").click()
    reason = "I've asked Tomasz twice this month; let's give him a rest until spring."
    cora.get_by_label("A line for Maya Patel (optional)").fill(reason)
    screenshot(cora, "conversation-11-connector-passes-link-page.png")
    cora.get_by_role("button", name="Pass", exact=True).click()
    expect(heading(cora, "Thank you")).to_be_visible()
    expect(cora.get_by_text("Maya Patel has been told, kindly, with your words.")).to_be_visible()

    mail = post.deliver()
    [passed] = mail
    assert who_got(mail) == {MAYA: ["About your introduction to Tomasz Nowak"]}
    assert passed.sender_name == "Cora Lindqvist via Introloop"
    assert passed.addresses("Reply-To") == [CORA]
    assert reason in passed.text
    show_email(passed, "conversation-12-request-passed-email.png")

    maya.reload()
    expect(maya.locator(".lead .state")).to_have_text("Withdrawn")
    expect(maya.locator(".timeline")).to_contain_text(reason)
    screenshot(maya, "conversation-13-withdrawn-intro-page.png")


def test_the_seeker_does_not_see_the_address_the_connector_gave_before_the_target_agrees(
    people, page, new_page, smtp_server
):
    post = PostOffice(smtp_server)
    log_in_at(page, "/intros/new/", MAYA)
    maya_asks_cora_for_tomasz(page, PURPOSE)
    [request] = post.deliver()
    cora = new_page()
    cora.goto(request.only_link())
    expect(
        cora.get_by_text("Maya Patel does not see it before Tomasz Nowak agrees")
    ).to_be_visible()
    cora.get_by_label("Tomasz Nowak's email").fill(TOMASZ)
    cora.get_by_role("button", name="Ask Tomasz first").click()
    expect(heading(cora, "Thank you")).to_be_visible()

    page.reload()
    expect(page.locator(".lead .state")).to_have_text("Target asked")
    assert TOMASZ not in page.get_by_role("main").inner_text()
    expect(page.get_by_text("Their address shows once they accept.")).to_be_visible()
