"""Bodies, the relationships between them, and their mandates."""

import datetime

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.choices import OrganizationClassification, RelationshipKind
from registry.models.base import (
    SMALLINT_MAX,
    RegistryModel,
    RegistryQuerySet,
    ends_after_starts,
    in_effect,
    precision_field,
    precision_goes_with_date,
    refused_unless,
    search_text_field,
)


class OrganizationQuerySet(RegistryQuerySet):
    span = ("founding_date", "dissolution_date")

    def exists_on(self, day: datetime.date) -> "OrganizationQuerySet":
        """Bodies that exist on ``day``: founded on or before it (or founding unknown), not dissolved before it."""
        return self.as_of(day)


class Organization(RegistryModel):
    """A body: party organ, government, ministry, people's committee, department, committee, group or unit."""

    slug = models.SlugField(
        max_length=120, unique=True, verbose_name=_("slug"), help_text=_("Stable ASCII key, from the Vietnamese name.")
    )
    name = models.CharField(
        max_length=255, verbose_name=_("name"), help_text=_("Name in Vietnamese, as the sources write it (NFC).")
    )
    name_en = models.CharField(
        max_length=255, blank=True, verbose_name=_("name en"), help_text=_("English translation of the name.")
    )
    abbreviation = models.CharField(
        max_length=50, blank=True, verbose_name=_("abbreviation"), help_text=_("Usual abbreviation, e.g. UBND TP.HCM.")
    )
    classification = models.CharField(
        max_length=32,
        choices=OrganizationClassification.choices,
        verbose_name=_("classification"),
        help_text=_("Kind of body."),
    )
    # PROTECT: a body with sub-bodies cannot vanish and orphan them silently.
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
        help_text=_("The body this one belongs to."),
    )
    founding_date = models.DateField(
        null=True, blank=True, verbose_name=_("founding date"), help_text=_("Founded on; null when no source says.")
    )
    founding_date_precision = precision_field(_("founding date precision"), _("Precision of founding_date."))
    dissolution_date = models.DateField(
        null=True, blank=True, verbose_name=_("dissolution date"), help_text=_("Dissolved on; null while it exists.")
    )
    dissolution_date_precision = precision_field(_("dissolution date precision"), _("Precision of dissolution_date."))
    legal_basis = models.ManyToManyField(
        "registry.Document",
        blank=True,
        related_name="organizations_based_on",
        verbose_name=_("legal basis"),
        help_text=_("Documents that found or mandate this body."),
    )
    note = models.TextField(
        blank=True, verbose_name=_("note"), help_text=_("What the sources leave open, in plain words.")
    )
    identifiers = GenericRelation(
        "registry.Identifier", help_text="Identifiers other systems issued for the body (Wikidata, unit codes)."
    )
    other_names = GenericRelation("registry.OtherName", help_text="Former names, abbreviations, transliterations.")
    search_text = search_text_field()

    search_fields = ("name", "name_en", "abbreviation")
    objects = OrganizationQuerySet.as_manager()
    date_precisions = {"founding_date": "founding_date_precision", "dissolution_date": "dissolution_date_precision"}
    #: The legal basis is part of the record's history too (read by django-simple-history).
    _history_m2m_fields = ("legal_basis",)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ("name", "id")
        indexes = [
            # The list's order; also the outer loop of the appointments list (body name, rank, start, id).
            models.Index(fields=("name", "id"), name="registry_org_name"),
            models.Index(fields=("classification", "name", "id"), name="registry_org_class_name"),
        ]
        constraints = [
            ends_after_starts("founding_date", "dissolution_date", "%(app_label)s_%(class)s_dissolved_after_founded"),
            precision_goes_with_date(
                "founding_date", "founding_date_precision", "%(app_label)s_%(class)s_founding_precision"
            ),
            precision_goes_with_date(
                "dissolution_date", "dissolution_date_precision", "%(app_label)s_%(class)s_dissolution_precision"
            ),
            refused_unless(
                "parent",
                ~Q(parent=models.F("id")),
                "%(app_label)s_%(class)s_not_own_parent",
                "An organization cannot be its own parent.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def exists_on(self, day: datetime.date) -> bool:
        return in_effect(day, self.founding_date, self.dissolution_date)

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


class RelationshipQuerySet(RegistryQuerySet):
    span = ("start_date", "end_date")


class OrganizationRelationship(RegistryModel):
    """A dated relationship between two bodies: support, dual subordination, coordination, merger."""

    # PROTECT: a relationship is a fact about both bodies; delete it before either body.
    subject = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="relationships_out",
        verbose_name=_("subject"),
        help_text=_("The body that acts."),
    )
    object = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="relationships_in",
        verbose_name=_("object"),
        help_text=_("The body acted towards."),
    )
    kind = models.CharField(
        max_length=20,
        choices=RelationshipKind.choices,
        verbose_name=_("kind"),
        help_text=_("How subject stands to object."),
    )
    start_date = models.DateField(
        null=True, blank=True, verbose_name=_("start date"), help_text=_("In effect from; null when no source says.")
    )
    start_date_precision = precision_field(_("start date precision"), _("Precision of start_date."))
    end_date = models.DateField(
        null=True, blank=True, verbose_name=_("end date"), help_text=_("In effect until; null while in effect.")
    )
    end_date_precision = precision_field(_("end date precision"), _("Precision of end_date."))
    # PROTECT: the instrument behind a relationship must not disappear from under it.
    document = models.ForeignKey(
        "registry.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relationships",
        verbose_name=_("document"),
        help_text=_("The instrument that establishes the relationship, if any."),
    )
    description = models.TextField(
        blank=True, verbose_name=_("description"), help_text=_("The relationship in the sources' words (Vietnamese).")
    )
    description_en = models.TextField(
        blank=True, verbose_name=_("description en"), help_text=_("English translation of the description.")
    )

    objects = RelationshipQuerySet.as_manager()
    date_precisions = {"start_date": "start_date_precision", "end_date": "end_date_precision"}

    class Meta:
        verbose_name = _("organization relationship")
        verbose_name_plural = _("organization relationships")
        ordering = ("kind", "subject__name", "object__name", "id")
        constraints = [
            models.UniqueConstraint(
                fields=("subject", "object", "kind"), name="%(app_label)s_%(class)s_unique_subject_object_kind"
            ),
            refused_unless(
                "object",
                ~Q(subject=models.F("object")),
                "%(app_label)s_%(class)s_two_bodies",
                "A relationship joins two different organizations.",
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
        Organization,
        on_delete=models.CASCADE,
        related_name="duties",
        verbose_name=_("organization"),
        help_text=_("The body this duty belongs to."),
    )
    order = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(SMALLINT_MAX)],
        verbose_name=_("order"),
        help_text=_("Position in the body's list of duties, from 1."),
    )
    text = models.TextField(verbose_name=_("text"), help_text=_("The duty in Vietnamese, as the source states it."))
    text_en = models.TextField(blank=True, verbose_name=_("text en"), help_text=_("English translation."))

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ("organization__name", "order", "id")
        constraints = [
            models.UniqueConstraint(fields=("organization", "order"), name="%(app_label)s_%(class)s_unique_order"),
            refused_unless("order", Q(order__gte=1), "%(app_label)s_%(class)s_order_from_one", "order starts at 1."),
        ]

    def __str__(self) -> str:
        return f"{self.organization.slug} #{self.order}"
