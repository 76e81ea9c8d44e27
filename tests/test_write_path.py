"""One write path: requests taken exactly as written, conditional writes (If-Match), and each rule held alike from the
API, the admin and the seed loader. The concurrent proofs against a real server are in tests/test_live.py."""

import datetime
import json

import pytest
from django.contrib.auth.models import Group, User
from django.db import OperationalError
from django.urls import reverse

from registry import services
from registry.api import views
from registry.api.parsers import MAX_DEPTH
from registry.models import Appointment, Change, Citation, Person
from registry.seeding import SeedError, load_seed_file
from tests.factories import AppointmentFactory, DocumentFactory, OrganizationFactory, PersonFactory, PostFactory
from tests.helpers import NS, action_url, admin_change_url, admin_form, assert_error, detail_url, list_url
from tests.test_seeding import write_seed

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def staff_editor(db) -> User:
    """A member of the `editor` group who may use the admin: what the committee's office staff are."""
    user = User.objects.create_user("office", password="office-password", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    return user


@pytest.fixture
def admin_client(client, staff_editor):
    client.force_login(staff_editor)
    return client


# --- requests are taken exactly as written ------------------------------------------------------------------------


class TestStrictBodies:
    def test_an_unknown_field_is_a_400_naming_it(self, editor_client):
        person = PersonFactory()
        response = editor_client.patch(detail_url("person", person.slug), {"name_enn": "x"}, format="json")
        body = assert_error(response, 400, "name_enn")
        assert body["errors"][0]["code"] == "unknown"
        assert Person.objects.get(pk=person.pk).version == person.version

    def test_a_read_only_field_is_a_400_naming_it(self, editor_client):
        person = PersonFactory()
        response = editor_client.patch(detail_url("person", person.slug), {"appointments": []}, format="json")
        assert assert_error(response, 400, "appointments")["errors"][0]["code"] == "read_only"

    def test_appoint_with_a_field_it_does_not_take(self, editor_client):
        post = PostFactory()
        body = {"person": PersonFactory().slug, "start_date": "2024-01-01", "end_date": "2024-12-31"}
        assert_error(editor_client.post(action_url("post", "appoint", post.pk), body, format="json"), 400, "end_date")
        assert not Appointment.objects.filter(post=post).exists()

    def test_an_unknown_key_in_a_source(self, editor_client):
        post, document = PostFactory(), DocumentFactory()
        source = {"document": document.slug, "quote": "Giám đốc", "page": 3}
        body = {"person": PersonFactory().slug, "start_date": "2024-01-01", "sources": [source]}
        response = editor_client.post(action_url("post", "appoint", post.pk), body, format="json")
        assert_error(response, 400, "sources.0.page")

    def test_too_many_sources_are_refused_before_anything_is_written(self, editor_client):
        post, document = PostFactory(), DocumentFactory()
        sources = [{"document": document.slug, "quote": "Giám đốc"}] * (services.MAX_SOURCES + 1)
        body = {"person": PersonFactory().slug, "start_date": "2024-01-01", "sources": sources}
        response = editor_client.post(action_url("post", "appoint", post.pk), body, format="json")
        assert_error(response, 400, "sources")
        assert not Appointment.objects.filter(post=post).exists()

    def test_too_long_a_legal_basis(self, editor_client):
        organization = OrganizationFactory()
        body = {"legal_basis": [f"document-{n}" for n in range(101)]}
        assert_error(editor_client.patch(detail_url("organization", organization.slug), body, format="json"), 400)

    def test_a_date_without_its_precision_is_exact(self, editor_client):
        appointment = AppointmentFactory(start_date=D(2024, 1, 1))
        response = editor_client.patch(
            detail_url("appointment", appointment.pk), {"end_date": "2026-11-30"}, format="json"
        )
        assert response.status_code == 200, response.content
        assert (response.json()["end_date"], response.json()["end_date_precision"]) == ("2026-11-30", "exact")

    def test_a_cleared_date_clears_its_precision(self, editor_client):
        appointment = AppointmentFactory(end_date=D(2025, 1, 1), end_date_precision="attested")
        response = editor_client.patch(detail_url("appointment", appointment.pk), {"end_date": None}, format="json")
        assert response.status_code == 200, response.content
        assert (response.json()["end_date"], response.json()["end_date_precision"]) == (None, "")

    def test_a_precision_without_its_date_names_the_precision(self, editor_client):
        appointment = AppointmentFactory()
        response = editor_client.patch(
            detail_url("appointment", appointment.pk), {"end_date_precision": "exact"}, format="json"
        )
        assert_error(response, 400, "end_date_precision")

    def test_a_broken_constraint_names_its_field(self, editor_client):
        organization = OrganizationFactory()
        response = editor_client.patch(
            detail_url("organization", organization.slug), {"parent": organization.slug}, format="json"
        )
        assert_error(response, 400, "parent")


class TestBodies:
    @pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000])
    def test_deep_nesting_is_a_400(self, editor_client, depth):
        body = "[" * depth + "]" * depth
        response = editor_client.post(list_url("person"), body, content_type="application/json")
        assert_error(response, 400)

    def test_brackets_inside_strings_do_not_count(self, editor_client):
        name = "[" * 100 + "{"
        response = editor_client.post(list_url("person"), {"slug": "brackets", "name": name}, format="json")
        assert response.status_code == 201, response.content

    def test_a_body_over_the_limit_is_a_413(self, editor_client):
        body = json.dumps({"slug": "big", "name": "x" * 1_000_001})
        response = editor_client.post(list_url("person"), body, content_type="application/json")
        assert_error(response, 413)
        assert not Person.objects.filter(slug="big").exists()

    def test_a_bad_host_is_a_json_400(self, api_client):
        assert_error(api_client.get(list_url("person"), HTTP_HOST="registry.example.org"), 400)

    def test_nan_is_not_json(self, editor_client):
        response = editor_client.post(list_url("portfolio"), '{"slug": NaN}', content_type="application/json")
        assert_error(response, 400)

    def test_an_unreachable_database_is_a_503_with_retry_after(self, api_client, monkeypatch):
        def unavailable(*args, **kwargs):
            raise OperationalError("connection refused")

        monkeypatch.setattr(views.PersonViewSet, "get_queryset", unavailable)
        response = api_client.get(list_url("person"))
        assert_error(response, 503)
        assert response["Retry-After"] == "5"


