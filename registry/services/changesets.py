"""Changesets: several writes that one document supports, applied all or nothing in one transaction.

A changeset names (or brings) its document and lists operations: appoint a person to a post, end an appointment.
Each operation quotes the document; the quote is a citation of the record it writes, so it is checked by the same
rule every citation is (``Citation.clean``: NFC, any white space). Every write goes through ``registry.services``
with the changeset's one reason, in the one transaction: the feed entries it appends take consecutive positions
(``registry.changes.feed`` places a transaction's entries together when it commits), and one refusal writes nothing.

Preconditions: the posts and appointments the operations touch are locked first, in id order, and each operation's
``if_match`` is checked against the version the record had before the changeset (an earlier operation of the same
changeset bumps a post's version; the client could not have known that one).
"""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction

from registry import services
from registry.choices import DatePrecision
from registry.models import Appointment, Document, Person, Post

#: The most operations one changeset may hold (checked before anything is locked).
MAX_OPERATIONS = 100
APPOINT, END = "appoint", "end"


@dataclass
class Changeset:
    """What a changeset wrote: its document, every record it created, the appointments it ended."""

    document: Document
    reason: str
    documents: list[Document] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    appointments: list[Appointment] = field(default_factory=list)
    ended: list[Appointment] = field(default_factory=list)


@transaction.atomic
def changeset_apply(*, document: Document | dict, operations: list[dict], reason: str = "") -> Changeset:
    """Apply ``operations`` with the support of ``document`` (a record, or the values of a new one), all or nothing.

    An operation is ``{"op": "appoint", "post": Post | slug | values, "person": Person | slug | values,
    "start_date", "quote", …}`` or ``{"op": "end", "appointment": Appointment, "end_date", "quote", …}``. A post or
    person given by slug may be one an earlier operation created. A refusal is a ValidationError naming
    ``operations.<index>.<field>`` (or ``document.<field>``); ``services.PreconditionFailed`` when an ``if_match``
    names another version.
    """
    if len(operations) > MAX_OPERATIONS:
        raise ValidationError({"operations": f"At most {MAX_OPERATIONS} operations in one changeset."})
    if not operations:
        raise ValidationError({"operations": "A changeset needs at least one operation."})
    _lock_and_check(operations)
    slug = document.slug if isinstance(document, Document) else document.get("slug", "")
    reason = reason or f"Changeset from document {slug}"
    result = Changeset(document=_document(document, reason), reason=reason)
    if not isinstance(document, Document):
        result.documents.append(result.document)
    if not result.document.text:
        # Without a text nothing could check the quotes, and a changeset rests on them.
        raise ValidationError({"document.text": "A changeset's quotes are checked against its document's text."})
    for index, operation in enumerate(operations):
        with _named(f"operations.{index}"):
            if operation["op"] == APPOINT:
                _appoint(operation, result)
            else:
                _end(operation, result)
    return result


def _lock_and_check(operations: list[dict]) -> None:
    """Lock every existing post the operations touch (id order: no deadlock with another writer), then the ended
    appointments, and check each ``if_match`` before anything is written."""
    slugs = {op["post"] for op in operations if op["op"] == APPOINT and isinstance(op["post"], str)}
    existing = dict(Post.objects.filter(slug__in=slugs).values_list("slug", "pk")) if slugs else {}
    post_ids = {op["post"].pk for op in operations if op["op"] == APPOINT and isinstance(op["post"], Post)}
    post_ids |= set(existing.values())
    post_ids |= {op["appointment"].post_id for op in operations if op["op"] == END}
    posts = {post.pk: post for post in Post.objects.select_for_update().filter(pk__in=post_ids).order_by("pk")}
    ended = {op["appointment"].pk for op in operations if op["op"] == END}
    appointments = Appointment.objects.select_for_update().filter(pk__in=ended).order_by("pk")
    appointments = {appointment.pk: appointment for appointment in appointments}
    for index, operation in enumerate(operations):
        if_match = operation.get("if_match")
        if if_match is None:
            continue
        if operation["op"] == END:
            services.check_precondition(_still_there(appointments, operation["appointment"].pk, index), if_match)
            continue
        post = operation["post"]
        post_id = post.pk if isinstance(post, Post) else existing.get(post) if isinstance(post, str) else None
        if post_id is None:
            raise ValidationError(
                {f"operations.{index}.if_match": "The post is created by this changeset: it has no ETag to match."}
            )
        services.check_precondition(_still_there(posts, post_id, index), if_match)


