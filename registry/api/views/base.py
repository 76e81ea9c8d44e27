"""What every API view shares: as_of, If-Match and ETags, 304s and kept answers, expand, list schemas, the base."""

import datetime
import functools
import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from registry import clock, selectors, services
from registry.api.exports import EXPORTS, LISTING, ExportMixin, export_handler, export_schema
from registry.api.permissions import CanChangeAppointments
from registry.api.schema import RegistryAutoSchema
from registry.api.serializers import (
    HistoryEntrySerializer,
)
from registry.api.serializers.expand import (
    EXPAND,
    LIST_ITEM,
    expand_parameter,
    expandable,
    list_serializer,
    parse_expand,
)
from registry.api.strict import StrictDateField
from registry.changes import history
from registry.http import caching

AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="Show the holders of this day (YYYY-MM-DD); today when absent."
)


class GivenDateField(StrictDateField):
    """A day in a query: left out, it takes its default; given empty, it is refused as the filters refuse it."""

    default_error_messages = {"empty": "Give a value or leave it out."}

    def to_internal_value(self, value):
        if value == "":
            self.fail("empty")
        return super().to_internal_value(value)


class AsOfQuery(serializers.Serializer):
    """The `as_of` query parameter of a request that shows holders."""

    as_of = GivenDateField(required=False)


class AsOfMixin:
    """The day whose holders a request shows: its `as_of` parameter, parsed once, or today (the registry's clock).

    It chooses the holders; it never hides a record (whether a body existed that day is the `exists_on` filter).
    """

    @functools.cached_property
    def as_of(self) -> datetime.date:
        query = AsOfQuery(
            data={"as_of": self.request.query_params["as_of"]} if "as_of" in self.request.query_params else {}
        )
        query.is_valid(raise_exception=True)
        return query.validated_data.get("as_of") or clock.today()


REASON = OpenApiParameter("reason", OpenApiTypes.STR, description="Why the record is deleted; kept in its history.")
#: `*`, or one or more entity tags (RFC 9110): "3" or W/"3", separated by commas.
ENTITY_TAGS = re.compile(r'^\s*(\*|(W/)?"[^"]*"(\s*,\s*(W/)?"[^"]*")*)\s*$')
IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "minLength": 1, "pattern": ENTITY_TAGS.pattern},
    location=OpenApiParameter.HEADER,
    description=(
        "Make the write conditional (RFC 9110): the record's ETag as last read (or `*`). When the record has changed "
        "since, nothing is written and the answer is 412 with the current ETag."
    ),
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[200, 201],
    description="The version of the record; send it back as If-Match to write only if nobody has changed it since.",
)


def if_match(request) -> str | None:
    """The request's If-Match header; a value that is neither `*` nor entity tags is a 400 naming it."""
    value = request.headers.get("If-Match")
    if value is not None and not ENTITY_TAGS.match(value):
        raise serializers.ValidationError({"If-Match": ['Expected * or entity tags such as "3", from an ETag.']})
    return value


def with_etag(response: Response, instance) -> Response:
    response["ETag"] = services.etag(instance)
    return response


class Answered(Exception):
    """A read answered before its handler (a 304, or the kept copy), raised from ``initial()`` as DRF raises its
    refusals there, and given back by ``handle_exception``."""

    def __init__(self, response):
        super().__init__()
        self.response = response


class ConditionalAnswersMixin:
    """A read answers 304 when the client's copy is current, else the kept copy of the same answer when there is one
    (registry/http/caching.py), else its handler builds it.

    Both are decided after DRF's authentication, permissions, throttles and content negotiation, which run once, so
    neither is ever given to a client the view would refuse, nor in another representation than it asked for.
    """

    #: Read by the caching middleware: this view answers its own 304s, so its reads get validators.
    answers_conditionally = True
    answer_key: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return
        unchanged = caching.not_modified(request._request, request.user)
        if unchanged is not None:
            raise Answered(unchanged)
        self.answer_key = caching.answer_key(request, request.accepted_media_type)
        kept = caching.kept_answer(request, self.answer_key)
        if kept is not None:
            raise Answered(kept)

    def handle_exception(self, exc):
        if isinstance(exc, Answered):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response):
            caching.keep_answer(response, self.answer_key)
        return response


