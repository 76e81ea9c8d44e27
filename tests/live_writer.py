"""A writer whose transactions are slow on purpose, for the change-feed test: run as its own process against a live
registry's database, it writes through the services and holds each transaction open a random while before it
commits, printing each write it got acknowledged (its reason) as a JSON line.

Usage (environment as the server's): python tests/live_writer.py NAME COUNT
"""

import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402

from registry import services  # noqa: E402
from registry.models import Person  # noqa: E402

MOST_HELD_OPEN = 0.5  # seconds a transaction stays open after its write


def main(name: str, count: int) -> None:
    rng = random.Random(name)  # noqa: S311 - how long to wait, not a secret
    person = services.record_create(
        model=Person, values={"slug": f"slow-{name}", "name": f"Người Chậm {name}"}, reason=f"{name}-0"
    )
    print(json.dumps({"reason": f"{name}-0"}), flush=True)
    for index in range(1, count + 1):
        with transaction.atomic():
            services.record_update(instance=person, changes={"given_name": f"{name} {index}"}, reason=f"{name}-{index}")
            time.sleep(rng.uniform(0, MOST_HELD_OPEN))
        print(json.dumps({"reason": f"{name}-{index}"}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
