"""People who hold posts."""

import datetime

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import Honorific
from registry.models.base import RegistryModel, RegistryQuerySet, search_text_field


class PersonQuerySet(RegistryQuerySet):
    def as_of(self, day: datetime.date) -> "PersonQuerySet":
        """People who hold at least one post on ``day``."""
        from registry.models.posts import Appointment  # posts.py imports this module

        return self.filter(pk__in=Appointment.objects.as_of(day).values("person_id"))


class Person(RegistryModel):
    """A named official. Unnamed holders are never invented: an empty seat stays empty."""

    slug = models.SlugField(
        max_length=120, unique=True, verbose_name=_("slug"), help_text=_("Stable ASCII key, from the name.")
    )
    name = models.CharField(
        max_length=200, verbose_name=_("name"), help_text=_("Full name as written, Vietnamese order (NFC).")
    )
    family_name = models.CharField(
        max_length=100, blank=True, verbose_name=_("family name"), help_text=_("Family name (họ), e.g. Nguyễn.")
    )
    given_name = models.CharField(
        max_length=100, blank=True, verbose_name=_("given name"), help_text=_("Given name (tên), e.g. Được.")
    )
    honorific = models.CharField(
        max_length=3,
        choices=Honorific.choices,
        blank=True,
        verbose_name=_("honorific"),
        help_text=_("ông or bà, only where a source uses it; blank otherwise."),
    )
    identifiers = GenericRelation(
        "registry.Identifier", help_text="Identifiers other systems issued for the person (Wikidata, registers)."
    )
    other_names = GenericRelation("registry.OtherName", help_text="Former and alternate names, transliterations.")
    search_text = search_text_field()

    search_fields = ("name",)
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ("name", "id")
        indexes = [models.Index(fields=("name", "id"), name="registry_person_name")]

    def __str__(self) -> str:
        return self.name
