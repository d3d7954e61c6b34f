"""Exactly once, with real processes: three workers at once, a worker killed mid-sweep, and an
SMTP server that refuses mail for a while."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from conftest import database_url, make_user
from introloop.intros.services import Party
from introloop.outbox import delivery
from introloop.outbox.models import Message
from introloop.reminders.models import Reminder
from introloop.reminders.sweep import sweep

from .factories import introduced

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def env(settings) -> dict:
    return {**os.environ, "DATABASE_URL": database_url(),
            "INTROLOOP_DATA_DIR": str(settings.DATA_DIR)}  # fmt: skip


def many_due(n_users: int = 30) -> int:
    """Users with something overdue (digests), seekers without accounts (nudges) and late
    seekers (heads-ups to their connector). Returns how many reminders should exist."""
    for n in range(n_users):
        user = make_user(f"user{n}@example.com", f"User {n}")
        introduced(user, NOW - timedelta(days=6))
        introduced(
            user, NOW - timedelta(days=6), seeker=Party(f"Guest {n}", f"guest{n}@example.net")
        )
    return sweep(NOW, dry_run=True).queued


@pytest.mark.django_db(transaction=True)
def test_three_workers_sweeping_at_once_queue_each_reminder_once(settings):
    expected = many_due()
    keys = {c.key for c in sweep(NOW, dry_run=True).candidates}
    assert expected >= 90  # 30 digests + 30 nudges + 30 heads-ups (+ escalations)
    command = [sys.executable, "-m", "introloop", "remind", "--as-of", NOW.isoformat(), "--json"]
    workers = [subprocess.Popen(command, env=env(settings), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE) for _ in range(3)]  # fmt: skip
    summaries = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()
        summaries.append(json.loads(out.decode().strip().splitlines()[-1]))

    assert sum(s["queued"] for s in summaries) == expected
    assert Reminder.objects.count() == expected
    assert set(Reminder.objects.values_list("key", flat=True)) == keys  # one sweep's
    assert Message.objects.count() == expected
    assert (
        len({(tuple(to), subject) for to, subject in Message.objects.values_list("to", "subject")})
        == expected
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kill_in_batch", [0, 2])
def test_a_worker_killed_mid_sweep_loses_nothing_and_duplicates_nothing(settings, kill_in_batch):
    expected = many_due(20)
    # A worker that stops for a long time inside batch `kill_in_batch` (batches before it are
    # committed), so it can be killed there.
    script = (
        "import time, django; django.setup()\n"
        "from datetime import datetime\n"
        "from introloop.reminders.sweep import sweep\n"
        f"def pause(n):\n    print('batch', n, flush=True)\n"
        f"    if n == {kill_in_batch}: time.sleep(600)\n"
        f"sweep(datetime.fromisoformat('{NOW.isoformat()}'), batch_size=10, on_batch=pause)\n"
    )
    worker = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              env={**env(settings), "DJANGO_SETTINGS_MODULE": "introloop.settings"})  # fmt: skip
    for _ in range(kill_in_batch + 1):
        assert worker.stdout.readline().startswith(b"batch")
    time.sleep(0.3)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)

    committed = Reminder.objects.count()
    if connection.vendor == "sqlite":
        assert committed == 10 * kill_in_batch  # the killed batch was rolled back
    else:
        # The killed shard was rolled back, with its batches; the shards before it were not.
        assert committed <= 10 * kill_in_batch
    assert Message.objects.count() == committed

    summary = sweep(NOW)  # the next sweep finishes the job
    assert summary.queued == expected - committed
    assert Reminder.objects.count() == Message.objects.count() == expected


@pytest.mark.django_db
def test_smtp_refusing_for_a_while_then_recovering_delivers_every_reminder_once(smtp_server):
    expected = many_due(5)
    assert sweep(NOW).queued == expected
    smtp_server.refuse_next = 4
    moment = NOW
    for _ in range(40):
        delivery.deliver_due(moment)
        moment += timedelta(minutes=5)
    ids = smtp_server.message_ids()
    assert len(ids) == expected
    assert sorted(ids) == sorted(Message.objects.values_list("message_id", flat=True))
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
