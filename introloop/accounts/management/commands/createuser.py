from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from introloop.accounts.models import User, normalize_email, time_zone_choices
from introloop.accounts.services import create_account


class Command(BaseCommand):
    help = "Create an account without prompts (the address counts as verified)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="")
        parser.add_argument("--time-zone", default="UTC")
        parser.add_argument("--staff", action="store_true", help="may see the outbox page")
        parser.add_argument(
            "--skip-password-checks",
            action="store_true",
            help="accept a password the sign-up form would refuse (for scripts and demos)",
        )

    def handle(self, *args, email, password, name, time_zone, staff, skip_password_checks, **kw):
        email = normalize_email(email)
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not a valid email address") from None
        if time_zone not in dict(time_zone_choices()):
            raise CommandError(f"Unknown time zone {time_zone!r}; use e.g. Europe/Paris")
        if not skip_password_checks:
            try:
                password_validation.validate_password(password, User(email=email, name=name))
            except ValidationError as error:
                raise CommandError("Password refused: " + " ".join(error.messages)) from None
        with transaction.atomic():
            if User.objects.filter(email=email).exists():
                raise CommandError(f"An account with the email {email} already exists")
            user = create_account(
                email=email,
                password=password,
                name=name,
                time_zone=time_zone,
                staff=staff,
                now=timezone.now(),
            )
        self.stdout.write(f"Created account {user.email} (id {user.id}).")
