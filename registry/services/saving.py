"""How every write is made: the record locked, the client's precondition checked, ``full_clean()`` once, saved,
versioned with the records that show it, and logged in the history and the change feed.

The lowest room of the services: records.py, citations.py and appointments.py write through it.
"""

from contextlib import contextmanager

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models
from django.db.models import F, signals

from registry.changes import feed, revision
from registry.choices import ChangeType
from registry.models import Appointment, Citation, Duty, Identifier, Organization, OtherName, Person, Post
from registry.models.base import check_refusal, date_precisions, precision_or_exact

#: The most citations one write may add: a request is refused before any lock is taken when it sends more.
MAX_SOURCES = 50


class Refused(Exception):
    """The registry's one refusal: a write (or a file to be written) is refused, and nothing of it is stored.

    ``errors`` maps field names to messages; a refusal said in one sentence (a seed file's) keeps it as its text and
    holds it under ``__all__``. The admin, the desk, the Popolo import and the seed loader each show it in their own
    form (Popolo's ``Refusal`` and seeding's ``SeedError`` are this class, named for where they are raised).
    """

    def __init__(self, errors: dict | str):
        self.errors = errors if isinstance(errors, dict) else {NON_FIELD_ERRORS: [errors]}
        super().__init__(errors)


class PreconditionFailed(Exception):
    """The client's ``If-Match`` names another version than the record's current one: nothing was changed."""

    def __init__(self, instance: models.Model):
        self.etag = etag(instance)
        super().__init__(f"The record has changed: its current ETag is {self.etag}.")


def etag(instance: models.Model) -> str:
    """The strong entity tag of a record's current version (RFC 9110)."""
    return f'"{instance.version}"'


def check_precondition(instance: models.Model, if_match: str | None) -> None:
    """Refuse unless ``if_match`` (an If-Match header value) names the record's current version, or is ``*``."""
    if if_match is None:
        return
    tags = {tag.strip() for tag in if_match.split(",")}
    if "*" not in tags and etag(instance) not in tags:  # strong comparison: a weak W/"…" tag never matches
        raise PreconditionFailed(instance)


def lock(instance: models.Model) -> models.Model:
    """The record as it is now, locked for the rest of the transaction."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def with_default_precisions(model: type[models.Model], values: dict) -> dict:
    """Each date written without its precision takes the registry's rule (models/base.py): a date given is
    ``exact``, a date cleared clears its precision."""
    values = dict(values)
    for date, precision in date_precisions(model).items():
        if date in values and precision not in values:
            values[precision] = precision_or_exact(values[date], "")
    return values


def create(model: type[models.Model], values: dict, *, reason: str) -> models.Model:
    """A new record of ``model`` from ``values`` (many-to-many fields included), saved as every write is."""
    many, plain = _split_many_to_many(model, with_default_precisions(model, values))
    instance = model(**plain)
    save(instance, ChangeType.CREATED, reason=reason, fields=[*plain, *many], many=many)
    return instance


def apply_changes(locked: models.Model, changes: dict, *, reason: str) -> models.Model:
    many, plain = _split_many_to_many(type(locked), with_default_precisions(type(locked), changes))
    changed = [name for name, value in plain.items() if _differs(_current(locked, name), value)]
    changed_many = [name for name, ids in many.items() if set(_ids(getattr(locked, name).all())) != set(_ids(ids))]
    if not changed and not changed_many:
        return locked  # nothing to write: no new version, no history entry, no feed entry
    for name in changed:
        setattr(locked, name, plain[name])
    save(locked, ChangeType.CHANGED, reason=reason, fields=changed + changed_many, many=many)
    return locked


def save(instance: models.Model, change_type: str, *, reason: str, fields, many: dict | None = None) -> None:
    instance.full_clean(checks_at_save=True)
    instance._change_reason = reason or None
    if change_type == ChangeType.CHANGED and hasattr(instance, "version"):
        instance.version += 1
    try:
        if many:
            _save_with_many_to_many(instance, many, created=change_type == ChangeType.CREATED)
        else:
            instance.save()
    except IntegrityError as error:
        # The check constraints were left to the database (full_clean above): its refusal is the same 400.
        refusal = check_refusal(instance, error)
        if refusal is None:
            raise
        raise refusal from error
    bump_related(instance)
    if change_type == ChangeType.CREATED:
        with _nothing_attached_yet(instance):
            feed.log(instance, change_type, reason=reason, fields=fields)
    else:
        feed.log(instance, change_type, reason=reason, fields=fields)
    revision.bump_after_commit()


@contextmanager
def _nothing_attached_yet(instance: models.Model):
    """A record just created has no sources, identifiers or other names yet (they are written after it, pointing at
    it): its feed entry shows them empty without asking the database."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    names = [field.name for field in instance._meta.private_fields if isinstance(field, GenericRelation)]
    for name in names:
        cache[name] = getattr(instance, name).none()
    try:
        yield
    finally:
        for name in names:
            cache.pop(name, None)


def _save_with_many_to_many(instance: models.Model, many: dict, *, created: bool) -> None:
    """Save the record and its many-to-many fields as ONE history entry (django-simple-history would write one for
    the row and one more for each many-to-many change): its history is written once, after both."""
    instance.skip_history_when_saving = True
    try:
        instance.save()
        for name, value in many.items():
            getattr(instance, name).set(value)
    finally:
        del instance.skip_history_when_saving
    # simple-history records history from post_save; sending it again, now that all is written, records it once.
    signals.post_save.send(
        sender=type(instance), instance=instance, created=created, raw=False, using=instance._state.db
    )


def bump_related(instance: models.Model) -> None:
    """Records whose representation shows this one get a new version with it.

    Posts and people show their appointments, organizations their duties, people and organizations their identifiers
    and other names, every record its sources.
    """
    if isinstance(instance, Appointment):
        posts = {instance.post_id, *getattr(instance, "_previous_posts", ())}
        people = {instance.person_id, *getattr(instance, "_previous_people", ())}
        Post.objects.filter(pk__in=posts).update(version=F("version") + 1)
        Person.objects.filter(pk__in=people).update(version=F("version") + 1)
    elif isinstance(instance, Duty):
        Organization.objects.filter(pk=instance.organization_id).update(version=F("version") + 1)
    elif isinstance(instance, (Citation, Identifier, OtherName)):
        model = instance.content_type.model_class()
        if model is not None and hasattr(model, "version"):
            model._default_manager.filter(pk=instance.object_id).update(version=F("version") + 1)


def _split_many_to_many(model: type[models.Model], values: dict) -> tuple[dict, dict]:
    names = {field.name for field in model._meta.many_to_many}
    return {k: v for k, v in values.items() if k in names}, {k: v for k, v in values.items() if k not in names}


def _current(instance: models.Model, name: str):
    field = instance._meta.get_field(name)
    return getattr(instance, field.attname) if field.is_relation else getattr(instance, name)


def _differs(current, wanted) -> bool:
    if isinstance(wanted, models.Model):
        return current != wanted.pk
    return current != wanted


def _ids(records) -> list:
    return [getattr(record, "pk", record) for record in records]


def refuse_too_many_sources(sources) -> None:
    if len(sources) > MAX_SOURCES:
        raise ValidationError({"sources": f"At most {MAX_SOURCES} sources in one write."})


def lock_posts(post_ids: set) -> dict:
    """Lock posts in id order: two writes touching the same posts queue instead of deadlocking. Each comes with its
    body (read, not locked), which an appointment's rules read."""
    posts = Post.objects.select_for_update(of=("self",)).select_related("organization")
    return {post.pk: post for post in posts.filter(pk__in=post_ids).order_by("pk")}
