from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from introloop.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `introloop backup` into an empty data directory or database."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **kw):
        try:
            self.stdout.write(restore(file))
        except BackupError as error:
            raise CommandError(str(error)) from None
