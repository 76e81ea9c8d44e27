"""The only code that writes registry records: the API, the admin and the seed loader all call these functions.

Each write runs in one transaction and, in this order: locks what it reads (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite's IMMEDIATE transactions let one writer in at a time), checks the client's precondition (``If-Match``) against
the locked row, applies only the fields the caller changes, runs ``full_clean()`` once, saves, bumps the version (the
ETag) of the record and of the records whose representation shows it, keeps the reason in the history and appends
the write to the change feed; the registry's revision (changes/revision.py) goes up once the transaction commits.
Two clients changing different fields of one record therefore never undo each other.
"""

import datetime
from collections.abc import Iterable
from contextlib import contextmanager
from typing import TypedDict, Unpack

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, signals
from django.utils.translation import gettext

from registry.changes import feed, revision
from registry.choices import ChangeType, DatePrecision
from registry.models import Appointment, Citation, Duty, Identifier, Organization, OtherName, Person, Post
from registry.models.base import check_refusal, date_precisions

#: The most citations one write may add: a request is refused before any lock is taken when it sends more.
MAX_SOURCES = 50


class Refused(Exception):
    """A service refused a write: ``errors`` maps field names to messages. The admin, the desk and the Popolo import
    each show it in their own form; nothing of the refused write is stored."""

    def __init__(self, errors: dict):
        self.errors = errors
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


# --- generic records ---------------------------------------------------------------------------------------------


def record_create(*, model: type[models.Model], values: dict, reason: str = "", sources: Iterable[dict] = ()):
    """Create a record of ``model`` from ``values`` (many-to-many fields included)."""
    if model is Appointment:  # its own transaction: one more around it would only add a savepoint
        return appointment_create(**values, reason=reason, sources=sources)
    return _record_create(model=model, values=values, reason=reason, sources=sources)


@transaction.atomic
def _record_create(*, model: type[models.Model], values: dict, reason: str, sources: Iterable[dict]):
    sources = list(sources)
    _refuse_too_many_sources(sources)
    if getattr(model, "created_with_sources", False) and not sources:
        raise ValidationError({"sources": needs_a_source(model)})
    many, plain = _split_many_to_many(model, with_default_precisions(model, values))
    if not plain.get("slug") and hasattr(model, "default_slug"):
        plain["slug"] = model.default_slug(plain)
    instance = model(**plain)
    _save(instance, ChangeType.CREATED, reason=reason, fields=[*plain, *many], many=many)
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
    return _apply(locked, changes, reason=reason)


@transaction.atomic
def record_delete(*, instance: models.Model, reason: str = "", if_match: str | None = None) -> None:
    """Delete a record (refused with ProtectedError while others reference it); its history and feed entry stay."""
    if isinstance(instance, Appointment):
        _lock_posts({instance.post_id})
    locked = lock(instance)
    check_precondition(locked, if_match)
    feed.log_deletion(locked, reason=reason)
    revision.bump_after_commit()
    _delete_citations(locked, reason=reason)
    _delete_names(locked, reason=reason)
    locked._change_reason = reason or None
    locked.delete()
    _bump_related(locked)


def lock(instance: models.Model) -> models.Model:
    """The record as it is now, locked for the rest of the transaction."""
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


def with_default_precisions(model: type[models.Model], values: dict) -> dict:
    """A date written without its precision is ``exact``; a date cleared clears its precision."""
    values = dict(values)
    for date, precision in date_precisions(model).items():
        if date in values and precision not in values:
            values[precision] = DatePrecision.EXACT if values[date] is not None else ""
    return values


def _apply(locked: models.Model, changes: dict, *, reason: str) -> models.Model:
    many, plain = _split_many_to_many(type(locked), with_default_precisions(type(locked), changes))
    changed = [name for name, value in plain.items() if _differs(_current(locked, name), value)]
    changed_many = [name for name, ids in many.items() if set(_ids(getattr(locked, name).all())) != set(_ids(ids))]
    if not changed and not changed_many:
        return locked  # nothing to write: no new version, no history entry, no feed entry
    for name in changed:
        setattr(locked, name, plain[name])
    _save(locked, ChangeType.CHANGED, reason=reason, fields=changed + changed_many, many=many)
    return locked


