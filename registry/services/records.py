"""Any record created, changed or deleted: the writers the API, the admin, the import and the seeds call."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext

from registry.changes import feed, revision
from registry.models import Appointment, Citation, Organization, Person
from registry.services.appointments import appointment_create, appointment_update
from registry.services.citations import citations_add
from registry.services.saving import (
    apply_changes,
    bump_related,
    check_precondition,
    create,
    lock,
    lock_posts,
    refuse_too_many_sources,
)


def record_create(*, model: type[models.Model], values: dict, reason: str = "", sources: Iterable[dict] = ()):
    """Create a record of ``model`` from ``values`` (many-to-many fields included)."""
    if model is Appointment:  # its own transaction: one more around it would only add a savepoint
        return appointment_create(**values, reason=reason, sources=sources)
    return _record_create(model=model, values=values, reason=reason, sources=sources)


@transaction.atomic
def _record_create(*, model: type[models.Model], values: dict, reason: str, sources: Iterable[dict]):
    sources = list(sources)
    refuse_too_many_sources(sources)
    if getattr(model, "created_with_sources", False) and not sources:
        raise ValidationError({"sources": needs_a_source(model)})
    if not values.get("slug") and hasattr(model, "default_slug"):
        values = {**values, "slug": model.default_slug(values)}
    instance = create(model, values, reason=reason)
    if sources:
        citations_add(record=instance, sources=sources, reason=reason)
    return instance


def needs_a_source(model: type[models.Model]) -> str:
    """Why a new record of ``model`` was refused without sources, in the language of the request."""
    return gettext("A new %(model)s needs a source: the document that establishes it and a quote from it.") % {
        "model": model._meta.verbose_name
    }


def record_update(*, instance: models.Model, changes: dict, reason: str = "", if_match: str | None = None):
    """Change only the fields in ``changes``, on the row as it is under the lock; returns the saved record."""
    if isinstance(instance, Appointment):  # its own transaction, as for record_create
        return appointment_update(appointment=instance, changes=changes, reason=reason, if_match=if_match)
    return _record_update(instance=instance, changes=changes, reason=reason, if_match=if_match)


@transaction.atomic
def _record_update(*, instance: models.Model, changes: dict, reason: str, if_match: str | None):
    locked = lock(instance)
    check_precondition(locked, if_match)
    return apply_changes(locked, changes, reason=reason)


@transaction.atomic
def record_delete(*, instance: models.Model, reason: str = "", if_match: str | None = None) -> None:
    """Delete a record (refused with ProtectedError while others reference it); its history and feed entry stay."""
    if isinstance(instance, Appointment):
        lock_posts({instance.post_id})
    locked = lock(instance)
    check_precondition(locked, if_match)
    feed.log_deletion(locked, reason=reason)
    revision.bump_after_commit()
    _delete_citations(locked, reason=reason)
    _delete_names(locked, reason=reason)
    locked._change_reason = reason or None
    locked.delete()
    bump_related(locked)


def _delete_citations(record: models.Model, *, reason: str) -> None:
    if not isinstance(record, Citation) and hasattr(record, "sources"):
        for citation in record.sources.all():
            record_delete(instance=citation, reason=reason)


def _delete_names(record: models.Model, *, reason: str) -> None:
    """A person's or organization's identifiers and other names go with it, each with its own feed entry."""
    for name in ("identifiers", "other_names"):
        if isinstance(record, (Person, Organization)):
            for owned in getattr(record, name).all():
                record_delete(instance=owned, reason=reason)