# --- conditional writes -------------------------------------------------------------------------------------------


class TestIfMatch:
    def test_every_detail_answer_has_an_etag_that_changes_with_each_write(self, editor_client):
        person = PersonFactory()
        first = editor_client.get(detail_url("person", person.slug))["ETag"]
        response = editor_client.patch(detail_url("person", person.slug), {"given_name": "Một"}, format="json")
        assert response["ETag"] != first
        assert editor_client.get(detail_url("person", person.slug))["ETag"] == response["ETag"]

    def test_a_stale_tag_is_a_412_with_the_current_one_and_changes_nothing(self, editor_client):
        person = PersonFactory(given_name="Cũ")
        stale = editor_client.get(detail_url("person", person.slug))["ETag"]
        editor_client.patch(detail_url("person", person.slug), {"honorific": "ong"}, format="json")
        current = editor_client.get(detail_url("person", person.slug))["ETag"]
        response = editor_client.patch(
            detail_url("person", person.slug), {"given_name": "Mới"}, format="json", HTTP_IF_MATCH=stale
        )
        assert_error(response, 412)
        assert response["ETag"] == current
        assert Person.objects.get(pk=person.pk).given_name == "Cũ"

    @pytest.mark.parametrize("tag", ["current", "*", 'current, "999"'])
    def test_a_matching_tag_writes(self, editor_client, tag):
        person = PersonFactory()
        current = editor_client.get(detail_url("person", person.slug))["ETag"]
        response = editor_client.patch(
            detail_url("person", person.slug),
            {"given_name": "Mới"},
            format="json",
            HTTP_IF_MATCH=tag.replace("current", current),
        )
        assert response.status_code == 200, response.content

    def test_a_weak_tag_never_matches(self, editor_client):
        person = PersonFactory()
        current = editor_client.get(detail_url("person", person.slug))["ETag"]
        response = editor_client.patch(
            detail_url("person", person.slug), {"given_name": "Mới"}, format="json", HTTP_IF_MATCH=f"W/{current}"
        )
        assert_error(response, 412)

    def test_delete_with_a_stale_tag(self, editor_client):
        person = PersonFactory()
        response = editor_client.delete(detail_url("person", person.slug), HTTP_IF_MATCH='"99"')
        assert_error(response, 412)
        assert Person.objects.filter(pk=person.pk).exists()

    def test_a_post_etag_changes_with_its_holders_so_actions_can_be_conditional(self, editor_client):
        post = PostFactory()
        seen = editor_client.get(detail_url("post", post.pk))["ETag"]
        appointed = editor_client.post(
            action_url("post", "appoint", post.pk),
            {"person": PersonFactory().slug, "start_date": "2024-01-01"},
            format="json",
            HTTP_IF_MATCH=seen,
        )
        assert appointed.status_code == 201, appointed.content
        response = editor_client.post(
            action_url("post", "succeed", post.pk),
            {"person": PersonFactory().slug, "start_date": "2025-01-01"},
            format="json",
            HTTP_IF_MATCH=seen,  # read before the appointment: someone else's succession must not be repeated
        )
        assert_error(response, 412)
        assert Appointment.objects.filter(post=post).count() == 1

    def test_end_with_a_stale_tag(self, editor_client):
        appointment = AppointmentFactory()
        response = editor_client.post(
            action_url("appointment", "end", appointment.pk),
            {"end_date": "2025-01-01"},
            format="json",
            HTTP_IF_MATCH='"42"',
        )
        assert_error(response, 412)


