"""Background imports with real worker processes: three workers at once import a job once, and
a worker killed (kill -9) between two batches leaves a job that the next worker completes."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import database_url, make_user
from introloop.network import import_jobs, import_worker
from introloop.network.models import Contact, ImportJob, ImportRun

from .factories import linkedin_export

ROWS = 2500


def env(settings) -> dict:
    return {**os.environ, "DATABASE_URL": database_url(),
            "INTROLOOP_DATA_DIR": str(settings.DATA_DIR),
            "DJANGO_SETTINGS_MODULE": "introloop.settings"}  # fmt: skip


def assert_imported_once(job: ImportJob) -> None:
    job.refresh_from_db()
    assert job.status == "done"
    assert (job.processed, job.total, job.created, job.updated) == (ROWS, ROWS, ROWS, 0)
    assert Contact.objects.count() == ROWS
    assert Contact.objects.values("linkedin_url").distinct().count() == ROWS
    assert ImportRun.objects.get().created == ROWS


@pytest.mark.django_db(transaction=True)
def test_three_workers_at_once_import_a_job_once(settings):
    alice = make_user("alice@example.com")
    job = import_jobs.start_job(alice, linkedin_export(ROWS), filename="c.csv", now=timezone.now())
    command = [sys.executable, "-m", "introloop", "worker", "--once"]
    workers = [subprocess.Popen(command, env=env(settings), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE) for _ in range(3)]  # fmt: skip
    units = 0
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()
        units += int(out.decode().split("(")[1].split()[0])  # "One pass done (1 unit(s)…)"
    assert units == 1
    assert_imported_once(job)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_between_batches_leaves_a_job_the_next_worker_completes(settings):
    alice = make_user("alice@example.com")
    job = import_jobs.start_job(alice, linkedin_export(ROWS), filename="c.csv", now=timezone.now())
    # A worker that stops for a long time after its second batch of 500, to be killed there.
    script = (
        "import time, django; django.setup()\n"
        "from django.utils import timezone\n"
        "from introloop.network import import_jobs, import_worker\n"
        "def pause(n):\n    print('batch', n, flush=True)\n"
        "    if n == 2: time.sleep(600)\n"
        "import_jobs.BATCH_ROWS = 500\n"
        "import_worker.run_next(timezone.now(), on_batch=pause)\n"
    )
    worker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              env=env(settings))  # fmt: skip
    for _ in range(2):
        assert worker.stdout.readline().startswith(b"batch")
    time.sleep(0.2)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)

    job.refresh_from_db()
    assert (job.status, job.batches_done, job.processed) == ("running", 2, 1000)
    assert Contact.objects.count() == 1000
    assert import_worker.run_next(timezone.now()) == 0  # its lease still holds it

    assert import_worker.run_next(timezone.now() + import_jobs.LEASE) == 1  # resumed
    assert_imported_once(job)
    job.refresh_from_db()
    assert job.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_a_job_canceled_after_its_worker_was_killed_is_undone_by_the_next_worker(settings):
    alice = make_user("alice@example.com")
    job = import_jobs.start_job(alice, linkedin_export(ROWS), filename="c.csv", now=timezone.now())
    script = (
        "import time, django; django.setup()\n"
        "from django.utils import timezone\n"
        "from introloop.network import import_jobs, import_worker\n"
        "def pause(n):\n    print('batch', n, flush=True)\n    time.sleep(600)\n"
        "import_worker.run_next(timezone.now(), on_batch=pause)\n"
    )
    worker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              env=env(settings))  # fmt: skip
    assert worker.stdout.readline().startswith(b"batch")
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    import_jobs.request_cancel(job, timezone.now())
    assert Contact.objects.count() == 1000

    import_worker.run_next(timezone.now() + timedelta(minutes=5))
    job.refresh_from_db()
    assert (job.status, job.processed, job.batches_done) == ("canceled", 0, 0)
    assert not Contact.objects.exists()
