"""What every API serializer shares: strict input, writes through the services, and one brief form per model.

A related record renders brief (NetBox's ``brief_fields``): each resource serializer names its brief fields in
``Meta.brief_fields``, and one field class, ``RelatedField``, renders any related record that way and takes its lookup
key (a slug, or an id for posts and appointments) on write. The brief serializer is built once per field, not once
per row.
"""

import functools

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.validators import UniqueValidator

from registry import services
from registry.api.names import identifiers_field, other_names_field
from registry.api.rendering import IdentityURLField, PlainValuesMixin, PrototypeFieldsMixin, ReadModelSerializer
from registry.api.strict import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictIntegerField,
    StrictSlugField,
)
from registry.models import Citation, Document

NS = "registry-api"
#: The most records one list of related keys may name (checked before anything is looked up).
MAX_RELATED = 100
#: The fields of a dated fact (an appointment, a relationship): when it started and ended, each with its precision.
DATED = ("start_date", "start_date_precision", "end_date", "end_date_precision")


def url_field(view: str, lookup_field: str = "slug") -> serializers.HyperlinkedIdentityField:
    return IdentityURLField(view_name=f"{NS}:{view}-detail", lookup_field=lookup_field)


# --- one way to derive a narrower serializer: the brief form, the change feed's form ------------------------------


@functools.cache
def narrowed(serializer_class: type, fields: tuple[str, ...], name: str, doc: str) -> type:
    """A subclass of ``serializer_class`` with only ``fields`` (the others, declared ones included, left out)."""
    meta = type("Meta", (serializer_class.Meta,), {"fields": fields})
    left_out = {field: None for field in serializer_class._declared_fields if field not in fields}
    return type(name, (serializer_class,), {"Meta": meta, "__doc__": doc, **left_out})


def brief_serializer(model: type[models.Model]) -> type:
    """The brief serializer of a model: ``Brief<Model>``, from its resource serializer's ``Meta.brief_fields``."""
    from registry.api.serializers import RESOURCE_SERIALIZERS  # every resource module is loaded by then

    full = RESOURCE_SERIALIZERS[model]
    doc = f"A related {model._meta.verbose_name}, in brief."
    return narrowed(full, tuple(full.Meta.brief_fields), f"Brief{model.__name__}", doc)


