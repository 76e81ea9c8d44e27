"""Load seeds/registry.yaml: strict schema, upsert by natural key, one transaction, every quote checked.

Like openstates' importers: a record is created, updated or left unchanged, and a second run over the same file
changes nothing. Every write goes through ``registry.services``, so the loader refuses what the admin and the API
refuse, and its writes appear in the history and the change feed like anyone's.

The loader never undoes the registry's own history. It remembers what it last wrote to each record (its baseline,
``SeedBaseline``) and changes a field only while the record still holds that value; a field someone has edited since
is kept and reported, and so is a seeded record someone deleted. On a registry that holds edits, a seed record that
conflicts with them (a later appointment to the same seat, say) is reported and left out, never a failure.
"""

import datetime
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from registry import services
from registry.models.changes import SeedBaseline
from registry.models.documents import Citation, Document
from registry.models.organizations import Duty, Organization, OrganizationRelationship
from registry.models.people import Person
from registry.models.posts import Appointment, Portfolio, Post
from registry.text import nfc

REASON = "load_seeds"

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
SEED_FILE = SEEDS_DIR / "registry.yaml"

SOURCE_KEYS = {"document", "quote", "field"}
DUTY_KEYS = {"document", "text", "text_en"}


class SeedError(Exception):
    """The seed file is malformed or states something the registry refuses; nothing was written."""


@dataclass(frozen=True)
class Section:
    """A section of the seed file: its model, the natural key it is upserted by, and the keys a record must have.

    A record may also give any other field of the model an editor writes (its foreign keys by slug), and its sources.
    """

    model: type[models.Model]
    key: tuple[str, ...]
    required: frozenset[str]
    #: Keys that are no field of the model (handled after the record is saved).
    more: frozenset[str] = frozenset()
    #: Fields the loader fills in itself, never from the file.
    filled_in: frozenset[str] = frozenset()

    @cached_property
    def fields(self) -> frozenset[str]:
        """The model's fields an editor writes, many-to-many ones included."""
        meta = self.model._meta
        concrete = {f.name for f in meta.concrete_fields if f.editable and not f.primary_key}
        return frozenset(concrete | {f.name for f in meta.many_to_many}) - self.filled_in

    @cached_property
    def optional(self) -> frozenset[str]:
        return self.fields - self.required | {"sources"} | self.more

    @cached_property
    def references(self) -> dict[str, type[models.Model]]:
        """The foreign keys, which the file gives as the slug of the record they point to."""
        return {f.name: f.related_model for f in self.model._meta.concrete_fields if f.is_relation}


SECTIONS: dict[str, Section] = {
    "organizations": Section(
        Organization, ("slug",), frozenset({"slug", "name", "classification"}), more=frozenset({"duties"})
    ),
    "documents": Section(Document, ("slug",), frozenset({"slug", "kind", "title"}), filled_in=frozenset({"text"})),
    "portfolios": Section(Portfolio, ("slug",), frozenset({"slug", "name"})),
    "people": Section(Person, ("slug",), frozenset({"slug", "name"})),
    "posts": Section(Post, ("slug",), frozenset({"slug", "organization", "label", "role"})),
    "appointments": Section(
        Appointment,
        ("person", "post", "start_date"),
        frozenset({"person", "post", "start_date", "start_date_precision"}),
    ),
    "relationships": Section(
        OrganizationRelationship, ("subject", "object", "kind"), frozenset({"subject", "object", "kind"})
    ),
}
#: Not stored on the record itself: handled after it is saved.
LATER_KEYS = {"sources", "duties", "legal_basis"}
#: Load order: what a section refers to is loaded before it.
ORDER = ("organizations", "documents", "portfolios", "people", "posts", "appointments", "relationships")


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    #: What the loader left alone because someone changed it, and why: "kept: appointment 2 end_date, edited …".
    kept: list[str] = field(default_factory=list)
    #: Seed records left out because they conflict with the registry's edits.
    refused: list[str] = field(default_factory=list)
    #: Each change a run makes (or, with ``check``, would make): "update: organization x name_en: 'a' -> 'b'".
    differences: list[str] = field(default_factory=list)

    def count(self, outcome: str, model: type[models.Model]) -> None:
        getattr(self, outcome)[model._meta.verbose_name_plural] += 1

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()) or sum(self.deleted.values()))

    def lines(self) -> list[str]:
        names = sorted(set(self.created) | set(self.updated) | set(self.unchanged) | set(self.deleted))
        rows = [
            f"{name:>28}: {self.created[name]:>3} created, {self.updated[name]:>3} updated, "
            f"{self.unchanged[name]:>3} unchanged" + (f", {self.deleted[name]} deleted" if self.deleted[name] else "")
            for name in names
        ]
        rows += self.kept + self.refused
        total = (sum(self.created.values()), sum(self.updated.values()), sum(self.unchanged.values()))
        rows.append(f"{'total':>28}: {total[0]:>3} created, {total[1]:>3} updated, {total[2]:>3} unchanged")
        rows.append("nothing changed" if not self.changed else "changes written")
        return rows


