"""API views: declarations of queryset, serializer and filters."""

import datetime

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from registry import filtersets, selectors
from registry.api import serializers as api
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


class OrganizationViewSet(AsOfMixin, viewsets.ModelViewSet):
    """Bodies: party organs, government, ministries, people's committees, departments, committees, groups."""

    queryset = Organization.objects.select_related("parent").prefetch_related(
        "legal_basis", "duties", selectors.sources_prefetch()
    )
    serializer_class = api.OrganizationSerializer
    filterset_class = filtersets.OrganizationFilterSet
    lookup_field = "slug"

    @extend_schema(parameters=[AS_OF], responses=api.ChartSerializer, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def chart(self, request, slug=None):
        """The body's structure on a day: posts with their holders, support agencies and sub-bodies."""
        chart = selectors.organization_chart(self.get_object(), self.as_of_day())
        return Response(api.ChartSerializer(chart, context=self.get_serializer_context()).data)


class PersonViewSet(viewsets.ModelViewSet):
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


class PortfolioViewSet(viewsets.ModelViewSet):
    """Areas of responsibility that posts cover."""

    queryset = Portfolio.objects.prefetch_related(selectors.sources_prefetch())
    serializer_class = api.PortfolioSerializer
    filterset_class = filtersets.PortfolioFilterSet
    lookup_field = "slug"


class DocumentViewSet(viewsets.ModelViewSet):
    """News articles (with their text) and the legal instruments they mention."""

    queryset = Document.objects.select_related("issuer").prefetch_related(selectors.sources_prefetch())
    serializer_class = api.DocumentSerializer
    filterset_class = filtersets.DocumentFilterSet
    lookup_field = "slug"


@extend_schema_view(retrieve=extend_schema(parameters=[AS_OF]))
class PostViewSet(AsOfMixin, viewsets.ModelViewSet):
    """Positions that exist whoever holds them, with their holders on the as_of day."""

    serializer_class = api.PostSerializer
    filterset_class = filtersets.PostFilterSet

    def get_queryset(self):
        return selectors.posts_with_holders(self.as_of_day())


class AppointmentViewSet(viewsets.ModelViewSet):
    """People holding posts over time."""

    queryset = Appointment.objects.select_related(
        "person", "post__organization", "post__portfolio", "capacity__organization", "capacity__portfolio"
    ).prefetch_related(selectors.sources_prefetch())
    serializer_class = api.AppointmentSerializer
    filterset_class = filtersets.AppointmentFilterSet


class RelationshipViewSet(viewsets.ModelViewSet):
    """Dated relationships between bodies: support agencies, dual subordination, coordination, mergers."""

    queryset = OrganizationRelationship.objects.select_related("subject", "object", "document").prefetch_related(
        selectors.sources_prefetch()
    )
    serializer_class = api.RelationshipSerializer
    filterset_class = filtersets.RelationshipFilterSet
