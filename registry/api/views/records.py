"""The registry's records over the API: declarations of queryset, serializer and filters, and their actions."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from registry import selectors, services
from registry.api import filtersets
from registry.api.serializers import (
    AppointInputSerializer,
    AppointmentSerializer,
    ChartSerializer,
    DocumentSerializer,
    EndInputSerializer,
    OrganizationSerializer,
    PersonSerializer,
    PortfolioSerializer,
    PostSerializer,
    RelationshipSerializer,
    SucceedInputSerializer,
    SuccessionSerializer,
)
from registry.api.views.base import (
    AS_OF,
    ETAG,
    AsOfMixin,
    ExpandExportMixin,
    ExpandMixin,
    RegistryViewSet,
    appointment_action,
    expandable_list,
    exportable_list,
    if_match,
    sources,
    valid_input,
    with_etag,
)
from registry.models import Appointment, Document, Organization, OrganizationRelationship, Person, Portfolio, Post
from registry.selectors.evidence import with_last_confirmed

NAMES = {"identifiers": (lambda: "identifiers",), "other_names": (lambda: "other_names",)}


@exportable_list(OrganizationSerializer)
class OrganizationViewSet(ExpandExportMixin, AsOfMixin, RegistryViewSet):
    """Bodies: party organs, government, ministries, people's committees, departments, committees, groups."""

    queryset = with_last_confirmed(Organization.objects.select_related("parent"))
    collections = {
        # A legal basis shows in brief: without the documents' full text.
        "legal_basis": (lambda: Prefetch("legal_basis", queryset=Document.objects.defer("text")),),
        "duties": (lambda: "duties",),
        **NAMES,
        "sources": (sources,),
    }
    export_collections = tuple(NAMES)
    serializer_class = OrganizationSerializer
    filterset_class = filtersets.OrganizationFilterSet
    lookup_field = "slug"

    def get_queryset(self):
        # The chart shows none of the organization's own relations: fetch the row alone.
        return Organization.objects.all() if self.action == "chart" else super().get_queryset()

    @extend_schema(parameters=[AS_OF], responses=ChartSerializer, filters=False)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def chart(self, request, slug=None):
        """The body's structure on a day: posts with their holders, support agencies and sub-bodies.

        Drawn for print at `chart.svg` (SVG) and `chart.pdf` beside this URL, from the same read.
        """
        chart = selectors.organization_chart(self.get_object(), self.as_of)
        return Response(ChartSerializer(chart, context=self.get_serializer_context()).data)


def person_appointments() -> Prefetch:
    return Prefetch(
        "appointments",
        queryset=Appointment.objects.select_related(
            "post__organization", "post__portfolio", "capacity__organization", "capacity__portfolio"
        ).order_by("start_date", "id"),
    )


@exportable_list(PersonSerializer)
class PersonViewSet(ExpandExportMixin, RegistryViewSet):
    """Named officials and every post they held."""

    queryset = Person.objects.all()
    collections = {
        **NAMES,
        "appointments": (person_appointments,),
        "sources": (sources,),
    }
    export_collections = tuple(NAMES)
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


@exportable_list(PostSerializer, AS_OF)
@extend_schema_view(retrieve=extend_schema(parameters=[AS_OF, ETAG]))
class PostViewSet(ExpandExportMixin, AsOfMixin, RegistryViewSet):
    """Positions that exist whoever holds them, with their holders on the as_of day."""

    serializer_class = PostSerializer
    filterset_class = filtersets.PostFilterSet
    collections = {"sources": (sources,)}

    def base_queryset(self):
        # selectors.posts_with_holders without the sources, which only the detail and `expand=sources` render.
        return Post.objects.select_related(
            "organization", "portfolio", "ex_officio_of__organization", "ex_officio_of__portfolio"
        ).prefetch_related(*selectors.seat_prefetches(self.as_of))

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


@exportable_list(AppointmentSerializer)
class AppointmentViewSet(ExpandExportMixin, RegistryViewSet):
    """People holding posts over time."""

    queryset = with_last_confirmed(
        Appointment.objects.select_related(
            "person", "post__organization", "post__portfolio", "capacity__organization", "capacity__portfolio"
        )
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

    queryset = with_last_confirmed(OrganizationRelationship.objects.select_related("subject", "object", "document"))
    collections = {"sources": (sources,)}
    serializer_class = RelationshipSerializer
    filterset_class = filtersets.RelationshipFilterSet
