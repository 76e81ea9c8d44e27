"""What one write costs: the query counts of the main writes are pinned, per database (PostgreSQL sets a feed
position by a trigger at commit, one query fewer), and a check constraint left to the database is refused with the same
400 validating would give, nothing written."""

import pytest
from django.db import connection

from registry.models import Appointment, Change
from tests.factories import AppointmentFactory, DocumentFactory, OrganizationFactory, PersonFactory, PostFactory
from tests.helpers import assert_error, detail_url, list_url

pytestmark = pytest.mark.django_db

#: (SQLite, PostgreSQL), inside the test's own transaction (the service's transaction is one savepoint pair here).
COUNTS = {
    "post appointment": (18, 17),
    "patch appointment": (18, 17),
    "post person": (15, 14),
    "post post": (22, 20),
}


def pinned(name: str) -> int:
    sqlite, postgresql = COUNTS[name]
    return postgresql if connection.vendor == "postgresql" else sqlite


def test_one_appointment_is_written_in_a_pinned_number_of_queries(editor_client, django_assert_num_queries):
    post, person = PostFactory(), PersonFactory()
    body = {"person": person.slug, "post": post.pk, "start_date": "2024-01-01"}
    with django_assert_num_queries(pinned("post appointment")):
        response = editor_client.post(list_url("appointment"), body, format="json")
    assert response.status_code == 201, response.content
    with django_assert_num_queries(pinned("patch appointment")):
        response = editor_client.patch(detail_url("appointment", response.json()["id"]), {"note": "x"}, format="json")
    assert response.status_code == 200, response.content


def test_a_person_and_a_post_are_written_in_a_pinned_number_of_queries(editor_client, django_assert_num_queries):
    body = {"slug": "nguyen-van-a", "name": "Nguyễn Văn A", "family_name": "Nguyễn"}
    with django_assert_num_queries(pinned("post person")):
        response = editor_client.post(list_url("person"), body, format="json")
    assert response.status_code == 201, response.content
    body = {"slug": "p-x", "organization": OrganizationFactory().slug, "label": "Giám đốc", "role": "head"}
    body["new_sources"] = [{"document": DocumentFactory(text="").slug, "quote": "Giám đốc"}]
    with django_assert_num_queries(pinned("post post")):
        response = editor_client.post(list_url("post"), body, format="json")
    assert response.status_code == 201, response.content


def test_a_check_the_database_refuses_is_the_400_of_its_field_and_writes_nothing(editor_client):
    appointment = AppointmentFactory(end_date=None)
    entries = Change.objects.count()
    response = editor_client.patch(detail_url("appointment", appointment.pk), {"leaves_vacant": True}, format="json")
    assert_error(response, 400, "leaves_vacant")
    appointment.refresh_from_db()
    assert appointment.leaves_vacant is False
    assert Change.objects.count() == entries
    # the transaction is usable after the refusal: the next write goes through
    response = editor_client.patch(detail_url("appointment", appointment.pk), {"note": "sau"}, format="json")
    assert response.status_code == 200, response.content
    assert Appointment.objects.get(pk=appointment.pk).note == "sau"
