"""The reminder sweep: turn what is due into emails, each queued exactly once.

`collect(now)` reads the due introductions once and asks every kind of reminder (kinds/) for
its candidates, each with a unique key naming its kind, recipient, item, step and due date.
`sweep(now)` inserts the keys with INSERT … ON CONFLICT DO NOTHING RETURNING and queues the
emails of the keys it inserted, in the same transaction: re-running a sweep, running it "as
of" the same moment twice, or three workers at once, queue each reminder once; a worker killed
mid-batch rolls the batch back and the next sweep does it. Work is found through indexes on
due dates, so a sweep's cost follows the number of due items, not the number of introductions.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction

from introloop.bulk import cycle_collection_paused
from introloop.intros.models import ActionLink
from introloop.lookups import any_of
from introloop.outbox.services import queue_messages

from .kinds import KINDS
from .kinds.base import Candidate, SweepInput
from .models import Reminder


@dataclass
class Summary:
    due: int = 0
    queued: int = 0
    skipped_already_sent: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    # Of the candidates, those a dry run would queue (their key is not taken yet).
    would_queue: list[Candidate] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"due": self.due, "queued": self.queued,
                "skipped_already_sent": self.skipped_already_sent}  # fmt: skip

    def json(self) -> str:
        return json.dumps(self.as_dict())


def collect(now: datetime) -> tuple[int, list[Candidate]]:
    """How many items are due as of `now`, and every reminder that should exist for them."""
    shared = SweepInput.read(now)
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
) -> Summary:
    """One sweep as of `now`: queue every reminder that is due and not queued yet."""
    # The sweep allocates many short-lived objects and keeps no cycles: see bulk.py.
    with cycle_collection_paused():
        due, candidates = collect(now)
        summary = Summary(due=due, candidates=candidates)
        if dry_run:
            _count_existing(summary)
        else:
            _queue_all(summary, now, batch_size, on_batch)
        return summary


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
