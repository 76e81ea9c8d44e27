"""The three states of a post's seats on a day: held, vacant, unknown.

- *held*: a known appointment covers the day (the post's ``holders``).
- *vacant*: a source states the seat is empty that day: an earlier appointment of the post ended with
  ``leaves_vacant`` (its end's stated reason leaves the seat empty), and no holder has started since.
- *unknown*: nobody is known to hold the seat and no source says it is empty. This is the default: after an end that
  only marks the last document showing the holder (``attested``, ``inferred``), before the first known holder, and for
  seats no source fills (the steering committee's twenty members). An unknown seat is not a vacancy.

For unknown seats the answer names the last known holder before the day and the next known after it, with their
dates, so a reader sees the gap the sources leave. The post must come with ``selectors.seat_prefetches(day)``.
"""

import datetime
from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q

from registry.models import Appointment, Post

OTHERS = "known_apart"


def others_prefetch(day: datetime.date) -> Prefetch:
    """The post's appointments that do not hold on ``day``, each marked ``before`` (ended before it) or not."""
    before = ExpressionWrapper(Q(end_date__lt=day), output_field=BooleanField())
    queryset = (
        Appointment.objects.filter(Q(end_date__lt=day) | Q(start_date__gt=day))
        .annotate(before=before)
        # People by primary key in a query of their own, as for the holders: joined in, the planner would hash
        # every person at national scale (tests/test_query_plans.py).
        .prefetch_related("person")
        .order_by("start_date", "id")
    )
    return Prefetch("appointments", queryset=queryset, to_attr=OTHERS)


def attach(post: Post, appointments: list[Appointment], day: datetime.date) -> None:
    """Give ``post`` what ``others_prefetch`` would, from all its appointments already read (a post's own page)."""
    post.holders = [a for a in appointments if a.holds_on(day)]
    others = [a for a in appointments if not a.holds_on(day)]
    for appointment in others:
        appointment.before = appointment.end_date is not None and appointment.end_date < day
    setattr(post, OTHERS, others)
    post.__dict__.pop("_seat_states", None)


@dataclass(frozen=True)
class SeatStates:
    held: int
    #: Seats a source states are empty that day; None when the number of seats is not stated.
    vacant: int | None
    #: Seats nobody is known to hold and no source says are empty; None when the number of seats is not stated.
    unknown: int | None
    #: When a seat is unknown (or the number of seats is not stated and nobody holds it): the last appointment that
    #: ended before the day and the first that starts after it.
    last_known: Appointment | None
    next_known: Appointment | None

    @property
    def free(self) -> int | None:
        """Seats nobody holds, whether stated vacant or unknown (what an editor may still fill)."""
        return None if self.vacant is None else self.vacant + self.unknown


def _stated_vacancies(holders: list[Appointment], before: list[Appointment]) -> int:
    """Vacancies still open on the day: each end with ``leaves_vacant`` opens one the day after; each later start
    (up to the day) fills the oldest open one."""
    events = [(a.end_date + datetime.timedelta(days=1), 0) for a in before if a.leaves_vacant]
    events += [(a.start_date, 1) for a in (*before, *holders)]
    open_vacancies = 0
    for _day, fills in sorted(events):
        if not fills:
            open_vacancies += 1
        elif open_vacancies:
            open_vacancies -= 1
    return open_vacancies


def seat_states(post: Post) -> SeatStates:
    """The states of ``post``'s seats on the day of its prefetched holders (computed once per post)."""
    cached = getattr(post, "_seat_states", None)
    if cached is not None:
        return cached
    holders = list(post.holders)
    others = getattr(post, OTHERS, [])
    before = [a for a in others if a.before]
    after = [a for a in others if not a.before]
    vacant = unknown = None
    if post.seats is not None:
        free = max(post.seats - len(holders), 0)
        vacant = min(_stated_vacancies(holders, before), free)
        unknown = free - vacant
    gap = bool(unknown) if post.seats is not None else not holders
    last = max(before, key=lambda a: (a.end_date, a.start_date, a.pk)) if gap and before else None
    following = after[0] if gap and after else None
    states = SeatStates(len(holders), vacant, unknown, last, following)
    post._seat_states = states
    return states
