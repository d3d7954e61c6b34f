"""Guided steps, on a phone: Maya (seeker) takes an introduction from "introduced" to a
closed loop using only the buttons her introduction's page offers, each named for what it
does; the page fits 390 px and axe-core finds nothing serious at every stage."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from introloop.intros.models import Intro, State
from introloop.intros.services import NewIntro, Party, create_intro

from .test_accounts_flow import heading, log_in, make_user
from .test_phone_layout import AXE_FAILING_IMPACTS, PHONE

pytestmark = pytest.mark.e2e


def serious_violations(axe: Axe, page) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in axe.run(page).response["violations"]
        if v["impact"] in AXE_FAILING_IMPACTS
    ]


def test_a_seeker_closes_the_loop_with_the_guided_buttons_alone(new_page, screenshot):
    maya = make_user("maya@example.com", "Maya Patel")
    now = timezone.now()
    intro, _ = create_intro(
        maya,
        NewIntro(
            connector=Party("Cora Lindqvist", "cora@example.org"),
            seeker=Party("Maya Patel", "maya@example.com"),
            target=Party("Tomasz Nowak", "tomasz@acme.example"),
            purpose="How the data platform team at Acme hires",
            double_opt_in=False,
            start="introduced",
            at=now - timedelta(hours=3),
        ),
        now,
    )
    page = new_page(viewport=PHONE, timezone_id="Europe/Warsaw")
    log_in(page, "maya@example.com")
    page.wait_for_url("**/today/")
    page.goto(f"/intros/{intro.id}/")
    expect(heading(page, "Maya Patel → Tomasz Nowak")).to_be_visible()
    axe = Axe()
    button = lambda name: page.get_by_role("button", name=name, exact=True)  # noqa: E731

    def check_page(stage: str) -> None:
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, f"{stage}: the page scrolls sideways at 390 px"
        assert serious_violations(axe, page) == [], stage
        names = page.locator("main button:visible").evaluate_all(
            "buttons => buttons.map(b => b.textContent.replace(/\\s+/g, ' ').trim())"
        )
        assert len(names) == len(set(names)), f"{stage}: two buttons share a name: {names}"

    def recorded(what: str, state: str) -> None:
        expect(page.get_by_text(f"Recorded: {what}, ")).to_be_visible()
        expect(page.locator(".lead .state")).to_have_text(state)
        latest = page.locator(".timeline li").last
        expect(latest).to_contain_text(what)
        expect(latest).to_contain_text("by Maya Patel")

    # Introduced: writing to Tomasz is her move, beside the drafted message; booking a call
    # or having met already come after; corrections are folded away under "Something else".
    step = page.locator("article.next-step", has_text="Write to Tomasz Nowak")
    expect(step.get_by_label("Drafted message")).to_contain_text("Thank you for agreeing")
    expect(step.get_by_role("button", name="I wrote to Tomasz", exact=True)).to_be_visible()
    expect(button("We booked a call with Tomasz")).to_be_visible()
    expect(button("We met Tomasz")).to_be_visible()
    expect(page.get_by_label("What happened")).to_be_hidden()
    expect(page.locator("summary", has_text="Something else")).to_be_visible()
    check_page("introduced")
    screenshot(page, "guided-steps-introduced.png")
    button("I wrote to Tomasz").click()
    recorded("Seeker reached out", "Seeker reached out")

    # Reached out: following up is next; the call is booked with a date, which it needs.
    expect(button("I followed up with Tomasz")).to_be_visible()
    check_page("reached out")
    button("We booked a call with Tomasz").click()
    assert page.locator("#guided-scheduled-for").evaluate("field => !field.validity.valid")
    assert Intro.objects.get(pk=intro.id).state == State.REACHED_OUT
    call = (now + timedelta(days=2)).astimezone(maya.zone)
    page.get_by_label("When is the call?").fill(call.strftime("%Y-%m-%dT15:30"))
    button("We booked a call with Tomasz").click()
    recorded("Conversation booked", "Conversation booked")
    expect(page.get_by_text(call.strftime("%a %-d %b %Y, 15:30"))).to_be_visible()

    # Booked: meeting is next; the call can still move.
    expect(button("We moved the call with Tomasz")).to_be_visible()
    check_page("scheduled")
    button("We met Tomasz").click()
    recorded("Met", "Met")

    # Met: thanking Tomasz and telling Cora what came of it are both hers, each by its draft.
    thank = page.locator("article.next-step", has_text="Thank Tomasz Nowak")
    expect(thank.get_by_role("button", name="I said thank you to Tomasz")).to_be_visible()
    close = page.locator("article.next-step", has_text="Tell Cora Lindqvist what came of it")
    expect(close.get_by_role("button", name="Tell Cora what came of it")).to_be_visible()
    check_page("met")
    screenshot(page, "guided-steps-met.png")
    button("I said thank you to Tomasz").click()
    recorded("Seeker said thank you", "Thanked")

    # Telling Cora needs words: an empty answer is not sent.
    check_page("thanked")
    button("Tell Cora what came of it").click()
    assert page.get_by_label("What came of it?").evaluate("field => !field.validity.valid")
    assert Intro.objects.get(pk=intro.id).state == State.THANKED
    page.get_by_label("What came of it?").fill("Tomasz referred me to the hiring manager.")
    button("Tell Cora what came of it").click()
    recorded("Loop closed", "Loop closed")
    expect(page.get_by_text("The loop is closed. Tomasz referred me")).to_be_visible()
    expect(page.locator("form.guided-action")).to_have_count(0)
    check_page("loop closed")

    intro.refresh_from_db()
    assert intro.outcome == "Tomasz referred me to the hiring manager."
    events = list(intro.events.order_by("id").values_list("type", "actor_user__email"))
    assert events[1:] == [
        (kind, "maya@example.com")
        for kind in ("reached_out", "scheduled", "met", "thanked", "loop_closed")
    ]
