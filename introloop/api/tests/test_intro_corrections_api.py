"""Undo a step, reopen an ended introduction, correct when a step happened: over the API."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from conftest import ApiClient, api_token_for, make_user
from introloop.intros.models import Intro, IntroEvent
from introloop.intros.services import Party
from introloop.intros.tests.factories import intro

pytestmark = pytest.mark.django_db

BOB = Party("Bob Baker", "bob@example.com")


def introduced(alice, days_ago: float = 3, **kwargs) -> Intro:
    """Alice (seeker) was introduced to Tom by Bob `days_ago`."""
    at = timezone.now() - timedelta(days=days_ago)
    return intro(alice, connector=BOB, start="introduced", at=at, double_opt_in=False, **kwargs)


def record(api: ApiClient, i: Intro, event: str, **fields) -> dict:
    response = api.post(f"/api/v1/intros/{i.id}/events", json={"type": event, **fields})
    assert response.status_code == 200, response.json()
    return response.json()


def undo(api: ApiClient, i: Intro):
    return api.post(f"/api/v1/intros/{i.id}/undo")


def test_it_undoes_your_latest_step_and_the_introduction_is_as_before(alice_api, alice, bob):
    i = introduced(alice)
    before = alice_api.get(f"/api/v1/intros/{i.id}").json()
    record(alice_api, i, "met")

    response = undo(alice_api, i)

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "introduced"
    assert body["next_steps"] == before["next_steps"]  # Write to Tom, due as it was
    stored = Intro.objects.get(pk=i.pk)
    assert stored.met_at is None and stored.next_step == "reach_out"
    assert stored.next_due_at == i.next_due_at
    # The history keeps both entries, marked.
    introduced_, met, undone = body["history"]
    assert [e["type"] for e in body["history"]] == ["introduced", "met", "undone"]
    assert met["undone_at"] is not None and met["undone_by"] == undone["id"]
    assert met["on_time"] is None  # an undone step no longer counts in follow-through
    assert undone["note"] == "Undid “Met”." and undone["actor_role"] == "seeker"
    assert introduced_["undone_at"] is None


def test_undoing_twice_undoes_once(alice_api, alice, bob):
    i = introduced(alice)
    record(alice_api, i, "reached_out")
    record(alice_api, i, "met")

    assert undo(alice_api, i).status_code == 200
    second = undo(alice_api, i)

    assert second.status_code == 409
    assert "“Met” has already been undone" in second.json()["detail"]
    assert Intro.objects.get(pk=i.pk).state == "reached_out"  # not walked further back
    assert IntroEvent.objects.filter(intro=i, type="undone").count() == 1


def test_only_the_latest_step_can_be_undone_and_only_by_whoever_recorded_it(
    alice_api, bob_api, alice, bob
):
    i = intro(alice, connector=BOB)  # requested, with double opt-in
    nothing = undo(alice_api, i)
    assert nothing.status_code == 409
    assert "how the introduction was logged" in nothing.json()["detail"]

    record(bob_api, i, "asked")
    refused = undo(alice_api, i)
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        "Only the latest step can be undone, and the latest, “Target asked”, was recorded by "
        "someone else."
    )
    assert undo(bob_api, i).json()["state"] == "requested"


def test_a_note_does_not_stand_in_the_way_and_is_not_undone(alice_api, alice, bob):
    i = introduced(alice)
    record(alice_api, i, "reached_out")
    record(alice_api, i, "note", note="Waiting to hear back")
    body = undo(alice_api, i).json()
    assert body["state"] == "introduced"
    assert [(e["type"], bool(e["undone_at"])) for e in body["history"]][-3:] == [
        ("reached_out", True),
        ("note", False),
        ("undone", False),
    ]


def test_someone_elses_introduction_is_not_found(alice_api, alice, bob):
    carol = make_user("carol@example.com", "Carol Cole")
    i = introduced(alice)
    record(alice_api, i, "met")
    carol_api = ApiClient(Client(), api_token_for(carol))
    event = i.events.get(type="met")
    assert undo(carol_api, i).status_code == 404
    at = (timezone.now() - timedelta(days=1)).isoformat()
    patched = carol_api.patch(f"/api/v1/intros/{i.id}/events/{event.id}", json={"at": at})
    assert patched.status_code == 404
    assert Intro.objects.get(pk=i.pk).state == "met"


@pytest.mark.parametrize("ending", ["declined", "withdrawn"])
def test_the_seeker_or_the_connector_reopens_an_ended_introduction(
    alice_api, bob_api, alice, bob, ending
):
    i = intro(alice, connector=BOB)
    record(bob_api, i, "asked")
    asked = alice_api.get(f"/api/v1/intros/{i.id}").json()
    # Bob records the target's no, or Alice withdraws; the other one reopens it.
    ender, reopener = (bob_api, alice_api) if ending == "declined" else (alice_api, bob_api)
    assert record(ender, i, ending)["is_open"] is False

    reopened = undo(reopener, i)

    assert reopened.status_code == 200
    body = reopened.json()
    assert body["state"] == "asked" and body["is_open"] is True
    assert body["next_steps"] == asked["next_steps"]  # the target's answer, due as before
    label = {"declined": "Target declined", "withdrawn": "Withdrawn"}[ending]
    assert body["history"][-1]["note"] == f"Reopened: undid “{label}”."
    assert Intro.objects.get(pk=i.pk).answered_at is None


def test_reopening_a_closed_loop_takes_back_its_outcome(alice_api, alice, bob):
    i = introduced(alice)
    record(alice_api, i, "met")
    before = alice_api.get(f"/api/v1/intros/{i.id}").json()
    record(alice_api, i, "loop_closed", outcome="Got a referral")
    body = undo(alice_api, i).json()
    assert (body["state"], body["outcome"]) == ("met", "")
    assert body["next_steps"] == before["next_steps"]
    stored = Intro.objects.get(pk=i.pk)
    assert stored.closed_at is None and stored.next_step == "thank"


def test_the_target_cannot_reopen_what_the_connector_ended(alice_api, alice):
    tom = make_user("tom@example.org", "Tom Hale")
    tom_api = ApiClient(Client(), api_token_for(tom))
    i = intro(alice)  # connector Sam, target Tom (with an account)
    sam = make_user("sam@example.com", "Sam Okafor")
    Intro.objects.filter(pk=i.pk).update(connector_user=sam, target_user=tom)
    record(alice_api, i, "withdrawn")
    refused = undo(tom_api, i)
    assert refused.status_code == 409
    assert "no step that can be undone" in refused.json()["detail"]


def _patch(api: ApiClient, i: Intro, event: IntroEvent, at):
    value = at.isoformat() if hasattr(at, "isoformat") else at
    return api.patch(f"/api/v1/intros/{i.id}/events/{event.id}", json={"at": value})


def test_correcting_a_time_moves_the_milestone_the_next_step_and_the_on_time_record(
    alice_api, alice, bob
):
    i = introduced(alice, days_ago=4)  # reach out within 2 days: due 2 days ago
    record(alice_api, i, "reached_out")
    event = i.events.get(type="reached_out")
    assert event.on_time is False

    really = i.introduced_at + timedelta(days=1)
    response = _patch(alice_api, i, event, really)

    assert response.status_code == 200
    body = response.json()
    corrected = body["history"][-1]
    assert corrected["on_time"] is True and corrected["corrected_at"] is not None
    [step] = body["next_steps"]  # follow up 5 days after writing, from the corrected time
    assert step["step"] == "follow_up"
    due = datetime.fromisoformat(step["due_at"])  # to the millisecond
    assert abs(due - (really + timedelta(days=5))) < timedelta(milliseconds=1)
    stored = Intro.objects.get(pk=i.pk)
    assert stored.reached_out_at == really and stored.next_due_at == really + timedelta(days=5)


def test_an_undo_after_a_correction_restores_the_corrected_time(alice_api, alice, bob):
    i = introduced(alice, days_ago=4)
    record(alice_api, i, "reached_out")
    record(alice_api, i, "met")
    really = i.introduced_at + timedelta(days=1)
    reached = i.events.get(type="reached_out")
    assert _patch(alice_api, i, reached, really).status_code == 200
    assert undo(alice_api, i).json()["state"] == "reached_out"
    assert Intro.objects.get(pk=i.pk).reached_out_at == really


def test_a_later_step_is_judged_against_the_corrected_due_date(alice_api, alice, bob):
    i = introduced(alice, days_ago=4)
    record(alice_api, i, "reached_out")  # 2 days late
    record(alice_api, i, "met")
    # The introduction really happened 3 days later than logged: writing now was on time.
    first = i.events.get(type="introduced")
    assert _patch(alice_api, i, first, i.introduced_at + timedelta(days=3)).status_code == 200
    assert IntroEvent.objects.get(intro=i, type="reached_out").on_time is True


@pytest.mark.parametrize(
    ("when", "status", "text"),
    [
        (timedelta(days=2), 422, "That time is in the future"),
        (-timedelta(days=10), 422, "That is before the previous step (“Introduced”"),
        (None, 422, "Field required"),
        ("yesterday-ish", 422, "at"),
    ],
)
def test_a_time_that_breaks_the_order_is_refused(alice_api, alice, bob, when, status, text):
    i = introduced(alice, days_ago=4)
    record(alice_api, i, "reached_out")
    event = i.events.get(type="reached_out")
    value = (timezone.now() + when).isoformat() if isinstance(when, timedelta) else when
    response = alice_api.patch(f"/api/v1/intros/{i.id}/events/{event.id}", json={"at": value})
    assert response.status_code == status
    body = response.json()
    assert text in body["detail"] and body["errors"][0]["field"] == "at"
    assert IntroEvent.objects.get(pk=event.pk).at == event.at


def test_a_step_cannot_move_past_the_next_one(alice_api, alice, bob):
    i = introduced(alice, days_ago=4)
    record(alice_api, i, "reached_out", at=(timezone.now() - timedelta(days=3)).isoformat())
    record(alice_api, i, "met", at=(timezone.now() - timedelta(days=2)).isoformat())
    event = i.events.get(type="reached_out")
    response = _patch(alice_api, i, event, timezone.now() - timedelta(days=1))
    assert response.status_code == 422
    assert "That is after the next step (“Met”" in response.json()["detail"]


def test_only_whoever_recorded_a_step_corrects_it(alice_api, bob_api, alice, bob):
    i = introduced(alice)
    record(alice_api, i, "met")
    met = i.events.get(type="met")
    refused = _patch(bob_api, i, met, timezone.now() - timedelta(hours=1))
    assert refused.status_code == 403
    assert "Only the person who recorded “Met”" in refused.json()["detail"]
    assert undo(alice_api, i).status_code == 200
    undone = _patch(alice_api, i, met, timezone.now() - timedelta(hours=1))
    assert undone.status_code == 409 and "was undone" in undone.json()["detail"]
    other = introduced(alice)
    assert _patch(alice_api, other, met, timezone.now()).status_code == 404


def _at_once(*calls) -> list:
    """Run each call in its own thread with its own connection, released together."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(n, call):
        barrier.wait()
        try:
            results[n] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_undos_at_once_undo_once(alice, bob):
    i = introduced(alice)
    token = api_token_for(alice)
    ApiClient(Client(), token).post(f"/api/v1/intros/{i.id}/events", json={"type": "met"})

    def call():
        return undo(ApiClient(Client(), token), i).status_code

    assert sorted(_at_once(call, call)) == [200, 409]
    assert IntroEvent.objects.filter(intro=i, type="undone").count() == 1
    assert Intro.objects.get(pk=i.pk).state == "introduced"


