"""The digest's one-click Done and Snooze links: signed, expiring, single-use, and asking on a
page before they change anything."""

import re
import threading
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from introloop.intros.models import Intro, IntroEvent
from introloop.network.models import Contact, Interaction
from introloop.network.tests.factories import contact
from introloop.outbox.models import Message
from introloop.reminders import services
from introloop.reminders.due import due_items_for
from introloop.reminders.links import digest_link_urls
from introloop.reminders.models import DigestLinkUse, Snooze
from introloop.reminders.sweep import sweep

from .factories import introduced, step

pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:8000"
# Each item's line in the text part: its page, then its Done (or Open) and Snooze links.
ITEM = re.compile(
    r"- (?P<title>.+) \(due .+\): (?P<url>\S+)\n"
    r"  (?P<label>Done|Open): (?P<done>\S+)\n"
    r"  Snooze a day: (?P<snooze>\S+)\n"
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def digest_items(moment: str) -> dict[str, dict[str, str]]:
    """Sweep as of `moment` and read the new digest's items, by title, links made relative."""
    assert sweep(at(moment)).queued == 1
    digest = Message.objects.filter(subject__startswith="Today:").latest("id")
    items = {}
    for found in ITEM.finditer(digest.body_text):
        item = {k: v.replace(SITE, "") for k, v in found.groupdict().items()}
        for link in ("done", "snooze"):  # the HTML part carries the same links
            assert f'href="{SITE}{item[link]}"' in digest.body_html
        items[item["title"]] = item
    return items


def click(url: str, moment: str, method: str = "post", client: Client | None = None):
    with time_machine.travel(at(moment), tick=False):
        return getattr(client or Client(), method)(url)


@pytest.fixture
def overdue(alice):
    """Alice (Paris, digest at 8) was introduced to Tom; writing to him was due on 22 Nov."""
    return introduced(alice, at("2026-11-20T09:00"))


def test_done_from_the_digest_asks_first_then_records_the_step(alice, overdue):
    [item] = digest_items("2026-11-23T07:00").values()  # 08:00 in Paris
    assert item["title"] == "Write to Tom Hale" and item["label"] == "Done"

    page = click(item["done"], "2026-11-23T07:30", "get")  # nobody is logged in
    html = page.content.decode()
    assert page.status_code == 200
    assert "Write to Tom Hale" in html and "Mark it done" in html
    assert Intro.objects.get(pk=overdue.pk).state == "introduced"  # GET changes nothing

    done = click(item["done"], "2026-11-23T07:30")
    assert done.status_code == 200
    assert "Done — recorded" in done.content.decode()
    intro = Intro.objects.get(pk=overdue.pk)
    assert (intro.state, intro.next_step) == ("reached_out", "follow_up")
    event = intro.events.get(type="reached_out")
    assert (event.actor_user, event.via) == (alice, "link")
    assert event.note == "Marked done from the daily digest."


def test_a_link_works_once_and_the_replay_is_friendly(overdue):
    item = digest_items("2026-11-23T07:00")["Write to Tom Hale"]
    click(item["done"], "2026-11-23T07:30")

    for method in ("get", "post"):
        again = click(item["done"], "2026-11-23T07:40", method)
        assert again.status_code == 200
        assert "Already recorded" in again.content.decode()
    assert IntroEvent.objects.filter(intro=overdue, type="reached_out").count() == 1
    # The same item's Snooze: nothing left to snooze.
    snooze = click(item["snooze"], "2026-11-23T07:45")
    assert (snooze.status_code, "Already recorded" in snooze.content.decode()) == (200, True)
    assert not Snooze.objects.exists()


def test_snooze_hides_the_item_from_the_digests_until_it_comes_back(alice, overdue):
    item = digest_items("2026-11-23T07:00")["Write to Tom Hale"]
    assert "Snooze for 1 day" in click(item["snooze"], "2026-11-23T07:30", "get").content.decode()

    snoozed = click(item["snooze"], "2026-11-23T07:30")
    # As Today snoozes: a day from now; shown in Paris time, though nobody is logged in.
    assert "Snoozed until Tue 24 Nov, 08:30" in snoozed.content.decode()
    assert due_items_for(alice, at("2026-11-23T07:31")) == []

    assert sweep(at("2026-11-24T07:00")).queued == 0  # Tuesday 08:00 in Paris: still snoozed
    back = digest_items("2026-11-24T07:31")
    assert list(back) == ["Write to Tom Hale"]
    assert Intro.objects.get(pk=overdue.pk).state == "introduced"


def test_a_step_done_meanwhile_makes_its_links_say_already_recorded(alice, overdue):
    item = digest_items("2026-11-23T07:00")["Write to Tom Hale"]
    step(overdue, "reached_out", {"seeker"}, at("2026-11-23T07:10"))  # on the intro's page

    for link in ("done", "snooze"):
        for method in ("get", "post"):
            response = click(item[link], "2026-11-23T07:30", method)
            assert response.status_code == 200
            assert "Already recorded" in response.content.decode()
    assert IntroEvent.objects.filter(intro=overdue, type="reached_out").count() == 1
    assert not DigestLinkUse.objects.exists() and not Snooze.objects.exists()


def test_an_old_link_does_not_do_the_next_time_the_same_step_falls_due(alice):
    """Following up comes round again (twice): Monday's link is for Monday's follow-up."""
    intro = introduced(alice, at("2026-11-10T09:00"))
    step(intro, "reached_out", {"seeker"}, at("2026-11-12T09:00"), actor_user=alice)
    monday = digest_items("2026-11-23T07:00")["Follow up with Tom Hale"]
    step(intro, "followed_up", {"seeker"}, at("2026-11-23T07:10"), actor_user=alice)

    response = click(monday["done"], "2026-11-28T09:00")  # the next follow-up is due now
    assert "Already recorded" in response.content.decode()
    assert Intro.objects.get(pk=intro.pk).follow_ups == 1


def test_a_forged_or_damaged_link_does_nothing(alice, bob, overdue):
    item = digest_items("2026-11-23T07:00")["Write to Tom Hale"]
    token = item["done"].split("/")[2]
    payload, signature = token.rsplit(":", 1)
    user_id, action, digest_on, due_on, key = payload.split(".")
    assert (int(user_id), action, key) == (alice.id, "done", f"intro:{overdue.id}:reach_out")
    bobs = introduced(bob, at("2026-11-20T09:00"))

    def signed_as(*fields: object) -> str:
        return f"/digest/{'.'.join(map(str, fields))}:{signature}/"

    forged = [
        f"/digest/{payload}:{signature[:-4]}abcd/",  # a damaged signature
        signed_as(bob.id, action, digest_on, due_on, f"intro:{bobs.id}:reach_out"),
        signed_as(alice.id, action, "2026-12-07", due_on, key),  # later, to last longer
        f"/digest/{payload}/",
        "/digest/not-a-link/",
    ]
    for url in forged:
        for method in ("get", "post"):
            response = click(url, "2026-11-23T07:30", method)
            assert response.status_code == 400, url
            assert "This link is not valid" in response.content.decode()
    assert not Intro.objects.filter(state="reached_out").exists()


def test_a_link_expires_after_two_weeks(overdue):
    item = digest_items("2026-11-23T07:00")["Write to Tom Hale"]
    assert click(item["done"], "2026-12-07T22:00", "get").status_code == 200  # 23:00, 7 Dec
    response = click(item["done"], "2026-12-07T23:30")  # 00:30 on 8 Dec in Paris
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert Intro.objects.get(pk=overdue.pk).state == "introduced"


def test_a_link_is_only_for_the_account_that_received_it(alice, bob, overdue):
    """Signed for Bob, about Alice's step (which only the secret could make): not Bob's item."""
    [url] = digest_link_urls(bob.id, date(2026, 11, 23), date(2026, 11, 22),
                             f"intro:{overdue.id}:reach_out", ("done",))  # fmt: skip
    response = click(url.replace(SITE, ""), "2026-11-23T07:30")
    assert response.status_code == 200
    assert "Already recorded" in response.content.decode()  # nothing of Bob's to do
    assert Intro.objects.get(pk=overdue.pk).state == "introduced"


def test_a_step_that_needs_words_opens_the_introduction(alice, overdue):
    step(overdue, "met", {"seeker"}, at("2026-11-21T10:00"), actor_user=alice)
    items = digest_items("2026-11-30T07:00")  # thanking and closing the loop are both overdue
    assert items["Thank Tom Hale"]["label"] == "Done"
    close = items["Tell Sam Okafor what came of it"]
    assert close["label"] == "Open" and close["done"] == f"/intros/{overdue.id}/"
    snoozed = click(close["snooze"], "2026-11-30T07:30")
    assert "Snoozed until" in snoozed.content.decode()


def test_done_on_a_reconnect_does_what_today_does(alice):
    with time_machine.travel(at("2026-10-01T09:00")):
        ann = contact(alice, "Ann Lee", keep_in_touch_days=30)
    Contact.objects.filter(pk=ann.pk).update(reconnect_due_on=date(2026, 11, 22))
    item = digest_items("2026-11-23T07:00")["Reconnect with Ann Lee"]

    assert "Done — recorded" in click(item["done"], "2026-11-23T07:30").content.decode()
    interaction = Interaction.objects.get(contacts=ann)
    assert interaction.notes == "Reconnected (marked done from the daily digest)."
    assert Contact.objects.get(pk=ann.pk).reconnect_due_on == date(2026, 12, 23)


def test_the_same_items_link_in_a_later_digest_is_a_new_link(alice, overdue):
    """Snoozed from Monday's digest, snoozed again from Wednesday's."""
    monday = digest_items("2026-11-23T07:00")["Write to Tom Hale"]
    click(monday["snooze"], "2026-11-23T07:30")
    wednesday = digest_items("2026-11-25T07:00")["Write to Tom Hale"]
    assert wednesday["snooze"] != monday["snooze"]
    again = click(wednesday["snooze"], "2026-11-25T07:30")
    assert "Snoozed until Thu 26 Nov, 08:30" in again.content.decode()


def test_the_click_that_loses_the_race_records_nothing(alice, overdue, monkeypatch):
    """The other click spends the link after this one found it unused: its insert fails."""
    item = digest_items("2026-11-23T07:00")["Write to Tom Hale"]
    token = item["done"].split("/")[2]
    find_item = services.item_for

    def other_click_wins_meanwhile(user, key, now):
        DigestLinkUse.objects.create(user=user, key=key, action="done",
                                     digest_on=date(2026, 11, 23), used_at=now)  # fmt: skip
        return find_item(user, key, now)

    monkeypatch.setattr(services, "item_for", other_click_wins_meanwhile)
    with pytest.raises(services.AlreadyRecorded):
        services.use_digest_link(token, at("2026-11-23T07:30"))
    assert Intro.objects.get(pk=overdue.pk).state == "introduced"


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_record_the_step_once(alice, overdue):
    item = digest_items("2026-11-23T07:00")["Write to Tom Hale"]
    pages, barrier = [], threading.Barrier(2)

    def follow():
        barrier.wait()
        try:
            pages.append(Client().post(item["done"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=follow) for _ in range(2)]
    with time_machine.travel(at("2026-11-23T07:30"), tick=False):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(p.status_code for p in pages) == [200, 200]
    said = sorted("Already recorded" in p.content.decode() for p in pages)
    assert said == [False, True]
    assert IntroEvent.objects.filter(intro=overdue, type="reached_out").count() == 1
    assert DigestLinkUse.objects.count() == 1


def test_todays_done_still_says_it_came_from_today(alice_client, alice, overdue):
    click(reverse("reminders:done", args=[f"intro:{overdue.id}:reach_out"]), "2026-11-23T07:30",
          client=alice_client)  # fmt: skip
    event = IntroEvent.objects.get(intro=overdue, type="reached_out")
    assert (event.via, event.note) == ("web", "Marked done on Today.")
