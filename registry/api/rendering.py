"""How records become JSON quickly, with exactly DRF's output: URLs from one reversed template per field, fields
built once per serializer class, a model's own columns rendered straight from its attributes.

Measured at national scale (docs/performance.md, "Speed at national scale"): reversing URLs, rebuilding fields and
DRF's generic per-field path were most of the time a list spent outside the database. Kept apart from the serializers
so that every serializer module (registry/api/names.py too) can use it without importing the others.
"""

import copy
import functools
import re

from django.db import models
from django.urls import NoReverseMatch
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import ISO_8601, api_settings

from registry.api import strict


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


class PrototypeFieldsMixin:
    """Build a model serializer's fields from its model once per class, then copy them for each instance.

    DRF rebuilds every field from the model on every serializer instance: for a detail with its nested records that
    is most of the time spent outside the database. The fields depend only on the class (no serializer here shapes
    its fields by request or instance: checked when each subclass is created), and DRF already hands out deep
    copies of declared fields the same way.
    """

    _prototypes: dict[type, dict] = {}

    #: The methods through which a serializer could shape its fields by request or instance. A subclass that
    #: defines one would be served another request's fields, so defining one is refused when the class is created.
    SHAPING_METHODS = ("get_fields", "get_field_names", "get_extra_kwargs", "build_field", "get_default_field_names")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        shaping = sorted(name for name in cls.SHAPING_METHODS if name in vars(cls))
        if shaping:
            raise TypeError(
                f"{cls.__qualname__} defines {', '.join(shaping)}: its fields are built once per class "
                "(PrototypeFieldsMixin), so they cannot depend on the request or the instance."
            )

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
    strict.StrictCharField: _as_text,
    strict.StrictSlugField: _as_text,
    serializers.IntegerField: int,
    strict.StrictIntegerField: int,
    serializers.BooleanField: bool,
    strict.StrictBooleanField: bool,
}
CHOICE_FIELDS = (serializers.ChoiceField, strict.StrictChoiceField)
ISO_DATE_FIELDS = (serializers.DateField, strict.StrictDateField)


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


class ReadModelSerializer(PrototypeFieldsMixin, PlainValuesMixin, serializers.ModelSerializer):
    # A nested record as shown inside another (never written through it): fields built once, own columns rendered
    # straight. No docstring on purpose: the schema describes each component by the nearest one in its classes.
    pass
