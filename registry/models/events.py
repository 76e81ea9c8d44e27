"""Events the sources report (Popolo's Event): a conference, who organised it, and who was shown there in what post.

An event is where a date comes from: an appointment ``attested`` on 22/12/2025 was shown at the conference of that
day. ``EventAppearance`` says so, with the sentence that shows the person in the post at the event.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import EventClassification
from registry.models import fields
from registry.models.base import (
    RegistryModel,
    RegistryQuerySet,
    named,
    precision_field,
    precision_goes_with_date,
    search_text_field,
)


class Event(RegistryModel):
    """A conference (or other event) a source reports, with its organisers and the day it was held."""

    slug = fields.slug_key(_("Stable ASCII key, from the name and the day."), max_length=160)
    name = fields.text(_("name"), _("Name in Vietnamese, as the source writes it (NFC)."), max_length=500)
    name_en = fields.text(_("name en"), _("English translation of the name."), max_length=500, optional=True)
    classification = fields.choice(EventClassification, _("classification"), _("Kind of event."), max_length=20)
    start_date = fields.optional_date(_("start date"), _("The day it was held; null when no source says."))
    start_date_precision = precision_field(_("start date precision"), _("Precision of start_date."))
    organizers = models.ManyToManyField(
        "registry.Organization",
        blank=True,
        related_name="events_organized",
        verbose_name=_("organizers"),
        help_text=_("The bodies a source says organised it (cited with field: organizers)."),
    )
    appointments = models.ManyToManyField(
        "registry.Appointment",
        through="registry.EventAppearance",
        blank=True,
        related_name="events",
        verbose_name=_("appointments shown"),
        help_text=_("The appointments a source shows at the event: who was there, in which post."),
    )
    note = fields.prose(_("note"), _("What the sources leave open, and what was asked at the event."))
    search_text = search_text_field()

    search_fields = ("name", "name_en")
    objects = RegistryQuerySet.as_manager()
    #: The organisers are part of the record's history too (read by django-simple-history).
    _history_m2m_fields = ("organizers",)

    class Meta:
        verbose_name, verbose_name_plural = _("event"), _("events")
        ordering = ("start_date", "name", "id")
        indexes = [models.Index(fields=("start_date", "name", "id"), name="registry_event_date_name")]
        constraints = [precision_goes_with_date("start_date", "start_date_precision", named("start_precision"))]

    def __str__(self) -> str:
        day = f" ({self.start_date:%d/%m/%Y})" if self.start_date else ""
        return f"{self.name}{day}"


class EventAppearance(RegistryModel):
    """A person shown at an event in a post: the appointment, and (in its sources) the sentence that shows it."""

    # PROTECT: an appearance is a fact about both; delete it before the event or the appointment.
    event = fields.reference(Event, _("event"), _("The event."), related_name="appearances")
    appointment = fields.reference(
        "registry.Appointment", _("appointment"), _("Who, in which post, the event shows."), related_name="appearances"
    )
    note = fields.prose(_("note"), _("What the source says of the appearance, if more than the quote."))

    class Meta:
        verbose_name, verbose_name_plural = _("event appearance"), _("event appearances")
        ordering = ("event", "appointment", "id")
        constraints = [
            models.UniqueConstraint(fields=("event", "appointment"), name=named("once_per_event")),
        ]

    def __str__(self) -> str:
        return f"{self.appointment} @ {self.event}"

    def clean(self) -> None:
        super().clean()
        if self.event_id is None or self.appointment_id is None:
            return
        day = self.event.start_date
        if day is not None and not self.appointment.holds_on(day):
            raise ValidationError(
                {"appointment": f"The appointment is not in effect on the event's day ({day:%Y-%m-%d})."}
            )
