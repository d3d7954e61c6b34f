import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from introloop.ops import health


class Command(BaseCommand):
    help = "Say whether Introloop is healthy: database, worker, outbox, storage. Exits 1 if not."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print /health's JSON")

    def handle(self, *args, **options):
        report = health.check(timezone.now())
        if options["json"]:
            self.stdout.write(_dumps(report.as_dict()))
        else:
            facts = report.as_dict()
            for key, value in facts.items():
                self.stdout.write(f"{key.replace('_', ' ')}: {'—' if value is None else value}")
            for problem in report.problems:
                self.stderr.write(f"PROBLEM: {problem}")
            self.stdout.write("healthy" if report.healthy else "NOT healthy")
        if not report.healthy:
            raise SystemExit(1)


def _dumps(data: dict) -> str:
    return json.dumps(data)
