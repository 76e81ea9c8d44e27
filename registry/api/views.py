"""API views: declarations of queryset, serializer and filters."""

import datetime

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from registry import filtersets, history, selectors, services
from registry.api import serializers as api
from registry.api.permissions import CanChangeAppointments, CanReadRegistry
from registry.models import Appointment, Document, Organization, OrganizationRelationship, Person, Portfolio

AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="Show holders on this day (YYYY-MM-DD); today when absent."
)


class AsOfDateField(serializers.Serializer):
    as_of = serializers.DateField(required=False)


class AsOfMixin:
    """The ``as_of`` day of the request: a valid date, or today."""

    def as_of_day(self) -> datetime.date:
        params = AsOfDateField(
            data={"as_of": self.request.query_params["as_of"]} if "as_of" in self.request.query_params else {}
        )
        params.is_valid(raise_exception=True)
        return params.validated_data.get("as_of") or filtersets.today()


REASON = OpenApiParameter("reason", OpenApiTypes.STR, description="Why the record is deleted; kept in its history.")


@extend_schema_view(destroy=extend_schema(parameters=[REASON]))
class RegistryViewSet(viewsets.ModelViewSet):
    """CRUD with history: every write keeps who, when, what and why; deletions stay in the history."""

    def perform_destroy(self, instance):
        services.record_delete(instance, reason=self.request.query_params.get("reason", ""))

    @extend_schema(responses=api.HistoryEntrySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filterset_class=None)
    def history(self, request, *args, **kwargs):
        """Every recorded change of this record, newest first, with the fields each change touched."""
        entries = history.record_history(self.get_object())
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(api.HistoryEntrySerializer(page, many=True).data)


