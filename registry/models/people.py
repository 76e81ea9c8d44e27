"""People who hold posts."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import Honorific
from registry.models import fields
from registry.models.base import RegistryModel, RegistryQuerySet, search_text_field


class PersonQuerySet(RegistryQuerySet):
    def as_of(self, day: datetime.date) -> "PersonQuerySet":
        """People who hold at least one post on ``day``."""
        from registry.models.posts import Appointment  # posts.py imports this module

        return self.filter(pk__in=Appointment.objects.as_of(day).values("person_id"))


class Person(RegistryModel):
    """A named official. Unnamed holders are never invented: an empty seat stays empty."""

    slug = fields.slug_key(_("Stable ASCII key, from the name."))
    name = fields.text(_("name"), _("Full name as written, Vietnamese order (NFC)."), max_length=200)
    family_name = fields.text(_("family name"), _("Family name (họ), e.g. Nguyễn."), max_length=100, optional=True)
    given_name = fields.text(_("given name"), _("Given name (tên), e.g. Được."), max_length=100, optional=True)
    honorific = fields.choice(
        Honorific,
        _("honorific"),
        _("ông or bà, only where a source uses it; blank otherwise."),
        max_length=3,
        blank=True,
    )
    identifiers = fields.identifiers("Identifiers other systems issued for the person (Wikidata, registers).")
    other_names = fields.other_names("Former and alternate names, transliterations.")
    search_text = search_text_field()

    search_fields = ("name",)
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name, verbose_name_plural = _("person"), _("people")
        ordering = ("name", "id")
        indexes = [models.Index(fields=("name", "id"), name="registry_person_name")]

    def __str__(self) -> str:
        return self.name