@pytest.mark.django_db(transaction=True)
def test_an_undo_racing_another_change_leaves_one_consistent_history(alice, bob):
    """Alice undoes "met" while Bob drops the introduction: whichever comes second applies to
    what the first left (Bob's drop on the restored introduction, or Alice's undo reopening
    what Bob dropped), never to what it read before."""
    i = introduced(alice)
    alice_token, bob_token = api_token_for(alice), api_token_for(bob)
    ApiClient(Client(), alice_token).post(f"/api/v1/intros/{i.id}/events", json={"type": "met"})

    def alice_undoes():
        return undo(ApiClient(Client(), alice_token), i).status_code

    def bob_drops():
        api = ApiClient(Client(), bob_token)
        return api.post(f"/api/v1/intros/{i.id}/events", json={"type": "dropped"}).status_code

    assert _at_once(alice_undoes, bob_drops) == [200, 200]
    stored = Intro.objects.get(pk=i.pk)
    history = [(e.type, e.undone_at is not None) for e in stored.events.order_by("id")]
    if history[2][0] == "undone":  # Alice first: Bob dropped the restored introduction
        assert history == [("introduced", False), ("met", True), ("undone", False),
                           ("dropped", False)]  # fmt: skip
        assert (stored.state, stored.met_at) == ("dropped", None)
    else:  # Bob first: Alice's undo reopened what he dropped; her "met" stands
        assert history == [("introduced", False), ("met", False), ("dropped", True),
                           ("undone", False)]  # fmt: skip
        assert stored.state == "met" and stored.ended_at is None
    assert stored.version == 3
