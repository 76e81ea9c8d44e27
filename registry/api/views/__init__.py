"""API views by subject: the shared base, the registry's records, the change feed (events and standards beside them)."""

from registry.api.views.feed import ChangesView
from registry.api.views.records import (
    AppointmentViewSet,
    DocumentViewSet,
    OrganizationViewSet,
    PersonViewSet,
    PortfolioViewSet,
    PostViewSet,
    RelationshipViewSet,
)

__all__ = [
    "AppointmentViewSet",
    "ChangesView",
    "DocumentViewSet",
    "OrganizationViewSet",
    "PersonViewSet",
    "PortfolioViewSet",
    "PostViewSet",
    "RelationshipViewSet",
]
