"""The change feed: one entry per write, written in the writing transaction, read back in commit order.

Each entry gets a ``position`` from the registry's own counter (``FeedCounter``, one row) when its transaction
commits, so positions belong to the registry: they survive backup, restore onto a new server and replica promotion,
and a cursor is simply "after position N".

- PostgreSQL: a deferred constraint trigger (``registry_change_place``, migration 0011) runs at the end of each
  writing transaction. It locks the counter row, takes the next numbers and gives them to the transaction's entries in
  id order. The lock is held from then until the commit is complete, so the next writer takes the following numbers
  only once this commit is visible: positions are in commit order, and a rolled-back transaction takes none. A reader
  therefore needs no "settled" line: every entry it can see is final, and no transaction, long or read-only, in this
  database or another, holds the feed back. The cost is that commits of writing transactions queue on that row for
  the length of one commit (docs/api.md: "History and the change feed").
- SQLite: writers run one at a time (IMMEDIATE transactions), so the position is taken from the same counter as the
  entry is written.
- An entry keeps the record as the API shows it. The feed does not import the API: the app registers that
  representation at start-up (``set_representer``, registry/apps.py), so writing stays below the API.
- Cursors issued before positions (``base64("txid.id")``) are still read: they mean "after the last entry that was
  at or before (txid, id)", which ``Change.txid`` (kept for those entries only) finds.
"""

import base64
import binascii
import contextvars
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, models
from django.utils import timezone

from registry.choices import ChangeType
from registry.models import Change, FeedCounter

#: The request being served, so the services know who writes without every caller passing it.
_request: contextvars.ContextVar = contextvars.ContextVar("registry_request", default=None)

#: The constraint trigger that places a transaction's entries as it commits (PostgreSQL; migration 0011).
PLACE_TRIGGER = "registry_change_place"
#: The largest number a cursor can hold (a PostgreSQL bigint): a larger one is refused, not sent to the database.
LARGEST = 2**63 - 1

#: How an entry shows its record (``set_representer``).
_representer = None


def set_representer(representer) -> None:
    """Set how an entry shows its record: ``representer(instance) -> dict`` (the app sets the API's at start-up)."""
    global _representer
    _representer = representer


def representation(instance: models.Model) -> dict:
    if _representer is None:
        raise ImproperlyConfigured("The change feed has no representer: RegistryConfig.ready() sets it.")
    return _representer(instance)


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
    entry = Change(
        model=model_key(type(instance)),
        object_id=instance.pk,
        type=change_type,
        date=timezone.now(),
        user=current_username(),
        reason=reason or "",
        fields=sorted(fields),
        data=representation(instance),
    )
    if connection.vendor != "postgresql":
        entry.position = take_positions(1)  # on PostgreSQL the trigger places it at commit
    entry.save()
    return entry


def log_deletion(instance: models.Model, *, reason: str = "") -> Change:
    return log(instance, ChangeType.DELETED, reason=reason)


def take_positions(count: int) -> int:
    """Take ``count`` positions from the counter where writers run one at a time (SQLite; the generator's single
    transaction); returns the first. One statement. Never below an entry already placed: a restored backup may have
    left the counter behind its entries, and the numbers continue after them."""
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    taken = (
        f"UPDATE {FeedCounter._meta.db_table} SET last = {greatest}(last,"  # noqa: S608 - names, not input
        f" (SELECT COALESCE(MAX(position), 0) FROM {Change._meta.db_table})) + %s WHERE id = %s RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(taken, [count, FeedCounter.ONLY])
        row = cursor.fetchone()
        if row is None:  # the row is missing (a flushed test database): create it, then take
            FeedCounter.objects.get_or_create(pk=FeedCounter.ONLY)
            cursor.execute(taken, [count, FeedCounter.ONLY])
            row = cursor.fetchone()
    return row[0] - count + 1


@dataclass(frozen=True, order=True)
class Position:
    """A place in the feed: after the entry at ``position`` (0: before the first)."""

    position: int

    def encode(self) -> str:
        return base64.urlsafe_b64encode(str(self.position).encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> "Position":
        """A cursor this feed issued: ``base64(position)``, or one issued before positions, ``base64(txid.id)``."""
        try:
            parts = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii").split(".")
            numbers = [int(part) for part in parts if part.isdigit()]
        except (ValueError, UnicodeDecodeError, binascii.Error) as error:
            raise ValidationError({"cursor": "Not a cursor this feed issued."}) from error
        if len(numbers) != len(parts) or len(parts) not in (1, 2) or max(numbers) > LARGEST:
            raise ValidationError({"cursor": "Not a cursor this feed issued."})
        return cls(numbers[0]) if len(numbers) == 1 else cls.of_legacy(*numbers)

    @classmethod
    def of(cls, entry: Change) -> "Position":
        return cls(entry.position)

    @classmethod
    def of_legacy(cls, txid: int, id_: int) -> "Position":
        """Where an old ``(txid, id)`` place is now: after the last entry that was at or before it (0: none)."""
        return cls(legacy_position(txid, id_))


def legacy_position(txid: int, id_: int) -> int:
    """The position of the last entry at or before ``(txid, id)`` in the order before positions, or 0."""
    place_own_entries()
    entries = Change.objects.filter(txid__isnull=False)
    before = entries.filter(models.Q(txid__lt=txid) | models.Q(txid=txid, id__lte=id_))
    return before.order_by("-txid", "-id").values_list("position", flat=True).first() or 0


def place_own_entries() -> None:
    """Inside a transaction that has written entries, place them now (PostgreSQL), so it can read its own writes in
    the feed (tests do; an ordinary read runs outside any transaction and finds nothing to place). The counter is then
    held until this transaction commits, which keeps commit order."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {PLACE_TRIGGER} IMMEDIATE")


def settled():
    """The entries with their place in the feed: every entry another transaction can see (and, after
    ``place_own_entries``, the reader's own)."""
    return Change.objects.filter(position__isnull=False)


def page(position: Position | None, limit: int) -> models.QuerySet:
    """The query of up to ``limit`` entries after ``position`` (from the start when None), in commit order."""
    place_own_entries()
    entries = settled()
    if position is not None:
        entries = entries.filter(position__gt=position.position)
    return entries.order_by("position")[:limit]


def entries_after(position: Position | None, limit: int) -> list[Change]:
    """The entries of one ``page``: one query."""
    return list(page(position, limit))


def last_position() -> Position:
    """After the newest entry (0 when the feed is empty): where a reader starts to get only what is written later."""
    place_own_entries()
    return Position(settled().order_by("-position").values_list("position", flat=True).first() or 0)


def position_before_moment(moment) -> Position:
    """Where to start reading to get the entries written after ``moment`` (``since=``): before the first of them,
    or, when there is none yet, at the end of the feed (anything written later comes after it)."""
    place_own_entries()
    first = settled().filter(date__gt=moment).order_by("position").values_list("position", flat=True).first()
    return Position(first - 1) if first is not None else last_position()
