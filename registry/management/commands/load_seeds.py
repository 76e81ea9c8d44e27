from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.seeding import SEED_FILE, SeedError, load_seed_file


class Command(BaseCommand):
    help = "Load seeds/registry.yaml into the registry (idempotent; one transaction; every quote checked)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=SEED_FILE, help="Seed file (default: seeds/registry.yaml).")

    def handle(self, *args, **options):
        try:
            report = load_seed_file(options["file"])
        except SeedError as error:
            raise CommandError(f"Seeds refused, nothing written: {error}") from error
        for line in report.lines():
            self.stdout.write(line)
