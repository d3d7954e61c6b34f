from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from introloop.network.importers.records import ContactRecord, ParseResult
from introloop.network.imports import apply_import
from introloop.network.merging import merge_contacts
from introloop.network.models import Contact, Interaction

from .factories import contact, interaction

pytestmark = pytest.mark.django_db


def test_contacts_sharing_an_email_or_a_name_are_suggested(alice_client, alice, bob):
    contact(alice, "Ann Lee", emails=["ann@acme.com"])
    contact(alice, "Annie L.", emails=["ANN@acme.com"])
    contact(alice, "Raj Patel")
    contact(alice, "raj patel")
    contact(alice, "Someone Else")
    contact(bob, "Ann Lee", emails=["ann@acme.com"])
    groups = alice_client.get(reverse("network:duplicates")).context["groups"]
    found = sorted(sorted(c.full_name for c in g.contacts) for g in groups)
    assert found == [["Ann Lee", "Annie L."], ["Raj Patel", "raj patel"]]


def test_merging_keeps_every_email_tag_note_and_interaction(alice_client, alice):
    keep = contact(
        alice,
        "Ann Lee",
        emails=["ann@acme.com"],
        tags=["mentor"],
        company="Acme",
        notes="Met at PyCon.",
        keep_in_touch_days=90,
        title="CTO",
    )
    other = contact(
        alice,
        "Ann Lee",
        emails=["ann.lee@gmail.com"],
        tags=["climbing"],
        company="Acme Corp",
        notes="Climbs on Tuesdays.",
        location="Leeds",
        linkedin_url="https://www.linkedin.com/in/annlee",
    )
    introduced = contact(alice, "Ben")
    introduced.introduced_by = other
    introduced.save()
    interaction(alice, [keep], date(2026, 1, 1))
    interaction(alice, [other], date(2026, 2, 1), notes="Coffee")
    interaction(alice, [keep, other], date(2026, 3, 1))

    page = alice_client.get(reverse("network:merge"), {"keep": keep.id, "other": other.id})
    assert list(page.context["form"].fields) == ["company"]

    response = alice_client.post(
        reverse("network:merge") + f"?keep={keep.id}&other={other.id}", {"company": "other"}
    )

    assert response.url == reverse("timeline:contact", args=[keep.id])
    assert not Contact.objects.filter(pk=other.pk).exists()
    keep.refresh_from_db()
    assert keep.company == "Acme Corp"
    assert keep.title == "CTO" and keep.location == "Leeds"
    assert keep.linkedin_url == "https://www.linkedin.com/in/annlee"
    assert [e.email for e in keep.emails.all()] == ["ann@acme.com", "ann.lee@gmail.com"]
    assert sorted(t.name for t in keep.tags.all()) == ["climbing", "mentor"]
    assert keep.notes == "Met at PyCon.\n\nClimbs on Tuesdays."
    assert Interaction.objects.filter(contacts=keep).count() == 3
    assert keep.last_interaction_on == date(2026, 3, 1)
    introduced.refresh_from_db()
    assert introduced.introduced_by == keep
    assert other.uid in keep.merged_uids


def test_a_merged_contacts_file_still_matches_after_the_merge(alice):
    record = ContactRecord(line=1, full_name="Card Person", uid="vcard-uid-1")
    apply_import(
        alice, ParseResult(format="vcard", records=[record], total_rows=1), now=timezone.now()
    )
    carded = Contact.objects.get(uid="vcard-uid-1")
    keep = contact(alice, "Card Person", company="X")
    merge_contacts(keep, carded, [], timezone.now())
    again = apply_import(
        alice,
        ParseResult(
            format="vcard",
            records=[ContactRecord(line=1, full_name="Card Person", uid="vcard-uid-1")],
            total_rows=1,
        ),
        now=timezone.now(),
    )
    assert (len(again.plan.creates), again.plan.unchanged) == (0, 1)


def test_not_the_same_person_hides_the_suggestion(alice_client, alice):
    a, b = contact(alice, "Sam Lee"), contact(alice, "Sam Lee")
    alice_client.post(reverse("network:not_duplicates"), {"contact": [a.id, b.id]})
    assert alice_client.get(reverse("network:duplicates")).context["groups"] == []


def test_merging_needs_two_of_my_own_contacts(alice_client, alice, bob):
    mine, theirs = contact(alice, "Mine"), contact(bob, "Theirs")
    response = alice_client.get(reverse("network:merge"), {"keep": mine.id, "other": theirs.id})
    assert response.status_code == 404
    same = alice_client.get(reverse("network:merge"), {"keep": mine.id, "other": mine.id})
    assert same.status_code == 302
    assert Contact.objects.count() == 2
