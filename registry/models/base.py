"""Pieces shared by every registry model."""

import datetime
import operator
import re
from functools import reduce

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, router
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from registry import clock
from registry.choices import DatePrecision
from registry.text import fold, nfc, search_tokens, text_problem

#: The largest value of a PositiveSmallIntegerField on every supported database. Stated on the fields, because each
#: database's own range differs (SQLite's is 64-bit) and the API schema must not depend on the database.
SMALLINT_MAX = 32767


def in_effect_on(day: datetime.date, start: str = "start_date", end: str = "end_date") -> Q:
    """The one rule of "in effect on a day", both ends inclusive: begun on or before ``day`` (or its beginning
    unknown) and not ended before it (or still open). Appointments, relationships, bodies and their posts all use it.
    """
    return (Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": day})) & (
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": day})
    )


def in_effect(day: datetime.date, start: datetime.date | None, end: datetime.date | None) -> bool:
    """``in_effect_on`` for one record in memory: the same rule, for values already loaded."""
    return (start is None or start <= day) and (end is None or day <= end)


class RegistryQuerySet(models.QuerySet):
    """What every list of registry records can do: search, and (with ``span`` set) "as of a day" and "current"."""

    #: The (start, end) fields whose span says when a record is in effect; None for records without one.
    span: tuple[str, str] | None = None
    #: The folded texts a search word may be found in (each word in one of them); results rank by the first.
    searched: tuple[str, ...] = ("search_text",)

    def as_of(self, day: datetime.date):
        """The records in effect on ``day`` (for appointments: those holding their post that day)."""
        return self.filter(in_effect_on(day, *self.span))

    def current(self):
        """The records in effect today (the registry's clock)."""
        return self.as_of(clock.today())

    def search(self, query: str):
        """Records whose folded names contain every folded word of ``query``; exact and prefix matches first.

        Accent- and case-insensitive: `nguyen van duoc` finds Nguyễn Văn Được (`đ` folds to `d`).
        """
        tokens = search_tokens(query)
        if not tokens:
            return self
        found = self
        for token in tokens:
            found = found.filter(reduce(operator.or_, (Q(**{f"{text}__contains": token}) for text in self.searched)))
        phrase = " ".join(tokens)
        rank = Case(
            When(
                Q(search_text=phrase)
                | Q(search_text__startswith=f"{phrase} |")
                | Q(search_text__contains=f"| {phrase} |")
                | Q(search_text__endswith=f"| {phrase}"),
                then=Value(0),
            ),
            When(Q(search_text__startswith=phrase) | Q(search_text__contains=f"| {phrase}"), then=Value(1)),
            When(search_text__contains=phrase, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
        return found.annotate(search_rank=rank).order_by("search_rank", *self.model._meta.ordering)


class ChecksAtSave(models.Model):
    """Validation that can leave the check constraints to the database (the services' one ``full_clean``)."""

    class Meta:
        abstract = True

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True, *, checks_at_save=False):
        """As Django's. ``checks_at_save``: the check constraints are left to the database, which refuses a row that
        breaks one as it is written; ``check_refusal`` turns that refusal into the error validating would give.
        Django asks the database about each check in a query (and a savepoint) of its own before the write."""
        self._checks_at_save = checks_at_save
        try:
            super().full_clean(exclude, validate_unique, validate_constraints)
        finally:
            del self._checks_at_save

    def validate_constraints(self, exclude=None):
        """As Django's, but a broken check constraint is reported on the field it protects, not on the record."""
        errors: dict[str, list] = {}
        using = router.db_for_write(type(self), instance=self)
        checks_at_save = getattr(self, "_checks_at_save", False)
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                if checks_at_save and isinstance(constraint, models.CheckConstraint):
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    errors.setdefault(constraint_field(constraint), []).append(error)
        if errors:
            raise ValidationError(errors)


class RegistryModel(ChecksAtSave):
    """Timestamps, sources, and NFC text on save for every record of the registry."""

    created = models.DateTimeField(
        auto_now_add=True, verbose_name=_("created"), help_text=_("When this record was created.")
    )
    updated = models.DateTimeField(
        auto_now=True, verbose_name=_("updated"), help_text=_("When this record was last changed.")
    )
    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        verbose_name=_("version"),
        help_text=_("Goes up with every write of the record (its fields, sources and appointments): its ETag."),
    )
    sources = GenericRelation(
        "registry.Citation",
        verbose_name=_("sources"),
        help_text=_("Citations: the documents and verbatim quotes this record rests on."),
    )

    #: Every change is kept: who, when, what, and why (``instance._change_reason``). Deleted records stay here.
    history = HistoricalRecords(
        inherit=True,
        excluded_fields=("search_text", "version"),
        history_change_reason_field=models.TextField(null=True),
    )

    #: Text fields folded into ``search_text`` (accent- and case-insensitive search).
    search_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.normalise_text()
        super().save(*args, **kwargs)

    def normalise_text(self) -> None:
        """Store every character field in NFC, so equal Vietnamese strings compare equal."""
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(field, (models.CharField, models.TextField)) and isinstance(value, str):
                setattr(self, field.attname, nfc(value))
        if self.search_fields:
            self.search_text = " | ".join(fold(getattr(self, name) or "") for name in self.search_fields)

    def clean_fields(self, exclude=None):
        self.normalise_text()
        clean_fields_and_text(self, super().clean_fields, exclude)


