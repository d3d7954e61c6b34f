"""The pages people reach from a link in an email, for the phone-layout test: each in its
real states, with tokens made by the app's own functions (as its emails carry them), to be
opened by a visitor who is not logged in. Most of these people have no account: these pages
are all they see of Introloop, on their phones.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from introloop.accounts.models import User
from introloop.accounts.services import verification_path
from introloop.intros import lifecycle, links
from introloop.intros.demo import OUTSIDERS
from introloop.intros.models import ActionLink, Intro, IntroEvent, Role, State
from introloop.intros.services import NewIntro, Party, create_intro
from introloop.intros.steps import CHECKIN_CHOICES, REQUEST_ANSWERS
from introloop.outbox import stops
from introloop.outbox.models import StoppedAddress
from introloop.reminders.due import due_items_for
from introloop.reminders.kinds.base import unsubscribe_url
from introloop.reminders.links import digest_link_urls
from introloop.reminders.models import DigestLinkUse, EmailOptOut, Snooze

# Long, as some people's are: it must wrap, not widen the page.
LONG_ADDRESS = "konstantina.papadopoulou-whitfield@research.example-university.ac.uk"


@dataclass
class LinkPage:
    name: str  # the screenshot's file name, without .png
    url: str  # as the email carries it (absolute)
    heading: str  # what its h1 says in this state
    status: int = 200  # what the page answers: a dead link says so with a 4xx


def email_link_pages(maya: User, sam: User, now: datetime) -> list[LinkPage]:
    return [*intro_link_pages(maya, sam, now), *other_link_pages(maya, now)]


def intro_link_pages(maya: User, sam: User, now: datetime) -> list[LinkPage]:
    """intros:link: what each party without an account is asked, as the emails ask it."""
    intros = Intro.objects.order_by("id")
    question, answered = intros.filter(state=State.ASKED, target_user__isnull=True)[:2]
    checkin = intros.filter(state=State.INTRODUCED, target_user__isnull=True)[0]
    accepted = intros.filter(connector_user=sam, state=State.ACCEPTED)[0]
    wrote = intros.filter(seeker_user=maya, state=State.INTRODUCED)[0]
    meeting = intros.filter(seeker_user=maya, state=State.SCHEDULED)[0]
    thanked = intros.filter(seeker_user=maya, state=State.THANKED)[0]

    used = step_link(answered, now)
    links.use_link(path_token(used), "accepted", now)  # the target clicked "yes" once already
    checkin_url = links.links_for(checkin, Role.TARGET, list(CHECKIN_CHOICES), now)[0]["url"]
    request = request_without_address(maya, now)
    mine = f"Your introduction to {wrote.target_name}"
    return [
        LinkPage("link-target-question", step_link(question, now), "Happy to talk to"),
        LinkPage("link-target-checkin", checkin_url, "get in touch?"),
        LinkPage("link-connector-request", links.make_link(
            request, Role.CONNECTOR, list(REQUEST_ANSWERS), now), "asks you for an introduction"),
        LinkPage("link-connector-introduce", links.make_link(
            accepted, Role.CONNECTOR, ["introduced", "withdrawn"], now), "is happy to talk to"),
        LinkPage("link-seeker-wrote", step_link(wrote, now), mine),
        LinkPage("link-seeker-met", step_link(meeting, now), "Your introduction to"),
        LinkPage("link-seeker-outcome", step_link(thanked, now), "Your introduction to"),
        LinkPage("link-already-recorded", used, "Already recorded"),
        LinkPage("link-cannot-be-used", step_link(question, now - timedelta(days=40)),
                 "This link cannot be used", 410),
    ]  # fmt: skip


def step_link(intro: Intro, now: datetime) -> str:
    """The first one-click choice emailed for the introduction's next step, as on `now`."""
    return links.choice_links(intro, lifecycle.next_steps(intro)[0], now)[0]["url"]


def path_token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def request_without_address(maya: User, now: datetime) -> Intro:
    """Maya asks Priya (no account) for an introduction to someone whose address only Priya
    knows: Priya's page asks for it."""
    intro, _ = create_intro(
        maya,
        NewIntro(
            connector=Party(*OUTSIDERS["priya"][:2]),
            seeker=Party(maya.display_name, maya.email),
            target=Party(
                "Aleksandra Nowak-Wiśniewska", "", company="Allegro Technology Sp. z o.o.",
                url="https://www.linkedin.com/in/aleksandra-nowak-wisniewska-product-analytics",
            ),
            purpose="how Allegro's marketplace teams measure what a product change is worth",
        ),
        now=now,
    )  # fmt: skip
    return intro


def other_link_pages(maya: User, now: datetime) -> list[LinkPage]:
    """The digest's Done and Snooze, unsubscribe, stop (each GET state), and the account's
    confirm-your-address and new-password pages."""
    due = due_items_for(maya, now)
    item = next(i for i in due if i.kind == "intro_step" and i.done_event is not None)
    today = now.astimezone(maya.zone).date()
    done, snooze = digest_link_urls(maya.id, today, item.due_on, item.key)
    stopped = "ines.carvalho-stopped@people.demo.introloop.example"
    stops.stop(stopped, now)
    newcomer = User.objects.create_user(
        email=LONG_ADDRESS, password="a long and unusual passphrase", name="Konstantina P."
    )  # not verified yet: the confirmation link works
    uid = urlsafe_base64_encode(force_bytes(newcomer.pk))
    reset = reverse(  # as the password-reset email's link (accounts.forms.PasswordResetForm)
        "accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(newcomer)]
    )
    stop = "Stop introduction emails to"
    return [
        LinkPage("digest-done", done, item.title),
        LinkPage("digest-snooze", snooze, item.title),
        LinkPage("unsubscribe", unsubscribe_url(LONG_ADDRESS, "nudge", None),
                 "Stop reminders about introductions?"),
        LinkPage("stop-question", stops.stop_url(LONG_ADDRESS), stop),
        LinkPage("stop-confirm-question", stops.stop_url(LONG_ADDRESS, confirm=True), stop),
        LinkPage("stop-already-stopped", stops.stop_url(stopped), "Already stopped"),
        LinkPage("stop-invalid", stops.stop_url(LONG_ADDRESS)[:-6] + "broken/",
                 "This link is not valid", 400),
        LinkPage("verify-email", verification_path(newcomer), "Confirm your email"),
        LinkPage("password-reset-new", reset, "Choose a new password"),
    ]  # fmt: skip


def recorded() -> tuple:
    """What following these links would record: opening them (GET) must change none of it."""
    return (
        list(Intro.objects.order_by("id").values_list("id", "state", "updated_at")),
        IntroEvent.objects.count(),
        # The links spent (opening a page may write new links into its drafts, unspent).
        list(ActionLink.objects.filter(used_at__isnull=False).order_by("id").values_list("id")),
        DigestLinkUse.objects.count(),
        Snooze.objects.count(),
        list(StoppedAddress.objects.values_list("email", "erasure_requested_at")),
        EmailOptOut.objects.count(),
        User.objects.filter(email=LONG_ADDRESS).values_list("email_verified_at", "password")[0],
    )
