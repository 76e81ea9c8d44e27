"""How the seed loader reads and compares values: a field's stored value and its JSON form (the baseline's), the
YAML value checked against the field's type, who last edited a record, and how a record is named in a refusal."""

import datetime
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from registry.seeding.file import REASON, SeedError
from registry.text import nfc


def field_value(obj: models.Model, name: str) -> Any:
    """A field's stored value: the id for a foreign key, the ids for a many-to-many field."""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return list(getattr(obj, name).values_list("pk", flat=True))
    return getattr(obj, field.attname) if field.is_relation else getattr(obj, name)


def as_json(value: Any) -> Any:
    """A value as the baseline stores it (JSON): ids for records, ISO text for dates, sorted ids for lists."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return sorted(as_json(item) for item in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def key_text(lookup: dict) -> str:
    text = "|".join(str(as_json(value)) for value in lookup.values())
    return text if len(text) <= 200 else f"{text[:150]}…{hashlib.sha1(text.encode()).hexdigest()}"  # noqa: S324


def written_by_others(obj: models.Model) -> bool:
    """Whether anyone but the seed loader has written the record (for records the baseline does not know yet)."""
    return obj.history.exclude(history_change_reason=REASON).exists()


def last_edit(model: type[models.Model], object_id: int) -> str:
    """ ", edited 2026-11-23 by hcmc-portal": the latest write to the record that was not the seeds'."""
    entry = (
        model.history.filter(id=object_id)
        .exclude(history_change_reason=REASON)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if entry is None:
        return ""
    who = entry.history_user.get_username() if entry.history_user_id else "someone"
    return f", edited {timezone.localdate(entry.history_date):%Y-%m-%d} by {who}"


def typed(field: models.Field, value: Any, where: str) -> Any:
    """The YAML value checked against the field's type: text stays text, dates are dates (not strings)."""
    if value is None:
        return None
    if isinstance(field, (models.CharField, models.TextField)):
        if not isinstance(value, str):
            raise SeedError(f"{where}: expected text, got {value!r} (quote it in the YAML).")
        return nfc(value)
    if isinstance(field, models.DateField):
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            raise SeedError(f"{where}: expected a date written YYYY-MM-DD without quotes, got {value!r}.")
        return value
    if isinstance(field, models.BooleanField) and not isinstance(value, bool):
        raise SeedError(f"{where}: expected true or false, got {value!r}.")
    if isinstance(field, models.IntegerField) and (isinstance(value, bool) or not isinstance(value, int)):
        raise SeedError(f"{where}: expected a whole number, got {value!r}.")
    return value


def label_of(name: str, obj: models.Model) -> str:
    return f"{name} ({getattr(obj, 'slug', None) or obj})"


def brief(record: Any) -> str:
    if not isinstance(record, dict):
        return repr(record)[:60]
    for key in ("slug", "name"):
        if key in record:
            return str(record[key])
    return ", ".join(f"{key}={record[key]}" for key in ("person", "post", "subject", "object", "kind") if key in record)


def messages_of(error: Exception) -> str:
    if not isinstance(error, ValidationError):
        return str(error)
    if hasattr(error, "message_dict"):
        return "; ".join(f"{key}: {' '.join(messages)}" for key, messages in error.message_dict.items())
    return " ".join(error.messages)
