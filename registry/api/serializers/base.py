"""What every API serializer shares: strict input, writes through the services, and one brief form per model.

A related record renders brief (NetBox's ``brief_fields``): each resource serializer names its brief fields in
``Meta.brief_fields``, and one field class, ``RelatedField``, renders any related record that way and takes its lookup
key (a slug, or an id for posts and appointments) on write. The brief serializer is built once per field, not once
per row.
"""

import copy
import functools
import re

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils import timezone
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import SkipField
from rest_framework.relations import MANY_RELATION_KWARGS, PKOnlyObject
from rest_framework.settings import ISO_8601, api_settings

from registry import services
from registry.api.names import identifiers_field, other_names_field
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


class IdentityURLField(serializers.HyperlinkedIdentityField):
    """The record's own URL, reversed once per field (a template filled in for each row), not once per row.

    Reversing a URL costs more than the rest of a brief record; a list of 100 records with their related records
    reverses hundreds of them. A key that URL quoting would change takes the ordinary path.
    """

    PLACEHOLDER = "0REGISTRYKEY0"

    def get_url(self, obj, view_name, request, format):
        key = getattr(obj, self.lookup_field, None)
        if key in (None, ""):
            return None
        key = str(key)
        template = self._template(view_name, request, format)
        if template is None or not PLAIN_KEY.fullmatch(key):
            return super().get_url(obj, view_name, request, format)
        return template.replace(self.PLACEHOLDER, key)

    def _template(self, view_name: str, request, format) -> str | None:
        cache = self.__dict__.setdefault("_templates", {})
        if (view_name, format) not in cache:
            kwargs = {self.lookup_url_kwarg: self.PLACEHOLDER}
            try:
                url = self.reverse(view_name, kwargs=kwargs, request=request, format=format)
            except NoReverseMatch:
                url = None
            cache[view_name, format] = url if url is not None and url.count(self.PLACEHOLDER) == 1 else None
        return cache[view_name, format]


#: Keys that appear in a URL exactly as they are (slugs and ids): no quoting can make the template differ.
PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


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


class PrototypeFieldsMixin:
    """Build a model serializer's fields from its model once per class, then copy them for each instance.

    DRF rebuilds every field from the model on every serializer instance: for a detail with its nested records that
    is most of the time spent outside the database. The fields depend only on the class (no serializer here shapes
    its fields by request or instance), and DRF already hands out deep copies of declared fields the same way.
    """

    _prototypes: dict[type, dict] = {}

    def get_fields(self):
        cls = type(self)
        prototypes = PrototypeFieldsMixin._prototypes.get(cls)
        if prototypes is None:
            prototypes = PrototypeFieldsMixin._prototypes[cls] = super().get_fields()
        return copy.deepcopy(prototypes)


def _as_text(value) -> str:
    return str(value)


def _as_iso_date(value) -> str:
    return value.isoformat()


#: Field classes whose output is the model attribute converted as DRF's own ``to_representation`` converts it.
PLAIN_OUTPUT = {
    serializers.CharField: _as_text,
    serializers.SlugField: _as_text,
    StrictCharField: _as_text,
    StrictSlugField: _as_text,
    serializers.IntegerField: int,
    StrictIntegerField: int,
    serializers.BooleanField: bool,
    StrictBooleanField: bool,
}
CHOICE_FIELDS = (serializers.ChoiceField, StrictChoiceField)
ISO_DATE_FIELDS = (serializers.DateField, StrictDateField)


def plain_output(field, model: type[models.Model]):
    """How to render ``field`` straight from a model's attribute, or None when DRF's own path is needed."""
    if len(field.source_attrs) != 1 or field.source_attrs[0] not in model_attributes(model):
        return None
    kind = type(field)
    if kind in ISO_DATE_FIELDS and getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601:
        return _as_iso_date
    if kind is serializers.DateTimeField and getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601:
        return _as_iso_moment(field)
    if kind in CHOICE_FIELDS:
        return _as_choice(field.choice_strings_to_values)
    return PLAIN_OUTPUT.get(kind)


def _as_iso_moment(field):
    """DRF's DateTimeField output (in the field's time zone, UTC written Z), with the zone looked up once."""
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()

    def render(value) -> str:
        if zone is not None and timezone.is_aware(value):
            value = value.astimezone(zone)
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render


def _as_choice(strings_to_values: dict):
    def render(value):
        return value if value == "" else strings_to_values.get(str(value), value)

    return render


@functools.cache
def model_attributes(model: type[models.Model]) -> frozenset[str]:
    return frozenset(field.attname for field in model._meta.concrete_fields)


class PlainValuesMixin:
    """Render a model's own text, number and date fields straight from its attributes.

    DRF renders every field through ``get_attribute`` and ``to_representation``, generic enough for any source; for a
    model's own columns that is most of the time a list spends in Python. The output is the same: the same
    conversions (``str``, ``int``, ISO dates), None for a null value. Other fields take DRF's path.
    """

    def to_representation(self, instance):
        if not isinstance(instance, models.Model):
            return super().to_representation(instance)
        plan = self.__dict__.get("_plain_plan")
        if plan is None:
            plan = self._plain_plan = [(field, plain_output(field, type(instance))) for field in self._readable_fields]
        answer = {}
        for field, convert in plan:
            if convert is not None:
                value = getattr(instance, field.source_attrs[0])
                answer[field.field_name] = None if value is None else convert(value)
                continue
            # DRF's own Serializer.to_representation, for this field.
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            answer[field.field_name] = None if check_for_none is None else field.to_representation(attribute)
        return answer


class SourceSerializer(PrototypeFieldsMixin, PlainValuesMixin, serializers.ModelSerializer):
    """A citation as shown on the record it supports."""

    document = RelatedField(Document, read_only=True)

    class Meta:
        model = Citation
        fields = ("document", "quote", "field")


class RegistryModelSerializer(PrototypeFieldsMixin, PlainValuesMixin, StrictInputMixin, serializers.ModelSerializer):
    """Shapes a record for the API and hands writes to the services, which validate them once, under the lock.

    The optional ``reason`` is kept in the record's history and the change feed; ``If-Match`` (passed by the view as
    ``if_match``) makes the write conditional on the record's current version.
    """

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
