"""CSV for spreadsheet users: the list endpoints of people, organizations, posts and appointments.

Selected by ``Accept: text/csv`` or ``?format=csv`` on the list URL, with the same filters as the JSON list. The answer
is streamed and holds every matching row (no pages), as UTF-8 with a byte-order mark so Excel reads Vietnamese right.
A cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) is prefixed with
an apostrophe. Errors stay JSON, in the API's one error shape.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter

from django.http import StreamingHttpResponse
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework.renderers import BaseRenderer, JSONRenderer

from registry.api.schema import RegistryAutoSchema
from registry.models import Appointment, Organization, Person, Post
from registry.selectors import evidence, seat_states

MEDIA_TYPE = "text/csv"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500


class CSVRenderer(BaseRenderer):
    """Declares text/csv for content negotiation; the rows themselves are streamed by ``CSVListMixin.list``."""

    media_type = MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only reached for a non-list answer: errors are switched to JSON before rendering (finalize_response).
        return JSONRenderer().render(data, "application/json", renderer_context)


def _join(values: Iterable[str]) -> str:
    return "; ".join(values)


def _identifiers(record) -> str:
    return _join(f"{item.scheme}:{item.identifier}" for item in record.identifiers.all())


def _other_names(record) -> str:
    return _join(item.name for item in record.other_names.all())


def _slug(record) -> str:
    return record.slug if record is not None else ""


Column = tuple[str, Callable]


def same_named(*names: str) -> list[Column]:
    """Columns that are the record's attribute of the same name."""
    return [(name, attrgetter(name)) for name in names]


def read(name: str, path: str) -> Column:
    """A column named ``name`` that reads the (dotted) attribute ``path``."""
    return (name, attrgetter(path))


NAMES: list[Column] = [("identifiers", _identifiers), ("other_names", _other_names)]
#: How old a record's evidence is (registry/selectors/evidence.py).
EVIDENCE: list[Column] = [
    ("last_confirmed", evidence.last_confirmed_of),
    ("stale", lambda record: "true" if evidence.stale(record) else "false"),
]


def _known(which: str, person_or_date: str):
    """A column of the last (or next) known holder of a post with an unknown seat: their slug or the date."""

    def column(post: Post):
        known = getattr(seat_states(post), which)
        if known is None:
            return ""
        return known.person.slug if person_or_date == "person" else getattr(known, person_or_date)

    return column


COLUMNS: dict[type, list[Column]] = {
    Person: [*same_named("id", "slug", "name", "family_name", "given_name", "honorific"), *NAMES],
    Organization: [
        *same_named("id", "slug", "name", "name_en", "abbreviation", "classification"),
        ("parent", lambda o: _slug(o.parent)),
        ("parent_name", lambda o: o.parent.name if o.parent_id else ""),
        *same_named("founding_date", "founding_date_precision", "dissolution_date", "dissolution_date_precision"),
        *EVIDENCE,
        *NAMES,
    ],
    Post: [
        *same_named("id", "slug"),
        read("organization", "organization.slug"),
        read("organization_name", "organization.name"),
        *same_named("label", "label_en", "role", "rank", "seats"),
        ("portfolio", lambda p: _slug(p.portfolio)),
        ("standing", lambda p: "true" if p.standing else "false"),
        ("holders", lambda p: _join(a.person.name for a in p.holders)),
        ("vacant_seats", lambda p: seat_states(p).vacant),
        ("unknown_seats", lambda p: seat_states(p).unknown),
        ("last_known", _known("last_known", "person")),
        ("last_known_end_date", _known("last_known", "end_date")),
        ("last_known_end_date_precision", _known("last_known", "end_date_precision")),
        ("next_known", _known("next_known", "person")),
        ("next_known_start_date", _known("next_known", "start_date")),
    ],
    Appointment: [
        *same_named("id"),
        read("person", "person.slug"),
        read("person_name", "person.name"),
        read("post", "post_id"),
        read("post_label", "post.label"),
        read("organization", "post.organization.slug"),
        read("organization_name", "post.organization.name"),
        read("role", "post.role"),
        read("capacity", "capacity_id"),
        *same_named("start_date", "start_date_precision", "end_date", "end_date_precision", "end_reason"),
        ("leaves_vacant", lambda a: "true" if a.leaves_vacant else "false"),
        *EVIDENCE,
    ],
}


def cell(value) -> str:
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """csv.writer writes into this and gets the line back."""

    def write(self, value: str) -> str:
        return value


def rows(queryset, columns: list[Column]) -> Iterator[str]:
    """The BOM and header, then one line per record, fetched ``CHUNK`` rows (and their prefetches) at a time."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([name for name, _ in columns])
    for record in queryset.iterator(chunk_size=CHUNK):
        yield writer.writerow([cell(get(record)) for _, get in columns])


def streaming_csv(queryset, columns: list[Column], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows(queryset, columns), content_type=f"{MEDIA_TYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


class CSVAutoSchema(RegistryAutoSchema):
    """The list operation documents text/csv (a string of rows) beside its JSON page."""

    def _get_format_parameters(self):
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            parameter["description"] = (
                "csv: every matching row as CSV (UTF-8 with a BOM), the same as `Accept: text/csv`; json: a page."
            )
        return parameters

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        content = response.get("content", {})
        if MEDIA_TYPE in content:
            if str(status_code).startswith("2"):
                schema = build_basic_type(OpenApiTypes.STR)
                schema["description"] = (
                    "Every matching row (no pages), UTF-8 with a byte-order mark, comma-separated, header first."
                )
                content[MEDIA_TYPE] = {"schema": schema}
            else:
                content.pop(MEDIA_TYPE)  # errors are JSON
        return response


class CSVListMixin:
    """Adds text/csv to a list endpoint: the same filters, every row, streamed."""

    schema = CSVAutoSchema()

    def get_renderers(self):
        renderers = super().get_renderers()
        if getattr(self, "action", None) == "list":
            renderers.append(CSVRenderer())
        return renderers

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) == "csv":
            # Every row, not a page; the paging parameters are still checked as the schema states them.
            self.paginator.check_parameters(request)
            queryset = self.filter_queryset(self.get_queryset())
            model = queryset.model
            return streaming_csv(queryset, COLUMNS[model], str(model._meta.verbose_name_plural).replace(" ", "-"))
        return super().list(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(getattr(request, "accepted_renderer", None), "format", None) == "csv" and not getattr(
            response, "streaming", False
        ):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)
