"""The FollowTheMoney download: the registry as FtM entities, one JSON object a line (registry/interop/ftm.py)."""

from django.http import StreamingHttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.renderers import JSONRenderer

from registry.api.permissions import CanReadRegistry
from registry.api.schema import RegistryAutoSchema
from registry.api.views.base import ConditionalAnswersMixin
from registry.interop import ftm

MEDIA_TYPE = "application/x-ndjson"


class JSONLinesRenderer(JSONRenderer):
    """Declares JSON lines for content negotiation; the lines themselves are streamed by the view, and an error is
    switched to plain JSON before rendering (``finalize_response``)."""

    media_type = MEDIA_TYPE
    format = "jsonl"


class JSONLinesSchema(RegistryAutoSchema):
    """Errors are JSON: the lines' media type is the success's only."""

    def _get_format_parameters(self):
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            parameter["description"] = "jsonl (the default): the entities; json: errors only, as everywhere."
        return parameters

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if not str(status_code).startswith("2"):
            response.get("content", {}).pop(MEDIA_TYPE, None)
        return response


class FollowTheMoneyExportView(ConditionalAnswersMixin, generics.GenericAPIView):
    """The whole registry as FollowTheMoney entities, one JSON object a line, streamed (no pages).

    Person (topic `role.pep` for whoever held a post), PublicBody (Organization for party organs and associations),
    Position, Occupancy (`status` current, ended or unknown: an end that only marks the last document showing the
    holder is not a known end, so such an occupancy has no `endDate` and is `unknown`), Article or Document for the
    sources, and a Documentation entity for each verbatim quote. Ids are stable (`hcmc-registry-person-<slug>`, …).
    The same lines as `manage.py export_ftm`; docs/ftm.md maps each property.
    """

    permission_classes = [CanReadRegistry]
    renderer_classes = [JSONLinesRenderer, JSONRenderer]
    pagination_class = None
    filter_backends = []
    schema = JSONLinesSchema()

    @extend_schema(operation_id="exports_ftm", responses={(200, MEDIA_TYPE): OpenApiTypes.STR})
    def get(self, request):
        response = StreamingHttpResponse(ftm.stream(), content_type=f"{MEDIA_TYPE}; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="registry-ftm.jsonl"'
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        if not getattr(response, "streaming", False):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


urlpatterns = [path("exports/ftm.jsonl", FollowTheMoneyExportView.as_view(), name="export-ftm")]
