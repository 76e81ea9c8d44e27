import datetime
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.interop import popolo


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
        output = options["output"]
        if options["validate"] and not output:
            # Refused before streaming: validation reads the written file back, and a refusal after the whole
            # document was written to standard output would leave a consumer with a document and a failure.
            raise CommandError("--validate needs --output.")
        started = time.perf_counter()
        if output:
            with output.open("w", encoding="utf-8") as out:
                size = self._stream(options["as_of"], out.write)
            elapsed = time.perf_counter() - started
            self.stderr.write(f"wrote {output}: {size} bytes in {elapsed:.2f} s")
        else:
            # self.stdout, not sys.stdout: call_command(stdout=...) captures it; ending="" keeps the pieces joined.
            self._stream(options["as_of"], lambda piece: self.stdout.write(piece, ending=""))
        if options["validate"]:
            self._validate(output)

    def _stream(self, as_of: datetime.date | None, write) -> int:
        """Write the document piece by piece; its size in bytes."""
        size = 0
        for piece in popolo.stream(as_of):
            write(piece)
            size += len(piece.encode("utf-8"))
        return size

    def _validate(self, path: Path) -> None:
        problems = popolo.validate(json.loads(path.read_text(encoding="utf-8")))
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} Popolo schema violation(s).")
        self.stderr.write("valid against the Popolo 1.0.1 schemas")
