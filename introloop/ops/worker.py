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
from introloop.network import services as network_services
from introloop.outbox import delivery
from introloop.reminders import sweep

log = logging.getLogger("introloop.worker")


def deliver_mail(now: datetime) -> int:
    return delivery.deliver_due(now)


def prune_throttle_records(now: datetime) -> int:
    return throttle.prune(now)


def sweep_reminders(now: datetime) -> int:
    return sweep.sweep(now).queued


def prune_import_uploads(now: datetime) -> int:
    return network_services.prune_import_uploads(now)


# (job, how often it runs). A job returns how much it did; a busy job runs again at once.
JOBS: list[tuple[Callable[[datetime], int], timedelta]] = [
    (deliver_mail, timedelta(seconds=0)),
    (sweep_reminders, timedelta(minutes=1)),
    (prune_throttle_records, timedelta(hours=1)),
    (prune_import_uploads, timedelta(hours=1)),
]


class Worker:
    def __init__(self, jobs=None, idle_sleep: float = 2.0):
        self.jobs = jobs or JOBS
        self.idle_sleep = idle_sleep
        self.last_run: dict[Callable, datetime] = {}
        self.stopping = threading.Event()

    def run_pass(self, now: datetime) -> int:
        """Run every job that is due; return the total amount of work done."""
        done = 0
        for job, every in self.jobs:
            last = self.last_run.get(job)
            if last is not None and now - last < every:
                continue
            try:
                done += job(now)
            except Exception:
                # One failing job must not stop mail delivery or the others; it retries later.
                log.exception("Worker job %s failed", job.__name__)
            self.last_run[job] = now
        return done

    def stop(self, *_args) -> None:
        log.info("Worker stopping after the current unit of work")
        self.stopping.set()

    def run_forever(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        log.info("Worker started")
        while not self.stopping.is_set():
            close_old_connections()
            done = self.run_pass(timezone.now())
            if not done:
                self.stopping.wait(self.idle_sleep)
        close_old_connections()
        log.info("Worker stopped")
