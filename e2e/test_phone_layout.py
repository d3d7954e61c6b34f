"""Every page of the app, with the demo data, as each role, on a phone (390 px) and a desktop
(1280 px): the page never scrolls sideways and no address is broken letter by letter; and at
390 px axe-core finds no accessibility violation of impact serious or critical on any page.

One full-page screenshot of each page at each width goes to <screenshots>/phone/<page>.png
and <screenshots>/desktop/<page>.png (INTROLOOP_SCREENSHOTS=docs/screenshots for the docs).
"""

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import resolve, reverse
from django.utils import timezone

from introloop.accounts.models import User
from introloop.goals.models import Application, Ask, Brief, Goal
from introloop.intros.models import Intro, State
from introloop.network import queries
from introloop.network.models import Contact, ImportJob
from introloop.ops.demo import DEMO_PASSWORD, build_demo
from introloop.outbox.models import StoppedAddress
from introloop.outbox.services import queue_message

from . import email_links
from .test_accounts_flow import log_in, make_user

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Screenshots stop this far down (the checks cover the whole page): the longest lists would
# otherwise make PNGs of over half a megabyte each.
MAX_SHOT_HEIGHT = 2400

# Pages that no URL in the list below covers, and why (every other URL name must be visited).
NOT_VISITED = {
    # POST-only actions, HTMX fragments swapped into a visited page, and downloads.
    "accounts:logout", "accounts:resend_verification", "accounts:revoke_api_token",
    "network:bulk_tag", "network:not_duplicates", "network:interaction_delete",
    "network:import_commit", "network:import_cancel", "network:import_job_cancel",
    "network:export", "network:pick", "intros:event", "intros:undo", "intros:event_time",
    "intros:send", "reminders:done", "reminders:snooze", "reminders:regenerate_calendar",
    "reminders:calendar", "reminders:draft", "reminders:heads_up_when", "goals:need_add",
    "reminders:who_is_reminded",
    "goals:need_toggle", "goals:need_delete", "portability:export_download",
    "outbox:retry_failed", "outbox:retry", "ops:account_block", "ops:health",
    # The new introduction form's contact autocomplete (JSON) and live warnings (a fragment),
    # both fetched by the visited form; e2e/test_log_fast.py drives them.
    "network:suggest", "intros:new_check",
    # Not pages: the installable app's manifest (JSON) and service worker (JavaScript),
    # fetched by the browser; e2e/test_installable.py covers them.
    "manifest", "service_worker",
    # Capture from email: POST-only actions of the visited capture page.
    "capture:new_address", "capture:accept", "capture:dismiss", "capture:keep",
    # Today's "From your email" section, an HTMX fragment of the visited Today page.
    "capture:today",
    # A mail provider's inbound webhook (POST only, mounted with CAPTURE_WEBHOOK_SECRET).
    "anymail:amazon_ses_inbound_webhook", "anymail:brevo_inbound_webhook",
    "anymail:mailersend_inbound_webhook", "anymail:mailgun_inbound_webhook",
    "anymail:mailjet_inbound_webhook", "anymail:mailtrap_inbound_webhook",
    "anymail:postal_inbound_webhook", "anymail:postmark_inbound_webhook",
    "anymail:resend_inbound_webhook", "anymail:sendgrid_inbound_webhook",
    "anymail:sendinblue_inbound_webhook", "anymail:sparkpost_inbound_webhook",
}  # fmt: skip

# What a page's layout must hold to: nothing wider than the window, and no element holding an
# address (or a long word) squeezed to a sliver so that it wraps a letter or two per line.
# Small controls that sit beside a row's text on purpose, full width on no screen.
# axe-core's impacts that fail the test (the others, moderate and minor, are reported by axe but
# not asserted on).
AXE_FAILING_IMPACTS = {"serious", "critical"}

