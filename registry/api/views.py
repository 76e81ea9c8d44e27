"""API views: declarations of queryset, serializer and filters."""

import datetime
import functools
import re

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from registry import caching, clock, feed, filtersets, history, selectors, services
from registry.api.csv import CSVAutoSchema, CSVListMixin
from registry.api.permissions import CanChangeAppointments, CanReadRegistry
from registry.api.schema import RegistryAutoSchema
from registry.api.serializers import (
    AppointInputSerializer,
    AppointmentSerializer,
    ChangeFeedSerializer,
    ChartSerializer,
    DocumentSerializer,
    EndInputSerializer,
    HistoryEntrySerializer,
    OrganizationSerializer,
    PersonSerializer,
    PortfolioSerializer,
    PostSerializer,
    RelationshipSerializer,
    SucceedInputSerializer,
    SuccessionSerializer,
)
from registry.api.serializers.expand import (
    EXPAND,
    LIST_ITEM,
    expand_parameter,
    expandable,
    list_serializer,
    parse_expand,
)
from registry.models import Appointment, Document, Organization, OrganizationRelationship, Person, Portfolio, Post

AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="Show the holders of this day (YYYY-MM-DD); today when absent."
)


class GivenDateField(serializers.DateField):
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


class KeptAnswersMixin:
    """A read answers with the kept copy of the same answer when there is one (registry/caching.py).

    The copy is looked up after authentication, permissions, throttles and content negotiation, so it is only ever
    given to a client the view would answer, in the representation it asked for.
    """

    answer_key: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return
        self.answer_key = caching.answer_key(request, request.accepted_media_type)
        kept = caching.kept_answer(request, self.answer_key)
        if kept is not None:
            # This view instance serves this one request: its handler now gives the kept answer.
            setattr(self, request.method.lower(), lambda *args, **kwargs: kept)

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
class RegistryViewSet(KeptAnswersMixin, viewsets.ModelViewSet):
    """CRUD through the services: every write keeps who, when, what and why, and may be conditional (If-Match).

    Filters narrow lists only: a record's own URL answers whatever the query says.
    """

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

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


class CSVListSchema(ListItemNames, CSVAutoSchema):
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
    #: What the CSV list renders besides the record's own columns (see ``registry.api.csv.COLUMNS``).
    csv_collections: tuple[str, ...] = ()

    def base_queryset(self):
        return self.queryset.all()

    def get_queryset(self):
        queryset = self.base_queryset()
        for name in self.rendered_collections():
            queryset = queryset.prefetch_related(*(lookup() for lookup in self.collections.get(name, ())))
        return queryset

    def rendered_collections(self) -> tuple[str, ...]:
        if getattr(self, "action", None) != "list":
            return tuple(self.collections)
        if self.renders_csv():
            return self.csv_collections
        return self.expanded

    def renders_csv(self) -> bool:
        renderer = getattr(getattr(self, "request", None), "accepted_renderer", None)
        return getattr(renderer, "format", None) == "csv"

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


class ExpandCSVMixin(ExpandMixin, CSVListMixin):
    """A list that pages JSON (with ``expand``) or streams every row as CSV."""

    schema = CSVListSchema()


def expandable_list(serializer_class, *parameters):
    """The schema of a list that takes ``expand`` (with the names this resource allows)."""
    return extend_schema_view(list=extend_schema(parameters=[*parameters, expand_parameter(serializer_class)]))


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
NAMES = {"identifiers": (lambda: "identifiers",), "other_names": (lambda: "other_names",)}


