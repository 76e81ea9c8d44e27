"""Identifiers and other names as they appear inside a person or an organization, and the `identifier` filter.

Kept apart from registry/api/serializers.py (which only adds these as fields) so neither module imports the other.
"""

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from drf_spectacular.drainage import set_override

from registry.api.rendering import ReadModelSerializer
from registry.models import Identifier, OtherName


class IdentifierSerializer(ReadModelSerializer):
    """An identifier another system issued (Popolo `identifier`)."""

    class Meta:
        model = Identifier
        fields = ("id", *Identifier.EDITABLE_FIELDS)


class OtherNameSerializer(ReadModelSerializer):
    """Another name of the record (Popolo `other_name`), with its dates and their precision."""

    class Meta:
        model = OtherName
        fields = ("id", *OtherName.EDITABLE_FIELDS)


def identifiers_field() -> IdentifierSerializer:
    return IdentifierSerializer(
        many=True, read_only=True, help_text="Identifiers other systems issued (write at /api/v1/identifiers/)."
    )


def other_names_field() -> OtherNameSerializer:
    return OtherNameSerializer(
        many=True, read_only=True, help_text="Former names, abbreviations, transliterations (/api/v1/other-names/)."
    )


def split_identifier(value: str) -> tuple[str, str]:
    """``wikidata:Q1854`` -> (``wikidata``, ``Q1854``); the identifier may itself contain colons."""
    scheme, sep, identifier = value.partition(":")
    if not sep or not scheme or not identifier:
        raise forms.ValidationError("Expected scheme:identifier, e.g. wikidata:Q1854.", code="invalid")
    return scheme, identifier


class IdentifierFormField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return split_identifier(value) if value else None


class IdentifierFilter(django_filters.Filter):
    """``?identifier=scheme:identifier``: the records carrying that identifier."""

    field_class = IdentifierFormField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "scheme:identifier, e.g. wikidata:Q1854: the records carrying that identifier.")
        super().__init__(*args, **kwargs)
        set_override(self, "field", {"type": "string", "pattern": "^[^:]+:.+$", "description": self.label})

    def filter(self, qs, value):
        if not value:
            return qs
        scheme, identifier = value
        owners = Identifier.objects.filter(
            content_type=ContentType.objects.get_for_model(qs.model), scheme=scheme, identifier=identifier
        ).values("object_id")
        return qs.filter(pk__in=owners)