# --- one rule, three paths ----------------------------------------------------------------------------------------


@pytest.fixture
def ended_exactly():
    return AppointmentFactory(start_date=D(2024, 1, 1), end_date=D(2024, 6, 30), end_date_precision="exact")


class TestAnExactEndIsNotExtended:
    """An exact end is the real last day: the API's PATCH and `end`, the admin and the loader all refuse to move it."""

    def test_api_patch(self, editor_client, ended_exactly):
        response = editor_client.patch(
            detail_url("appointment", ended_exactly.pk), {"end_date": "2024-12-31"}, format="json"
        )
        assert_error(response, 400, "end_date")

    def test_api_end_action(self, editor_client, ended_exactly):
        response = editor_client.post(
            action_url("appointment", "end", ended_exactly.pk), {"end_date": "2024-12-31"}, format="json"
        )
        assert_error(response, 400, "end_date")

    def test_api_reopening(self, editor_client, ended_exactly):
        response = editor_client.patch(detail_url("appointment", ended_exactly.pk), {"end_date": None}, format="json")
        assert_error(response, 400, "end_date")

    def test_an_attested_end_may_move_later(self, editor_client):
        appointment = AppointmentFactory(end_date=D(2024, 6, 30), end_date_precision="attested")
        response = editor_client.patch(
            detail_url("appointment", appointment.pk),
            {"end_date": "2024-12-31", "end_date_precision": "attested"},
            format="json",
        )
        assert response.status_code == 200, response.content

    def test_admin(self, admin_client, ended_exactly):
        form = admin_form(ended_exactly, end_date="31/12/2024")
        form["end_date"] = "2024-12-31"
        response = admin_client.post(admin_change_url(ended_exactly), form)
        assert response.status_code == 200  # the form again, with the error
        assert "an exact end is not moved later" in response.content.decode()
        ended_exactly.refresh_from_db()
        assert ended_exactly.end_date == D(2024, 6, 30)

    def test_loader(self, tmp_path):
        """The seeds wrote an exact end; a later seed file that moves it later is refused, naming the rule."""
        articles = {
            "nap-vao": ("Ngày 1-1-2024, ông Lê Nạp giữ chức Giám đốc Cơ quan nạp.", D(2024, 1, 1)),
            "nap-ra": ("Ngày 30-6-2024, ông Lê Nạp thôi giữ chức Giám đốc Cơ quan nạp.", D(2024, 6, 30)),
        }
        for slug, (text, _) in articles.items():
            (tmp_path / f"{slug}.txt").write_text(text, encoding="utf-8")
        appointment = {
            "person": "loader-person",
            "post": "loader-post",
            "start_date": D(2024, 1, 1),
            "start_date_precision": "exact",
            "end_date": D(2024, 6, 30),
            "end_date_precision": "exact",
            "sources": [
                {"document": "nap-vao", "quote": "ông Lê Nạp giữ chức Giám đốc"},
                {"document": "nap-ra", "quote": "ông Lê Nạp thôi giữ chức Giám đốc"},
            ],
        }
        data = {
            "organizations": [{"slug": "loader-body", "name": "Cơ quan nạp", "classification": "office"}],
            "documents": [
                {
                    "slug": slug,
                    "kind": "article",
                    "title": slug,
                    "file_name": f"{slug}.txt",
                    "published_on": day,
                    "date_precision": "exact",
                }
                for slug, (_, day) in articles.items()
            ],
            "people": [{"slug": "loader-person", "name": "Lê Nạp"}],
            "posts": [
                {
                    "slug": "loader-post",
                    "organization": "loader-body",
                    "label": "Giám đốc",
                    "role": "head",
                    "sources": [{"document": "nap-vao", "quote": "giữ chức Giám đốc Cơ quan nạp"}],
                }
            ],
            "appointments": [appointment],
        }
        load_seed_file(write_seed(tmp_path, data))
        appointment |= {"end_date": D(2024, 12, 31), "end_date_precision": "inferred", "note": "A later guess."}
        with pytest.raises(SeedError, match="an exact end is not moved later"):
            load_seed_file(write_seed(tmp_path, data))
        assert Appointment.objects.get(post__slug="loader-post").end_date == D(2024, 6, 30)


