"""Is Introloop healthy? The answer behind /health, `introloop status` and the staff banner.

The most common failure of a self-hosted reminder tool is silence: the worker never started,
or died, and reminders stop without an error anywhere. Workers write a heartbeat; a check
reads it with the outbox's backlog, and says in plain words what is wrong and what to run.
"""

import os
import shutil
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Max, Min

from introloop.outbox.models import Message

from .models import Heartbeat

WORKER_SILENCE = timedelta(minutes=5)  # no heartbeat for this long: reminders have stopped
BEAT_EVERY = timedelta(seconds=30)
LOW_DISK_BYTES = 200 * 1024 * 1024


@dataclass
class Health:
    database: str = "ok"
    worker_seen_at: datetime | None = None
    outbox_backlog: int | None = None
    oldest_unsent_age_s: int | None = None
    last_sweep_at: datetime | None = None
    problems: list[str] = field(default_factory=list)  # each says what is wrong and what to do
    # The database is unreachable, or no worker works: reminders are not going out.
    down: bool = False

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {
            "database": self.database,
            "worker_seen_at": iso(self.worker_seen_at),
            "outbox_backlog": self.outbox_backlog,
            "oldest_unsent_age_s": self.oldest_unsent_age_s,
            "last_sweep_at": iso(self.last_sweep_at),
        }


def check(now: datetime) -> Health:
    """The health of this installation as of `now`, in a few small queries."""
    health = Health()
    try:
        beats = Heartbeat.objects.aggregate(seen=Max("seen_at"), swept=Max("last_sweep_at"))
        queued = Message.objects.filter(status=Message.Status.QUEUED)
        oldest = queued.aggregate(oldest=Min("created_at"))["oldest"]
        health.outbox_backlog = queued.count()
        failing = Heartbeat.objects.filter(
            seen_at__gte=now - WORKER_SILENCE, failing_since__isnull=False
        ).first()
    except DatabaseError as error:
        health.database = "unreachable"
        health.down = True
        health.problems.append(f"The database cannot be read ({error}). {_storage_hint()}")
        return health
    health.worker_seen_at, health.last_sweep_at = beats["seen"], beats["swept"]
    if oldest is not None:
        health.oldest_unsent_age_s = max(0, int((now - oldest).total_seconds()))
    health.down = (
        health.worker_seen_at is None
        or now - health.worker_seen_at > WORKER_SILENCE
        or failing is not None
    )
    if health.worker_seen_at is None:
        health.problems.append(
            "No worker has ever run, so no reminder or email goes out. Run `introloop worker` "
            "(or `introloop serve` without --no-worker)."
        )
    elif now - health.worker_seen_at > WORKER_SILENCE:
        minutes = int((now - health.worker_seen_at).total_seconds() // 60)
        health.problems.append(
            f"No worker has been seen for {minutes} minutes, so reminders and emails are not "
            "going out. Start one: `introloop worker`."
        )
    elif failing is not None:
        health.problems.append(
            f"The worker on {failing.name} fails every job since "
            f"{failing.failing_since:%Y-%m-%d %H:%M} UTC: {failing.last_error[:300]}"
        )
    health.problems += storage_problems()
    return health


def storage_problems() -> list[str]:
    """The data directory must be writable and have room, for the database and uploads."""
    data_dir = settings.DATA_DIR
    problems = []
    if not os.access(data_dir, os.W_OK):
        problems.append(f"The data directory {data_dir} is read-only. {_storage_hint()}")
    elif shutil.disk_usage(data_dir).free < LOW_DISK_BYTES:
        free = shutil.disk_usage(data_dir).free // (1024 * 1024)
        problems.append(f"Only {free} MB are free on the disk of {data_dir}. {_storage_hint()}")
    return problems


def _storage_hint() -> str:
    if connection.vendor == "sqlite":
        return (
            f"Introloop keeps its database in {settings.DATA_DIR}: check that the disk has room "
            "and that the user running Introloop may write there."
        )
    return "Check that PostgreSQL is running and reachable at DATABASE_URL."


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(name: str, now: datetime, *, swept: bool = False, error: str = "") -> None:
    """Record that worker `name` is alive (and whether its last pass failed entirely)."""
    values: dict = {"seen_at": now}
    if swept:
        values["last_sweep_at"] = now
    if error:
        values["last_error"] = error
    else:
        values["failing_since"] = None
    updated = Heartbeat.objects.filter(name=name).update(**values)
    if not updated:
        Heartbeat.objects.get_or_create(name=name, defaults={"started_at": now, **values})
    if error:
        Heartbeat.objects.filter(name=name, failing_since__isnull=True).update(failing_since=now)
