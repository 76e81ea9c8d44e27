"""Commits as production makes them, inside a test's rolled-back transaction.

Each test runs inside an atomic block that never commits, so ``transaction.on_commit`` callbacks (the registry
revision's bump, registry/http/caching.py) would never run and every answer kept under the old validator would look
current. Here a callback runs when the transaction that registered it would have committed in production: when the
outermost atomic block *of the code under test* ends without an error, or at once when it was registered outside any
(autocommit). A rolled-back block drops its callbacks as Django always does. Production code is untouched.
"""

import contextlib

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import Atomic


def in_code_transaction(connection) -> bool:
    """Whether an atomic block of the code (not the test's own) is open on this connection."""
    return any(not block._from_testcase for block in connection.atomic_blocks)


def run_committed(connection) -> None:
    """Run every callback that waits only on the test's own blocks (each once: captured copies may run it again)."""
    if not connection.in_atomic_block or in_code_transaction(connection):
        return
    done = connection.__dict__.setdefault("_committed_in_test", {})  # id -> entry: kept alive, so ids stay unique
    for entry in list(connection.run_on_commit):
        if id(entry) not in done:
            done[id(entry)] = entry
            entry[1]()


@contextlib.contextmanager
def commits_as_in_production():
    original_exit, original_on_commit = Atomic.__exit__, BaseDatabaseWrapper.on_commit

    def exit_(self, exc_type, exc_value, traceback):
        result = original_exit(self, exc_type, exc_value, traceback)
        if exc_type is None:
            run_committed(transaction.get_connection(self.using))
        return result

    def on_commit(self, func, robust=False):
        original_on_commit(self, func, robust)
        run_committed(self)

    Atomic.__exit__, BaseDatabaseWrapper.on_commit = exit_, on_commit
    try:
        yield
    finally:
        Atomic.__exit__, BaseDatabaseWrapper.on_commit = original_exit, original_on_commit
        for connection in connections.all(initialized_only=True):
            connection.__dict__.pop("_committed_in_test", None)
