import datetime
import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry import popolo


class Command(BaseCommand):
    help = (
        "Write the whole registry as one Popolo JSON document (persons, organizations, posts, memberships and the "
        "registry's documented extensions), streamed record by record; optionally validated against the Popolo schemas."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, help="File to write (default: standard output).")
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, help="The state on this day (YYYY-MM-DD).")
        parser.add_argument(
            "--validate", action="store_true", help="Validate the written file against the Popolo schemas."
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        size = 0
        out = options["output"].open("w", encoding="utf-8") if options["output"] else sys.stdout
        try:
            for piece in popolo.stream(options["as_of"]):
                out.write(piece)
                size += len(piece.encode("utf-8"))
        finally:
            if options["output"]:
                out.close()
        elapsed = time.perf_counter() - started
        if options["output"]:
            self.stderr.write(f"wrote {options['output']}: {size} bytes in {elapsed:.2f} s")
        if options["validate"]:
            if not options["output"]:
                raise CommandError("--validate needs --output.")
            problems = popolo.validate(json.loads(options["output"].read_text(encoding="utf-8")))
            for problem in problems:
                self.stderr.write(problem)
            if problems:
                raise CommandError(f"{len(problems)} Popolo schema violation(s).")
            self.stderr.write("valid against the Popolo 1.0.1 schemas")
