"""A synthetic registry at national scale, for benchmarks: ``python manage.py generate_registry --scale 1.0``.

What it makes, at ``--scale 1.0``: 34 synthetic provinces ("Tỉnh Tổng hợp 01" …), each with its people's committee,
the committee's office, departments (Sở), steering committees and their working groups (about 5,100 bodies); about
21,000 posts (single-seat heads and deputies with portfolios, multi-seat deputy and member posts); 100,000 people;
twenty years (2006–2025) of successions in every seat (about 500,000 appointments); founding and staffing decisions
(documents), citations, duties, support relationships; one history row (django-simple-history) and one change-feed
entry per record. Everything is synthetic and says so: bodies carry a note, documents are titled "… synthetic
benchmark document N", and every history row and feed entry gives ``generate_registry`` as its reason.

Why it bypasses ``registry.services`` (the only writers of staff edits): this is a benchmark fill of an empty
database, not a write anyone made. The services lock, clean and log one record at a time, which at this size takes
hours; here rows go in batches of 5,000 in one transaction. Not even ``bulk_create``: on PostgreSQL its per-value
preparation and array quoting took three times as long as the inserts (77 s against 20 s at --scale 0.1), so rows
are tuples sent with ``COPY`` (PostgreSQL) or ``executemany`` (SQLite). The data is built to satisfy every rule the
services would check: the models' constraints, ``clean()`` (no more holders than seats on any day, appointments
within their body's life, on PostgreSQL the single-seat exclusion constraint), NFC text and ``search_text`` filled by
the models' own ``normalise_text()``, unique slugs, ``version`` 1, ``single_seat`` as ``Appointment.save()`` sets it.

Deterministic: one ``random.Random(seed)``, explicit primary keys from 1, and fixed timestamps (the records were all
"written" from ``GENERATED_AT`` on, one millisecond apart), so the same scale and seed give the same rows.
"""

import contextlib
import datetime
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, models, transaction

from registry.choices import (
    ChangeType,
)
from registry.models import (
    Appointment,
    Change,
    Citation,
    Document,
    Duty,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
)
from registry.synthetic.plan import Plan, RegistryNotEmpty, Sizes, build_plan, sizes_for
from registry.synthetic.representer import Representer, batched, created_fields
from registry.synthetic.staffing import appointments, citations, people
from registry.synthetic.vocabulary import BATCH_SIZE, DEFAULT_SEED, GENERATED_AT, REASON
from registry.text import nfc


