"""The seed file as read: its sections and keys, the YAML reader that refuses a repeated key, the report of a run."""

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml
from django.conf import settings
from django.db import models

from registry.models.documents import Document
from registry.models.events import Event
from registry.models.organizations import Organization, OrganizationRelationship
from registry.models.people import Person
from registry.models.posts import Appointment, Portfolio, Post
from registry.services import Refused

REASON = "load_seeds"

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"
SEED_FILE = SEEDS_DIR / "registry.yaml"

SOURCE_KEYS = {"document", "quote", "field"}
DUTY_KEYS = {"document", "text", "text_en"}
#: An event's appearance: the appointment (by its natural key) and the sentence that shows it at the event.
APPEARANCE_KEYS = {"person", "post", "start_date", "document", "quote", "note"}


class SeedError(Refused):
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
    "events": Section(
        Event,
        ("slug",),
        frozenset({"slug", "name", "classification"}),
        more=frozenset({"appearances"}),
        filled_in=frozenset({"appointments"}),
    ),
}
#: Not stored on the record itself: handled after it is saved.
LATER_KEYS = {"sources", "duties", "legal_basis", "appearances"}
#: Load order: what a section refers to is loaded before it.
ORDER = ("organizations", "documents", "portfolios", "people", "posts", "appointments", "relationships", "events")


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
