"""How the import reads one value of a Popolo item: ids, dates, flags, lists, and keys left out.

The lowest room of the Popolo package: the file checks (reading.py) and the importer both read ids this way, so two
ids that the importer takes for one record are one record to the file checks too.
"""

import datetime

from registry import days, services
from registry.models.base import precision_or_exact
from registry.text import slugify_vi

#: A key the item leaves out: the field then stays as it is (or, for a new record, takes its default).
MISSING = object()
#: Keys whose null is a value of its own (not the empty string).
NULLABLE = {"seats"}


class Refusal(services.Refused):
    """One record of the document cannot be written: ``errors`` maps fields to messages."""


def slug_of(value: str, kind: str) -> str:
    """The slug in a Popolo id: ``person/nguyen-van-a`` -> ``nguyen-van-a``; a foreign id is slugified the Vietnamese
    way (Django's slugify alone drops đ: ``Được`` would become ``uoc``)."""
    if not isinstance(value, str) or not value:
        raise Refusal({"id": [f"A {kind} needs a string id."]})
    prefix = f"{kind}/"
    return value[len(prefix) :] if value.startswith(prefix) else slugify_vi(value)


def day(value, name: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return days.parse_day(value)
    except ValueError as error:
        raise Refusal({name: [f"Expected a date YYYY-MM-DD, got {value!r}."]}) from error


def flag(value, name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Refusal({name: [f"Expected true or false, got {value!r}."]})
    return value


def optional_id(item: dict) -> str | None:
    """The id of a membership or relationship, which the registry matches by content: a string, or none at all."""
    popolo_id = item.get("id")
    if popolo_id is not None and not isinstance(popolo_id, str):
        raise Refusal({"id": [f"Expected a string id, got {popolo_id!r}."]})
    return popolo_id


def listed(item: dict, key: str, name: str | None = None) -> list:
    """The item's list under ``key`` (left out or null: no entries); anything but a list is refused as ``name``."""
    entries = item.get(key)
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise Refusal({name or key: [f"Expected a list, got {entries!r}."]})
    return entries


def objects_in(item: dict, key: str, name: str | None = None) -> list[dict]:
    """The item's list of objects under ``key`` (sources, identifiers, other names, duties), each checked to be one,
    so that a stray string or number is refused with its place (``sources.2``) instead of failing the import."""
    name = name or key
    entries = listed(item, key, name)
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise Refusal({f"{name}.{index}": [f"Expected an object, got {entry!r}."]})
    return entries


def opt(item: dict, key: str, convert=None):
    """The item's value for ``key``, converted; MISSING when the key is left out (the field then stays as it is)."""
    if key not in item:
        return MISSING
    value = item[key]
    if convert is not None:
        return convert(value, key)
    return "" if value is None and key not in NULLABLE else value


def default_precisions(values: dict, dates) -> None:
    """Each date the item gives takes the registry's precision rule (models/base.py); a date left out or empty
    leaves its precision as the item says it."""
    for name in dates:
        date, precision = values.get(name), values.get(f"{name}_precision")
        if date not in (None, MISSING):
            values[f"{name}_precision"] = precision_or_exact(date, None if precision is MISSING else precision)
