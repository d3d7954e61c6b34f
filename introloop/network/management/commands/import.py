import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from introloop.accounts.models import User, normalize_email
from introloop.network.importers.detect import parse_upload
from introloop.network.importers.records import FORMATS, ImportFileError
from introloop.network.imports import apply_import, plan_import


class ProgressBar:
    """A one-line progress bar on standard error, redrawn at most ten times a second."""

    def __init__(self, stream, label: str):
        self.stream, self.label, self.drawn = stream, label, 0.0
        self.interactive = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.drawn < 0.1:
            return
        self.drawn = now
        width = 30
        filled = width * done // max(total, 1)
        line = f"{self.label} [{'#' * filled}{'-' * (width - filled)}] {done:,}/{total:,}"
        if self.interactive:
            self.stream.write("\r" + line)
            if done >= total:
                self.stream.write("\n")
        elif done >= total:
            self.stream.write(line + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = "Import a contacts file (LinkedIn, vCard, Google CSV, any CSV, Introloop JSON)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the file to import")
        parser.add_argument("--user", required=True, help="the email of the account")
        parser.add_argument("--format", choices=FORMATS, help="skip detection")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="for a generic CSV: which field a column holds (repeatable)",
        )
        parser.add_argument("--dry-run", action="store_true", help="show what would change")

    def _err_stream(self):
        # The raw stream under Django's OutputWrapper, which would end every write with "\n".
        return getattr(self.stderr, "_out", sys.stderr)

    def handle(self, *args, file, user, format, map, dry_run, **kw):
        owner = User.objects.filter(email=normalize_email(user), is_active=True).first()
        if owner is None:
            raise CommandError(f"No account with the email {user}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        mapping = None
        if map:
            try:
                mapping = dict(item.split("=", 1) for item in map)
            except ValueError:
                raise CommandError("--map takes COLUMN=FIELD, e.g. --map 'E-mail=email'") from None
        try:
            parsed = parse_upload(
                path.read_bytes(),
                filename=path.name,
                format=format,
                mapping=mapping,
                progress=ProgressBar(self._err_stream(), "Reading"),
            )
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        if dry_run:
            plan = plan_import(owner, parsed)
        else:
            plan = apply_import(
                owner,
                parsed,
                now=timezone.now(),
                filename=path.name,
                progress=ProgressBar(self._err_stream(), "Writing"),
            ).plan
        for problem in plan.errors:
            self.stderr.write(f"line {problem.line}: skipped: {problem.message}")
        for problem in plan.warnings:
            self.stderr.write(f"line {problem.line}: {problem.message}")
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {path.name} as {plan.format}: {len(plan.creates)} new, "
            f"{len(plan.updates)} updated, {plan.unchanged} unchanged, "
            f"{len(plan.errors)} rows skipped."
        )
