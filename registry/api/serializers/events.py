"""Events: the conferences the sources report, their organisers, and who was shown there (registry/api/events.py)."""

from rest_framework import serializers

from registry.api.rendering import ReadModelSerializer
from registry.api.serializers.base import RegistryModelSerializer, RelatedField, SourceSerializer, url_field
from registry.models import Appointment, Event, EventAppearance, Organization, Person


class AppearanceSerializer(ReadModelSerializer):
    """A person shown at the event in a post: the appointment, in brief, and the sentence that shows it there."""

    appointment = RelatedField(Appointment, read_only=True)
    person = RelatedField(Person, source="appointment.person", read_only=True)
    start_date = serializers.DateField(source="appointment.start_date", read_only=True, help_text="The appointment's.")
    sources = SourceSerializer(many=True, read_only=True, help_text="The sentence that shows it at the event.")

    class Meta:
        model = EventAppearance
        fields = ("id", "appointment", "person", "start_date", "note", "sources")


class AppearanceChangeSerializer(ReadModelSerializer):
    """An appearance in the change feed."""

    event = RelatedField(Event, read_only=True)
    appointment = RelatedField(Appointment, read_only=True)

    class Meta:
        model = EventAppearance
        fields = ("id", "event", "appointment", "note")


class EventSerializer(RegistryModelSerializer):
    url = url_field("event")
    organizers = RelatedField(
        Organization, many=True, required=False, help_text="The bodies a source says organised it (slugs)."
    )
    appearances = AppearanceSerializer(
        many=True, read_only=True, help_text="Who the event shows, in which post, with the sentence that says so."
    )

    class Meta:
        model = Event
        brief_fields = ("id", "slug", "name", "start_date", "url")
        list_omits = ("appearances", "sources")
        fields = (
            "id",
            "url",
            "slug",
            "name",
            "name_en",
            "classification",
            "start_date",
            "start_date_precision",
            "organizers",
            "appearances",
            "note",
            "sources",
            "reason",
            "created",
            "updated",
        )
