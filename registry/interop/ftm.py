"""The registry as FollowTheMoney entities, one JSON object a line: what PEP screening reads (OpenSanctions, yente).

People, bodies (``PublicBody``, or ``Organization`` for party organs and associations), posts (``Position``) and
appointments (``Occupancy``), each citing the documents it rests on (``proof``) with its verbatim quotes (a
``Documentation`` entity each; an occupancy, which FtM's Documentation cannot link, keeps them in its ``summary``).
Plain dicts in FtM's own form, so the app does not carry the followthemoney package; the
tests validate every line with it. docs/ftm.md is the consumers' reference (mapping, ids, the status rule).

Status of an occupancy, on the registry's clock: ``ended`` only after an ``exact`` end; an end that is ``attested`` or
``inferred`` marks the last document showing the holder, not a known end, so it is no ``endDate`` and the status is
``unknown`` (as seats.py and evidence.py read such ends); an open end is ``current`` (the registry records an
appointment as held until a source ends it). A start of any precision is a day the holder held the post (an
attested one may be later than the real start): it is the ``startDate``, and its precision is said in the
``description``.
"""

import datetime
import hashlib
import json
from collections.abc import Iterator

from django.db.models import Prefetch
from django.utils import translation

from registry import clock
from registry.choices import DatePrecision, DocumentKind, Honorific, OrganizationClassification, OtherNameKind
from registry.models import Appointment, Citation, Document, Identifier, Organization, OtherName, Person, Post

PREFIX = "hcmc-registry"
COUNTRY = "vn"
LANGUAGE = "vie"  # ISO 639-3, as FtM's language type writes it
CHUNK = 500
#: Bodies that are not organs of the state: the Party's organs and associations.
NOT_PUBLIC = (OrganizationClassification.PARTY_BODY, OrganizationClassification.ASSOCIATION)
GENDER = {Honorific.ONG: "male", Honorific.BA: "female"}
TITLE = {Honorific.ONG: "Ông", Honorific.BA: "Bà"}
#: The registry's models whose citations are exported (the documents they cite come with them).
CITING_MODELS = ("person", "organization", "post", "appointment")
SHOWN = (DatePrecision.ATTESTED, DatePrecision.INFERRED)
MEANINGS = {
    DatePrecision.ATTESTED: "a source shows the body in existence that day",
    DatePrecision.INFERRED: "no source prints it; derived as the note says",
}


def entity_id(kind: str, key: str) -> str:
    return f"{PREFIX}-{kind}-{key}"


def _hashed(kind: str, *parts: str) -> str:
    """An id from a natural key too long (or too free, like a quote) for an FtM id: stable, as the key is."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]
    return entity_id(kind, digest)


def person_id(p: Person) -> str:
    return entity_id("person", p.slug)


def organization_id(o: Organization) -> str:
    return entity_id("organization", o.slug)


def position_id(p: Post) -> str:
    return entity_id("position", p.slug)


def document_id(d: Document) -> str:
    return entity_id("document", d.slug)


def occupancy_id(a: Appointment) -> str:
    """From the appointment's natural key (person, post, start), as the Popolo export's membership id."""
    return _hashed("occupancy", a.person.slug, a.post.slug, a.start_date.isoformat())


def _day(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _entity(schema: str, entity: str, properties: dict) -> dict:
    """FtM's form: every property a list of strings, empty values and repeats left out, properties in name order."""
    cleaned = {}
    for name in sorted(properties):
        values = properties[name]
        values = values if isinstance(values, list | tuple) else [values]
        kept = list(dict.fromkeys(v for v in values if v not in (None, "")))
        if kept:
            cleaned[name] = kept
    return {"id": entity, "schema": schema, "properties": cleaned}


def _citations(record) -> list:
    return sorted(record.ftm_sources, key=lambda c: (c.document.slug, c.field, c.quote))


def _proof(record) -> list[str]:
    return sorted({document_id(c.document) for c in record.ftm_sources})


def documentation(record_id: str, record) -> Iterator[dict]:
    """One ``Documentation`` per citation of a Thing (a person, a body, a position): the document, the verbatim
    quote, the field it supports."""
    for c in _citations(record):
        yield _entity(
            "Documentation",
            _hashed("documentation", record_id, c.document.slug, c.field, c.quote),
            {
                "entity": record_id,
                "document": document_id(c.document),
                "summary": c.quote,
                "role": c.field or "record",
            },
        )


def _names(record) -> dict[str, list[str]]:
    """Other names by FtM property: former names are ``previousName``, abbreviations ``abbreviation`` and
    ``weakAlias`` (too short to match on alone), translations, transliterations and alternates ``alias``."""
    names = {"previousName": [], "abbreviation": [], "weakAlias": [], "alias": []}
    for other in sorted(record.ftm_other_names, key=lambda n: (n.name, n.kind)):
        if other.kind == OtherNameKind.FORMER:
            names["previousName"].append(other.name)
        elif other.kind == OtherNameKind.ABBREVIATION:
            names["abbreviation"].append(other.name)
            names["weakAlias"].append(other.name)
        else:
            names["alias"].append(other.name)
    return names


