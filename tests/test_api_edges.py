"""Edges of the API layer a client meets: pages past the counted rows, strict JSON types, the one error body for
malformed bodies, headers and nested input, the browsable API's forms, and the schema's per-request variants.

Every test sees the seeded registry (tests/conftest.py) and builds the records it asserts on."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from registry.api import views
from registry.api.cached_schema import CachedSchemaView
from registry.api.pagination import COUNT_EXACT_HEADER, CappedCountPaginator
from registry.models import Appointment, Identifier, Person, Portfolio, Post
from tests.factories import (
    AppointmentFactory,
    DocumentFactory,
    OrganizationFactory,
    PersonFactory,
    PortfolioFactory,
    PostFactory,
)
from tests.helpers import NS, action_url, assert_error, detail_url, list_url

pytestmark = pytest.mark.django_db


# --- pages past the counted rows ------------------------------------------------------------------------------------


@pytest.fixture
def count_limit(monkeypatch):
    """Lists count exactly only up to 3 rows here (COUNT_LIMIT in production), over more portfolios than that."""
    PortfolioFactory.create_batch(6)
    monkeypatch.setattr(CappedCountPaginator, "limit", 3)
    return 3


class TestPagesPastTheCount:
    def test_past_the_limit_count_is_a_floor_and_next_still_reaches_every_row(self, api_client, count_limit):
        every_slug = list(Portfolio.objects.values_list("slug", flat=True))
        assert len(every_slug) > count_limit + 2
        response = api_client.get(list_url("portfolio"), {"page_size": 2})
        assert response[COUNT_EXACT_HEADER] == "false"
        assert response.json()["count"] == count_limit
        seen = []
        while True:
            body = response.json()
            assert body["count"] == count_limit
            seen += [row["slug"] for row in body["results"]]
            if body["next"] is None:
                break
            response = api_client.get(body["next"])
        assert seen == every_slug

    def test_a_page_past_the_last_row_is_a_404(self, api_client, count_limit):
        pages = Portfolio.objects.count() // 2 + 2
        body = assert_error(api_client.get(list_url("portfolio"), {"page_size": 2, "page": pages}), 404)
        assert body["code"] == "not_found"

    def test_page_last_counts_exactly(self, api_client, count_limit):
        total = Portfolio.objects.count()
        response = api_client.get(list_url("portfolio"), {"page_size": 2, "page": "last"})
        assert response.status_code == 200
        assert response[COUNT_EXACT_HEADER] == "true"
        body = response.json()
        assert body["count"] == total
        assert body["next"] is None
        assert [row["slug"] for row in body["results"]] == list(
            Portfolio.objects.values_list("slug", flat=True)[(total - 1) // 2 * 2 :]
        )

    def test_within_the_limit_count_is_exact(self, api_client, count_limit):
        response = api_client.get(list_url("portfolio"), {"slug": Portfolio.objects.first().slug})
        assert response[COUNT_EXACT_HEADER] == "true"
        assert response.json()["count"] == 1


# --- strict JSON types ----------------------------------------------------------------------------------------------


class TestStrictTypes:
    def test_a_number_for_a_text_field_is_refused(self, editor_client):
        person = PersonFactory()
        body = assert_error(editor_client.patch(detail_url("person", person.slug), {"name": 5}, format="json"), 400)
        assert body["errors"] == [{"field": "name", "code": "not_a_string", "message": "Expected a string, got int."}]
        assert Person.objects.get(pk=person.pk).name == person.name

    def test_a_string_for_an_integer_field_is_refused(self, editor_client):
        post = PostFactory(seats=1)
        body = assert_error(editor_client.patch(detail_url("post", post.pk), {"seats": "3"}, format="json"), 400)
        assert body["errors"] == [
            {"field": "seats", "code": "not_an_integer", "message": "Expected an integer, got str."}
        ]
        assert Post.objects.get(pk=post.pk).seats == 1

    @pytest.mark.parametrize("value", [1, "true"])
    def test_anything_but_true_or_false_for_a_boolean_is_refused(self, editor_client, value):
        post = PostFactory(standing=False)
        response = editor_client.patch(detail_url("post", post.pk), {"standing": value}, format="json")
        body = assert_error(response, 400, "standing")
        assert body["errors"][0]["code"] == "not_a_boolean"
        assert not Post.objects.get(pk=post.pk).standing

    def test_a_single_key_where_a_list_is_expected_is_refused(self, editor_client):
        organization = OrganizationFactory()
        document = DocumentFactory(kind="resolution")
        response = editor_client.patch(
            detail_url("organization", organization.slug), {"legal_basis": document.slug}, format="json"
        )
        body = assert_error(response, 400, "legal_basis")
        assert body["errors"][0]["code"] == "not_a_list"
        assert not organization.legal_basis.exists()

    def test_an_empty_key_is_refused_not_read_as_null(self, editor_client):
        appointment = AppointmentFactory()
        response = editor_client.patch(detail_url("appointment", appointment.pk), {"person": ""}, format="json")
        body = assert_error(response, 400, "person")
        assert body["errors"][0]["message"] == "Expected the slug of a person, got ''."
        assert Appointment.objects.get(pk=appointment.pk).person_id == appointment.person_id


# --- malformed bodies, headers and nested input ---------------------------------------------------------------------


class TestMalformedRequests:
    def test_a_body_that_is_not_utf8_is_a_400(self, editor_client):
        response = editor_client.post(
            list_url("person"), b'{"slug": "bytes", "name": "\xff\xfe"}', content_type="application/json"
        )
        body = assert_error(response, 400)
        assert body["detail"] == "The body is not valid utf-8."
        assert not Person.objects.filter(slug="bytes").exists()

    def test_a_malformed_if_match_is_a_400_naming_the_header(self, editor_client):
        person = PersonFactory(given_name="Cũ")
        response = editor_client.patch(
            detail_url("person", person.slug), {"given_name": "Mới"}, format="json", HTTP_IF_MATCH="3"
        )
        assert_error(response, 400, "If-Match")
        assert Person.objects.get(pk=person.pk).given_name == "Cũ"

    def test_an_error_inside_a_nested_list_names_its_index(self, editor_client):
        post = PostFactory()
        payload = {
            "person": PersonFactory().slug,
            "start_date": "2024-03-01",
            "sources": [{"document": DocumentFactory().slug, "quote": "Đúng"}, {"document": "nope", "quote": "Sai"}],
        }
        response = editor_client.post(action_url("post", "appoint", post.pk), payload, format="json")
        body = assert_error(response, 400, "sources.1.document")
        assert [error["field"] for error in body["errors"]] == ["sources.1.document"]
        assert not post.appointments.exists()

    def test_an_unexpected_failure_is_a_json_500_without_details(self, client, monkeypatch):
        calls = []

        def broken(*args, **kwargs):
            calls.append(args)
            raise RuntimeError("secret internals")

        monkeypatch.setattr(views.PortfolioViewSet, "get_queryset", broken)
        client.raise_request_exception = False
        response = client.get(list_url("portfolio"))
        assert calls
        body = assert_error(response, 500)
        assert body["code"] == "server_error"
        assert b"secret internals" not in response.content


# --- identifiers and other names: the owner is fixed once created ---------------------------------------------------


class TestOwnedRecords:
    @pytest.fixture
    def identifier(self, db):
        person = PersonFactory()
        return Identifier.objects.create(
            content_type=ContentType.objects.get_for_model(Person),
            object_id=person.pk,
            scheme="test",
            identifier="T-1",
        )

    def test_an_identifier_can_be_corrected(self, editor_client, identifier):
        response = editor_client.patch(detail_url("identifier", identifier.pk), {"identifier": "T-2"}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["identifier"] == "T-2"
        assert response.json()["person"]["id"] == identifier.object_id
        assert Identifier.objects.get(pk=identifier.pk).identifier == "T-2"

    @pytest.mark.parametrize("owner", ["person", "organization"])
    def test_its_owner_cannot_be_changed(self, editor_client, identifier, owner):
        other = PersonFactory() if owner == "person" else OrganizationFactory()
        response = editor_client.patch(detail_url("identifier", identifier.pk), {owner: other.slug}, format="json")
        body = assert_error(response, 400, "person")
        assert "cannot be changed" in body["detail"]
        assert Identifier.objects.get(pk=identifier.pk).object_id == identifier.object_id


# --- the browsable API ----------------------------------------------------------------------------------------------


def test_the_browsable_api_form_offers_related_records_by_their_key(editor_client):
    organization = OrganizationFactory(name="Sở Được Chọn")
    response = editor_client.get(list_url("post"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert f'<option value="{organization.slug}"' in response.content.decode()


# --- the schema: built once, except for the variants a request names ------------------------------------------------


class TestSchemaVariants:
    def test_a_version_is_built_for_that_request_not_served_from_the_kept_schema(self, api_client):
        url = reverse(f"{NS}:schema")
        plain = api_client.get(url)
        assert plain.status_code == 200
        assert "(" not in plain["Content-Disposition"]
        for version in ("alpha", "beta"):
            response = api_client.get(url, {"version": version})
            assert response.status_code == 200
            assert f"({version})" in response["Content-Disposition"]
        assert "(" not in api_client.get(url)["Content-Disposition"]

    def test_unknown_languages_are_answered_but_not_kept(self, api_client):
        url = reverse(f"{NS}:schema")
        api_client.get(url)
        kept = len(CachedSchemaView.rendered)
        for language in ("zz", "qq"):
            response = api_client.get(url, {"lang": language})
            assert response.status_code == 200
            assert response["ETag"]
        assert len(CachedSchemaView.rendered) == kept
