"""Fill an empty database with a synthetic registry at national scale, for benchmarks (see synthetic/generation.py)."""

from django.core.management.base import BaseCommand, CommandError

from registry.synthetic.generation import BATCH_SIZE, DEFAULT_SEED, RegistryNotEmpty, generate

LARGEST_SCALE = 10.0


def scale(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number <= LARGEST_SCALE:
        raise CommandError(
            f"--scale must be a number above 0 and at most {LARGEST_SCALE:g} (1.0: national), not {value!r}."
        )
    return number


class Command(BaseCommand):
    help = (
        "Fill an EMPTY, migrated database with a deterministic synthetic registry: at --scale 1.0, 34 provinces, "
        "about 5,100 bodies, 100,000 people, 500,000 appointments, with documents, citations, history and feed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=scale, default=1.0, help="1.0: national scale; 0.1: a tenth.")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Same seed and scale, same rows.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Rows per INSERT.")

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            generate(scale=options["scale"], seed=options["seed"], stdout=self.stdout, batch_size=options["batch_size"])
        except RegistryNotEmpty as error:
            raise CommandError(str(error)) from error
