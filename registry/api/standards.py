"""Identifiers and other names as resources, the Popolo export, and webhook endpoints (issue 13)."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers, viewsets
from rest_framework.decorators import action

from registry.api.filtersets import StrictFilterSet
from registry.api.permissions import CanReadRegistry
from registry.api.serializers.base import RelatedField, StrictInputMixin
from registry.api.serializers.identifiers import IdentifierResourceSerializer, OtherNameResourceSerializer
from registry.api.strict import StrictCharField
from registry.api.views.base import AsOfMixin, ConditionalAnswersMixin, RegistryViewSet
from registry.changes import feed, webhooks
from registry.choices import OtherNameKind
from registry.interop import popolo
from registry.models import Identifier, Organization, OtherName, WebhookDelivery, WebhookEndpoint

# --- identifiers and other names -----------------------------------------------------------------------------------


class OwnedQuerySetMixin:
    def get_queryset(self):
        return super().get_queryset().select_related("content_type").prefetch_related("record", "sources__document")


class IdentifierFilterSet(StrictFilterSet):
    scheme = django_filters.CharFilter(label="Exact scheme, e.g. wikidata.")
    identifier = django_filters.CharFilter(label="Exact identifier, e.g. Q1854.")

    class Meta:
        model = Identifier
        fields = ("scheme", "identifier")


class OtherNameFilterSet(StrictFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=OtherNameKind.choices, label="Kind of name.")

    class Meta:
        model = OtherName
        fields = ("kind",)


class IdentifierViewSet(OwnedQuerySetMixin, RegistryViewSet):
    """Identifiers other systems issued for people and organizations: Wikidata QIDs, register and unit codes."""

    queryset = Identifier.objects.all()
    serializer_class = IdentifierResourceSerializer
    filterset_class = IdentifierFilterSet


class OtherNameViewSet(OwnedQuerySetMixin, RegistryViewSet):
    """Other names of people and organizations: former names, abbreviations, transliterations, with dates."""

    queryset = OtherName.objects.all()
    serializer_class = OtherNameResourceSerializer
    filterset_class = OtherNameFilterSet


#: The change feed's representation of the new records (registry.api.serializers.feed_serializer reads it).


# --- the Popolo export ----------------------------------------------------------------------------------------------


class PopoloExportView(ConditionalAnswersMixin, AsOfMixin, generics.GenericAPIView):
    """The whole registry as one Popolo 1.0.1 JSON document, streamed (no pages).

    persons, organizations (with identifiers, other names, duties, legal basis), posts, memberships and events (the
    conferences the sources report) as Popolo defines them, plus the registry's documented extensions: date
    precisions, capacities, portfolios, relationships, documents (with full text), the people events show in a post
    (appearances) and sources (document and verbatim quote). Ids are stable keys such as `person/<slug>`. With
    `as_of`, only what holds on that day (bodies that exist, their posts, the appointments that hold and their people,
    relationships in effect, events held by then); portfolios and documents always in full.
    """

    permission_classes = [CanReadRegistry]
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Only what holds on this day (YYYY-MM-DD).")
        ],
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
    )
    def get(self, request):
        as_of = self.as_of if "as_of" in request.query_params else None
        response = StreamingHttpResponse(popolo.stream(as_of), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="registry-popolo.json"'
        return response


# --- webhooks -------------------------------------------------------------------------------------------------------


class WebhookDeliverySerializer(serializers.ModelSerializer):
    # Declared here, without the database's own integer bounds, so the schema is the same on SQLite and PostgreSQL.
    attempt = serializers.IntegerField(read_only=True, help_text="1 for the first attempt of this change, then 2, 3, …")
    status_code = serializers.IntegerField(read_only=True, allow_null=True, help_text="The receiver's HTTP status.")
    duration_ms = serializers.IntegerField(read_only=True, help_text="How long the attempt took.")

    class Meta:
        model = WebhookDelivery
        fields = (
            "id",
            "delivery_id",
            "change_id",
            "event",
            "attempt",
            "succeeded",
            "status_code",
            "error",
            "duration_ms",
            "created",
        )


class WebhookEndpointSerializer(StrictInputMixin, serializers.ModelSerializer):
    """A webhook: the URL, its secret (write-only), which kinds of record and which bodies, and where it stands."""

    secret = StrictCharField(
        write_only=True,
        min_length=32,
        max_length=200,
        help_text="Shared HMAC-SHA256 secret, 32 characters or more. Stored encrypted and never shown again.",
    )
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=webhooks.KINDS),
        required=False,
        max_length=len(webhooks.KINDS),
        help_text="Kinds of record to deliver; empty or left out: all.",
    )
    organizations = RelatedField(
        Organization,
        many=True,
        required=False,
        help_text="Deliver only changes concerning these bodies (slugs); none: all.",
    )
    position = serializers.SerializerMethodField(help_text="Feed cursor of the last change delivered (or skipped).")

    class Meta:
        model = WebhookEndpoint
        fields = (
            "id",
            "name",
            "url",
            "secret",
            "kinds",
            "organizations",
            "active",
            "position",
            "failures",
            "next_attempt",
            "last_error",
            "created",
            "updated",
        )
        read_only_fields = ("failures", "next_attempt", "last_error", "created", "updated")
        # The model's help names the operator's settings; integrators see what they mean.
        extra_kwargs = {
            "url": {"help_text": "http(s) URL on a host and port the registry's operator allows (a 400 says so)."}
        }

    def get_position(self, endpoint) -> str:
        return feed.Position(endpoint.cursor_position).encode()

    def validate_url(self, value):
        try:
            webhooks.check_url(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["url"]) from error
        return value

    def create(self, validated_data):
        organizations = validated_data.pop("organizations", [])
        endpoint = WebhookEndpoint.objects.create(
            **validated_data, owner=self.context["request"].user, cursor_position=webhooks.start_position().position
        )
        endpoint.organizations.set(organizations)
        return endpoint


class IsWebhookOwner(permissions.BasePermission):
    """Signed-in accounts with the webhook permissions; each sees and changes its own endpoints only."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        action = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "DELETE": "delete"}
        return user.has_perm(f"registry.{action.get(request.method, 'change')}_webhookendpoint")


class WebhookEndpointViewSet(viewsets.ModelViewSet):
    """Webhooks of city systems: every change of the feed POSTed in order, signed with HMAC-SHA256.

    Each request carries `X-Registry-Timestamp` (unix seconds), `X-Registry-Signature: sha256=<hex HMAC-SHA256 of
    "<timestamp>.<body>" with the secret>` (refuse timestamps older than 5 minutes: a captured request cannot be
    replayed), `X-Registry-Delivery` (the same id on every retry of one change) and `X-Registry-Event`
    (`<model>.<type>`). The delivery log keeps the receiver's status and timing, never its answer.
    Failures are retried with exponential backoff before any later change; a disabled endpoint resumes in place.
    """

    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsWebhookOwner]
    filter_backends = []

    def get_queryset(self):
        endpoints = WebhookEndpoint.objects.prefetch_related("organizations").order_by("id")
        if getattr(self, "swagger_fake_view", False):
            return endpoints.none()
        return endpoints if self.request.user.is_superuser else endpoints.filter(owner=self.request.user)

    @extend_schema(responses=WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The endpoint's delivery log, newest first: each attempt with the receiver's status (not its answer)."""
        page = self.paginate_queryset(self.get_object().deliveries.all())
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)
