"""The change feed: one entry per write, written in the writing transaction, read back in commit order.

Why not timestamps: on PostgreSQL a transaction that started earlier can commit later than one stamped after it, so a
reader paging by time skips it forever. Each entry instead carries its transaction's id (``pg_current_xact_id()``), and
a page serves only entries of transactions older than the oldest one still running
(``pg_snapshot_xmin(pg_current_snapshot())``): everything below that line is final, so a cursor ``(txid, id)`` never
has an entry appear behind it. No lock is shared between writers. On SQLite writers run one at a time (IMMEDIATE
transactions), so the id alone is commit order.
"""

import base64
import binascii
import contextvars
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

from registry.caching import bump_after_commit
from registry.choices import ChangeType
from registry.models import Change

#: The request being served, so the services know who writes without every caller passing it.
_request: contextvars.ContextVar = contextvars.ContextVar("registry_request", default=None)

TXID = "pg_current_xact_id()::text::bigint"
# Settled: written by a transaction older than every running one; or by the reading transaction itself (a write and a
# read of the feed in one transaction, as tests do, sees its own entries; an ordinary read has no transaction id).
SETTLED = (
    "(txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
    " OR txid = pg_current_xact_id_if_assigned()::text::bigint)"
)


def serving(request):
    """Remember the request being served (a middleware calls it); returns the token to reset it with."""
    return _request.set(request)


def done_serving(token) -> None:
    _request.reset(token)


def current_username() -> str:
    """Who is writing: the signed-in user or the API key's account of the request; blank outside a request."""
    request = _request.get()
    user = getattr(request, "user", None)
    return user.get_username() if user is not None and user.is_authenticated else ""


def model_key(model: type[models.Model]) -> str:
    return model._meta.model_name


def log(instance: models.Model, change_type: str, *, reason: str = "", fields=()) -> Change:
    """Append the write of ``instance`` to the feed, in the caller's transaction."""
    from registry.api.serializers import feed_representation  # the feed speaks the API's language

    entry = Change(
        model=model_key(type(instance)),
        object_id=instance.pk,
        type=change_type,
        date=timezone.now(),
        user=current_username(),
        reason=reason or "",
        fields=sorted(fields),
        data=feed_representation(instance),
    )
    if connection.vendor == "postgresql":
        entry.txid = RawSQL(TXID, ())  # noqa: S611 - constant SQL, no parameters
    entry.save()
    # HTTP validators (registry/caching.py): the registry-wide counter goes up once the transaction has committed.
    bump_after_commit()
    return entry


def log_deletion(instance: models.Model, *, reason: str = "") -> Change:
    return log(instance, ChangeType.DELETED, reason=reason)


@dataclass(frozen=True, order=True)
class Position:
    """A place in the feed: after the entry ``(txid, id)``."""

    txid: int
    id: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.txid}.{self.id}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> "Position":
        try:
            txid, id_ = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii").split(".")
            position = cls(int(txid), int(id_))
        except (ValueError, UnicodeDecodeError, binascii.Error) as error:
            raise ValidationError({"cursor": "Not a cursor this feed issued."}) from error
        if position.txid < 0 or position.id < 0:
            raise ValidationError({"cursor": "Not a cursor this feed issued."})
        return position

    @classmethod
    def of(cls, entry: Change) -> "Position":
        return cls(entry.txid, entry.id)


def settled():
    """Entries no running transaction can still add to or come before: the part of the feed that is final."""
    entries = Change.objects.all()
    if connection.vendor == "postgresql":
        entries = entries.extra(where=[SETTLED])  # noqa: S610 - constant SQL, no parameters
    return entries


def page(position: Position | None, limit: int) -> models.QuerySet:
    """The query of up to ``limit`` settled entries after ``position`` (from the start when None), in commit order."""
    entries = settled()
    if position is not None:
        # A row comparison, so PostgreSQL and SQLite use the (txid, id) index as a range, not a filter.
        entries = entries.extra(where=["(txid, id) > (%s, %s)"], params=[position.txid, position.id])
    return entries.order_by("txid", "id")[:limit]


def entries_after(position: Position | None, limit: int) -> list[Change]:
    """The entries of one ``page``: one query."""
    return list(page(position, limit))


def position_before_moment(moment) -> Position:
    """Where to start reading to get the entries written after ``moment`` (``since=``): before the first of them,
    or, when there is none yet, at the end of the settled feed (anything written later comes after it)."""
    entries = settled().order_by("txid", "id")
    first = entries.filter(date__gt=moment).first()
    if first is not None:
        return Position(first.txid, first.id - 1)
    last = entries.last()
    return Position.of(last) if last is not None else Position(0, 0)
