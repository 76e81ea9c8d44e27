"""drf-spectacular extensions: how the registry's own field classes appear in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes


class BriefRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """Responses show the brief object; requests take the lookup key (a slug string or an integer id)."""

    target_class = "registry.api.fields.BriefRelatedField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return auto_schema.resolve_serializer(self.target.brief, direction).ref
        schema = build_basic_type(OpenApiTypes.INT if self.target.lookup == "pk" else OpenApiTypes.STR)
        model = self.target.get_queryset().model._meta.verbose_name
        schema["description"] = f"The {'id' if self.target.lookup == 'pk' else 'slug'} of the {model}."
        return schema


class SystemKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "registry.api.authentication.SystemKeyAuthentication"
    name = "systemKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A city system's key, sent as `Authorization: Api-Key <key>`.",
        }
