"""The registry's revision: one counter (``RegistryRevision``, one row) that goes up once after every write commits.

The services bump it (registry/services.py); the HTTP validators of every read are taken from it
(registry/http/caching.py), so this module is the writers' side of that counter and knows nothing of HTTP.

Bumped after the commit, in its own one-statement transaction: bumping inside the write transaction would make every
writer wait on this one row while holding its record locks (and could deadlock with them). A process that dies between
its commit and the bump leaves the revision unchanged until the next write: clients can be told "not modified" about
that write until then.
"""

from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from registry import clock
from registry.models import RegistryRevision


def bump() -> None:
    """Count one more change of the registry, now: one UPDATE, in its own transaction (autocommit)."""
    moment = clock.now()
    revisions = RegistryRevision.objects.filter(pk=RegistryRevision.ONLY)
    # Greatest: the moment never goes back, even when this host's clock is behind the last bump's.
    if revisions.update(number=F("number") + 1, changed=Greatest(F("changed"), Value(moment))):
        return
    try:  # the row is missing (a flushed test database): the first bump creates it
        with transaction.atomic():
            RegistryRevision.objects.create(pk=RegistryRevision.ONLY, number=1, changed=moment)
    except IntegrityError:  # another process created it first
        revisions.update(number=F("number") + 1, changed=Greatest(F("changed"), Value(moment)))


class PendingBump:
    """The bump one transaction registered to run after its commit (one object per transaction)."""

    def __init__(self):
        self.ran = False

    def __call__(self) -> None:
        if self.ran:  # once per transaction, however often its callbacks are replayed
            return
        self.ran = True
        bump()


def bump_after_commit(using: str | None = None) -> None:
    """Bump once after the current transaction commits, however many writes it makes; nothing if it rolls back.

    A transaction's callbacks are dropped when it (or the savepoint that registered them) rolls back, so a bump
    already waiting in them is the only reason not to register one.
    """
    connection = transaction.get_connection(using)
    waiting = (entry[1] for entry in connection.run_on_commit)
    if any(isinstance(callback, PendingBump) and not callback.ran for callback in waiting):
        return
    # robust: the write has committed; a failed bump must not turn its answer into an error (see the module notes).
    transaction.on_commit(PendingBump(), using=using, robust=True)


def bump_after_migrate(using: str = "default", **kwargs) -> None:
    """A migration (a deploy) may change how records are shown: answers cached before it are not current."""
    connection = connections[using]
    if router.allow_migrate_model(using, RegistryRevision) and (
        RegistryRevision._meta.db_table in connection.introspection.table_names()
    ):
        bump()
