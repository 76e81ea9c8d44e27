"""The whole registry as one Popolo JSON document, streamed one record at a time."""

import datetime
import json
from collections.abc import Iterator

from django.db.models import Prefetch

from registry.interop.popolo.records import (
    clean,
    document_data,
    event_data,
    iso,
    membership_data,
    organization_data,
    person_data,
    portfolio_data,
    post_data,
    relationship_data,
)
from registry.models.documents import Document
from registry.models.events import Event, EventAppearance
from registry.models.organizations import Duty, Organization, OrganizationRelationship
from registry.models.people import Person
from registry.models.posts import Appointment, Portfolio, Post
from registry.selectors import sources_prefetch
from registry.selectors.evidence import with_last_confirmed

POPOLO_VERSION = "1.0.1"
CHUNK = 500


def _querysets(as_of: datetime.date | None) -> dict:
    """Each list's records in a stable order, with everything their representation shows prefetched."""
    organizations = with_last_confirmed(Organization.objects.select_related("parent")).prefetch_related(
        "legal_basis",
        "identifiers",
        "other_names",
        Prefetch("duties", queryset=Duty.objects.prefetch_related(sources_prefetch())),
        sources_prefetch(),
    )
    posts = Post.objects.select_related("organization", "portfolio", "ex_officio_of").prefetch_related(
        sources_prefetch()
    )
    appointments = with_last_confirmed(
        Appointment.objects.select_related("person", "post__organization", "capacity")
    ).prefetch_related(sources_prefetch())
    people = Person.objects.prefetch_related("identifiers", "other_names", sources_prefetch())
    relationships = with_last_confirmed(
        OrganizationRelationship.objects.select_related("subject", "object", "document")
    ).prefetch_related(sources_prefetch())
    events = Event.objects.prefetch_related(
        "organizers",
        sources_prefetch(),
        Prefetch(
            "appearances",
            queryset=EventAppearance.objects.select_related(
                "appointment__person", "appointment__post"
            ).prefetch_related(sources_prefetch()),
        ),
    )
    if as_of is not None:
        events = events.filter(start_date__lte=as_of)  # what had happened by then (an undated event is left out)
        organizations = organizations.exists_on(as_of)
        posts = posts.exists_on(as_of)
        appointments = appointments.as_of(as_of)
        people = people.as_of(as_of)
        relationships = relationships.as_of(as_of)
    return {
        "organizations": (organizations.order_by("slug"), organization_data),
        "persons": (people.order_by("slug"), person_data),
        "posts": (posts.order_by("slug"), post_data),
        "memberships": (appointments.order_by("person__slug", "post__slug", "start_date", "id"), membership_data),
        "portfolios": (
            Portfolio.objects.prefetch_related(sources_prefetch()).order_by("slug"),
            portfolio_data,
        ),
        "documents": (
            Document.objects.select_related("issuer").prefetch_related(sources_prefetch()).order_by("slug"),
            document_data,
        ),
        "relationships": (relationships.order_by("subject__slug", "kind", "object__slug", "id"), relationship_data),
        "events": (events.order_by("slug"), event_data),
    }


def meta(as_of: datetime.date | None) -> dict:
    return clean(
        {
            "format": "popolo",
            "popolo_version": POPOLO_VERSION,
            "publisher": "HCMC International Integration Registry",
            "extensions": "docs/interop.md, section 'Popolo export'",
            "as_of": iso(as_of),
        }
    )


def stream(as_of: datetime.date | None = None) -> Iterator[str]:
    """The document in pieces, one record at a time (``CHUNK`` rows and their prefetches per query)."""
    dump = lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    yield '{"meta":' + dump(meta(as_of))
    for name, (queryset, shape) in _querysets(as_of).items():
        yield f',"{name}":['
        for index, record in enumerate(queryset.iterator(chunk_size=CHUNK)):
            yield ("," if index else "") + dump(shape(record))
        yield "]"
    yield "}\n"


def export(as_of: datetime.date | None = None) -> dict:
    return json.loads("".join(stream(as_of)))
