from django.core.management.base import BaseCommand, CommandError

from introloop.accounts.models import User, normalize_email
from introloop.capture.services import replay


class Command(BaseCommand):
    help = (
        "Read stored capture mail again (after a parser fix): every message not yet accepted "
        "or dismissed goes back to the worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", help="only this account's mail")

    def handle(self, *args, email=None, **kw):
        owner = None
        if email:
            owner = User.objects.filter(email=normalize_email(email)).first()
            if owner is None:
                raise CommandError(f"No account {email}.")
        self.stdout.write(f"{replay(owner)} message(s) queued to be read again.")
