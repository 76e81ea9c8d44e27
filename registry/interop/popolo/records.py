"""Each registry record as Popolo writes it: Popolo's properties first, then the registry's documented extensions.

Ids are stable natural keys, not database ids: ``organization/<slug>``, ``person/<slug>``, ``post/<slug>``,
``membership/<person>/<post>/<start_date>``, ``portfolio/<slug>``, ``document/<slug>``,
``relationship/<subject>/<kind>/<object>``. Empty values are left out.
"""

import datetime

from django.utils import translation

from registry.choices import Honorific, PostRole
from registry.models.documents import Document
from registry.models.events import Event, EventAppearance
from registry.models.identifiers import Identifier, OtherName
from registry.models.organizations import Organization, OrganizationRelationship
from registry.models.people import Person
from registry.models.posts import Appointment, Portfolio, Post
from registry.selectors import evidence

HONORIFIC_PREFIX = {Honorific.ONG: "Ông", Honorific.BA: "Bà"}


def iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def clean(data: dict) -> dict:
    """Leave out empty values (None, "", []): absent means empty, on export and on import alike."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def document_url(slug: str) -> str:
    """An absolute URI naming a document (Popolo's link needs a URI; the API path depends on the host)."""
    return f"urn:hcmc-registry:document:{slug}"


def _sources(record) -> list[dict]:
    return [
        clean(
            {
                "url": document_url(citation.document.slug),
                "note": citation.document.title,
                "document_id": f"document/{citation.document.slug}",
                "quote": citation.quote,
                "field": citation.field,
            }
        )
        for citation in sorted(record.sources.all(), key=lambda c: (c.document.slug, c.field, c.quote))
    ]


def _fields(record, names) -> dict:
    """The named fields of a record as Popolo writes them (dates in ISO 8601), empty ones left out."""
    values = {name: getattr(record, name) for name in names}
    return clean({name: iso(v) if isinstance(v, datetime.date) else v for name, v in values.items()})


def _identifiers(record) -> list[dict]:
    items = sorted(record.identifiers.all(), key=lambda i: (i.scheme, i.identifier))
    return [_fields(i, Identifier.EDITABLE_FIELDS) for i in items]


def _other_names(record) -> list[dict]:
    items = sorted(record.other_names.all(), key=lambda n: (n.name, n.kind))
    return [_fields(n, OtherName.EDITABLE_FIELDS) for n in items]


def _named(kind: str, record) -> dict:
    """What Popolo says first of a person or an organization: its id, name, other names and identifiers."""
    return {
        "id": f"{kind}/{record.slug}",
        "name": record.name,
        "other_names": _other_names(record),
        "identifiers": _identifiers(record),
    }


def _ref(kind: str, record) -> str | None:
    return f"{kind}/{record.slug}" if record is not None else None


def organization_data(o: Organization) -> dict:
    return clean(
        {
            **_named("organization", o),
            "classification": o.classification,
            "parent_id": _ref("organization", o.parent),
            "founding_date": iso(o.founding_date),
            "dissolution_date": iso(o.dissolution_date),
            "sources": _sources(o),
            # extensions
            "slug": o.slug,
            "name_en": o.name_en,
            "abbreviation": o.abbreviation,
            "founding_date_precision": o.founding_date_precision,
            "dissolution_date_precision": o.dissolution_date_precision,
            "last_confirmed": iso(evidence.last_confirmed_of(o)),
            "legal_basis": sorted(f"document/{d.slug}" for d in o.legal_basis.all()),
            "note": o.note,
            "duties": [
                clean({"order": d.order, "text": d.text, "text_en": d.text_en, "sources": _sources(d)})
                for d in sorted(o.duties.all(), key=lambda d: d.order)
            ],
        }
    )


def person_data(p: Person) -> dict:
    return clean(
        {
            **_named("person", p),
            "family_name": p.family_name,
            "given_name": p.given_name,
            "additional_name": additional_name(p),
            "honorific_prefix": HONORIFIC_PREFIX.get(p.honorific),
            "sources": _sources(p),
            # extensions
            "slug": p.slug,
            "honorific": p.honorific,
        }
    )


def additional_name(p: Person) -> str | None:
    """Popolo's ``additional_name`` for a Vietnamese name: the words between the family name (họ, first) and the given
    name (tên, last), e.g. "Tá Hoàng" in "Bùi Tá Hoàng Vũ"; None when the name is not written that way."""
    if not (p.family_name and p.given_name):
        return None
    words, family, given = p.name.split(), p.family_name.split(), p.given_name.split()
    if len(words) <= len(family) + len(given) or words[: len(family)] != family or words[-len(given) :] != given:
        return None
    return " ".join(words[len(family) : -len(given)])


def post_data(p: Post) -> dict:
    # seats: null (no source says) is a value of its own, unlike a left-out key (one seat, the default)
    return {**_post_data(p), "seats": p.seats}


def _post_data(p: Post) -> dict:
    return clean(
        {
            "id": f"post/{p.slug}",
            "label": p.label,
            "other_label": [p.label_en] if p.label_en else [],
            "role": p.role,
            "organization_id": f"organization/{p.organization.slug}",
            "sources": _sources(p),
            # extensions
            "slug": p.slug,
            "label_en": p.label_en,
            "rank": p.rank,
            "portfolio_id": _ref("portfolio", p.portfolio),
            "standing": p.standing,
            "ex_officio_of_id": _ref("post", p.ex_officio_of),
        }
    )


def membership_id(a: Appointment) -> str:
    return f"membership/{a.person.slug}/{a.post.slug}/{a.start_date.isoformat()}"


def role_label(code: str) -> str | None:
    """A post's role as Popolo's readers show a membership's role: its label in the registry's language
    (Vietnamese); the code itself is the ``role_code`` extension."""
    if not code:
        return None
    with translation.override("vi"):
        return str(PostRole(code).label)


def membership_data(a: Appointment) -> dict:
    return clean(
        {
            "id": membership_id(a),
            "label": a.post.label,
            "role": role_label(a.post.role),
            "person_id": f"person/{a.person.slug}",
            "organization_id": f"organization/{a.post.organization.slug}",
            "post_id": f"post/{a.post.slug}",
            "start_date": iso(a.start_date),
            "end_date": iso(a.end_date),
            "sources": _sources(a),
            # extensions
            "role_code": a.post.role,
            "start_date_precision": a.start_date_precision,
            "end_date_precision": a.end_date_precision,
            "end_reason": a.end_reason,
            # true only: a source states the seat stays empty after this end (false, the default, is left out)
            "leaves_vacant": a.leaves_vacant or None,
            "capacity_id": _ref("post", a.capacity),
            "note": a.note,
            # computed on export, ignored on import (registry/selectors/evidence.py)
            "last_confirmed": iso(evidence.last_confirmed_of(a)),
        }
    )


def portfolio_data(p: Portfolio) -> dict:
    return clean({"id": f"portfolio/{p.slug}", "name": p.name, "name_en": p.name_en, "sources": _sources(p)})


def document_data(d: Document) -> dict:
    return clean(
        {
            "id": f"document/{d.slug}",
            "kind": d.kind,
            "number": d.number,
            "title": d.title,
            "title_en": d.title_en,
            "issuer_id": _ref("organization", d.issuer),
            "issued_on": iso(d.issued_on),
            "published_on": iso(d.published_on),
            "date_precision": d.date_precision,
            "date_note": d.date_note,
            "publisher": d.publisher,
            "author": d.author,
            "file_name": d.file_name,
            "text": d.text,
            "sources": _sources(d),
        }
    )


def relationship_id(r: OrganizationRelationship) -> str:
    return f"relationship/{r.subject.slug}/{r.kind}/{r.object.slug}"


def relationship_data(r: OrganizationRelationship) -> dict:
    return clean(
        {
            "id": relationship_id(r),
            "subject_id": f"organization/{r.subject.slug}",
            "kind": r.kind,
            "object_id": f"organization/{r.object.slug}",
            "start_date": iso(r.start_date),
            "start_date_precision": r.start_date_precision,
            "end_date": iso(r.end_date),
            "end_date_precision": r.end_date_precision,
            "document_id": _ref("document", r.document),
            "description": r.description,
            "description_en": r.description_en,
            "last_confirmed": iso(evidence.last_confirmed_of(r)),
            "sources": _sources(r),
        }
    )


def event_data(e: Event) -> dict:
    """Popolo's event: one ``organization_id`` (the first organiser); every organiser and the people shown there in
    a post (``appearances``: the membership, with the sentence that shows it) are extensions."""
    organizers = sorted(e.organizers.all(), key=lambda o: o.slug)
    return clean(
        {
            "id": f"event/{e.slug}",
            "name": e.name,
            "classification": e.classification,
            "start_date": iso(e.start_date),
            "organization_id": _ref("organization", organizers[0]) if organizers else None,
            "sources": _sources(e),
            # extensions
            "name_en": e.name_en,
            "start_date_precision": e.start_date_precision,
            "organization_ids": [f"organization/{o.slug}" for o in organizers],
            "appearances": [
                clean(
                    {
                        "membership_id": membership_id(a.appointment),
                        "person_id": f"person/{a.appointment.person.slug}",
                        "post_id": f"post/{a.appointment.post.slug}",
                        "note": a.note,
                        "sources": _sources(a),
                    }
                )
                for a in sorted(e.appearances.all(), key=membership_id_of)
            ],
            "note": e.note,
        }
    )


def membership_id_of(appearance: EventAppearance) -> str:
    return membership_id(appearance.appointment)
