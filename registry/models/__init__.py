from registry.models.access import SystemKey
from registry.models.changes import Change, FeedCounter, RegistryRevision, SeedBaseline
from registry.models.documents import Citation, Document
from registry.models.events import Event, EventAppearance
from registry.models.identifiers import Identifier, OtherName
from registry.models.organizations import Duty, Organization, OrganizationRelationship
from registry.models.people import Person
from registry.models.posts import Appointment, Portfolio, Post
from registry.models.webhooks import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Appointment",
    "Change",
    "Citation",
    "Document",
    "Duty",
    "Event",
    "EventAppearance",
    "FeedCounter",
    "Identifier",
    "Organization",
    "OrganizationRelationship",
    "OtherName",
    "Person",
    "Portfolio",
    "Post",
    "RegistryRevision",
    "SeedBaseline",
    "SystemKey",
    "WebhookDelivery",
    "WebhookEndpoint",
]
