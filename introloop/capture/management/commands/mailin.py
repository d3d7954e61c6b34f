import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from introloop.capture import mailin


class Command(BaseCommand):
    help = "Receive mail for capture addresses over SMTP (point an MX or your MTA here)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.MAILIN_HOST)
        parser.add_argument("--port", type=int, default=settings.MAILIN_PORT or 2525)

    def handle(self, *args, host, port, **kw):
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        self.stdout.write(f"mailin: receiving capture mail on {host}:{port}")
        self.stdout.flush()
        mailin.serve_forever(host, port)
