"""The installable app in Chromium: installable (no installability errors), a service worker
that serves the offline page and keeps nothing private, and the share target that turns a
shared LinkedIn profile into a contact."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from introloop.network.models import Contact

from .conftest import CHROMIUM, LAUNCH_ARGS
from .test_accounts_flow import PASSWORD, heading, log_in, make_user
from .test_phone_layout import AXE_FAILING_IMPACTS, PHONE

pytestmark = pytest.mark.e2e

SHARED_PROFILE = (
    "/share/?title=Ann%20Lee%20-%20Staff%20Engineer%20-%20Acme%20%7C%20LinkedIn"
    "&url=https://www.linkedin.com/in/annlee"
)
WORKER_ACTIVE = """async () => {
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (worker.state !== "activated") {
    await new Promise((done) => worker.addEventListener("statechange",
      () => worker.state === "activated" && done()));
  }
  return { scope: registration.scope, script: worker.scriptURL, state: worker.state };
}"""
CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
  }
  return urls;
}"""


@pytest.fixture
def profile_page(browser, live_server, tmp_path):
    """A page of a browser profile of its own: Chromium installs no app from an incognito
    context, which is what new_page gives."""
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile",
        executable_path=CHROMIUM,
        headless=True,
        args=LAUNCH_ARGS,
        base_url=live_server.url,
        viewport=PHONE,
    )
    context.set_default_timeout(10_000)
    yield context.pages[0] if context.pages else context.new_page()
    context.close()


def test_it_installs_and_shows_the_offline_page_without_keeping_anything_private(
    profile_page, screenshot
):
    page = profile_page
    user = make_user("maya@example.com", "Maya Chen")
    Contact.objects.create(owner=user, full_name="Private Person", company="Secret Co")
    log_in(page, user.email)
    page.wait_for_url("**/today/")

    worker = page.evaluate(WORKER_ACTIVE)
    assert worker["state"] == "activated"
    assert worker["script"].endswith("/sw.js")
    assert re.fullmatch(r"http://[^/]+/", worker["scope"])
    page.reload()  # now controlled by the worker, as every later visit is

    cdp = page.context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert manifest["errors"] == []
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    # Private pages, visited while the worker runs, must not end up on the device.
    for path in ("/contacts/", "/intros/", SHARED_PROFILE):
        assert page.goto(path).ok
    page.goto("/api/v1/me")
    page.goto("/today/")

    page.context.set_offline(True)
    try:
        page.goto("/today/")
        expect(heading(page, "You are offline")).to_be_visible()
        expect(page.get_by_text("Nothing private is stored on this device")).to_be_visible()
        screenshot(page, "phone-offline.png")
        # The offline page is styled from the cache too.
        assert page.evaluate(
            "getComputedStyle(document.documentElement).getPropertyValue('--pico-primary')"
        )
        page.goto("/contacts/")
        expect(heading(page, "You are offline")).to_be_visible()
        assert "Private Person" not in page.content()
    finally:
        page.context.set_offline(False)
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Contacts"), level=1)).to_be_visible()

    cached = page.evaluate(CACHED_URLS)
    assert "/offline/" in cached
    assert any(url.endswith(".css") for url in cached)
    private = [url for url in cached if not (url == "/offline/" or url.startswith("/static/"))]
    assert private == [], f"cached private pages: {private}"

    # Logging out empties the caches (a marker cache goes too) and still logs out.
    page.goto("/today/")
    page.evaluate("caches.open('marker')")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    assert "marker" not in page.evaluate("caches.keys()")
    page.goto("/today/")
    page.wait_for_url("**/accounts/login/?next=/today/")


def test_a_shared_linkedin_profile_becomes_a_contact(new_page, screenshot):
    user = make_user("maya@example.com", "Maya Chen")
    page = new_page(viewport=PHONE)
    # The phone opens the share target before the app has a session: log in, come back.
    page.goto(SHARED_PROFILE)
    page.wait_for_url("**/accounts/login/**")
    log_in_here(page, user.email)
    page.wait_for_url(re.compile(r"/share/\?title="))
    expect(heading(page, "Shared with Introloop")).to_be_visible()
    expect(page.get_by_text("Ann Lee - Staff Engineer - Acme | LinkedIn")).to_be_visible()
    intro = page.get_by_role("button", name="New introduction")
    assert "target_name=Ann+Lee" in intro.get_attribute("href")
    assert "target_company=Acme" in intro.get_attribute("href")
    screenshot(page, "phone-share.png")

    # "New introduction" opens the introduction form with Ann as the target.
    intro.click()
    page.wait_for_url("**/intros/new/?*")
    expect(page.get_by_label("Who is being introduced")).to_have_value("Ann Lee")
    expect(page.get_by_label("Their company")).to_have_value("Acme")
    page.go_back()

    page.get_by_role("button", name="New contact").click()
    page.wait_for_url("**/contacts/new/?*")
    expect(page.get_by_label("Full name")).to_have_value("Ann Lee")
    expect(page.get_by_label("Company")).to_have_value("Acme")
    expect(page.get_by_label("Title")).to_have_value("Staff Engineer")
    expect(page.get_by_label("LinkedIn profile")).to_have_value(
        "https://www.linkedin.com/in/annlee"
    )
    assert not Contact.objects.filter(owner=user).exists()  # showing the form saved nothing
    screenshot(page, "phone-contact-from-share.png")
    page.get_by_role("button", name="Add contact").click()
    expect(heading(page, "Ann Lee")).to_be_visible()
    contact = Contact.objects.get(owner=user)
    assert (contact.full_name, contact.company, contact.title, contact.linkedin_url) == (
        "Ann Lee",
        "Acme",
        "Staff Engineer",
        "https://www.linkedin.com/in/annlee",
    )

    # Shared again: the page says she is already there.
    page.goto(SHARED_PROFILE)
    expect(page.get_by_text("is already in your contacts")).to_be_visible()


def test_the_share_and_offline_pages_pass_axe_on_a_phone(new_page):
    user = make_user("maya@example.com", "Maya Chen")
    page = new_page(viewport=PHONE)
    log_in(page, user.email)
    page.wait_for_url("**/today/")
    axe = Axe()
    for path in (SHARED_PROFILE, "/share/", "/offline/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
        violations = [
            f"{path}: {v['id']} ({v['impact']})"
            for v in axe.run(page).response["violations"]
            if v["impact"] in AXE_FAILING_IMPACTS
        ]
        assert violations == []


def log_in_here(page, email: str) -> None:
    """Log in on the login page already open, keeping its ?next=."""
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
