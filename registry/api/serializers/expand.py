"""Lists render what a list needs; heavy collections come on request (`?expand=duties,sources`).

A resource serializer names, in ``Meta.list_omits``, the nested collections its list leaves out (citations, duties,
identifiers, a person's appointments, ...). The detail keeps every field. A list renders ``<Model>ListItem``: the
resource serializer ``narrowed()`` to its fields minus the omitted ones, plus those the request's ``expand``
parameter names. The view prefetches exactly the collections it renders (``views.ExpandMixin``).
"""

import functools

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from registry.api.serializers.base import narrowed

EXPAND = "expand"
#: The suffix of a list form's name: ``OrganizationListItem`` (its page keeps the name ``PaginatedOrganizationList``).
LIST_ITEM = "ListItem"


class ListItem:
    """Marks a list form: in the schema, its expandable fields are optional (present only when expanded)."""


def expandable(serializer_class: type) -> tuple[str, ...]:
    """The names ``expand`` takes on this resource's list, in the serializer's field order."""
    return tuple(getattr(serializer_class.Meta, "list_omits", ()))


@functools.cache
def _listable(serializer_class: type) -> type:
    return type(f"{serializer_class.__name__}Listable", (ListItem, serializer_class), {})


def list_serializer(serializer_class: type, expand: tuple[str, ...] = ()) -> type:
    """``<Model>ListItem``: the fields of ``serializer_class`` without ``Meta.list_omits`` except those in ``expand``.

    With every expandable name, it is the class the schema documents (those fields optional there).
    """
    left_out = set(expandable(serializer_class)) - set(expand)
    fields = tuple(name for name in serializer_class.Meta.fields if name not in left_out)
    singular = str(serializer_class.Meta.model._meta.verbose_name)
    article = "An" if singular[0] in "aeiou" else "A"
    doc = (
        f"{article} {singular} as a list shows it: {', '.join(expandable(serializer_class))} only when "
        "named in `expand`."
        if expandable(serializer_class)
        else f"{article} {singular} as a list shows it."
    )
    name = f"{serializer_class.__name__.removesuffix('Serializer')}{LIST_ITEM}"
    return narrowed(_listable(serializer_class), fields, name, doc)


def parse_expand(values: list[str], allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The names of ``?expand=a,b`` (or repeated ``expand``), each one allowed, or a 400 naming the parameter."""
    names = [name.strip() for value in values for name in value.split(",")]
    allowed_text = ", ".join(allowed) if allowed else "nothing on this list"
    if any(not name for name in names):
        raise ValidationError({EXPAND: [f"Empty name: expand takes {allowed_text}, separated by commas."]})
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise ValidationError(
            {EXPAND: [f"Unknown name {', '.join(map(repr, unknown))}: expand takes {allowed_text}."]},
            code="invalid_choice",
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValidationError(
            {EXPAND: [f"Named more than once: {', '.join(map(repr, repeated))}. Give each name once."]}, code="invalid"
        )
    return tuple(name for name in allowed if name in names)


def expand_parameter(serializer_class: type) -> OpenApiParameter:
    names = list(expandable(serializer_class))
    return OpenApiParameter(
        EXPAND,
        {"type": "array", "items": {"type": "string", "enum": names}, "uniqueItems": True},
        explode=False,
        style="form",
        description=(
            "Nested collections to include in each listed record, separated by commas (the detail always has "
            f"them): {', '.join(names)}. An unknown name, or a name given twice, is a 400."
        ),
    )


class ListItemSchema(OpenApiSerializerExtension):
    """A list form documents its expandable fields as optional: they are there only when the request expands them."""

    target_class = ListItem
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        optional = set(expandable(self.target))
        required = [name for name in schema.get("required", []) if name not in optional]
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
        return schema
