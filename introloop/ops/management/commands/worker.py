from django.core.management.base import BaseCommand
from django.utils import timezone

from introloop.ops.worker import Worker


class Command(BaseCommand):
    help = "Deliver queued mail and run scheduled work until stopped (SIGTERM finishes cleanly)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one pass and exit")
        parser.add_argument(
            "--idle-sleep", type=float, default=2.0, help="seconds to wait when idle"
        )

    def handle(self, *args, once, idle_sleep, **kw):
        worker = Worker(idle_sleep=idle_sleep)
        if once:
            done = worker.run_pass(timezone.now())
            self.stdout.write(f"One pass done ({done} unit(s) of work).")
            return
        if worker.run_forever():
            raise SystemExit(1)
