"""Load a scripts/backup file into an empty, migrated database: records and their history exactly as they were,
checked against the fingerprint the backup carries (see registry/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from registry import backup
from registry.models import Organization


class Command(BaseCommand):
    help = (
        "Load a scripts/backup file into an empty registry, without writing new history; refused, with nothing "
        "loaded, when the loaded content differs from the fingerprint stored in the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The file scripts/backup wrote (.yaml.gz).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--no-verify",
            action="store_true",
            help="Load a file that carries no fingerprint (written before backups had one); nothing is checked.",
        )

    def handle(self, *args, **options):
        path, using = options["file"], options["database"]
        if Organization.objects.using(using).exists():
            raise CommandError("the target database already holds registry data; restore into an empty (new) database")
        if not path.is_file():
            raise CommandError(f"no file {path}")
        try:
            record = backup.restore(path, using=using, verify=not options["no_verify"])
        except backup.FingerprintMismatch as error:
            raise CommandError(str(error)) from error
        checked = "unchecked (--no-verify)" if options["no_verify"] else "matches the backup's fingerprint"
        self.stdout.write(f"restored {record['total']} rows; content {checked}")
