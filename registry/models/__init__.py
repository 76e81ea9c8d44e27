from registry.models.access import SystemKey
from registry.models.documents import Citation, Document
from registry.models.organizations import Duty, Organization, OrganizationRelationship
from registry.models.people import Person
from registry.models.posts import Appointment, Portfolio, Post

__all__ = [
    "Appointment",
    "Citation",
    "Document",
    "Duty",
    "Organization",
    "OrganizationRelationship",
    "Person",
    "Portfolio",
    "Post",
    "SystemKey",
]
