"""API representations, by subject like ``registry/models``; related records render brief (see ``base``)."""

from registry.api.serializers.base import (
    InputSerializer,
    RegistryModelSerializer,
    RelatedField,
    SourceSerializer,
    brief_serializer,
)
from registry.api.serializers.documents import DocumentSerializer
from registry.api.serializers.events import AppearanceChangeSerializer, AppearanceSerializer, EventSerializer
from registry.api.serializers.history import (
    ChangeFeedSerializer,
    ChangeSerializer,
    HistoryEntrySerializer,
    feed_representation,
)
from registry.api.serializers.organizations import DutySerializer, OrganizationSerializer, RelationshipSerializer
from registry.api.serializers.people import PersonAppointmentSerializer, PersonSerializer
from registry.api.serializers.posts import (
    AppointInputSerializer,
    AppointmentSerializer,
    ChartSerializer,
    EndInputSerializer,
    HolderSerializer,
    PortfolioSerializer,
    PostSerializer,
    SucceedInputSerializer,
    SuccessionSerializer,
)
from registry.models import (
    Appointment,
    Document,
    Event,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
)

#: The serializer of each API resource: where brief forms (``Meta.brief_fields``) and feed entries come from.
RESOURCE_SERIALIZERS = {
    Organization: OrganizationSerializer,
    Person: PersonSerializer,
    Portfolio: PortfolioSerializer,
    Document: DocumentSerializer,
    Post: PostSerializer,
    Appointment: AppointmentSerializer,
    OrganizationRelationship: RelationshipSerializer,
    Event: EventSerializer,
}

__all__ = [
    "RESOURCE_SERIALIZERS",
    "AppearanceChangeSerializer",
    "AppearanceSerializer",
    "AppointInputSerializer",
    "AppointmentSerializer",
    "ChangeFeedSerializer",
    "ChangeSerializer",
    "ChartSerializer",
    "DocumentSerializer",
    "DutySerializer",
    "EndInputSerializer",
    "EventSerializer",
    "HistoryEntrySerializer",
    "HolderSerializer",
    "InputSerializer",
    "OrganizationSerializer",
    "PersonAppointmentSerializer",
    "PersonSerializer",
    "PortfolioSerializer",
    "PostSerializer",
    "RegistryModelSerializer",
    "RelatedField",
    "RelationshipSerializer",
    "SourceSerializer",
    "SucceedInputSerializer",
    "SuccessionSerializer",
    "brief_serializer",
    "feed_representation",
]