def load_seed_file(path: Path = SEED_FILE, *, check: bool = False) -> SeedReport:
    """Load the seed file in one transaction; raise SeedError (and write nothing) on the first refusal.

    ``check``: work out every difference, then roll back: nothing is written.
    """
    data = _read(path)
    from registry import seed_rules  # the rules of what the seed file may claim (issue 10)

    problems = seed_rules.check(data, path.parent)
    if problems:
        raise SeedError(f"{path}: the seed file breaks the rules of registry/seed_rules.py:\n" + "\n".join(problems))
    with transaction.atomic():
        report = _SeedWriter(data, path.parent).run()
        if check:
            transaction.set_rollback(True)
    return report


class _YamlRefusingRepeatedKeys(yaml.SafeLoader):
    """YAML that refuses a key written twice in one mapping (PyYAML would keep the last silently)."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        repeated = sorted({str(key) for key in keys if keys.count(key) > 1})
        if repeated:
            raise yaml.constructor.ConstructorError(
                None, None, f"key(s) {repeated} written twice in one mapping", node.start_mark
            )
        return super().construct_mapping(node, deep=deep)


def _read(path: Path) -> dict:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlRefusingRepeatedKeys)  # noqa: S506 - a SafeLoader
    except (OSError, yaml.YAMLError) as error:
        raise SeedError(f"{path}: cannot read the seed file: {error}") from error
    if not isinstance(data, dict):
        raise SeedError(f"{path}: expected a mapping of sections, got {type(data).__name__}.")
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise SeedError(f"{path}: unknown section(s) {sorted(unknown)}; expected {sorted(SECTIONS)}.")
    return data


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
            for model in (Organization, Post, Appointment, Person, OrganizationRelationship, Document)
        )

    def run(self) -> SeedReport:
        for name in ORDER:
            seen: set[tuple] = set()
            for record in self._records(name):
                key = self._natural_key(name, record)
                if key in seen:
                    raise SeedError(f"{name} ({_brief(record)}): defined twice in the file.")
                seen.add(key)
                obj = self._upsert_record(name, record)
                if obj is not None:
                    self.later.append((name, obj, record))
        for name, obj, record in self.later:
            label = _label(name, obj)
            if name == "organizations":  # an absent legal_basis means none, as for every other optional key
                self._set_legal_basis(obj, record.get("legal_basis") or [], label)
                duties = record.get("duties") or []
                for order, duty in enumerate(duties, start=1):
                    self._upsert_duty(obj, order, duty, label)
                self._remove_duties_after(obj, len(duties))
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
            where = f"{name} #{index} ({_brief(record)})"
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
        where = f"{name} ({_brief(record)})"
        values = {}
        for key in sorted(section.required | section.optional - LATER_KEYS):
            if key not in record:  # an absent key means the field's default, so removing a fact from the file undoes it
                values[key] = section.model._meta.get_field(key).get_default()
            elif key in section.references:
                values[key] = self._resolve(section.references[key], record[key], where)
            else:
                values[key] = _typed(section.model._meta.get_field(key), record[key], f"{where} {key}")
        if section.model is Document:
            values["text"] = self._document_text(values["file_name"], where) if values["file_name"] else ""
        lookup = {key: values[key] for key in section.key}
        return self._upsert(section.model, lookup, values, where)

    def _upsert(self, model, lookup: dict, values: dict, where: str, *, count: bool = True):
        """Create, update or keep one record; None when it is left out (deleted by someone, or in conflict)."""
        key = (model._meta.model_name, _key_text(lookup))
        baseline = self.baselines.get(key)
        obj = model.objects.filter(**lookup).first()
        if obj is not None and baseline is not None and baseline.object_id != obj.pk:
            baseline = None  # the seeds' record was deleted and someone made another with its key: not the seeds'
        if obj is None and baseline is not None:
            self.report.kept.append(
                f"kept: {model._meta.verbose_name} {key[1]} deleted{_last_edit(model, baseline.object_id)}"
            )
            return None
        if obj is None:
            obj = self._write(where, lambda: services.record_create(model=model, values=values, reason=REASON))
            if obj is not None:
                self.report.count("created", model)
                self.created.add((model, obj.pk))
                self.report.differences.append(f"create: {model._meta.verbose_name} {key[1]}")
                self._remember(key, obj, values)
            return obj
        changes = self._changes_not_edited(model, obj, key, values, baseline)
        if not changes:
            if count:
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
            current = _json(_value(obj, name))
            if current == _json(wanted):
                continue
            if baseline is not None and name in baseline.values:
                seeds_own_it = baseline.values[name] == current
            else:  # a record (or field) loaded before the baseline knew it: the seeds' unless someone else wrote it
                if edited_by_someone is None:
                    edited_by_someone = _edited_by_someone(obj)
                seeds_own_it = not edited_by_someone
            if seeds_own_it:
                changes[name] = wanted
                self.report.differences.append(
                    f"update: {model._meta.verbose_name} {key[1]} {name}: {current!r} -> {_json(wanted)!r}"
                )
            else:
                self.report.kept.append(f"kept: {model._meta.verbose_name} {obj.pk} {name}{_last_edit(model, obj.pk)}")
        return changes

    def _write(self, where: str, write):
        """Run one service write in a savepoint; a refusal is fatal unless it conflicts with others' edits."""
        try:
            with transaction.atomic():
                return write()
        except (ValidationError, IntegrityError) as error:
            if not self.registry_edited:
                raise SeedError(f"{where}: refused: {_messages(error)}") from error
            self.report.refused.append(f"refused: {where}: conflicts with the registry's edits: {_messages(error)}")
            return None

    def _remember(self, key: tuple, obj: models.Model, values: dict, baseline=None) -> None:
        """What the seeds now hold for ``obj``, for the next run to compare with.

        A field kept for someone's edit keeps the seeds' earlier value (or the seed's value, the first time), so it
        stays theirs in later runs too.
        """
        stored = dict(baseline.values) if baseline is not None else {}
        for name, wanted in values.items():
            current = _json(_value(obj, name))
            if current == _json(wanted) or name not in stored:
                stored[name] = _json(wanted)
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
            key = ("duty", _key_text({"organization": organization, "order": duty.order}))
            baseline = self.baselines.get(key)
            ours = baseline is not None and all(_json(_value(duty, n)) == v for n, v in baseline.values.items())
            if not ours:
                self.report.kept.append(f"kept: duty {duty.pk} (no longer in the seeds){_last_edit(Duty, duty.pk)}")
                continue
            services.record_delete(instance=duty, reason=REASON)
            baseline.delete()
            self.report.count("deleted", Duty)
            self.report.differences.append(f"delete: duty {key[1]}")

    def _upsert_sources(self, obj: models.Model, sources: list[dict], where: str) -> None:
        content_type = ContentType.objects.get_for_model(obj)
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
            self._upsert(Citation, lookup, values, f"{where} source in {document.slug}")


