"""Writes that touch several records (registry/services.py), directly, through the API actions and through the admin.

Every test sees the seeded registry (tests/conftest.py) and runs in a transaction rolled back at its end, so a
service's own ``transaction.atomic`` is a savepoint here: what it rolls back is visible to the test.
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from registry import services
from registry.models import Appointment, Citation, Post
from tests.factories import (
    AppointmentFactory,
    DocumentFactory,
    OrganizationFactory,
    PersonFactory,
    PostFactory,
)
from tests.helpers import NS, action_url, assert_error

pytestmark = pytest.mark.django_db

D = datetime.date


def assert_refused(excinfo, field: str) -> None:
    """The ValidationError names ``field``, at the top level or inside a list (``sources.0.quote``)."""
    names = excinfo.value.message_dict
    assert any(name == field or name.endswith(f".{field}") for name in names), names


def ended(appointment: Appointment, day: datetime.date) -> Appointment:
    appointment.end_date = day
    appointment.end_date_precision = "exact"
    appointment.save()
    return appointment


# --- appointment_create ------------------------------------------------------------------------------------------


class TestAppointmentCreate:
    def test_appoints(self):
        post, person = PostFactory(), PersonFactory()
        appointment = services.appointment_create(person=person, post=post, start_date=D(2024, 1, 1), reason="why")
        assert Appointment.objects.get(post=post) == appointment
        assert appointment.end_date is None
        assert appointment.start_date_precision == "exact"
        assert appointment.history.get().history_change_reason == "why"

    def test_refuses_overlap_on_a_single_seat_post(self):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        with pytest.raises(ValidationError) as excinfo:
            services.appointment_create(person=PersonFactory(), post=holder.post, start_date=D(2024, 6, 1))
        assert_refused(excinfo, "post")
        assert list(Appointment.objects.filter(post=holder.post)) == [holder]

    def test_refuses_a_closed_period_inside_an_open_one(self):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        with pytest.raises(ValidationError) as excinfo:
            services.appointment_create(
                person=PersonFactory(), post=holder.post, start_date=D(2023, 1, 1), end_date=D(2024, 1, 1)
            )
        assert_refused(excinfo, "post")
        assert Appointment.objects.filter(post=holder.post).count() == 1

    def test_allows_holders_one_after_the_other(self):
        holder = ended(AppointmentFactory(start_date=D(2024, 1, 1)), D(2024, 6, 30))
        successor = services.appointment_create(person=PersonFactory(), post=holder.post, start_date=D(2024, 7, 1))
        assert set(Appointment.objects.filter(post=holder.post)) == {holder, successor}

    def test_refuses_more_holders_than_seats(self):
        post = PostFactory(seats=2)
        first = AppointmentFactory(post=post, start_date=D(2024, 1, 1))
        second = services.appointment_create(person=PersonFactory(), post=post, start_date=D(2024, 3, 1))
        with pytest.raises(ValidationError) as excinfo:
            services.appointment_create(person=PersonFactory(), post=post, start_date=D(2024, 6, 1))
        assert_refused(excinfo, "post")
        assert set(Appointment.objects.filter(post=post)) == {first, second}

    def test_a_post_without_a_seat_count_takes_anyone(self):
        post = PostFactory(seats=None)
        for _ in range(3):
            services.appointment_create(person=PersonFactory(), post=post, start_date=D(2024, 1, 1))
        assert Appointment.objects.filter(post=post).count() == 3

    def test_refuses_a_start_before_the_organization_is_founded(self):
        post = PostFactory(
            organization=OrganizationFactory(founding_date=D(2024, 1, 1), founding_date_precision="exact")
        )
        with pytest.raises(ValidationError) as excinfo:
            services.appointment_create(person=PersonFactory(), post=post, start_date=D(2023, 12, 31))
        assert_refused(excinfo, "start_date")
        assert not Appointment.objects.filter(post=post).exists()
        services.appointment_create(person=PersonFactory(), post=post, start_date=D(2024, 1, 1))

    def test_a_dissolved_body_refuses_an_open_appointment(self):
        organization = OrganizationFactory(dissolution_date=D(2024, 12, 31), dissolution_date_precision="exact")
        post = PostFactory(organization=organization)
        with pytest.raises(ValidationError) as excinfo:
            services.appointment_create(person=PersonFactory(), post=post, start_date=D(2024, 1, 1))
        assert_refused(excinfo, "end_date")
        with pytest.raises(ValidationError) as excinfo:
            services.appointment_create(
                person=PersonFactory(), post=post, start_date=D(2024, 1, 1), end_date=D(2025, 1, 1)
            )
        assert_refused(excinfo, "end_date")
        assert not Appointment.objects.filter(post=post).exists()
        closed = services.appointment_create(
            person=PersonFactory(), post=post, start_date=D(2024, 1, 1), end_date=D(2024, 12, 31)
        )
        assert closed.end_date_precision == "exact"

    def test_sources_become_citations(self):
        document = DocumentFactory()
        appointment = services.appointment_create(
            person=PersonFactory(),
            post=PostFactory(),
            start_date=D(2024, 1, 1),
            sources=[{"document": document, "quote": "Giám đốc Sở Thử nghiệm", "field": "post"}],
        )
        citation = Citation.objects.get(
            content_type=ContentType.objects.get_for_model(Appointment), object_id=appointment.pk
        )
        assert (citation.document, citation.quote, citation.field) == (document, "Giám đốc Sở Thử nghiệm", "post")

    def test_a_bad_quote_writes_nothing(self):
        post = PostFactory()
        with pytest.raises(ValidationError) as excinfo:
            services.appointment_create(
                person=PersonFactory(),
                post=post,
                start_date=D(2024, 1, 1),
                sources=[{"document": DocumentFactory(), "quote": "Không có trong bài"}],
            )
        assert_refused(excinfo, "quote")
        assert not Appointment.objects.filter(post=post).exists()
        assert not Citation.objects.filter(quote="Không có trong bài").exists()


# --- post_succeed ------------------------------------------------------------------------------------------------


class TestPostSucceed:
    def test_ends_the_holder_the_day_before_and_starts_the_successor(self):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        person = PersonFactory()
        predecessor, successor = services.post_succeed(
            post=holder.post, person=person, start_date=D(2025, 3, 1), reason="succession"
        )
        holder.refresh_from_db()
        assert predecessor == holder
        assert (holder.end_date, holder.end_date_precision) == (D(2025, 2, 28), "exact")
        assert holder.end_reason == f"Người kế nhiệm: {person}"
        assert (successor.person, successor.post, successor.start_date, successor.end_date) == (
            person,
            holder.post,
            D(2025, 3, 1),
            None,
        )
        assert holder.history.first().history_change_reason == "succession"
        assert successor.history.get().history_change_reason == "succession"

    def test_the_end_reason_given_is_kept(self):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        services.post_succeed(post=holder.post, person=PersonFactory(), start_date=D(2025, 1, 1), end_reason="Nghỉ hưu")
        holder.refresh_from_db()
        assert holder.end_reason == "Nghỉ hưu"

    def test_a_vacant_post_has_no_predecessor(self):
        earlier = ended(AppointmentFactory(start_date=D(2023, 1, 1)), D(2023, 12, 31))
        predecessor, successor = services.post_succeed(
            post=earlier.post, person=PersonFactory(), start_date=D(2024, 6, 1)
        )
        assert predecessor is None
        earlier.refresh_from_db()
        assert earlier.end_date == D(2023, 12, 31)
        assert successor.start_date == D(2024, 6, 1)

    def test_a_failing_successor_rolls_back_the_predecessors_end(self):
        """The successor's creation fails after the predecessor was ended: nothing of the succession stays."""
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        person = PersonFactory()
        with pytest.raises(ValidationError) as excinfo:
            services.post_succeed(
                post=holder.post,
                person=person,
                start_date=D(2025, 1, 1),
                sources=[{"document": DocumentFactory(), "quote": "Không có trong bài"}],
            )
        assert_refused(excinfo, "quote")
        holder.refresh_from_db()
        assert holder.end_date is None
        assert holder.end_date_precision == ""
        assert holder.end_reason == ""
        assert holder.history.count() == 1
        assert not Appointment.objects.filter(person=person).exists()

    def test_an_appointment_already_starting_later_rolls_back_the_succession(self):
        """The current holder is to leave at the end of 2025 and a successor is already appointed from 2026: an
        open appointment from mid-2025 would overlap the latter, so the holder's end must stay as it was."""
        post = PostFactory()
        holder = ended(AppointmentFactory(post=post, start_date=D(2024, 1, 1)), D(2025, 12, 31))
        later = AppointmentFactory(post=post, start_date=D(2026, 1, 1))
        person = PersonFactory()
        with pytest.raises(ValidationError) as excinfo:
            services.post_succeed(post=post, person=person, start_date=D(2025, 7, 1))
        assert_refused(excinfo, "post")
        holder.refresh_from_db()
        assert holder.end_date == D(2025, 12, 31)
        assert holder.end_reason == ""
        assert set(Appointment.objects.filter(post=post)) == {holder, later}

    def test_a_full_multi_seat_post_needs_the_predecessor_named(self):
        post = PostFactory(seats=2)
        first = AppointmentFactory(post=post, start_date=D(2024, 1, 1))
        second = AppointmentFactory(post=post, start_date=D(2024, 2, 1))
        person = PersonFactory()
        with pytest.raises(ValidationError) as excinfo:
            services.post_succeed(post=post, person=person, start_date=D(2025, 1, 1))
        assert_refused(excinfo, "predecessor")
        assert Appointment.objects.filter(post=post, end_date__isnull=True).count() == 2

        predecessor, successor = services.post_succeed(
            post=post, person=person, start_date=D(2025, 1, 1), predecessor=second
        )
        assert predecessor == second
        second.refresh_from_db()
        first.refresh_from_db()
        assert second.end_date == D(2024, 12, 31)
        assert first.end_date is None
        assert successor.person == person

    def test_a_multi_seat_post_with_a_free_seat_ends_nobody(self):
        post = PostFactory(seats=2)
        holder = AppointmentFactory(post=post, start_date=D(2024, 1, 1))
        predecessor, _ = services.post_succeed(post=post, person=PersonFactory(), start_date=D(2025, 1, 1))
        assert predecessor is None
        holder.refresh_from_db()
        assert holder.end_date is None
        assert Appointment.objects.filter(post=post, end_date__isnull=True).count() == 2

    def test_the_predecessor_of_another_post_is_refused(self):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        elsewhere = AppointmentFactory(start_date=D(2024, 1, 1))
        person = PersonFactory()
        with pytest.raises(ValidationError) as excinfo:
            services.post_succeed(post=holder.post, person=person, start_date=D(2025, 1, 1), predecessor=elsewhere)
        assert_refused(excinfo, "predecessor")
        holder.refresh_from_db()
        elsewhere.refresh_from_db()
        assert holder.end_date is None
        assert elsewhere.end_date is None
        assert not Appointment.objects.filter(person=person).exists()

    @pytest.mark.parametrize("start", [D(2024, 1, 1), D(2023, 6, 1)], ids=["same-day", "earlier"])
    def test_the_successor_starts_after_the_predecessor(self, start):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        person = PersonFactory()
        with pytest.raises(ValidationError) as excinfo:
            services.post_succeed(post=holder.post, person=person, start_date=start, predecessor=holder)
        assert_refused(excinfo, "start_date")
        holder.refresh_from_db()
        assert holder.end_date is None
        assert not Appointment.objects.filter(person=person).exists()


