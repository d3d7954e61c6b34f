"""A seeker writes down a goal, sees who can help, shares the brief, and reads the dashboard."""

import re

import pytest
from playwright.sync_api import expect

from introloop.goals.models import Brief, Goal
from introloop.network.tests.factories import contact

from .test_accounts_flow import heading, log_in, make_user

pytestmark = pytest.mark.e2e


def test_goal_suggestions_brief_and_dashboard(page, new_page, screenshot):
    maya = make_user("maya@example.com", "Maya Chen")
    contact(
        maya,
        "Ines Insider",
        company="Octopus Energy",
        title="Product Manager",
        industry="Climate",
        strength="warm",
    )
    contact(maya, "Zed Baker", company="Bakery", title="Baker")
    log_in(page, maya.email)

    page.get_by_role("link", name="Goals").first.click()
    page.get_by_role("button", name="Add your first goal").click()
    page.get_by_label("Goal").fill("Product role in climate tech")
    page.get_by_label("Roles").fill("Product Manager")
    page.get_by_label("Industries").fill("Climate")
    page.get_by_label("Target companies").fill("Octopus Energy\nClimeworks")
    page.get_by_role("button", name="Save").click()

    expect(heading(page, "Product role in climate tech")).to_be_visible()
    suggestions = page.locator(".suggestions")
    expect(suggestions).to_contain_text("Ines Insider")
    expect(suggestions).to_contain_text("works at Octopus Energy, one of your target companies")
    expect(suggestions).not_to_contain_text("Zed Baker")
    page.get_by_role("textbox", name="What you need to learn or get").fill(
        "how their product teams work"
    )
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".checklist")).to_contain_text("how their product teams work")
    screenshot(page, "goal-detail.png")

    page.goto("/goals/brief/")
    expect(page.get_by_label("Your brief")).to_contain_text(
        "I'm looking for a role as Product Manager"
    )
    page.get_by_role("button", name="Share it").click()
    public = page.get_by_label("Your brief's link").input_value()
    token = Brief.objects.get(owner=maya).token
    assert public.endswith(f"/b/{token}/")

    visitor = new_page()
    visitor.goto(f"/b/{token}/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        re.compile("Maya Chen is looking for their next role")
    )
    expect(visitor.locator("main")).to_contain_text("ideally at Octopus Energy or Climeworks")

    page.get_by_role("link", name="Dashboard").click()
    expect(heading(page, "Dashboard")).to_be_visible()
    assert Goal.objects.filter(owner=maya).count() == 1
    screenshot(page, "dashboard-empty.png")


def test_the_dashboard_with_the_demo_data(page, screenshot):
    from django.utils import timezone

    from introloop.ops.demo import DEMO_PASSWORD, build_demo

    build_demo(timezone.now())
    log_in(page, "maya@demo.introloop.test", DEMO_PASSWORD)
    page.goto("/dashboard/")
    expect(heading(page, "Dashboard")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Referrals and introductions collected")
    expect(page.locator("main figure svg").first).to_be_visible()
    screenshot(page, "dashboard.png")
    page.goto("/today/")
    expect(page.locator(".outreach")).to_contain_text("New conversations this week")
    screenshot(page, "today-demo.png")
