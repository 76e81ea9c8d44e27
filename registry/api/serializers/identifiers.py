"""Identifiers and other names as resources of their own (``/identifiers/``, ``/other-names/``), each naming the
person or the organization it belongs to."""

from django.contrib.contenttypes.models import ContentType
from rest_framework import serializers

from registry.api.serializers.base import RegistryModelSerializer, RelatedField
from registry.models import Identifier, Organization, OtherName, Person


class OwnedSerializerMixin(serializers.Serializer):
    """The record it belongs to: exactly one of `person` and `organization` (slugs), fixed once created."""

    person = RelatedField(Person, required=False, allow_null=True, help_text="The person it belongs to (slug).")
    organization = RelatedField(
        Organization, required=False, allow_null=True, help_text="The organization it belongs to (slug)."
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        owner = instance.record
        fields = self.fields
        data["person"] = fields["person"].to_representation(owner) if _is(owner, Person) else None
        data["organization"] = fields["organization"].to_representation(owner) if _is(owner, Organization) else None
        return data

    def validate(self, attrs):
        attrs = super().validate(attrs)
        person, organization = attrs.pop("person", None), attrs.pop("organization", None)
        if self.instance is not None:
            if person is not None or organization is not None:
                raise serializers.ValidationError({"person": "The record it belongs to cannot be changed."})
            return attrs
        if (person is None) == (organization is None):
            raise serializers.ValidationError({"person": "Give exactly one of person and organization."})
        owner = person or organization
        attrs["content_type"] = ContentType.objects.get_for_model(owner)
        attrs["object_id"] = owner.pk
        return attrs


def _is(owner, model) -> bool:
    return isinstance(owner, model)


def owned_fields(model) -> tuple[str, ...]:
    """The fields of an identifier or other name as a resource: its owner, what an editor writes, its sources."""
    return ("id", "person", "organization", *model.EDITABLE_FIELDS, "sources", "reason", "created", "updated")


class IdentifierResourceSerializer(OwnedSerializerMixin, RegistryModelSerializer):
    class Meta:
        model = Identifier
        fields = owned_fields(Identifier)


class OtherNameResourceSerializer(OwnedSerializerMixin, RegistryModelSerializer):
    class Meta:
        model = OtherName
        fields = owned_fields(OtherName)
