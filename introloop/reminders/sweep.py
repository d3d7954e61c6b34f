"""The reminder sweep: turn what is due into emails, each queued exactly once.

`collect(now)` reads the due introductions once and asks every kind of reminder (kinds/) for
its candidates, each with a unique key naming its kind, recipient, item, step and due date.
`sweep(now)` inserts the keys with INSERT … ON CONFLICT DO NOTHING RETURNING and queues the
emails of the keys it inserted, in the same transaction: re-running a sweep, running it "as
of" the same moment twice, or three workers at once, queue each reminder once; a worker killed
mid-batch rolls the batch back and the next sweep does it. Work is found through indexes on
due dates, so a sweep's cost follows the number of due items, not the number of introductions.

On PostgreSQL a sweep is split into SHARDS shards (kinds/base.py, SweepInput), so that several
workers add throughput instead of all reading and composing everything: a worker sweeps a
shard in one transaction holding its SweepShard row (SELECT … FOR UPDATE SKIP LOCKED), and
passes over the shards others hold, coming back to them at the end. It also passes over a
shard swept for the same moment by a read that began after its own sweep did: that read saw
all this one would. The keys stay what makes it exactly once; the shards only split the work.
SQLite has no row locks and one writer at a time: a sweep there is one pass, unsharded.
"""

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from introloop.bulk import cycle_collection_paused
from introloop.intros.models import ActionLink
from introloop.lookups import any_of
from introloop.outbox.services import queue_messages

from .kinds import KINDS
from .kinds.base import Candidate, SweepInput
from .models import Reminder, SweepShard

# Shards of a sweep on PostgreSQL: enough for three workers to finish close together.
SHARDS = 8


@dataclass
class Summary:
    due: int = 0
    queued: int = 0
    skipped_already_sent: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    # Of the candidates, those a dry run would queue (their key is not taken yet).
    would_queue: list[Candidate] = field(default_factory=list)
    shards_swept: int = 0
    shards_passed: int = 0  # swept for this moment by a read that began after this sweep did

    def as_dict(self) -> dict[str, int]:
        return {"due": self.due, "queued": self.queued,
                "skipped_already_sent": self.skipped_already_sent}  # fmt: skip

    def json(self) -> str:
        return json.dumps(self.as_dict())


def collect(now: datetime, shard: int = 0, shards: int = 1) -> tuple[int, list[Candidate]]:
    """How many items are due as of `now`, and every reminder that should exist for them (of
    one shard of `shards`: see SweepInput)."""
    shared = SweepInput.read(now, shard, shards)
    candidates = []
    for kind in KINDS.values():
        candidates += kind.collect(shared)
    return shared.due, candidates


def _claim(batch: list[Candidate], now: datetime) -> set[str]:
    """Insert the batch's keys; return the ones this call inserted (the others exist)."""
    table = Reminder._meta.db_table
    key = connection.ops.quote_name("key")
    insert = f"INSERT INTO {table} ({key}, kind, recipient, user_id, intro_id, created_at) "
    conflict = f" ON CONFLICT ({key}) DO NOTHING RETURNING {key}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Six array parameters instead of thousands of placeholders to parse.
            cursor.execute(
                insert + "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], "  # noqa: S608
                "%s::bigint[], %s::bigint[], %s::timestamptz[])" + conflict,
                [[c.key for c in batch], [c.kind for c in batch], [c.recipient for c in batch],
                 [c.user_id for c in batch], [c.intro_id for c in batch], [now] * len(batch)],
            )  # fmt: skip
        else:
            stamp = connection.ops.adapt_datetimefield_value(now)
            params = []
            for c in batch:
                params += [c.key, c.kind, c.recipient, c.user_id, c.intro_id, stamp]
            rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
            cursor.execute(insert + f"VALUES {rows}" + conflict, params)
        return {row[0] for row in cursor.fetchall()}


def sweep(
    now: datetime,
    *,
    dry_run: bool = False,
    batch_size: int = 2000,
    on_batch: Callable[[int], None] | None = None,
    shards: int | None = None,
) -> Summary:
    """One sweep as of `now`: queue every reminder that is due and not queued yet.

    In SHARDS shards on PostgreSQL (one on SQLite, and for a dry run, which lists the
    candidates in one order); `on_batch(n)` is called inside the n-th batch's transaction."""
    if shards is None:
        shards = SHARDS if connection.vendor == "postgresql" else 1
    # The sweep allocates many short-lived objects and keeps no cycles: see bulk.py.
    with cycle_collection_paused():
        if shards > 1 and not dry_run:
            return _sweep_shards(now, shards, batch_size, on_batch)
        due, candidates = collect(now)
        summary = Summary(due=due, candidates=candidates)
        if dry_run:
            _count_existing(summary)
        else:
            _queue_all(summary, now, batch_size, on_batch)
        return summary


