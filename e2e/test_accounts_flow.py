"""A visitor signs up, logs out and in, and finds their way around, in a real browser."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from introloop.accounts import services
from introloop.accounts.models import User

pytestmark = pytest.mark.e2e

PASSWORD = "a long and unusual passphrase"


def make_user(email: str, name: str, is_staff: bool = False) -> User:
    return User.objects.create_user(
        email=email,
        password=PASSWORD,
        name=name,
        is_staff=is_staff,
        email_verified_at=timezone.now(),
    )


def log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()


def heading(page, name: str):
    return page.get_by_role("heading", name=name, level=1)


def test_it_signs_up_logs_out_and_logs_back_in(new_page):
    page = new_page(timezone_id="America/Chicago")
    page.goto("/")
    page.get_by_role("button", name="Create your account").click()
    expect(heading(page, "Create your account")).to_be_visible()
    page.get_by_label("Your name").fill("Dana Diaz")
    page.get_by_label("Email", exact=True).fill("Dana@Example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(re.compile(r"/today/$"))
    expect(heading(page, "Today")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(
        "Welcome to Introloop! We sent a link to dana@example.com"
    )
    expect(page.get_by_role("note")).to_contain_text("Please confirm your email address")
    user = User.objects.get()
    assert user.email == "dana@example.com"
    assert user.time_zone == "America/Chicago"  # the browser's own, filled in by app.js

    log_out(page)

    log_in(page, "dana@example.com")
    expect(page).to_have_url(re.compile(r"/today/$"))
    expect(heading(page, "Today")).to_be_visible()

    log_out(page)
    log_in(page, "dana@example.com", "not my passphrase")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    expect(page.get_by_label("Email", exact=True)).to_have_value("dana@example.com")


def test_it_shows_what_is_wrong_beside_each_field_and_creates_no_account(page):
    page.goto("/accounts/signup/")
    page.get_by_label("Email", exact=True).fill("not-an-address")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_role("button", name="Create account").click()

    expect(heading(page, "Create your account")).to_be_visible()
    email = page.get_by_label("Email", exact=True)
    password = page.get_by_label("Password", exact=True)
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(page.get_by_text("This password is too short.")).to_be_visible()
    # Each message is tied to its own field, so a screen reader reads it with the field.
    expect(email).to_have_accessible_description(re.compile("Enter a valid email address"))
    expect(password).to_have_accessible_description(re.compile("This password is too short"))
    expect(email).to_have_value("not-an-address")
    assert not User.objects.exists()


def test_a_keyboard_user_can_skip_to_the_content_and_every_input_has_a_label(page):
    page.goto("/accounts/login/")
    # Email is focused on arrival (autofocus), so typing starts at once and a Tab from
    # there goes on to Password. Back at the top of the page (focus on the document body),
    # the first Tab lands on the skip link, which then shows.
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    page.evaluate(
        "document.body.tabIndex = -1; document.body.focus();"
        "document.body.removeAttribute('tabindex')"
    )
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()

    for path in ("/accounts/login/", "/accounts/signup/"):
        page.goto(path)
        expect(page.get_by_label("Email", exact=True)).to_be_visible()
        expect(page.get_by_label("Password", exact=True)).to_be_visible()
        for field in page.locator("input:visible").all():
            field_id = field.get_attribute("id")
            assert field_id, f"an input on {path} has no id for a label to point to"
            expect(page.locator(f'label[for="{field_id}"]')).to_have_count(1)


@pytest.mark.parametrize(
    ("path", "name", "title"),
    [
        ("/", "home.png", "Every introduction, followed through."),
        ("/accounts/signup/", "signup.png", "Create your account"),
        ("/accounts/login/", "login.png", "Log in"),
        ("/no-such-page/", "not-found.png", "We could not find that page"),
    ],
)
def test_screenshot_of_a_public_page(page, screenshot, path, name, title):
    page.goto(path)
    expect(heading(page, title)).to_be_visible()
    screenshot(page, name)


@pytest.mark.parametrize(
    ("path", "name", "title", "section"),
    [
        ("/today/", "today.png", "Today", None),
        ("/settings/", "settings-profile.png", "Settings", "Profile"),
        ("/settings/data/", "settings-data.png", "Settings", "Export all your data"),
    ],
)
def test_screenshot_of_a_signed_in_page(page, screenshot, path, name, title, section):
    make_user("alice@example.com", "Alice Archer")
    log_in(page, "alice@example.com")
    expect(heading(page, "Today")).to_be_visible()

    page.goto(path)
    expect(heading(page, title)).to_be_visible()
    if section:
        section_heading = page.get_by_role("heading", name=section, level=2)
        expect(section_heading).to_be_visible()
        # The settings menu sits beside the page, every link whole and clear of the content.
        content_left = section_heading.bounding_box()["x"]
        for link in page.get_by_role("navigation", name="Settings").get_by_role("link").all():
            expect(link).to_be_visible()
            box = link.bounding_box()
            assert box["x"] + box["width"] <= content_left, f"{link.inner_text()!r} overlaps"
    screenshot(page, name)


def test_screenshot_of_a_new_api_token_shown_once(page, screenshot):
    make_user("alice@example.com", "Alice Archer")
    log_in(page, "alice@example.com")
    page.goto("/settings/tokens/")
    page.get_by_label("Token name").fill("laptop script")
    page.get_by_role("button", name="Create token").click()

    expect(page.get_by_role("heading", name="API tokens", level=2)).to_be_visible()
    expect(page.get_by_text("Copy it now: it is shown only once.")).to_be_visible()
    expect(page.get_by_role("cell", name="laptop script", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Copy")).to_be_visible()
    screenshot(page, "settings-tokens.png")


def test_screenshot_of_the_outbox_for_staff(page, screenshot):
    services.sign_up(
        email="dana@example.com",
        password=PASSWORD,
        name="Dana Diaz",
        time_zone="UTC",
        now=timezone.now(),
    )
    make_user("charlie@example.com", "Charlie Chen", is_staff=True)
    log_in(page, "charlie@example.com")
    page.get_by_role("link", name="Outbox").click()

    expect(heading(page, "Outbox")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="dana@example.com")
    expect(row.get_by_role("link", name=re.compile("Confirm your email address"))).to_be_visible()
    screenshot(page, "outbox.png")


def test_screenshot_of_today_on_a_phone_fits_the_screen(new_page, screenshot):
    page = new_page(viewport={"width": 390, "height": 844})
    make_user("alice@example.com", "Alice Archer")
    log_in(page, "alice@example.com")

    expect(heading(page, "Today")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    # Nothing pushes the page sideways: no horizontal scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "mobile-today.png")
