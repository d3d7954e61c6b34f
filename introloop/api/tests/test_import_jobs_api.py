"""POST /api/v1/imports of a large file answers 202 at once; GET /api/v1/imports/{id} follows
the background import until it is done; POST /api/v1/imports/{id}/cancel undoes it."""

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import ApiClient, api_token_for, database_url, make_user
from introloop.network import import_jobs, import_worker
from introloop.network.models import Contact, ImportJob
from introloop.network.tests.factories import contact, linkedin_export

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ROWS = 2500  # more than IMPORT_BACKGROUND_ROWS (2,000)
GARBAGE = b"this row is garbage\n"


def post_import(api, data: bytes, name: str = "Connections.csv", **fields):
    return api.post("/api/v1/imports", data={"file": SimpleUploadedFile(name, data), **fields})


@pytest.mark.django_db
def test_a_large_import_answers_202_then_polling_follows_it_to_the_end(alice_api, alice):
    contact(alice, "Ada Lovelace", emails=["person3@example.com"])
    started = post_import(alice_api, linkedin_export(ROWS) + GARBAGE)

    assert started.status_code == 202
    job_id = started.json()["id"]
    assert started.json() == {"id": job_id, "status": "queued"}
    assert Contact.objects.count() == 1  # the request imported nothing
    url = f"/api/v1/imports/{job_id}"
    assert alice_api.get(url).json() == {
        "id": job_id, "status": "queued", "processed": 0, "total": 0,
        "created": 0, "updated": 0, "unchanged": 0, "errors": [],
    }  # fmt: skip

    polled = []
    import_worker.run_next(NOW, on_batch=lambda number: polled.append(alice_api.get(url).json()))
    assert [(p["status"], p["processed"], p["total"]) for p in polled] == [
        ("running", 1000, ROWS),
        ("running", 2000, ROWS),
        ("running", ROWS, ROWS),
    ]

    done = alice_api.get(url).json()
    assert done == {
        "id": job_id, "status": "done", "processed": ROWS, "total": ROWS,
        "created": ROWS - 1, "updated": 1, "unchanged": 0,
        "errors": [{"line": 4 + ROWS + 1, "message": "expected 7 columns, found 1"}],
    }  # fmt: skip
    assert Contact.objects.count() == ROWS
    assert Contact.objects.get(full_name="Person 3").emails.get().email == "person3@example.com"


@pytest.mark.django_db
def test_a_small_import_still_answers_its_result_at_once(alice_api):
    result = post_import(alice_api, linkedin_export(10))
    assert result.status_code == 200
    assert (result.json()["created"], result.json()["dry_run"]) == (10, False)
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_a_dry_run_of_a_large_file_is_refused_with_the_reason(alice_api):
    refused = post_import(alice_api, linkedin_export(ROWS), dry_run="true")
    assert refused.status_code == 422
    assert "dry_run is for files of up to 2,000 rows" in refused.json()["detail"]
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_a_large_file_that_cannot_be_read_is_refused_at_once(alice_api):
    refused = post_import(alice_api, b"Col A,Col B\n" + b"Rita Moreno,rita@example.com\n" * ROWS)
    assert refused.status_code == 422
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_canceling_a_running_import_undoes_it(alice_api, alice):
    job_id = post_import(alice_api, linkedin_export(ROWS)).json()["id"]
    answers = []

    def cancel_after_the_first_batch(number):
        if number == 1:
            answers.append(alice_api.post(f"/api/v1/imports/{job_id}/cancel"))

    import_worker.run_next(NOW, on_batch=cancel_after_the_first_batch)

    assert answers[0].status_code == 200
    assert (answers[0].json()["status"], answers[0].json()["processed"]) == ("running", 1000)
    final = alice_api.get(f"/api/v1/imports/{job_id}").json()
    assert (final["status"], final["processed"], final["created"]) == ("canceled", 0, 0)
    assert not Contact.objects.exists()
    again = alice_api.post(f"/api/v1/imports/{job_id}/cancel")
    assert (again.status_code, again.json()["status"]) == (200, "canceled")


@pytest.mark.django_db
def test_a_done_import_cannot_be_canceled(alice_api):
    job_id = post_import(alice_api, linkedin_export(ROWS)).json()["id"]
    import_worker.run_next(NOW)
    refused = alice_api.post(f"/api/v1/imports/{job_id}/cancel")
    assert refused.status_code == 409
    assert "done" in refused.json()["detail"]
    assert Contact.objects.count() == ROWS


@pytest.mark.django_db
def test_someone_elses_import_is_404(alice_api, bob_api):
    job_id = post_import(alice_api, linkedin_export(ROWS)).json()["id"]
    assert bob_api.get(f"/api/v1/imports/{job_id}").status_code == 404
    assert bob_api.post(f"/api/v1/imports/{job_id}/cancel").status_code == 404
    assert ImportJob.objects.get().status == "queued"


@pytest.mark.django_db
def test_polling_takes_the_same_queries_however_many_rows_were_skipped(
    alice_api, django_assert_num_queries
):
    few = post_import(alice_api, linkedin_export(ROWS)).json()["id"]
    many = post_import(alice_api, linkedin_export(ROWS) + GARBAGE * 500).json()["id"]
    for job_id in (few, many):
        with django_assert_num_queries(2):  # the token, the job
            alice_api.get(f"/api/v1/imports/{job_id}")
    import_worker.run_next(NOW)
    import_worker.run_next(NOW)
    for job_id in (few, many):
        with django_assert_num_queries(2):
            answer = alice_api.get(f"/api/v1/imports/{job_id}").json()
        assert answer["status"] == "done"
    assert len(answer["errors"]) == 500


@pytest.mark.django_db(transaction=True)
def test_adding_a_contact_while_a_worker_writes_an_import_succeeds(settings):
    """On SQLite, one writer at a time: the API waits for the batch in progress (its busy
    timeout), and never fails with "database is locked"."""
    alice = make_user("alice@example.com")
    api = ApiClient(Client(), api_token_for(alice))
    rows = 5000
    job = import_jobs.start_job(alice, linkedin_export(rows), filename="c.csv", now=NOW)
    # 50 batches of 100, with a moment between two (a worker has other work too).
    script = (
        "import time, django; django.setup()\n"
        "from django.utils import timezone\n"
        "from introloop.network import import_jobs, import_worker\n"
        "import_jobs.BATCH_ROWS = 100\n"
        "def between(n):\n    print('batch', n, flush=True)\n    time.sleep(0.02)\n"
        "import_worker.run_next(timezone.now(), on_batch=between)\n"
    )
    environment = {**os.environ, "DATABASE_URL": database_url(),
                   "INTROLOOP_DATA_DIR": str(settings.DATA_DIR),
                   "DJANGO_SETTINGS_MODULE": "introloop.settings"}  # fmt: skip
    worker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=environment)  # fmt: skip
    assert worker.stdout.readline().startswith(b"batch")  # it is writing its batches

    added, during = 0, 0
    while worker.poll() is None:
        running = ImportJob.objects.filter(id=job.id, status="running").exists()
        answer = api.post("/api/v1/contacts", json={"full_name": f"Hand-added {added}"})
        assert answer.status_code == 201, answer.content.decode()
        added += 1
        during += running and ImportJob.objects.filter(id=job.id, status="running").exists()
    _, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err.decode()

    assert during >= 1  # contacts were added while the import ran
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", rows)
    assert Contact.objects.count() == rows + added
