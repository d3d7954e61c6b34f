from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from introloop.accounts.models import User, normalize_email
from introloop.accounts.services import create_api_token


class Command(BaseCommand):
    help = "Create an API token for an account and print it (the token is the last line)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="command line")

    def handle(self, *args, email, name, **kw):
        user = User.objects.filter(email=normalize_email(email), is_active=True).first()
        if user is None:
            raise CommandError(f"No account with the email {email}")
        token, raw = create_api_token(user, name, timezone.now())
        self.stderr.write(
            f"Token “{token.name}” for {user.email}. It is shown once; keep it safe. Use it as "
            "'Authorization: Bearer <token>'."
        )
        self.stdout.write(raw)
