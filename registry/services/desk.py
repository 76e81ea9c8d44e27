"""The editing desk: record an appointment from its decision in one transaction, composed of the services.

A new person, a new document and a new post (a seat or a deputy post, cited from the document) may be created on
the way; the predecessor (if any) ends on a last day of the
editor's choosing (the day before the start by default); the appointment is created with its citation. Every write
is a call of ``registry.services`` (locked, validated once, reason in the history, entry in the change feed), all in
one ``transaction.atomic()``: a refusal at any step leaves nothing behind.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from registry import services
from registry.choices import DatePrecision
from registry.models import Appointment, Document, Person, Post
from registry.services import Refused


@dataclass
class Entry:
    """What the editor entered on the desk's page, already cleaned by its form."""

    post: Post | None
    start_date: datetime.date
    person: Person | None = None
    new_person: dict = field(default_factory=dict)
    start_date_precision: str = DatePrecision.EXACT
    capacity: Post | None = None
    predecessor: Appointment | None = None
    predecessor_last_day: datetime.date | None = None
    document: Document | None = None
    new_document: dict = field(default_factory=dict)
    quote: str = ""
    reason: str = ""
    #: The values of a new post of ``organization`` (``post`` None): it is cited from the document with ``post_quote``.
    new_post: dict = field(default_factory=dict)
    post_quote: str = ""


@dataclass
class Recorded:
    appointment: Appointment
    ended: Appointment | None = None
    person_created: bool = False
    document_created: bool = False
    post_created: bool = False


def _refusal(error: ValidationError, prefix: str = "", rename: dict | None = None) -> Refused:
    """A service's refusal with its keys as the desk form's field names (``prefix`` + name, or ``rename``)."""
    rename = rename or {}
    errors: dict[str, list[str]] = {}
    items = error.message_dict.items() if hasattr(error, "error_dict") else [(NON_FIELD_ERRORS, error.messages)]
    for name, messages in items:
        if name in rename:
            key = rename[name]
        elif name == NON_FIELD_ERRORS:
            key = NON_FIELD_ERRORS
        else:
            key = f"{prefix}{name}" if prefix else NON_FIELD_ERRORS
        errors.setdefault(key, []).extend(messages)
    return Refused(errors)


def seat_message(post: Post) -> str:
    return _(
        "Every seat of this post (%(seats)s) is taken on some of those days: choose the holder this person "
        "succeeds, or another start date."
    ) % {"seats": post.seats}


#: Where each refusal of the appointment's writes is shown on the desk's page.
APPOINTMENT_FIELDS = {
    "person": "person",
    "start_date": "start_date",
    "start_date_precision": "start_date_precision",
    "capacity": "capacity",
    "sources.0.quote": "quote",
    "sources.0.document": "document",
    "predecessor": "predecessor",
}


#: Where each refusal of a new post's write is shown (the others: ``post_`` + the field's name).
POST_FIELDS = {"sources": "post_quote", "sources.0.quote": "post_quote", "sources.0.document": "document"}


@transaction.atomic
def record_appointment(entry: Entry) -> Recorded:
    """Write everything the entry says, in one transaction; raises Refused (nothing written) on a refusal."""
    reason = entry.reason
    person, document = entry.person, entry.document
    person_created = document_created = False
    if person is None:
        try:
            person = services.record_create(model=Person, values=entry.new_person, reason=reason)
        except ValidationError as error:
            raise _refusal(error, prefix="new_person_") from error
        person_created = True
    if document is None and entry.new_document:
        try:
            document = services.record_create(model=Document, values=entry.new_document, reason=reason)
        except ValidationError as error:
            raise _refusal(error, prefix="new_document_") from error
        document_created = True
    post, post_created = entry.post, False
    if post is None:
        post_sources = [{"document": document, "quote": entry.post_quote, "field": ""}] if document is not None else []
        try:
            post = services.record_create(model=Post, values=entry.new_post, sources=post_sources, reason=reason)
        except ValidationError as error:
            raise _refusal(error, prefix="post_", rename=POST_FIELDS) from error
        post_created = True
    ended = None
    if entry.predecessor is not None:
        if entry.predecessor.post_id != post.pk:
            raise Refused({"predecessor": [_("The predecessor's appointment is to another post.")]})
        last_day = entry.predecessor_last_day or entry.start_date - datetime.timedelta(days=1)
        try:
            ended = services.appointment_end(
                appointment=entry.predecessor,
                end_date=last_day,
                end_reason=services.succession_reason(person),
                reason=reason,
            )
        except ValidationError as error:
            raise _refusal(error, rename={"end_date": "predecessor_last_day"}) from error
    sources = [{"document": document, "quote": entry.quote, "field": ""}] if document is not None else []
    try:
        appointment = services.appointment_create(
            person=person,
            post=post,
            start_date=entry.start_date,
            start_date_precision=entry.start_date_precision,
            capacity=entry.capacity,
            sources=sources,
            reason=reason,
        )
    except ValidationError as error:
        refused = _refusal(error, rename=APPOINTMENT_FIELDS)
        if "post" in getattr(error, "error_dict", {}):  # the seats are taken: say so beside the predecessor
            refused.errors.pop(NON_FIELD_ERRORS, None)
            refused.errors.setdefault("predecessor", []).insert(0, seat_message(post))
        raise refused from error
    return Recorded(appointment, ended, person_created, document_created, post_created)


def check_appointment(entry: Entry) -> None:
    """Run every write of the entry and roll them back: the refusals the real save would meet, before it."""
    with transaction.atomic():
        try:
            record_appointment(entry)
        finally:
            transaction.set_rollback(True)
