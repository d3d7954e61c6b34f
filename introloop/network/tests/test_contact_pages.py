from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from introloop.network.models import Contact, ContactTag, Interaction

from .factories import contact, interaction

pytestmark = pytest.mark.django_db

NEW = {
    "full_name": "  Priya   Raman ",
    "emails": "Priya@Acme.io (work)\npriya.r@gmail.com",
    "phones": "+44 20 7946 0018 (mobile)",
    "linkedin_url": "http://uk.linkedin.com/in/PriyaRaman/?trk=x",
    "company": "Acme",
    "title": "Head of Data",
    "industry": "Fintech",
    "location": "London",
    "tags": "data, mentor, Data",
    "strength": "warm",
    "how_we_met": "PyData London 2024",
    "how_they_can_help": "Intro to their hiring manager",
    "keep_in_touch_days": "60",
    "birthday": "04-15",
    "notes": "Loves climbing.",
}


def test_adding_a_contact_keeps_everything_in_tidy_form(alice_client, alice):
    response = alice_client.post(reverse("network:new"), NEW)

    c = Contact.objects.get(owner=alice)
    assert response.url == reverse("timeline:contact", args=[c.id])
    assert c.full_name == "Priya Raman"
    assert (c.given_name, c.family_name) == ("Priya", "Raman")
    assert [(e.email, e.kind) for e in c.emails.all()] == [
        ("priya@acme.io", "work"),
        ("priya.r@gmail.com", ""),
    ]
    assert c.phones == [{"number": "+44 20 7946 0018", "kind": "mobile"}]
    assert c.linkedin_url == "https://www.linkedin.com/in/priyaraman"
    assert sorted(t.name for t in c.tags.all()) == ["data", "mentor"]
    assert c.birthday == "--04-15"
    assert c.source == "manual"
    assert c.reconnect_due_on == timezone.now().date() + timedelta(days=60)

    page = alice_client.get(response.url).content.decode()
    for text in ("Priya Raman", "Head of Data at Acme", "priya@acme.io", "Intro to their hiring"):
        assert text in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "   ", "This field is required."),
        ("emails", "priya@acme.io\nnot-an-email", "Not an email address: not-an-email"),
        ("linkedin_url", "https://twitter.com/priya", "not a LinkedIn profile"),
        ("phones", "call me maybe", "Not a phone number"),
        ("keep_in_touch_days", "0", "greater than or equal to 1"),
        ("keep_in_touch_days", "soon", "Enter a whole number."),
        ("birthday", "1985-02-30", "Use YYYY-MM-DD"),
        ("strength", "bestie", "Select a valid choice."),
        ("tags", "x" * 51, "at most 50 characters"),
    ],
)
def test_bad_input_gets_an_inline_error_and_saves_nothing(alice_client, field, value, message):
    response = alice_client.post(reverse("network:new"), {**NEW, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Contact.objects.exists()


def test_a_linkedin_profile_belongs_to_one_contact(alice_client, alice):
    contact(alice, "Priya R.", linkedin_url="https://www.linkedin.com/in/priyaraman")
    response = alice_client.post(reverse("network:new"), NEW)
    assert "Priya R. already has this LinkedIn profile." in response.content.decode()
    assert Contact.objects.count() == 1


def test_editing_replaces_the_fields_and_keeps_the_rest(alice_client, alice):
    c = contact(alice, "Tom Hale", company="Initech", emails=["tom@hale.me"])
    interaction(alice, [c], date(2026, 3, 1))
    form = alice_client.get(reverse("network:edit", args=[c.id])).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(company="Globex", title="CTO", tags="investor")

    response = alice_client.post(reverse("network:edit", args=[c.id]), data)

    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.company, c.title) == ("Globex", "CTO")
    assert [e.email for e in c.emails.all()] == ["tom@hale.me"]
    assert [t.name for t in c.tags.all()] == ["investor"]
    assert c.last_interaction_on == date(2026, 3, 1)
    assert "globex" in c.search_text and "initech" not in c.search_text


def test_introduced_by_must_be_one_of_my_contacts(alice_client, alice, bob):
    mine = contact(alice, "Sam Connector")
    theirs = contact(bob, "Bob's Friend")
    ok = alice_client.post(reverse("network:new"), {**NEW, "introduced_by": mine.id})
    assert ok.status_code == 302
    assert Contact.objects.get(full_name="Priya Raman").introduced_by == mine

    refused = alice_client.post(
        reverse("network:new"), {**NEW, "linkedin_url": "", "introduced_by": theirs.id}
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()


def test_deleting_warns_then_removes_the_contact_and_their_solo_interactions(alice_client, alice):
    ann, ben = contact(alice, "Ann"), contact(alice, "Ben")
    interaction(alice, [ann], date(2026, 1, 1))
    interaction(alice, [ann, ben], date(2026, 1, 2))

    page = alice_client.get(reverse("network:delete", args=[ann.id])).content.decode()
    assert "This cannot be undone." in page
    assert "1 interaction with only Ann" in page
    assert Contact.objects.filter(pk=ann.pk).exists()

    alice_client.post(reverse("network:delete", args=[ann.id]))

    assert not Contact.objects.filter(pk=ann.pk).exists()
    assert [list(i.contacts.all()) for i in Interaction.objects.all()] == [[ben]]


def list_page(client, **params):
    return client.get(reverse("network:list"), params)


def names(response) -> list[str]:
    return [row["full_name"] for row in response.context["page"].object_list]


def test_search_matches_every_word_across_name_company_title_tags_and_notes(alice_client, alice):
    contact(alice, "José Álvarez", company="Globex", title="Designer", tags=["climbing"])
    contact(alice, "Mia Wong", company="Acme", notes="Met at the Globex party")
    contact(alice, "Li Wei", company="Acme", title="Engineer")

    assert names(list_page(alice_client, q="jose")) == ["José Álvarez"]
    assert names(list_page(alice_client, q="globex")) == ["José Álvarez", "Mia Wong"]
    assert names(list_page(alice_client, q="acme engineer")) == ["Li Wei"]
    assert names(list_page(alice_client, q="CLIMBING")) == ["José Álvarez"]
    assert names(list_page(alice_client, q="nobody-like-this")) == []


def test_filters_and_sorting(alice_client, alice):
    today = timezone.now().date()
    a = contact(alice, "Ada", company="Acme", strength="close", tags=["vc"], keep_in_touch_days=30)
    b = contact(alice, "Bea", company="acme", strength="warm", keep_in_touch_days=30)
    contact(alice, "Cy", company="Initech", strength="close")
    interaction(alice, [a], today - timedelta(days=45))
    interaction(alice, [b], today - timedelta(days=5))

    assert names(list_page(alice_client, tag="VC")) == ["Ada"]
    assert names(list_page(alice_client, company="ACME")) == ["Ada", "Bea"]
    assert names(list_page(alice_client, strength="close")) == ["Ada", "Cy"]
    assert names(list_page(alice_client, overdue="1")) == ["Ada"]
    assert names(list_page(alice_client, sort="last")) == ["Bea", "Ada", "Cy"]
    assert names(list_page(alice_client, sort="added")) == ["Cy", "Bea", "Ada"]
    assert names(list_page(alice_client, sort="nonsense", page="x")) == ["Ada", "Bea", "Cy"]


def test_the_list_shows_no_one_elses_contacts(alice_client, alice, bob):
    contact(bob, "Bob's Secret Friend")
    assert names(list_page(alice_client)) == []
    assert names(list_page(alice_client, q="secret")) == []


@pytest.mark.parametrize("filters", [{}, {"q": "person", "tag": "a"}])
def test_the_list_runs_the_same_number_of_queries_for_10_or_200_contacts(
    alice_client, alice, filters
):
    for n in range(10):
        contact(alice, f"Person {n}", emails=[f"p{n}@x.com"], tags=["a", "b"])
    with CaptureQueriesContext(connection) as few:
        list_page(alice_client, **filters)
    for n in range(10, 200):
        contact(alice, f"Person {n}", emails=[f"p{n}@x.com"], tags=["a", "c"])
    with CaptureQueriesContext(connection) as many:
        response = list_page(alice_client, **filters)
    assert len(response.context["page"].object_list) == 50
    assert len(many) == len(few)


def test_a_row_shows_first_email_headline_tags_last_spoke_and_overdue(alice_client, alice):
    zoe = contact(alice, "Zoe Park", emails=["zoe@x.com", "z@y.com"], tags=["b", "A"],
                  title="CTO", company="Acme")  # fmt: skip
    Contact.objects.filter(id=zoe.id).update(
        last_interaction_on=date(2024, 3, 5), reconnect_due_on=date(2000, 1, 1)
    )
    html = list_page(alice_client).content.decode()
    assert f'<a href="/contacts/{zoe.id}/"><strong>Zoe Park</strong></a>' in html
    assert '<br><small class="muted">zoe@x.com</small>' in html
    assert "<td>CTO at Acme</td>" in html
    assert '<span class="tag">A</span> <span class="tag">b</span>' in html
    assert "5 Mar 2024" in html
    assert "Reconnect overdue" in html


def test_htmx_search_swaps_only_the_results(alice_client, alice):
    contact(alice, "Zoe Park")
    response = alice_client.get(
        reverse("network:list"),
        {"q": "zoe"},
        headers={"HX-Request": "true", "HX-Target": "contact-results"},
    )
    html = response.content.decode()
    assert "Zoe Park" in html
    assert "<html" not in html


def test_bulk_tagging_adds_and_removes_on_the_ticked_contacts_only(alice_client, alice, bob):
    a, b, c = contact(alice, "A"), contact(alice, "B"), contact(alice, "C")
    theirs = contact(bob, "Theirs")
    url = reverse("network:bulk_tag")

    alice_client.post(url, {"contacts": [a.id, b.id], "tag": "Recruiters", "action": "add"})
    assert sorted(ContactTag.objects.values_list("contact__full_name", flat=True)) == ["A", "B"]
    assert "recruiters" in Contact.objects.get(pk=a.pk).search_text

    alice_client.post(url, {"contacts": [a.id], "tag": "recruiters", "action": "remove"})
    assert list(ContactTag.objects.values_list("contact__full_name", flat=True)) == ["B"]

    response = alice_client.post(
        url, {"contacts": [theirs.id, c.id], "tag": "x", "action": "add"}, follow=True
    )
    assert "Select a valid choice" in response.content.decode()
    assert not ContactTag.objects.filter(contact=theirs).exists()


def test_the_picker_finds_my_contacts_only(alice_client, alice, bob):
    contact(alice, "Nadia Noor", company="Acme")
    contact(bob, "Nadia Other")
    html = alice_client.get(reverse("network:pick"), {"q": "nadia", "name": "contacts"}).content
    assert b"Nadia Noor" in html and b"Nadia Other" not in html
