import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from introloop.capture import imap


class Command(BaseCommand):
    help = (
        "Fetch capture mail from CAPTURE_IMAP_URL as it arrives (IDLE where the server "
        "offers it). The worker also polls every half minute; this only makes it immediate."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args, once=False, **kw):
        if not settings.CAPTURE_IMAP_URL:
            raise CommandError("Set CAPTURE_IMAP_URL (and CAPTURE_DOMAIN) first.")
        stopping: list[int] = []
        signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
        config = imap.parse_url(settings.CAPTURE_IMAP_URL)
        while not stopping:
            try:
                with imap.connect(config) as box:
                    while not stopping:
                        close_old_connections()
                        stored = imap.fetch_new(box, timezone.now())
                        self.stdout.write(f"{stored} message(s) captured")
                        if once:
                            return
                        imap.wait_for_mail(box, 60)
            except OSError as error:  # the server went away: try again shortly
                self.stderr.write(f"IMAP: {error}; retrying in 30 s")
                time.sleep(30)
