"""Load seeds/registry.yaml: strict schema, upsert by natural key, one transaction, every quote checked.

Like openstates' importers: a record is created, updated or left unchanged, and a second run over the same file
changes nothing. Every write goes through ``registry.services``, so the loader refuses what the admin and the API
refuse, and its writes appear in the history and the change feed like anyone's.

The loader never undoes the registry's own history. It remembers what it last wrote to each record (its baseline,
``SeedBaseline``) and changes a field only while the record still holds that value; a field someone has edited since
is kept and reported, and so is a seeded record someone deleted. On a registry that holds edits, a seed record that
conflicts with them (a later appointment to the same seat, say) is reported and left out, never a failure.
"""

from pathlib import Path

from django.db import transaction

from registry.seeding import rules as seed_rules
from registry.seeding.file import SEED_FILE, SEEDS_DIR, SeedError, SeedReport, _read
from registry.seeding.writer import _SeedWriter

__all__ = ["SEEDS_DIR", "SEED_FILE", "SeedError", "SeedReport", "_read", "load_seed_file"]


def load_seed_file(path: Path = SEED_FILE, *, check: bool = False) -> SeedReport:
    """Load the seed file in one transaction; raise SeedError (and write nothing) on the first refusal.

    ``check``: work out every difference, then roll back: nothing is written.
    """
    data = _read(path)
    problems = seed_rules.check(data, path.parent)
    if problems:
        raise SeedError(f"{path}: the seed file breaks the rules of registry/seeding/rules.py:\n" + "\n".join(problems))
    with transaction.atomic():
        report = _SeedWriter(data, path.parent).run()
        if check:
            transaction.set_rollback(True)
    return report