def _save(instance: models.Model, change_type: str, *, reason: str, fields, many: dict | None = None) -> None:
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
    _bump_related(instance)
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


def _bump_related(instance: models.Model) -> None:
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


# --- citations ---------------------------------------------------------------------------------------------------


def citations_add(*, record: models.Model, sources: Iterable[dict], reason: str = "") -> list[Citation]:
    """Cite ``record``: each source is ``{"document": Document, "quote": str, "field": str}``.

    A refused source is reported under ``sources.<index>.<field>``, the place it has in the request.
    """
    sources = list(sources)
    _refuse_too_many_sources(sources)
    content_type = ContentType.objects.get_for_model(record)
    citations = []
    for index, source in enumerate(sources):
        values = {"content_type": content_type, "object_id": record.pk, **source}
        try:
            citations.append(record_create(model=Citation, values=values, reason=reason))
        except ValidationError as error:
            raise ValidationError(
                {f"sources.{index}.{name}": messages for name, messages in error.message_dict.items()}
            ) from error
    return citations


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


def _refuse_too_many_sources(sources) -> None:
    if len(sources) > MAX_SOURCES:
        raise ValidationError({"sources": f"At most {MAX_SOURCES} sources in one write."})


# --- appointments ------------------------------------------------------------------------------------------------


def _lock_posts(post_ids: set) -> dict:
    """Lock posts in id order: two writes touching the same posts queue instead of deadlocking. Each comes with its
    body (read, not locked), which an appointment's rules read."""
    posts = Post.objects.select_for_update(of=("self",)).select_related("organization")
    return {post.pk: post for post in posts.filter(pk__in=post_ids).order_by("pk")}


def _lock_post_to_appoint(post: Post, *, sources: list, if_match: str | None) -> Post:
    """The post an appointment is made to, locked and checked against ``if_match`` (its version changes whenever its
    holders do); too many sources are refused before any lock is taken."""
    _refuse_too_many_sources(sources)
    post = _lock_posts({post.pk})[post.pk]
    check_precondition(post, if_match)
    return post


@transaction.atomic
def appointment_create(
    *,
    person: Person,
    post: Post,
    start_date: datetime.date,
    start_date_precision: str = DatePrecision.EXACT,
    capacity: Post | None = None,
    end_date: datetime.date | None = None,
    end_date_precision: str = "",
    end_reason: str = "",
    leaves_vacant: bool = False,
    note: str = "",
    sources: Iterable[dict] = (),
    reason: str = "",
    if_match: str | None = None,
) -> Appointment:
    """Appoint ``person`` to ``post``; refused if it would give the post more holders than seats on any day.

    ``if_match`` is checked against the post's version (it changes whenever its holders do).
    """
    sources = list(sources)
    post = _lock_post_to_appoint(post, sources=sources, if_match=if_match)
    appointment = Appointment(
        person=person,
        post=post,
        capacity=capacity,
        start_date=start_date,
        start_date_precision=start_date_precision,
        end_date=end_date,
        end_date_precision=end_date_precision or (DatePrecision.EXACT if end_date else ""),
        end_reason=end_reason,
        leaves_vacant=leaves_vacant,
        note=note,
    )
    fields = ["person", "post", "capacity", "start_date", "start_date_precision", "end_date", "end_date_precision"]
    _save(appointment, ChangeType.CREATED, reason=reason, fields=fields)
    citations_add(record=appointment, sources=sources, reason=reason)
    return appointment


@transaction.atomic
def appointment_update(
    *, appointment: Appointment, changes: dict, reason: str = "", if_match: str | None = None
) -> Appointment:
    """Change an appointment under the locks of its post (and of the post it moves to).

    An end recorded as ``exact`` is the real last day: it is never moved later or reopened. An ``attested`` or
    ``inferred`` end may move later as new sources show the person still in post.
    """
    new_post = changes.get("post")
    posts = _lock_posts({appointment.post_id, new_post.pk if new_post is not None else appointment.post_id})
    # Its person comes with it: the change feed shows it.
    locked = Appointment.objects.select_for_update(of=("self",)).select_related("person").get(pk=appointment.pk)
    if locked.post_id in posts:  # the post as just locked, rather than read again
        locked.post = posts[locked.post_id]
    check_precondition(locked, if_match)
    changes = with_default_precisions(Appointment, changes)
    _refuse_extending_an_exact_end(locked, changes)
    locked._previous_posts = {locked.post_id}
    locked._previous_people = {locked.person_id}
    return _apply(locked, changes, reason=reason)