def check_refusal(instance: models.Model, error: IntegrityError) -> ValidationError | None:
    """The error validating ``instance`` gives for the check constraint the database names in ``error`` (its field,
    message and code), or None when ``error`` is not about one of the model's check constraints."""
    refused = str(error)
    for _model, constraints in instance.get_constraints():
        for constraint in constraints:
            named_in_it = re.search(rf"\b{re.escape(constraint.name)}\b", refused)
            if isinstance(constraint, models.CheckConstraint) and named_in_it:
                code = constraint.violation_error_code
                message = ValidationError(constraint.get_violation_error_message(), code=code)
                return ValidationError({constraint_field(constraint): [message]})
    return None


def text_errors(instance: models.Model, exclude=None) -> dict[str, list[ValidationError]]:
    """Each editable text field of ``instance`` that breaks the one text rule (``registry.text.text_problem``).

    Every text a person can enter is checked, whichever way it came in (admin, API, seeds, Popolo import): they all
    run ``full_clean``. Text fields (TextField) are multi-line; a CharField is one line. Choices are left to Django.
    """
    errors: dict[str, list[ValidationError]] = {}
    for field in instance._meta.concrete_fields:
        if not isinstance(field, (models.CharField, models.TextField)) or field.choices or not field.editable:
            continue
        if exclude and field.name in exclude:
            continue
        value = getattr(instance, field.attname)
        if not isinstance(value, str):
            continue
        problem = text_problem(value, multiline=isinstance(field, models.TextField), required=not field.blank)
        if problem:
            errors[field.name] = [ValidationError(problem, code="text")]
    return errors


def references_read(instance: models.Model) -> set[str]:
    """The references to records ``instance`` holds as read from the database: Django would ask the database whether
    each still exists; the database's own foreign key refuses the write if one has gone meanwhile."""
    read = set()
    for field in instance._meta.concrete_fields:
        if field.many_to_one and field.is_cached(instance):
            target = field.get_cached_value(instance)
            if target is not None and not target._state.adding and target.pk == getattr(instance, field.attname):
                read.add(field.name)
    return read


def clean_fields_and_text(instance: models.Model, clean_fields, exclude=None) -> None:
    """Django's ``clean_fields`` (``clean_fields``, bound) and the text rule, their errors reported together."""
    errors = text_errors(instance, exclude)
    try:
        clean_fields(exclude={*(exclude or ()), *references_read(instance)})
    except ValidationError as error:
        for name, messages in error.error_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


#: Constraint name (as declared, with its %(app_label)s_%(class)s prefix) -> the field a violation is reported on.
_CONSTRAINT_FIELDS: dict[str, str] = {}


def named(rule: str) -> str:
    """A constraint's name: the model's table prefix (filled in by Django, ``registry_post_``) and the ``rule``."""
    return f"%(app_label)s_%(class)s_{rule}"


