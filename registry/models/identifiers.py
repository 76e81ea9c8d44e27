"""Identifiers issued by others (Wikidata, national registers, the city's own codes) and other names of a record.

Both belong to a person or an organization, as in Popolo (``identifiers``, ``other_names``). They are registry records
of their own: written through the services (history, reason, change feed), and citable like any other record.
"""

import re

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.choices import OtherNameKind
from registry.models.base import (
    RegistryModel,
    named,
    precision_field,
    reported_on,
    span_constraints,
)

#: The kinds of record that carry identifiers and other names.
NAMED_MODELS = ("person", "organization")
OWNER_CHOICES = Q(app_label="registry", model__in=NAMED_MODELS)

#: Known schemes and the form their identifiers take; other schemes (lower-case, e.g. ``hcmc-unit``) take any text.
SCHEME_FORMATS = {
    "wikidata": re.compile(r"^Q[1-9][0-9]*$"),
}


class OwnedByRecord(RegistryModel):
    """Belongs to one person or organization (a generic relation, as citations are)."""

    # CASCADE on the content type only: Django's own table, removed with the model itself.
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        limit_choices_to=OWNER_CHOICES,
        verbose_name=_("kind of record"),
        help_text=_("Kind of the record: person or organization."),
    )
    object_id = models.PositiveBigIntegerField(
        verbose_name=_("record id"), help_text=_("Id of the person or organization.")
    )
    record = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.content_type_id is None:
            return
        if self.content_type.app_label != "registry" or self.content_type.model not in NAMED_MODELS:
            raise ValidationError({"content_type": "Only people and organizations carry identifiers and names."})
        model = self.content_type.model_class()
        if self.object_id is not None and not model._default_manager.filter(pk=self.object_id).exists():
            raise ValidationError({"object_id": f"No {model._meta.verbose_name} with id {self.object_id}."})


class Identifier(OwnedByRecord):
    """An identifier another system issued for a person or organization: ``scheme`` and ``identifier``."""

    scheme = models.CharField(
        max_length=40,
        validators=[RegexValidator(r"^[a-z][a-z0-9_.-]*$", "Lower-case ASCII letters, digits, ., _ and -.")],
        verbose_name=_("scheme"),
        help_text=_("Who issued it: wikidata, the national civil-servant or unit register, the city's codes, …"),
    )
    identifier = models.CharField(
        max_length=200,
        verbose_name=_("identifier"),
        help_text=_("The identifier as its scheme writes it, e.g. Q1854."),
    )
    note = models.CharField(
        max_length=255, blank=True, verbose_name=_("note"), help_text=_("Anything to know about this identifier.")
    )

    #: The fields an editor writes (the admin's inline and the API show and take these, besides the owner).
    EDITABLE_FIELDS = ("scheme", "identifier", "note")

    class Meta:
        verbose_name, verbose_name_plural = _("identifier"), _("identifiers")
        ordering = ("content_type", "object_id", "scheme", "identifier", "id")
        indexes = [
            models.Index(fields=("content_type", "object_id"), name="registry_identifier_record"),
            models.Index(fields=("scheme", "identifier"), name="registry_identifier_lookup"),
        ]
        constraints = [
            reported_on(
                "identifier",
                models.UniqueConstraint(
                    fields=("content_type", "scheme", "identifier"),
                    name=named("unique_per_kind"),
                    violation_error_message="Another record of this kind already carries this identifier.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.identifier}"

    def clean(self) -> None:
        super().clean()
        pattern = SCHEME_FORMATS.get(self.scheme)
        if pattern is not None and self.identifier and not pattern.match(self.identifier):
            raise ValidationError({"identifier": f"Not a {self.scheme} identifier (expected {pattern.pattern})."})


class OtherName(OwnedByRecord):
    """Another name of a person or organization: a former name, an abbreviation, a transliteration, with dates."""

    name = models.CharField(max_length=255, verbose_name=_("name"), help_text=_("The name as written (NFC)."))
    kind = models.CharField(
        max_length=16,
        choices=OtherNameKind.choices,
        default=OtherNameKind.ALTERNATE,
        verbose_name=_("kind"),
        help_text=_("What name it is."),
    )
    language = models.CharField(
        max_length=16,
        blank=True,
        verbose_name=_("language"),
        help_text=_("Language of the name (BCP 47, e.g. vi, en, fr); blank if not stated."),
    )
    start_date = models.DateField(
        null=True, blank=True, verbose_name=_("start date"), help_text=_("Used from; null when no source says.")
    )
    start_date_precision = precision_field(help_text="Precision of start_date.")
    end_date = models.DateField(
        null=True, blank=True, verbose_name=_("end date"), help_text=_("Used until; null while in use or unknown.")
    )
    end_date_precision = precision_field(help_text="Precision of end_date.")
    note = models.CharField(
        max_length=255,
        blank=True,
        verbose_name=_("note"),
        help_text=_("A note, e.g. the name before the 2025 merger."),
    )

    #: The fields an editor writes (the admin's inline and the API show and take these, besides the owner).
    EDITABLE_FIELDS = (
        "name",
        "kind",
        "language",
        "start_date",
        "start_date_precision",
        "end_date",
        "end_date_precision",
        "note",
    )

    class Meta:
        verbose_name, verbose_name_plural = _("other name"), _("other names")
        ordering = ("content_type", "object_id", "name", "id")
        indexes = [models.Index(fields=("content_type", "object_id"), name="registry_othername_record")]
        constraints = [
            *span_constraints(),
            reported_on(
                "name",
                models.UniqueConstraint(
                    fields=("content_type", "object_id", "name", "kind"),
                    name=named("unique_per_record"),
                    violation_error_message="The record already has this name of this kind.",
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name
