"""A Popolo document held against Popolo's own JSON schemas (copied unchanged into schemas/, never fetched)."""

import json
from functools import cache
from pathlib import Path

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMA_BASE = "http://www.popoloproject.com/schemas/"
#: Popolo's classes, the top-level list each sits in, and its schema.
POPOLO_LISTS = {
    "organizations": "organization",
    "persons": "person",
    "posts": "post",
    "memberships": "membership",
    "events": "event",
}


@cache
def _validators() -> dict:
    """A Draft3Validator per Popolo class, its $refs resolved from SCHEMA_DIR (never fetched)."""
    from jsonschema import Draft3Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT3

    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["id"].rstrip("#"), DRAFT3.create_resource(contents)))
    registry = Registry().with_resources(resources)
    schemas = {uri: resource.contents for uri, resource in resources}
    return {
        kind: Draft3Validator(schemas[f"{SCHEMA_BASE}{kind}.json"], registry=registry) for kind in POPOLO_LISTS.values()
    }


def validate(document: dict) -> list[str]:
    """Every way the document's persons, organizations, posts and memberships break their Popolo schema."""
    problems = []
    validators = _validators()
    for name, kind in POPOLO_LISTS.items():
        items = document.get(name, [])
        if not isinstance(items, list):
            problems.append(f"{name}: not a list")
            continue
        for index, item in enumerate(items):
            for error in validators[kind].iter_errors(item):
                where = "/".join(str(part) for part in error.absolute_path)
                problems.append(
                    f"{name}[{index}] ({item.get('id') if isinstance(item, dict) else '?'}) {where}: {error.message}"
                )
    return problems