# --- appointment_end and appointment_update ----------------------------------------------------------------------


class TestAppointmentEnd:
    def test_ends(self):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        services.appointment_end(appointment=holder, end_date=D(2024, 12, 31), end_reason="Nghỉ hưu")
        holder.refresh_from_db()
        assert (holder.end_date, holder.end_date_precision, holder.end_reason) == (D(2024, 12, 31), "exact", "Nghỉ hưu")
        # Without a reason of its own, the history keeps the end reason.
        assert holder.history.first().history_change_reason == "Nghỉ hưu"

    def test_refuses_ending_after_an_earlier_end(self):
        holder = ended(AppointmentFactory(start_date=D(2024, 1, 1)), D(2024, 6, 30))
        with pytest.raises(ValidationError) as excinfo:
            services.appointment_end(appointment=holder, end_date=D(2024, 12, 31))
        assert_refused(excinfo, "end_date")
        holder.refresh_from_db()
        assert holder.end_date == D(2024, 6, 30)

    def test_refuses_even_when_the_instance_in_hand_is_stale(self):
        """The end recorded in the database counts, not the one of the object passed in."""
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        stale = Appointment.objects.get(pk=holder.pk)
        ended(holder, D(2024, 6, 30))
        with pytest.raises(ValidationError) as excinfo:
            services.appointment_end(appointment=stale, end_date=D(2024, 12, 31))
        assert_refused(excinfo, "end_date")
        holder.refresh_from_db()
        assert holder.end_date == D(2024, 6, 30)

    def test_an_earlier_end_corrects_the_end(self):
        holder = ended(AppointmentFactory(start_date=D(2024, 1, 1)), D(2024, 6, 30))
        services.appointment_end(appointment=holder, end_date=D(2024, 3, 31))
        holder.refresh_from_db()
        assert holder.end_date == D(2024, 3, 31)

    def test_refuses_an_end_before_the_start(self):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        with pytest.raises(ValidationError) as excinfo:
            services.appointment_end(appointment=holder, end_date=D(2023, 12, 31))
        assert_refused(excinfo, "end_date")
        holder.refresh_from_db()
        assert holder.end_date is None


