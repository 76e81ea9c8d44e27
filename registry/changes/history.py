"""Reading a record's recorded history (django-simple-history): its changes, newest first, with their diffs.

The registry-wide change feed is ``registry.changes.feed``: it is written by the services, not read from these tables.
"""

from django.db import models

TYPES = {"+": "created", "~": "changed", "-": "deleted"}
#: Bookkeeping that changes with every save; listing it would bury the real changes.
NOT_DIFFED = {"updated"}


def snapshot(record) -> dict:
    """The tracked fields of a historical record, by attribute name (foreign keys as ids; many-to-many as id lists)."""
    values = {
        field.attname: getattr(record, field.attname)
        for field in type(record)._meta.fields
        if not field.name.startswith("history_")
    }
    for field, accessor in m2m_accessors(type(record)):
        target = field.m2m_reverse_field_name() + "_id"
        values[field.name] = sorted(getattr(row, target) for row in getattr(record, accessor).all())
    return values


def m2m_accessors(history_model) -> list[tuple]:
    """(many-to-many field, name of the reverse accessor to its historical rows) for each tracked m2m field."""
    pairs = []
    for field in getattr(history_model, "_history_m2m_fields", ()):
        through = f"{history_model.__name__}_{field.name}"
        relation = next(rel for rel in history_model._meta.related_objects if rel.related_model.__name__ == through)
        pairs.append((field, relation.get_accessor_name()))
    return pairs


def with_m2m(history):
    """Prefetch the many-to-many rows a snapshot reads: one query more for the list, not one per record."""
    return history.prefetch_related(*(accessor for _, accessor in m2m_accessors(history.model)))


def record_history(instance: models.Model, *, show_users: bool = True) -> list[dict]:
    """Every change of ``instance``, newest first, each with the fields it changed (two queries, no diff queries).

    ``show_users`` False leaves out who made each change (what anonymous readers get).
    """
    records = list(with_m2m(instance.history.select_related("history_user")).order_by("history_date", "history_id"))
    entries, previous = [], None
    for record in records:
        current = snapshot(record)
        changes = [
            {"field": name, "old": None if previous is None else previous.get(name), "new": value}
            for name, value in current.items()
            if name not in NOT_DIFFED and (previous is None or previous.get(name) != value)
        ]
        entries.append(_entry(record, show_users, changes=[] if record.history_type == "-" else changes))
        previous = current
    return entries[::-1]


def _entry(record, show_users: bool, **extra) -> dict:
    return {
        "history_id": record.history_id,
        "date": record.history_date,
        "type": TYPES[record.history_type],
        "user": record.history_user.get_username() if show_users and record.history_user_id else None,
        "reason": record.history_change_reason,
        **extra,
    }
