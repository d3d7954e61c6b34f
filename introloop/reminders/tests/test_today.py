"""Today: overdue, due today and this week, with one-click done and snooze."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from introloop.intros.models import Intro
from introloop.network.models import Interaction
from introloop.network.tests.factories import contact
from introloop.reminders.due import due_items_for

from .factories import introduced

pytestmark = pytest.mark.django_db


def test_today_lists_intro_steps_and_reconnects_grouped_with_drafts(alice_client, alice):
    now = timezone.now()
    introduced(alice, now - timedelta(days=5))  # reach out was due 3 days ago
    ann = contact(alice, "Ann Lee", emails=["ann@example.org"], keep_in_touch_days=30)
    from introloop.network.models import Contact

    Contact.objects.filter(pk=ann.pk).update(reconnect_due_on=now.astimezone(alice.zone).date())
    page = alice_client.get(reverse("today"))
    html = page.content.decode()
    assert [i.title for i in page.context["overdue"]] == ["Write to Tom Hale"]
    assert [i.title for i in page.context["due_today"]] == ["Reconnect with Ann Lee"]
    # Drafts are drafted when opened: the page carries a disclosure that fetches them.
    assert "Thank you for agreeing to talk" not in html
    [tom] = page.context["overdue"]
    draft_url = reverse("reminders:draft", args=[tom.key])
    assert f'hx-get="{draft_url}"' in html
    opened = alice_client.get(draft_url, headers={"HX-Request": "true"}).content.decode()
    assert "Thank you for agreeing to talk" in opened  # the drafted message
    assert "To tom@example.org" in opened
    [ann_item] = page.context["due_today"]
    ann_draft = reverse("reminders:draft", args=[ann_item.key])
    assert (
        "mailto:ann@example.org"
        in alice_client.get(ann_draft, headers={"HX-Request": "true"}).content.decode()
    )


def test_without_javascript_a_draft_is_on_the_items_own_page(alice_client, alice):
    intro = introduced(alice, timezone.now() - timedelta(days=5))
    [item] = due_items_for(alice, timezone.now())
    response = alice_client.get(reverse("reminders:draft", args=[item.key]))
    assert response.status_code == 302
    assert response.url == reverse("intros:detail", args=[intro.id])


def test_nobody_opens_someone_elses_draft(client, alice, bob):
    introduced(alice, timezone.now() - timedelta(days=5))
    [item] = due_items_for(alice, timezone.now())
    url = reverse("reminders:draft", args=[item.key])
    client.force_login(bob)
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
    assert client.get(url).status_code == 404


def test_the_default_page_after_logging_in_is_today(client, alice):
    from conftest import PASSWORD

    response = client.post(
        reverse("accounts:login"), {"username": alice.email, "password": PASSWORD}
    )
    assert response.url == reverse("today")


def test_done_records_the_step(alice_client, alice):
    intro = introduced(alice, timezone.now() - timedelta(days=3))
    key = f"intro:{intro.id}:reach_out"
    response = alice_client.post(reverse("reminders:done", args=[key]), follow=True)
    fresh = Intro.objects.get(pk=intro.pk)
    assert fresh.state == "reached_out"
    # What was done, and what is next with its day (in Alice's time zone).
    follow_up = f"{fresh.next_due_at.astimezone(alice.zone):%a %-d %b}"
    assert (
        f"Done: Write to Tom Hale. Next, your move: follow up with Tom Hale, by {follow_up}."
        in response.content.decode()
    )
    assert [i.key for i in due_items_for(alice, timezone.now())] == []


def test_done_on_a_reconnect_logs_an_interaction_and_resets_the_clock(alice_client, alice):
    from introloop.network.models import Contact

    ann = contact(alice, "Ann Lee", keep_in_touch_days=30)
    Contact.objects.filter(pk=ann.pk).update(
        reconnect_due_on=timezone.now().date() - timedelta(days=1)
    )
    alice_client.post(reverse("reminders:done", args=[f"contact:{ann.id}:reconnect"]))
    assert Interaction.objects.get().contacts.get() == ann
    ann.refresh_from_db()
    assert ann.reconnect_due_on == timezone.now().astimezone(alice.zone).date() + timedelta(days=30)


def test_closing_the_loop_cannot_be_one_click(alice_client, alice):
    from introloop.intros import lifecycle

    intro = introduced(alice, timezone.now() - timedelta(days=12))
    lifecycle.record_event(
        intro.id, "met", roles={"seeker"}, now=timezone.now() - timedelta(days=9)
    )
    lifecycle.record_event(intro.id, "thanked", roles={"seeker"},
                           now=timezone.now() - timedelta(days=9))  # fmt: skip
    page = alice_client.get(reverse("today")).content.decode()
    assert "Tell Sam Okafor what came of it" in page
    response = alice_client.post(
        reverse("reminders:done", args=[f"intro:{intro.id}:close_loop"]), follow=True
    )
    assert "open it to finish" in response.content.decode()
    assert Intro.objects.get(pk=intro.pk).state == "thanked"


def test_snoozing_hides_an_item_until_then(alice_client, alice):
    intro = introduced(alice, timezone.now() - timedelta(days=3))
    key = f"intro:{intro.id}:reach_out"
    alice_client.post(reverse("reminders:snooze", args=[key]), {"days": "3"})
    assert due_items_for(alice, timezone.now(), days_ahead=0) == []
    with time_machine.travel(timezone.now() + timedelta(days=3, hours=1)):
        assert [i.key for i in due_items_for(alice, timezone.now())] == [key]
    bad = alice_client.post(reverse("reminders:snooze", args=[key]), {"days": "99"}, follow=True)
    assert "Snooze for 1 day, 3 days or a week." in bad.content.decode()


def test_htmx_actions_answer_with_the_updated_list(alice_client, alice):
    intro = introduced(alice, timezone.now() - timedelta(days=3))
    response = alice_client.post(
        reverse("reminders:done", args=[f"intro:{intro.id}:reach_out"]),
        headers={"HX-Request": "true", "HX-Target": "today-items"},
    )
    html = response.content.decode()
    assert "<!doctype" not in html
    assert "Done: Write to Tom Hale." in html
    assert "Write to Tom Hale</strong>" not in html
    assert "Follow up with Tom Hale" in html  # the next step, later this week


def test_someone_elses_item_is_not_found(alice_client, bob):
    intro = introduced(bob, timezone.now() - timedelta(days=3))
    response = alice_client.post(reverse("reminders:done", args=[f"intro:{intro.id}:reach_out"]))
    assert response.status_code == 404
    assert Intro.objects.get(pk=intro.pk).state == "introduced"


def test_many_keep_in_touch_reminders_do_not_bury_the_introductions(alice_client, alice):
    from introloop.network.models import Contact

    introduced(alice, timezone.now() - timedelta(days=5))
    for n in range(14):
        person = contact(alice, f"Person {n:02d}", keep_in_touch_days=30)
        Contact.objects.filter(pk=person.pk).update(
            reconnect_due_on=timezone.now().date() - timedelta(days=20 - n)
        )
    page = alice_client.get(reverse("today"))
    titles = [i.title for i in page.context["overdue"]]
    assert titles[:2] == ["Write to Tom Hale", "Reconnect with Person 00"]
    assert sum(t.startswith("Reconnect") for t in titles) == 10
    assert "And 4 more people you meant to keep in touch with" in page.content.decode()