@extend_schema_view(
    retrieve=extend_schema(parameters=[ETAG]),
    update=extend_schema(parameters=[IF_MATCH, ETAG]),
    partial_update=extend_schema(parameters=[IF_MATCH, ETAG]),
    create=extend_schema(parameters=[ETAG]),
    destroy=extend_schema(parameters=[REASON, IF_MATCH]),
)
class RegistryViewSet(ConditionalAnswersMixin, viewsets.ModelViewSet):
    """CRUD through the services: every write keeps who, when, what and why, and may be conditional (If-Match).

    Filters narrow lists only: a record's own URL answers whatever the query says.
    """

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action in LISTING else queryset

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return with_etag(Response(self.get_serializer(instance).data), instance)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        written = self.as_read(serializer.save())
        data = self.get_serializer(written).data
        response = Response(data, status=status.HTTP_201_CREATED, headers=self.get_success_headers(data))
        return with_etag(response, written)

    def update(self, request, *args, partial=False, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        written = self.as_read(serializer.save(if_match=if_match(request)))
        return with_etag(Response(self.get_serializer(written).data), written)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def as_read(self, written):
        """The record just written, fetched as a read of it would be (its related rows and holders with it)."""
        return self.get_queryset().get(pk=written.pk)

    def perform_destroy(self, instance):
        services.record_delete(
            instance=instance, reason=self.request.query_params.get("reason", ""), if_match=if_match(self.request)
        )

    @extend_schema(responses=HistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filterset_class=None)
    def history(self, request, *args, **kwargs):
        """Every recorded change of this record, newest first, with the fields each change touched."""
        entries = history.record_history(self.get_object(), show_users=shows_usernames(request))
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)


class ListItemNames:
    """A page keeps its component name, ``Paginated<Name>List``, though its results are ``<Name>ListItem``."""

    def get_paginated_name(self, serializer_name: str) -> str:
        return super().get_paginated_name(serializer_name.removesuffix(LIST_ITEM))


class ListSchema(ListItemNames, RegistryAutoSchema):
    pass


class ExpandMixin:
    """A list renders each record's own fields and brief related records; nested collections (``Meta.list_omits``
    of the serializer) only when ``?expand=`` names them. The detail renders them all.

    ``base_queryset`` fetches the record and its brief relations; ``collections`` maps each expandable name to the
    prefetches it needs, so a list prefetches nothing it does not render.
    """

    schema = ListSchema()
    #: Expandable name -> the prefetch lookups that render it (callables: a Prefetch is built per request).
    collections: dict = {}
    #: What the exports render besides the record's own columns (see ``registry.api.csv.COLUMNS``).
    export_collections: tuple[str, ...] = ()

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        queryset = self.base_queryset()
        for name in self.rendered_collections():
            queryset = queryset.prefetch_related(*(lookup() for lookup in self.collections.get(name, ())))
        return queryset

    def rendered_collections(self) -> tuple[str, ...]:
        action = getattr(self, "action", None)
        if action in EXPORTS:
            return self.export_collections
        if action != "list":
            return tuple(self.collections)
        return self.expanded

    @functools.cached_property
    def expanded(self) -> tuple[str, ...]:
        """The names of the request's ``expand`` parameter (a 400 names it and the allowed values if unknown)."""
        values = self.request.query_params.getlist(EXPAND)
        return parse_expand(values, expandable(super().get_serializer_class())) if values else ()

    def get_serializer_class(self):
        serializer_class = super().get_serializer_class()
        if getattr(self, "action", None) != "list":
            return serializer_class
        if getattr(self, "swagger_fake_view", False):  # the schema documents every expandable field (optional)
            return list_serializer(serializer_class, expandable(serializer_class))
        return list_serializer(serializer_class, self.expanded)


class ExpandExportMixin(ExportMixin, ExpandMixin):
    """A list that pages JSON (with ``expand``), and exports every row as CSV and Excel."""


def expandable_list(serializer_class, *parameters):
    """The schema of a list that takes ``expand`` (with the names this resource allows)."""
    return extend_schema_view(list=extend_schema(parameters=[*parameters, expand_parameter(serializer_class)]))


def exportable_list(serializer_class, *parameters):
    """The schema of a list that takes ``expand``, and of its exports: the list's filters and ``parameters``."""

    def decorate(viewset):
        for name in EXPORTS:
            # The viewset's own handler, so that its schema is not shared with the other viewsets' exports.
            setattr(viewset, name, export_schema(name, *parameters)(export_handler(name)))
        return expandable_list(serializer_class, *parameters)(viewset)

    return decorate


def appointment_action(input_serializer, responses, *parameters):
    """A POST on one record that changes appointments through a service, conditional on If-Match."""

    def decorate(method):
        routed = action(detail=True, methods=["post"], permission_classes=[CanChangeAppointments], filterset_class=None)
        documented = extend_schema(
            request=input_serializer, responses=responses, parameters=[IF_MATCH, *parameters], filters=False
        )
        return documented(routed(method))

    return decorate


def valid_input(serializer_class, request) -> dict:
    """The action's input, checked by ``serializer_class`` (a 400 naming each field otherwise)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def sources():
    return selectors.sources_prefetch()


def shows_usernames(request) -> bool:
    """Who changed what is shown to signed-in clients; anonymous readers see the change, not the staff member."""
    return bool(request.user and request.user.is_authenticated)


#: A body's or a person's identifiers and other names: expandable in a list, and columns of every CSV row.
