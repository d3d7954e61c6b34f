"""A contact's monthly cap on introductions: set on the form, written by the contact services
in their own transaction, carried by the exports and by merging."""

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from introloop.network import exports
from introloop.network.importers.detect import parse_upload
from introloop.network.importers.introloop import EXPORT_CSV_HEADER
from introloop.network.imports import apply_import
from introloop.network.merging import merge_contacts
from introloop.network.models import Contact
from introloop.network.services import (
    InvalidContact,
    create_contact,
    record_from_contact,
    update_contact,
)

from .factories import contact

pytestmark = pytest.mark.django_db

TOM = {"full_name": "Tom Hale", "emails": "tom@example.org"}


def test_the_cap_is_set_changed_and_removed_on_the_form(alice_client, alice):
    alice_client.post(reverse("network:new"), {**TOM, "intro_cap_per_month": "2"})
    tom = Contact.objects.get(owner=alice)
    assert tom.intro_cap_per_month == 2

    edit = reverse("network:edit", args=[tom.id])
    form = alice_client.get(edit).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    assert data["intro_cap_per_month"] == 2

    alice_client.post(edit, {**data, "intro_cap_per_month": "5"})
    tom.refresh_from_db()
    assert tom.intro_cap_per_month == 5

    alice_client.post(edit, {**data, "intro_cap_per_month": ""})
    tom.refresh_from_db()
    assert tom.intro_cap_per_month is None


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "Between 1 and 100"), ("101", "Between 1 and 100"), ("two", "Enter a whole number.")],
)
def test_a_bad_cap_is_an_inline_error_and_changes_nothing(alice_client, alice, value, message):
    refused = alice_client.post(reverse("network:new"), {**TOM, "intro_cap_per_month": value})
    assert refused.status_code == 200
    assert message in refused.content.decode()
    assert not Contact.objects.exists()

    tom = contact(alice, "Tom Hale", emails=["tom@example.org"], company="Initech")
    tom.intro_cap_per_month = 3
    tom.save()
    edit = reverse("network:edit", args=[tom.id])
    data = {k: ("" if v is None else v) for k, v in alice_client.get(edit).context["form"].initial.items()}  # fmt: skip
    refused = alice_client.post(edit, {**data, "company": "Globex", "intro_cap_per_month": value})
    assert message in refused.content.decode()
    tom.refresh_from_db()
    assert (tom.intro_cap_per_month, tom.company) == (3, "Initech")


def test_the_services_refuse_a_cap_out_of_range(alice):
    record = record_from_contact(contact(alice, "Tom Hale"))
    with pytest.raises(InvalidContact, match="Between 1 and 100"):
        create_contact(alice, record, timezone.now(), intro_cap_per_month=0)
    tom = Contact.objects.get()
    with pytest.raises(InvalidContact):
        update_contact(tom, record_from_contact(tom), timezone.now(), intro_cap_per_month=101)
    with pytest.raises(InvalidContact, match="whole number"):
        update_contact(tom, record_from_contact(tom), timezone.now(), intro_cap_per_month="3")
    tom.refresh_from_db()
    assert Contact.objects.count() == 1 and tom.intro_cap_per_month is None


def test_an_update_without_a_cap_must_say_so(alice):
    tom = contact(alice, "Tom Hale")
    with pytest.raises(TypeError):
        update_contact(tom, record_from_contact(tom), timezone.now())


@pytest.fixture
def capped(alice):
    tom = contact(alice, "Tom Hale", emails=["tom@example.org"])
    update_contact(tom, record_from_contact(tom), timezone.now(), intro_cap_per_month=4)
    contact(alice, "Ann Lee")
    return alice


def test_the_exports_carry_the_cap(capped):
    [tom] = [c for c in exports.contacts_json(capped)["contacts"] if c["full_name"] == "Tom Hale"]
    assert tom["intro_cap_per_month"] == 4

    rows = list(csv.DictReader(io.StringIO(exports.contacts_csv(capped).lstrip("\ufeff"))))
    assert {r["Full name"]: r["Introductions a month at most"] for r in rows} == {
        "Ann Lee": "",
        "Tom Hale": "4",
    }
    assert "X-INTROLOOP-INTRO-CAP-PER-MONTH:4" in exports.contacts_vcard(capped)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_cap_comes_back_when_an_export_is_imported(capped, bob, fmt):
    if fmt == "csv":
        data = exports.contacts_csv(capped).encode()
    else:
        data = json.dumps(exports.contacts_json(capped)).encode()
    apply_import(bob, parse_upload(data, filename=f"contacts.{fmt}"), now=timezone.now())
    assert Contact.objects.get(owner=bob, full_name="Tom Hale").intro_cap_per_month == 4


def test_an_export_made_before_the_cap_had_a_column_still_imports(bob):
    earlier = [c for c in EXPORT_CSV_HEADER if c != "Introductions a month at most"]
    row = dict.fromkeys(earlier, "")
    row.update({"Full name": "Tom Hale", "Emails": "tom@example.org", "Keep in touch (days)": "30",
                "Birthday": "--04-15", "Source": "manual", "UID": "tom-1"})  # fmt: skip
    out = io.StringIO()
    csv.writer(out).writerows([earlier, [row[c] for c in earlier]])

    parsed = parse_upload(out.getvalue().encode(), filename="contacts.csv")

    assert (parsed.errors, parsed.warnings) == ([], [])
    [tom] = parsed.records
    assert (tom.keep_in_touch_days, tom.birthday, tom.uid) == (30, "--04-15", "tom-1")


def test_a_bad_cap_in_a_file_warns_and_imports_the_rest(capped, bob):
    document = exports.contacts_json(capped)
    document["contacts"][0]["intro_cap_per_month"] = 500
    document["contacts"][1]["intro_cap_per_month"] = "lots"
    parsed = parse_upload(json.dumps(document).encode(), filename="contacts.json")
    assert parsed.errors == []
    assert [w.message for w in parsed.warnings] == [
        "contact #1: '500' is not a number of introductions a month; no cap was set",
        "contact #2: 'lots' is not a number of introductions a month; no cap was set",
    ]
    assert len(parsed.records) == 2


def test_merging_keeps_the_other_contacts_cap_when_this_one_has_none(alice):
    keep = contact(alice, "Tom Hale", emails=["tom@example.org"])
    other = contact(alice, "Tom Hale", emails=["t.hale@example.org"])
    update_contact(other, record_from_contact(other), timezone.now(), intro_cap_per_month=2)
    merged = merge_contacts(keep, Contact.objects.get(pk=other.pk), [], timezone.now())
    assert Contact.objects.get(pk=merged.pk).intro_cap_per_month == 2


def test_the_merge_form_offers_the_cap_when_both_differ(alice_client, alice):
    keep = contact(alice, "Tom Hale", emails=["tom@example.org"])
    other = contact(alice, "Tom Hale", emails=["t.hale@example.org"])
    for c, cap in ((keep, 2), (other, 6)):
        update_contact(c, record_from_contact(c), timezone.now(), intro_cap_per_month=cap)
    url = reverse("network:merge") + f"?keep={keep.id}&other={other.id}"
    assert "Introductions a month at most" in alice_client.get(url).content.decode()

    alice_client.post(url, {"intro_cap_per_month": "other"})

    assert Contact.objects.get().intro_cap_per_month == 6
