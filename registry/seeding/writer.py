"""The loader's writer: each seed record upserted through the services, staff edits kept, every quote checked."""

from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from registry import services
from registry.models.changes import SeedBaseline
from registry.models.documents import Citation, Document
from registry.models.events import Event, EventAppearance
from registry.models.organizations import Duty, Organization, OrganizationRelationship
from registry.models.people import Person
from registry.models.posts import Appointment, Post
from registry.seeding.file import (
    APPEARANCE_KEYS,
    DUTY_KEYS,
    LATER_KEYS,
    ORDER,
    REASON,
    SECTIONS,
    SOURCE_KEYS,
    SeedError,
    SeedReport,
)
from registry.seeding.values import (
    as_json,
    brief,
    field_value,
    key_text,
    label_of,
    last_edit,
    messages_of,
    typed,
    written_by_others,
)
from registry.text import nfc


class _SeedWriter:
    """Writes one seed file's sections through the services, changing only what nobody has edited since (the
    ``SeedBaseline``), and reports every record it created, changed, kept or refused."""

    def __init__(self, data: dict, folder: Path):
        self.data = data
        self.folder = folder
        self.report = SeedReport()
        self.later: list[tuple[str, models.Model, dict]] = []
        self.baselines = {(b.model, b.key): b for b in SeedBaseline.objects.all()}
        self.created: set[tuple[type[models.Model], int]] = set()
        # On a registry someone has edited, a seed record that conflicts with the edits is reported, not fatal.
        self.registry_edited = any(
            model.history.exclude(history_change_reason=REASON).exists()
            for model in (Organization, Post, Appointment, Person, OrganizationRelationship, Document, Event)
        )

    def run(self) -> SeedReport:
        for name in ORDER:
            seen: set[tuple] = set()
            for record in self._records(name):
                key = self._natural_key(name, record)
                if key in seen:
                    raise SeedError(f"{name} ({brief(record)}): defined twice in the file.")
                seen.add(key)
                obj = self._upsert_record(name, record)
                if obj is not None:
                    self.later.append((name, obj, record))
        for name, obj, record in self.later:
            label = label_of(name, obj)
            if name == "organizations":  # an absent legal_basis means none, as for every other optional key
                self._set_legal_basis(obj, record.get("legal_basis") or [], label)
                duties = record.get("duties") or []
                for order, duty in enumerate(duties, start=1):
                    self._upsert_duty(obj, order, duty, label)
                self._remove_duties_after(obj, len(duties))
            if name == "events":
                for appearance in record.get("appearances") or []:
                    self._upsert_appearance(obj, appearance, label)
            self._upsert_sources(obj, record.get("sources") or [], label)
        return self.report

    def _natural_key(self, name: str, record: dict) -> tuple:
        return tuple(str(record.get(key)) for key in SECTIONS[name].key)

    # -- reading --------------------------------------------------------------------------------------------------

    def _records(self, name: str) -> list[dict]:
        records = self.data.get(name) or []
        if not isinstance(records, list):
            raise SeedError(f"{name}: expected a list of records.")
        section = SECTIONS[name]
        for index, record in enumerate(records, start=1):
            where = f"{name} #{index} ({brief(record)})"
            if not isinstance(record, dict):
                raise SeedError(f"{where}: expected a mapping.")
            unknown = set(record) - section.required - section.optional
            missing = section.required - set(record)
            if unknown:
                raise SeedError(f"{where}: unknown key(s) {sorted(unknown)}.")
            if missing:
                raise SeedError(f"{where}: missing key(s) {sorted(missing)}.")
        return records

    def _resolve(self, model: type[models.Model], slug: Any, where: str) -> models.Model | None:
        if slug is None:
            return None
        found = model.objects.filter(slug=slug).first()
        if found is None:
            raise SeedError(
                f"{where}: no {model._meta.verbose_name} with slug {slug!r} (define it earlier in the file)."
            )
        return found

    # -- writing --------------------------------------------------------------------------------------------------

    def _upsert_record(self, name: str, record: dict) -> models.Model:
        section = SECTIONS[name]
        where = f"{name} ({brief(record)})"
        values = {}
        many = {f.name: f.related_model for f in section.model._meta.many_to_many}
        for key in sorted(section.required | section.optional - LATER_KEYS):
            if key in many:  # loaded after what it names (legal_basis, loaded earlier, is set later instead)
                slugs = record.get(key) or []
                if not isinstance(slugs, list):
                    raise SeedError(f"{where} {key}: expected a list of slugs, got {slugs!r}.")
                values[key] = [self._resolve(many[key], slug, f"{where} {key}") for slug in slugs]
            elif (
                key not in record
            ):  # an absent key means the field's default, so removing a fact from the file undoes it
                values[key] = section.model._meta.get_field(key).get_default()
            elif key in section.references:
                values[key] = self._resolve(section.references[key], record[key], where)
            else:
                values[key] = typed(section.model._meta.get_field(key), record[key], f"{where} {key}")
        if section.model is Document:
            values["text"] = self._document_text(values["file_name"], where) if values["file_name"] else ""
        lookup = {key: values[key] for key in section.key}
        sources = self._creation_sources(record, where) if getattr(section.model, "created_with_sources", False) else ()
        return self._upsert(section.model, lookup, values, where, sources=sources)

    def _creation_sources(self, record: dict, where: str) -> list[dict]:
        """The sources a record the services create only with its sources (a post) is created with; the rest of the
        file's sources, and the checks of their shape, come after every record (``_upsert_sources``)."""
        return [
            {
                "document": self._resolve(Document, source["document"], f"{where} source"),
                "quote": nfc(source["quote"]),
                "field": source.get("field", ""),
            }
            for source in record.get("sources") or []
            if isinstance(source, dict) and not set(source) - SOURCE_KEYS and {"document", "quote"} <= set(source)
        ]

    def _upsert(self, model, lookup: dict, values: dict, where: str, *, count: bool = True, sources=()):
        """Create, update or keep one record; None when it is left out (deleted by someone, or in conflict)."""
        key = (model._meta.model_name, key_text(lookup))
        baseline = self.baselines.get(key)
        obj = model.objects.filter(**lookup).first()
        if obj is not None and baseline is not None and baseline.object_id != obj.pk:
            baseline = None  # the seeds' record was deleted and someone made another with its key: not the seeds'
        if obj is None and baseline is not None:
            self.report.kept.append(
                f"kept: {model._meta.verbose_name} {key[1]} deleted{last_edit(model, baseline.object_id)}"
            )
            return None
        if obj is None:
            obj = self._write(
                where, lambda: services.record_create(model=model, values=values, reason=REASON, sources=sources)
            )
            if obj is not None and sources:
                self.created.update((Citation, pk) for pk in obj.sources.values_list("pk", flat=True))
            if obj is not None:
                self.report.count("created", model)
                self.created.add((model, obj.pk))
                self.report.differences.append(f"create: {model._meta.verbose_name} {key[1]}")
                self._remember(key, obj, values)
            return obj
        changes = self._changes_not_edited(model, obj, key, values, baseline)
        if not changes:
            if (model, obj.pk) in self.created and model is Citation:  # written with the record it cites
                self.report.count("created", model)
                self.report.differences.append(f"create: {model._meta.verbose_name} {key[1]}")
            elif count:
                self.report.count("unchanged", model)
        elif self._write(where, lambda: services.record_update(instance=obj, changes=changes, reason=REASON)):
            obj.refresh_from_db()
            if count or (model, obj.pk) not in self.created:
                self.report.count("updated", model)
        self._remember(key, obj, values, baseline)
        return obj

    def _changes_not_edited(self, model, obj, key, values: dict, baseline) -> dict:
        """The seed's values that differ from the record's, on fields nobody but the seeds has written."""
        changes, edited_by_someone = {}, None
        for name, wanted in values.items():
            current = as_json(field_value(obj, name))
            if current == as_json(wanted):
                continue
            if baseline is not None and name in baseline.values:
                seeds_own_it = baseline.values[name] == current
            else:  # a record (or field) loaded before the baseline knew it: the seeds' unless someone else wrote it
                if edited_by_someone is None:
                    edited_by_someone = written_by_others(obj)
                seeds_own_it = not edited_by_someone
            if seeds_own_it:
                changes[name] = wanted
                self.report.differences.append(
                    f"update: {model._meta.verbose_name} {key[1]} {name}: {current!r} -> {as_json(wanted)!r}"
                )
            else:
                self.report.kept.append(f"kept: {model._meta.verbose_name} {obj.pk} {name}{last_edit(model, obj.pk)}")
        return changes

    def _write(self, where: str, write):
        """Run one service write in a savepoint; a refusal is fatal unless it conflicts with others' edits."""
        try:
            with transaction.atomic():
                return write()
        except (ValidationError, IntegrityError) as error:
            if not self.registry_edited:
                raise SeedError(f"{where}: refused: {messages_of(error)}") from error
            self.report.refused.append(f"refused: {where}: conflicts with the registry's edits: {messages_of(error)}")
            return None

    def _remember(self, key: tuple, obj: models.Model, values: dict, baseline=None) -> None:
        """What the seeds now hold for ``obj``, for the next run to compare with.

        A field kept for someone's edit keeps the seeds' earlier value (or the seed's value, the first time), so it
        stays theirs in later runs too.
        """
        stored = dict(baseline.values) if baseline is not None else {}
        for name, wanted in values.items():
            current = as_json(field_value(obj, name))
            if current == as_json(wanted) or name not in stored:
                stored[name] = as_json(wanted)
        self.baselines[key], _ = SeedBaseline.objects.update_or_create(
            model=key[0], key=key[1], defaults={"object_id": obj.pk, "values": stored}
        )

    def _document_text(self, file_name: str, where: str) -> str:
        path = self.folder / file_name
        if not path.is_file():
            raise SeedError(f"{where}: file_name {file_name!r} is not in {self.folder}.")
        return nfc(path.read_text(encoding="utf-8"))

    def _set_legal_basis(self, organization: Organization, slugs: list[str], where: str) -> None:
        documents = [self._resolve(Document, slug, f"{where} legal_basis") for slug in slugs]
        lookup = {"slug": organization.slug}
        self._upsert(Organization, lookup, {"legal_basis": documents}, f"{where} legal_basis", count=False)

    def _upsert_duty(self, organization: Organization, order: int, duty: dict, where: str) -> None:
        if not isinstance(duty, dict) or set(duty) - DUTY_KEYS or not {"document", "text"} <= set(duty):
            raise SeedError(f"{where} duty #{order}: expected keys {sorted(DUTY_KEYS)} (document and text required).")
        values = {
            "organization": organization,
            "order": order,
            "text": nfc(duty["text"]),
            "text_en": nfc(duty.get("text_en", "")),
        }
        obj = self._upsert(Duty, {"organization": organization, "order": order}, values, f"{where} duty #{order}")
        if obj is not None:
            source = {"document": duty["document"], "quote": duty["text"]}
            self._upsert_sources(obj, [source], f"{where} duty #{order}")

    def _remove_duties_after(self, organization: Organization, count: int) -> None:
        """Duties the file no longer lists are deleted (their history keeps them), unless someone has edited them."""
        for duty in Duty.objects.filter(organization=organization, order__gt=count):
            key = ("duty", key_text({"organization": organization, "order": duty.order}))
            baseline = self.baselines.get(key)
            ours = baseline is not None and all(as_json(field_value(duty, n)) == v for n, v in baseline.values.items())
            if not ours:
                self.report.kept.append(f"kept: duty {duty.pk} (no longer in the seeds){last_edit(Duty, duty.pk)}")
                continue
            services.record_delete(instance=duty, reason=REASON)
            baseline.delete()
            self.report.count("deleted", Duty)
            self.report.differences.append(f"delete: duty {key[1]}")

    def _upsert_appearance(self, event: Event, appearance: dict, where: str) -> None:
        """One person shown at the event in a post: the appointment, cited from the sentence that shows it there."""
        if (
            not isinstance(appearance, dict)
            or set(appearance) - APPEARANCE_KEYS
            or not APPEARANCE_KEYS - {"note"} <= set(appearance)
        ):
            raise SeedError(
                f"{where} appearance: expected keys {sorted(APPEARANCE_KEYS)} (note optional): {appearance!r}."
            )
        label = f"{where} appearance ({appearance['person']}, {appearance['post']})"
        appointment = Appointment.objects.filter(
            person__slug=appearance["person"], post__slug=appearance["post"], start_date=appearance["start_date"]
        ).first()
        if appointment is None:
            raise SeedError(
                f"{label}: no appointment with that person, post and start_date (define it in appointments)."
            )
        values = {"event": event, "appointment": appointment, "note": nfc(appearance.get("note", ""))}
        obj = self._upsert(EventAppearance, {"event": event, "appointment": appointment}, values, label)
        if obj is not None:
            self._upsert_sources(obj, [{"document": appearance["document"], "quote": appearance["quote"]}], label)

    def _upsert_sources(self, obj: models.Model, sources: list[dict], where: str) -> None:
        content_type = ContentType.objects.get_for_model(obj)
        listed: set[str] = set()
        for source in sources:
            if not isinstance(source, dict) or set(source) - SOURCE_KEYS or not {"document", "quote"} <= set(source):
                raise SeedError(f"{where}: a source needs document and quote (and may name a field): {source!r}.")
            document = self._resolve(Document, source["document"], f"{where} source")
            values = {
                "content_type": content_type,
                "object_id": obj.pk,
                "document": document,
                "quote": nfc(source["quote"]),
                "field": source.get("field", ""),
            }
            lookup = {key: values[key] for key in ("content_type", "object_id", "document", "quote")}
            listed.add(key_text(lookup))
            self._upsert(Citation, lookup, values, f"{where} source in {document.slug}")
        self._remove_sources_not_listed(obj, content_type, listed)

    def _remove_sources_not_listed(self, obj: models.Model, content_type, listed: set[str]) -> None:
        """A citation the seeds wrote and the file no longer lists is deleted (its history keeps it), so a fact the
        file drops (a parent, a duty's source) leaves no quote behind; one someone has edited or added is kept."""
        for citation in Citation.objects.filter(content_type=content_type, object_id=obj.pk).select_related("document"):
            lookup = {
                "content_type": content_type,
                "object_id": obj.pk,
                "document": citation.document,
                "quote": citation.quote,
            }
            key = ("citation", key_text(lookup))
            baseline = self.baselines.get(key)
            if key[1] in listed or baseline is None or baseline.object_id != citation.pk:
                continue  # listed, or not the seeds' own
            if not all(as_json(field_value(citation, name)) == value for name, value in baseline.values.items()):
                self.report.kept.append(
                    f"kept: citation {citation.pk} (no longer in the seeds){last_edit(Citation, citation.pk)}"
                )
                continue
            services.record_delete(instance=citation, reason=REASON)
            baseline.delete()
            del self.baselines[key]
            self.report.count("deleted", Citation)
            self.report.differences.append(f"delete: citation {key[1]}")
