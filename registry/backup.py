"""A backup that is one snapshot of the registry, and the fingerprint that proves a restore loaded exactly it.

``scripts/backup`` dumps every model (``dumpdata``) and fingerprints the content (``registry_fingerprint``) inside ONE
transaction that sees one state of the database: on PostgreSQL a ``REPEATABLE READ, READ ONLY`` transaction (one
snapshot for every query, and writers are never blocked), on SQLite the write lock (the settings' ``IMMEDIATE``
transactions take it at ``BEGIN``; readers carry on, writers queue until the dump ends). Dumped table by table outside
such a transaction, a backup taken during writes holds people without their feed entries, identifiers or history.

The fingerprint is stored in the backup file itself, as a YAML comment on its last line (appended as a second gzip
member, which every gzip reader joins): the loader ignores it, ``restore_registry`` reads it and refuses a load whose
fingerprint differs. It detects a damaged or edited file, not a forger (who could rewrite the line too).
"""

import gzip
import json
from pathlib import Path

from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from registry.fingerprint import fingerprint

#: The last line of a backup: this prefix, then the fingerprint as JSON.
FINGERPRINT_PREFIX = "# registry-fingerprint: "
#: What the backup leaves out: rebuilt by ``migrate`` (content types, permissions) or transient (sessions, lockouts).
DUMP_EXCLUDES = ("contenttypes", "auth.permission", "sessions", "axes")


class FingerprintMismatch(Exception):
    """The database after a restore does not hold what the backup's fingerprint says."""


def _open(path: Path, mode: str):
    return gzip.open(path, mode, encoding="utf-8") if path.suffix == ".gz" else path.open(mode, encoding="utf-8")


def as_record(counts: dict[str, int], content_hash: str) -> dict:
    return {"rows": counts, "total": sum(counts.values()), "sha256": content_hash}


def _begin_snapshot(using: str) -> None:
    """Make the current (just begun) transaction see one state of the database for all its queries."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # must be the transaction's first statement
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    # SQLite: transaction.atomic() began IMMEDIATE (config/settings.py), which holds the write lock until the end.


def backup(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> dict:
    """Write the whole registry to ``path`` (``.yaml`` or ``.yaml.gz``) and its fingerprint, from one snapshot."""
    connection = connections[using]
    connection.ensure_connection()  # connection set-up queries run before the snapshot transaction, not inside it
    with transaction.atomic(using=using):
        _begin_snapshot(using)
        call_command(
            "dumpdata",
            natural_foreign=True,
            natural_primary=True,
            exclude=list(DUMP_EXCLUDES),
            format="yaml",
            output=str(path),
            database=using,
            verbosity=0,
        )
        record = as_record(*fingerprint(using))
    with _open(path, "at") as stream:  # a second gzip member: gzip readers read both as one text
        stream.write(f"\n{FINGERPRINT_PREFIX}{json.dumps(record, sort_keys=True)}\n")
    return record


def stored_fingerprint(path: Path) -> dict | None:
    """The fingerprint a backup file carries (its last fingerprint line), or None for a file without one."""
    found = None
    with _open(path, "rt") as stream:
        for line in stream:
            if line.startswith(FINGERPRINT_PREFIX):
                found = line[len(FINGERPRINT_PREFIX) :]
    if found is None:
        return None
    try:
        record = json.loads(found)
    except ValueError:
        return {"unreadable": found.strip()[:200]}
    return record if isinstance(record, dict) else {"unreadable": found.strip()[:200]}


def differences(expected: dict, actual: dict) -> list[str]:
    """What differs between two fingerprints, model by model, in words."""
    problems = []
    if "unreadable" in expected:
        return [f"the backup's fingerprint line cannot be read: {expected['unreadable']!r}"]
    wanted, found = expected.get("rows") or {}, actual["rows"]
    for label in sorted(set(wanted) | set(found)):
        if wanted.get(label, 0) != found.get(label, 0):
            said, held = wanted.get(label, 0), found.get(label, 0)
            problems.append(f"{label}: the backup says {said} rows, the database holds {held}")
    if expected.get("sha256") != actual["sha256"]:
        said = expected.get("sha256")
        problems.append(f"content hash: the backup says {said}, the database gives {actual['sha256']}")
    return problems


def restore(path: Path, *, using: str = DEFAULT_DB_ALIAS, verify: bool = True) -> dict:
    """Load ``path`` and check the fingerprint in the same transaction: on any difference nothing stays loaded."""
    from django.test.utils import override_settings

    expected = stored_fingerprint(path) if verify else None
    if verify and expected is None:
        raise FingerprintMismatch(
            f"{path} carries no fingerprint line ({FINGERPRINT_PREFIX.strip()}): it was not written by scripts/backup, "
            "or it was cut short; restore it anyway with --no-verify"
        )
    with transaction.atomic(using=using):
        # The backup holds the history itself: loading must not add entries of its own (django-simple-history
        # records many-to-many changes even for fixture loads).
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", str(path), database=using, verbosity=0)
        actual = as_record(*fingerprint(using))
        if expected is not None:
            problems = differences(expected, actual)
            if problems:
                raise FingerprintMismatch(
                    "the restored database differs from the backup's fingerprint (nothing was restored):\n  "
                    + "\n  ".join(problems)
                )
    return actual
