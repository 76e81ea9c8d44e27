from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.models import Organization
from registry.seeding import SEED_FILE, SeedError, load_seed_file


class Command(BaseCommand):
    help = (
        "Load seeds/registry.yaml into the registry: creates what is missing, updates only what nobody has edited "
        "since the seeds wrote it, and reports what it kept (one transaction; every quote checked)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=SEED_FILE, help="Seed file (default: seeds/registry.yaml).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into an empty registry (what a deployment's start-up runs); otherwise do nothing.",
        )
        parser.add_argument("--check", action="store_true", help="Print what a load would change, and write nothing.")

    def handle(self, *args, **options):
        if options["if_empty"] and Organization.objects.exists():
            self.stdout.write("the registry already holds data: seeds not loaded")
            return
        try:
            report = load_seed_file(options["file"], check=options["check"])
        except SeedError as error:
            raise CommandError(f"Seeds refused, nothing written: {error}") from error
        if options["check"]:
            for line in [*report.differences, *report.kept, *report.refused]:
                self.stdout.write(line)
            self.stdout.write("no differences" if not report.changed else "differences found; nothing written")
            return
        for line in report.lines():
            self.stdout.write(line)
