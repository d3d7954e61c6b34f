"""Logging an introduction fast, in a real browser: a seeker asks a connector for an
introduction to someone in her contacts in four actions and a few dozen key presses; links
from a contact's page and a goal start it prefilled; the target's cooldown shows before saving;
someone new becomes a contact."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from introloop.goals.models import Goal
from introloop.intros.models import Intro
from introloop.intros.tests.factories import intro
from introloop.network.models import Contact
from introloop.network.tests.factories import contact

from .test_accounts_flow import heading, log_in, make_user

pytestmark = pytest.mark.e2e

MAX_ACTIONS, MAX_KEYS = 4, 40
AXE_FAILING_IMPACTS = {"serious", "critical"}


class Counted:
    """Drives the page while counting what a person does: every click and every pick from a
    list is an action; every key press (letters, arrows, Tab, Enter) is a keystroke."""

    def __init__(self, page):
        self.page = page
        self.actions: list[str] = []
        self.keys = 0

    def click(self, locator, what: str) -> None:
        locator.click()
        self.actions.append(what)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.keys += len(text)

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
        self.keys += times

    def pick(self, what: str) -> None:
        """Enter on the highlighted contact: a keystroke, and the pick is an action."""
        self.press("Enter")
        self.actions.append(what)


def serious_violations(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in found
        if v["impact"] in AXE_FAILING_IMPACTS
    ]


@pytest.fixture
def maya(db):
    maya = make_user("maya@example.com", "Maya Chen")
    contact(maya, "Sam Okafor", emails=["sam@example.com"], company="Okafor Consulting")
    contact(
        maya, "Tom Hale", emails=["tom@example.org"], company="Hale & Co",
        linkedin_url="https://www.linkedin.com/in/tomhale",
    )  # fmt: skip
    # Someone else's contacts never show in Maya's lists.
    contact(make_user("bob@example.com", "Bob Baker"), "Sami Bobsfriend", emails=["sami@b.example"])
    return maya


def test_a_request_to_people_in_the_contacts_takes_four_actions(page, maya):
    log_in(page, maya.email)
    page.goto("/intros/")
    counted = Counted(page)

    counted.click(page.get_by_role("button", name="Log an introduction").first, "open the form")
    expect(heading(page, "Log an introduction")).to_be_visible()
    assert serious_violations(page) == []
    connector = page.get_by_role("combobox", name="Connector's name")
    expect(connector).to_be_focused()
    # Maya is the seeker: only the connector's section asks for someone.
    expect(page.get_by_role("group", name="The seeker")).to_be_hidden()
    expect(page.locator("label[for=id_connector_name] .optional")).to_be_hidden()  # needed

    counted.type("sa")
    expect(connector).to_have_attribute("aria-expanded", "true")
    options = page.get_by_role("listbox", name="Matching contacts")
    expect(options.get_by_role("option")).to_have_count(1)  # not Bob's Sami
    counted.press("ArrowDown")
    expect(options.get_by_role("option", name=re.compile("Sam Okafor"))).to_have_attribute(
        "aria-selected", "true"
    )
    counted.pick("pick the connector")
    expect(connector).to_have_value("Sam Okafor")
    expect(page.get_by_label("Connector's email")).to_have_value("sam@example.com")
    expect(connector).to_have_attribute("aria-expanded", "false")

    counted.press("Tab", 2)
    target = page.get_by_role("combobox", name="Who is being introduced")
    expect(target).to_be_focused()
    counted.type("to")
    expect(page.get_by_role("option", name=re.compile("Tom Hale"))).to_be_visible()
    counted.press("ArrowDown")
    counted.pick("pick the target")
    expect(page.get_by_label("Their email")).to_have_value("tom@example.org")
    expect(page.get_by_label("Their company")).to_have_value("Hale & Co")
    expect(page.get_by_label("Their LinkedIn (or other) page")).to_have_value(
        "https://www.linkedin.com/in/tomhale"
    )

    counted.press("Tab", 4)
    expect(page.get_by_label("What the seeker hopes to learn about")).to_be_focused()
    counted.type("data team hiring")
    counted.click(page.get_by_role("button", name="Log it"), "submit")

    expect(heading(page, "Maya Chen → Tom Hale")).to_be_visible()
    expect(
        page.get_by_text("Logged: Maya Chen → Tom Hale (requested). Next, Sam's move")
    ).to_be_visible()
    print(
        f"\nA request with both people in the contacts: {len(counted.actions)} actions "
        f"({', '.join(counted.actions)}), {counted.keys} keystrokes"
    )
    assert len(counted.actions) <= MAX_ACTIONS and counted.keys <= MAX_KEYS
    made = Intro.objects.get()
    assert (made.seeker_email, made.connector_email, made.target_email) == (
        "maya@example.com", "sam@example.com", "tom@example.org",
    )  # fmt: skip
    assert made.purpose == "data team hiring" and made.target_company == "Hale & Co"
    assert made.target_contact == Contact.objects.get(owner=maya, full_name="Tom Hale")
    assert Contact.objects.filter(owner=maya).count() == 2  # nobody added twice


def from_the_contact_page(page, maya, name: str, button: str) -> Contact:
    """Lena asked for an introduction to Tom three days ago; Maya opens one of her contacts'
    pages and starts an introduction from it."""
    intro(make_user("lena@example.com", "Lena"), now=timezone.now() - timedelta(days=3))
    log_in(page, maya.email)
    found = Contact.objects.get(owner=maya, full_name=name)
    page.goto(f"/contacts/{found.id}/")
    page.get_by_role("button", name=button).click()
    return found


def test_from_a_contact_page_with_the_cooldown_shown_before_saving(page, maya):
    tom = from_the_contact_page(page, maya, "Tom Hale", "Ask for an introduction to Tom")

    expect(heading(page, "Log an introduction")).to_be_visible()
    expect(page.get_by_label("Who is being introduced")).to_have_value("Tom Hale")
    expect(page.get_by_label("Their email")).to_have_value("tom@example.org")
    warning = "Tom Hale was asked for an introduction once in the last 30 days"
    expect(page.get_by_role("status").filter(has_text=warning)).to_be_visible()

    # The connector is someone new: no contact matches, they are typed in full.
    connector = page.get_by_role("combobox", name="Connector's name")
    expect(connector).to_be_focused()
    connector.press_sequentially("Nadia Novak")
    expect(connector).to_have_attribute("aria-expanded", "false")
    page.get_by_label("Connector's email").fill("nadia@example.net")
    page.get_by_label("What the seeker hopes to learn about").fill("platform hiring at Hale")
    page.get_by_role("button", name="Log it").click()

    expect(heading(page, "Maya Chen → Tom Hale")).to_be_visible()
    expect(page.get_by_text(warning)).to_be_visible()  # the same words, once saved
    made = Intro.objects.get(created_by=maya)
    nadia = Contact.objects.get(owner=maya, full_name="Nadia Novak")
    assert list(nadia.emails.values_list("email", flat=True)) == ["nadia@example.net"]
    assert made.connector_contact == nadia and made.target_contact == tom
    assert Contact.objects.filter(owner=maya, full_name="Tom Hale").count() == 1


def test_the_live_warning_the_mouse_and_the_roles(page, maya):
    from_the_contact_page(page, maya, "Sam Okafor", "Ask Sam to introduce you")
    expect(page.get_by_label("Connector's name")).to_have_value("Sam Okafor")
    expect(page.get_by_label("I asked for it (I'm the seeker)")).to_be_checked()

    target = page.get_by_role("combobox", name="Who is being introduced")
    expect(target).to_be_focused()
    target.press_sequentially("ha")
    expect(page.get_by_role("option", name=re.compile("Tom Hale"))).to_be_visible()
    assert serious_violations(page) == []  # with the list open
    target.press("Escape")
    expect(target).to_have_attribute("aria-expanded", "false")
    target.press_sequentially("l")
    page.get_by_role("option", name=re.compile("Tom Hale")).click()
    expect(target).to_have_value("Tom Hale")
    live = page.locator("#intro-warnings")
    expect(live).to_have_attribute("aria-live", "polite")
    expect(live).to_contain_text("Tom Hale was asked for an introduction once in the last 30 days")

    # Making it oneself: the seeker's section shows instead, the words follow.
    page.get_by_label("I'm making it (I'm the connector)").check()
    expect(page.get_by_role("group", name="The connector")).to_be_hidden()
    expect(page.get_by_role("group", name="The seeker")).to_be_visible()
    expect(
        page.get_by_text("Needed: the introduction (or the question first) goes to it.")
    ).to_be_visible()
    expect(page.get_by_label("Where it stands")).to_contain_text(
        "Not made yet: I will introduce them"
    )
    page.get_by_label("Where it stands").select_option("introduced")
    expect(page.get_by_label("Ask the target first (double opt-in)")).to_be_hidden()
    assert not Intro.objects.filter(created_by=maya).exists()  # nothing saved on the way


def test_a_goal_starts_an_introduction_with_its_purpose(page, maya):
    goal = Goal.objects.create(owner=maya, title="Data roles at Hale & Co", companies=["Hale & Co"])
    log_in(page, maya.email)
    page.goto(f"/goals/{goal.id}/")
    page.get_by_role("link", name="Ask for an introduction to Tom Hale").click()
    expect(page.get_by_label("Who is being introduced")).to_have_value("Tom Hale")
    expect(page.get_by_label("What the seeker hopes to learn about")).to_have_value(
        "Data roles at Hale & Co"
    )
    page.goto(f"/goals/{goal.id}/")
    page.get_by_role("button", name="Ask for an introduction", exact=True).click()
    expect(page.get_by_label("What the seeker hopes to learn about")).to_have_value(
        "Data roles at Hale & Co"
    )
    expect(page.get_by_label("Who is being introduced")).to_have_value("")
