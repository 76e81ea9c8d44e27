"""Reading the recorded history: per-record entries with their diffs, and the registry-wide change feed."""

import base64
import binascii
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from registry.models import (
    Appointment,
    Citation,
    Document,
    Duty,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
)

TRACKED: tuple[type[models.Model], ...] = (
    Organization,
    Person,
    Portfolio,
    Post,
    Appointment,
    OrganizationRelationship,
    Duty,
    Document,
    Citation,
)
TYPES = {"+": "created", "~": "changed", "-": "deleted"}
#: Bookkeeping that changes with every save; listing it would bury the real changes.
NOT_DIFFED = {"updated"}


def model_key(model: type[models.Model]) -> str:
    return model._meta.model_name


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


def record_history(instance: models.Model) -> list[dict]:
    """Every change of ``instance``, newest first, each with the fields it changed (two queries, no diff queries)."""
    records = list(with_m2m(instance.history.select_related("history_user")).order_by("history_date", "history_id"))
    entries, previous = [], None
    for record in records:
        current = snapshot(record)
        changes = [
            {"field": name, "old": None if previous is None else previous.get(name), "new": value}
            for name, value in current.items()
            if name not in NOT_DIFFED and (previous is None or previous.get(name) != value)
        ]
        entries.append(_entry(record, changes=[] if record.history_type == "-" else changes))
        previous = current
    return entries[::-1]


def _entry(record, **extra) -> dict:
    return {
        "history_id": record.history_id,
        "date": record.history_date,
        "type": TYPES[record.history_type],
        "user": record.history_user.get_username() if record.history_user_id else None,
        "reason": record.history_change_reason,
        **extra,
    }


@dataclass(frozen=True)
class Cursor:
    """A position in the feed: ordered by (date, model, history id)."""

    date: datetime.datetime
    model: str
    history_id: int

    def encode(self) -> str:
        raw = f"{self.date.isoformat()}|{self.model}|{self.history_id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> "Cursor":
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            date, model, history_id = raw.split("|")
            parsed = datetime.datetime.fromisoformat(date)
            if parsed.tzinfo is None:
                raise ValueError("naive")
            return cls(parsed, model, int(history_id))
        except (ValueError, UnicodeDecodeError, binascii.Error) as error:
            raise ValidationError({"cursor": "Not a cursor this feed issued."}) from error

    @classmethod
    def since(cls, moment: datetime.datetime) -> "Cursor":
        """Everything strictly after ``moment``."""
        return cls(moment, "~", 2**63 - 1)  # "~" sorts after every model name


def changes_after(cursor: Cursor | None, limit: int) -> list[dict]:
    """Up to ``limit`` changes after ``cursor`` across every tracked model, oldest first (one query per model)."""
    rows = []
    for model in TRACKED:
        key = model_key(model)
        history = with_m2m(model.history.model.objects.select_related("history_user"))
        if cursor is not None:
            history = history.filter(_after(cursor, key))
        rows.extend(
            (record.history_date, key, record.history_id, record)
            for record in history.order_by("history_date", "history_id")[:limit]
        )
    rows.sort(key=lambda row: row[:3])
    return [
        _entry(
            record,
            cursor=Cursor(date, key, history_id).encode(),
            model=key,
            object_id=record.id,
            data=snapshot(record),
        )
        for date, key, history_id, record in rows[:limit]
    ]


def _after(cursor: Cursor, key: str) -> Q:
    later = Q(history_date__gt=cursor.date)
    if key > cursor.model:
        return later | Q(history_date=cursor.date)
    if key == cursor.model:
        return later | Q(history_date=cursor.date, history_id__gt=cursor.history_id)
    return later
