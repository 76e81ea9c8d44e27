"""How old the evidence of a record is: ``last_confirmed``, the day of the newest document that shows it in effect.

A record in effect today is only as good as its newest source: an appointment last shown a year ago may have ended
since without any document saying so. ``last_confirmed`` is computed, never stored (so no write can forget it): the
newest date among the documents citing the record whose day falls within the record's own span (an appointment's
start and end, a relationship's, a body's founding and dissolution; an open end is open). A document's day is its
``issued_on`` or, for an article, its ``published_on``. An end recorded as ``attested`` or ``inferred`` is by its
precision the last day a source shows the record (an undated article whose day is inferred, like "Sáng 13-12"), so
it confirms the record on that day too; an ``exact`` end says when it stopped, not that a source showed it then.

``stale``: the record claims to hold today (no end, or an end not yet passed) and its last confirmation is older
than ``STALE_AFTER_DAYS`` days (or there is none).
"""

import datetime

from django.conf import settings
from django.db.models import Case, DateField, F, Model, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest

from registry import clock
from registry.choices import DatePrecision
from registry.models import Citation

EARLIEST = datetime.date(1, 1, 1)
LATEST = datetime.date(9999, 12, 31)


def last_confirmed(model: type[Model], span: tuple[str, str]) -> Greatest:
    """The expression of ``last_confirmed`` for the rows of ``model`` whose span is the fields ``span``."""
    start, end = span
    day = Coalesce("document__issued_on", "document__published_on")
    # The content type by its natural key, joined in the subquery: no query when a view's queryset is declared.
    citations = (
        Citation.objects.filter(
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
            object_id=OuterRef("pk"),
        )
        .annotate(day=day)
        .filter(
            day__gte=Coalesce(OuterRef(start), Value(EARLIEST, output_field=DateField())),
            day__lte=Coalesce(OuterRef(end), Value(LATEST, output_field=DateField())),
        )
        .order_by("-day")
        .values("day")[:1]
    )
    newest = Subquery(citations, output_field=DateField())
    shown_last = Case(
        When(
            Q(**{f"{end}_precision__in": (DatePrecision.ATTESTED, DatePrecision.INFERRED)}),
            then=F(end),
        ),
        default=None,
        output_field=DateField(),
    )
    # GREATEST ignores NULLs on PostgreSQL but not on SQLite: each side falls back on the other.
    return Greatest(Coalesce(newest, shown_last), Coalesce(shown_last, newest), output_field=DateField())


def with_last_confirmed(queryset: QuerySet) -> QuerySet:
    """``queryset`` (of a model with a ``span``: appointments, relationships, bodies) annotated with last_confirmed."""
    return queryset.annotate(last_confirmed=last_confirmed(queryset.model, queryset.span))


def last_confirmed_of(record: Model) -> datetime.date | None:
    """The record's ``last_confirmed``: its annotation, or one query when it was read without it (after a write)."""
    if not hasattr(record, "last_confirmed"):
        found = with_last_confirmed(type(record).objects.filter(pk=record.pk)).values_list("last_confirmed")
        record.last_confirmed = next(iter(found), (None,))[0]
    return record.last_confirmed


def is_stale(confirmed: datetime.date | None, end: datetime.date | None) -> bool:
    """Whether a record with this last confirmation and this end claims today on evidence older than the setting."""
    today = clock.today()
    if end is not None and end < today:
        return False
    return confirmed is None or (today - confirmed).days > settings.STALE_AFTER_DAYS


def stale(record: Model) -> bool:
    end = getattr(record, type(record).objects.none().span[1])
    return is_stale(last_confirmed_of(record), end)
