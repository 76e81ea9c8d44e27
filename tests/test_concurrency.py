"""Two clients appointing different people to one seat at the same moment: exactly one wins (PostgreSQL only).

The threaded tests are transactional (each thread has its own connection and must see the others' commits), so the
database is flushed after them: they build their own records with factories and never rely on the seeded registry.
"""

import contextlib
import datetime
import threading
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from registry import services
from registry.models import Appointment, Post
from registry.services import appointments
from tests.factories import AppointmentFactory, PersonFactory, PostFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and the exclusion constraint are tested on PostgreSQL"
)

D = datetime.date
ROUNDS = 5  # independent races, each on its own post
JOIN_TIMEOUT = 60  # seconds; only guards against a hung test, never asserted on


def race(*contenders: Callable[[], object]) -> list[tuple[str, object]]:
    """Run the contenders in their own threads, released together by a barrier; return (outcome, value) each.

    Each thread uses its own database connection and closes it when done.
    """
    barrier = threading.Barrier(len(contenders), timeout=JOIN_TIMEOUT)
    outcomes: list[tuple[str, object] | None] = [None] * len(contenders)

    def run(index: int, contender: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = ("ok", contender())
        except BaseException as error:  # reported to the test, whatever it is
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a contender hung (lock never released?)"
    assert all(outcome is not None for outcome in outcomes)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_services_race_for_one_seat(round_):
    post = PostFactory(seats=1)
    people = PersonFactory.create_batch(2)
    starts = [D(2024, 1, 1), D(2024, 3, 1)]  # overlapping: both open

    def appoint(index: int) -> Callable[[], Appointment]:
        return lambda: services.appointment_create(
            person=people[index], post=Post.objects.get(pk=post.pk), start_date=starts[index], reason="race"
        )

    outcomes = race(appoint(0), appoint(1))

    winners = [value for outcome, value in outcomes if outcome == "ok"]
    losers = [value for outcome, value in outcomes if outcome == "error"]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    (loser,) = losers
    assert isinstance(loser, (ValidationError, IntegrityError)), repr(loser)
    if isinstance(loser, ValidationError):
        assert "post" in loser.message_dict
    (appointment,) = Appointment.objects.filter(post=post)
    assert appointment.pk == winners[0].pk
    assert appointment.person in people
    assert appointment.history.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_api_clients_race_for_one_seat(round_):
    root = get_user_model().objects.create_superuser(f"root-{round_}", "root@example.com", password=None)
    post = PostFactory(seats=1)
    people = PersonFactory.create_batch(2)
    url = reverse("registry-api:post-appoint", args=[post.pk])

    def appoint(index: int, start: str) -> Callable[[], object]:
        def request():
            client = APIClient()
            client.force_authenticate(root)
            return client.post(url, {"person": people[index].slug, "start_date": start}, format="json")

        return request

    outcomes = race(appoint(0, "2024-01-01"), appoint(1, "2024-02-01"))

    assert [outcome for outcome, _ in outcomes] == ["ok", "ok"], outcomes  # no exception escaped the API
    statuses = sorted(response.status_code for _, response in outcomes)
    assert statuses in ([201, 400], [201, 409]), [response.content for _, response in outcomes]
    refused = next(response for _, response in outcomes if response.status_code != 201)
    body = refused.json()
    assert set(body) == {"status", "code", "detail", "errors"}
    if refused.status_code == 400:
        assert "post" in {error["field"] for error in body["errors"]}, body
    else:
        assert body["code"] == "integrity"
    created = next(response for _, response in outcomes if response.status_code == 201).json()
    (appointment,) = Appointment.objects.filter(post=post)
    assert appointment.pk == created["id"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(ROUNDS))
def test_the_post_lock_makes_the_loser_a_validation_error(round_):
    """With the row lock on the post, the loser sees the winner's committed appointment and is refused by clean():
    the exclusion constraint is only the backstop (without the lock, the loser meets the constraint instead)."""
    post = PostFactory(seats=1)
    people = PersonFactory.create_batch(2)
    outcomes = race(
        *(
            lambda person=person: services.appointment_create(person=person, post=post, start_date=D(2024, 1, 1))
            for person in people
        )
    )
    assert sorted(outcome for outcome, _ in outcomes) == ["error", "ok"], outcomes
    (error,) = [value for outcome, value in outcomes if outcome == "error"]
    assert isinstance(error, ValidationError), repr(error)
    assert "post" in error.message_dict
    assert Appointment.objects.filter(post=post).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_racing_succession_and_appointment_leave_one_holder():
    """A succession and a plain appointment race for the same day: the seat never ends up with two holders."""
    holder = AppointmentFactory(start_date=D(2024, 1, 1))
    successor, intruder = PersonFactory.create_batch(2)

    outcomes = race(
        lambda: services.post_succeed(post=holder.post, person=successor, start_date=D(2025, 1, 1)),
        lambda: services.appointment_create(person=intruder, post=holder.post, start_date=D(2025, 1, 1)),
    )

    # The intruder's open appointment overlaps the holder's (open) or the successor's: it always loses.
    assert outcomes[0][0] == "ok", outcomes
    assert outcomes[1][0] == "error", outcomes
    assert isinstance(outcomes[1][1], (ValidationError, IntegrityError)), repr(outcomes[1][1])
    holder.refresh_from_db()
    assert holder.end_date == D(2024, 12, 31)
    assert set(Appointment.objects.filter(post=holder.post).values_list("person", flat=True)) == {
        holder.person_id,
        successor.pk,
    }
    assert Appointment.objects.filter(post=holder.post).as_of(D(2025, 1, 1)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_opposite_moves_between_posts_do_not_deadlock(monkeypatch):
    root = get_user_model().objects.create_superuser("root", "root@example.com", password=None)
    first, second = PostFactory(seats=None), PostFactory(seats=None)
    moving_out = AppointmentFactory(post=first)
    moving_in = AppointmentFactory(post=second)

    # Each request, holding its post locks, waits for the other to hold its own: the interleaving that deadlocks when
    # locks are taken one post at a time. The services lock both posts in id order in one statement, so the second
    # request waits for the first instead; the barrier's timeout then lets the first go on. Both must reach the lock.
    both_locked = threading.Barrier(2, timeout=3)
    real_lock_posts, calls = appointments.lock_posts, []

    def lock_then_meet(post_ids):
        locked = real_lock_posts(post_ids)
        calls.append(sorted(post_ids))
        with contextlib.suppress(threading.BrokenBarrierError):
            both_locked.wait()
        return locked

    monkeypatch.setattr(appointments, "lock_posts", lock_then_meet)

    def move(appointment: Appointment, post: Post) -> Callable[[], object]:
        def request():
            # raise_request_exception=False: a server error is answered as in production (and the test client's
            # global exception signal cannot hand one thread's exception to the other).
            client = APIClient(raise_request_exception=False)
            client.force_authenticate(root)
            url = reverse("registry-api:appointment-detail", args=[appointment.pk])
            return client.patch(url, {"post": post.pk}, format="json")

        return request

    outcomes = race(move(moving_out, second), move(moving_in, first))

    assert [outcome for outcome, _ in outcomes] == ["ok", "ok"], outcomes
    statuses = [response.status_code for _, response in outcomes]
    assert set(statuses) <= {200, 409}, statuses
    assert 200 in statuses
    assert calls == [sorted([first.pk, second.pk])] * 2  # the patched lock was really taken, by both requests
    moving_out.refresh_from_db()
    moving_in.refresh_from_db()
    assert (moving_out.post_id == second.pk) == (statuses[0] == 200)
    assert (moving_in.post_id == first.pk) == (statuses[1] == 200)


# --- the exclusion constraint itself (no threads: an ordinary rolled-back test) ---------------------------------


def unchecked(**fields) -> Appointment:
    """An appointment saved with bulk_create: no clean(), no save() (single_seat stays as given)."""
    (appointment,) = Appointment.objects.bulk_create([Appointment(start_date_precision="exact", **fields)])
    return appointment


@pytest.mark.django_db
class TestExclusionConstraint:
    def test_refuses_a_second_holder_of_a_single_seat(self):
        existing = AppointmentFactory(start_date=D(2024, 1, 1))
        assert existing.single_seat
        with pytest.raises(IntegrityError, match="registry_appointment_single_seat_no_overlap"), transaction.atomic():
            unchecked(person=PersonFactory(), post=existing.post, start_date=D(2024, 6, 1), single_seat=True)
        assert Appointment.objects.filter(post=existing.post).count() == 1

    def test_refuses_an_overlap_of_one_day(self):
        existing = AppointmentFactory(start_date=D(2024, 1, 1), end_date=D(2024, 6, 30), end_date_precision="exact")
        with pytest.raises(IntegrityError), transaction.atomic():
            unchecked(person=PersonFactory(), post=existing.post, start_date=D(2024, 6, 30), single_seat=True)
        assert Appointment.objects.filter(post=existing.post).count() == 1

    def test_allows_the_next_day(self):
        existing = AppointmentFactory(start_date=D(2024, 1, 1), end_date=D(2024, 6, 30), end_date_precision="exact")
        unchecked(person=PersonFactory(), post=existing.post, start_date=D(2024, 7, 1), single_seat=True)
        assert Appointment.objects.filter(post=existing.post).count() == 2

    def test_allows_overlap_on_another_post(self):
        existing = AppointmentFactory(start_date=D(2024, 1, 1))
        unchecked(person=PersonFactory(), post=PostFactory(), start_date=D(2024, 6, 1), single_seat=True)
        assert Appointment.objects.filter(post=existing.post).count() == 1

    def test_allows_overlap_on_a_two_seat_post(self):
        post = PostFactory(seats=2)
        existing = AppointmentFactory(post=post, start_date=D(2024, 1, 1))
        assert not existing.single_seat
        unchecked(person=PersonFactory(), post=post, start_date=D(2024, 6, 1), single_seat=False)
        assert Appointment.objects.filter(post=post).count() == 2

    def test_a_post_given_a_second_seat_stops_the_constraint(self):
        existing = AppointmentFactory(start_date=D(2024, 1, 1))
        post = existing.post
        post.seats = 2
        post.save()
        existing.refresh_from_db()
        assert not existing.single_seat  # Post.save keeps the copy up to date
        unchecked(person=PersonFactory(), post=post, start_date=D(2024, 6, 1), single_seat=False)
        assert Appointment.objects.filter(post=post).count() == 2

    def test_the_constraint_exists(self):
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, Appointment._meta.db_table)
        assert "registry_appointment_single_seat_no_overlap" in constraints
