"""Counts per model and one content hash of the whole registry (registry/fingerprint.py)."""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from registry.fingerprint import fingerprint


class Command(BaseCommand):
    help = "Print the row count of every model scripts/backup moves but the cache counter, and one content hash."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        counts, content_hash = fingerprint(options["database"])
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count}")
        self.stdout.write(f"rows: {sum(counts.values())}")
        self.stdout.write(f"sha256: {content_hash}")