def _value(obj: models.Model, name: str) -> Any:
    """A field's stored value: the id for a foreign key, the ids for a many-to-many field."""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return list(getattr(obj, name).values_list("pk", flat=True))
    return getattr(obj, field.attname) if field.is_relation else getattr(obj, name)


def _json(value: Any) -> Any:
    """A value as the baseline stores it (JSON): ids for records, ISO text for dates, sorted ids for lists."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set)):
        return sorted(_json(item) for item in value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _key_text(lookup: dict) -> str:
    text = "|".join(str(_json(value)) for value in lookup.values())
    return text if len(text) <= 200 else f"{text[:150]}…{hashlib.sha1(text.encode()).hexdigest()}"  # noqa: S324


def _edited_by_someone(obj: models.Model) -> bool:
    """Whether anyone but the seed loader has written the record (for records the baseline does not know yet)."""
    return obj.history.exclude(history_change_reason=REASON).exists()


def _last_edit(model: type[models.Model], object_id: int) -> str:
    """ ", edited 2026-11-23 by hcmc-portal": the latest write to the record that was not the seeds'."""
    entry = (
        model.history.filter(id=object_id)
        .exclude(history_change_reason=REASON)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if entry is None:
        return ""
    who = entry.history_user.get_username() if entry.history_user_id else "someone"
    return f", edited {timezone.localdate(entry.history_date):%Y-%m-%d} by {who}"


def _typed(field: models.Field, value: Any, where: str) -> Any:
    """The YAML value checked against the field's type: text stays text, dates are dates (not strings)."""
    if value is None:
        return None
    if isinstance(field, (models.CharField, models.TextField)):
        if not isinstance(value, str):
            raise SeedError(f"{where}: expected text, got {value!r} (quote it in the YAML).")
        return nfc(value)
    if isinstance(field, models.DateField):
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            raise SeedError(f"{where}: expected a date written YYYY-MM-DD without quotes, got {value!r}.")
        return value
    if isinstance(field, models.BooleanField) and not isinstance(value, bool):
        raise SeedError(f"{where}: expected true or false, got {value!r}.")
    if isinstance(field, models.IntegerField) and (isinstance(value, bool) or not isinstance(value, int)):
        raise SeedError(f"{where}: expected a whole number, got {value!r}.")
    return value


def _label(name: str, obj: models.Model) -> str:
    return f"{name} ({getattr(obj, 'slug', None) or obj})"


def _brief(record: Any) -> str:
    if not isinstance(record, dict):
        return repr(record)[:60]
    for key in ("slug", "name"):
        if key in record:
            return str(record[key])
    return ", ".join(f"{key}={record[key]}" for key in ("person", "post", "subject", "object", "kind") if key in record)


def _messages(error: Exception) -> str:
    if not isinstance(error, ValidationError):
        return str(error)
    if hasattr(error, "message_dict"):
        return "; ".join(f"{key}: {' '.join(messages)}" for key, messages in error.message_dict.items())
    return " ".join(error.messages)