def reported_on(field: str, constraint):
    """Declare the field a constraint's violation is reported on (an API 400 then names it)."""
    _CONSTRAINT_FIELDS[constraint.name.split("%(class)s_", 1)[-1]] = field
    return constraint


def constraint_field(constraint) -> str:
    """The field a constraint protects: as declared with ``reported_on``, a one-field constraint's field, or none."""
    for suffix, field in _CONSTRAINT_FIELDS.items():
        if constraint.name.endswith(f"_{suffix}"):
            return field
    fields = getattr(constraint, "fields", ())
    return fields[0] if len(fields) == 1 else NON_FIELD_ERRORS


def date_precisions(model: type[models.Model]) -> dict[str, str]:
    """Each dated field of ``model`` and the field beside it holding its precision (``<date>_precision``)."""
    names = {field.name for field in model._meta.concrete_fields}
    return {
        field.name: f"{field.name}_precision"
        for field in model._meta.concrete_fields
        if type(field) is models.DateField and f"{field.name}_precision" in names
    }


def precision_or_exact(date: datetime.date | None, precision: str | None) -> str | None:
    """No precision means exact: a date given without its precision is ``exact``; without a date none is implied.
    The one statement of the rule: the services, the Popolo import and the admin's desk ask it."""
    if precision:
        return precision
    return DatePrecision.EXACT if date is not None else ""


def search_text_field() -> models.TextField:
    return models.TextField(
        editable=False,
        blank=True,
        default="",
        verbose_name=_("search text"),
        help_text=_("Accent-folded, lower-case copy of the searchable names (maintained on save)."),
    )


def ends_after_starts(start: str, end: str, name: str) -> models.CheckConstraint:
    """A named constraint: an open end (NULL) or an end on or after the start."""
    return reported_on(
        end,
        models.CheckConstraint(
            condition=Q(**{f"{end}__isnull": True})
            | Q(**{f"{start}__isnull": True})
            | Q(**{f"{end}__gte": models.F(start)}),
            name=name,
            violation_error_message=f"{end} must be on or after {start}.",
        ),
    )


def precision_goes_with_date(date: str, precision: str, name: str) -> models.CheckConstraint:
    """A named constraint: a precision is given exactly when its date is."""
    return reported_on(
        precision,
        models.CheckConstraint(
            condition=(Q(**{f"{date}__isnull": True}) & Q(**{precision: ""}))
            | (Q(**{f"{date}__isnull": False}) & ~Q(**{precision: ""})),
            name=name,
            violation_error_message=f"{precision} goes with {date}: give both, or neither.",
        ),
    )


def precision_field(verbose_name=None, help_text: str = "", **options) -> models.CharField:
    """The precision of a date (``DatePrecision``); blank, as its date may be, unless ``options`` say otherwise."""
    options.setdefault("blank", True)
    return models.CharField(
        max_length=10, choices=DatePrecision.choices, verbose_name=verbose_name, help_text=help_text, **options
    )


def span_constraints(
    start: str = "start_date",
    end: str = "end_date",
    *,
    names: tuple[str, str, str] = ("end_after_start", "start_precision", "end_precision"),
) -> list[models.CheckConstraint]:
    """The rules of a dated span, as named constraints: it ends on or after it starts, and each of its dates comes
    with its precision (``<date>_precision``). ``names``: of those three rules, after the model's prefix."""
    after, start_precision, end_precision = (named(name) for name in names)
    return [
        ends_after_starts(start, end, after),
        precision_goes_with_date(start, f"{start}_precision", start_precision),
        precision_goes_with_date(end, f"{end}_precision", end_precision),
    ]


def refused_unless(field: str, condition: Q, name: str, message: str) -> models.CheckConstraint:
    """A named check constraint: rows must meet ``condition``; a violation is reported on ``field`` with ``message``."""
    return reported_on(field, models.CheckConstraint(condition=condition, name=name, violation_error_message=message))


def refused_when_equal(left: str, right: str, name: str, message: str, *, field: str = "") -> models.CheckConstraint:
    """A named check constraint: ``left`` never points at what ``right`` is (a body is not its own parent, a post
    not ex officio of itself); a violation is reported on ``field`` (``left`` unless said)."""
    return refused_unless(field or left, ~Q(**{left: models.F(right)}), name, message)
