"""What captured mail does: the introduction a connector's email makes, the steps the
people's own emails complete, proposals where trust or certainty is missing, and never an
effect on another account's introduction."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from introloop.capture import intake
from introloop.capture.models import CapturedMessage
from introloop.capture.services import process_next
from introloop.intros import corrections
from introloop.intros.models import Intro
from introloop.intros.services import NewIntro, Party, create_intro
from introloop.outbox.replykeys import reply_key

from .conftest import MAIL, mail

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
MAYA = "Maya Seeker <alice@example.com>"  # alice is the seeker in these tests


def capture(user, raw: bytes) -> CapturedMessage:
    row, _ = intake.store(user, raw, "upload", NOW)
    assert process_next(NOW) == 1
    row.refresh_from_db()
    return row


def intro_of(user, state_from: str = "introduced") -> Intro:
    new = NewIntro(
        connector=Party("Carla Connector", "carla@example.org"),
        seeker=Party("Alice Archer", user.email),
        target=Party("Tom Target", "tom@example.org"),
        purpose="Advice on data teams",
        double_opt_in=False,
        start=state_from,
        at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        add_contacts=True,
    )
    return create_intro(user, new, datetime(2026, 3, 1, 9, 0, tzinfo=UTC))[0]


def forwarded_intro(user) -> bytes:
    raw = (MAIL / "attached_forward.eml").read_bytes()
    return raw.replace(b"maya@example.com", user.email.encode())


def test_a_forwarded_introduction_creates_it_at_introduced(alice):
    row = capture(alice, forwarded_intro(alice))
    assert row.action == "applied" and row.event == "introduced"
    intro = Intro.objects.get(pk=row.intro_id)
    assert intro.state == "introduced"
    assert (intro.connector_name, intro.connector_email) == ("Carla Connector", "carla@example.org")
    assert (intro.target_name, intro.target_email) == ("Tom Target", "tom@example.org")
    assert intro.seeker_email == alice.email
    assert intro.introduced_at == datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # the original's date
    assert "data engineering" in intro.purpose
    notes = [e.note for e in intro.events.all()]
    assert any(n.startswith("From your email of 3 Mar 2026") for n in notes)


def test_the_seeker_writing_to_the_target_is_reaching_out(alice):
    intro = intro_of(alice)
    row = capture(alice, mail(MAYA, "Tom Target <tom@example.org>", body="Hi Tom, Carla said…"))
    intro.refresh_from_db()
    assert (row.action, row.event, row.intro_id) == ("applied", "reached_out", intro.pk)
    assert intro.state == "reached_out"
    event = intro.events.get(type="reached_out")
    assert event.via == "email" and event.note == "From your email of 4 Mar 2026"


def test_an_automatic_step_can_be_undone(alice):
    intro = intro_of(alice)
    capture(alice, mail(MAYA, "tom@example.org", body="Hi Tom"))
    intro, undone = corrections.undo(intro.pk, alice, now=NOW)
    assert undone.type == "reached_out" and intro.state == "introduced"


def test_an_invitation_is_scheduled_with_its_date(alice):
    intro = intro_of(alice)
    capture(alice, mail(MAYA, "tom@example.org", body="Hi Tom"))
    raw = (MAIL / "invitation.eml").read_bytes().replace(b"maya@example.com", b"alice@example.com")
    row = capture(alice, raw)
    intro.refresh_from_db()
    assert (row.action, row.event) == ("applied", "scheduled")
    assert intro.state == "scheduled"
    assert intro.scheduled_for == datetime(2026, 3, 5, 15, 0, tzinfo=UTC)


def test_thanks_after_meeting_is_only_proposed_and_accepting_records_it(alice, alice_api):
    intro = intro_of(alice, "met")
    row = capture(alice, mail(MAYA, "tom@example.org", "Thank you", "Thanks for your time, Tom!"))
    assert (row.action, row.event) == ("proposed", "thanked")
    intro.refresh_from_db()
    assert intro.state == "met"
    response = alice_api.post(f"/api/v1/capture/inbox/{row.pk}/accept")
    assert response.status_code == 200
    intro.refresh_from_db()
    assert intro.state == "thanked"
    assert alice_api.post(f"/api/v1/capture/inbox/{row.pk}/accept").status_code == 409


def test_writing_to_the_connector_after_meeting_proposes_closing_the_loop(alice, alice_api):
    intro = intro_of(alice, "met")
    body = "Carla, Tom and I met: he referred me for the data role!\n\nOn Mon wrote:\n> old"
    row = capture(alice, mail(MAYA, "carla@example.org", "Update", body))
    assert (row.action, row.event) == ("proposed", "loop_closed")
    assert alice_api.post(f"/api/v1/capture/inbox/{row.pk}/dismiss").status_code == 200
    intro.refresh_from_db()
    assert intro.state == "met"
    items = alice_api.get("/api/v1/capture/inbox?action=proposed").json()["items"]
    assert items == []


def test_mail_not_from_the_users_verified_address_only_proposes(alice):
    intro = intro_of(alice)
    row = capture(alice, mail("Tom Target <tom@example.org>", MAYA, body="Hi Maya, glad to talk"))
    intro.refresh_from_db()
    assert intro.state == "introduced"
    assert row.action in ("proposed", "applied") and row.event in ("", "reached_out")
    assert not intro.events.filter(type="reached_out").exists()


def test_dmarc_must_pass_behind_a_trusted_mta(alice, settings):
    settings.CAPTURE_AUTHSERV_ID = "mx.capture.example.net"
    intro = intro_of(alice)
    failing = "Authentication-Results: mx.capture.example.net; dmarc=fail header.from=example.com"
    row = capture(alice, mail(MAYA, "tom@example.org", body="Hi", extra=failing))
    assert row.action == "proposed" and "DMARC" in row.reason
    intro.refresh_from_db()
    assert intro.state == "introduced"
    passing = "Authentication-Results: mx.capture.example.net; dmarc=pass header.from=example.com"
    capture(alice, mail(MAYA, "tom@example.org", body="Hi again", extra=passing))
    intro.refresh_from_db()
    assert intro.state == "reached_out"


@pytest.mark.parametrize(
    "extra",
    ["List-Id: <jobs.example.com>", "Precedence: bulk", "Auto-Submitted: auto-replied"],
)
def test_lists_bulk_and_automatic_mail_are_ignored(alice, extra):
    intro = intro_of(alice)
    row = capture(alice, mail(MAYA, "tom@example.org", body="Hi", extra=extra))
    assert row.action == "ignored"
    intro.refresh_from_db()
    assert intro.state == "introduced"


def test_more_than_twenty_recipients_is_ignored(alice):
    intro_of(alice)
    many = ", ".join(f"p{i}@example.org" for i in range(20))
    row = capture(alice, mail(MAYA, f"tom@example.org, {many}", body="Hi all"))
    assert row.action == "ignored" and "20" in row.reason


def test_two_fitting_introductions_are_only_proposed(alice):
    intro_of(alice)
    intro_of(alice)
    row = capture(alice, mail(MAYA, "tom@example.org", body="Hi Tom"))
    assert row.action == "proposed"
    assert not Intro.objects.filter(state="reached_out").exists()


def test_a_reply_key_of_another_accounts_introduction_is_ignored(alice, bob):
    bobs = intro_of(bob)
    key = reply_key(f"intro:{bobs.pk}:reach_out", "introloop.local")
    intro_of(alice)
    row = capture(alice, mail(MAYA, "tom@example.org", body="Hi", extra=f"References: {key}"))
    assert row.action == "ignored"
    bobs.refresh_from_db()
    assert bobs.state == "introduced"
    assert not Intro.objects.filter(state="reached_out").exists()


def test_a_reply_key_matches_its_introduction_whoever_is_on_it(alice):
    intro = intro_of(alice)
    key = reply_key(f"intro:{intro.pk}:reach_out", "introloop.local")
    row = capture(
        alice, mail("Someone <x@example.org>", MAYA, body="Hi", extra=f"In-Reply-To: {key}")
    )
    assert row.intro_id == intro.pk


def test_every_captured_message_is_on_the_contacts_timeline(alice, alice_api):
    intro = intro_of(alice)
    capture(alice, mail(MAYA, "tom@example.org", body="Hi Tom\n\nOn Mon, Tom wrote:\n> quoted"))
    response = alice_api.get(f"/api/v1/contacts/{intro.target_contact_id}/interactions")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["kind"], i["notes"]) for i in items] == [("email", "Hi Tom")]


def test_the_inbox_lists_every_message_with_what_was_done(alice, alice_api):
    intro = intro_of(alice)
    row = capture(alice, mail(MAYA, "tom@example.org", "Hello Tom", "Hi Tom"))
    items = alice_api.get("/api/v1/capture/inbox").json()["items"]
    assert items == [{
        "id": row.pk, "message_id": row.message_id, "subject": "Hello Tom",
        "from": "alice@example.com", "received_at": items[0]["received_at"],
        "action": "applied", "reason": row.reason, "intro_id": intro.pk, "event": "reached_out",
    }]  # fmt: skip


def test_others_cannot_see_or_decide_on_my_captured_mail(alice, bob_api):
    intro_of(alice, "met")
    row = capture(alice, mail(MAYA, "tom@example.org", "Thanks", "Thank you!"))
    assert bob_api.get("/api/v1/capture/inbox").json()["items"] == []
    assert bob_api.post(f"/api/v1/capture/inbox/{row.pk}/accept").status_code == 404


def test_unreadable_mail_is_stored_and_listed_never_a_crash(alice):
    bomb = b"".join(b"From: a@example.com\nContent-Type: message/rfc822\n\n" for _ in range(3000))
    row = capture(alice, bomb + b"From: deep@example.com\n\nbottom\n")
    assert row.status == "done"
    row = capture(alice, b"To: b@example.com\nSubject: no sender\n\nhello\n")
    assert row.action == "ignored"


def test_replay_reads_stored_mail_again(alice):
    from django.core.management import call_command

    row = capture(alice, mail(MAYA, "tom@example.org", body="Hi Tom"))
    assert row.action == "applied"
    intro_of(alice)
    call_command("capture_replay")
    assert timezone.now()  # reading again happens in the worker
    assert process_next(NOW) == 1
    row.refresh_from_db()
    assert row.event == "reached_out"


def test_two_workers_never_read_the_same_message(alice):
    from introloop.capture.services import claim

    intake.store(alice, mail(MAYA, "tom@example.org", body="Hi"), "upload", NOW)
    first, second = claim(NOW), claim(NOW)
    assert len(first) == 1 and second == []  # the second worker lost the race
    # A worker that died holding it: another takes it over once the lease ran out.
    assert [row.pk for row in claim(NOW + timedelta(minutes=6))] == [first[0].pk]


def test_the_users_own_address_is_recognised_among_the_participants(alice):
    row = capture(alice, mail(MAYA, "Tom Target <tom@example.org>", cc="Carla <carla@example.org>"))
    assert row.participants == [
        {"name": "Maya Seeker", "email": "alice@example.com", "field": "from", "you": True},
        {"name": "Tom Target", "email": "tom@example.org", "field": "to", "you": False},
        {"name": "Carla", "email": "carla@example.org", "field": "cc", "you": False},
    ]


def test_a_connector_bccing_their_introduction_creates_it(alice):
    raw = mail(
        "Alice Archer <alice@example.com>", "Maya Seeker <maya@example.net>",
        "Intro: Maya <> Tom", "Hi both,\n\nMaya is moving into data engineering.\nTom leads data.",
        cc="Tom Target <tom@example.org>",
    )  # fmt: skip
    row = capture(alice, raw)
    intro = Intro.objects.get(pk=row.intro_id)
    assert (row.action, intro.state, intro.logged_as) == ("applied", "introduced", "connector")
    assert (intro.seeker_email, intro.target_email) == ("maya@example.net", "tom@example.org")
    assert intro.purpose == "Maya is moving into data engineering. Tom leads data."


def test_three_people_without_an_introduction_make_none(alice):
    raw = mail(MAYA, "a@example.net", "Dinner on Friday?", "Pizza?", cc="b@example.org")
    row = capture(alice, raw)
    assert row.intro_id is None and not Intro.objects.exists()


def test_a_batch_of_mail_sees_what_the_messages_before_it_did(alice):
    """Read together (one look at the introductions for the batch), a connector's
    introduction and the replies to it still follow each other: the reply answers the
    introduction created a moment before."""
    introduction = mail(
        "Alice Archer <alice@example.com>", "Maya Seeker <maya@example.net>",
        "Intro: Maya <> Tom", "Hi both,\n\nMaya is moving into data engineering.",
        cc="Tom Target <tom@example.org>", message_id="intro-1",
    )  # fmt: skip
    # From Tom's assistant, a party to nothing: only the thread can tell where it belongs.
    reply = mail(
        "Pat Assistant <pa@example.org>", "Maya Seeker <maya@example.net>",
        "Re: Intro: Maya <> Tom", "Tom asked me to find a time.", cc="alice@example.com",
        message_id="reply-1", extra="In-Reply-To: <intro-1@t>",
    )  # fmt: skip
    for raw in (introduction, reply):
        intake.store(alice, raw, "upload", NOW)
    assert process_next(NOW) == 2  # both in one batch
    first, second = CapturedMessage.objects.order_by("id")
    assert first.event == "introduced" and first.intro_id is not None
    assert second.intro_id == first.intro_id


def test_a_batch_holds_at_most_so_many_bytes(alice, monkeypatch):
    from introloop.capture import services

    for n in range(3):
        intake.store(
            alice, mail(MAYA, "tom@example.org", body=f"Hi {n}" + "x" * 1000), "upload", NOW
        )
    monkeypatch.setattr(services, "BATCH_BYTES", 2500)
    assert len(services.claim(NOW)) == 2
    assert len(services.claim(NOW)) == 1


def test_one_look_at_the_database_serves_a_whole_batch(alice):
    """Deciding about 3 or 60 messages reads the threads and the introductions in the same
    few queries (matching.Known), whatever the batch holds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from introloop.capture.matching import Known, decide
    from introloop.capture.parsing import parse

    intro_of(alice)

    def batch(size: int) -> list:
        return [
            parse(mail(MAYA, f"Tom <tom@example.org>, p{n}@example.net", body="Hi",
                       message_id=f"b{size}-{n}", extra=f"In-Reply-To: <earlier-{n}@t>"))
            for n in range(size)
        ]  # fmt: skip

    counts = []
    for size in (3, 60):
        messages = batch(size)
        with CaptureQueriesContext(connection) as queries:
            known = Known(alice, messages)
            decisions = [decide(alice, parsed, "", NOW, known) for parsed in messages]
        counts.append(len(queries))
        assert {d.event for d in decisions} == {"reached_out"}
    assert counts[0] == counts[1] <= 4
