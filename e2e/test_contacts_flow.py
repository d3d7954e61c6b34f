"""A seeker imports their LinkedIn connections, finds people, and logs a coffee, in a browser."""

import re

import pytest
from playwright.sync_api import expect

from introloop.network.models import Contact, Interaction

from .test_accounts_flow import heading, log_in, make_user

pytestmark = pytest.mark.e2e

CONNECTIONS = """Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing."

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Ada,Lovelace,https://www.linkedin.com/in/ada-lovelace,,Analytical Engines,Programmer,05 Nov 2024
Grace,Hopper,https://www.linkedin.com/in/gracehopper,grace@navy.mil,US Navy,Rear Admiral,12 Jan 2023
Katherine,Johnson,https://www.linkedin.com/in/kjohnson,,NASA,Mathematician,20 Feb 2022
Alan,Turing,https://www.linkedin.com/in/alan-turing,,Bletchley Park,Cryptanalyst,14 Mar 2021
"""


def test_import_search_and_log_a_coffee(page, screenshot, tmp_path):
    user = make_user("maya@example.com", "Maya Chen")
    log_in(page, user.email)
    page.goto("/contacts/")
    expect(heading(page, "Contacts 0")).to_be_visible()
    page.get_by_role("button", name="Import contacts").first.click()

    export = tmp_path / "Connections.csv"
    export.write_text(CONNECTIONS)
    page.get_by_label("File").set_input_files(str(export))
    page.get_by_role("button", name="Upload and preview").click()
    expect(heading(page, "Preview: Connections.csv")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("4 new")
    screenshot(page, "contacts-import-preview.png")
    assert not Contact.objects.exists()

    page.get_by_role("button", name="Import 4 new and 0 updated").click()
    expect(page).to_have_url(re.compile(r"/contacts/$"))
    expect(page.get_by_text("Imported Connections.csv: 4 new")).to_be_visible()
    assert Contact.objects.filter(owner=user).count() == 4

    # Live search: typing narrows the list without a page load.
    page.get_by_placeholder("Search name, company, title, tags, notes…").fill("navy")
    expect(page.locator("table.contacts tbody tr")).to_have_count(1)
    expect(page.locator("table.contacts")).to_contain_text("Grace Hopper")
    assert "q=navy" in page.url
    screenshot(page, "contacts-search.png")

    page.get_by_role("link", name="Grace Hopper").click()
    expect(heading(page, "Grace Hopper")).to_be_visible()
    # With nothing logged yet, the form is open already.
    page.get_by_label("What").select_option("coffee")
    page.get_by_label("When").fill("2026-11-20")
    # Add Ada to the same coffee with the contact picker.
    page.get_by_placeholder("Type a name to find a contact…").fill("ada")
    page.get_by_role("checkbox", name=re.compile("Ada Lovelace")).check()
    page.get_by_label("Notes").fill("Talked about compilers and the data team.")
    page.get_by_role("button", name="Log it").click()

    expect(page.locator(".timeline")).to_contain_text("Coffee")
    expect(page.locator(".timeline")).to_contain_text("Ada Lovelace")
    interaction = Interaction.objects.get()
    assert sorted(c.full_name for c in interaction.contacts.all()) == [
        "Ada Lovelace",
        "Grace Hopper",
    ]
    screenshot(page, "contact-detail.png")


def test_bulk_tagging_from_the_list(page):
    from introloop.network.tests.factories import contact

    user = make_user("sam@example.com", "Sam")
    for name in ("Ann Archer", "Ben Brook", "Cal Cole"):
        contact(user, name)
    log_in(page, user.email)
    page.goto("/contacts/")
    page.get_by_role("checkbox", name="Tick Ann Archer").check()
    page.get_by_role("checkbox", name="Tick Cal Cole").check()
    page.get_by_placeholder("Tag", exact=True).fill("recruiters")
    page.get_by_role("button", name="Tag ticked", exact=True).click()
    expect(page.get_by_text("Tagged 2 contacts")).to_be_visible()
    tagged = Contact.objects.filter(owner=user, tags__name="recruiters")
    assert sorted(tagged.values_list("full_name", flat=True)) == ["Ann Archer", "Cal Cole"]
