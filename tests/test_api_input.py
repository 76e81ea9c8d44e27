"""Bad input: every refusal is a 4xx naming the field and the rule, and writes nothing.

Every test sees the seeded registry (tests/conftest.py)."""

import datetime

import pytest

from registry.models import (
    Appointment,
    Organization,
    Person,
    Portfolio,
)
from tests.factories import (
    AppointmentFactory,
    PortfolioFactory,
    PostFactory,
)
from tests.helpers import (
    COMMITTEE,
    assert_error,
    chart_url,
    detail_url,
    list_url,
    seeded_post,
)
from tests.resources import RESOURCES, appointment_payload

pytestmark = pytest.mark.django_db


# --- d. bad input --------------------------------------------------------------------------------------------------


class TestBadInput:
    @pytest.mark.parametrize(
        "url, param",
        [
            (list_url("organization"), "exists_on"),
            (list_url("post"), "exists_on"),
            (list_url("person"), "as_of"),
            (list_url("post"), "as_of"),
            (list_url("appointment"), "as_of"),
            (list_url("relationship"), "as_of"),
            (chart_url(COMMITTEE), "as_of"),
        ],
    )
    def test_impossible_day(self, api_client, url, param):
        assert_error(api_client.get(url, {param: "2025-13-40"}), 400, param)

    def test_impossible_as_of_on_a_post(self, api_client):
        post = seeded_post("ubnd-tp-hcm-chu-tich")
        assert_error(api_client.get(detail_url("post", post.pk), {"as_of": "2025-02-30"}), 400, "as_of")

    @pytest.mark.parametrize(
        "basename, param",
        [
            ("post", "organization"),
            ("post", "portfolio"),
            ("appointment", "organization"),
            ("appointment", "person"),
            ("appointment", "post"),
            ("person", "organization"),
            ("organization", "parent"),
            ("document", "issuer"),
            ("relationship", "organization"),
            ("relationship", "subject"),
        ],
    )
    def test_unknown_key_in_a_filter(self, api_client, basename, param):
        value = "999999" if param == "post" else "nope"
        body = assert_error(api_client.get(list_url(basename), {param: value}), 400, param)
        assert value in body["detail"]

    @pytest.mark.parametrize("basename, param", [("post", "role"), ("document", "kind"), ("relationship", "kind")])
    def test_unknown_choice_in_a_filter(self, api_client, basename, param):
        assert_error(api_client.get(list_url(basename), {param: "nope"}), 400, param)

    @pytest.mark.parametrize(
        "url",
        [
            detail_url("organization", "nope"),
            detail_url("person", "nope"),
            detail_url("portfolio", "nope"),
            detail_url("document", "nope"),
            detail_url("post", 999999),
            detail_url("appointment", 999999),
            detail_url("relationship", 999999),
            chart_url("nope"),
        ],
    )
    def test_unknown_key_in_the_url(self, api_client, url):
        body = assert_error(api_client.get(url), 404)
        assert body["code"] == "not_found"

    def test_unknown_address_is_a_json_404(self, api_client):
        body = assert_error(api_client.get("/api/v1/nothing-here/"), 404)
        assert body["code"] == "not_found"

    @pytest.mark.parametrize("param, value", [("page", "abc"), ("page", "0"), ("page", "-1"), ("page_size", "abc")])
    def test_malformed_page(self, api_client, param, value):
        assert_error(api_client.get(list_url("organization"), {param: value}), 400, param)

    def test_page_past_the_end(self, api_client):
        body = assert_error(api_client.get(list_url("organization"), {"page": 999}), 404)
        assert body["code"] == "not_found"

    def test_page_size_is_capped_at_200(self, api_client):
        PortfolioFactory.create_batch(200)
        total = Portfolio.objects.count()
        assert total > 200
        body = api_client.get(list_url("portfolio"), {"page_size": 1000}).json()
        assert body["count"] == total
        assert len(body["results"]) == 200
        assert body["next"] is not None
        assert len(api_client.get(list_url("portfolio"), {"page_size": 7}).json()["results"]) == 7

    def test_appointment_ending_before_it_starts(self, editor_client):
        payload = appointment_payload() | {"start_date": "2024-06-01", "end_date": "2024-05-31"}
        before = Appointment.objects.count()
        response = editor_client.post(list_url("appointment"), payload, format="json")
        assert Appointment.objects.count() == before
        assert_error(response, 400, "end_date")

    def test_second_holder_of_a_single_seat_post(self, editor_client):
        chairman = seeded_post("ubnd-tp-hcm-chu-tich")
        payload = {
            "person": "ngo-le-van",
            "post": chairman.pk,
            "start_date": "2024-06-01",
            "start_date_precision": "exact",
            "end_date": "2024-06-30",
            "end_date_precision": "exact",
        }
        before = Appointment.objects.count()
        assert_error(editor_client.post(list_url("appointment"), payload, format="json"), 400, "post")
        assert Appointment.objects.count() == before
        # After Phan Văn Mãi and before Nguyễn Văn Được the seat is free.
        payload |= {"start_date": "2025-01-01", "end_date": "2025-01-31"}
        assert editor_client.post(list_url("appointment"), payload, format="json").status_code == 201

    def test_second_holder_by_partial_update(self, editor_client):
        post = PostFactory()
        AppointmentFactory(post=post, start_date=datetime.date(2024, 1, 1))
        earlier = AppointmentFactory(
            post=post,
            start_date=datetime.date(2023, 1, 1),
            end_date=datetime.date(2023, 12, 31),
            end_date_precision="attested",  # an attested end may move later; the seat rule must still hold
        )
        response = editor_client.patch(
            detail_url("appointment", earlier.pk),
            {"end_date": "2024-01-01"},
            format="json",
        )
        assert_error(response, 400, "post")
        earlier.refresh_from_db()
        assert earlier.end_date == datetime.date(2023, 12, 31)

    @pytest.mark.parametrize(
        "basename, payload, field_name",
        [
            ("post", {"organization": "nope", "slug": "bad-post", "label": "Giám đốc", "role": "head"}, "organization"),
            ("post", {"organization": "ubnd-tp-hcm", "slug": "bad-post", "label": "X", "role": "boss"}, "role"),
            (
                "post",
                {"organization": "ubnd-tp-hcm", "slug": "bad-post", "label": "X", "role": "head", "seats": 0},
                "seats",
            ),
            ("organization", {"slug": "bad", "name": "X", "classification": "department", "parent": "nope"}, "parent"),
            ("document", {"slug": "bad", "kind": "plan", "title": "X", "issuer": "nope"}, "issuer"),
            ("relationship", {"subject": "ubnd-tp-hcm", "object": "nope", "kind": "supports"}, "object"),
            ("appointment", {"person": "nope", "post": 1, "start_date": "2024-01-01"}, "person"),
            ("appointment", {"person": "ngo-le-van", "post": "abc", "start_date": "2024-01-01"}, "post"),
        ],
    )
    def test_invalid_create_payload(self, editor_client, basename, payload, field_name):
        model = next(resource.model for resource in RESOURCES if resource.basename == basename)
        before = model.objects.count()
        response = editor_client.post(list_url(basename), payload, format="json")
        assert_error(response, 400, field_name)
        assert model.objects.count() == before

    def test_taken_slug_is_a_conflict_naming_the_field(self, editor_client):
        before = Organization.objects.count()
        payload = {"slug": "ubnd-tp-hcm", "name": "X", "classification": "department"}
        response = editor_client.post(list_url("organization"), payload, format="json")
        assert_error(response, 409, "slug")
        assert response.json()["errors"][0]["code"] == "unique"
        assert Organization.objects.count() == before

    def test_appointment_before_its_organization_exists(self, editor_client):
        head = seeded_post("ban-chi-dao-hoi-nhap-quoc-te-truong-ban")
        payload = {"person": "ngo-le-van", "post": head.pk, "start_date": "2025-12-01", "start_date_precision": "exact"}
        assert_error(editor_client.post(list_url("appointment"), payload, format="json"), 400, "start_date")

    def test_deleting_a_person_with_appointments_conflicts(self, editor_client):
        person = Person.objects.get(slug="nguyen-van-duoc")
        appointments = set(person.appointments.values_list("pk", flat=True))
        sources = person.sources.count()
        body = assert_error(editor_client.delete(detail_url("person", person.slug)), 409)
        assert body["code"] == "protected"
        assert Person.objects.filter(pk=person.pk).exists()
        assert set(person.appointments.values_list("pk", flat=True)) == appointments
        assert person.sources.count() == sources

    def test_deleting_an_organization_with_posts_conflicts(self, editor_client):
        assert_error(editor_client.delete(detail_url("organization", "ubnd-tp-hcm")), 409)
        assert Organization.objects.filter(slug="ubnd-tp-hcm").exists()

    def test_malformed_json(self, editor_client):
        response = editor_client.post(list_url("portfolio"), "{not json", content_type="application/json")
        assert_error(response, 400)