def _wikidata(record) -> list[str]:
    return sorted(i.identifier for i in record.ftm_identifiers if i.scheme == "wikidata")


def classification_label(value: str) -> str:
    """The kind of body in English (the API's language), whatever language the request or command runs in."""
    with translation.override("en"):
        return str(OrganizationClassification(value).label)


def _exact(day: datetime.date | None, precision: str) -> str | None:
    """A date FtM may carry: only an exact one (FtM dates say nothing of precision)."""
    return _day(day) if precision == DatePrecision.EXACT else None


def _bound(what: str, day: datetime.date | None, precision: str) -> str | None:
    """An inexact date in words, where leaving it out of the date property would lose it."""
    if day is None or precision == DatePrecision.EXACT:
        return None
    meaning = MEANINGS[precision]
    return f"{what} date {day} is {precision} ({meaning}), not a known date."


def organization_entity(o: Organization) -> dict:
    names = _names(o)
    return _entity(
        "Organization" if o.classification in NOT_PUBLIC else "PublicBody",
        organization_id(o),
        {
            "name": o.name,
            "alias": [o.name_en, *names["alias"]],
            "abbreviation": [o.abbreviation, *names["abbreviation"]],
            "weakAlias": [o.abbreviation, *names["weakAlias"]],
            "previousName": names["previousName"],
            "classification": classification_label(o.classification),
            "parent": organization_id(o.parent) if o.parent_id else None,
            "incorporationDate": _exact(o.founding_date, o.founding_date_precision),
            "dissolutionDate": _exact(o.dissolution_date, o.dissolution_date_precision),
            "country": COUNTRY,
            "jurisdiction": COUNTRY,
            "notes": [
                _bound("Founding", o.founding_date, o.founding_date_precision),
                _bound("Dissolution", o.dissolution_date, o.dissolution_date_precision),
                o.note,
            ],
            "wikidataId": _wikidata(o),
            "proof": _proof(o),
        },
    )


def middle_name(p: Person) -> str | None:
    """The words between the family name (họ, first) and the given name (tên, last): "Tá Hoàng" in "Bùi Tá Hoàng
    Vũ"; None when the name is not written that way."""
    if not (p.family_name and p.given_name):
        return None
    words, family, given = p.name.split(), p.family_name.split(), p.given_name.split()
    if len(words) <= len(family) + len(given) or words[: len(family)] != family or words[-len(given) :] != given:
        return None
    return " ".join(words[len(family) : -len(given)])


def position_name(post: Post) -> str:
    """The post in Vietnamese with its body (and portfolio): "Trưởng ban, Ban Chỉ đạo …" (the post's own label)."""
    return str(post)


def position_name_en(post: Post) -> str | None:
    """The English form, only where the data has every part of it in English."""
    if not (post.label_en and post.organization.name_en):
        return None
    if post.portfolio_id and not post.portfolio.name_en:
        return None
    suffix = f" ({post.portfolio.name_en})" if post.portfolio_id else ""
    return f"{post.label_en}, {post.organization.name_en}{suffix}"


def person_entity(p: Person) -> dict:
    names = _names(p)
    posts = [a.post for a in p.ftm_appointments]
    return _entity(
        "Person",
        person_id(p),
        {
            "name": p.name,
            "firstName": p.given_name,
            "lastName": p.family_name,
            "middleName": middle_name(p),
            "title": TITLE.get(p.honorific),
            # ông and bà are the sources' own forms of address, and each says which.
            "gender": GENDER.get(p.honorific),
            **names,
            "position": sorted({position_name(post) for post in posts}),
            # Every post in the registry is a public office (the state's or the Party's): whoever held one is a PEP.
            "topics": "role.pep" if posts else None,
            "country": COUNTRY,
            "wikidataId": _wikidata(p),
            "proof": _proof(p),
        },
    )


def position_entity(p: Post) -> dict:
    return _entity(
        "Position",
        position_id(p),
        {
            "name": position_name(p),
            "alias": position_name_en(p),
            "organization": organization_id(p.organization),
            "numberOfSeats": str(p.seats) if p.seats is not None else None,
            "country": COUNTRY,
            "proof": _proof(p),
        },
    )


def occupancy_status(a: Appointment, today: datetime.date) -> str:
    """current, ended or unknown on ``today`` (the module's docstring gives the rule)."""
    if a.start_date > today:
        return "unknown"  # not held yet: FtM has no status for an appointment to come
    if a.end_date is None or a.end_date >= today:
        return "current"
    return "unknown" if a.end_date_precision in SHOWN else "ended"


