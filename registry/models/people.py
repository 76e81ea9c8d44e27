"""People who hold posts."""

import datetime

from django.db import models

from registry.choices import Honorific
from registry.models.base import RegistryModel, search_text_field


class PersonQuerySet(models.QuerySet):
    def as_of(self, day: datetime.date) -> "PersonQuerySet":
        """People who hold at least one post on ``day``."""
        from registry.models.posts import Appointment

        return self.filter(pk__in=Appointment.objects.as_of(day).values("person_id"))


class Person(RegistryModel):
    """A named official. Unnamed holders are never invented: an empty seat stays empty."""

    slug = models.SlugField(max_length=120, unique=True, help_text="Stable ASCII key, from the name.")
    name = models.CharField(max_length=200, help_text="Full name as written, Vietnamese order (NFC).")
    family_name = models.CharField(max_length=100, blank=True, help_text="Family name (họ), e.g. Nguyễn.")
    given_name = models.CharField(max_length=100, blank=True, help_text="Given name (tên), e.g. Được.")
    honorific = models.CharField(
        max_length=3,
        choices=Honorific.choices,
        blank=True,
        help_text="ông or bà, only where a source uses it; blank otherwise.",
    )
    search_text = search_text_field()

    search_fields = ("name",)
    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ("name", "id")
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name