# --- related records: brief on read, a lookup key on write ---------------------------------------------------------


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A JSON array of at most ``MAX_RELATED`` lookup keys, nothing else (DRF would iterate the keys of an object)."""

    default_error_messages = {"too_many": f"At most {MAX_RELATED} items."}

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        if len(data) > MAX_RELATED:
            self.fail("too_many")
        return super().to_internal_value(data)


class RelatedField(serializers.RelatedField):
    """A related ``model`` record: rendered brief (``Meta.brief_fields``), written by its lookup key."""

    default_error_messages = {
        "does_not_exist": "No {model} with {lookup} {value!r}.",
        "invalid": "Expected the {lookup} of a {model}, got {value!r}.",
    }

    def __init__(self, model: type[models.Model], **kwargs):
        self.model = model
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", model._default_manager.all())
        super().__init__(**kwargs)

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return StrictManyRelatedField(**list_kwargs)

    @property
    def brief_class(self) -> type:
        return brief_serializer(self.model)

    @property
    def lookup(self) -> str:
        return getattr(self.brief_class.Meta, "lookup_field", "slug")

    @functools.cached_property
    def brief(self) -> serializers.Serializer:
        """Built once for the field (and so once per list), not once per related row."""
        return self.brief_class(context=self.context)

    def use_pk_only_optimization(self) -> bool:
        return False

    def run_validation(self, data=serializers.empty):
        if data == "":  # DRF would read "" as null; the schema says a key has at least one character
            self.fail("invalid", model=self._name(), lookup=self._lookup_name(), value=data)
        return super().run_validation(data)

    def to_internal_value(self, data):
        # Exactly the JSON type the schema promises: an integer id, or a slug string.
        expected = int if self.lookup == "pk" else str
        if isinstance(data, bool) or not isinstance(data, expected):
            self.fail("invalid", model=self._name(), lookup=self._lookup_name(), value=data)
        try:
            return self.get_queryset().get(**{self.lookup: data})
        except ObjectDoesNotExist:
            self.fail("does_not_exist", model=self._name(), lookup=self._lookup_name(), value=data)

    def to_representation(self, value):
        return self.brief.to_representation(value)

    def get_choices(self, cutoff=None):
        queryset = self.get_queryset()
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {getattr(item, self.lookup): self.display_value(item) for item in queryset}

    def _name(self) -> str:
        return self.model._meta.verbose_name

    def _lookup_name(self) -> str:
        return "id" if self.lookup == "pk" else self.lookup


# --- input ---------------------------------------------------------------------------------------------------------


class StrictInputMixin:
    """A request is taken exactly as written or refused: a field the request schema does not list is a 400."""

    default_error_messages = {
        "unknown_field": "Unknown field: this request takes {fields}.",
        "read_only_field": "Read-only field: it cannot be written.",
    }

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = [field.field_name for field in self._writable_fields]
            errors = {name: [self._refusal(name, writable)] for name in data if name not in writable}
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def _refusal(self, name: str, writable: list[str]) -> ErrorDetail:
        if name in self.fields:
            return ErrorDetail(self.error_messages["read_only_field"], code="read_only")
        return ErrorDetail(self.error_messages["unknown_field"].format(fields=", ".join(writable)), code="unknown")


class InputSerializer(StrictInputMixin, serializers.Serializer):
    """The body of an action: every field declared, nothing else accepted."""


class SourceSerializer(ReadModelSerializer):
    """A citation as shown on the record it supports."""

    document = RelatedField(Document, read_only=True)

    class Meta:
        model = Citation
        fields = ("document", "quote", "field")


class RegistryModelSerializer(PrototypeFieldsMixin, PlainValuesMixin, StrictInputMixin, serializers.ModelSerializer):
    """A record of the registry. On a write, the optional `reason` is kept in the record's history and the change
    feed, and the `If-Match` header makes the write conditional on the record's current version."""

    # Shapes a record for the API and hands writes to the services, which validate them once, under the lock. The
    # docstring above is the schema's description of every record without one of its own: it is for integrators.

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.SlugField: StrictSlugField,
        models.DateField: StrictDateField,
        models.BooleanField: StrictBooleanField,
        models.PositiveSmallIntegerField: StrictIntegerField,
        models.IntegerField: StrictIntegerField,
    }
    serializer_choice_field = StrictChoiceField

    sources = SourceSerializer(many=True, read_only=True, help_text="Documents and verbatim quotes for this record.")
    reason = StrictCharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="Why the change is made; kept in the record's history and the change feed.",
    )

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if "validators" in field_kwargs:  # uniqueness is the service's to check, under the lock (get_validators)
            field_kwargs["validators"] = [v for v in field_kwargs["validators"] if not isinstance(v, UniqueValidator)]
        return field_class, field_kwargs

    def get_validators(self):
        """None: the service checks uniqueness once, under the lock; checked here too, it would be asked twice, the
        first time before the lock, when the answer can still change."""
        return []

    def create(self, validated_data):
        reason = validated_data.pop("reason", "")
        validated_data.pop("if_match", None)
        return services.record_create(model=self.Meta.model, values=validated_data, reason=reason)

    def update(self, instance, validated_data):
        reason = validated_data.pop("reason", "")
        if_match = validated_data.pop("if_match", None)
        return services.record_update(instance=instance, changes=validated_data, reason=reason, if_match=if_match)


class NamedRecordSerializer(RegistryModelSerializer):
    # A body or a person, with the identifiers other systems issued for it and its other names (both read-only).
    # No docstring on purpose: the schema describes each component by the nearest one, RegistryModelSerializer's.

    identifiers = identifiers_field()
    other_names = other_names_field()