def _dates_said(a: Appointment) -> list[str]:
    """What the dates mean, in words (FtM dates carry no precision)."""
    said = []
    if a.start_date_precision != DatePrecision.EXACT:
        said.append(
            f"Start {a.start_date_precision}: {a.start_date} is the earliest day the sources show the holder in "
            "post; the appointment may have started earlier."
        )
    if a.end_date is not None and a.end_date_precision in SHOWN:
        said.append(
            f"Last shown in post on {a.end_date} ({a.end_date_precision}); no source states an end, so there is "
            "no endDate."
        )
    if a.end_reason:
        said.append(f"End reason: {a.end_reason}")
    if a.leaves_vacant:
        said.append("A source states the seat stayed empty after this end.")
    return said


def occupancy_entity(a: Appointment, today: datetime.date) -> dict:
    known_end = a.end_date if a.end_date_precision not in SHOWN else None
    return _entity(
        "Occupancy",
        occupancy_id(a),
        {
            "holder": person_id(a.person),
            "post": position_id(a.post),
            "startDate": _day(a.start_date),
            "endDate": _day(known_end),
            "status": occupancy_status(a, today),
            "description": [*_dates_said(a), a.note],
            # FtM's Documentation links a Thing, which an Occupancy (an Interval) is not: its quotes are its own.
            "summary": [f"{document_id(c.document)}: “{c.quote}”" for c in _citations(a)],
            "proof": _proof(a),
        },
    )


def document_entity(d: Document) -> dict:
    """A news article is FtM's ``Article``; an instrument a ``Document``. The registry keeps no original URL, and no
    file of an instrument: ``fileName`` is the seeded article's file only."""
    return _entity(
        "Article" if d.kind == DocumentKind.ARTICLE else "Document",
        document_id(d),
        {
            "name": str(d),
            "title": [d.title, d.title_en],
            "date": _exact(d.date, d.date_precision),
            "publishedAt": _exact(d.published_on, d.date_precision),
            "author": d.author,
            "publisher": d.publisher,
            "fileName": d.file_name,
            "notes": d.date_note,
            "language": LANGUAGE,
            "country": COUNTRY,
        },
    )


def sources() -> Prefetch:
    """The record's citations and the key of each one's document, as a list: a prefetch into an attribute skips
    building a filtered queryset per record, and the columns left unread their conversion (most of the export's time
    at national scale)."""
    columns = ("content_type_id", "object_id", "quote", "field", "document__slug")
    citations = Citation.objects.select_related("document").only(*columns)
    return Prefetch("sources", queryset=citations, to_attr="ftm_sources")


def _querysets() -> list:
    """Each kind's records in a stable order, with what their entities show prefetched; the function making the
    entity, and whether its citations become Documentation entities."""
    named = (
        Prefetch("identifiers", queryset=Identifier.objects.all(), to_attr="ftm_identifiers"),
        Prefetch("other_names", queryset=OtherName.objects.all(), to_attr="ftm_other_names"),
        sources(),
    )
    held = Appointment.objects.select_related("post__organization", "post__portfolio").order_by("post__slug", "id")
    return [
        (
            Document.objects.filter(
                citations__content_type__app_label="registry", citations__content_type__model__in=CITING_MODELS
            )
            .distinct()
            .defer("text")
            .order_by("slug"),
            document_entity,
            False,
        ),
        (
            Organization.objects.select_related("parent").prefetch_related(*named).order_by("slug"),
            organization_entity,
            True,
        ),
        (
            Person.objects.prefetch_related(
                *named, Prefetch("appointments", queryset=held, to_attr="ftm_appointments")
            ).order_by("slug"),
            person_entity,
            True,
        ),
        (
            Post.objects.select_related("organization", "portfolio").prefetch_related(sources()).order_by("slug"),
            position_entity,
            True,
        ),
        (
            Appointment.objects.select_related("person", "post")
            .prefetch_related(sources())
            .order_by("person__slug", "post__slug", "start_date", "id"),
            occupancy_entity,
            False,
        ),
    ]


def entities(today: datetime.date | None = None) -> Iterator[dict]:
    """Every entity, in a stable order: documents, bodies, people, positions, occupancies, each record followed by
    the Documentation of its quotes (``CHUNK`` rows and their prefetches per query)."""
    today = today or clock.today()
    for queryset, shape, documented in _querysets():
        for record in queryset.iterator(chunk_size=CHUNK):
            entity = shape(record, today) if shape is occupancy_entity else shape(record)
            yield entity
            if documented:
                yield from documentation(entity["id"], record)


def stream(today: datetime.date | None = None) -> Iterator[str]:
    """FtM JSON lines: one entity a line, keys in a fixed order, UTF-8 as written (Vietnamese unescaped)."""
    for entity in entities(today):
        yield json.dumps(entity, ensure_ascii=False, separators=(",", ":")) + "\n"
