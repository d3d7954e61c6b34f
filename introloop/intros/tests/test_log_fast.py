"""Logging an introduction fast: links that prefill the form, contact autocomplete, new people
becoming contacts, and the target's warnings shown before saving."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import make_user
from introloop.goals.models import Goal
from introloop.intros.models import Intro
from introloop.intros.services import Party
from introloop.network.models import Contact, ContactEmail
from introloop.network.tests.factories import contact

from .factories import intro

pytestmark = pytest.mark.django_db

NEW = reverse("intros:new")
CHECK = reverse("intros:new_check")
SUGGEST = reverse("network:suggest")


def form_page(client, **params) -> str:
    response = client.get(f"{NEW}?{urlencode(params)}")
    assert response.status_code == 200
    return response.content.decode()


def input_tag(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, name
    return found[0]


def request_data(**change) -> dict:
    """Alice, the seeker, asks Sam to introduce her to Tom: the form as she posts it."""
    return {
        "my_role": "seeker",
        "connector_name": "Sam Okafor",
        "connector_email": "sam@example.com",
        "target_name": "Tom Hale",
        "target_email": "tom@example.org",
        "target_company": "Hale & Co",
        "target_url": "https://www.linkedin.com/in/tomhale",
        "purpose": "how their data team hires",
        "start": "requested",
        **change,
    }


def test_a_link_prefills_the_form_by_field_names_and_saves_nothing(alice_client):
    html = form_page(
        alice_client,
        target_name="Tom Hale",
        target_url="https://www.linkedin.com/in/tomhale",
        purpose="how platform teams hire",
        start="introduced",
    )
    assert 'name="target_name" value="Tom Hale"' in html
    assert 'value="https://www.linkedin.com/in/tomhale"' in html
    assert "how platform teams hire</textarea>" in html
    assert '<option value="introduced" selected>' in html
    # The first person still to name gets the focus: the connector.
    assert "autofocus" in input_tag(html, "connector_name")
    assert "autofocus" not in input_tag(html, "target_name")
    assert not Intro.objects.exists() and not Contact.objects.exists()


def test_a_contact_fills_the_target_or_the_connector(alice_client, alice):
    ann = contact(
        alice, "Ann Lee", emails=["ann@acme.example"], company="Acme",
        linkedin_url="https://www.linkedin.com/in/annlee",
    )  # fmt: skip
    html = form_page(alice_client, contact=ann.id, **{"as": "target"}, purpose="Acme's hiring")
    assert 'name="target_name" value="Ann Lee"' in html
    assert 'name="target_email" value="ann@acme.example"' in html
    assert 'name="target_company" value="Acme"' in html
    assert 'value="https://www.linkedin.com/in/annlee"' in html

    html = form_page(alice_client, contact=ann.id, **{"as": "connector"})
    assert 'name="connector_name" value="Ann Lee"' in html
    assert 'name="connector_email" value="ann@acme.example"' in html
    assert re.search(r'<input[^>]*name="my_role" value="seeker"[^>]*checked', html)
    assert 'name="target_name" value="Ann Lee"' not in html


def test_another_users_contact_is_ignored_and_never_shown(alice_client, bob):
    secret = contact(bob, "Bella Secret", emails=["bella@hidden.example"], company="Hush")
    for party in ("target", "connector"):
        html = form_page(alice_client, contact=secret.id, **{"as": party})
        assert "Bella" not in html and "bella@hidden.example" not in html and "Hush" not in html


@pytest.mark.parametrize(
    "params",
    [
        {"contact": "abc"},
        {"contact": "99999"},
        {"contact": "1", "as": "boss"},
        {"my_role": "boss", "start": "exploded"},
        {"target_name": "x" * 5000, "purpose": "a\x00b"},
    ],
)
def test_odd_links_still_open_the_form(alice_client, params):
    html = form_page(alice_client, **params)
    assert "Log an introduction" in html
    assert "boss" not in html and "exploded" not in html


def test_autocomplete_lists_only_the_users_own_contacts(alice_client, alice, bob):
    contact(alice, "Sam Okafor", emails=["sam@example.com"], company="Okafor Ltd")
    contact(alice, "Samira Haddad")
    contact(bob, "Sam Bobsfriend", emails=["sam.b@example.net"])
    response = alice_client.get(SUGGEST, {"q": "sa"})
    assert response.status_code == 200
    found = response.json()["contacts"]
    assert sorted(c["name"] for c in found) == ["Sam Okafor", "Samira Haddad"]
    sam = next(c for c in found if c["name"] == "Sam Okafor")
    assert sam["email"] == "sam@example.com" and sam["company"] == "Okafor Ltd"
    assert "Bobsfriend" not in response.content.decode()


def test_autocomplete_answers_bad_input_with_empty_or_4xx(alice_client, alice, client):
    contact(alice, "Sam Okafor")
    assert alice_client.get(SUGGEST, {"q": "s"}).json() == {"contacts": []}
    assert alice_client.get(SUGGEST).json() == {"contacts": []}
    assert alice_client.get(SUGGEST, {"q": "s" * 101}).status_code == 400
    assert alice_client.get(SUGGEST, {"q": "sa\x00"}).status_code == 400
    assert alice_client.post(SUGGEST, {"q": "sa"}).status_code == 405
    anonymous = client.__class__().get(SUGGEST, {"q": "sa"})
    assert anonymous.status_code == 302 and "Sam" not in anonymous.content.decode()


def test_new_people_become_contacts_once(alice_client, alice):
    response = alice_client.post(NEW, request_data())
    assert response.status_code == 302
    first = Intro.objects.get()
    sam = Contact.objects.get(owner=alice, full_name="Sam Okafor")
    tom = Contact.objects.get(owner=alice, full_name="Tom Hale")
    assert tom.company == "Hale & Co" and tom.linkedin_url == "https://www.linkedin.com/in/tomhale"
    assert list(tom.emails.values_list("email", flat=True)) == ["tom@example.org"]
    assert (first.connector_contact, first.target_contact) == (sam, tom)
    assert not Contact.objects.filter(owner=alice, full_name="Alice Archer").exists()

    # The same people again, written differently: nobody is added twice.
    alice_client.post(
        NEW, request_data(connector_email="SAM@Example.com", purpose="a referral for the SRE role")
    )
    assert Contact.objects.filter(owner=alice).count() == 2
    assert Intro.objects.count() == 2


def test_an_existing_contact_is_linked_not_duplicated(alice_client, alice):
    tom = contact(alice, "Thomas Hale", emails=["tom@example.org"])
    alice_client.post(NEW, request_data())
    assert Contact.objects.filter(owner=alice, emails__email="tom@example.org").count() == 1
    assert Intro.objects.get().target_contact == tom
    assert Contact.objects.get(pk=tom.pk).full_name == "Thomas Hale"  # left as it was


def test_a_target_without_an_address_becomes_a_contact_found_by_name_next_time(alice_client, alice):
    data = request_data(target_name="Tomasz Nowak", target_email="", target_url="")
    alice_client.post(NEW, data)
    tomasz = Contact.objects.get(owner=alice, full_name="Tomasz Nowak")
    assert not tomasz.emails.exists()
    alice_client.post(NEW, {**data, "target_name": "tomasz  nowak", "purpose": "again"})
    assert Contact.objects.filter(owner=alice, name_key="tomasz nowak").count() == 1
    assert all(i.target_contact == tomasz for i in Intro.objects.all())


def test_a_page_other_than_linkedin_is_kept_in_the_notes(alice_client, alice):
    alice_client.post(NEW, request_data(target_url="https://tomhale.example/about"))
    tom = Contact.objects.get(owner=alice, full_name="Tom Hale")
    assert tom.linkedin_url == "" and "https://tomhale.example/about" in tom.notes


def test_a_refused_introduction_adds_no_contact(alice_client, alice):
    response = alice_client.post(NEW, request_data(target_email="alice@example.com"))
    assert "two different people" in response.content.decode()
    assert not Contact.objects.exists() and not ContactEmail.objects.exists()


def test_the_cooldown_warning_shows_before_saving_in_the_same_words(alice_client, alice, bob):
    intro(bob, now=timezone.now() - timedelta(days=3))  # someone else asked Tom lately
    fragment = alice_client.get(
        CHECK, {"target_name": "Tom Hale", "target_email": "TOM@example.org", "my_role": "seeker"}
    ).content.decode()
    assert "Tom Hale was asked for an introduction once in the last 30 days" in fragment
    assert "Bob" not in fragment

    live = fragment.split(">", 1)[1].split("</p>")[0]
    # A link that names the target shows it on arrival, too.
    assert live in form_page(alice_client, target_name="Tom Hale", target_email="tom@example.org")

    saved = alice_client.post(NEW, request_data(), follow=True).content.decode()
    assert live in saved  # the same sentence once saved


def test_the_cap_shows_before_saving_for_a_connector_only(alice_client, alice):
    tom = contact(alice, "Tom Hale", emails=["tom@example.org"])
    tom.intro_cap_per_month = 1
    tom.save()
    maya = make_user("maya@example.net", "Maya")
    intro(alice, seeker=Party("Maya", maya.email))  # Alice introduced Maya to Tom
    params = {"target_name": "Tom Hale", "target_email": "tom@example.org"}
    as_connector = alice_client.get(CHECK, {**params, "my_role": "connector"}).content.decode()
    assert "You capped introductions to Tom Hale at 1 a month, and made 1" in as_connector
    as_seeker = alice_client.get(CHECK, {**params, "my_role": "seeker"}).content.decode()
    assert "capped" not in as_seeker


@pytest.mark.parametrize(
    "params",
    [{}, {"target_email": "not an address"}, {"target_email": "x" * 300, "my_role": "connector"}],
)
def test_the_live_check_answers_odd_input_with_nothing(alice_client, params):
    response = alice_client.get(CHECK, params)
    assert response.status_code == 200 and response.content.decode().strip() == ""
    assert alice_client.post(CHECK, params).status_code == 405


def test_contact_and_goal_pages_start_a_prefilled_introduction(alice_client, alice):
    ann = contact(alice, "Ann Lee", company="Acme", title="Product Manager")
    page = alice_client.get(reverse("timeline:contact", args=[ann.id])).content.decode()
    assert f"{NEW}?contact={ann.id}&amp;as=target" in page
    assert "Ask for an introduction to Ann" in page
    assert f"{NEW}?contact={ann.id}&amp;as=connector" in page
    assert "Ask Ann to introduce you" in page

    goal = Goal.objects.create(owner=alice, title="Product roles at Acme", companies=["Acme"])
    page = alice_client.get(reverse("goals:detail", args=[goal.id])).content.decode()
    assert f"{NEW}?purpose=Product%20roles%20at%20Acme" in page
    row_link = f"{NEW}?contact={ann.id}&amp;as=target&amp;purpose=Product%20roles%20at%20Acme"
    assert row_link in page and "Ask for an introduction to Ann Lee" in page
