"""Load a scripts/backup file into an empty, migrated database: records and their history exactly as they were."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from registry.models import Organization


class Command(BaseCommand):
    help = "Load a scripts/backup file (dumpdata) into an empty registry, without writing new history."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file scripts/backup wrote (.yaml.gz).")

    def handle(self, *args, **options):
        if Organization.objects.exists():
            raise CommandError("the target database already holds registry data; restore into an empty (new) database")
        # The backup holds the history itself: loading must not add entries of its own (django-simple-history
        # records many-to-many changes even for fixture loads).
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", options["file"], verbosity=options["verbosity"])
