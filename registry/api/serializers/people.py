"""People, and every post each one held."""

from rest_framework import serializers

from registry.api.names import identifiers_field, other_names_field
from registry.api.serializers.base import RegistryModelSerializer, RelatedField, url_field
from registry.models import Appointment, Organization, Person, Post


class PersonAppointmentSerializer(serializers.ModelSerializer):
    """An appointment as listed under its person."""

    url = url_field("appointment", "pk")
    post = RelatedField(Post, read_only=True)
    organization = RelatedField(Organization, source="post.organization", read_only=True)
    capacity = RelatedField(Post, read_only=True, allow_null=True)

    class Meta:
        model = Appointment
        fields = (
            "id",
            "url",
            "post",
            "organization",
            "capacity",
            "start_date",
            "start_date_precision",
            "end_date",
            "end_date_precision",
        )


class PersonSerializer(RegistryModelSerializer):
    url = url_field("person")
    appointments = PersonAppointmentSerializer(many=True, read_only=True, help_text="Every post the person held.")
    identifiers = identifiers_field()
    other_names = other_names_field()

    class Meta:
        model = Person
        brief_fields = ("id", "slug", "name", "url")
        list_omits = ("identifiers", "other_names", "appointments", "sources")
        fields = (
            "id",
            "url",
            "slug",
            "name",
            "family_name",
            "given_name",
            "honorific",
            "identifiers",
            "other_names",
            "appointments",
            "sources",
            "reason",
            "created",
            "updated",
        )
