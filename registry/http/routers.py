"""Reads from a replica, writes to the primary (`DATABASE_REPLICA_URL`).

A request that writes (any unsafe method: POST, PUT, PATCH, DELETE), and everything after a write in the same
request or command, reads from the primary too, so it sees its own changes; so does anything inside a transaction
on the primary (the services lock rows with SELECT … FOR UPDATE). Only the `default` database is migrated: the replica
gets its schema from replication. The pinning lives in a context variable that is reset for every request: app
processes keep no state of their own between requests.
"""

import contextvars

from django.db import connections

PRIMARY, REPLICA = "default", "replica"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("pinned_to_primary", default=False)


def pinned_to_primary() -> bool:
    return _pinned.get()


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if REPLICA not in connections.settings or _pinned.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        _pinned.set(True)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one data set, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class PrimaryAfterWriteMiddleware:
    """Starts every request unpinned (reads may go to the replica); a request that means to write starts pinned."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _pinned.set(request.method not in SAFE_METHODS)
        try:
            return self.get_response(request)
        finally:
            _pinned.reset(token)
