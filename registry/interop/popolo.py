"""The whole registry as one Popolo JSON document (export), and a Popolo JSON document into the registry (import).

Popolo 1.0.1 (https://www.popoloproject.com/) has persons, organizations, posts and memberships. The registry says
more, and says it as documented extensions (extra properties, which Popolo's schemas allow) and extra top-level lists;
README "Standards: Popolo, CSV, identifiers, webhooks" lists them. Ids are stable natural keys, not database ids:
``organization/<slug>``, ``person/<slug>``, ``post/<slug>``, ``membership/<person>/<post>/<start_date>``,
``portfolio/<slug>``, ``document/<slug>``, ``relationship/<subject>/<kind>/<object>``. Empty values are left out.

The import writes every record through registry.services (validation, history with the reason, change feed), in one
transaction: a document with any refused record changes nothing, and the report says what was refused and why.
"""

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import Prefetch

from registry import days, services
from registry.choices import Honorific
from registry.interop import popolo_input
from registry.models.documents import Document
from registry.models.events import Event, EventAppearance
from registry.models.identifiers import Identifier, OtherName
from registry.models.organizations import Duty, Organization, OrganizationRelationship
from registry.models.people import Person
from registry.models.posts import Appointment, Portfolio, Post
from registry.selectors import evidence, sources_prefetch
from registry.selectors.evidence import with_last_confirmed
from registry.text import slugify_vi

SCHEMA_DIR = Path(__file__).resolve().parent / "popolo_schemas"
SCHEMA_BASE = "http://www.popoloproject.com/schemas/"
POPOLO_VERSION = "1.0.1"
CHUNK = 500
#: Popolo's classes, the top-level list each sits in, and its schema.
POPOLO_LISTS = {
    "organizations": "organization",
    "persons": "person",
    "posts": "post",
    "memberships": "membership",
    "events": "event",
}
#: The registry's own top-level lists (extensions), in the order an import reads them.
EXTENSION_LISTS = ("portfolios", "documents", "relationships")
HONORIFIC_PREFIX = {Honorific.ONG: "Ông", Honorific.BA: "Bà"}


