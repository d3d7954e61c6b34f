"""The background worker: small "did I find work?" functions and the loop that runs them.

Several workers may run at once, on several hosts: every unit of work is claimed in the
database (see outbox/delivery.py), never in this process's memory.
"""

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import close_old_connections
from django.utils import timezone

from introloop.accounts import throttle
from introloop.capture import imap as capture_imap
from introloop.capture import services as capture
from introloop.network import import_jobs, import_worker
from introloop.network import services as network_services
from introloop.outbox import delivery
from introloop.reminders import sweep

from . import health

log = logging.getLogger("introloop.worker")


def deliver_mail(now: datetime) -> int:
    return delivery.deliver_due(now)


def prune_throttle_records(now: datetime) -> int:
    return throttle.prune(now)


def sweep_reminders(now: datetime) -> int:
    # As of the minute: workers sweeping in the same minute then sweep the same moment, and
    # each passes over the shards another swept after it began (see reminders/sweep.py).
    return sweep.sweep(now.replace(second=0, microsecond=0)).queued


def prune_import_uploads(now: datetime) -> int:
    return network_services.prune_import_uploads(now) + import_jobs.prune_ended_jobs(now)


def run_import_jobs(now: datetime) -> int:
    """Run one large import (network/import_jobs.py) to its end, in batches."""
    return import_worker.run_next(now)


def read_captured_mail(now: datetime) -> int:
    """Read a batch of one account's captured email and act on it (capture/services.py)."""
    return capture.process_next(now)


def drop_old_captured_mail(now: datetime) -> int:
    return capture.drop_old_messages(now)


def poll_capture_mailbox(now: datetime) -> int:
    """Fetch capture mail from CAPTURE_IMAP_URL, when set (capture/imap.py)."""
    return capture_imap.poll(now)


# (job, how often it runs). A job returns how much it did; a busy job runs again at once.
JOBS: list[tuple[Callable[[datetime], int], timedelta]] = [
    (deliver_mail, timedelta(seconds=0)),
    (sweep_reminders, timedelta(minutes=1)),
    (run_import_jobs, timedelta(seconds=0)),
    (read_captured_mail, timedelta(seconds=0)),
    (poll_capture_mailbox, timedelta(seconds=30)),
    (prune_throttle_records, timedelta(hours=1)),
    (prune_import_uploads, timedelta(hours=1)),
    (drop_old_captured_mail, timedelta(hours=1)),
]


# Passes in a row in which every job failed before the worker gives up and exits non-zero,
# so that a supervisor restarts it or an operator notices, instead of it spinning silently.
GIVE_UP_AFTER = 30


class Worker:
    def __init__(self, jobs=None, idle_sleep: float = 2.0, give_up_after: int = GIVE_UP_AFTER):
        self.jobs = jobs or JOBS
        self.idle_sleep = idle_sleep
        self.give_up_after = give_up_after
        self.last_run: dict[Callable, datetime] = {}
        self.stopping = threading.Event()
        self.name = health.worker_name()
        self.last_beat: datetime | None = None
        self.failing_passes = 0

    def run_pass(self, now: datetime) -> int:
        """Run every job that is due; return the total amount of work done."""
        done, ran, errors, swept = 0, 0, [], False
        for job, every in self.jobs:
            last = self.last_run.get(job)
            if last is not None and now - last < every:
                continue
            ran += 1
            try:
                done += job(now)
                swept = swept or job is sweep_reminders
            except Exception as error:
                # One failing job must not stop mail delivery or the others; it retries later.
                log.exception("Worker job %s failed", job.__name__)
                errors.append(f"{job.__name__}: {error}")
            self.last_run[job] = now
        all_failed = ran > 0 and len(errors) == ran
        self.failing_passes = self.failing_passes + 1 if all_failed else 0
        self._beat(now, swept, "; ".join(errors) if all_failed else "")
        return done

    def _beat(self, now: datetime, swept: bool, error: str) -> None:
        """Tell /health this worker is alive, every half minute (and after each sweep)."""
        if not (swept or error) and self.last_beat and now - self.last_beat < health.BEAT_EVERY:
            return
        try:
            health.beat(self.name, now, swept=swept, error=error)
            self.last_beat = now
        except Exception:
            log.exception("Could not record the worker's heartbeat")

    @property
    def given_up(self) -> bool:
        return self.failing_passes >= self.give_up_after

    def stop(self, *_args) -> None:
        log.info("Worker stopping after the current unit of work")
        self.stopping.set()

    def run_forever(self) -> int:
        """Work until SIGTERM (0), or until every job failed many passes in a row (1)."""
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        log.info("Worker started as %s", self.name)
        while not self.stopping.is_set():
            close_old_connections()
            done = self.run_pass(timezone.now())
            if self.given_up:
                log.error(
                    "Every job failed %d passes in a row; exiting so that this is noticed. "
                    "`introloop status` says what is wrong.",
                    self.failing_passes,
                )
                return 1
            if not done:
                self.stopping.wait(self.idle_sleep)
        close_old_connections()
        log.info("Worker stopped")
        return 0
