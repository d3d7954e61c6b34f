"""Importing through the web pages: upload, preview, commit; and refusing bad files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from introloop.network.models import Contact, ImportRun, ImportUpload

pytestmark = pytest.mark.django_db

CONNECTIONS = b"""Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing."

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Ada,Lovelace,https://www.linkedin.com/in/ada-lovelace,,Analytical Engines,Programmer,05 Nov 2024
Grace,Hopper,https://www.linkedin.com/in/gracehopper,grace@navy.mil,US Navy,"Rear Admiral, Ret.",12 Jan 2023
this row is garbage
"""


def upload(client, data: bytes, name="Connections.csv", fmt=""):
    return client.post(
        reverse("network:import"),
        {"file": SimpleUploadedFile(name, data), "format": fmt},
    )


def preview_and_commit(client, data: bytes, name="Connections.csv", before_commit=None):
    response = upload(client, data, name)
    assert response.status_code == 302, response.content.decode()
    preview = client.get(response.url)
    if before_commit:
        before_commit()
    commit_url = reverse("network:import_commit", args=[preview.context["upload"].id])
    return preview, client.post(commit_url, follow=True)


def nothing_imported_yet():
    assert not Contact.objects.exists()


def test_a_linkedin_export_is_previewed_then_imported(alice_client, alice):
    preview, done = preview_and_commit(
        alice_client, CONNECTIONS, before_commit=nothing_imported_yet
    )

    html = preview.content.decode()
    assert "2</strong> new" in html
    assert "Ada Lovelace" in html and "Grace Hopper" in html
    assert "Skipped rows (1)" in html
    assert "<td>7</td><td>expected 7 columns, found 1</td>" in html

    assert "Imported Connections.csv: 2 new, 0 updated, 0 unchanged; 1 row skipped." in (
        done.content.decode()
    )
    grace = Contact.objects.get(owner=alice, family_name="Hopper")
    assert grace.title == "Rear Admiral, Ret."
    assert grace.linkedin_url == "https://www.linkedin.com/in/gracehopper"
    assert [e.email for e in grace.emails.all()] == ["grace@navy.mil"]
    assert grace.source == "linkedin"
    assert not ImportUpload.objects.exists()
    assert ImportRun.objects.get().created == 2


def test_importing_the_same_file_again_creates_nothing(alice_client, alice):
    preview_and_commit(alice_client, CONNECTIONS)
    preview, _done = preview_and_commit(alice_client, CONNECTIONS)
    assert "0</strong> new" in preview.content.decode()
    assert "2</strong> unchanged" in preview.content.decode()
    assert Contact.objects.count() == 2


def test_a_newer_export_updates_what_changed(alice_client, alice):
    preview_and_commit(alice_client, CONNECTIONS)
    newer = CONNECTIONS.replace(b"Programmer", b"Chief Programmer")
    preview, _ = preview_and_commit(alice_client, newer)
    html = preview.content.decode()
    assert "1</strong> updated" in html
    assert "<del>Programmer</del> → <ins>Chief Programmer</ins>" in html
    assert Contact.objects.get(given_name="Ada").title == "Chief Programmer"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "photo.png", "not a contacts file"),
        (bytes(range(256)) * 50, "data.bin", "binary"),
    ],
)
def test_unusable_files_are_refused_with_a_clear_message(alice_client, data, name, message):
    response = upload(alice_client, data, name)
    assert response.status_code == 200
    assert message in response.content.decode().lower()
    assert not ImportUpload.objects.exists()


def test_a_file_over_the_limit_is_refused_before_reading(alice_client, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = upload(alice_client, b"Name,Email\n" + b"x,y@z.com\n" * 200)
    assert "the limit is" in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_a_generic_csv_asks_which_column_is_which(alice_client, alice):
    data = "Nom;Courriel;Société;Ville\nÉlodie Martin;elodie@exemple.fr;Acme;Lyon\n".encode(
        "latin-1"
    )
    response = upload(alice_client, data, "export.csv")
    preview = alice_client.get(response.url)
    html = preview.content.decode()
    assert "Which column is which?" in html
    form = preview.context["mapping_form"]
    mapping = {name: field.initial for name, field in form.fields.items()}
    assert mapping == {
        "col_0": "full_name",
        "col_1": "email",
        "col_2": "company",
        "col_3": "location",
    }

    # The user says "Ville" should be ignored.
    alice_client.post(response.url, {**mapping, "col_3": ""})
    commit = reverse("network:import_commit", args=[preview.context["upload"].id])
    alice_client.post(commit)
    elodie = Contact.objects.get(owner=alice)
    assert (elodie.full_name, elodie.company, elodie.location) == ("Élodie Martin", "Acme", "")


def test_cancelling_forgets_the_file(alice_client, alice):
    response = upload(alice_client, CONNECTIONS)
    upload_id = alice_client.get(response.url).context["upload"].id
    alice_client.post(reverse("network:import_cancel", args=[upload_id]))
    assert not ImportUpload.objects.exists()
    assert not Contact.objects.exists()


def test_someone_elses_pending_import_is_not_found(client, alice, bob, alice_client):
    response = upload(alice_client, CONNECTIONS)
    upload_id = alice_client.get(response.url).context["upload"].id
    client.force_login(bob)
    assert client.get(reverse("network:import_preview", args=[upload_id])).status_code == 404
    assert client.post(reverse("network:import_commit", args=[upload_id])).status_code == 404
    assert not Contact.objects.exists()


def test_a_csv_whose_columns_cannot_be_guessed_asks_for_a_mapping_first(alice_client, alice):
    data = b"Col A,Col B\nRita Moreno,rita@example.com\n"
    response = upload(alice_client, data, "mystery.csv")
    assert response.status_code == 302
    preview = alice_client.get(response.url)
    assert "Which column is which?" in preview.content.decode()
    assert preview.context["plan"] is None
    alice_client.post(response.url, {"col_0": "full_name", "col_1": "email"})
    again = alice_client.get(response.url)
    assert len(again.context["plan"].creates) == 1


def test_an_introloop_csv_export_needs_no_mapping(alice_client, alice):
    from introloop.network.exports import contacts_csv

    from .factories import contact

    contact(alice, "Exported Person", emails=["ep@example.com"], tags=["x"])
    data = contacts_csv(alice).encode()
    Contact.objects.all().delete()
    preview, _ = preview_and_commit(alice_client, data, "contacts.csv")
    assert preview.context["mapping_form"] is None
    assert Contact.objects.get().tags.get().name == "x"
