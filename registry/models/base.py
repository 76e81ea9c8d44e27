"""Pieces shared by every registry model."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from registry.text import fold, nfc

#: The largest value of a PositiveSmallIntegerField on every supported database. Stated on the fields, because each
#: database's own range differs (SQLite's is 64-bit) and the API schema must not depend on the database.
SMALLINT_MAX = 32767


class RegistryModel(models.Model):
    """Timestamps, sources, and NFC text on save for every record of the registry."""

    created = models.DateTimeField(auto_now_add=True, help_text="When this record was created.")
    updated = models.DateTimeField(auto_now=True, help_text="When this record was last changed.")
    sources = GenericRelation(
        "registry.Citation", help_text="Citations: the documents and verbatim quotes this record rests on."
    )

    #: Every change is kept: who, when, what, and why (``instance._change_reason``). Deleted records stay here.
    history = HistoricalRecords(
        inherit=True, excluded_fields=("search_text",), history_change_reason_field=models.TextField(null=True)
    )

    #: Text fields folded into ``search_text`` (accent- and case-insensitive search).
    search_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalise_text()
        super().save(*args, **kwargs)

    def normalise_text(self) -> None:
        """Store every character field in NFC, so equal Vietnamese strings compare equal."""
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(field, (models.CharField, models.TextField)) and isinstance(value, str):
                setattr(self, field.attname, nfc(value))
        if self.search_fields:
            self.search_text = " | ".join(fold(getattr(self, name) or "") for name in self.search_fields)

    def clean_fields(self, exclude=None):
        self.normalise_text()
        super().clean_fields(exclude=exclude)


def search_text_field() -> models.TextField:
    return models.TextField(
        editable=False,
        blank=True,
        default="",
        help_text="Accent-folded, lower-case copy of the searchable names (maintained on save).",
    )


def ends_after_starts(start: str, end: str, name: str) -> models.CheckConstraint:
    """A named constraint: an open end (NULL) or an end on or after the start."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True})
        | Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__gte": models.F(start)}),
        name=name,
        violation_error_message=f"{end} must be on or after {start}.",
    )


def precision_goes_with_date(date: str, precision: str, name: str) -> models.CheckConstraint:
    """A named constraint: a precision is given exactly when its date is."""
    return models.CheckConstraint(
        condition=(Q(**{f"{date}__isnull": True}) & Q(**{precision: ""}))
        | (Q(**{f"{date}__isnull": False}) & ~Q(**{precision: ""})),
        name=name,
        violation_error_message=f"{precision} is required with {date}, and only with it.",
    )