def _sweep_shards(
    now: datetime, shards: int, batch_size: int, on_batch: Callable[[int], None] | None
) -> Summary:
    summary = Summary()
    SweepShard.objects.bulk_create([SweepShard(id=k) for k in range(shards)], ignore_conflicts=True)
    began = _database_now()
    numbers = itertools.count()
    numbered = (lambda _: on_batch(next(numbers))) if on_batch else None
    held = [
        shard
        for shard in range(shards)
        if not _sweep_shard(summary, now, shard, shards, began, batch_size, numbered, wait=False)
    ]
    # Shards other workers were sweeping: wait for each, then sweep it unless their read
    # began after this sweep did.
    for shard in held:
        _sweep_shard(summary, now, shard, shards, began, batch_size, numbered, wait=True)
    return summary


def _sweep_shard(
    summary: Summary,
    now: datetime,
    shard: int,
    shards: int,
    began: datetime,
    batch_size: int,
    on_batch: Callable[[int], None] | None,
    *,
    wait: bool,
) -> bool:
    """Sweep one shard under its row's lock, its batches savepoints in one transaction; False
    if another worker holds it (and not `wait`)."""
    with transaction.atomic():
        row = SweepShard.objects.select_for_update(skip_locked=not wait).filter(id=shard).first()
        if row is None:
            return False
        if row.as_of == now and row.read_at is not None and row.read_at >= began:
            summary.shards_passed += 1
            return True
        read_at = _database_now()
        due, candidates = collect(now, shard, shards)
        part = Summary(due=due, candidates=candidates)
        _queue_all(part, now, batch_size, on_batch)
        row.as_of, row.read_at = now, read_at
        row.save(update_fields=["as_of", "read_at"])
    summary.due += part.due
    summary.queued += part.queued
    summary.skipped_already_sent += part.skipped_already_sent
    summary.candidates += part.candidates
    summary.shards_swept += 1
    return True


def _database_now() -> datetime:
    """The database's clock, which every worker shares (a host's may be off)."""
    if connection.vendor != "postgresql":
        return timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        moment: datetime = cursor.fetchone()[0]
        return moment


def queue_now(candidates: list[Candidate], now: datetime) -> int:
    """Queue these reminders at once, in the caller's transaction, exactly as a sweep would:
    a later sweep finds their keys taken."""
    summary = Summary(candidates=candidates)
    if candidates:
        _queue_all(summary, now, len(candidates), None)
    return summary.queued


def _count_existing(summary: Summary) -> None:
    keys = [c.key for c in summary.candidates]
    existing = set(Reminder.objects.filter(any_of("key", keys)).values_list("key", flat=True))
    summary.would_queue = [c for c in summary.candidates if c.key not in existing]
    summary.queued = len(summary.would_queue)
    summary.skipped_already_sent = len(keys) - summary.queued


def described(candidate: Candidate) -> dict[str, Any]:
    """A reminder as `remind --dry-run --json` shows it: its kind's public name (a module's
    NAME, else its KIND), to whom, about which introduction and step, and when that fell due."""
    module = KINDS.get(candidate.kind)
    due_at = candidate.due_at
    return {
        "kind": getattr(module, "NAME", candidate.kind),
        "to": candidate.recipient,
        "intro_id": candidate.intro_id,
        "step": candidate.step,
        "due_at": due_at.astimezone(UTC).isoformat().replace("+00:00", "Z") if due_at else None,
    }


def _queue_all(
    summary: Summary, now: datetime, batch_size: int, on_batch: Callable[[int], None] | None
) -> None:
    candidates = summary.candidates
    for start in range(0, len(candidates), batch_size):
        batch = candidates[start : start + batch_size]
        with transaction.atomic():
            claimed = _claim(batch, now)
            links: list[ActionLink] = []
            mine = [c for c in batch if c.key in claimed]
            emails = [c.compose(now, links) for c in mine]
            ActionLink.objects.bulk_create(links)
            queue_messages(emails, now)
            for name, kind in KINDS.items():
                if hasattr(kind, "claimed"):
                    of_kind = [c for c in mine if c.kind == name]
                    if of_kind:
                        kind.claimed(of_kind, now)
            if on_batch:
                on_batch(start // batch_size)  # tests pause here to kill a worker mid-batch
        summary.queued += len(claimed)
        summary.skipped_already_sent += len(batch) - len(claimed)
