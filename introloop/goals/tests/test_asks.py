"""Asks and favours: reciprocity, cooldown warnings, follow-ups on Today."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from introloop.goals.models import Application, Ask
from introloop.network.tests.factories import contact
from introloop.reminders.due import due_items_for

pytestmark = pytest.mark.django_db


def record(client, **fields):
    today = timezone.now().date().isoformat()
    data = {"direction": "asked", "kind": "advice", "status": "asked", "on": today, **fields}
    return client.post(reverse("goals:ask_new"), data, follow=True)


def test_the_contact_page_shows_the_balance_and_suggests_giving_back(alice_client, alice):
    ann = contact(alice, "Ann Lee")
    page = alice_client.get(reverse("timeline:contact", args=[ann.id])).content.decode()
    assert "Ann</strong> and you have not done each other a favour yet." in page
    assert "never" not in page
    for kind in ("advice", "resume_feedback"):
        record(alice_client, contact=ann.id, kind=kind, status="done")
    page = alice_client.get(reverse("timeline:contact", args=[ann.id])).content.decode()
    assert "Ann</strong> helped you twice; you have not helped them yet." in page
    assert "how could you help them?" in page
    record(alice_client, contact=ann.id, direction="given", kind="introduction", status="done")
    record(alice_client, contact=ann.id, direction="given", kind="other", status="done")
    page = alice_client.get(reverse("timeline:contact", args=[ann.id])).content.decode()
    assert "helped you twice; you helped them twice" in page
    assert "how could you help them?" not in page
    assert "Asked for: advice (done)" in page  # on the timeline


def test_asking_again_within_the_cooldown_warns_with_the_date(alice_client, alice):
    ann = contact(alice, "Ann Lee")
    earlier = (timezone.now() - timedelta(days=10)).date()
    Ask.objects.create(owner=alice, contact=ann, kind="advice", on=earlier)
    page = record(alice_client, contact=ann.id, kind="referral").content.decode()
    assert f"You last asked Ann Lee for something on {earlier:%-d %b %Y}" in page
    assert Ask.objects.count() == 2  # a warning, not a refusal


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"on": "2026-13-45"}, "Enter a valid date."),
        ({"on": "1492-10-12"}, "between 1990 and 2100"),
        ({"follow_up_on": "2000-01-01"}, "The follow-up comes after the ask."),
        ({"kind": "bribe"}, "Select a valid choice."),
    ],
)
def test_nonsense_is_refused_inline(alice_client, alice, fields, message):
    ann = contact(alice, "Ann Lee")
    response = record(alice_client, contact=ann.id, **fields)
    assert message in response.content.decode()
    assert not Ask.objects.exists()


def test_an_ask_for_someone_elses_contact_is_refused(alice_client, alice, bob):
    theirs = contact(bob, "Private")
    response = record(alice_client, contact=theirs.id)
    assert "Select a valid choice" in response.content.decode()
    assert not Ask.objects.exists()


def test_asks_awaiting_follow_up_are_due_on_today(alice_client, alice):
    ann = contact(alice, "Ann Lee")
    ask = Ask.objects.create(
        owner=alice,
        contact=ann,
        kind="referral",
        status="asked",
        on=timezone.now().date() - timedelta(days=8),
        follow_up_on=timezone.now().date() - timedelta(days=1),
    )
    [item] = due_items_for(alice, timezone.now())
    assert (item.key, item.title) == (
        f"ask:{ask.id}:follow_up",
        "Follow up with Ann Lee: a referral",
    )
    alice_client.post(reverse("reminders:done", args=[item.key]))
    ask.refresh_from_db()
    assert ask.follow_up_on is None and "Followed up on" in ask.note
    assert due_items_for(alice, timezone.now()) == []


def test_applications_remember_interviews_and_referrals(alice_client, alice):
    ann = contact(alice, "Ann Lee")
    today = timezone.now().date().isoformat()
    alice_client.post(
        reverse("goals:application_new"),
        {
            "company": "Acme",
            "role": "PM",
            "applied_on": today,
            "source": "cold",
            "contact": ann.id,
            "status": "interviewing",
        },
    )
    app = Application.objects.get()
    assert (app.source, app.interviewed) == ("referral", True)
    bad = alice_client.post(
        reverse("goals:application_new"),
        {"company": "", "role": "PM", "applied_on": "soon", "source": "cold", "status": "applied"},
    )
    assert bad.status_code == 200 and "Enter a valid date." in bad.content.decode()
    assert Application.objects.count() == 1


def test_deleting_an_ask_asks_first_and_updates_the_balance(alice_client, alice):
    ann = contact(alice, "Ann Lee")
    record(alice_client, contact=ann.id, kind="advice", status="done")
    ask = Ask.objects.get()
    before = alice_client.get(reverse("timeline:contact", args=[ann.id])).content.decode()
    assert "helped you once" in before
    edit = alice_client.get(reverse("goals:ask_edit", args=[ask.id])).content.decode()
    assert reverse("goals:ask_delete", args=[ask.id]) in edit
    confirm = alice_client.get(reverse("goals:ask_delete", args=[ask.id])).content.decode()
    assert "Delete the ask “advice” with Ann Lee?" in confirm
    assert Ask.objects.exists()  # GET only asks
    done = alice_client.post(reverse("goals:ask_delete", args=[ask.id]), follow=True)
    assert done.redirect_chain[-1][0] == reverse("timeline:contact", args=[ann.id])
    assert "helped you once" not in done.content.decode() and not Ask.objects.exists()


def test_deleting_an_application(alice_client, alice, bob):
    mine = Application.objects.create(
        owner=alice, company="Acme", role="PM", applied_on=timezone.now().date()
    )
    theirs = Application.objects.create(
        owner=bob, company="Acme", role="PM", applied_on=timezone.now().date()
    )
    url = reverse("goals:application_delete", args=[theirs.id])
    assert alice_client.post(url).status_code == 404
    page = alice_client.post(reverse("goals:application_delete", args=[mine.id]), follow=True)
    assert "Deleted the application for PM at Acme." in page.content.decode()
    assert list(Application.objects.all()) == [theirs]


def test_the_ask_form_names_its_empty_choices(alice_client, alice):
    page = alice_client.get(reverse("goals:ask_new")).content.decode()
    assert "---------" not in page
    assert ">No introduction</option>" in page and ">No goal</option>" in page