# --- export -----------------------------------------------------------------------------------------------------------


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _clean(data: dict) -> dict:
    """Leave out empty values (None, "", []): absent means empty, on export and on import alike."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def document_url(slug: str) -> str:
    """An absolute URI naming a document (Popolo's link needs a URI; the API path depends on the host)."""
    return f"urn:hcmc-registry:document:{slug}"


def _sources(record) -> list[dict]:
    return [
        _clean(
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
    return _clean({name: _date(v) if isinstance(v, datetime.date) else v for name, v in values.items()})


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
    return _clean(
        {
            **_named("organization", o),
            "classification": o.classification,
            "parent_id": _ref("organization", o.parent),
            "founding_date": _date(o.founding_date),
            "dissolution_date": _date(o.dissolution_date),
            "sources": _sources(o),
            # extensions
            "slug": o.slug,
            "name_en": o.name_en,
            "abbreviation": o.abbreviation,
            "founding_date_precision": o.founding_date_precision,
            "dissolution_date_precision": o.dissolution_date_precision,
            "last_confirmed": _date(evidence.last_confirmed_of(o)),
            "legal_basis": sorted(f"document/{d.slug}" for d in o.legal_basis.all()),
            "note": o.note,
            "duties": [
                _clean({"order": d.order, "text": d.text, "text_en": d.text_en, "sources": _sources(d)})
                for d in sorted(o.duties.all(), key=lambda d: d.order)
            ],
        }
    )


def person_data(p: Person) -> dict:
    return _clean(
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
    return _clean(
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


def membership_data(a: Appointment) -> dict:
    return _clean(
        {
            "id": membership_id(a),
            "label": a.post.label,
            "role": a.post.role,
            "person_id": f"person/{a.person.slug}",
            "organization_id": f"organization/{a.post.organization.slug}",
            "post_id": f"post/{a.post.slug}",
            "start_date": _date(a.start_date),
            "end_date": _date(a.end_date),
            "sources": _sources(a),
            # extensions
            "start_date_precision": a.start_date_precision,
            "end_date_precision": a.end_date_precision,
            "end_reason": a.end_reason,
            # true only: a source states the seat stays empty after this end (false, the default, is left out)
            "leaves_vacant": a.leaves_vacant or None,
            "capacity_id": _ref("post", a.capacity),
            "note": a.note,
            # computed on export, ignored on import (registry/selectors/evidence.py)
            "last_confirmed": _date(evidence.last_confirmed_of(a)),
        }
    )


def portfolio_data(p: Portfolio) -> dict:
    return _clean({"id": f"portfolio/{p.slug}", "name": p.name, "name_en": p.name_en, "sources": _sources(p)})


def document_data(d: Document) -> dict:
    return _clean(
        {
            "id": f"document/{d.slug}",
            "kind": d.kind,
            "number": d.number,
            "title": d.title,
            "title_en": d.title_en,
            "issuer_id": _ref("organization", d.issuer),
            "issued_on": _date(d.issued_on),
            "published_on": _date(d.published_on),
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
    return _clean(
        {
            "id": relationship_id(r),
            "subject_id": f"organization/{r.subject.slug}",
            "kind": r.kind,
            "object_id": f"organization/{r.object.slug}",
            "start_date": _date(r.start_date),
            "start_date_precision": r.start_date_precision,
            "end_date": _date(r.end_date),
            "end_date_precision": r.end_date_precision,
            "document_id": _ref("document", r.document),
            "description": r.description,
            "description_en": r.description_en,
            "last_confirmed": _date(evidence.last_confirmed_of(r)),
            "sources": _sources(r),
        }
    )


def event_data(e: Event) -> dict:
    """Popolo's event: one ``organization_id`` (the first organiser); every organiser and the people shown there in
    a post (``appearances``: the membership, with the sentence that shows it) are extensions."""
    organizers = sorted(e.organizers.all(), key=lambda o: o.slug)
    return _clean(
        {
            "id": f"event/{e.slug}",
            "name": e.name,
            "classification": e.classification,
            "start_date": _date(e.start_date),
            "organization_id": _ref("organization", organizers[0]) if organizers else None,
            "sources": _sources(e),
            # extensions
            "name_en": e.name_en,
            "start_date_precision": e.start_date_precision,
            "organization_ids": [f"organization/{o.slug}" for o in organizers],
            "appearances": [
                _clean(
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
    return _clean(
        {
            "format": "popolo",
            "popolo_version": POPOLO_VERSION,
            "publisher": "HCMC International Integration Registry",
            "extensions": "README.md, section 'Standards: Popolo, CSV, identifiers, webhooks'",
            "as_of": _date(as_of),
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


# --- validation against the Popolo schemas ------------------------------------------------------------------------


@cache
def _validators() -> dict:
    """A Draft3Validator per Popolo class, its $refs resolved from SCHEMA_DIR (never fetched)."""
    from jsonschema import Draft3Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT3

    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["id"].rstrip("#"), DRAFT3.create_resource(contents)))
    registry = Registry().with_resources(resources)
    schemas = {uri: resource.contents for uri, resource in resources}
    return {
        kind: Draft3Validator(schemas[f"{SCHEMA_BASE}{kind}.json"], registry=registry) for kind in POPOLO_LISTS.values()
    }


def validate(document: dict) -> list[str]:
    """Every way the document's persons, organizations, posts and memberships break their Popolo schema."""
    problems = []
    validators = _validators()
    for name, kind in POPOLO_LISTS.items():
        items = document.get(name, [])
        if not isinstance(items, list):
            problems.append(f"{name}: not a list")
            continue
        for index, item in enumerate(items):
            for error in validators[kind].iter_errors(item):
                where = "/".join(str(part) for part in error.absolute_path)
                problems.append(
                    f"{name}[{index}] ({item.get('id') if isinstance(item, dict) else '?'}) {where}: {error.message}"
                )
    return problems


# --- import -------------------------------------------------------------------------------------------------------


class Refusal(Exception):
    """One record of the document cannot be written: ``errors`` maps fields to messages."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(errors)


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do): record ids by outcome, and each refusal with its reasons."""

    dry_run: bool = False
    created: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0
    refused: list[dict] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        """Whether the registry was changed: not in a dry run, and not when anything was refused."""
        return not self.dry_run and not self.refused

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "applied": self.applied,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": self.refused,
        }


def _messages(error: Exception) -> dict:
    if isinstance(error, Refusal):
        return error.errors
    if isinstance(error, ValidationError):
        return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return {"__all__": [str(error)]}


def _key(value: str, kind: str) -> str:
    """The slug in a Popolo id: ``person/nguyen-van-a`` -> ``nguyen-van-a``; a foreign id is slugified the Vietnamese
    way (Django's slugify alone drops đ: ``Được`` would become ``uoc``)."""
    if not isinstance(value, str) or not value:
        raise Refusal({"id": [f"A {kind} needs a string id."]})
    prefix = f"{kind}/"
    return value[len(prefix) :] if value.startswith(prefix) else slugify_vi(value)


def _day(value, name: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return days.parse_day(value)
    except ValueError as error:
        raise Refusal({name: [f"Expected a date YYYY-MM-DD, got {value!r}."]}) from error


def _flag(value, name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Refusal({name: [f"Expected true or false, got {value!r}."]})
    return value


def _optional_id(item: dict) -> str | None:
    """The id of a membership or relationship, which the registry matches by content: a string, or none at all."""
    popolo_id = item.get("id")
    if popolo_id is not None and not isinstance(popolo_id, str):
        raise Refusal({"id": [f"Expected a string id, got {popolo_id!r}."]})
    return popolo_id


def _listed(item: dict, key: str, name: str | None = None) -> list:
    """The item's list under ``key`` (left out or null: no entries); anything but a list is refused as ``name``."""
    entries = item.get(key)
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise Refusal({name or key: [f"Expected a list, got {entries!r}."]})
    return entries


def _objects(item: dict, key: str, name: str | None = None) -> list[dict]:
    """The item's list of objects under ``key`` (sources, identifiers, other names, duties), each checked to be one,
    so that a stray string or number is refused with its place (``sources.2``) instead of failing the import."""
    name = name or key
    entries = _listed(item, key, name)
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise Refusal({f"{name}.{index}": [f"Expected an object, got {entry!r}."]})
    return entries


class Importer:
    """Reads a Popolo document into the registry through the services; see ``import_document``."""

    def __init__(self, document: dict, *, reason: str, report: ImportReport):
        self.document = document
        self.reason = reason
        self.report = report
        self.found: dict[str, models.Model] = {}  # Popolo id -> record, for the references of later records
        self.fresh: set[str] = set()  # ids of the records this import created (changes to them are no updates)
        self._deferred_sources: list[tuple[dict, str]] = []  # documents cite documents: after all are read
        # The records already in the registry that the file names, by record (a membership may have no id): each is
        # counted once at the end, as unchanged unless the report has it as updated.
        self.matched: dict[tuple[type, object], str] = {}

    # -- the steps, in an order that lets every reference resolve ----------------------------------------------

    def run(self) -> None:
        organizations = self._items("organizations")
        for item in organizations:
            self._step(item, lambda item: self._organization(item, first_pass=True))
        for item in self._items("documents"):
            self._step(item, self._document)
        self.document_sources()
        for item in self._items("portfolios"):
            self._step(item, self._portfolio)
        for item in organizations:
            self._step(item, lambda item: self._organization(item, first_pass=False))
        for item in self._items("persons"):
            self._step(item, self._person)
        posts = self._items("posts")
        for item in posts:
            self._step(item, lambda item: self._post(item, first_pass=True))
        for item in posts:
            self._step(item, lambda item: self._post(item, first_pass=False))
        for item in self._items("memberships"):
            self._step(item, self._membership)
        for item in self._items("relationships"):
            self._step(item, self._relationship)
        for item in self._items("events"):
            self._step(item, self._event)
        self.report.unchanged = self._unchanged()

    def _unchanged(self) -> int:
        """The records already in the registry that nothing in the file changed (counted once, after every pass:
        a record's sources, names, identifiers, duties and second-pass references are changes to it too)."""
        refused = {refusal["id"] for refusal in self.report.refused if isinstance(refusal["id"], str)}
        return sum(
            1
            for popolo_id in self.matched.values()
            if popolo_id not in self.report.updated and popolo_id not in refused
        )

    def _items(self, name: str) -> list[dict]:
        items = self.document.get(name, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            self.report.refused.append({"id": name, "errors": {"__all__": [f"{name} must be a list of objects."]}})
            return []
        return items

    def _step(self, item: dict, write) -> None:
        """One record in a savepoint: refused alone, so every refusal of the document is reported at once."""
        # No ProtectedError to catch: an import creates and updates, it never deletes.
        try:
            with transaction.atomic():
                write(item)
        except (Refusal, ValidationError, ObjectDoesNotExist, services.PreconditionFailed, ValueError) as error:
            self.report.refused.append({"id": item.get("id"), "errors": _messages(error)})

    def _ref(self, value, kind: str, model: type[models.Model], name: str):
        """The record a reference names: one this import has seen, or one already in the registry."""
        if value is MISSING:
            return MISSING
        if value in (None, ""):
            return None
        if not isinstance(value, str):  # checked first: a dict or a list cannot even be looked up in self.found
            raise Refusal({name: [f"Expected a string id like '{kind}/<slug>', got {value!r}."]})
        if value in self.found:
            return self.found[value]
        try:
            return model.objects.get(slug=_key(value, kind))
        except model.DoesNotExist as error:
            raise Refusal({name: [f"Unknown {kind} {value!r}."]}) from error

    # -- writing one record --------------------------------------------------------------------------------------

    def _upsert(self, popolo_id: str, model, existing, values: dict, *, sources=(), count: bool = True):
        """Create the record, or change the fields that differ; then its sources. ``count``: the pass that first
        meets the record (a second pass only resolves references to records of the file)."""
        cited = (
            self._source_values(sources) if existing is None and getattr(model, "created_with_sources", False) else []
        )
        record, changes = self._save(model, existing, values, cited)
        if existing is None:
            self.fresh.add(popolo_id)
            if count:
                self.report.created.append(popolo_id)
        elif count:
            self.matched[(model, record.pk)] = popolo_id
        self._updated(popolo_id, changes)
        self.found[popolo_id] = record
        if self._sources(record, sources):
            self._updated(popolo_id, ["sources"])
        return record

    def _save(self, model, existing, values: dict, sources: list = ()) -> tuple[models.Model, list[str]]:
        """Create the record (with ``sources``), or change the fields that differ: the record and the changed
        fields' names."""
        values = _resolve(model, values, creating=existing is None)
        if existing is None:
            record = services.record_create(model=model, values=values, reason=self.reason, sources=sources)
            return record, sorted(values)
        changes = {name: value for name, value in values.items() if _differs(existing, name, value)}
        if not changes:
            return existing, []
        return services.record_update(instance=existing, changes=changes, reason=self.reason), sorted(changes)

    def _updated(self, popolo_id: str, what: list[str]) -> None:
        """Report ``what`` changed on a record already in the registry (all of a record this import created is new)."""
        if what and popolo_id not in self.fresh:
            self.report.updated.setdefault(popolo_id, []).extend(what)

    def _source_values(self, sources: list[dict]) -> list[dict]:
        """The item's sources as the services take them."""
        values = []
        for index, source in enumerate(sources):
            document = self._ref(source.get("document_id"), "document", Document, f"sources.{index}.document_id")
            if document is None:
                raise Refusal({f"sources.{index}": ["A source needs the registry's document_id extension."]})
            quote = source.get("quote") or source.get("note") or ""
            values.append({"document": document, "quote": quote, "field": source.get("field", "")})
        return values

    def _sources(self, record, sources: list[dict]) -> bool:
        """Cite the sources the record does not cite yet; whether there were any."""
        new = [
            source
            for source in self._source_values(sources)
            if not record.sources.filter(document=source["document"], quote=source["quote"]).exists()
        ]
        if new:
            services.citations_add(record=record, sources=new, reason=self.reason)
        return bool(new)

    def _names_and_identifiers(self, record, item: dict, popolo_id: str) -> None:
        content_type = ContentType.objects.get_for_model(record)
        owner = {"content_type": content_type, "object_id": record.pk}
        for entry in _objects(item, "identifiers"):
            scheme, identifier = entry.get("scheme") or "", entry.get("identifier") or ""
            existing = Identifier.objects.filter(**owner, scheme=scheme, identifier=identifier).first()
            values = {**owner, "scheme": scheme, "identifier": identifier, "note": entry.get("note", "")}
            self._owned(popolo_id, "identifiers", Identifier, existing, values)
        for entry in _objects(item, "other_names"):
            name, kind = entry.get("name") or "", entry.get("kind") or "alternate"
            existing = OtherName.objects.filter(**owner, name=name, kind=kind).first()
            values = {
                **owner,
                "name": name,
                "kind": kind,
                "language": entry.get("language", ""),
                "start_date": _day(entry.get("start_date"), "other_names.start_date"),
                "start_date_precision": entry.get("start_date_precision", ""),
                "end_date": _day(entry.get("end_date"), "other_names.end_date"),
                "end_date_precision": entry.get("end_date_precision", ""),
                "note": entry.get("note", ""),
            }
            if values["start_date"] and not values["start_date_precision"]:
                values["start_date_precision"] = "exact"
            if values["end_date"] and not values["end_date_precision"]:
                values["end_date_precision"] = "exact"
            self._owned(popolo_id, "other_names", OtherName, existing, values)

    def _owned(self, popolo_id: str, what: str, model, existing, values: dict) -> None:
        """An identifier or other name of the record: its changes are reported as changes of the record."""
        try:
            _, changes = self._save(model, existing, values)
        except ValidationError as error:
            raise Refusal({f"{what}.{name}": messages for name, messages in _messages(error).items()}) from error
        if changes:
            self._updated(popolo_id, [what])

    def _match(self, model, kind: str, item: dict):
        """An existing record: by any of the item's identifiers first, else by slug."""
        content_type = ContentType.objects.get_for_model(model)
        for entry in _objects(item, "identifiers"):
            found = Identifier.objects.filter(
                content_type=content_type, scheme=entry.get("scheme") or "", identifier=entry.get("identifier") or ""
            ).first()
            if found is not None:
                return model.objects.get(pk=found.object_id)
        return model.objects.filter(slug=item.get("slug") or _key(item.get("id"), kind)).first()

    # -- each kind of record ---------------------------------------------------------------------------------------

    def _organization(self, item: dict, *, first_pass: bool) -> None:
        popolo_id = item.get("id")
        if first_pass:
            existing = self._match(Organization, "organization", item)
            values = {
                "slug": existing.slug if existing else item.get("slug") or _key(popolo_id, "organization"),
                "name": _opt(item, "name"),
                "name_en": _opt(item, "name_en"),
                "abbreviation": _opt(item, "abbreviation"),
                "classification": _opt(item, "classification"),
                "founding_date": _opt(item, "founding_date", _day),
                "founding_date_precision": _opt(item, "founding_date_precision"),
                "dissolution_date": _opt(item, "dissolution_date", _day),
                "dissolution_date_precision": _opt(item, "dissolution_date_precision"),
                "note": _opt(item, "note"),
            }
            _default_precisions(values, ("founding_date", "dissolution_date"))
            record = self._upsert(popolo_id, Organization, existing, values)
            self._names_and_identifiers(record, item, popolo_id)
            return
        record = self.found.get(popolo_id)
        if record is None:
            return  # refused in the first pass, already reported
        record.refresh_from_db()
        legal_basis = MISSING
        if "legal_basis" in item:
            legal_basis = [
                self._ref(ref, "document", Document, f"legal_basis.{i}")
                for i, ref in enumerate(_listed(item, "legal_basis"))
            ]
        values = {
            "parent": self._ref(item.get("parent_id", MISSING), "organization", Organization, "parent_id"),
            "legal_basis": legal_basis,
        }
        self._upsert(popolo_id, Organization, record, values, sources=_objects(item, "sources"), count=False)
        for index, duty in enumerate(_objects(item, "duties")):
            self._duty(record, popolo_id, duty, f"duties.{index}")

    def _duty(self, organization: Organization, popolo_id: str, duty: dict, name: str) -> None:
        """One duty, matched by its order; a duty has no Popolo id, so its changes are its organization's."""
        existing = Duty.objects.filter(organization=organization, order=duty.get("order")).first()
        values = {
            "organization": organization,
            "order": duty.get("order"),
            "text": _opt(duty, "text"),
            "text_en": _opt(duty, "text_en"),
        }
        record, changes = self._save(Duty, existing, values)
        cited = self._sources(record, _objects(duty, "sources", f"{name}.sources"))
        if changes or cited:
            self._updated(popolo_id, ["duties"])

    def _portfolio(self, item: dict) -> None:
        popolo_id = item.get("id")
        existing = Portfolio.objects.filter(slug=_key(popolo_id, "portfolio")).first()
        values = {
            "slug": _key(popolo_id, "portfolio"),
            "name": _opt(item, "name"),
            "name_en": _opt(item, "name_en"),
        }
        self._upsert(popolo_id, Portfolio, existing, values, sources=_objects(item, "sources"))

    def _document(self, item: dict) -> None:
        popolo_id = item.get("id")
        slug = _key(popolo_id, "document")
        existing = Document.objects.filter(slug=slug).first()
        values = {
            "slug": slug,
            "kind": _opt(item, "kind"),
            "number": _opt(item, "number"),
            "title": _opt(item, "title"),
            "title_en": _opt(item, "title_en"),
            "issuer": self._ref(item.get("issuer_id", MISSING), "organization", Organization, "issuer_id"),
            "issued_on": _opt(item, "issued_on", _day),
            "published_on": _opt(item, "published_on", _day),
            "date_precision": _opt(item, "date_precision"),
            "date_note": _opt(item, "date_note"),
            "publisher": _opt(item, "publisher"),
            "author": _opt(item, "author"),
            "file_name": _opt(item, "file_name"),
            "text": _opt(item, "text"),
        }
        # Sources of documents cite other documents: read after all documents exist (second loop below).
        self._upsert(popolo_id, Document, existing, values)
        self._deferred_sources.append((item, popolo_id))

    def _person(self, item: dict) -> None:
        popolo_id = item.get("id")
        existing = self._match(Person, "person", item)
        if "honorific" in item:
            honorific = _opt(item, "honorific")
        elif "honorific_prefix" in item:
            honorific = {prefix: code for code, prefix in HONORIFIC_PREFIX.items()}.get(item["honorific_prefix"], "")
        else:
            honorific = MISSING
        values = {
            "slug": existing.slug if existing else item.get("slug") or _key(popolo_id, "person"),
            "name": _opt(item, "name"),
            "family_name": _opt(item, "family_name"),
            "given_name": _opt(item, "given_name"),
            "honorific": honorific,
        }
        record = self._upsert(popolo_id, Person, existing, values, sources=_objects(item, "sources"))
        self._names_and_identifiers(record, item, popolo_id)

    def _post(self, item: dict, *, first_pass: bool) -> None:
        popolo_id = item.get("id")
        if not first_pass:
            record = self.found.get(popolo_id)
            if record is not None:
                record.refresh_from_db()
                target = self._ref(item.get("ex_officio_of_id", MISSING), "post", Post, "ex_officio_of_id")
                self._upsert(popolo_id, Post, record, {"ex_officio_of": target}, count=False)
            return
        slug = item.get("slug") or _key(popolo_id, "post")
        existing = Post.objects.filter(slug=slug).first()
        organization = self._ref(item.get("organization_id", MISSING), "organization", Organization, "organization_id")
        if existing is None and organization in (MISSING, None):
            raise Refusal({"organization_id": ["A new post needs an organization_id."]})
        values = {
            "slug": slug,
            "organization": organization,
            "label": _opt(item, "label"),
            "label_en": _opt(item, "label_en")
            if "label_en" in item or "other_label" not in item
            else next(iter(_listed(item, "other_label")), ""),
            "role": _opt(item, "role"),
            "rank": _opt(item, "rank"),
            "seats": _opt(item, "seats"),
            "portfolio": self._ref(item.get("portfolio_id", MISSING), "portfolio", Portfolio, "portfolio_id"),
            "standing": _opt(item, "standing"),
        }
        self._upsert(popolo_id, Post, existing, values, sources=_objects(item, "sources"))

    def _membership(self, item: dict) -> None:
        popolo_id = _optional_id(item)
        person = self._ref(item.get("person_id"), "person", Person, "person_id")
        post = self._ref(item.get("post_id"), "post", Post, "post_id")
        if person is None or post is None:
            raise Refusal(
                {"post_id": ["A membership needs a person_id and a post_id (the registry appoints to posts)."]}
            )
        start = _day(item.get("start_date"), "start_date")
        if start is None:
            raise Refusal({"start_date": ["A membership needs a start_date."]})
        existing = Appointment.objects.filter(person=person, post=post, start_date=start).first()
        values = {
            "start_date_precision": _opt(item, "start_date_precision"),
            "capacity": self._ref(item.get("capacity_id", MISSING), "post", Post, "capacity_id"),
            "end_date": _opt(item, "end_date", _day),
            "end_date_precision": _opt(item, "end_date_precision"),
            "end_reason": _opt(item, "end_reason"),
            "leaves_vacant": _opt(item, "leaves_vacant", _flag),
            "note": _opt(item, "note"),
        }
        _default_precisions(values, ("end_date",))
        if existing is None:
            values.update(person=person, post=post, start_date=start)
        self._upsert(popolo_id, Appointment, existing, values, sources=_objects(item, "sources"))

    def _relationship(self, item: dict) -> None:
        popolo_id = _optional_id(item)
        subject = self._ref(item.get("subject_id"), "organization", Organization, "subject_id")
        target = self._ref(item.get("object_id"), "organization", Organization, "object_id")
        kind = item.get("kind") or ""
        existing = OrganizationRelationship.objects.filter(subject=subject, object=target, kind=kind).first()
        values = {
            "subject": subject,
            "object": target,
            "kind": kind,
            "start_date": _opt(item, "start_date", _day),
            "start_date_precision": _opt(item, "start_date_precision"),
            "end_date": _opt(item, "end_date", _day),
            "end_date_precision": _opt(item, "end_date_precision"),
            "document": self._ref(item.get("document_id", MISSING), "document", Document, "document_id"),
            "description": _opt(item, "description"),
            "description_en": _opt(item, "description_en"),
        }
        _default_precisions(values, ("start_date", "end_date"))
        self._upsert(popolo_id, OrganizationRelationship, existing, values, sources=_objects(item, "sources"))

    def _event(self, item: dict) -> None:
        """An event: its organisers (``organization_ids``, else Popolo's one ``organization_id``) and the people it
        shows in a post (``appearances``, each naming a membership of the file or of the registry)."""
        popolo_id = item.get("id")
        slug = item.get("slug") or _key(popolo_id, "event")
        existing = Event.objects.filter(slug=slug).first()
        named = _listed(item, "organization_ids") or ([item["organization_id"]] if item.get("organization_id") else [])
        organizers = [
            self._ref(value, "organization", Organization, f"organization_ids.{index}")
            for index, value in enumerate(named)
        ]
        values = {
            "slug": slug,
            "name": _opt(item, "name"),
            "name_en": _opt(item, "name_en"),
            "classification": _opt(item, "classification"),
            "start_date": _opt(item, "start_date", _day),
            "start_date_precision": _opt(item, "start_date_precision"),
            "organizers": organizers if "organization_ids" in item or "organization_id" in item else MISSING,
            "note": _opt(item, "note"),
        }
        _default_precisions(values, ("start_date",))
        event = self._upsert(popolo_id, Event, existing, values, sources=_objects(item, "sources"))
        for index, entry in enumerate(_objects(item, "appearances")):
            self._appearance(event, popolo_id, entry, f"appearances.{index}")

    def _appearance(self, event: Event, popolo_id: str, entry: dict, name: str) -> None:
        membership = entry.get("membership_id")
        appointment = self.found.get(membership) if isinstance(membership, str) else None
        if appointment is None and isinstance(membership, str) and membership.count("/") == 3:
            _, person, post, start = membership.split("/")  # one already in the registry: membership/<p>/<post>/<day>
            appointment = Appointment.objects.filter(person__slug=person, post__slug=post, start_date=start).first()
        if not isinstance(appointment, Appointment):
            raise Refusal({f"{name}.membership_id": [f"Unknown membership {entry.get('membership_id')!r}."]})
        existing = EventAppearance.objects.filter(event=event, appointment=appointment).first()
        values = {"event": event, "appointment": appointment, "note": _opt(entry, "note")}
        try:
            record, changes = self._save(EventAppearance, existing, values)
            new_sources = self._sources(record, _objects(entry, "sources"))
        except ValidationError as error:
            raise Refusal({f"{name}.{key}": messages for key, messages in _messages(error).items()}) from error
        if changes or new_sources:
            self._updated(popolo_id, ["appearances"])

    def document_sources(self) -> None:
        """The sources of documents, once every document of the file exists."""
        for item, popolo_id in self._deferred_sources:
            if popolo_id in self.found:
                self._step(item, lambda item, pid=popolo_id: self._document_sources(item, pid))

    def _document_sources(self, item: dict, popolo_id: str) -> None:
        """A document's sources, reported as a change of the document when any is new."""
        if self._sources(self.found[popolo_id], _objects(item, "sources")):
            self._updated(popolo_id, ["sources"])


MISSING = object()


def _opt(item: dict, key: str, convert=None):
    """The item's value for ``key``, converted; MISSING when the key is left out (the field then stays as it is)."""
    if key not in item:
        return MISSING
    value = item[key]
    if convert is not None:
        return convert(value, key)
    return "" if value is None and key not in NULLABLE else value


#: Keys whose null is a value of its own (not the empty string).
NULLABLE = {"seats"}


def _default_precisions(values: dict, dates) -> None:
    """A date given without its precision is exact (as everywhere in the registry)."""
    for name in dates:
        if values.get(name) not in (None, MISSING) and values.get(f"{name}_precision") in (None, "", MISSING):
            values[f"{name}_precision"] = "exact"


def _resolve(model, values: dict, *, creating: bool) -> dict:
    """For a new record a left-out key takes the field's default; for an existing one it is not changed."""
    if not creating:
        return {name: value for name, value in values.items() if value is not MISSING}
    return {
        name: (model._meta.get_field(name).get_default() if value is MISSING else value)
        for name, value in values.items()
    }


def _differs(record, name: str, value) -> bool:
    model_field = record._meta.get_field(name)
    if model_field.many_to_many:
        return {item.pk for item in getattr(record, name).all()} != {item.pk for item in value}
    current = getattr(record, model_field.attname)
    wanted = value.pk if isinstance(value, models.Model) else value
    return current != wanted


def import_document(document: dict, *, dry_run: bool = False, reason: str = "Popolo import") -> ImportReport:
    """Import ``document`` in one transaction: applied only when nothing is refused and it is not a dry run."""
    report = ImportReport(dry_run=dry_run)
    if not isinstance(document, dict):
        report.refused.append({"id": None, "errors": {"__all__": ["A Popolo document is a JSON object."]}})
        return report
    # Refused as a whole before the transaction (and so before any lock): too many records, one id twice.
    report.refused.extend(popolo_input.refusals(document))
    if report.refused:
        return report
    importer = Importer(document, reason=reason, report=report)
    with transaction.atomic():
        importer.run()
        if not report.applied:
            transaction.set_rollback(True)
    return report
