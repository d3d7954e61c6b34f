"""Today in a browser: what is due, done with one click, snoozed with another."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from introloop.intros.models import Intro
from introloop.network.models import Contact
from introloop.network.tests.factories import contact
from introloop.reminders.tests.factories import introduced

from .test_accounts_flow import heading, log_in, make_user

pytestmark = pytest.mark.e2e


def test_done_and_snooze_from_today(page, screenshot):
    maya = make_user("maya@example.com", "Maya Chen")
    intro = introduced(maya, timezone.now() - timedelta(days=4))
    ann = contact(
        maya, "Ann Lee", emails=["ann@example.org"], company="Monzo", keep_in_touch_days=60
    )
    Contact.objects.filter(pk=ann.pk).update(reconnect_due_on=timezone.now().date())

    log_in(page, maya.email)
    expect(heading(page, "Today")).to_be_visible()
    overdue = page.locator("#group-overdue").locator("xpath=..")
    expect(overdue).to_contain_text("Write to Tom Hale")
    expect(page.locator("#today-items")).to_contain_text("Reconnect with Ann Lee")
    # The draft is drafted when opened (HTMX), addressed inside.
    tom_item = page.locator(".due-item").filter(has_text="Write to Tom Hale")
    tom_item.get_by_text("Drafted message", exact=True).click()
    expect(tom_item).to_contain_text("To tom@example.org")
    expect(page.get_by_label("Drafted message for Write to Tom Hale")).to_contain_text(
        "Thank you for agreeing to talk"
    )
    screenshot(page, "today.png")

    ann_item = page.locator(".due-item").filter(has_text="Reconnect with Ann Lee")
    ann_item.get_by_label("Snooze Reconnect with Ann Lee").select_option("3")
    ann_item.get_by_role("button", name="Snooze").click()
    expect(page.get_by_text("Snoozed until")).to_be_visible()
    expect(page.locator(".due-item").filter(has_text="Reconnect with Ann Lee")).to_have_count(0)

    tom_item = page.locator(".due-item").filter(has_text="Write to Tom Hale")
    tom_item.get_by_role("button", name="Done").click()
    expect(page.get_by_text("Done: Write to Tom Hale.")).to_be_visible()
    expect(page.locator("#today-items")).to_contain_text("Follow up with Tom Hale")
    assert Intro.objects.get(pk=intro.pk).state == "reached_out"
    assert page.url.endswith("/today/")  # HTMX: no page load
