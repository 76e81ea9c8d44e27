"""People, and every post each one held."""

from registry.api.serializers.base import DATED, NamedRecordSerializer, ReadModelSerializer, RelatedField, url_field
from registry.models import Appointment, Organization, Person, Post


class PersonAppointmentSerializer(ReadModelSerializer):
    """An appointment as listed under its person."""

    url = url_field("appointment", "pk")
    post = RelatedField(Post, read_only=True)
    organization = RelatedField(Organization, source="post.organization", read_only=True)
    capacity = RelatedField(Post, read_only=True, allow_null=True)

    class Meta:
        model = Appointment
        fields = ("id", "url", "post", "organization", "capacity", *DATED)


class PersonSerializer(NamedRecordSerializer):
    url = url_field("person")
    appointments = PersonAppointmentSerializer(many=True, read_only=True, help_text="Every post the person held.")

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