def test_appointment_update_refuses_a_move_onto_a_taken_post():
    taken = AppointmentFactory(start_date=D(2024, 1, 1))
    moving = AppointmentFactory(start_date=D(2024, 1, 1))
    original_post = moving.post
    with pytest.raises(ValidationError) as excinfo:
        services.appointment_update(appointment=moving, changes={"post": taken.post})
    assert_refused(excinfo, "post")
    moving.refresh_from_db()
    assert moving.post == original_post


# --- through the API ---------------------------------------------------------------------------------------------


CHAIRMAN = "ubnd-tp-hcm-chu-tich"


class TestApiActions:
    def test_succeed_the_seeded_chairman(self, editor_client):
        post = Post.objects.get(slug=CHAIRMAN)
        current = Appointment.objects.get(post=post, end_date__isnull=True)
        response = editor_client.post(
            action_url("post", "succeed", post.pk),
            {"person": "nguyen-loc-ha", "start_date": "2026-01-01", "reason": "test succession"},
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) == {"ended", "started"}
        assert body["ended"]["id"] == current.pk
        assert body["ended"]["person"]["name"] == "Nguyễn Văn Được"
        assert body["ended"]["end_date"] == "2025-12-31"
        assert body["ended"]["end_date_precision"] == "exact"
        assert body["started"]["person"]["slug"] == "nguyen-loc-ha"
        assert body["started"]["post"]["id"] == post.pk
        assert body["started"]["start_date"] == "2026-01-01"
        assert body["started"]["end_date"] is None

        current.refresh_from_db()
        assert current.end_date == D(2025, 12, 31)
        started = Appointment.objects.get(pk=body["started"]["id"])
        assert (started.person.slug, started.post, started.start_date) == ("nguyen-loc-ha", post, D(2026, 1, 1))
        assert started.history.get().history_user.username == "editor"
        assert current.history.first().history_change_reason == "test succession"
        # Who holds the post now follows.
        holders = editor_client.get(reverse(f"{NS}:post-detail", args=[post.pk]), {"as_of": "2026-01-01"}).json()
        assert [holder["person"]["slug"] for holder in holders["holders"]] == ["nguyen-loc-ha"]

    def test_succeed_refused_on_a_full_multi_seat_post(self, editor_client):
        post = PostFactory(seats=2)
        AppointmentFactory.create_batch(2, post=post, start_date=D(2024, 1, 1))
        response = editor_client.post(
            action_url("post", "succeed", post.pk),
            {"person": PersonFactory().slug, "start_date": "2025-01-01"},
            format="json",
        )
        assert_error(response, 400, "predecessor")
        assert Appointment.objects.filter(post=post, end_date__isnull=True).count() == 2

    def test_end(self, editor_client):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        response = editor_client.post(
            action_url("appointment", "end", holder.pk),
            {"end_date": "2024-12-31", "end_reason": "Nghỉ hưu", "reason": "test end"},
            format="json",
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["id"], body["end_date"], body["end_reason"]) == (holder.pk, "2024-12-31", "Nghỉ hưu")
        holder.refresh_from_db()
        assert holder.end_date == D(2024, 12, 31)
        assert holder.history.first().history_change_reason == "test end"

    def test_end_after_an_earlier_end_is_refused(self, editor_client):
        holder = ended(AppointmentFactory(start_date=D(2024, 1, 1)), D(2024, 6, 30))
        response = editor_client.post(
            action_url("appointment", "end", holder.pk), {"end_date": "2024-12-31"}, format="json"
        )
        assert_error(response, 400, "end_date")
        holder.refresh_from_db()
        assert holder.end_date == D(2024, 6, 30)

    def test_end_before_start_is_refused(self, editor_client):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        response = editor_client.post(
            action_url("appointment", "end", holder.pk), {"end_date": "2023-12-31"}, format="json"
        )
        assert_error(response, 400, "end_date")
        holder.refresh_from_db()
        assert holder.end_date is None
        assert holder.history.count() == 1

    def test_end_before_start_by_update_is_refused(self, editor_client):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        response = editor_client.patch(
            reverse(f"{NS}:appointment-detail", args=[holder.pk]),
            {"end_date": "2023-12-31", "end_date_precision": "exact"},
            format="json",
        )
        assert_error(response, 400, "end_date")
        holder.refresh_from_db()
        assert holder.end_date is None

    def test_appoint_with_sources(self, editor_client):
        post, person, document = PostFactory(), PersonFactory(), DocumentFactory()
        response = editor_client.post(
            action_url("post", "appoint", post.pk),
            {
                "person": person.slug,
                "start_date": "2024-06-01",
                "sources": [{"document": document.slug, "quote": "Giám đốc Sở Thử nghiệm"}],
                "reason": "test appoint",
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        appointment = Appointment.objects.get(pk=body["id"])
        assert (appointment.person, appointment.post, appointment.start_date) == (person, post, D(2024, 6, 1))
        assert [(c.document, c.quote) for c in appointment.sources.all()] == [(document, "Giám đốc Sở Thử nghiệm")]
        assert [(s["document"]["slug"], s["quote"]) for s in body["sources"]] == [
            (document.slug, "Giám đốc Sở Thử nghiệm")
        ]
        assert appointment.history.get().history_change_reason == "test appoint"

    def test_appoint_with_a_bad_quote_writes_nothing(self, editor_client):
        post, person, document = PostFactory(), PersonFactory(), DocumentFactory()
        citations = Citation.objects.count()
        response = editor_client.post(
            action_url("post", "appoint", post.pk),
            {
                "person": person.slug,
                "start_date": "2024-06-01",
                "sources": [
                    {"document": document.slug, "quote": "Giám đốc Sở Thử nghiệm"},
                    {"document": document.slug, "quote": "Không có trong bài"},
                ],
            },
            format="json",
        )
        body = assert_error(response, 400)
        assert any(error["field"] and error["field"].endswith("quote") for error in body["errors"]), body
        assert not Appointment.objects.filter(post=post).exists()
        assert Citation.objects.count() == citations

    def test_a_bad_quote_names_the_source_it_belongs_to(self, editor_client):
        document = DocumentFactory()
        response = editor_client.post(
            action_url("post", "appoint", PostFactory().pk),
            {
                "person": PersonFactory().slug,
                "start_date": "2024-06-01",
                "sources": [
                    {"document": document.slug, "quote": "Giám đốc Sở Thử nghiệm"},
                    {"document": document.slug, "quote": "Không có trong bài"},
                ],
            },
            format="json",
        )
        assert_error(response, 400, "sources.1.quote")

    def test_appoint_with_an_unknown_document(self, editor_client):
        post = PostFactory()
        response = editor_client.post(
            action_url("post", "appoint", post.pk),
            {
                "person": PersonFactory().slug,
                "start_date": "2024-06-01",
                "sources": [{"document": "no-such-document", "quote": "x"}],
            },
            format="json",
        )
        assert_error(response, 400, "sources.0.document")
        assert not Appointment.objects.filter(post=post).exists()

    def test_appoint_over_the_seats_is_refused(self, editor_client):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        response = editor_client.post(
            action_url("post", "appoint", holder.post_id),
            {"person": PersonFactory().slug, "start_date": "2024-06-01"},
            format="json",
        )
        assert_error(response, 400, "post")
        assert Appointment.objects.filter(post=holder.post).count() == 1

    def test_parent_cycle_is_refused(self, editor_client):
        grandparent = OrganizationFactory()
        parent = OrganizationFactory(parent=grandparent)
        child = OrganizationFactory(parent=parent)
        response = editor_client.patch(
            reverse(f"{NS}:organization-detail", args=[grandparent.slug]), {"parent": child.slug}, format="json"
        )
        assert_error(response, 400, "parent")
        grandparent.refresh_from_db()
        assert grandparent.parent is None

    def test_own_parent_is_refused(self, editor_client):
        body = OrganizationFactory()
        response = editor_client.patch(
            reverse(f"{NS}:organization-detail", args=[body.slug]), {"parent": body.slug}, format="json"
        )
        assert_error(response, 400, "parent")
        body.refresh_from_db()
        assert body.parent is None

    @pytest.mark.parametrize(
        "target, method, url, payload",
        [
            (
                "appointment_create",
                "post",
                lambda: action_url("post", "appoint", PostFactory().pk),
                lambda: {"person": PersonFactory().slug, "start_date": "2024-06-01"},
            ),
            (
                "post_succeed",
                "post",
                lambda: action_url("post", "succeed", PostFactory().pk),
                lambda: {"person": PersonFactory().slug, "start_date": "2024-06-01"},
            ),
            (
                "appointment_end",
                "post",
                lambda: action_url("appointment", "end", AppointmentFactory().pk),
                lambda: {"end_date": "2024-12-31"},
            ),
            (
                "record_create",
                "post",
                lambda: reverse(f"{NS}:person-list"),
                lambda: {"slug": "conflicting", "name": "Lê Xung Đột"},
            ),
            (
                "record_update",
                "patch",
                lambda: reverse(f"{NS}:organization-detail", args=[OrganizationFactory().slug]),
                lambda: {"name_en": "Conflict"},
            ),
            (
                "record_delete",
                "delete",
                lambda: reverse(f"{NS}:person-detail", args=[PersonFactory().slug]),
                lambda: None,
            ),
        ],
        ids=["appoint", "succeed", "end", "create", "update", "delete"],
    )
    def test_integrity_error_is_a_409(self, editor_client, monkeypatch, target, method, url, payload):
        address, data = url(), payload()

        def conflict(*args, **kwargs):
            raise IntegrityError("duplicate key value violates unique constraint")

        monkeypatch.setattr(services, target, conflict)
        response = getattr(editor_client, method)(address, data, format="json")
        body = assert_error(response, 409)
        assert body["code"] == "integrity"
        assert "duplicate key" not in body["detail"]  # the database's own message stays in the logs

    def test_a_real_duplicate_is_a_conflict_or_a_validation_error_never_a_500(self, editor_client):
        """The unique (person, post, start) rule answered without the service being patched."""
        holder = ended(AppointmentFactory(start_date=D(2024, 1, 1)), D(2024, 6, 30))
        response = editor_client.post(
            action_url("post", "appoint", holder.post_id),
            {"person": holder.person.slug, "start_date": "2024-01-01"},
            format="json",
        )
        assert response.status_code in (400, 409), response.content
        assert_error(response, response.status_code)
        assert Appointment.objects.filter(post=holder.post).count() == 1
