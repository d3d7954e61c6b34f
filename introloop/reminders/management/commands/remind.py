import json as jsonlib
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from introloop.reminders.sweep import described, sweep


class Command(BaseCommand):
    help = (
        "Run one reminder sweep: queue every reminder that is due, each exactly once. "
        "With --dry-run --json, first one JSON object per line for each reminder it would "
        'queue: {"kind", "to", "intro_id", "step", "due_at"}.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="compute as if it were this ISO-8601 moment")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="list without queueing; with --json, one JSON object per reminder it would "
            'queue (not those already queued): {"kind", "to", "intro_id", "step", "due_at"}',
        )
        parser.add_argument("--json", action="store_true", help="print a JSON summary last")

    def handle(self, *args: Any, as_of: str | None, dry_run: bool, json: bool, **kw: Any) -> None:
        now = timezone.now()
        if as_of:
            try:
                now = datetime.fromisoformat(as_of)
            except ValueError:
                raise CommandError(
                    f"--as-of must be ISO-8601, e.g. 2026-11-23T08:00:00Z, not {as_of!r}"
                ) from None
            if timezone.is_naive(now):
                now = now.replace(tzinfo=UTC)  # a moment without an offset is read as UTC
        summary = sweep(now, dry_run=dry_run)
        if dry_run and json:
            for candidate in summary.would_queue:
                self.stdout.write(jsonlib.dumps(described(candidate)))
        elif dry_run:
            for candidate in summary.candidates:
                self.stdout.write(f"{candidate.kind:<10} {candidate.recipient:<32} {candidate.key}")
        if json:
            self.stdout.write(summary.json())
        else:
            verb = "would queue" if dry_run else "queued"
            self.stdout.write(
                f"{summary.due} due; {verb} {summary.queued}; "
                f"{summary.skipped_already_sent} already sent."
            )
