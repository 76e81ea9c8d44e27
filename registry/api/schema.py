"""drf-spectacular extensions: how the registry's own field classes appear in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_doc
from rest_framework import serializers

from registry.api.permissions import CanReadRegistry, RegistryModelPermissions, anonymous_may_read

#: The permissions that let anyone read while anonymous reading is on.
ANONYMOUS_READS = (RegistryModelPermissions, CanReadRegistry)


class RelatedFieldExtension(OpenApiSerializerFieldExtension):
    """Responses show the brief object; requests take the lookup key (a slug string or an integer id)."""

    target_class = "registry.api.serializers.base.RelatedField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return auto_schema.resolve_serializer(self.target.brief_class, direction).ref
        if self.target.lookup == "pk":
            schema = {"type": "integer", "minimum": 1}
        else:
            schema = {"type": "string", "minLength": 1, "pattern": "^[-a-zA-Z0-9_]+$"}
        model = self.target.model._meta.verbose_name
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
            "description": (
                "A city system's key, sent as `Authorization: Api-Key <key>`. Reads need none; a header in another "
                "form is answered 401, not read as anonymous."
            ),
        }


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="The parameter or field at fault; null for the request.")
    code = serializers.CharField(help_text="The rule broken, e.g. invalid, required, does_not_exist.")
    message = serializers.CharField(help_text="What is wrong, in words.")


class ErrorSerializer(serializers.Serializer):
    """The one body of every error response."""

    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(help_text="What kind of error: invalid, not_found, not_authenticated, conflict, …")
    detail = serializers.CharField(help_text="All messages in one line.")
    errors = FieldErrorSerializer(many=True, help_text="One entry per field and rule.")


ERRORS = {
    400: "Invalid input: `errors` names each field or parameter and the rule it breaks.",
    401: (
        "No valid credentials: send `Authorization: Api-Key <key>`. A header in another form (`Bearer`, no prefix, an "
        "unknown or expired key) is refused, on reads too."
    ),
    403: "Signed in, but without the permission this needs.",
    404: "No such record, or a page past the last one.",
    409: "Conflicts with the registry's state: the record is still referenced, or a concurrent change won.",
    412: "If-Match names a version the record no longer has: nothing was written; the ETag header is the current one.",
    413: "The request body is larger than 1,000,000 bytes.",
    429: "Too many requests: slow down and retry after the time in the Retry-After header.",
    503: "The database is unavailable: nothing was written; retry after the time in the Retry-After header.",
}
ACTION_SUMMARIES = {
    "list": "List {plural}",
    "retrieve": "Get one {singular}",
    "create": "Create a {singular}",
    "update": "Replace a {singular}",
    "partial_update": "Update a {singular}",
    "destroy": "Delete a {singular}",
    "export_csv": "Export {plural} as CSV",
    "export_xlsx": "Export {plural} as an Excel workbook",
}
EXPORT_DESCRIPTION = (
    "Every {singular} the filters select (the same filters as the list), as a file to download: no pages. A related "
    "record is two columns, its slug (`<name>_slug`) and its name or label; dates are dates (YYYY-MM-DD in CSV, date "
    "cells in Excel). The header row is in English, or in Vietnamese with `Accept-Language: vi`. Text that a "
    "spreadsheet would run as a formula is kept as plain text."
)


class RegistryAutoSchema(AutoSchema):
    """Summaries and descriptions for every operation, and the uniform error responses each can return."""

    def get_summary(self):
        action = getattr(self.view, "action", None)
        model = getattr(getattr(self.view, "queryset", None), "model", None) or self._model_of_view()
        if action in ACTION_SUMMARIES and model is not None:
            meta = model._meta
            summary = ACTION_SUMMARIES[action].format(singular=meta.verbose_name, plural=meta.verbose_name_plural)
            return summary.replace(" a a", " an a").replace(" a o", " an o").replace(" a e", " an e")
        description = self.get_description() or ""
        return description.strip().splitlines()[0].rstrip(".") if description.strip() else None

    def get_description(self):
        action = getattr(self.view, "action", None)
        if action in ("export_csv", "export_xlsx"):
            return EXPORT_DESCRIPTION.format(singular=self._model_of_view()._meta.verbose_name)
        own = get_doc(getattr(self.view, action, None)) if action and action not in ACTION_SUMMARIES else ""
        return own or get_doc(self.view.__class__)

    def get_auth(self):
        """Reads need no credentials while anonymous reading is on (the default): an empty requirement first says
        so (anonymous, or any of the schemes after it)."""
        auth = super().get_auth()
        if self.method in ("GET", "HEAD") and self._anonymous_may_read() and {} not in auth:
            auth.insert(0, {})
        return auth

    def _anonymous_may_read(self) -> bool:
        """Whether this view's permissions let anyone read (a webhook's owner, say, must sign in)."""
        permissions = self.view.get_permissions()
        return anonymous_may_read() and all(isinstance(p, ANONYMOUS_READS) for p in permissions)

    def get_tags(self):
        """An export sits with its list (``people``, not ``exports``), so generated clients group them together."""
        if getattr(self.view, "action", None) in ("export_csv", "export_xlsx"):
            return [str(self._model_of_view()._meta.verbose_name_plural)]
        return super().get_tags()

    def get_operation_id(self):
        """`organizations_list`, `posts_succeed`, `organizations_chart`, `changes_list`: resource, then what it does."""
        action = getattr(self.view, "action", None)
        if action in ("export_csv", "export_xlsx"):
            return f"{self.get_tags()[0]}_{action}"
        operation_id = super().get_operation_id()
        if action is None and self.method == "GET":
            return operation_id.removesuffix("_retrieve") + "_list"
        if action and action not in ACTION_SUMMARIES:
            for suffix in ("_create", "_retrieve", "_list"):
                operation_id = operation_id.removesuffix(suffix)
        return operation_id

    def _model_of_view(self):
        try:
            return self.view.get_queryset().model
        except Exception:
            return None

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            error = self._get_response_for_code(ErrorSerializer, str(code), ["application/json"], direction)
            responses.setdefault(str(code), error)
            responses[str(code)]["description"] = ERRORS[code]
        return responses

    def _error_codes(self) -> list[int]:
        writes = self.method in ("POST", "PUT", "PATCH", "DELETE")
        detail = "{" in self.path
        codes = [400] if writes or self.method == "GET" else []
        codes += [401, 403]
        if detail or self.method == "GET":
            codes.append(404)
        if writes:
            codes.append(409)
        if writes and detail:
            codes.append(412)
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append(413)
        codes += [429, 503]
        return sorted(codes)


def refuse_unknown_fields(result, generator, request, public):
    """Request bodies take exactly the fields they list, and lists have a documented maximum length."""
    from registry.api.serializers.base import MAX_RELATED
    from registry.services import MAX_SOURCES

    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
            for field, schema in component.get("properties", {}).items():
                if schema.get("type") == "array":
                    schema["maxItems"] = MAX_SOURCES if field == "sources" else MAX_RELATED
    return result


def document_authentication_challenge(result, generator, request, public):
    """drf-spectacular post-processing hook: every 401 names the expected scheme in `WWW-Authenticate`."""
    headers = result.setdefault("components", {}).setdefault("headers", {})
    headers["WWW-Authenticate"] = {
        "description": "The scheme the API expects: `Api-Key` (send `Authorization: Api-Key <key>`).",
        "schema": {"type": "string", "enum": ["Api-Key"]},
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            response = operation.get("responses", {}).get("401") if isinstance(operation, dict) else None
            if response is not None:
                response["headers"] = {"WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}}
    return result
