"""The loop's conversations: a seeker's request reaches the connector at once, who answers on
the page of one link (ask the target first, introduce now, or pass); mail goes out in the
connector's name with the right Reply-To; nothing stale leaves the outbox; logging the past
never accuses; a link used after its step was done says so kindly."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import make_user
from introloop.goals.models import Brief, Goal
from introloop.intros import lifecycle, services
from introloop.intros.models import Intro, IntroEvent
from introloop.intros.services import NewIntro, Party
from introloop.outbox.models import Message
from introloop.reminders.sweep import sweep

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://127\.0\.0\.1:8000(/links/\S+/)")
CORA = Party("Cora Lindqvist", "cora@example.org")
TOMASZ = Party("Tomasz Nowak", "", "Acme", "https://www.linkedin.com/in/tomasz")


@pytest.fixture
def maya(db):
    user = make_user("maya@example.com", "Maya Patel", time_zone="Europe/London")
    Goal.objects.create(owner=user, title="Data engineering", roles=["data engineer"],
                        companies=["Acme"], active=True)  # fmt: skip
    Brief.objects.create(owner=user, shared=True, intro_text="I build data pipelines.")
    return user


def request_intro(maya, now=None, target=TOMASZ, **kw) -> Intro:
    new = NewIntro(
        connector=Party(CORA.name, CORA.email),
        seeker=Party(maya.display_name, maya.email),
        target=Party(target.name, target.email, target.company, target.url),
        purpose="how data teams at Acme hire",
        **kw,
    )
    intro, _ = services.create_intro(maya, new, now or timezone.now())
    return Intro.objects.get(pk=intro.pk)


def mail_to(address: str) -> list[Message]:
    return [m for m in Message.objects.order_by("id") if address in m.to]


def only_link(message: Message) -> str:
    [link] = LINK.findall(message.body_text)
    return link


def test_a_request_emails_the_connector_at_once_in_the_seekers_name(maya):
    intro = request_intro(maya)
    [request] = mail_to(CORA.email)
    assert request.subject == "Maya Patel asks you for an introduction to Tomasz Nowak"
    assert request.from_email.startswith("Maya Patel via Introloop <")
    assert request.reply_to == ["maya@example.com"]
    body = request.body_text
    assert "how data teams at Acme hire" in body
    assert "Tomasz Nowak (Acme)" in body and "https://www.linkedin.com/in/tomasz" in body
    assert "I build data pipelines." in body  # from Maya's brief
    assert "Maya is new to Introloop" in body  # her follow-through record
    assert intro.connector_asked_at is not None
    assert intro.next_step == "ask_target" and intro.next_owner == "connector"
    assert intro.next_due_at == intro.requested_at + timedelta(days=5)
    # The sweep does not send it a second time.
    sweep(timezone.now() + timedelta(minutes=1))
    assert len(mail_to(CORA.email)) == 1


def test_the_connector_page_offers_ask_first_introduce_now_and_pass(maya, client):
    request_intro(maya)
    page = client.get(only_link(mail_to(CORA.email)[0]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Maya Patel asks you for an introduction to Tomasz Nowak" in html
    assert ">Ask Tomasz first</button>" in html
    assert ">Introduce now</button>" in html
    assert ">Pass</button>" in html
    assert "Tomasz Nowak's email" in html  # the seeker did not know it


def test_asking_first_needs_the_address_then_writes_as_the_connector(maya, client):
    intro = request_intro(maya)
    link = only_link(mail_to(CORA.email)[0])
    missing = client.post(link, {"action": "asked"})
    assert missing.status_code == 422
    assert "Give Tomasz Nowak&#x27;s email address" in missing.content.decode()
    assert Intro.objects.get(pk=intro.pk).state == "requested"  # the link is not spent
    done = client.post(link, {"action": "asked", "target_email": "Tomasz@Acme.example"})
    assert done.status_code == 200
    assert "Introloop has asked Tomasz Nowak" in done.content.decode()
    [question] = mail_to("tomasz@acme.example")
    assert question.from_email.startswith("Cora Lindqvist via Introloop <")
    assert question.reply_to == [CORA.email]
    assert "In Maya Patel's own words:" in question.body_text
    assert "I build data pipelines." in question.body_text
    assert "/b/" in question.body_text  # the link to her brief
    intro = Intro.objects.get(pk=intro.pk)
    assert intro.state == "asked" and intro.target_email == "tomasz@acme.example"
    event = intro.events.get(type="asked")
    assert event.actor_name == "Cora Lindqvist" and event.via == "link"


def test_introducing_now_addresses_both_and_replies_reach_everyone(maya, client):
    intro = request_intro(maya, target=Party("Tomasz Nowak", "tomasz@acme.example"))
    link = only_link(mail_to(CORA.email)[0])
    assert client.post(link, {"action": "introduced"}).status_code == 200
    [introduction] = [m for m in Message.objects.all() if m.cc == [CORA.email]]
    assert introduction.to == ["maya@example.com", "tomasz@acme.example"]
    assert introduction.reply_to == ["maya@example.com", "tomasz@acme.example", CORA.email]
    assert introduction.from_email.startswith("Cora Lindqvist via Introloop <")
    assert Intro.objects.get(pk=intro.pk).state == "introduced"


def test_passing_ends_it_kindly_with_the_reason_in_its_history(maya, client):
    intro = request_intro(maya)
    link = only_link(mail_to(CORA.email)[0])
    too_long = client.post(link, {"action": "withdrawn", "reason": "x" * 100_000})
    assert too_long.status_code == 422
    assert Intro.objects.get(pk=intro.pk).state == "requested"
    page = client.post(link, {"action": "withdrawn", "reason": "I don't know Tomasz well."})
    assert page.status_code == 200
    intro = Intro.objects.get(pk=intro.pk)
    assert intro.state == "withdrawn"
    assert intro.events.get(type="withdrawn").note == "I don't know Tomasz well."
    [told] = [m for m in mail_to(maya.email) if "Tomasz" in m.subject]
    assert "can't make the introduction to Tomasz Nowak right now" in told.body_text
    assert "I don't know Tomasz well." in told.body_text
    # Replaying the link: a kind page, nothing new.
    again = client.post(link, {"action": "asked", "target_email": "t@acme.example"})
    assert again.status_code == 200
    assert "already used: “Pass” was recorded" in again.content.decode()
    assert intro.events.count() == 2


def test_an_answer_after_the_seeker_withdrew_is_told_kindly(maya, client):
    intro = request_intro(maya)
    link = only_link(mail_to(CORA.email)[0])
    lifecycle.record_event(intro.pk, "withdrawn", roles={"seeker"}, now=timezone.now())
    assert client.get(link).status_code == 200
    page = client.post(link, {"action": "asked", "target_email": "t@acme.example"})
    assert page.status_code == 200
    assert "This introduction was withdrawn on" in page.content.decode()
    assert not mail_to("t@acme.example")
    # The request still queued for Cora (if not sent yet) was cancelled, not sent.
    assert Message.objects.get(to=[CORA.email]).status == "canceled"


def test_an_unconfirmed_seeker_s_request_waits_for_the_confirmation(db):
    maya = make_user("maya@example.com", "Maya Patel", verified=False)
    new = NewIntro(connector=Party(CORA.name, CORA.email), seeker=Party("Maya Patel", maya.email),
                   target=Party("Tomasz Nowak", ""), purpose="how data teams hire")  # fmt: skip
    _, warnings = services.create_intro(maya, new, timezone.now())
    assert warnings and "Cora Lindqvist was not emailed yet" in warnings[0]
    assert not mail_to(CORA.email)
    maya.email_verified_at = timezone.now()
    maya.save()
    sweep(timezone.now())
    assert len(mail_to(CORA.email)) == 1
    sweep(timezone.now() + timedelta(minutes=5))
    assert len(mail_to(CORA.email)) == 1


def test_a_silent_connector_is_nudged_with_the_same_answers(maya, client):
    now = timezone.now()
    request_intro(maya, now=now)
    sweep(now + timedelta(days=4))
    assert len(mail_to(CORA.email)) == 1  # not due yet (5 days)
    sweep(now + timedelta(days=5, hours=1))
    nudge = mail_to(CORA.email)[-1]
    assert nudge.subject == "Maya Patel is waiting on your answer about Tomasz Nowak"
    page = client.get(only_link(nudge))
    assert ">Ask Tomasz first</button>" in page.content.decode()


def test_the_seeker_sees_whom_it_waits_on(maya):
    intro = request_intro(maya)
    client = Client()
    client.force_login(maya)
    html = client.get(f"/intros/{intro.pk}/").content.decode()
    assert "Waiting on Cora Lindqvist since" in html


# --- Nothing stale leaves the outbox -----------------------------------------------------


def introduced_for(maya, now, at=None) -> Intro:
    new = NewIntro(connector=Party(CORA.name, CORA.email),
                   seeker=Party("Sam Okafor", "sam@example.net"),
                   target=Party("Tomasz Nowak", "tomasz@acme.example"),
                   purpose="how data teams hire", start="introduced", at=at)  # fmt: skip
    new.connector = Party(maya.display_name, maya.email)  # Maya makes it; Sam has no account
    intro, _ = services.create_intro(maya, new, now)
    return intro


def test_a_queued_nudge_is_cancelled_when_its_step_is_done(maya):
    now = timezone.now()
    intro = introduced_for(maya, now)
    later = now + timedelta(days=3)
    sweep(later)
    [nudge] = mail_to("sam@example.net")
    assert nudge.status == "queued"
    lifecycle.record_event(intro.pk, "reached_out", roles={"seeker"}, now=later)
    nudge.refresh_from_db()
    assert nudge.status == "canceled"


def test_the_check_in_link_after_the_seeker_wrote_says_it_is_recorded(maya, client):
    now = timezone.now()
    intro = introduced_for(maya, now)
    sweep(now + timedelta(days=8))
    [checkin] = [m for m in mail_to("tomasz@acme.example") if "get in touch" in m.body_text]
    yes = LINK.findall(checkin.body_text)[0]
    # The check-in left; then the seeker recorded writing, then the target taps "Yes".
    Message.objects.filter(pk=checkin.pk).update(status="sent")
    lifecycle.record_event(intro.pk, "reached_out", roles={"seeker"}, now=now + timedelta(days=8))
    page = client.post(yes, {"action": "reached_out"})
    assert page.status_code == 200
    assert "Already recorded" in page.content.decode()
    assert IntroEvent.objects.filter(intro=intro, type="reached_out").count() == 1


def test_no_check_in_once_the_seeker_wrote(maya):
    now = timezone.now()
    intro = introduced_for(maya, now)
    lifecycle.record_event(intro.pk, "reached_out", roles={"seeker"}, now=now + timedelta(days=1))
    sweep(now + timedelta(days=8))
    assert not [m for m in mail_to("tomasz@acme.example") if "get in touch" in m.body_text]


# --- Logging the past never accuses ------------------------------------------------------


def seeker_logs_past(maya, now) -> Intro:
    new = NewIntro(connector=Party(CORA.name, CORA.email), seeker=Party(maya.display_name,
                   maya.email), target=Party("Tomasz Nowak", "tomasz@acme.example"),
                   purpose="how data teams hire", start="introduced",
                   at=now - timedelta(days=7))  # fmt: skip
    intro, _ = services.create_intro(maya, new, now)
    return intro


def heads_ups(now) -> list[str]:
    out = []
    call_command("remind", "--dry-run", "--json", "--as-of", now.isoformat(), stdout=_Sink(out))
    return [line for line in out if '"heads_up"' in line or '"checkin"' in line]


class _Sink:
    def __init__(self, lines: list[str]):
        self.lines = lines

    def write(self, text: str) -> None:
        self.lines.extend(t for t in text.splitlines() if t.strip())

    def flush(self) -> None:
        pass


def test_an_introduction_logged_a_week_late_tells_nobody_else_at_once(maya):
    now = timezone.now()
    seeker_logs_past(maya, now)
    for hours in (0, 1, 24, 47):
        assert heads_ups(now + timedelta(hours=hours)) == [], hours
    # Reminded at once (overdue), then two days: only then Cora and Tomasz hear.
    found = heads_ups(now + timedelta(days=2, hours=1))
    assert any('"heads_up"' in line for line in found)
    assert any('"checkin"' in line for line in found)


def test_the_seeker_s_page_says_when_the_connector_would_hear(maya):
    now = timezone.now()
    intro = seeker_logs_past(maya, now)
    client = Client()
    client.force_login(maya)
    html = client.get(f"/intros/{intro.pk}/").content.decode()
    assert "/heads-up/" in html
    line = client.get(f"/intros/{intro.pk}/heads-up/").content.decode()
    hear = (now + timedelta(days=2)).astimezone(maya.zone)
    assert f"Cora hears on {hear:%a %-d %b}" in line
    assert "unless you write to Tomasz Nowak" in line


def test_the_connector_hears_the_targets_yes_at_once_and_introduces_from_the_link(maya, client):
    request_intro(maya)
    client.post(only_link(mail_to(CORA.email)[0]),
                {"action": "asked", "target_email": "tomasz@acme.example"})  # fmt: skip
    [question] = mail_to("tomasz@acme.example")
    assert client.post(only_link(question), {"action": "accepted"}).status_code == 200
    told = mail_to(CORA.email)[-1]
    assert told.subject == "Tomasz Nowak is happy to talk to Maya Patel"
    page = client.get(only_link(told)).content.decode()
    assert "Tomasz Nowak is happy to talk to Maya Patel" in page
    assert ">Introduce now</button>" in page and ">Ask Tomasz first<" not in page
    assert client.post(only_link(told), {"action": "introduced"}).status_code == 200
    [introduction] = [m for m in Message.objects.all() if m.cc == [CORA.email]]
    assert introduction.to == ["maya@example.com", "tomasz@acme.example"]


def test_a_no_from_the_target_reaches_the_connector_without_a_link(maya, client):
    request_intro(maya)
    client.post(only_link(mail_to(CORA.email)[0]),
                {"action": "asked", "target_email": "tomasz@acme.example"})  # fmt: skip
    client.post(only_link(mail_to("tomasz@acme.example")[0]), {"action": "declined"})
    told = mail_to(CORA.email)[-1]
    assert told.subject == "Tomasz Nowak can't talk to Maya Patel right now"
    assert not LINK.findall(told.body_text)


def test_a_request_through_the_api_needs_no_target_address_and_tells_the_connector(maya):
    from conftest import ApiClient, api_token_for

    api = ApiClient(Client(), api_token_for(maya))
    response = api.post("/api/v1/intros", json={
        "connector_name": CORA.name, "connector_email": CORA.email,
        "seeker_name": "Maya Patel", "seeker_email": maya.email,
        "target_name": "Tomasz Nowak", "target_company": "Acme",
        "purpose": "how data teams at Acme hire",
    })  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "requested"
    [request] = mail_to(CORA.email)
    assert "Tomasz Nowak (Acme)" in request.body_text
    bad = api.post("/api/v1/intros", json={
        "connector_name": CORA.name, "connector_email": CORA.email,
        "seeker_name": "Maya Patel", "seeker_email": maya.email,
        "target_name": "Tomasz Nowak", "target_url": "javascript:alert(1)",
        "purpose": "how data teams at Acme hire",
    })  # fmt: skip
    assert bad.status_code == 422
    assert "web address" in bad.json()["detail"]


def test_a_connector_with_an_account_answers_on_the_introduction_page(maya):
    cora = make_user(CORA.email, CORA.name)
    intro = request_intro(maya)
    client = Client()
    client.force_login(cora)
    page = client.get(f"/intros/{intro.pk}/").content.decode()
    assert "Tomasz Nowak's email" in page and "Pass on this one" in page
    missing = client.post(f"/intros/{intro.pk}/send/ask/", {"target_email": ""}, follow=True)
    assert "Give Tomasz Nowak&#x27;s email address" in missing.content.decode()
    client.post(f"/intros/{intro.pk}/send/ask/", {"target_email": "tomasz@acme.example"})
    [question] = mail_to("tomasz@acme.example")
    assert question.from_email.startswith("Cora Lindqvist via Introloop <")
    assert Intro.objects.get(pk=intro.pk).events.get(type="asked").actor_user == cora


def test_a_seeker_cannot_have_the_app_write_as_the_connector(maya):
    intro = request_intro(maya, target=Party("Tomasz Nowak", "tomasz@acme.example"))
    client = Client()
    client.force_login(maya)
    client.post(f"/intros/{intro.pk}/send/introduction/")
    assert not mail_to("tomasz@acme.example")
    assert Intro.objects.get(pk=intro.pk).state == "requested"


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_from_two_tabs_make_one_history(maya):
    import threading

    from django.db import connection

    intro = request_intro(maya, target=Party("Tomasz Nowak", "tomasz@acme.example"))
    link = only_link(mail_to(CORA.email)[0])
    pages, barrier = [], threading.Barrier(2)

    def answer(action: str) -> None:
        barrier.wait()
        try:
            pages.append(Client().post(link, {"action": action}).content.decode())
        finally:
            connection.close()

    tabs = [threading.Thread(target=answer, args=(a,)) for a in ("asked", "withdrawn")]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()
    intro = Intro.objects.get(pk=intro.pk)
    assert intro.state in ("asked", "withdrawn")
    assert intro.events.exclude(type="requested").count() == 1
    assert sum("already used" in page for page in pages) == 1
    # Only the answer that won wrote to anybody.
    assert len(mail_to("tomasz@acme.example")) == (intro.state == "asked")


def test_a_stop_link_in_the_shared_introduction_only_asks_the_address_to_confirm(maya, client):
    from introloop.outbox.stops import is_stopped

    request_intro(maya, target=Party("Tomasz Nowak", "tomasz@acme.example"))
    client.post(only_link(mail_to(CORA.email)[0]), {"action": "introduced"})
    [introduction] = [m for m in Message.objects.all() if m.cc == [CORA.email]]
    stop = re.search(r"http://127\.0\.0\.1:8000(/stop/\S+/)", introduction.body_text)[1]
    # Maya received the same email: pressing Tomasz's link does not stop his mail.
    page = client.get(stop).content.decode()
    assert "first sends tomasz@acme.example a link to confirm" in page
    client.post(stop, {"action": "stop"})
    assert not is_stopped("tomasz@acme.example")
    [confirm] = [m for m in mail_to("tomasz@acme.example") if m.subject.startswith("Confirm")]
    assert confirm.to == ["tomasz@acme.example"]
    client.post(stop, {"action": "stop"})  # again: no second email within the day
    assert len([m for m in mail_to("tomasz@acme.example") if "Confirm" in m.subject]) == 1
    # From his own inbox, Tomasz stops them.
    own = re.search(r"http://127\.0\.0\.1:8000(/stop/\S+/)", confirm.body_text)[1]
    client.post(own, {"action": "stop"})
    assert is_stopped("tomasz@acme.example")


def test_the_seeker_sees_an_address_the_connector_gave_only_once_the_target_agrees(maya, client):
    from conftest import ApiClient, api_token_for

    intro = request_intro(maya)
    client.post(only_link(mail_to(CORA.email)[0]),
                {"action": "asked", "target_email": "tomasz@acme.example"})  # fmt: skip
    api = ApiClient(Client(), api_token_for(maya))
    assert api.get(f"/api/v1/intros/{intro.pk}").json()["target_email"] == ""
    seeker = Client()
    seeker.force_login(maya)
    assert "tomasz@acme.example" not in seeker.get(f"/intros/{intro.pk}/").content.decode()
    client.post(only_link(mail_to("tomasz@acme.example")[0]), {"action": "accepted"})
    assert api.get(f"/api/v1/intros/{intro.pk}").json()["target_email"] == "tomasz@acme.example"