COMPACT = "table, .due-actions, .correct-time, .bulk-actions"
CHECK_LAYOUT = """() => {
  const COMPACT = COMPACT_SELECTOR;
  const problems = [];
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) {
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.right > width + 1 && r.width > 0 && !el.closest(".table-wrap, .chart-scroll")) {
        wide.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
                  + " right=" + Math.round(r.right));
      }
    }
    problems.push(`scrollWidth ${scrollWidth} > innerWidth ${width}: ` + wide.slice(-4).join(", "));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const longest = Math.max(...node.textContent.split(/\\s+/).map((w) => w.length));
    if (!el || longest < 12 || el.closest(".visually-hidden, .skip-link, script, style")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;  // not shown
    const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 24;
    // An address or word squeezed into a column narrower than 60 px, over several lines.
    if (r.width < 60 && r.height > 2.5 * lineHeight) {
      problems.push(`"${node.textContent.trim().slice(0, 40)}" in <${el.tagName.toLowerCase()}> `
                    + `is ${Math.round(r.width)} px wide and ${Math.round(r.height)} px tall`);
    }
  }
  // On a phone a form's fields take the width of the page, not a sliver of it.
  const main = document.querySelector("main").getBoundingClientRect();
  const fields = "input:not([type=checkbox], [type=radio], [type=hidden]), select, textarea";
  for (const field of document.querySelectorAll(`main :is(${fields})`)) {
    const r = field.getBoundingClientRect();
    if (width > 600 || r.width === 0 || field.closest(COMPACT)) continue;
    if (r.width < 0.4 * main.width) {
      problems.push(`<${field.tagName.toLowerCase()} name=${field.name}> is only `
                    + `${Math.round(r.width)} px wide`);
    }
  }
  return problems;
}""".replace("COMPACT_SELECTOR", repr(COMPACT))


@dataclass
class Visit:
    name: str  # the screenshot's file name, without .png
    who: str  # "maya" (seeker), "sam" (connector), "lena" (target), "staff" or "" (visitor)
    url_name: str
    args: tuple = ()
    query: str = ""
    status: int = 200  # a dead link's page says so with a 4xx
    heading: str = ""  # for a page with several states: its h1 in the state meant

    @property
    def url(self) -> str:
        return reverse(self.url_name, args=self.args) + self.query


def test_every_page_fits_a_phone_and_a_desktop(new_page, screenshots_dir, tmp_path):
    started = time.monotonic()
    build_demo(timezone.now())
    make_user("staff@example.com", "Olive Staff", is_staff=True)
    maya = User.objects.get(email__startswith="maya@")
    # A long address, as people have: it must wrap inside its cell, not one letter a line.
    contact = Contact.objects.filter(owner=maya, interactions__isnull=False).first()
    contact.emails.create(
        owner=maya, email="alexandra.konstantinopoulou-whitfield@research.example-university.ac.uk"
    )
    visits = pages_to_visit(maya, new_page, tmp_path)
    before = email_links.recorded()
    forgotten = url_names() - NOT_VISITED - {v.url_name for v in visits}
    assert not forgotten, f"pages no visit covers: {sorted(forgotten)}"

    problems: list[str] = []
    violations: list[str] = []
    axe = Axe()
    for width_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        out = screenshots_dir / width_name
        out.mkdir(parents=True, exist_ok=True)
        pages: dict[str, object] = {}
        for visit in visits:
            if visit.who not in pages:
                pages[visit.who] = page = new_page(viewport=viewport)
                if visit.who:
                    email = "staff@example.com" if visit.who == "staff" else visit.who + "@"
                    log_in_as(page, email)
            page = pages[visit.who]
            response = page.goto(visit.url)
            assert response is not None and response.status == visit.status, (
                f"{visit.url}: {response and response.status}"
            )
            page.wait_for_load_state("networkidle")
            if visit.heading:
                assert visit.heading in page.locator("h1").inner_text(), visit.name
            for problem in page.evaluate(CHECK_LAYOUT):
                problems.append(
                    f"{visit.name} ({visit.url}) as {visit.who or 'visitor'} "
                    f"at {viewport['width']} px: {problem}"
                )
            if width_name == "phone":  # once per page is enough; the desktop adds no markup
                violations += accessibility_violations(axe, page, visit)
            shoot(page, out / f"{visit.name}.png")
    assert email_links.recorded() == before, "opening a link from an email recorded something"
    assert not problems, "\n".join(problems)
    assert not violations, "axe-core, at 390 px:\n" + "\n".join(violations)
    print(f"{len(visits)} pages at 2 widths in {time.monotonic() - started:.0f} s")


