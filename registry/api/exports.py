"""Exports of four lists as files: ``/api/v1/exports/<records>.csv`` and ``.xlsx``, each its own operation.

An export takes the same filters as its JSON list and holds every matching row (no pages). The JSON list answers
JSON only: its old ``?format=csv`` (or ``Accept: text/csv``) is answered with a permanent redirect (308) to the CSV
export with the same filters, so a spreadsheet or script that followed it still gets the file. Errors are JSON, in the
API's one error shape.
"""

from typing import NamedTuple

from django.http import HttpResponsePermanentRedirect
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from registry.api import csv, xlsx
from registry.http.language import export_language


class Export(NamedTuple):
    extension: str
    renderer: type
    write: object  # (queryset, columns, language, filename) -> the file response
    schema: dict
    about: str


EXPORTS = {
    "export_csv": Export(
        "csv",
        csv.CSVRenderer,
        csv.streaming_csv,
        {"type": "string"},
        "Every matching row (no pages), UTF-8 with a byte-order mark, comma-separated, header first.",
    ),
    "export_xlsx": Export(
        "xlsx",
        xlsx.XLSXRenderer,
        xlsx.workbook_response,
        {"type": "string", "format": "binary"},
        "An Excel workbook (.xlsx) of one worksheet: the header, then every matching row (no pages).",
    ),
}
#: The actions that read a list of records, and so take its filters.
LISTING = ("list", *EXPORTS)

ACCEPT_LANGUAGE = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description=(
        "The language of the header row: `vi` for Vietnamese words, anything else for the English column names "
        "(the default). The values are the same in both. Any value is accepted."
    ),
)


def export_schema(action: str, *parameters):
    export = EXPORTS[action]
    return extend_schema(
        filters=True,
        parameters=[ACCEPT_LANGUAGE, *parameters],
        responses={
            (200, export.renderer.media_type): OpenApiResponse(
                response={**export.schema, "description": export.about},
                description=export.about,
            )
        },
    )


def file_name(model) -> str:
    return str(model._meta.verbose_name_plural).replace(" ", "-")


class ExportMixin:
    """A list's exports; the list itself is JSON only. Each viewset gets its own ``export_csv`` and ``export_xlsx``
    handlers (``export_handler``, so that their schemas are not shared), routed by ``export_urls``."""

    def get_renderers(self):
        action = getattr(self, "action", None)
        if action in EXPORTS:
            return [EXPORTS[action].renderer()]
        renderers = super().get_renderers()
        if action == "list" and not getattr(self, "swagger_fake_view", False):
            renderers.append(csv.CSVRenderer())  # only to recognise the old CSV request, which is redirected
        return renderers

    def perform_content_negotiation(self, request, force=False):
        if getattr(self, "action", None) in EXPORTS:
            # The address names the format: the file is the answer whatever Accept says (spreadsheets send */*).
            renderer = self.get_renderers()[0]
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) == "csv":
            query = request.GET.copy()
            query.pop("format", None)
            target = reverse(f"registry-api:{self.basename}-export-csv")
            location = f"{target}?{query.urlencode()}" if query else target
            return HttpResponsePermanentRedirect(location, preserve_request=True)  # 308
        return super().list(request, *args, **kwargs)

    def export(self, export: Export):
        queryset = self.filter_queryset(self.get_queryset())
        model = queryset.model
        language = export_language(self.request)
        response = export.write(queryset, csv.COLUMNS[model], language, file_name(model))
        response["Content-Language"] = language
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and getattr(renderer, "format", None) in ("csv", "xlsx"):
            # An error of an export (or of the old CSV request): JSON, in the one error shape.
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)


def export_handler(action: str):
    def handler(self, request, *args, **kwargs):
        return self.export(EXPORTS[action])

    handler.__name__ = handler.__qualname__ = action
    return handler


def export_urls(viewset, basename: str, records: str) -> list:
    """``exports/<records>.csv`` and ``.xlsx``, named ``<basename>-export-csv`` and ``-export-xlsx``."""
    return [
        path(
            f"exports/{records}.{export.extension}",
            viewset.as_view({"get": action}, basename=basename),
            name=f"{basename}-export-{export.extension}",
        )
        for action, export in EXPORTS.items()
    ]
