"""A seeker logs an introduction, her coach asks the target, who answers from an email, and
the seeker is introduced and writes to them: three people, three browsers."""

import re

import pytest
from playwright.sync_api import expect

from introloop.intros.models import Intro, State
from introloop.outbox.models import Message

from .test_accounts_flow import heading, log_in, make_user

pytestmark = pytest.mark.e2e


def link_path_in_mail_to(address: str) -> str:
    """The one-click link in the latest email to `address`, as a path on the live server."""
    mail = next(m for m in Message.objects.order_by("-id") if address in m.to)
    found = re.search(r"/links/[^/\s]+/", mail.body_text)
    assert found, mail.body_text
    return found[0]


def test_log_ask_accept_introduce_and_reach_out(page, new_page, screenshot):
    make_user("maya@example.com", "Maya Chen")
    make_user("sam@example.com", "Sam Okafor")

    maya_logs_that_she_asked_sam(page)
    sam = new_page()
    sam_asks_tom_by_email(sam, screenshot)
    tom_accepts_from_the_email(new_page, screenshot)
    sam_sends_the_introduction(sam)
    maya_writes_to_tom(page, screenshot)


def maya_logs_that_she_asked_sam(page) -> None:
    """Maya, the seeker, logs that she asked Sam to introduce her to Tom."""
    log_in(page, "maya@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Intros").click()
    expect(heading(page, "My introductions")).to_be_visible()
    page.get_by_role("button", name="Log an introduction").first.click()
    expect(heading(page, "Log an introduction")).to_be_visible()
    page.get_by_label("I asked for it (I'm the seeker)").check()
    page.get_by_label("Connector's name").fill("Sam Okafor")
    page.get_by_label("Connector's email").fill("sam@example.com")
    page.get_by_label("Who is being introduced").fill("Tom Hale")
    page.get_by_label("Their email").fill("tom@example.org")
    page.get_by_label("What the seeker hopes to learn about").fill(
        "How the data team at Hale & Co hires product managers"
    )
    page.get_by_label("Ask the target first (double opt-in)").check()
    page.get_by_label("Where it stands").select_option(
        label="Just asked for: nothing has happened yet"
    )
    page.get_by_role("button", name="Log it").click()

    expect(heading(page, "Maya Chen → Tom Hale")).to_be_visible()
    # What happened, and whose move is next, with its day.
    logged = r"Logged: Maya Chen → Tom Hale \(requested\)\. Next, Sam's move: .*, due "
    expect(page.get_by_text(re.compile(logged + r"\w{3} \d+ \w{3}\."))).to_be_visible()
    expect(page.get_by_text("Waiting on Sam Okafor since")).to_be_visible()
    # Who Introloop reminds of Sam's step, and when (loaded into the step by HTMX).
    expect(page.locator(".who-is-reminded")).to_contain_text("Sam")
    # Maya typed Tom's address herself, so double opt-in has nothing to hide from her (see
    # the next test for a target the connector brings).
    expect(page.get_by_role("link", name="tom@example.org")).to_be_visible()
    intro = Intro.objects.get()
    assert intro.state == State.REQUESTED
    assert intro.connector_user.email == "sam@example.com"


def sam_asks_tom_by_email(sam, screenshot) -> None:
    """Sam, the connector, finds it among the introductions he makes and asks Tom by email."""
    log_in(sam, "sam@example.com")
    sam.goto("/intros/")
    sam.get_by_role("link", name="Introductions I made").click()
    expect(heading(sam, "Introductions I made")).to_be_visible()
    row = sam.get_by_role("row").filter(has_text="Maya Chen → Tom Hale")
    expect(row).to_contain_text("Ask the target")
    expect(row).to_contain_text("You")  # Sam's own list: his move
    screenshot(sam, "intros-made.png")
    row.get_by_role("link", name="Maya Chen → Tom Hale").click()
    expect(sam.get_by_text("Your move")).to_be_visible()
    sam.get_by_role("button", name="Ask Tom Hale by email, with yes/no links").click()
    expect(sam.get_by_text("Sent to Tom Hale.")).to_be_visible()
    assert Intro.objects.get().state == State.ASKED