@expandable_list(OrganizationSerializer)
class OrganizationViewSet(ExpandCSVMixin, AsOfMixin, RegistryViewSet):
    """Bodies: party organs, government, ministries, people's committees, departments, committees, groups."""

    queryset = Organization.objects.select_related("parent")
    collections = {
        # A legal basis shows in brief: without the documents' full text.
        "legal_basis": (lambda: Prefetch("legal_basis", queryset=Document.objects.defer("text")),),
        "duties": (lambda: "duties",),
        **NAMES,
        "sources": (sources,),
    }
    csv_collections = tuple(NAMES)
    serializer_class = OrganizationSerializer
    filterset_class = filtersets.OrganizationFilterSet
    lookup_field = "slug"

    def get_queryset(self):
        # The chart shows none of the organization's own relations: fetch the row alone.
        return Organization.objects.all() if self.action == "chart" else super().get_queryset()

    @extend_schema(parameters=[AS_OF], responses=ChartSerializer, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def chart(self, request, slug=None):
        """The body's structure on a day: posts with their holders, support agencies and sub-bodies."""
        chart = selectors.organization_chart(self.get_object(), self.as_of)
        return Response(ChartSerializer(chart, context=self.get_serializer_context()).data)


def person_appointments() -> Prefetch:
    return Prefetch(
        "appointments",
        queryset=Appointment.objects.select_related(
            "post__organization", "post__portfolio", "capacity__organization", "capacity__portfolio"
        ).order_by("start_date", "id"),
    )


@expandable_list(PersonSerializer)
class PersonViewSet(ExpandCSVMixin, RegistryViewSet):
    """Named officials and every post they held."""

    queryset = Person.objects.all()
    collections = {
        **NAMES,
        "appointments": (person_appointments,),
        "sources": (sources,),
    }
    csv_collections = tuple(NAMES)
    serializer_class = PersonSerializer
    filterset_class = filtersets.PersonFilterSet
    lookup_field = "slug"


@expandable_list(PortfolioSerializer)
class PortfolioViewSet(ExpandMixin, RegistryViewSet):
    """Areas of responsibility that posts cover."""

    queryset = Portfolio.objects.all()
    collections = {"sources": (sources,)}
    serializer_class = PortfolioSerializer
    filterset_class = filtersets.PortfolioFilterSet
    lookup_field = "slug"


@expandable_list(DocumentSerializer)
class DocumentViewSet(ExpandMixin, RegistryViewSet):
    """News articles (with their text) and the legal instruments they mention."""

    queryset = Document.objects.select_related("issuer")
    collections = {"sources": (sources,)}
    serializer_class = DocumentSerializer
    filterset_class = filtersets.DocumentFilterSet
    lookup_field = "slug"


@expandable_list(PostSerializer, AS_OF)
@extend_schema_view(retrieve=extend_schema(parameters=[AS_OF, ETAG]))
class PostViewSet(ExpandCSVMixin, AsOfMixin, RegistryViewSet):
    """Positions that exist whoever holds them, with their holders on the as_of day."""

    serializer_class = PostSerializer
    filterset_class = filtersets.PostFilterSet
    collections = {"sources": (sources,)}

    def base_queryset(self):
        # selectors.posts_with_holders without the sources, which only the detail and `expand=sources` render.
        return Post.objects.select_related(
            "organization", "portfolio", "ex_officio_of__organization", "ex_officio_of__portfolio"
        ).prefetch_related(selectors.holders_prefetch(self.as_of))

    @appointment_action(AppointInputSerializer, {201: AppointmentSerializer})
    def appoint(self, request, pk=None):
        """Appoint a person to this post (refused if the post would have more holders than seats on any day).

        With If-Match, only if the post (whose ETag changes whenever its holders do) is as the client last read it.
        """
        data = valid_input(AppointInputSerializer, request)
        appointment = services.appointment_create(post=self.get_object(), **data, if_match=if_match(request))
        data = AppointmentSerializer(appointment, context=self.get_serializer_context()).data
        return with_etag(self._created(data), appointment)

    @appointment_action(SucceedInputSerializer, {201: SuccessionSerializer})
    def succeed(self, request, pk=None):
        """Appoint a successor: the current holder's appointment ends the day before, in the same transaction.

        With If-Match, only if the post (whose ETag changes whenever its holders do) is as the client last read it.
        """
        data = valid_input(SucceedInputSerializer, request)
        ended, started = services.post_succeed(post=self.get_object(), **data, if_match=if_match(request))
        result = SuccessionSerializer({"ended": ended, "started": started}, context=self.get_serializer_context())
        return self._created(result.data)

    @staticmethod
    def _created(data) -> Response:
        return Response(data, status=status.HTTP_201_CREATED)


@expandable_list(AppointmentSerializer)
class AppointmentViewSet(ExpandCSVMixin, RegistryViewSet):
    """People holding posts over time."""

    queryset = Appointment.objects.select_related(
        "person", "post__organization", "post__portfolio", "capacity__organization", "capacity__portfolio"
    )
    collections = {"sources": (sources,)}
    serializer_class = AppointmentSerializer
    filterset_class = filtersets.AppointmentFilterSet

    @appointment_action(EndInputSerializer, AppointmentSerializer, ETAG)
    def end(self, request, pk=None):
        """End this appointment on a given day (its holder's last day in post).

        The same rules as any change of the appointment: an exact end is never moved later.
        """
        data = valid_input(EndInputSerializer, request)
        appointment = services.appointment_end(appointment=self.get_object(), **data, if_match=if_match(request))
        data = AppointmentSerializer(appointment, context=self.get_serializer_context()).data
        return with_etag(Response(data), appointment)


@expandable_list(RelationshipSerializer)
class RelationshipViewSet(ExpandMixin, RegistryViewSet):
    """Dated relationships between bodies: support agencies, dual subordination, coordination, mergers."""

    queryset = OrganizationRelationship.objects.select_related("subject", "object", "document")
    collections = {"sources": (sources,)}
    serializer_class = RelationshipSerializer
    filterset_class = filtersets.RelationshipFilterSet


class ChangesView(KeptAnswersMixin, generics.GenericAPIView):
    """The registry-wide change feed, in commit order, for incremental sync (deletions included).

    Start with nothing (the whole history) or `since=<ISO 8601 timestamp>`, then pass the `next_cursor` of each
    answer as `cursor` until `next` is null; keep the last `next_cursor` to poll again later. Every write appears
    exactly once, in the order its transaction committed: a transaction still running holds back the entries after
    it until it ends, so a follower never skips one.
    """

    permission_classes = [CanReadRegistry]
    serializer_class = ChangeFeedSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "since", OpenApiTypes.DATETIME, description="Start with the changes written after this moment."
            ),
            OpenApiParameter(
                "cursor", {"type": "string", "minLength": 1}, description="The next_cursor of a previous answer."
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 500},
                description="Entries per answer, 1 to 500 (default 100).",
            ),
        ]
    )
    def get(self, request):
        # A plain dict, not the QueryDict: DRF reads "" in a QueryDict as "not given", and `since=` must be a 400.
        query = ChangesQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        cursor, since, limit = (query.validated_data.get(name) for name in ("cursor", "since", "limit"))
        start = feed.Position.decode(cursor) if cursor else feed.position_before_moment(since) if since else None
        entries = feed.entries_after(start, limit)
        last = feed.Position.of(entries[-1]) if entries else start
        next_cursor = last.encode() if last else None
        next_url = None
        if len(entries) == limit:
            next_url = reverse("registry-api:changes", request=request) + f"?cursor={next_cursor}&limit={limit}"
        show_users = shows_usernames(request)
        # Built as ChangeFeedSerializer renders it (the schema's description), without running a serializer over
        # every entry: a page of the feed is plain values already, and a full sync reads thousands of pages.
        results = [
            {
                "id": entry.id,
                "cursor": feed.Position.of(entry).encode(),
                "model": entry.model,
                "object_id": entry.object_id,
                "date": FEED_DATE.to_representation(entry.date),
                "type": entry.type,
                "user": (entry.user or None) if show_users else None,
                "reason": entry.reason or None,
                "changed_fields": entry.fields,
                "data": entry.data,
            }
            for entry in entries
        ]
        return Response({"results": results, "next_cursor": next_cursor, "next": next_url})


#: The feed's dates, formatted as the serializer's DateTimeField formats them.
FEED_DATE = serializers.DateTimeField()


class ChangesQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(required=False)
    cursor = serializers.CharField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)
