"""The only code that writes registry records: the API, the admin and the seed loader all call these functions.

Each write runs in one transaction and, in this order: locks what it reads (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite's IMMEDIATE transactions let one writer in at a time), checks the client's precondition (``If-Match``) against
the locked row, applies only the fields the caller changes, runs ``full_clean()`` once, saves, bumps the version (the
ETag) of the record and of the records whose representation shows it, keeps the reason in the history and appends
the write to the change feed; the registry's revision (changes/revision.py) goes up once the transaction commits.
Two clients changing different fields of one record therefore never undo each other.
"""

from registry.services.appointments import (
    Successor,
    appointment_create,
    appointment_end,
    appointment_update,
    post_succeed,
    succession_reason,
)
from registry.services.citations import citations_add
from registry.services.records import record_create, record_delete, record_update
from registry.services.saving import (
    MAX_SOURCES,
    PreconditionFailed,
    Refused,
    check_precondition,
    etag,
    lock,
    with_default_precisions,
)

__all__ = [
    "MAX_SOURCES",
    "PreconditionFailed",
    "Refused",
    "Successor",
    "appointment_create",
    "appointment_end",
    "appointment_update",
    "check_precondition",
    "citations_add",
    "etag",
    "lock",
    "post_succeed",
    "record_create",
    "record_delete",
    "record_update",
    "succession_reason",
    "with_default_precisions",
]
