"""What a Popolo file must be before the import reads it, checked before any transaction or lock: a bounded size, a
bounded nesting (found in one linear pass, before the JSON parser recurses), a bounded number of records, and one
record per id.

An import writes every record through the services in one transaction (importer.py), 15-40 records a second as
measured; ``POPOLO_IMPORT_MAX_RECORDS`` therefore bounds how long that transaction holds the write lock. A larger
registry is imported in several files.
"""

from pathlib import Path

from django.conf import settings

from registry.interop.popolo.values import Refusal, slug_of
from registry.jsondepth import nesting_depth

#: Popolo nests a handful of levels (document, list, record, sources, entry); far deeper is not a Popolo document.
MAX_NESTING = 32
#: The lists an import reads; each one's records are counted and their ids compared.
LISTS = ("organizations", "documents", "portfolios", "persons", "posts", "memberships", "relationships")
#: Lists whose records are one per slug: two ids that name one slug are one record too (``person/a`` and ``a``).
SLUGGED = {
    "organizations": "organization",
    "documents": "document",
    "portfolios": "portfolio",
    "persons": "person",
    "posts": "post",
}


class PopoloInputError(Exception):
    """The file is refused as a whole before anything is read into the registry: ``problems`` say why."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def read(path: Path):
    """The parsed JSON of ``path``, refused (PopoloInputError) when unreadable, too large, too deep or not JSON."""
    import json

    limit = settings.POPOLO_IMPORT_MAX_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise PopoloInputError(
                [
                    f"{path.name} is {size:,} bytes; an import takes at most {limit:,} (POPOLO_IMPORT_MAX_BYTES). "
                    "Nothing imported."
                ]
            )
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PopoloInputError([f"Cannot read {path}: {error}"]) from error
    depth = nesting_depth(text, limit=MAX_NESTING)
    if depth > MAX_NESTING:
        raise PopoloInputError(
            [
                f"{path.name} nests deeper than {MAX_NESTING} levels of arrays and objects: not a Popolo document. "
                "Nothing imported."
            ]
        )
    try:
        document = json.loads(text)
    except ValueError as error:
        raise PopoloInputError([f"Cannot read {path}: {error}"]) from error
    return document


def refusals(document: dict) -> list[dict]:
    """Why the document is refused as a whole, as import refusals (``{"id", "errors"}``): too many records, or two
    records with one id or one slug (naming both places, e.g. ``persons.3.id`` and ``persons.7.id``)."""
    found = []
    lists = {name: document.get(name) for name in LISTS if isinstance(document.get(name), list)}
    total, limit = sum(len(items) for items in lists.values()), settings.POPOLO_IMPORT_MAX_RECORDS
    if total > limit:
        message = (
            f"The document has {total:,} records; an import takes at most {limit:,} (POPOLO_IMPORT_MAX_RECORDS): "
            "split it into several files."
        )
        found.append({"id": None, "errors": {"__all__": [message]}})
    for name, items in lists.items():
        seen: dict[tuple, str] = {}
        for index, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
                continue  # the import refuses it with its place
            place = f"{name}.{index}.id"
            keys = _identities(name, item)
            earlier = next((seen[key] for key in keys if key in seen), None)
            if earlier is not None:
                message = (
                    f"{item['id']!r} names the same record as {earlier}: one record, one id (merge the two, or give "
                    "each its own id)."
                )
                found.append({"id": item["id"], "errors": {place: [message]}})
            for key in keys:
                seen.setdefault(key, place)
    return found


def _identities(name: str, item: dict) -> set[tuple]:
    """What names the record an item stands for: its id, and for the lists matched by slug its slug."""
    keys = {("id", item["id"])}
    kind = SLUGGED.get(name)
    if kind is not None:
        slug = item.get("slug")
        if not (isinstance(slug, str) and slug):
            try:
                slug = slug_of(item["id"], kind)  # the import's own reading of an id
            except Refusal:
                return keys
        keys.add(("slug", slug))
    return keys
