"""The one table of API resources that the generic tests run over: CRUD (test_api_crud.py), permissions
(test_permissions.py) and history (test_history.py). Add a resource here and every generic test covers it
(NetBox's APIViewTestCases pattern)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model

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
from tests.factories import (
    AppointmentFactory,
    DocumentFactory,
    EventFactory,
    OrganizationFactory,
    PersonFactory,
    PortfolioFactory,
    PostFactory,
    RelationshipFactory,
)


@dataclass(frozen=True)
class Resource:
    """What the generic CRUD tests need to know about one resource (NetBox APIViewTestCases style)."""

    basename: str
    model: type[Model]
    lookup: str  # "slug" or "pk": the URL key
    make: Callable[[], Model]  # an instance nothing else depends on (deletable)
    create: Callable[[], dict]  # a valid create payload (builds the records it references)
    update: dict  # a valid partial update
    # payload field -> (kind of brief, model, lookup): related records written by key and rendered brief.
    references: dict[str, tuple[str, type[Model], str]] = field(default_factory=dict)
    # payload fields the request takes and the answer does not show (a new post's sources, shown in `sources`).
    write_only: tuple[str, ...] = ()

    def key(self, instance: Model):
        return getattr(instance, self.lookup)

    def key_of(self, body: dict):
        """The URL key of a record as an answer shows it."""
        return body["slug" if self.lookup == "slug" else "id"]

    def __str__(self) -> str:
        return self.basename


def organization_payload() -> dict:
    return {
        "slug": "crud-organization",
        "name": "Sở Thử nghiệm CRUD",
        "name_en": "CRUD test department",
        "classification": "department",
        "parent": OrganizationFactory().slug,
        "founding_date": "2024-03-01",
        "founding_date_precision": "exact",
        "legal_basis": [DocumentFactory(kind="resolution").slug],
    }


def document_payload() -> dict:
    return {
        "slug": "crud-document",
        "kind": "plan",
        "number": "12/KH-UBND",
        "title": "Kế hoạch thử nghiệm CRUD",
        "issuer": OrganizationFactory().slug,
        "issued_on": "2025-01-02",
        "date_precision": "exact",
    }


def post_payload() -> dict:
    head = PostFactory()
    return {
        "slug": "crud-post",
        "organization": head.organization.slug,
        "label": "Phó Giám đốc",
        "label_en": "Deputy Director",
        "role": "deputy_head",
        "rank": 2,
        "seats": 3,
        "portfolio": PortfolioFactory().slug,
        "standing": True,
        "ex_officio_of": head.pk,
        "new_sources": [{"document": DocumentFactory(text="").slug, "quote": "Phó Giám đốc"}],
    }


def appointment_payload() -> dict:
    post = PostFactory()
    capacity = PostFactory()
    return {
        "person": PersonFactory().slug,
        "post": post.pk,
        "capacity": capacity.pk,
        "start_date": "2024-02-01",
        "start_date_precision": "exact",
        "end_date": "2024-12-31",
        "end_date_precision": "attested",
    }


def relationship_payload() -> dict:
    return {
        "subject": OrganizationFactory().slug,
        "object": OrganizationFactory().slug,
        "kind": "coordinates_with",
        "start_date": "2024-01-01",
        "start_date_precision": "exact",
        "document": DocumentFactory(kind="regulation").slug,
        "description": "Quy chế phối hợp thử nghiệm",
    }


def event_payload() -> dict:
    return {
        "slug": "crud-event",
        "name": "Hội nghị thử nghiệm CRUD",
        "name_en": "CRUD test conference",
        "classification": "conference",
        "start_date": "2024-05-02",
        "start_date_precision": "exact",
        "organizers": [OrganizationFactory().slug, OrganizationFactory().slug],
    }


ORG_REF = ("organization", Organization, "slug")
RESOURCES = [
    Resource(
        "organization",
        Organization,
        "slug",
        OrganizationFactory,
        organization_payload,
        {"name_en": "Renamed body"},
        {"parent": ORG_REF, "legal_basis": ("document", Document, "slug")},
    ),
    Resource(
        "person",
        Person,
        "slug",
        PersonFactory,
        lambda: {"slug": "crud-person", "name": "Lê Văn Thử", "family_name": "Lê", "given_name": "Thử"},
        {"honorific": "ong"},
    ),
    Resource(
        "portfolio",
        Portfolio,
        "slug",
        PortfolioFactory,
        lambda: {"slug": "crud-portfolio", "name": "Lĩnh vực CRUD", "name_en": "CRUD area"},
        {"name_en": "Renamed area"},
    ),
    Resource(
        "document",
        Document,
        "slug",
        DocumentFactory,
        document_payload,
        {"title_en": "Test plan"},
        {"issuer": ORG_REF},
    ),
    Resource(
        "post",
        Post,
        "pk",
        PostFactory,
        post_payload,
        {"label_en": "Chief"},
        {
            "organization": ORG_REF,
            "portfolio": ("portfolio", Portfolio, "slug"),
            "ex_officio_of": ("post", Post, "pk"),
        },
        write_only=("new_sources",),
    ),
    Resource(
        "appointment",
        Appointment,
        "pk",
        AppointmentFactory,
        appointment_payload,
        {"end_reason": "Nghỉ hưu"},
        {"person": ("person", Person, "slug"), "post": ("post", Post, "pk"), "capacity": ("post", Post, "pk")},
    ),
    Resource(
        "relationship",
        OrganizationRelationship,
        "pk",
        RelationshipFactory,
        relationship_payload,
        {"description_en": "Coordinates"},
        {"subject": ORG_REF, "object": ORG_REF, "document": ("document", Document, "slug")},
    ),
    Resource(
        "event",
        Event,
        "slug",
        EventFactory,
        event_payload,
        {"name_en": "Renamed conference"},
        {"organizers": ORG_REF},
    ),
]
