"""Load seeds/registry.yaml: strict schema, upsert by natural key, one transaction, every quote checked.

Like openstates' importers: a record is created, updated or left unchanged, and a second run over the same file
changes nothing. Every record passes ``full_clean()``, so the loader refuses what the admin and the API refuse.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from registry.models import (
    Appointment,
    Citation,
    Document,
    Duty,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
)
from registry.text import nfc

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
SEED_FILE = SEEDS_DIR / "registry.yaml"

SOURCE_KEYS = {"document", "quote", "field"}
DUTY_KEYS = {"document", "text", "text_en"}


class SeedError(Exception):
    """The seed file is malformed or states something the registry refuses; nothing was written."""


@dataclass(frozen=True)
class Section:
    model: type[models.Model]
    key: tuple[str, ...]
    required: frozenset[str]
    optional: frozenset[str]
    references: dict[str, type[models.Model]] = field(default_factory=dict)


SECTIONS: dict[str, Section] = {
    "organizations": Section(
        Organization,
        ("slug",),
        frozenset({"slug", "name", "classification"}),
        frozenset(
            {
                "name_en",
                "abbreviation",
                "parent",
                "founding_date",
                "founding_date_precision",
                "dissolution_date",
                "dissolution_date_precision",
                "legal_basis",
                "note",
                "duties",
                "sources",
            }
        ),
        {"parent": Organization},
    ),
    "documents": Section(
        Document,
        ("slug",),
        frozenset({"slug", "kind", "title"}),
        frozenset(
            {
                "number",
                "title_en",
                "issuer",
                "issued_on",
                "published_on",
                "date_precision",
                "date_note",
                "publisher",
                "author",
                "file_name",
                "sources",
            }
        ),
        {"issuer": Organization},
    ),
    "portfolios": Section(Portfolio, ("slug",), frozenset({"slug", "name"}), frozenset({"name_en", "sources"})),
    "people": Section(
        Person,
        ("slug",),
        frozenset({"slug", "name"}),
        frozenset({"family_name", "given_name", "honorific", "sources"}),
    ),
    "posts": Section(
        Post,
        ("slug",),
        frozenset({"slug", "organization", "label", "role"}),
        frozenset({"label_en", "rank", "seats", "portfolio", "standing", "ex_officio_of", "sources"}),
        {"organization": Organization, "portfolio": Portfolio, "ex_officio_of": Post},
    ),
    "appointments": Section(
        Appointment,
        ("person", "post", "start_date"),
        frozenset({"person", "post", "start_date", "start_date_precision"}),
        frozenset({"capacity", "end_date", "end_date_precision", "end_reason", "note", "sources"}),
        {"person": Person, "post": Post, "capacity": Post},
    ),
    "relationships": Section(
        OrganizationRelationship,
        ("subject", "object", "kind"),
        frozenset({"subject", "object", "kind"}),
        frozenset(
            {
                "start_date",
                "start_date_precision",
                "end_date",
                "end_date_precision",
                "document",
                "description",
                "description_en",
                "sources",
            }
        ),
        {"subject": Organization, "object": Organization, "document": Document},
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
        total = (sum(self.created.values()), sum(self.updated.values()), sum(self.unchanged.values()))
        rows.append(f"{'total':>28}: {total[0]:>3} created, {total[1]:>3} updated, {total[2]:>3} unchanged")
        rows.append("nothing changed" if not self.changed else "changes written")
        return rows


def load_seed_file(path: Path = SEED_FILE) -> SeedReport:
    """Load the seed file in one transaction; raise SeedError (and write nothing) on the first refusal."""
    data = _read(path)
    with transaction.atomic():
        return _Loader(data, path.parent).run()


class _StrictLoader(yaml.SafeLoader):
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
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 - a SafeLoader
    except (OSError, yaml.YAMLError) as error:
        raise SeedError(f"{path}: cannot read the seed file: {error}") from error
    if not isinstance(data, dict):
        raise SeedError(f"{path}: expected a mapping of sections, got {type(data).__name__}.")
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise SeedError(f"{path}: unknown section(s) {sorted(unknown)}; expected {sorted(SECTIONS)}.")
    return data


class _Loader:
    def __init__(self, data: dict, folder: Path):
        self.data = data
        self.folder = folder
        self.report = SeedReport()
        self.later: list[tuple[str, models.Model, dict]] = []
        self.created: set[tuple[type[models.Model], int]] = set()

    def run(self) -> SeedReport:
        for name in ORDER:
            seen: set[tuple] = set()
            for record in self._records(name):
                obj = self._upsert_record(name, record)
                key = tuple(getattr(obj, field + "_id", None) or getattr(obj, field) for field in SECTIONS[name].key)
                if key in seen:
                    raise SeedError(f"{name} ({_brief(record)}): defined twice in the file.")
                seen.add(key)
                self.later.append((name, obj, record))
        for name, obj, record in self.later:
            label = _label(name, obj)
            if name == "organizations":  # an absent legal_basis means none, as for every other optional key
                self._set_legal_basis(obj, record.get("legal_basis") or [], label)
            if name == "organizations":
                duties = record.get("duties") or []
                for order, duty in enumerate(duties, start=1):
                    self._upsert_duty(obj, order, duty, label)
                self._remove_duties_after(obj, len(duties))
            self._upsert_sources(obj, record.get("sources") or [], label)
        return self.report

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

    def _upsert(self, model, lookup: dict, values: dict, where: str):
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj, outcome = model(**values), "created"
        else:
            changed = {key: value for key, value in values.items() if _differs(getattr(obj, key), value)}
            if not changed:
                self.report.count("unchanged", model)
                return obj
            for key, value in changed.items():
                setattr(obj, key, value)
            outcome = "updated"
        try:
            obj.full_clean()
        except ValidationError as error:
            raise SeedError(f"{where}: refused: {_messages(error)}") from error
        obj._change_reason = "load_seeds"
        obj.save()
        self.report.count(outcome, model)
        if outcome == "created":
            self.created.add((model, obj.pk))
        return obj

    def _document_text(self, file_name: str, where: str) -> str:
        path = self.folder / file_name
        if not path.is_file():
            raise SeedError(f"{where}: file_name {file_name!r} is not in {self.folder}.")
        return nfc(path.read_text(encoding="utf-8"))

    def _set_legal_basis(self, organization: Organization, slugs: list[str], where: str) -> None:
        wanted = {self._resolve(Document, slug, f"{where} legal_basis").pk for slug in slugs}
        if set(organization.legal_basis.values_list("pk", flat=True)) != wanted:
            organization.legal_basis.set(wanted)
            if (Organization, organization.pk) not in self.created:
                self.report.count("updated", Organization)

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
        self._upsert_sources(obj, [{"document": duty["document"], "quote": duty["text"]}], f"{where} duty #{order}")

    def _remove_duties_after(self, organization: Organization, count: int) -> None:
        """Duties the file no longer lists are deleted (their history keeps them)."""
        for duty in Duty.objects.filter(organization=organization, order__gt=count):
            duty._change_reason = "load_seeds"
            duty.delete()
            self.report.count("deleted", Duty)

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


def _differs(current: Any, wanted: Any) -> bool:
    if isinstance(current, models.Model) or isinstance(wanted, models.Model):
        return getattr(current, "pk", None) != getattr(wanted, "pk", None)
    return current != wanted


def _label(name: str, obj: models.Model) -> str:
    return f"{name} ({getattr(obj, 'slug', None) or obj})"


def _brief(record: Any) -> str:
    if not isinstance(record, dict):
        return repr(record)[:60]
    for key in ("slug", "name"):
        if key in record:
            return str(record[key])
    return ", ".join(f"{key}={record[key]}" for key in ("person", "post", "subject", "object", "kind") if key in record)


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{key}: {' '.join(messages)}" for key, messages in error.message_dict.items())
    return " ".join(error.messages)
