"""`/healthz` (the process answers) and `/readyz` (the database answers and every migration is applied).

Plain Django views: no authentication, no throttling, no session, and not part of the API schema. Both are cheap:
`/healthz` touches nothing; `/readyz` runs one query on the primary database and pings the cache (bounded by its
short timeouts). The database down or migrations missing is a 503: do not route here. The cache down is a 200 with
status "degraded": every answer is still correct (computed as if the cache were empty), only slower.
"""

import logging
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from registry.http import failsoft_cache
from registry.http.errors import error_body

logger = logging.getLogger(__name__)


@cache
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Every migration the code ships (read from disk once per process: the code does not change under it)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.nodes)


def unapplied_migrations(connection) -> list[str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = {(app, name) for app, name in cursor.fetchall()}
    except DatabaseError:
        # Either the database is down (this raises again) or it is up and was never migrated.
        if "django_migrations" in connection.introspection.table_names():
            raise
        applied = set()
    # A squashed migration counts as applied when everything it replaces is (Django records those names).
    return sorted(f"{app}.{name}" for app, name in migrations_on_disk() - applied)


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        missing = unapplied_migrations(connection)
    except DatabaseError as error:
        logger.warning("readyz: database unreachable: %s", error)
        return not_ready("database", "unreachable", "The database cannot be reached.")
    if missing:
        return not_ready(
            "migrations", "unapplied", f"{len(missing)} migration(s) not applied, e.g. {', '.join(missing[:3])}."
        )
    checks = {"database": "ok", "migrations": "ok"}
    checks["cache"] = failsoft_cache.state(caches[alias] for alias in settings.CACHES)
    return JsonResponse({"status": "ok" if checks["cache"] == "ok" else "degraded", "checks": checks})


def not_ready(check: str, code: str, message: str) -> JsonResponse:
    body = error_body(503, "not_ready", [{"field": check, "code": code, "message": message}])
    response = JsonResponse(body, status=503)
    response["Retry-After"] = "5"
    return response