class Table:
    """One table's columns, and how a Python value becomes what the database driver takes for each.

    Rows go in as tuples, not model instances: at this size building a model instance per history row and feed entry,
    and Django's per-value preparation in ``bulk_create``, cost more than the inserts themselves.
    """

    def __init__(self, model: type[models.Model]):
        fields = model._meta.concrete_fields
        self.model, self.name = model, model._meta.db_table
        self.attnames = [f.attname for f in fields]
        self.columns = [f.column for f in fields]
        self.converters = [self.converter(f) for f in fields]

    @staticmethod
    def converter(f: models.Field) -> Callable | None:
        """What Django's ``get_db_prep_save`` does for this field on this database, for the values generated here."""
        if isinstance(f, models.JSONField):
            return lambda value: json.dumps(value, cls=f.encoder)
        if connection.vendor == "sqlite" and isinstance(f, models.DateTimeField):
            return connection.ops.adapt_datetimefield_value
        if connection.vendor == "sqlite" and isinstance(f, models.DateField):
            return connection.ops.adapt_datefield_value
        return None

    def row(self, values: Callable[[str], object]) -> tuple:
        """The row whose value for each attribute name is ``values(attname)``, ready for the driver."""
        row = []
        for name, convert in zip(self.attnames, self.converters, strict=True):
            value = values(name)
            row.append(value if convert is None or value is None else convert(value))
        return tuple(row)

    def insert(self, rows: list[tuple]) -> None:
        """PostgreSQL: one COPY (several times faster than INSERT for a bulk fill); SQLite: one executemany."""
        columns = ", ".join(connection.ops.quote_name(column) for column in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {connection.ops.quote_name(self.name)} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {connection.ops.quote_name(self.name)} ({columns}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows)


class Writer:
    """Inserts rows in batches, each record with its history row and feed entry, and times every table."""

    def __init__(self, stdout, batch_size: int):
        self.stdout, self.batch_size = stdout, batch_size
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.tables: dict = {}
        self.history_ids: dict = {}
        self.change_id = 0
        self.written: list[type[models.Model]] = []

    def moment(self) -> datetime.datetime:
        return GENERATED_AT + datetime.timedelta(milliseconds=self.change_id)

    def table(self, model: type[models.Model]) -> Table:
        if model not in self.tables:
            self.tables[model] = Table(model)
            self.written.append(model)
        return self.tables[model]

    def insert(self, model: type[models.Model], rows: list[tuple]) -> None:
        started = time.perf_counter()
        table = self.table(model)
        table.insert(rows)
        self.rows[table.name] = self.rows.get(table.name, 0) + len(rows)
        self.seconds[table.name] = self.seconds.get(table.name, 0.0) + time.perf_counter() - started

    def records(self, model: type[models.Model], instances: Iterable, represent: Callable[[models.Model], dict]):
        """Insert ``instances``, one history row ("+") and one feed entry ("created") each; returns the history ids
        given, by record id (the legal basis's historical rows point at them)."""
        history_model = model.history.model
        records, history, changes = self.table(model), self.table(history_model), self.table(Change)
        fields, kind = created_fields(model), model._meta.model_name
        given = {}
        for chunk in batched(instances, self.batch_size):
            record_rows, history_rows, change_rows = [], [], []
            for record in chunk:
                self.change_id += 1
                moment = self.moment()
                if hasattr(record, "normalise_text"):
                    record.normalise_text()  # NFC and search_text, exactly as save() would
                else:
                    record.quote = nfc(record.quote)
                record.created = moment
                if hasattr(record, "updated"):
                    record.updated = moment
                record_rows.append(records.row(lambda name, record=record: getattr(record, name)))
                history_id = self.history_ids[history_model] = self.history_ids.get(history_model, 0) + 1
                given[record.pk] = history_id
                extra = {
                    "history_id": history_id,
                    "history_date": moment,
                    "history_type": "+",
                    "history_change_reason": REASON,
                    "history_user_id": None,
                }
                history_rows.append(
                    history.row(
                        lambda name, record=record, extra=extra: extra[name] if name in extra else getattr(record, name)
                    )
                )
                entry = {
                    "id": self.change_id,
                    # Into an empty registry, in one transaction: the entries' order is their id order.
                    "position": self.change_id,
                    "txid": None,
                    "model": kind,
                    "object_id": record.pk,
                    "type": ChangeType.CREATED.value,
                    "date": moment,
                    "user": "",
                    "reason": REASON,
                    "fields": fields,
                    "data": represent(record),
                }
                change_rows.append(changes.row(entry.__getitem__))
            self.insert(model, record_rows)
            self.insert(history_model, history_rows)
            self.insert(Change, change_rows)
        self.report(model, history_model, Change)
        return given

    def report(self, *models_: type[models.Model]) -> None:
        """One line per table: rows so far and seconds spent on it so far."""
        for model in models_:
            table = model._meta.db_table
            self.stdout.write(f"{table:<45} {self.rows.get(table, 0):>10,} rows {self.seconds.get(table, 0):>8.1f} s")


@contextlib.contextmanager
def fixed_timestamps(models_: Iterable[type[models.Model]]):
    """Let ``created``/``updated`` keep the values given (auto_now would stamp the wall clock: not deterministic)."""
    saved = []
    for model in models_:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


FILLED = (
    Portfolio,
    Organization,
    Document,
    Person,
    Post,
    Appointment,
    OrganizationRelationship,
    Duty,
    Citation,
    Change,
)


def filled_tables() -> list[type[models.Model]]:
    """Every table the generator writes: the records, their history, the legal basis (and its history), the feed."""
    tables = [*FILLED]
    tables += [model.history.model for model in FILLED if hasattr(model, "history")]
    through = Organization.legal_basis.through
    tables += [through, historical_legal_basis()]
    return tables


def historical_legal_basis() -> type[models.Model]:
    from django.apps import apps

    return apps.get_model("registry", "HistoricalOrganization_legal_basis")


def refuse_unless_empty() -> None:
    held = {model._meta.db_table: model._default_manager.count() for model in filled_tables()}
    held = {table: count for table, count in held.items() if count}
    if held:
        listed = ", ".join(f"{table}: {count}" for table, count in held.items())
        raise RegistryNotEmpty(
            f"The database already holds registry records ({listed}). generate_registry fills an empty database "
            "only: run it on a freshly migrated one."
        )


def reset_sequences(tables: Iterable[type[models.Model]]) -> None:
    """Move each table's id sequence past the explicit ids written (PostgreSQL; SQLite's AUTOINCREMENT follows by
    itself). Never moves one back: a sequence is not rolled back with a transaction."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in tables:
            table, column = model._meta.db_table, model._meta.pk.column
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
            (sequence,) = cursor.fetchone()
            if sequence is None:
                continue
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - name from the catalog
            last_value, is_called = cursor.fetchone()
            cursor.execute(f'SELECT max("{column}") FROM "{table}"')  # noqa: S608 - names from the models
            highest = max(cursor.fetchone()[0] or 0, last_value if is_called else last_value - 1)
            if highest >= 1:
                cursor.execute("SELECT setval(%s, %s, true)", [sequence, highest])


def analyze() -> None:
    """Fresh planner statistics: a bulk fill leaves PostgreSQL guessing until autovacuum comes round."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@dataclass
class Result:
    sizes: Sizes
    rows: dict
    seconds: float


def generate(*, scale: float = 1.0, seed: int = DEFAULT_SEED, stdout, batch_size: int = BATCH_SIZE) -> Result:
    """Fill the empty database with the synthetic registry of ``scale`` (1.0: national); same seed, same rows."""
    started = time.perf_counter()
    rng, sizes = random.Random(seed), sizes_for(scale)  # noqa: S311 - reproducible data, not secrets
    stdout.write(
        f"generate_registry: scale {scale}, seed {seed}: {sizes.provinces} provinces, "
        f"{sizes.bodies_per_province} bodies each, {sizes.people:,} people"
    )
    writer = Writer(stdout, batch_size)
    with transaction.atomic(), fixed_timestamps(filled_tables()):
        refuse_unless_empty()
        write_all(rng, build_plan(rng, sizes), writer)
        reset_sequences(writer.written)
    analyze()
    seconds = time.perf_counter() - started
    stdout.write(f"{'total':<45} {sum(writer.rows.values()):>10,} rows {seconds:>8.1f} s")
    return Result(sizes, dict(writer.rows), seconds)


def write_all(rng: random.Random, plan: Plan, writer: Writer) -> None:
    """Every table, parents before the rows that point at them."""
    names, slugs = [""], [""]  # by person id (ids start at 1)
    represent = Representer(plan, names, slugs)
    writer.records(Portfolio, plan.portfolios, represent.portfolio)
    # Parents point at bodies with smaller ids (written earlier in the same batch or before), so no deferral needed.
    org_history = writer.records(Organization, plan.organizations, represent.organization)
    writer.records(Document, plan.documents, represent.document)
    write_legal_basis(plan, writer, org_history)

    def people_remembered():
        for person in people(rng, plan):
            names.append(person.name)
            slugs.append(person.slug)
            yield person

    writer.records(Person, people_remembered(), represent.person)
    writer.records(Post, plan.posts, represent.post)
    cited: list = []
    writer.records(Appointment, appointments(rng, plan, cited), represent.appointment)
    writer.records(OrganizationRelationship, plan.relationships, represent.organizationrelationship)
    writer.records(Duty, plan.duties, represent.duty)
    writer.records(Citation, citations(plan, cited, names), represent.citation)


def write_legal_basis(plan: Plan, writer: Writer, org_history: dict) -> None:
    """Each body's founding decision as its legal basis, in the record and in its creation's history row."""
    through, historical = Organization.legal_basis.through, historical_legal_basis()
    links, history = writer.table(through), writer.table(historical)
    rows, history_rows = [], []
    for number, (body_id, document) in enumerate(sorted(plan.founding_decision.items()), start=1):
        values = {
            "id": number,
            "m2m_history_id": number,
            "history_id": org_history[body_id],
            "organization_id": body_id,
            "document_id": document.id,
        }
        rows.append(links.row(values.__getitem__))
        history_rows.append(history.row(values.__getitem__))
    for chunk in batched(rows, writer.batch_size):
        writer.insert(through, chunk)
    for chunk in batched(history_rows, writer.batch_size):
        writer.insert(historical, chunk)
    writer.report(through, historical)
