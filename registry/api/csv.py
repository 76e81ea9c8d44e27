"""The columns of the exports (CSV and Excel) of people, organizations, posts and appointments, and the CSV itself.

A related record is two columns, its slug (``<name>_slug``) and its label (``<name>``), never a bare database id. A
column's value keeps its type (dates, numbers, true/false) until a writer turns it into text (CSV) or a cell (Excel).
Headers are the English keys below, or their Vietnamese words for ``Accept-Language: vi``.

The CSV is streamed and holds every matching row (no pages), as UTF-8 with a byte-order mark so Excel reads
Vietnamese right. A cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage
return) is prefixed with an apostrophe.
"""

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from typing import NamedTuple

from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer, JSONRenderer

from registry.models import Appointment, Organization, Person, Post
from registry.selectors import evidence, seat_states

MEDIA_TYPE = "text/csv"
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500


class Column(NamedTuple):
    key: str  # the English header
    vi: str  # the Vietnamese header
    get: Callable


class CSVRenderer(BaseRenderer):
    """Declares text/csv for content negotiation; the rows themselves are streamed by the export."""

    media_type = MEDIA_TYPE
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only reached for a non-file answer: errors are switched to JSON before rendering (finalize_response).
        return JSONRenderer().render(data, "application/json", renderer_context)


def _join(values: Iterable[str]) -> str:
    return "; ".join(values)


def _identifiers(record) -> str:
    return _join(f"{item.scheme}:{item.identifier}" for item in record.identifiers.all())


def _other_names(record) -> str:
    return _join(item.name for item in record.other_names.all())


def own(key: str, vi: str) -> Column:
    """The record's own field ``key``."""
    return Column(key, vi, attrgetter(key))


def related(key: str, vi: str, path: str, label: str) -> list[Column]:
    """A related record at (dotted) ``path`` as two columns: its slug and its ``label`` (empty when there is none)."""

    def of(attribute: str):
        def get(record):
            target = attrgetter(path)(record)
            return getattr(target, attribute) if target is not None else None

        return get

    return [Column(f"{key}_slug", f"{vi} (mã)", of("slug")), Column(key, vi, of(label))]


def _known(which: str, vi: str) -> list[Column]:
    """The last (or next) known holder of a post with an unknown seat: slug and name, then the day it ended (began)."""

    def holder(attribute: str):
        def get(post: Post):
            known = getattr(seat_states(post), which)
            return getattr(known.person, attribute) if known is not None else None

        return get

    def of(attribute: str):
        def get(post: Post):
            known = getattr(seat_states(post), which)
            return getattr(known, attribute) if known is not None else None

        return get

    columns = [Column(f"{which}_slug", f"{vi} (mã)", holder("slug")), Column(which, vi, holder("name"))]
    if which == "last_known":
        columns += [
            Column("last_known_end_date", "Ngày thôi giữ của người giữ gần nhất", of("end_date")),
            Column("last_known_end_date_precision", "Độ chính xác ngày thôi giữ", of("end_date_precision")),
        ]
    else:
        columns.append(Column("next_known_start_date", "Ngày bắt đầu của người giữ kế tiếp", of("start_date")))
    return columns


NAMES = [
    Column("identifiers", "Mã định danh ngoài", _identifiers),
    Column("other_names", "Tên khác", _other_names),
]
#: How old a record's evidence is (the date of its newest source, and whether that is too old to trust).
EVIDENCE = [
    Column("last_confirmed", "Ngày xác nhận gần nhất", evidence.last_confirmed_of),
    Column("stale", "Cần xác minh lại", evidence.stale),
]

COLUMNS: dict[type, list[Column]] = {
    Person: [
        own("id", "Số thứ tự"),
        own("slug", "Mã"),
        own("name", "Họ và tên"),
        own("family_name", "Họ"),
        own("given_name", "Tên"),
        own("honorific", "Danh xưng"),
        *NAMES,
    ],
    Organization: [
        own("id", "Số thứ tự"),
        own("slug", "Mã"),
        own("name", "Tên"),
        own("name_en", "Tên tiếng Anh"),
        own("abbreviation", "Tên viết tắt"),
        own("classification", "Loại"),
        *related("parent", "Cơ quan cấp trên", "parent", "name"),
        own("founding_date", "Ngày thành lập"),
        own("founding_date_precision", "Độ chính xác ngày thành lập"),
        own("dissolution_date", "Ngày giải thể"),
        own("dissolution_date_precision", "Độ chính xác ngày giải thể"),
        *EVIDENCE,
        *NAMES,
    ],
    Post: [
        own("id", "Số thứ tự"),
        own("slug", "Mã"),
        *related("organization", "Cơ quan", "organization", "name"),
        own("label", "Chức danh"),
        own("label_en", "Chức danh tiếng Anh"),
        own("role", "Vai trò"),
        own("rank", "Thứ bậc"),
        own("seats", "Số ghế"),
        *related("portfolio", "Lĩnh vực phụ trách", "portfolio", "name"),
        own("standing", "Thường trực"),
        Column("holders", "Người giữ chức", lambda p: _join(a.person.name for a in p.holders)),
        Column("vacant_seats", "Số ghế trống", lambda p: seat_states(p).vacant),
        Column("unknown_seats", "Số ghế chưa rõ người giữ", lambda p: seat_states(p).unknown),
        *_known("last_known", "Người giữ gần nhất đã biết"),
        *_known("next_known", "Người giữ kế tiếp đã biết"),
    ],
    Appointment: [
        own("id", "Số thứ tự"),
        *related("person", "Người", "person", "name"),
        *related("post", "Chức vụ", "post", "label"),
        *related("organization", "Cơ quan", "post.organization", "name"),
        Column("role", "Vai trò", attrgetter("post.role")),
        *related("capacity", "Với tư cách", "capacity", "label"),
        own("start_date", "Ngày bắt đầu"),
        own("start_date_precision", "Độ chính xác ngày bắt đầu"),
        own("end_date", "Ngày kết thúc"),
        own("end_date_precision", "Độ chính xác ngày kết thúc"),
        own("end_reason", "Lý do kết thúc"),
        own("leaves_vacant", "Để trống ghế"),
        *EVIDENCE,
    ],
}


def headers(columns: list[Column], language: str) -> list[str]:
    return [column.vi if language == "vi" else column.key for column in columns]


def cell(value) -> str:
    """A value as CSV text: ISO dates, true/false, and an apostrophe before what a spreadsheet would run."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value.isoformat() if isinstance(value, datetime.date) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """csv.writer writes into this and gets the line back."""

    def write(self, value: str) -> str:
        return value


def records(queryset) -> Iterator:
    """Every record, fetched ``CHUNK`` rows (and their prefetched relations) at a time."""
    return queryset.iterator(chunk_size=CHUNK)


def rows(queryset, columns: list[Column], language: str) -> Iterator[str]:
    """The BOM and header, then one line per record."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(headers(columns, language))
    for record in records(queryset):
        yield writer.writerow([cell(column.get(record)) for column in columns])


def streaming_csv(queryset, columns: list[Column], language: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows(queryset, columns, language), content_type=f"{MEDIA_TYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
