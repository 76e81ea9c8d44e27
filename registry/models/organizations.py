"""Bodies, the relationships between them, and their mandates."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from registry.choices import DatePrecision, OrganizationClassification, RelationshipKind
from registry.models.base import (
    SMALLINT_MAX,
    RegistryModel,
    ends_after_starts,
    precision_goes_with_date,
    search_text_field,
)


class OrganizationQuerySet(models.QuerySet):
    def as_of(self, day: datetime.date) -> "OrganizationQuerySet":
        """Bodies that exist on ``day``: founded on or before it (or founding unknown), not dissolved before it."""
        return self.filter(
            Q(founding_date__isnull=True) | Q(founding_date__lte=day),
            Q(dissolution_date__isnull=True) | Q(dissolution_date__gte=day),
        )


class Organization(RegistryModel):
    """A body: party organ, government, ministry, people's committee, department, committee, group or unit."""

    slug = models.SlugField(max_length=120, unique=True, help_text="Stable ASCII key, from the Vietnamese name.")
    name = models.CharField(max_length=255, help_text="Name in Vietnamese, as the sources write it (NFC).")
    name_en = models.CharField(max_length=255, blank=True, help_text="English translation of the name.")
    abbreviation = models.CharField(max_length=50, blank=True, help_text="Usual abbreviation, e.g. UBND TP.HCM.")
    classification = models.CharField(
        max_length=32, choices=OrganizationClassification.choices, help_text="Kind of body."
    )
    # PROTECT: a body with sub-bodies cannot vanish and orphan them silently.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The body this one belongs to.",
    )
    founding_date = models.DateField(null=True, blank=True, help_text="Founded on; null when no source says.")
    founding_date_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, blank=True, help_text="Precision of founding_date."
    )
    dissolution_date = models.DateField(null=True, blank=True, help_text="Dissolved on; null while it exists.")
    dissolution_date_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, blank=True, help_text="Precision of dissolution_date."
    )
    legal_basis = models.ManyToManyField(
        "registry.Document",
        blank=True,
        related_name="organizations_based_on",
        help_text="Documents that found or mandate this body.",
    )
    note = models.TextField(blank=True, help_text="What the sources leave open, in plain words.")
    search_text = search_text_field()

    search_fields = ("name", "name_en", "abbreviation")
    objects = OrganizationQuerySet.as_manager()
    #: The legal basis is part of the record's history too (read by django-simple-history).
    _history_m2m_fields = ("legal_basis",)

    class Meta:
        ordering = ("name", "id")
        constraints = [
            ends_after_starts("founding_date", "dissolution_date", "%(app_label)s_%(class)s_dissolved_after_founded"),
            precision_goes_with_date(
                "founding_date", "founding_date_precision", "%(app_label)s_%(class)s_founding_precision"
            ),
            precision_goes_with_date(
                "dissolution_date", "dissolution_date_precision", "%(app_label)s_%(class)s_dissolution_precision"
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")),
                name="%(app_label)s_%(class)s_not_own_parent",
                violation_error_message="An organization cannot be its own parent.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def exists_on(self, day: datetime.date) -> bool:
        return (self.founding_date is None or self.founding_date <= day) and (
            self.dissolution_date is None or day <= self.dissolution_date
        )

    def clean(self) -> None:
        super().clean()
        self._refuse_parent_cycle()

    def _refuse_parent_cycle(self) -> None:
        def identity(body: "Organization"):
            return ("pk", body.pk) if body.pk is not None else ("object", id(body))

        own, seen, ancestor = identity(self), set(), self.parent
        while ancestor is not None and identity(ancestor) not in seen:
            if identity(ancestor) == own:
                raise ValidationError(
                    {"parent": "A parent cannot be the organization itself or one of its descendants."}
                )
            seen.add(identity(ancestor))
            ancestor = ancestor.parent


class RelationshipQuerySet(models.QuerySet):
    def as_of(self, day: datetime.date) -> "RelationshipQuerySet":
        return self.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day)
        )


class OrganizationRelationship(RegistryModel):
    """A dated relationship between two bodies: support, dual subordination, coordination, merger."""

    # PROTECT: a relationship is a fact about both bodies; delete it before either body.
    subject = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="relationships_out", help_text="The body that acts."
    )
    object = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="relationships_in", help_text="The body acted towards."
    )
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices, help_text="How subject stands to object.")
    start_date = models.DateField(null=True, blank=True, help_text="In effect from; null when no source says.")
    start_date_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, blank=True, help_text="Precision of start_date."
    )
    end_date = models.DateField(null=True, blank=True, help_text="In effect until; null while in effect.")
    end_date_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, blank=True, help_text="Precision of end_date."
    )
    # PROTECT: the instrument behind a relationship must not disappear from under it.
    document = models.ForeignKey(
        "registry.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relationships",
        help_text="The instrument that establishes the relationship, if any.",
    )
    description = models.TextField(blank=True, help_text="The relationship in the sources' words (Vietnamese).")
    description_en = models.TextField(blank=True, help_text="English translation of the description.")

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        ordering = ("kind", "subject__name", "object__name", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("subject", "object", "kind"), name="%(app_label)s_%(class)s_unique_subject_object_kind"
            ),
            models.CheckConstraint(
                condition=~Q(subject=models.F("object")),
                name="%(app_label)s_%(class)s_two_bodies",
                violation_error_message="A relationship joins two different organizations.",
            ),
            ends_after_starts("start_date", "end_date", "%(app_label)s_%(class)s_end_after_start"),
            precision_goes_with_date("start_date", "start_date_precision", "%(app_label)s_%(class)s_start_precision"),
            precision_goes_with_date("end_date", "end_date_precision", "%(app_label)s_%(class)s_end_precision"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.get_kind_display().lower()} {self.object}"


class Duty(RegistryModel):
    """One item of a body's mandate, in the order the sources list them."""

    # CASCADE: a duty has no meaning without its body.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="duties", help_text="The body this duty belongs to."
    )
    order = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(SMALLINT_MAX)], help_text="Position in the body's list of duties, from 1."
    )
    text = models.TextField(help_text="The duty in Vietnamese, as the source states it.")
    text_en = models.TextField(blank=True, help_text="English translation.")

    class Meta:
        ordering = ("organization__name", "order", "id")
        verbose_name_plural = "duties"
        constraints = [
            models.UniqueConstraint(fields=("organization", "order"), name="%(app_label)s_%(class)s_unique_order"),
            models.CheckConstraint(
                condition=Q(order__gte=1),
                name="%(app_label)s_%(class)s_order_from_one",
                violation_error_message="order starts at 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.slug} #{self.order}"