def _refuse_extending_an_exact_end(appointment: Appointment, changes: dict) -> None:
    if "end_date" not in changes or appointment.end_date is None:
        return
    if appointment.end_date_precision != DatePrecision.EXACT:
        return
    wanted = changes["end_date"]
    if wanted is None or wanted > appointment.end_date:
        raise ValidationError(
            {
                "end_date": f"The appointment ended on {appointment.end_date:%Y-%m-%d} (exact); an exact end is "
                "not moved later or reopened."
            }
        )


def appointment_end(
    *,
    appointment: Appointment,
    end_date: datetime.date,
    end_date_precision: str = DatePrecision.EXACT,
    end_reason: str = "",
    leaves_vacant: bool = False,
    reason: str = "",
    if_match: str | None = None,
) -> Appointment:
    """End an appointment on ``end_date`` (its last day in post): an update of its end, by the same rules.

    ``leaves_vacant``: a source states the seat stays empty after this end (cite it); otherwise nobody is known to
    hold it until the next holder starts.
    """
    changes = {
        "end_date": end_date,
        "end_date_precision": end_date_precision,
        "end_reason": end_reason,
        "leaves_vacant": leaves_vacant,
    }
    return appointment_update(appointment=appointment, changes=changes, reason=reason or end_reason, if_match=if_match)


class Successor(TypedDict, total=False):
    """What ``post_succeed`` passes on to ``appointment_create`` for the new appointment, as it names them."""

    start_date_precision: str
    capacity: Post | None
    note: str


def succession_reason(successor: Person) -> str:
    """The end reason the registry writes when a successor takes the seat: in the registry's language (Vietnamese)."""
    return f"Người kế nhiệm: {successor}"


@transaction.atomic
def post_succeed(
    *,
    post: Post,
    person: Person,
    start_date: datetime.date,
    predecessor: Appointment | None = None,
    end_reason: str = "",
    sources: Iterable[dict] = (),
    reason: str = "",
    if_match: str | None = None,
    **successor: Unpack[Successor],
) -> tuple[Appointment | None, Appointment]:
    """Appoint ``person`` from ``start_date``, ending the current holder the day before, in one transaction.

    On a single-seat post the predecessor is whoever holds it on ``start_date``; on a multi-seat post it must be named
    when the post is full. Returns (the ended appointment or None, the new appointment).
    """
    sources = list(sources)
    post = _lock_post_to_appoint(post, sources=sources, if_match=if_match)
    predecessor = predecessor or _sole_holder(post, start_date)
    if predecessor is not None:
        if predecessor.post_id != post.pk:
            raise ValidationError({"predecessor": "The predecessor's appointment is to another post."})
        last_day = start_date - datetime.timedelta(days=1)
        if last_day < predecessor.start_date:
            raise ValidationError(
                {"start_date": f"The predecessor started on {predecessor.start_date}; the successor must start later."}
            )
        changes = {
            "end_date": last_day,
            "end_date_precision": DatePrecision.EXACT,
            "end_reason": end_reason or succession_reason(person),
        }
        predecessor = appointment_update(appointment=predecessor, changes=changes, reason=reason)
    appointment = appointment_create(
        person=person, post=post, start_date=start_date, sources=sources, reason=reason, **successor
    )
    return predecessor, appointment


def _sole_holder(post: Post, day: datetime.date) -> Appointment | None:
    holders = list(Appointment.objects.filter(post=post).as_of(day).order_by("start_date", "id"))
    if post.seats == 1 and len(holders) == 1:
        return holders[0]
    if post.seats is not None and len(holders) >= post.seats:
        raise ValidationError({"predecessor": "The post is full on that day: name the appointment to end."})
    return None