class OrganizationViewSet(AsOfMixin, RegistryViewSet):
    """Bodies: party organs, government, ministries, people's committees, departments, committees, groups."""

    queryset = Organization.objects.select_related("parent").prefetch_related(
        "legal_basis", "duties", selectors.sources_prefetch()
    )
    serializer_class = api.OrganizationSerializer
    filterset_class = filtersets.OrganizationFilterSet
    lookup_field = "slug"

    def get_queryset(self):
        # The chart shows none of the organization's own relations: fetch the row alone.
        return Organization.objects.all() if self.action == "chart" else super().get_queryset()

    @extend_schema(parameters=[AS_OF], responses=api.ChartSerializer, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def chart(self, request, slug=None):
        """The body's structure on a day: posts with their holders, support agencies and sub-bodies."""
        chart = selectors.organization_chart(self.get_object(), self.as_of_day())
        return Response(api.ChartSerializer(chart, context=self.get_serializer_context()).data)


class PersonViewSet(RegistryViewSet):
    """Named officials and every post they held."""

    queryset = Person.objects.prefetch_related(
        Prefetch(
            "appointments",
            queryset=Appointment.objects.select_related(
                "post__organization", "post__portfolio", "capacity__organization", "capacity__portfolio"
            ).order_by("start_date", "id"),
        ),
        selectors.sources_prefetch(),
    )
    serializer_class = api.PersonSerializer
    filterset_class = filtersets.PersonFilterSet
    lookup_field = "slug"


class PortfolioViewSet(RegistryViewSet):
    """Areas of responsibility that posts cover."""

    queryset = Portfolio.objects.prefetch_related(selectors.sources_prefetch())
    serializer_class = api.PortfolioSerializer
    filterset_class = filtersets.PortfolioFilterSet
    lookup_field = "slug"


class DocumentViewSet(RegistryViewSet):
    """News articles (with their text) and the legal instruments they mention."""

    queryset = Document.objects.select_related("issuer").prefetch_related(selectors.sources_prefetch())
    serializer_class = api.DocumentSerializer
    filterset_class = filtersets.DocumentFilterSet
    lookup_field = "slug"


@extend_schema_view(retrieve=extend_schema(parameters=[AS_OF]))
class PostViewSet(AsOfMixin, RegistryViewSet):
    """Positions that exist whoever holds them, with their holders on the as_of day."""

    serializer_class = api.PostSerializer
    filterset_class = filtersets.PostFilterSet

    def get_queryset(self):
        return selectors.posts_with_holders(self.as_of_day())

    @extend_schema(request=api.AppointInputSerializer, responses={201: api.AppointmentSerializer}, filters=False)
    @action(detail=True, methods=["post"], permission_classes=[CanChangeAppointments], filterset_class=None)
    def appoint(self, request, pk=None):
        """Appoint a person to this post (refused if the post would have more holders than seats on any day)."""
        data = self._valid(api.AppointInputSerializer)
        appointment = services.appointment_create(post=self.get_object(), **data)
        return self._created(api.AppointmentSerializer(appointment, context=self.get_serializer_context()).data)

    @extend_schema(request=api.SucceedInputSerializer, responses={201: api.SuccessionSerializer}, filters=False)
    @action(detail=True, methods=["post"], permission_classes=[CanChangeAppointments], filterset_class=None)
    def succeed(self, request, pk=None):
        """Appoint a successor: the current holder's appointment ends the day before, in the same transaction."""
        data = self._valid(api.SucceedInputSerializer)
        ended, started = services.post_succeed(post=self.get_object(), **data)
        result = api.SuccessionSerializer({"ended": ended, "started": started}, context=self.get_serializer_context())
        return self._created(result.data)

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @staticmethod
    def _created(data) -> Response:
        return Response(data, status=status.HTTP_201_CREATED)


class AppointmentViewSet(RegistryViewSet):
    """People holding posts over time."""

    queryset = Appointment.objects.select_related(
        "person", "post__organization", "post__portfolio", "capacity__organization", "capacity__portfolio"
    ).prefetch_related(selectors.sources_prefetch())
    serializer_class = api.AppointmentSerializer
    filterset_class = filtersets.AppointmentFilterSet

    @extend_schema(request=api.EndInputSerializer, responses=api.AppointmentSerializer, filters=False)
    @action(detail=True, methods=["post"], permission_classes=[CanChangeAppointments], filterset_class=None)
    def end(self, request, pk=None):
        """End this appointment on a given day (its holder's last day in post)."""
        serializer = api.EndInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = services.appointment_end(appointment=self.get_object(), **serializer.validated_data)
        return Response(api.AppointmentSerializer(appointment, context=self.get_serializer_context()).data)


class RelationshipViewSet(RegistryViewSet):
    """Dated relationships between bodies: support agencies, dual subordination, coordination, mergers."""

    queryset = OrganizationRelationship.objects.select_related("subject", "object", "document").prefetch_related(
        selectors.sources_prefetch()
    )
    serializer_class = api.RelationshipSerializer
    filterset_class = filtersets.RelationshipFilterSet


class ChangesView(generics.GenericAPIView):
    """The registry-wide change feed, oldest first, for incremental sync (deletions included).

    Start with `since=<ISO 8601 timestamp>` (or nothing, for the whole history), then pass the `next_cursor` of each
    answer as `cursor` until `next` is null.
    """

    permission_classes = [CanReadRegistry]
    serializer_class = api.ChangeFeedSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Changes strictly after this moment."),
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
        cursor = query.validated_data.get("cursor")
        since = query.validated_data.get("since")
        start = history.Cursor.decode(cursor) if cursor else history.Cursor.since(since) if since else None
        limit = query.validated_data["limit"]
        entries = history.changes_after(start, limit)
        next_cursor = entries[-1]["cursor"] if entries else cursor
        next_url = None
        if len(entries) == limit:
            next_url = reverse("registry-api:changes", request=request) + f"?cursor={next_cursor}&limit={limit}"
        body = {"results": entries, "next_cursor": next_cursor, "next": next_url}
        return Response(api.ChangeFeedSerializer(body).data)


class ChangesQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(required=False)
    cursor = serializers.CharField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)
