"""Appointments: a person in a post, made, changed, ended and succeeded under the locks of their posts."""

import datetime
from collections.abc import Iterable
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction

from registry.choices import ChangeType, DatePrecision
from registry.models import Appointment, Person, Post
from registry.models.base import precision_or_exact
from registry.services.citations import citations_add
from registry.services.saving import (
    apply_changes,
    check_precondition,
    lock_posts,
    refuse_too_many_sources,
    save,
    with_default_precisions,
)


def _lock_post_to_appoint(post: Post, *, sources: list, if_match: str | None) -> Post:
    """The post an appointment is made to, locked and checked against ``if_match`` (its version changes whenever its
    holders do); too many sources are refused before any lock is taken."""
    refuse_too_many_sources(sources)
    post = lock_posts({post.pk})[post.pk]
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
        end_date_precision=precision_or_exact(end_date, end_date_precision),
        end_reason=end_reason,
        leaves_vacant=leaves_vacant,
        note=note,
    )
    fields = ["person", "post", "capacity", "start_date", "start_date_precision", "end_date", "end_date_precision"]
    save(appointment, ChangeType.CREATED, reason=reason, fields=fields)
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
    posts = lock_posts({appointment.post_id, new_post.pk if new_post is not None else appointment.post_id})
    # Its person comes with it: the change feed shows it.
    locked = Appointment.objects.select_for_update(of=("self",)).select_related("person").get(pk=appointment.pk)
    if locked.post_id in posts:  # the post as just locked, rather than read again
        locked.post = posts[locked.post_id]
    check_precondition(locked, if_match)
    changes = with_default_precisions(Appointment, changes)
    _refuse_extending_an_exact_end(locked, changes)
    locked._previous_posts = {locked.post_id}
    locked._previous_people = {locked.person_id}
    return apply_changes(locked, changes, reason=reason)


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
