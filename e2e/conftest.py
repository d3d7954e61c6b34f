"""Fixtures for the end-to-end tests: Debian's headless Chromium driving a live server."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
DESKTOP = {"width": 1280, "height": 800}
REPO = Path(__file__).resolve().parent.parent


# Package scope: one browser for every e2e test, closed right after the last one, so that
# the rest of a full `pytest` run sees neither its event loop nor the variable below.
@pytest.fixture(scope="package")
def browser() -> Iterator:
    """One headless Chromium for all the e2e tests; never a downloaded browser."""
    if not Path(CHROMIUM).exists():
        reason = f"end-to-end tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("INTROLOOP_E2E") == "required":
            pytest.fail(f"{reason}, and INTROLOOP_E2E=required", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        # Playwright's sync API keeps an asyncio event loop running in the main thread, so
        # Django would refuse every ORM call made there (SynchronousOnlyOperation), including
        # the tests' own and pytest-django's flush between tests. Nothing here shares a
        # connection with async code. Set only while the browser runs, not at import time:
        # later tests' subprocesses (`introloop check --deploy`) would inherit it and warn.
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable]:
    """Open a page in a fresh context (own cookies) against the live server."""
    contexts = []

    def open_page(viewport: dict | None = None, timezone_id: str | None = None):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport or DESKTOP, timezone_id=timezone_id
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page (1280x800) in a fresh context."""
    return new_page()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    path = Path(os.environ.get("INTROLOOP_SCREENSHOTS", REPO / "build" / "screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def screenshot(screenshots_dir) -> Callable:
    """Save a full-page PNG under a stable name, e.g. screenshot(page, "login.png")."""

    def save(page, name: str) -> Path:
        path = screenshots_dir / name
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