def accessibility_violations(axe: Axe, page, visit: Visit) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each: the page, the
    rule, how many elements break it and the first few of them."""
    found = []
    for violation in axe.run(page).response["violations"]:
        if violation["impact"] not in AXE_FAILING_IMPACTS:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        found.append(
            f"{visit.name} ({visit.url}) as {visit.who or 'visitor'}: {violation['id']} "
            f"({violation['impact']}) on {len(targets)} element(s): {'; '.join(targets[:3])}"
            f" — {violation['help']}"
        )
    return found


def log_in_as(page, email: str) -> None:
    if email.endswith("@"):
        log_in(page, User.objects.get(email__startswith=email).email, DEMO_PASSWORD)
    else:
        log_in(page, email)
    page.wait_for_url("**/today/")


def shoot(page, path) -> None:
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"]
    if height <= MAX_SHOT_HEIGHT:
        page.screenshot(path=str(path), full_page=True)
    else:
        clip = {"x": 0, "y": 0, "width": width, "height": MAX_SHOT_HEIGHT}
        page.screenshot(path=str(path), full_page=True, clip=clip)


def pages_to_visit(maya: User, new_page, tmp_path) -> list[Visit]:
    sam = User.objects.get(email__startswith="sam@")
    lena = User.objects.get(email__startswith="lena@")
    contact = Contact.objects.filter(owner=maya, interactions__isnull=False).first()
    as_seeker = Intro.objects.filter(seeker_user=maya, state=State.INTRODUCED).first()
    as_connector = Intro.objects.filter(connector_user=sam, state=State.ACCEPTED).first()
    as_target = Intro.objects.filter(target_user=lena).first()
    goal = Goal.objects.filter(owner=maya).first()
    ask = Ask.objects.filter(owner=maya).first()
    application = Application.objects.filter(owner=maya).first()
    keep, other = duplicate_pair(maya)
    upload_id = upload_a_file(maya, new_page, tmp_path)
    job = ImportJob.objects.create(
        owner=maya, filename="Connections (all 25,000).csv", total=25_000, processed=9_000
    )
    message = queue_message(
        to=[maya.email],
        subject="Your week in introductions",
        body_text="Three steps are due.",
        user=maya,
        now=timezone.now(),
    )
    StoppedAddress.objects.create(email="someone.who.asked.to.stop@example.org")
    capture_proposal(maya, as_seeker)
    brief = Brief.objects.get(owner=maya)
    assert all((contact, as_seeker, as_connector, as_target, goal, ask, application, message))

    visits = [
        Visit("home", "", "home"),
        Visit("login", "", "accounts:login"),
        Visit("signup", "", "accounts:signup"),
        Visit("password-reset", "", "accounts:password_reset"),
        Visit("password-reset-sent", "", "accounts:password_reset_done"),
        Visit("password-reset-done", "", "accounts:password_reset_complete"),
        Visit("public-brief", "", "goals:public_brief", (brief.token,)),
        Visit("today", "maya", "today"),
        Visit("today-connector", "sam", "today"),
        Visit("contacts", "maya", "network:list"),
        Visit("contacts-search", "maya", "network:list", query="?q=an&sort=name"),
        Visit("search", "maya", "search", query="?q=an"),
        Visit("contact-new", "maya", "network:new"),
        Visit("contact-detail", "maya", "timeline:contact", (contact.id,)),
        Visit("contact-edit", "maya", "network:edit", (contact.id,)),
        Visit("contact-delete", "maya", "network:delete", (contact.id,)),
        Visit("interaction-new", "maya", "network:interaction_new", query=f"?contact={contact.id}"),
        Visit("duplicates", "maya", "network:duplicates"),
        Visit("merge", "maya", "network:merge", query=f"?keep={keep}&other={other}"),
        Visit("import", "maya", "network:import"),
        Visit("import-preview", "maya", "network:import_preview", (upload_id,)),
        Visit("import-job", "maya", "network:import_job", (job.id,)),
        Visit("intros", "maya", "intros:mine"),
        Visit("intros-made", "sam", "intros:made"),
        Visit("intros-to-me", "lena", "intros:to_me"),
        Visit("intro-new", "maya", "intros:new"),
        Visit("intro-new-for", "maya", "intros:new", query=f"?contact={contact.id}&as=target"),
        Visit("intro-seeker", "maya", "intros:detail", (as_seeker.id,)),
        Visit("intro-connector", "sam", "intros:detail", (as_connector.id,)),
        Visit("intro-target", "lena", "intros:detail", (as_target.id,)),
        Visit("goals", "maya", "goals:list"),
        Visit("goal-new", "maya", "goals:new"),
        Visit("goal-detail", "maya", "goals:detail", (goal.id,)),
        Visit("goal-edit", "maya", "goals:edit", (goal.id,)),
        Visit("goal-delete", "maya", "goals:delete", (goal.id,)),
        Visit("brief", "maya", "goals:brief"),
        Visit("asks", "maya", "goals:asks"),
        Visit("ask-new", "maya", "goals:ask_new"),
        Visit("ask-edit", "maya", "goals:ask_edit", (ask.id,)),
        Visit("ask-delete", "maya", "goals:ask_delete", (ask.id,)),
        Visit("applications", "maya", "goals:applications"),
        Visit("application-new", "maya", "goals:application_new"),
        Visit("application-edit", "maya", "goals:application_edit", (application.id,)),
        Visit("application-delete", "maya", "goals:application_delete", (application.id,)),
        Visit("dashboard", "maya", "goals:dashboard"),
        Visit("dashboard-connector", "sam", "goals:dashboard"),
        Visit("settings-profile", "maya", "accounts:profile"),
        Visit("settings-password", "maya", "accounts:password_change"),
        Visit("settings-targets", "maya", "goals:targets"),
        Visit("settings-notifications", "maya", "reminders:settings"),
        Visit("settings-introductions", "maya", "intros:settings"),
        Visit("settings-messages", "maya", "intros:messages"),
        Visit("settings-tokens", "maya", "accounts:api_tokens"),
        Visit("settings-capture", "maya", "capture:inbox"),
        Visit("settings-data", "maya", "portability:export"),
        Visit("settings-delete", "maya", "portability:delete_account"),
        Visit("staff-outbox", "staff", "outbox:list"),
        Visit("staff-message", "staff", "outbox:detail", (message.id,)),
        Visit("staff-accounts", "staff", "ops:accounts"),
        Visit("staff-stopped", "staff", "outbox:stopped"),
        Visit("offline", "", "offline"),
        Visit("share", "maya", "share", query="?title=Ann%20Lee%20-%20Staff%20Engineer%20-%20"
              "Acme%20%7C%20LinkedIn&url=https://www.linkedin.com/in/annlee"),
    ]  # fmt: skip
    # The pages reached from a token in an email, opened by someone not logged in.
    for link in email_links.email_link_pages(maya, sam, timezone.now()):
        match = resolve(urlsplit(link.url).path)
        args = tuple(match.kwargs.values())
        visits.append(Visit(link.name, "", match.view_name, args, status=link.status,
                            heading=link.heading))  # fmt: skip
    return visits


def capture_proposal(owner: User, intro: Intro) -> None:
    """A proposal waiting on the capture page, with a long subject and reason."""
    from introloop.capture.models import CapturedMessage

    CapturedMessage.objects.create(
        owner=owner, source="upload", raw=b"", sha256="e2e", message_id="e2e@example.org",
        status="done", subject="Re: Introduction to the head of data platform engineering",
        from_email="tomasz.wisniewski@very-long-company-name.example.org",
        action="proposed", event="thanked", intro=intro,
        reason="It answers an earlier email about it. Proposed: “Seeker said thank you”.",
        proposal={"kind": "event", "event": "thanked", "role": "seeker", "at": ""},
    )  # fmt: skip


def duplicate_pair(owner: User) -> tuple[int, int]:
    groups = queries.duplicate_groups(owner)
    if groups:
        first, second = list(groups[0].contacts)[:2]
        return first.id, second.id
    first = Contact.objects.filter(owner=owner).first()
    twin = Contact.objects.create(owner=owner, full_name=first.full_name)
    return first.id, twin.id


def upload_a_file(owner: User, new_page, tmp_path) -> int:
    """Upload a small LinkedIn export through the import page, as a user does."""
    from introloop.network.models import ImportUpload

    export = tmp_path / "Connections.csv"
    export.write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Katherine,Johnson,https://www.linkedin.com/in/kjohnson,"
        "katherine.coleman.goble.johnson@langley-research-center.nasa.example.gov,"
        "NASA,Mathematician,20 Feb 2022\n"
        "Alan,Turing,https://www.linkedin.com/in/alan-turing-bletchley-park-cryptanalyst,,"
        "Bletchley Park,Cryptanalyst,14 Mar 2021\n"
    )
    page = new_page()
    log_in_as(page, owner.email.split("@")[0] + "@")
    page.goto(reverse("network:import"))
    page.get_by_label("File").set_input_files(str(export))
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/contacts/import/*/")
    return ImportUpload.objects.filter(owner=owner).latest("id").id


def url_names() -> set[str]:
    """Every named URL of the site but the API's, with its namespace."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def names(resolver, prefix=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from names(
                    entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix
                )
            elif isinstance(entry, URLPattern) and entry.name:
                yield prefix + entry.name

    return {name for name in names(get_resolver()) if not name.startswith("api")}