def tom_accepts_from_the_email(new_page, screenshot) -> None:
    """Tom, who has no account, answers from the email with one click."""
    link = link_path_in_mail_to("tom@example.org")
    tom = new_page()
    tom.goto(link)
    expect(heading(tom, "Happy to talk to Maya Chen?")).to_be_visible()
    expect(tom.get_by_text("Sam Okafor would like to introduce you to Maya Chen.")).to_be_visible()
    screenshot(tom, "intro-link.png")
    tom.get_by_role("button", name="Yes, happy to talk").click()
    expect(heading(tom, "Thank you")).to_be_visible()
    expect(tom.get_by_text("Sam Okafor will introduce you to Maya Chen.")).to_be_visible()
    # The link works once.
    tom.goto(link)
    expect(heading(tom, "Already recorded")).to_be_visible()
    expect(tom.get_by_text("This link was already used")).to_be_visible()


def sam_sends_the_introduction(sam) -> None:
    """Sam sees the answer and sends the introduction to both."""
    sam.reload()
    expect(sam.locator(".lead .state")).to_have_text("Target accepted")
    sam.get_by_role("button", name="Send the introduction email to both").click()
    expect(sam.get_by_text("Sent to Maya Chen and Tom Hale.")).to_be_visible()
    introduction = next(m for m in Message.objects.order_by("-id") if "maya@example.com" in m.to)
    assert "tom@example.org" in introduction.to and "sam@example.com" in introduction.cc


def maya_writes_to_tom(page, screenshot) -> None:
    """Maya's move now: write to Tom, with a drafted message and his address."""
    page.reload()
    expect(page.locator(".lead .state")).to_have_text("Introduced")
    expect(page.get_by_text("Write to Tom Hale", exact=True)).to_be_visible()
    expect(page.get_by_text("Your move")).to_be_visible()
    expect(page.get_by_label("Drafted message")).to_contain_text("Thank you for agreeing to talk")
    expect(page.get_by_role("link", name="tom@example.org")).to_be_visible()
    screenshot(page, "intro-detail-seeker.png")

    page.get_by_role("button", name="I wrote to Tom", exact=True).click()
    expect(page.get_by_text("Recorded: Seeker reached out, ")).to_be_visible()
    history = page.locator(".timeline")
    expect(history.locator("li").last).to_contain_text("Seeker reached out")
    expect(history.locator("li").last).to_contain_text("by Maya Chen")
    expect(page.get_by_text("Follow up with Tom Hale", exact=True)).to_be_visible()
    assert Intro.objects.get().state == State.REACHED_OUT


def test_a_seeker_sees_the_targets_address_only_once_they_accept(page, new_page):
    make_user("maya@example.com", "Maya Chen")
    make_user("sam@example.com", "Sam Okafor")

    # This time Sam, the connector, logs it: Tom is someone Sam knows, not Maya.
    sam = new_page()
    log_in(sam, "sam@example.com")
    sam.goto("/intros/new/")
    sam.get_by_label("I'm making it (I'm the connector)").check()
    sam.get_by_label("Seeker's name").fill("Maya Chen")
    sam.get_by_label("Seeker's email").fill("maya@example.com")
    sam.get_by_label("Who is being introduced").fill("Tom Hale")
    sam.get_by_label("Their email").fill("tom@example.org")
    sam.get_by_label("What the seeker hopes to learn about").fill("Advice on data roles")
    sam.get_by_role("button", name="Log it").click()
    expect(heading(sam, "Maya Chen → Tom Hale")).to_be_visible()
    sam.get_by_role("button", name="Ask Tom Hale by email, with yes/no links").click()
    expect(sam.get_by_text("Sent to Tom Hale.")).to_be_visible()

    log_in(page, "maya@example.com")
    page.goto(f"/intros/{Intro.objects.get().id}/")
    expect(heading(page, "Maya Chen → Tom Hale")).to_be_visible()
    expect(page.get_by_text("Their address shows once they accept.")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("tom@example.org")

    tom = new_page()
    tom.goto(link_path_in_mail_to("tom@example.org"))
    tom.get_by_role("button", name="Yes, happy to talk").click()
    expect(heading(tom, "Thank you")).to_be_visible()

    page.reload()
    expect(page.get_by_role("link", name="tom@example.org")).to_be_visible()
    expect(page.get_by_text("Their address shows once they accept.")).to_have_count(0)
