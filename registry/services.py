"""Writes that touch several records, each in one transaction.

The post is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers) before
its holders are checked, so two clients appointing different people to the same seat cannot both succeed.
"""

import datetime
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from registry.choices import DatePrecision
from registry.models import Appointment, Citation, Person, Post


def lock_post(post: Post) -> Post:
    """Take the row lock on ``post`` for the rest of the transaction and return it fresh."""
    return Post.objects.select_for_update().select_related("organization").get(pk=post.pk)


def record_save(instance: models.Model, *, reason: str = "") -> models.Model:
    """Validate ``instance`` as the admin and the API do, and save it with the reason kept in its history."""
    instance.full_clean()
    instance._change_reason = reason or None
    instance.save()
    return instance


def record_delete(instance: models.Model, *, reason: str = "") -> None:
    instance._change_reason = reason or None
    instance.delete()


def citations_add(*, record: models.Model, sources: Iterable[dict], reason: str = "") -> list[Citation]:
    """Cite ``record``: each source is ``{"document": Document, "quote": str, "field": str}``.

    A refused source is reported under ``sources.<index>.<field>``, the place it has in the request.
    """
    content_type = ContentType.objects.get_for_model(record)
    citations = []
    for index, source in enumerate(sources):
        citation = Citation(
            content_type=content_type,
            object_id=record.pk,
            document=source["document"],
            quote=source["quote"],
            field=source.get("field", ""),
        )
        try:
            citations.append(record_save(citation, reason=reason))
        except ValidationError as error:
            raise ValidationError(
                {f"sources.{index}.{name}": messages for name, messages in error.message_dict.items()}
            ) from error
    return citations


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
    note: str = "",
    sources: Iterable[dict] = (),
    reason: str = "",
) -> Appointment:
    """Appoint ``person`` to ``post``; refused if it would give the post more holders than seats on any day."""
    post = lock_post(post)
    appointment = Appointment(
        person=person,
        post=post,
        capacity=capacity,
        start_date=start_date,
        start_date_precision=start_date_precision,
        end_date=end_date,
        end_date_precision=end_date_precision or (DatePrecision.EXACT if end_date else ""),
        end_reason=end_reason,
        note=note,
    )
    record_save(appointment, reason=reason)
    citations_add(record=appointment, sources=sources, reason=reason)
    return appointment


@transaction.atomic
def appointment_update(*, appointment: Appointment, changes: dict, reason: str = "") -> Appointment:
    """Change an appointment's fields under the lock of its post (and of the post it moves to)."""
    posts = {appointment.post_id, changes["post"].pk if "post" in changes else appointment.post_id}
    # Always lock in id order: two moves in opposite directions must queue, not deadlock.
    list(Post.objects.select_for_update().filter(pk__in=posts).order_by("pk"))
    for name, value in changes.items():
        setattr(appointment, name, value)
    return record_save(appointment, reason=reason)


@transaction.atomic
def appointment_end(
    *,
    appointment: Appointment,
    end_date: datetime.date,
    end_date_precision: str = DatePrecision.EXACT,
    end_reason: str = "",
    reason: str = "",
) -> Appointment:
    """End an appointment on ``end_date`` (its last day in post)."""
    lock_post(appointment.post)
    appointment.refresh_from_db()
    if appointment.end_date is not None and appointment.end_date < end_date:
        raise ValidationError({"end_date": f"The appointment already ended on {appointment.end_date}."})
    appointment.end_date = end_date
    appointment.end_date_precision = end_date_precision
    appointment.end_reason = end_reason
    return record_save(appointment, reason=reason or end_reason)


@transaction.atomic
def post_succeed(
    *,
    post: Post,
    person: Person,
    start_date: datetime.date,
    start_date_precision: str = DatePrecision.EXACT,
    capacity: Post | None = None,
    predecessor: Appointment | None = None,
    end_reason: str = "",
    note: str = "",
    sources: Iterable[dict] = (),
    reason: str = "",
) -> tuple[Appointment | None, Appointment]:
    """Appoint ``person`` from ``start_date``, ending the current holder the day before, in one transaction.

    On a single-seat post the predecessor is whoever holds it on ``start_date``; on a multi-seat post it must be named
    when the post is full. Returns (the ended appointment or None, the new appointment).
    """
    post = lock_post(post)
    predecessor = predecessor or _sole_holder(post, start_date)
    if predecessor is not None:
        if predecessor.post_id != post.pk:
            raise ValidationError({"predecessor": "The predecessor's appointment is to another post."})
        last_day = start_date - datetime.timedelta(days=1)
        if last_day < predecessor.start_date:
            raise ValidationError(
                {"start_date": f"The predecessor started on {predecessor.start_date}; the successor must start later."}
            )
        predecessor.end_date = last_day
        predecessor.end_date_precision = DatePrecision.EXACT
        predecessor.end_reason = end_reason or f"Succeeded by {person}"
        record_save(predecessor, reason=reason)
    successor = appointment_create(
        person=person,
        post=post,
        start_date=start_date,
        start_date_precision=start_date_precision,
        capacity=capacity,
        note=note,
        sources=sources,
        reason=reason,
    )
    return predecessor, successor


def _sole_holder(post: Post, day: datetime.date) -> Appointment | None:
    holders = list(Appointment.objects.filter(post=post).as_of(day).order_by("start_date", "id"))
    if post.seats == 1 and len(holders) == 1:
        return holders[0]
    if post.seats is not None and len(holders) >= post.seats:
        raise ValidationError({"predecessor": "The post is full on that day: name the appointment to end."})
    return None
