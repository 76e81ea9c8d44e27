"""A related field that reads as a brief object and writes as the related record's lookup key."""

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS


class StrictManyRelatedField(serializers.ManyRelatedField):
    """A JSON array of lookup keys, nothing else (DRF would iterate the keys of an object)."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class BriefRelatedField(serializers.RelatedField):
    """Renders the related record with ``brief`` (id, slug, name, url); accepts its ``lookup`` key on write."""

    default_error_messages = {
        "does_not_exist": "No {model} with {lookup} {value!r}.",
        "invalid": "Expected the {lookup} of a {model}, got {value!r}.",
    }

    def __init__(self, brief, lookup: str = "slug", **kwargs):
        self.brief = brief
        self.lookup = lookup
        super().__init__(**kwargs)

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return StrictManyRelatedField(**list_kwargs)

    def use_pk_only_optimization(self) -> bool:
        return False

    def run_validation(self, data=serializers.empty):
        if data == "":  # DRF would read "" as null; the schema says a slug has at least one character
            self.fail("invalid", model=self.get_queryset().model._meta.verbose_name, lookup=self.lookup, value=data)
        return super().run_validation(data)

    def to_internal_value(self, data):
        queryset = self.get_queryset()
        model = queryset.model._meta.verbose_name
        # Exactly the JSON type the schema promises: an integer id, or a slug string.
        expected = int if self.lookup == "pk" else str
        if isinstance(data, bool) or not isinstance(data, expected):
            self.fail("invalid", model=model, lookup="id" if self.lookup == "pk" else self.lookup, value=data)
        try:
            return queryset.get(**{self.lookup: data})
        except ObjectDoesNotExist:
            self.fail("does_not_exist", model=model, lookup="id" if self.lookup == "pk" else self.lookup, value=data)

    def to_representation(self, value):
        return self.brief(value, context=self.context).data

    def get_choices(self, cutoff=None):
        queryset = self.get_queryset()
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {getattr(item, self.lookup): self.display_value(item) for item in queryset}
