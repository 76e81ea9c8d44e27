"""The OpenAPI schema, served from memory: built once per process and format, with a strong ETag and 304s.

Building it walks every view and serializer (tens of milliseconds); it changes only when the code does.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

from registry import clock


@dataclass(frozen=True)
class RenderedSchema:
    content: bytes
    content_type: str
    disposition: str
    etag: str
    built: datetime.datetime


class CachedSchemaView(SpectacularAPIView):
    """The OpenAPI schema, built once per process and format (it changes only with the code), with a strong ETag.

    Requests for other variants (an unknown ``lang``, a ``version``, media type parameters) are built as before.
    """

    rendered: dict[tuple, RenderedSchema] = {}

    @extend_schema(exclude=True)  # as SpectacularAPIView's own get: the schema does not describe itself
    def get(self, request, *args, **kwargs):
        key = self.cache_key(request)
        schema = self.rendered.get(key) if key else None
        if schema is None:
            schema = self.render_schema(request, *args, **kwargs)
            if key:
                self.rendered[key] = schema
        response = get_conditional_response(request, etag=schema.etag) or HttpResponse(
            schema.content, content_type=schema.content_type
        )
        if response.status_code == 200:
            response.headers["Content-Disposition"] = schema.disposition
        response.headers["ETag"] = schema.etag
        response.headers["Last-Modified"] = http_date(schema.built.timestamp())
        patch_cache_control(response, public=True, no_cache=True)
        patch_vary_headers(response, ("Accept", "Accept-Encoding"))
        return response

    @staticmethod
    def cache_key(request) -> tuple | None:
        renderer = request.accepted_renderer
        language = request.GET.get("lang", "")
        if request.accepted_media_type != renderer.media_type or "version" in request.GET:
            return None
        if language and language not in dict(settings.LANGUAGES):
            return None
        return type(renderer), language

    def render_schema(self, request, *args, **kwargs) -> RenderedSchema:
        built = super().get(request, *args, **kwargs)
        renderer = request.accepted_renderer
        content = renderer.render(built.data, request.accepted_media_type, self.get_renderer_context())
        content_type = f"{renderer.media_type}; charset={renderer.charset}" if renderer.charset else renderer.media_type
        return RenderedSchema(
            content=content,
            content_type=content_type,
            disposition=built["Content-Disposition"],
            etag=f'"{hashlib.sha256(content).hexdigest()[:32]}"',
            built=clock.now(),
        )
