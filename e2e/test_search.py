"""Search everywhere in a browser: "/" goes to the header's box, results drop down as you type,
the arrow keys go through them and Enter opens one; Ctrl-K goes to the box too, "?" lists the
shortcuts; axe-core finds nothing serious on the results page nor with the dropdown open; on a
phone the box keeps the page's width."""

import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from introloop.goals.models import Application
from introloop.network.tests.factories import contact

from .test_accounts_flow import log_in, make_user
from .test_phone_layout import AXE_FAILING_IMPACTS, PHONE

pytestmark = pytest.mark.e2e


def serious_violations(page) -> list[str]:
    return [
        f"{v['id']}: {[' '.join(map(str, n['target'])) for n in v['nodes']][:3]}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in AXE_FAILING_IMPACTS
    ]


@pytest.fixture
def maya(db):
    user = make_user("maya@example.com", "Maya Chen")
    contact(user, "Ben Ortiz", company="Acme Robotics", title="Staff engineer")
    contact(user, "Bea Ortiz-Lane", company="Zeta")
    Application.objects.create(
        owner=user, company="Acme Robotics", role="Platform lead", applied_on=date(2026, 3, 2)
    )
    return user


def box(page):
    return page.get_by_role("searchbox", name="Search everything")


def test_slash_type_arrow_down_and_enter_open_the_contact(page, maya):
    ben = maya.contacts.get(full_name="Ben Ortiz")
    log_in(page, maya.email)
    page.wait_for_url("**/today/")

    page.keyboard.press("/")
    expect(box(page)).to_be_focused()
    page.keyboard.type("ortiz")
    results = page.locator("#site-search-live")
    expect(results.get_by_role("link", name=re.compile("^Ben Ortiz"))).to_be_visible()
    expect(results.get_by_role("link", name=re.compile("^Bea Ortiz-Lane"))).to_be_visible()
    expect(page.locator("#site-search-status")).to_contain_text("2 results")
    assert serious_violations(page) == []

    page.keyboard.press("ArrowDown")
    expect(results.get_by_role("link", name=re.compile("^Bea Ortiz-Lane"))).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(results.get_by_role("link", name=re.compile("^Ben Ortiz"))).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")

    page.wait_for_url(f"**/contacts/{ben.id}/")
    expect(page.get_by_role("heading", name="Ben Ortiz", level=1)).to_be_visible()


def test_escape_closes_and_enter_in_the_box_opens_the_results_page(page, maya):
    log_in(page, maya.email)
    page.wait_for_url("**/today/")
    box(page).click()
    page.keyboard.type("acme")
    results = page.locator("#site-search-live")
    expect(results.get_by_role("link", name=re.compile("^Platform lead"))).to_be_visible()

    page.keyboard.press("Escape")
    expect(results).to_be_hidden()
    expect(box(page)).to_be_focused()
    page.keyboard.press("ArrowDown")  # the same results again, the first one in focus
    expect(results.get_by_role("link", name=re.compile("^Ben Ortiz"))).to_be_focused()
    page.keyboard.press("Escape")
    expect(results).to_be_hidden()

    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=acme")
    expect(page.get_by_role("heading", name="Results for “acme”", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Contacts (1)", level=2)).to_be_visible()
    expect(page.get_by_role("heading", name="Applications (1)", level=2)).to_be_visible()
    assert serious_violations(page) == []


def test_ctrl_k_goes_to_the_box_and_question_mark_lists_the_shortcuts(page, maya):
    log_in(page, maya.email)
    page.wait_for_url("**/today/")
    page.goto("/contacts/")

    page.keyboard.press("Control+k")
    expect(box(page)).to_be_focused()
    page.keyboard.press("Meta+k")  # as on a Mac: still there
    expect(box(page)).to_be_focused()

    # Typing "/" or "?" in another field types them.
    other = page.get_by_placeholder("Search name, company, title, tags, notes…")
    other.click()
    page.keyboard.type("a/?")
    expect(other).to_have_value("a/?")
    expect(other).to_be_focused()
    expect(page.get_by_role("dialog")).to_be_hidden()

    page.locator("main h1").click()
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Go to the search box")
    assert serious_violations(page) == []
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_on_a_phone_the_box_takes_the_width_and_its_results_stay_inside(new_page, maya):
    page = new_page(viewport=PHONE)
    log_in(page, maya.email)
    page.wait_for_url("**/today/")

    width = box(page).bounding_box()["width"]
    assert width > 300, f"the search box is only {width:.0f} px wide"
    box(page).click()
    page.keyboard.type("ortiz")
    expect(page.locator("#site-search-live").get_by_role("link").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    dropdown = page.locator("#site-search-live").bounding_box()
    assert dropdown["x"] >= 0 and dropdown["x"] + dropdown["width"] <= PHONE["width"]
    assert serious_violations(page) == []
