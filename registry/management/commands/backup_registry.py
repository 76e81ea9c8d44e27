"""Write the whole registry to one file from one snapshot, with its fingerprint (see registry/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from registry import backup


class Command(BaseCommand):
    help = (
        "Dump every record, its history, users and system accounts to FILE (.yaml.gz) from one snapshot of the "
        "database, and store the fingerprint of that snapshot in the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="Where to write the backup (.yaml.gz, or .yaml).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        record = backup.backup(options["file"], using=options["database"])
        self.stdout.write(f"backup written to {options['file']}")
        self.stdout.write(f"rows: {record['total']}")
        self.stdout.write(f"sha256: {record['sha256']}")
