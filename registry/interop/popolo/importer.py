"""A Popolo JSON document into the registry, every record through registry.services, in one transaction.

A document with any refused record changes nothing, and the report says what was refused and why. The records are
read in an order that lets every reference resolve: organizations, documents (then their sources, which cite other
documents), portfolios, organizations' references, persons, posts (twice: a post may be ex officio of a later one),
memberships, relationships and events.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from registry.interop.popolo.reading import refusals
from registry.interop.popolo.records import HONORIFIC_PREFIX
from registry.interop.popolo.values import (
    MISSING,
    Refusal,
    day,
    default_precisions,
    flag,
    listed,
    objects_in,
    opt,
    optional_id,
    slug_of,
)
from registry.interop.popolo.writing import ImportReport, RecordWriter, messages_of
from registry.models.documents import Document
from registry.models.events import Event, EventAppearance
from registry.models.organizations import Duty, Organization, OrganizationRelationship
from registry.models.people import Person
from registry.models.posts import Appointment, Portfolio, Post


class Importer(RecordWriter):
    """Reads a Popolo document into the registry through the services; see ``import_document``."""

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

    # -- each kind of record ---------------------------------------------------------------------------------------

    def _organization(self, item: dict, *, first_pass: bool) -> None:
        popolo_id = item.get("id")
        if first_pass:
            existing = self._match(Organization, "organization", item)
            values = {
                "slug": existing.slug if existing else item.get("slug") or slug_of(popolo_id, "organization"),
                "name": opt(item, "name"),
                "name_en": opt(item, "name_en"),
                "abbreviation": opt(item, "abbreviation"),
                "classification": opt(item, "classification"),
                "founding_date": opt(item, "founding_date", day),
                "founding_date_precision": opt(item, "founding_date_precision"),
                "dissolution_date": opt(item, "dissolution_date", day),
                "dissolution_date_precision": opt(item, "dissolution_date_precision"),
                "note": opt(item, "note"),
            }
            default_precisions(values, ("founding_date", "dissolution_date"))
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
                for i, ref in enumerate(listed(item, "legal_basis"))
            ]
        values = {
            "parent": self._ref(item.get("parent_id", MISSING), "organization", Organization, "parent_id"),
            "legal_basis": legal_basis,
        }
        self._upsert(popolo_id, Organization, record, values, sources=objects_in(item, "sources"), count=False)
        for index, duty in enumerate(objects_in(item, "duties")):
            self._duty(record, popolo_id, duty, f"duties.{index}")

    def _duty(self, organization: Organization, popolo_id: str, duty: dict, name: str) -> None:
        """One duty, matched by its order; a duty has no Popolo id, so its changes are its organization's."""
        existing = Duty.objects.filter(organization=organization, order=duty.get("order")).first()
        values = {
            "organization": organization,
            "order": duty.get("order"),
            "text": opt(duty, "text"),
            "text_en": opt(duty, "text_en"),
        }
        record, changes = self._save(Duty, existing, values)
        cited = self._sources(record, objects_in(duty, "sources", f"{name}.sources"))
        if changes or cited:
            self._updated(popolo_id, ["duties"])

    def _portfolio(self, item: dict) -> None:
        popolo_id = item.get("id")
        existing = Portfolio.objects.filter(slug=slug_of(popolo_id, "portfolio")).first()
        values = {
            "slug": slug_of(popolo_id, "portfolio"),
            "name": opt(item, "name"),
            "name_en": opt(item, "name_en"),
        }
        self._upsert(popolo_id, Portfolio, existing, values, sources=objects_in(item, "sources"))

    def _document(self, item: dict) -> None:
        popolo_id = item.get("id")
        slug = slug_of(popolo_id, "document")
        existing = Document.objects.filter(slug=slug).first()
        values = {
            "slug": slug,
            "kind": opt(item, "kind"),
            "number": opt(item, "number"),
            "title": opt(item, "title"),
            "title_en": opt(item, "title_en"),
            "issuer": self._ref(item.get("issuer_id", MISSING), "organization", Organization, "issuer_id"),
            "issued_on": opt(item, "issued_on", day),
            "published_on": opt(item, "published_on", day),
            "date_precision": opt(item, "date_precision"),
            "date_note": opt(item, "date_note"),
            "publisher": opt(item, "publisher"),
            "author": opt(item, "author"),
            "file_name": opt(item, "file_name"),
            "text": opt(item, "text"),
        }
        # Sources of documents cite other documents: read after all documents exist (second loop below).
        self._upsert(popolo_id, Document, existing, values)
        self._deferred_sources.append((item, popolo_id))

    def _person(self, item: dict) -> None:
        popolo_id = item.get("id")
        existing = self._match(Person, "person", item)
        if "honorific" in item:
            honorific = opt(item, "honorific")
        elif "honorific_prefix" in item:
            honorific = {prefix: code for code, prefix in HONORIFIC_PREFIX.items()}.get(item["honorific_prefix"], "")
        else:
            honorific = MISSING
        values = {
            "slug": existing.slug if existing else item.get("slug") or slug_of(popolo_id, "person"),
            "name": opt(item, "name"),
            "family_name": opt(item, "family_name"),
            "given_name": opt(item, "given_name"),
            "honorific": honorific,
        }
        record = self._upsert(popolo_id, Person, existing, values, sources=objects_in(item, "sources"))
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
        slug = item.get("slug") or slug_of(popolo_id, "post")
        existing = Post.objects.filter(slug=slug).first()
        organization = self._ref(item.get("organization_id", MISSING), "organization", Organization, "organization_id")
        if existing is None and organization in (MISSING, None):
            raise Refusal({"organization_id": ["A new post needs an organization_id."]})
        values = {
            "slug": slug,
            "organization": organization,
            "label": opt(item, "label"),
            "label_en": opt(item, "label_en")
            if "label_en" in item or "other_label" not in item
            else next(iter(listed(item, "other_label")), ""),
            "role": opt(item, "role"),
            "rank": opt(item, "rank"),
            "seats": opt(item, "seats"),
            "portfolio": self._ref(item.get("portfolio_id", MISSING), "portfolio", Portfolio, "portfolio_id"),
            "standing": opt(item, "standing"),
        }
        self._upsert(popolo_id, Post, existing, values, sources=objects_in(item, "sources"))

    def _membership(self, item: dict) -> None:
        popolo_id = optional_id(item)
        person = self._ref(item.get("person_id"), "person", Person, "person_id")
        post = self._ref(item.get("post_id"), "post", Post, "post_id")
        if person is None or post is None:
            raise Refusal(
                {"post_id": ["A membership needs a person_id and a post_id (the registry appoints to posts)."]}
            )
        start = day(item.get("start_date"), "start_date")
        if start is None:
            raise Refusal({"start_date": ["A membership needs a start_date."]})
        existing = Appointment.objects.filter(person=person, post=post, start_date=start).first()
        values = {
            "start_date_precision": opt(item, "start_date_precision"),
            "capacity": self._ref(item.get("capacity_id", MISSING), "post", Post, "capacity_id"),
            "end_date": opt(item, "end_date", day),
            "end_date_precision": opt(item, "end_date_precision"),
            "end_reason": opt(item, "end_reason"),
            "leaves_vacant": opt(item, "leaves_vacant", flag),
            "note": opt(item, "note"),
        }
        default_precisions(values, ("end_date",))
        if existing is None:
            values.update(person=person, post=post, start_date=start)
        self._upsert(popolo_id, Appointment, existing, values, sources=objects_in(item, "sources"))

    def _relationship(self, item: dict) -> None:
        popolo_id = optional_id(item)
        subject = self._ref(item.get("subject_id"), "organization", Organization, "subject_id")
        target = self._ref(item.get("object_id"), "organization", Organization, "object_id")
        kind = item.get("kind") or ""
        existing = OrganizationRelationship.objects.filter(subject=subject, object=target, kind=kind).first()
        values = {
            "subject": subject,
            "object": target,
            "kind": kind,
            "start_date": opt(item, "start_date", day),
            "start_date_precision": opt(item, "start_date_precision"),
            "end_date": opt(item, "end_date", day),
            "end_date_precision": opt(item, "end_date_precision"),
            "document": self._ref(item.get("document_id", MISSING), "document", Document, "document_id"),
            "description": opt(item, "description"),
            "description_en": opt(item, "description_en"),
        }
        default_precisions(values, ("start_date", "end_date"))
        self._upsert(popolo_id, OrganizationRelationship, existing, values, sources=objects_in(item, "sources"))

    def _event(self, item: dict) -> None:
        """An event: its organisers (``organization_ids``, else Popolo's one ``organization_id``) and the people it
        shows in a post (``appearances``, each naming a membership of the file or of the registry)."""
        popolo_id = item.get("id")
        slug = item.get("slug") or slug_of(popolo_id, "event")
        existing = Event.objects.filter(slug=slug).first()
        named = listed(item, "organization_ids") or ([item["organization_id"]] if item.get("organization_id") else [])
        organizers = [
            self._ref(value, "organization", Organization, f"organization_ids.{index}")
            for index, value in enumerate(named)
        ]
        values = {
            "slug": slug,
            "name": opt(item, "name"),
            "name_en": opt(item, "name_en"),
            "classification": opt(item, "classification"),
            "start_date": opt(item, "start_date", day),
            "start_date_precision": opt(item, "start_date_precision"),
            "organizers": organizers if "organization_ids" in item or "organization_id" in item else MISSING,
            "note": opt(item, "note"),
        }
        default_precisions(values, ("start_date",))
        event = self._upsert(popolo_id, Event, existing, values, sources=objects_in(item, "sources"))
        for index, entry in enumerate(objects_in(item, "appearances")):
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
        values = {"event": event, "appointment": appointment, "note": opt(entry, "note")}
        try:
            record, changes = self._save(EventAppearance, existing, values)
            new_sources = self._sources(record, objects_in(entry, "sources"))
        except ValidationError as error:
            raise Refusal({f"{name}.{key}": messages for key, messages in messages_of(error).items()}) from error
        if changes or new_sources:
            self._updated(popolo_id, ["appearances"])

    def document_sources(self) -> None:
        """The sources of documents, once every document of the file exists."""
        for item, popolo_id in self._deferred_sources:
            if popolo_id in self.found:
                self._step(item, lambda item, pid=popolo_id: self._document_sources(item, pid))

    def _document_sources(self, item: dict, popolo_id: str) -> None:
        """A document's sources, reported as a change of the document when any is new."""
        if self._sources(self.found[popolo_id], objects_in(item, "sources")):
            self._updated(popolo_id, ["sources"])


def import_document(document: dict, *, dry_run: bool = False, reason: str = "Popolo import") -> ImportReport:
    """Import ``document`` in one transaction: applied only when nothing is refused and it is not a dry run."""
    report = ImportReport(dry_run=dry_run)
    if not isinstance(document, dict):
        report.refused.append({"id": None, "errors": {"__all__": ["A Popolo document is a JSON object."]}})
        return report
    # Refused as a whole before the transaction (and so before any lock): too many records, one id twice.
    report.refused.extend(refusals(document))
    if report.refused:
        return report
    importer = Importer(document, reason=reason, report=report)
    with transaction.atomic():
        importer.run()
        if not report.applied:
            transaction.set_rollback(True)
    return report