class TestASingleSeat:
    """A second holder of a single seat: refused by the API, the admin and the loader alike."""

    @pytest.fixture
    def held(self):
        return AppointmentFactory(start_date=D(2024, 1, 1))

    def test_api(self, editor_client, held):
        response = editor_client.post(
            list_url("appointment"),
            {"person": PersonFactory().slug, "post": held.post.pk, "start_date": "2024-06-01"},
            format="json",
        )
        assert_error(response, 400, "post")

    def test_admin(self, admin_client, held):
        newcomer = PersonFactory()
        data = {
            "person": newcomer.pk,
            "post": held.post.pk,
            "start_date": "2024-06-01",
            "start_date_precision": "exact",
            "end_date_precision": "",
            "change_reason": "second holder",
            "registry-citation-content_type-object_id-TOTAL_FORMS": 0,
            "registry-citation-content_type-object_id-INITIAL_FORMS": 0,
        }
        response = admin_client.post(reverse("admin:registry_appointment_add"), data)
        assert response.status_code == 200
        assert "seat" in response.content.decode()
        assert not Appointment.objects.filter(person=newcomer).exists()

    def test_loader(self, tmp_path, editor_client):
        """On a registry someone has edited, a seed that would seat a second holder is reported and left out."""
        response = editor_client.patch(detail_url("organization", "ubnd-tp-hcm"), {"name_en": "Edited"}, format="json")
        assert response.status_code == 200
        intruder = {  # a second term of the chairman, overlapping his first, keeping the seed file's own rules
            "person": "nguyen-van-duoc",
            "post": "ubnd-tp-hcm-chu-tich",
            "start_date": D(2025, 12, 20),
            "start_date_precision": "inferred",
            "sources": [{"document": "art-2025-12-15", "quote": "Ông Nguyễn Văn Được, Chủ tịch UBND TP.HCM"}],
        }
        report = load_seed_file(write_seed(tmp_path, {"appointments": [intruder]}))
        (refused,) = report.refused
        assert "seat" in refused
        assert not Appointment.objects.filter(post__slug="ubnd-tp-hcm-chu-tich", start_date=D(2025, 12, 20)).exists()


# --- the admin writes through the services -------------------------------------------------------------------------


