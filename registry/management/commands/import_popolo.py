import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.interop import popolo
from registry.interop.popolo import reading


class Command(BaseCommand):
    help = (
        "Import a Popolo JSON file: new records created, existing ones matched by identifier or slug, every change "
        "through the services with its reason. One transaction: anything refused, and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The Popolo JSON file.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")
        parser.add_argument("--reason", default="", help="Kept in every record's history (default: the file name).")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")

    def handle(self, *args, **options):
        # Size, nesting and JSON are checked before anything is parsed into the registry, and before any lock.
        try:
            document = reading.read(options["file"])
        except reading.PopoloInputError as error:
            raise CommandError(str(error)) from error
        # Too many records or one id twice: refused before the schema check (slow on a huge file) and the import.
        whole = reading.refusals(document) if isinstance(document, dict) else []
        for refusal in whole:
            self.stderr.write(
                f"refused {refusal['id'] or 'the document'}: {json.dumps(refusal['errors'], ensure_ascii=False)}"
            )
        if whole:
            raise CommandError(f"{len(whole)} refusal(s) of the whole document: nothing imported.")
        problems = popolo.validate(document) if isinstance(document, dict) else ["not a JSON object"]
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} Popolo schema violation(s): nothing imported.")
        reason = options["reason"] or f"Popolo import of {options['file'].name}"
        report = popolo.import_document(document, dry_run=options["dry_run"], reason=reason)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"created: {len(report.created)}")
            for popolo_id in report.created:
                self.stdout.write(f"  + {popolo_id}")
            self.stdout.write(f"updated: {len(report.updated)}")
            for popolo_id, fields in report.updated.items():
                self.stdout.write(f"  ~ {popolo_id}: {', '.join(fields)}")
            self.stdout.write(f"unchanged: {report.unchanged}")
            for refusal in report.refused:
                self.stdout.write(f"  ! refused {refusal['id']}: {json.dumps(refusal['errors'], ensure_ascii=False)}")
        if report.refused:
            raise CommandError(f"{len(report.refused)} record(s) refused: nothing imported.")
        self.stdout.write("dry run: nothing written" if options["dry_run"] else "imported")
