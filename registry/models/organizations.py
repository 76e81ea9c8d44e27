"""Bodies, the relationships between them, and their mandates."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.choices import OrganizationClassification, RelationshipKind
from registry.models import fields
from registry.models.base import (
    SMALLINT_MAX,
    RegistryModel,
    RegistryQuerySet,
    in_effect,
    named,
    precision_field,
    refused_unless,
    refused_when_equal,
    search_text_field,
    span_constraints,
)


class OrganizationQuerySet(RegistryQuerySet):
    span = ("founding_date", "dissolution_date")

    def exists_on(self, day: datetime.date) -> "OrganizationQuerySet":
        """Bodies that exist on ``day``: founded on or before it (or founding unknown), not dissolved before it."""
        return self.as_of(day)


class Organization(RegistryModel):
    """A body: party organ, government, ministry, people's committee, department, committee, group or unit."""

    slug = fields.slug_key(_("Stable ASCII key, from the Vietnamese name."))
    name = fields.text(_("name"), _("Name in Vietnamese, as the sources write it (NFC)."))
    name_en = fields.text(_("name en"), _("English translation of the name."), optional=True)
    abbreviation = fields.text(
        _("abbreviation"), _("Usual abbreviation, e.g. UBND TP.HCM."), max_length=50, optional=True
    )
    classification = fields.choice(OrganizationClassification, _("classification"), _("Kind of body."), max_length=32)
    # PROTECT: a body with sub-bodies cannot vanish and orphan them silently.
    parent = fields.reference(
        "self", _("parent"), _("The body this one belongs to."), related_name="children", optional=True
    )
    founding_date = fields.optional_date(_("founding date"), _("Founded on; null when no source says."))
    founding_date_precision = precision_field(_("founding date precision"), _("Precision of founding_date."))
    dissolution_date = fields.optional_date(_("dissolution date"), _("Dissolved on; null while it exists."))
    dissolution_date_precision = precision_field(_("dissolution date precision"), _("Precision of dissolution_date."))
    legal_basis = models.ManyToManyField(
        "registry.Document",
        blank=True,
        related_name="organizations_based_on",
        verbose_name=_("legal basis"),
        help_text=_("Documents that found or mandate this body."),
    )
    note = fields.prose(_("note"), _("What the sources leave open, in plain words."))
    identifiers = fields.identifiers("Identifiers other systems issued for the body (Wikidata, unit codes).")
    other_names = fields.other_names("Former names, abbreviations, transliterations.")
    search_text = search_text_field()

    search_fields = ("name", "name_en", "abbreviation")
    objects = OrganizationQuerySet.as_manager()
    #: The legal basis is part of the record's history too (read by django-simple-history).
    _history_m2m_fields = ("legal_basis",)

    class Meta:
        verbose_name, verbose_name_plural = _("organization"), _("organizations")
        ordering = ("name", "id")
        indexes = [
            # The list's order; also the outer loop of the appointments list (body name, rank, start, id).
            models.Index(fields=("name", "id"), name="registry_org_name"),
            models.Index(fields=("classification", "name", "id"), name="registry_org_class_name"),
        ]
        constraints = [
            *span_constraints(
                "founding_date",
                "dissolution_date",
                names=("dissolved_after_founded", "founding_precision", "dissolution_precision"),
            ),
            refused_when_equal("parent", "id", named("not_own_parent"), "An organization cannot be its own parent."),
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
    subject = fields.reference(Organization, _("subject"), _("The body that acts."), related_name="relationships_out")
    object = fields.reference(Organization, _("object"), _("The body acted towards."), related_name="relationships_in")
    kind = fields.choice(RelationshipKind, _("kind"), _("How subject stands to object."), max_length=20)
    start_date = fields.optional_date(_("start date"), _("In effect from; null when no source says."))
    start_date_precision = precision_field(_("start date precision"), _("Precision of start_date."))
    end_date = fields.optional_date(_("end date"), _("In effect until; null while in effect."))
    end_date_precision = precision_field(_("end date precision"), _("Precision of end_date."))
    # PROTECT: the instrument behind a relationship must not disappear from under it.
    document = fields.reference(
        "registry.Document",
        _("document"),
        _("The instrument that establishes the relationship, if any."),
        related_name="relationships",
        optional=True,
    )
    description = fields.prose(_("description"), _("The relationship in the sources' words (Vietnamese)."))
    description_en = fields.prose(_("description en"), _("English translation of the description."))

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("organization relationship"), _("organization relationships")
        ordering = ("kind", "subject__name", "object__name", "id")
        constraints = [
            models.UniqueConstraint(fields=("subject", "object", "kind"), name=named("unique_subject_object_kind")),
            refused_when_equal(
                "subject",
                "object",
                named("two_bodies"),
                "A relationship joins two different organizations.",
                field="object",
            ),
            *span_constraints(),
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
    text = fields.prose(_("text"), _("The duty in Vietnamese, as the source states it."), optional=False)
    text_en = fields.prose(_("text en"), _("English translation."))

    objects = RegistryQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("duty"), _("duties")
        ordering = ("organization__name", "order", "id")
        constraints = [
            models.UniqueConstraint(fields=("organization", "order"), name=named("unique_order")),
            refused_unless("order", Q(order__gte=1), named("order_from_one"), "order starts at 1."),
        ]

    def __str__(self) -> str:
        return f"{self.organization.slug} #{self.order}"
