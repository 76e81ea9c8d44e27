from django.core.management.base import BaseCommand

from registry.changes import webhooks


class Command(BaseCommand):
    help = (
        "The webhook worker: delivers the change feed to every active endpoint, in order, signed, retrying failures "
        "with exponential backoff. Run it as its own process (several may run: each endpoint is leased to one)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One round over the due endpoints, then exit.")
        parser.add_argument("--poll", type=float, default=2.0, help="Seconds to wait when nothing was delivered.")

    def handle(self, *args, **options):
        try:
            webhooks.run(once=options["once"], poll=options["poll"])
        except KeyboardInterrupt:
            self.stderr.write("stopped")
