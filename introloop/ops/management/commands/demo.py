from django.core.management.base import BaseCommand
from django.utils import timezone

from introloop.ops.demo import DEMO_DOMAIN, DEMO_PASSWORD, build_demo, demo_users


class Command(BaseCommand):
    help = f"Fill the database with a realistic demo dataset (accounts @{DEMO_DOMAIN})."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo accounts first and rebuild"
        )
        parser.add_argument(
            "--remove", action="store_true", help="delete the demo accounts and all their data"
        )

    def handle(self, *args, reset, remove, **kw):
        if remove:
            count = demo_users().count()
            demo_users().delete()
            self.stdout.write(f"Removed {count} demo accounts and all their data.")
            return
        world = build_demo(timezone.now(), reset=reset)
        if world is None:
            self.stdout.write("The demo data exists already; use --reset to rebuild it.")
        else:
            self.stdout.write("Demo data created: " + "; ".join(world.log) + ".")
        emails = ", ".join(demo_users().order_by("id").values_list("email", flat=True))
        self.stdout.write(f"Log in as any of {emails} with the password {DEMO_PASSWORD!r}.")