def _still_there(locked: dict, pk: int, index: int) -> models.Model:
    """The locked record; one deleted since the request was read is refused, not a server error."""
    if pk not in locked:
        raise ValidationError({f"operations.{index}": "The record it names was deleted meanwhile."})
    return locked[pk]


def _document(document: Document | dict, reason: str) -> Document:
    if isinstance(document, Document):
        return document
    with _named("document"):
        return services.record_create(model=Document, values=document, reason=reason)


def _appoint(operation: dict, result: Changeset) -> None:
    # A new post rests on the changeset's document too: the words that appoint someone to it also show it exists.
    post_source = {"document": result.document, "quote": operation["quote"], "field": ""}
    with _named("post"):
        post = _record(Post, operation["post"], result.posts, result.reason, sources=[post_source])
    with _named("person"):
        person = _record(Person, operation["person"], result.people, result.reason)
    source = {"document": result.document, "quote": operation["quote"], "field": ""}
    with _quote_named():
        appointment = services.appointment_create(
            person=person,
            post=post,
            capacity=operation.get("capacity"),
            start_date=operation["start_date"],
            start_date_precision=operation.get("start_date_precision") or DatePrecision.EXACT,
            note=operation.get("note", ""),
            sources=[source],
            reason=result.reason,
        )
    result.appointments.append(appointment)


def _end(operation: dict, result: Changeset) -> None:
    appointment = services.appointment_end(
        appointment=operation["appointment"],
        end_date=operation["end_date"],
        end_date_precision=operation.get("end_date_precision") or DatePrecision.EXACT,
        end_reason=operation.get("end_reason", ""),
        leaves_vacant=operation.get("leaves_vacant", False),
        reason=result.reason,
    )
    source = {"document": result.document, "quote": operation["quote"], "field": "end_date"}
    with _quote_named():
        services.citations_add(record=appointment, sources=[source], reason=result.reason)
    result.ended.append(appointment)


def _record(model: type[models.Model], given, created: list, reason: str, sources=()) -> models.Model:
    """The record an operation names: itself, by slug (one this changeset created first, else a stored one), or
    created from its values."""
    if isinstance(given, model):
        return given
    if isinstance(given, str):
        for record in created:
            if record.slug == given:
                return record
        try:
            return model._default_manager.get(slug=given)
        except model.DoesNotExist:
            name = model._meta.verbose_name
            raise ValidationError(
                {"slug": f"No {name} with slug {given!r}, stored or created earlier in this changeset."}
            ) from None
    record = services.record_create(model=model, values=given, reason=reason, sources=sources)
    created.append(record)
    return record


class _named:
    """Refusals raised inside are renamed under ``prefix`` (``start_date`` -> ``operations.2.start_date``)."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, ValidationError):
            raise ValidationError(_prefixed(error, self.prefix)) from error
        return False


class _quote_named(_named):
    """A refused citation (``sources.0.quote``, or its uniqueness) is the operation's ``quote``."""

    def __init__(self):
        super().__init__("")

    def __exit__(self, kind, error, traceback):
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            renamed: dict[str, list] = {}
            for name, errors in error.error_dict.items():
                renamed.setdefault("quote" if name.startswith("sources.") else name, []).extend(errors)
            raise ValidationError(renamed) from error
        return False


def _prefixed(error: ValidationError, prefix: str) -> dict:
    """The same errors (their codes kept: a taken slug stays ``unique``) under names starting with ``prefix``."""
    if not hasattr(error, "error_dict"):
        return {prefix: error.error_list}
    return {
        prefix if name == NON_FIELD_ERRORS else f"{prefix}.{name}": errors for name, errors in error.error_dict.items()
    }
