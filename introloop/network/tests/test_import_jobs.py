"""Large imports run in the background: the upload becomes a job, the worker imports it batch
by batch while the page shows the progress, and a job that fails or is canceled leaves the
contact book exactly as it was."""

import csv
import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from introloop.network import import_jobs, import_worker
from introloop.network.importers.detect import parse_upload
from introloop.network.importers.introloop import EXPORT_CSV_HEADER
from introloop.network.models import (
    Contact,
    ContactEmail,
    ImportJob,
    ImportJobBatch,
    ImportRun,
    ImportUpload,
    Tag,
)
from introloop.ops.worker import prune_import_uploads

from .factories import contact, linkedin_export

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LATER = NOW + import_jobs.LEASE + timedelta(seconds=1)  # the first worker's lease has run out
ROWS = 2500  # more than IMPORT_BACKGROUND_ROWS (2,000): batches of 1,000, 1,000 and 500


def upload(client, data: bytes, name: str = "Connections.csv"):
    return client.post(
        reverse("network:import"), {"file": SimpleUploadedFile(name, data), "format": ""}
    )


def progress(client, job: ImportJob) -> str:
    """The progress part of the job's page, as HTMX fetches it every two seconds."""
    url = reverse("network:import_job", args=[job.id])
    return client.get(url, headers={"HX-Request": "true"}).content.decode()


def as_it_is(person: Contact) -> dict:
    """Everything an import could change about a contact."""
    row = Contact.objects.filter(pk=person.pk).values().get()
    emails = sorted(ContactEmail.objects.filter(contact=person).values_list("email", "kind"))
    return {**row, "emails": emails, "tags": sorted(t.name for t in person.tags.all())}


def test_a_large_export_is_imported_in_the_background_while_the_page_follows_it(
    alice_client, alice
):
    garbage_line = 4 + ROWS + 1
    response = upload(alice_client, linkedin_export(ROWS) + b"this row is garbage\n")

    job = ImportJob.objects.get()
    assert response.url == reverse("network:import_job", args=[job.id])
    assert not Contact.objects.exists()  # the upload request imported nothing
    page = alice_client.get(response.url).content.decode()
    assert "imported in the background" in page
    assert 'hx-trigger="every 2s"' in page
    assert "<progress" in page and "Cancel the import" in page
    listed = alice_client.get(reverse("network:import")).content.decode()
    assert "Connections.csv" in listed and "waiting to start" in listed

    seen = []
    import_worker.run_next(NOW, on_batch=lambda number: seen.append(progress(alice_client, job)))

    assert len(seen) == 3
    assert "1,000 of 2,500 contacts written (40%)" in seen[0]
    assert '<progress value="1000" max="2500"' in seen[0]
    assert 'hx-trigger="every 2s"' in seen[0]  # still polling
    done = progress(alice_client, job)
    assert "hx-trigger" not in done  # the result is final: no more polling
    assert "<strong>2,500</strong> new" in done
    assert "<strong>1</strong> row skipped" in done
    assert f"<td>{garbage_line}</td><td>expected 7 columns, found 1</td>" in done
    assert f'href="{reverse("network:list")}"' in done
    assert Contact.objects.filter(owner=alice).count() == ROWS
    assert ImportRun.objects.get().created == ROWS
    job.refresh_from_db()
    assert (job.status, job.upload, job.batches.count()) == ("done", None, 0)
    assert not ImportUpload.objects.exists()


def test_a_small_file_keeps_its_preview_and_no_job_is_made(alice_client):
    response = upload(alice_client, linkedin_export(20))
    assert response.url.startswith("/contacts/import/")
    assert "20</strong> new" in alice_client.get(response.url).content.decode()
    assert not ImportJob.objects.exists()


def test_a_linkedin_zip_is_imported_in_the_background_too(alice_client, alice):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("Basic_LinkedInDataExport/Connections.csv", linkedin_export(ROWS))
    upload(alice_client, archive.getvalue(), "Basic_LinkedInDataExport.zip")
    assert import_worker.run_next(NOW) == 1
    assert ImportJob.objects.get().status == "done"
    assert Contact.objects.filter(owner=alice).count() == ROWS


def zip_bomb() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("Connections.csv", b"a" * (20 * 1024 * 1024))  # ~20 KB packed
    return archive.getvalue()


def test_a_zip_bomb_is_refused_at_upload_and_by_the_worker(alice_client, alice):
    response = upload(alice_client, zip_bomb(), "export.zip")
    assert "ZIP bomb" in response.content.decode()
    assert not ImportJob.objects.exists()

    # A job that holds one all the same (queued through another door) fails with the reason.
    job = import_jobs.start_job(alice, zip_bomb(), filename="export.zip", now=NOW)
    import_worker.run_next(NOW)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "ZIP bomb" in job.failure
    assert "ZIP bomb" in progress(alice_client, job)
    assert not Contact.objects.exists()


