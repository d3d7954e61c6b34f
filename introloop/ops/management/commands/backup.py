from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from introloop.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database to FILE: SQLite with its online backup API (fine while serving); "
        "PostgreSQL with pg_dump (custom format)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **kw):
        try:
            self.stdout.write(backup(file))
        except BackupError as error:
            raise CommandError(str(error)) from None
