import time
from pathlib import Path

from django.core.management.base import BaseCommand

from registry.interop import ftm


class Command(BaseCommand):
    help = (
        "Write the registry as FollowTheMoney entities, one JSON object a line (Person, PublicBody/Organization, "
        "Position, Occupancy, Article/Document, Documentation): the shape PEP screening reads. See docs/ftm.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", type=Path, help="File to write (default: standard output).")

    def handle(self, *args, **options):
        output = options["output"]
        if output is None:
            # self.stdout, not sys.stdout: call_command(stdout=...) captures it; each line ends in its own newline.
            for line in ftm.stream():
                self.stdout.write(line, ending="")
            return
        started, count, size = time.perf_counter(), 0, 0
        with output.open("w", encoding="utf-8") as out:
            for line in ftm.stream():
                out.write(line)
                count += 1
                size += len(line.encode("utf-8"))
        elapsed = time.perf_counter() - started
        self.stderr.write(f"wrote {output}: {count} entities, {size} bytes in {elapsed:.2f} s")
