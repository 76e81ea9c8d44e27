"""The import's way of writing one record: matched or created, only what differs changed, through the services.

``RecordWriter`` holds what every kind of record shares (a savepoint per record, references, sources, names and
identifiers, the report); importer.py says what each kind of record reads.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction

from registry import services
from registry.interop.popolo.values import MISSING, Refusal, day, default_precisions, objects_in, slug_of
from registry.models.documents import Document
from registry.models.identifiers import Identifier, OtherName


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


def messages_of(error: Exception) -> dict:
    if isinstance(error, Refusal):
        return error.errors
    if isinstance(error, ValidationError):
        return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    return {"__all__": [str(error)]}


class RecordWriter:
    """Writes the records of one Popolo document through the services and keeps the report of what it did."""

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
            self.report.refused.append({"id": item.get("id"), "errors": messages_of(error)})

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
            return model.objects.get(slug=slug_of(value, kind))
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
        for entry in objects_in(item, "identifiers"):
            scheme, identifier = entry.get("scheme") or "", entry.get("identifier") or ""
            existing = Identifier.objects.filter(**owner, scheme=scheme, identifier=identifier).first()
            values = {**owner, "scheme": scheme, "identifier": identifier, "note": entry.get("note", "")}
            self._owned(popolo_id, "identifiers", Identifier, existing, values)
        for entry in objects_in(item, "other_names"):
            name, kind = entry.get("name") or "", entry.get("kind") or "alternate"
            existing = OtherName.objects.filter(**owner, name=name, kind=kind).first()
            values = {
                **owner,
                "name": name,
                "kind": kind,
                "language": entry.get("language", ""),
                "start_date": day(entry.get("start_date"), "other_names.start_date"),
                "start_date_precision": entry.get("start_date_precision", ""),
                "end_date": day(entry.get("end_date"), "other_names.end_date"),
                "end_date_precision": entry.get("end_date_precision", ""),
                "note": entry.get("note", ""),
            }
            default_precisions(values, ("start_date", "end_date"))
            self._owned(popolo_id, "other_names", OtherName, existing, values)

    def _owned(self, popolo_id: str, what: str, model, existing, values: dict) -> None:
        """An identifier or other name of the record: its changes are reported as changes of the record."""
        try:
            _, changes = self._save(model, existing, values)
        except ValidationError as error:
            raise Refusal({f"{what}.{name}": messages for name, messages in messages_of(error).items()}) from error
        if changes:
            self._updated(popolo_id, [what])

    def _match(self, model, kind: str, item: dict):
        """An existing record: by any of the item's identifiers first, else by slug."""
        content_type = ContentType.objects.get_for_model(model)
        for entry in objects_in(item, "identifiers"):
            found = Identifier.objects.filter(
                content_type=content_type, scheme=entry.get("scheme") or "", identifier=entry.get("identifier") or ""
            ).first()
            if found is not None:
                return model.objects.get(pk=found.object_id)
        return model.objects.filter(slug=item.get("slug") or slug_of(item.get("id"), kind)).first()


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