class TestAdminWrites:
    def test_a_save_is_logged_with_its_user_and_reason(self, admin_client):
        person = PersonFactory()
        response = admin_client.post(
            admin_change_url(person), admin_form(person, given_name="Thử", change_reason="typo")
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        entry = Change.objects.filter(model="person", object_id=person.pk).latest("id")
        assert (entry.type, entry.user, entry.reason, entry.fields) == ("changed", "office", "typo", ["given_name"])
        person.refresh_from_db()
        assert person.version == 2

    def test_a_form_opened_before_someone_elses_save_is_refused(self, admin_client, editor_client):
        person = PersonFactory(given_name="Cũ")
        opened = admin_form(person, honorific="ba")  # opened now, saved after the API's change below
        assert editor_client.patch(detail_url("person", person.slug), {"given_name": "Mới"}, format="json")
        response = admin_client.post(admin_change_url(person), opened)
        assert response.status_code == 200
        assert "Người khác đã lưu bản ghi này sau khi bạn mở nó" in response.content.decode()  # the admin is Vietnamese
        person.refresh_from_db()
        assert (person.given_name, person.honorific) == ("Mới", "")

    def test_an_inline_citation_goes_through_the_service(self, admin_client):
        organization = OrganizationFactory()
        document = DocumentFactory()
        form = admin_form(organization, change_reason="source added")
        form |= {
            "registry-citation-content_type-object_id-TOTAL_FORMS": 1,
            "registry-citation-content_type-object_id-0-document": document.pk,
            "registry-citation-content_type-object_id-0-quote": "Giám đốc Sở Thử nghiệm",
            "registry-citation-content_type-object_id-0-field": "",
        }
        response = admin_client.post(admin_change_url(organization), form)
        assert response.status_code == 302, response.content.decode()[:3000]
        citation = Citation.objects.get(object_id=organization.pk, document=document)
        entry = Change.objects.get(model="citation", object_id=citation.pk)
        assert (entry.user, entry.reason) == ("office", "source added")

    def test_a_wrong_quote_in_an_inline_saves_nothing(self, admin_client):
        organization = OrganizationFactory(name_en="Before")
        form = admin_form(organization, name_en="After")
        form |= {
            "registry-citation-content_type-object_id-TOTAL_FORMS": 1,
            "registry-citation-content_type-object_id-0-document": DocumentFactory().pk,
            "registry-citation-content_type-object_id-0-quote": "not in the document",
            "registry-citation-content_type-object_id-0-field": "",
        }
        response = admin_client.post(admin_change_url(organization), form)
        assert response.status_code == 200
        assert "The quote is not in document" in response.content.decode()
        organization.refresh_from_db()
        assert organization.name_en == "Before"


# --- the change feed speaks the API's language ---------------------------------------------------------------------


class TestFeedEntries:
    def test_data_is_the_api_representation(self, editor_client):
        parent = OrganizationFactory()
        body = {"slug": "child-body", "name": "Phòng con", "classification": "office", "parent": parent.slug}
        assert editor_client.post(list_url("organization"), body, format="json").status_code == 201
        entry = editor_client.get(reverse(f"{NS}:changes"), {"limit": 500}).json()["results"][-1]
        assert entry["model"] == "organization"
        assert entry["data"]["parent"]["slug"] == parent.slug  # a brief object, not parent_id
        assert "parent_id" not in entry["data"]
        assert entry["changed_fields"] == sorted(["slug", "name", "classification", "parent"])

    def test_anonymous_readers_do_not_see_who_changed_what(self, editor_client, api_client):
        person = PersonFactory()
        editor_client.patch(detail_url("person", person.slug), {"given_name": "Ẩn", "reason": "why"}, format="json")
        for client, user in ((api_client, None), (editor_client, "editor")):
            entry = client.get(reverse(f"{NS}:changes"), {"limit": 500}).json()["results"][-1]
            assert (entry["user"], entry["reason"]) == (user, "why")
            (latest, *_) = client.get(reverse(f"{NS}:person-history", args=[person.slug])).json()["results"]
            assert latest["user"] == user