def test_a_large_generic_csv_asks_which_column_is_which_then_runs_in_the_background(
    alice_client, alice
):
    rows = "".join(f"Person {n};person{n}@example.com;Acme;Lyon\n" for n in range(ROWS))
    response = upload(alice_client, ("Nom;Courriel;Société;Ville\n" + rows).encode(), "crm.csv")
    preview = alice_client.get(response.url)
    html = preview.content.decode()
    assert "Which column is which?" in html
    assert "about 2,501 rows" in html and "Import in the background" in html
    mapping = {name: f.initial for name, f in preview.context["mapping_form"].fields.items()}
    alice_client.post(response.url, {**mapping, "col_3": ""})  # "Ville" is not a location

    started = alice_client.post(
        reverse("network:import_commit", args=[preview.context["upload"].id])
    )
    job = ImportJob.objects.get()
    assert started.url == reverse("network:import_job", args=[job.id])
    assert job.upload_id == preview.context["upload"].id  # the job holds the file now
    assert alice_client.get(response.url).status_code == 404  # no longer a preview
    import_worker.run_next(NOW)
    assert Contact.objects.filter(owner=alice, company="Acme", location="").count() == ROWS


def big_introloop_csv(extra_rows: list[dict]) -> bytes:
    """An Introloop CSV export of ROWS new people, tagged, then `extra_rows`."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_CSV_HEADER, restval="")
    writer.writeheader()
    for n in range(ROWS):
        writer.writerow(
            {"Full name": f"Person {n}", "Emails": f"person{n}@example.com", "Tags": "Conference"}
        )
    writer.writerows(extra_rows)
    return out.getvalue().encode()


def test_canceling_midway_removes_what_it_added_and_puts_back_what_it_changed(alice_client, alice):
    ada = contact(
        alice, "Ada Lovelace", emails=["ada@example.com"], title="Countess", tags=["Friends"]
    )
    contact(alice, "Someone Else", tags=["Mentors"])
    before = as_it_is(ada)
    data = big_introloop_csv(
        [
            {
                "Full name": "Ada Lovelace",
                "Emails": "ada@example.com ::: ada@engines.org",
                "Phones": "+44 20 7946 0000",
                "Title": "Programmer",
                "Tags": "Mentors, Conference",
                "Notes": "Wrote the first program",
            }
        ]
    )
    upload(alice_client, data, "contacts.csv")
    job = ImportJob.objects.get()

    def cancel_after_the_last_batch(number):
        if number == 3:  # Ada's update is in it
            changed = as_it_is(ada)
            assert changed["title"] == "Programmer"
            assert changed["tags"] == ["Conference", "Friends", "Mentors"]
            alice_client.post(reverse("network:import_job_cancel", args=[job.id]))
            assert "Canceling" in progress(alice_client, job)

    import_worker.run_next(NOW, on_batch=cancel_after_the_last_batch)

    job.refresh_from_db()
    assert job.status == "canceled"
    assert (job.processed, job.created, job.updated) == (0, 0, 0)
    assert as_it_is(ada) == before
    assert Contact.objects.filter(owner=alice).count() == 2
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Friends", "Mentors"]
    assert not ImportJobBatch.objects.exists() and not ImportRun.objects.exists()
    assert "Import canceled: nothing was imported" in progress(alice_client, job)


def test_a_queued_import_canceled_from_its_page_never_starts(alice_client, alice):
    upload(alice_client, linkedin_export(ROWS))
    job = ImportJob.objects.get()
    alice_client.post(reverse("network:import_job_cancel", args=[job.id]))
    assert import_worker.run_next(NOW) == 0
    job.refresh_from_db()
    assert (job.status, job.upload) == ("canceled", None)
    assert not ImportUpload.objects.exists()
    assert not Contact.objects.exists()


def test_a_batch_that_breaks_a_database_rule_undoes_the_whole_import(alice_client, alice):
    ada = contact(alice, "Ada Lovelace", emails=["person7@example.com"])
    before = as_it_is(ada)
    upload(alice_client, linkedin_export(ROWS))
    job = ImportJob.objects.get()

    def meanwhile(number):
        if number == 1:
            # Alice adds by hand someone the second batch is about to add: its INSERT breaks
            # the rule of one contact per LinkedIn profile.
            contact(alice, "Person 1500", linkedin_url="https://www.linkedin.com/in/person-1500")

    import_worker.run_next(NOW, on_batch=meanwhile)

    job.refresh_from_db()
    assert job.status == "failed"
    assert job.failure == import_jobs.FAILED
    assert set(Contact.objects.values_list("full_name", flat=True)) == {
        "Ada Lovelace",  # updated by the first batch (her email is Person 7's), put back
        "Person 1500",
    }
    assert as_it_is(ada) == before
    assert "Nothing was imported" in progress(alice_client, job)


def test_a_worker_that_lost_its_lease_stops_and_the_job_is_imported_once(alice):
    job = import_jobs.start_job(alice, linkedin_export(ROWS), filename="c.csv", now=NOW)
    first = import_worker.claim_next_job(NOW)
    assert import_worker.claim_next_job(NOW) is None  # held

    def first_worker_stalls(number):
        if number == 1:  # ...so long that its lease runs out and another worker resumes
            second = import_worker.claim_next_job(LATER)
            assert second is not None and second.id == job.id
            import_worker.run_job(second, LATER)

    import_worker.run_job(first, NOW, on_batch=first_worker_stalls)

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
    assert (job.processed, job.total, job.created, job.unchanged) == (ROWS, ROWS, ROWS, 0)
    assert Contact.objects.count() == ROWS
    assert Contact.objects.values("linkedin_url").distinct().count() == ROWS
    assert ImportRun.objects.get().created == ROWS


def test_a_job_whose_workers_keep_dying_is_given_up_and_undone(alice):
    job = import_jobs.start_job(alice, linkedin_export(ROWS), filename="c.csv", now=NOW)
    moment = NOW
    for _ in range(import_jobs.MAX_ATTEMPTS):
        assert import_worker.claim_next_job(moment) is not None  # ...and the worker dies
        moment += import_jobs.LEASE + timedelta(seconds=1)
    import_worker.run_next(moment)
    job.refresh_from_db()
    assert (job.status, job.failure) == ("failed", import_jobs.FAILED)
    assert not Contact.objects.exists()


def test_someone_elses_job_is_not_found(client, alice, bob):
    job = import_jobs.start_job(alice, linkedin_export(ROWS), filename="c.csv", now=NOW)
    client.force_login(bob)
    assert client.get(reverse("network:import_job", args=[job.id])).status_code == 404
    assert client.post(reverse("network:import_job_cancel", args=[job.id])).status_code == 404
    assert ImportJob.objects.get().status == "queued"


def test_the_progress_part_takes_the_same_queries_however_many_rows_were_skipped(
    alice_client, alice, django_assert_num_queries
):
    few = import_jobs.start_job(alice, linkedin_export(ROWS), filename="a.csv", now=NOW)
    many = import_jobs.start_job(
        alice, linkedin_export(ROWS) + b"garbage\n" * 500, filename="b.csv", now=NOW
    )
    import_worker.run_next(NOW)
    import_worker.run_next(NOW)
    for job in (few, many, few):
        with django_assert_num_queries(3):  # the session, the user, the job
            html = progress(alice_client, job)
        assert "skipped" in html


def test_a_large_vcard_file_is_imported_in_the_background(alice_client, alice):
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {n}\r\nEMAIL:person{n}@example.com\r\n"
        "END:VCARD\r\n"
        for n in range(ROWS)
    )
    upload(alice_client, cards.encode(), "contacts.vcf")
    import_worker.run_next(NOW)
    assert ImportJob.objects.get().status == "done"
    assert Contact.objects.filter(owner=alice, source="vcard").count() == ROWS


def test_a_waiting_job_keeps_its_file_and_ended_jobs_are_forgotten_after_a_month(alice):
    waiting = import_jobs.start_job(alice, linkedin_export(ROWS), filename="a.csv", now=NOW)
    ended = import_jobs.start_job(alice, linkedin_export(ROWS), filename="b.csv", now=NOW)
    import_jobs.request_cancel(ended, NOW)

    prune_import_uploads(NOW + timedelta(days=2))
    assert ImportUpload.objects.get().job == waiting  # no worker for two days: still there
    prune_import_uploads(NOW + timedelta(days=31))
    assert list(ImportJob.objects.all()) == [waiting]


def test_one_persons_large_imports_run_one_at_a_time(alice, bob):
    first = import_jobs.start_job(alice, linkedin_export(ROWS), filename="a.csv", now=NOW)
    import_jobs.start_job(alice, linkedin_export(ROWS, start=ROWS), filename="b.csv", now=NOW)
    theirs = import_jobs.start_job(bob, linkedin_export(ROWS), filename="c.csv", now=NOW)

    assert import_worker.claim_next_job(NOW).id == first.id
    assert import_worker.claim_next_job(NOW).id == theirs.id  # Alice's second waits for her first
    assert import_worker.claim_next_job(NOW) is None


def test_a_contact_added_while_the_file_is_being_planned_does_not_break_the_import(alice):
    """The owner goes on working while a job reads their book: a contact (with an address)
    added between the job's read of contacts and of addresses is simply not in its plan."""
    from django.db import connection

    from introloop.network.import_plan import plan_import

    parsed = parse_upload(linkedin_export(10), filename="c.csv")
    added = []

    def meanwhile(execute, sql, params, many, context):
        if "FROM network_contactemail" in sql and not added:
            added.append(contact(alice, "Added Meanwhile", emails=["added@example.org"]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(meanwhile):
        plan = plan_import(alice, parsed)

    assert added and len(plan.creates) == 10
