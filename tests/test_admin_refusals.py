"""The editing desk when things go wrong or go away: refused desk entries with the error beside the field, inline rows
changed and deleted through the services, deletions from the admin, the holders' action meeting a refusal, and a new
webhook endpoint's place in the feed. Every test sees the seeded registry (tests/conftest.py)."""

import datetime

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from registry import services
from registry.changes import feed, webhooks
from registry.models import Appointment, Change, Document, Duty, Person, Portfolio, WebhookEndpoint
from tests.factories import (
    AppointmentFactory,
    DocumentFactory,
    DutyFactory,
    OrganizationFactory,
    PersonFactory,
    PortfolioFactory,
    PostFactory,
)
from tests.helpers import admin_change_url, admin_form

pytestmark = pytest.mark.django_db

D = datetime.date


def duty_row(duty: Duty, **values) -> dict:
    """The organization page's one duty row, as it was loaded, with ``values`` typed in."""
    row = {"id": duty.pk, "organization": duty.organization_id, "order": duty.order, "text": duty.text}
    row |= {"text_en": duty.text_en, **values}
    return {"duties-TOTAL_FORMS": 1, "duties-INITIAL_FORMS": 1} | {f"duties-0-{k}": v for k, v in row.items()}


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def feed_entry(instance) -> Change:
    return Change.objects.filter(model=instance._meta.model_name, object_id=instance.pk).latest("id")


# --- inline rows and deletions go through the services --------------------------------------------------------------


class TestInlineRows:
    def test_a_duty_changed_in_its_row_is_saved_with_the_reason(self, superuser_client):
        duty = DutyFactory(text="Tham mưu")
        organization = duty.organization
        form = admin_form(organization, change_reason="sửa nhiệm vụ") | duty_row(duty, text="Tham mưu, đề xuất")
        response = superuser_client.post(admin_change_url(organization), form)
        assert response.status_code == 302, response.context and response.context["adminform"].form.errors
        duty.refresh_from_db()
        assert duty.text == "Tham mưu, đề xuất"
        entry = feed_entry(duty)
        assert (entry.type, entry.user, entry.reason, entry.fields) == ("changed", "root", "sửa nhiệm vụ", ["text"])
        assert not Change.objects.filter(model="organization", object_id=organization.pk).exists()  # nor the body

    def test_a_duty_deleted_in_its_row_is_gone_with_a_feed_entry(self, superuser_client):
        duty = DutyFactory()
        form = admin_form(duty.organization, change_reason="bỏ nhiệm vụ") | duty_row(duty, DELETE="on")
        response = superuser_client.post(admin_change_url(duty.organization), form)
        assert response.status_code == 302, response.context and response.context["adminform"].form.errors
        assert not Duty.objects.filter(pk=duty.pk).exists()
        entry = feed_entry(duty)
        assert (entry.type, entry.user, entry.reason) == ("deleted", "root", "bỏ nhiệm vụ")


class TestDeletions:
    def test_deleting_a_person_from_their_page_logs_the_deletion(self, superuser_client):
        person = PersonFactory()
        url = reverse("admin:registry_person_delete", args=[person.pk])
        response = superuser_client.post(url, {"post": "yes"})
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:registry_person_changelist")
        assert not Person.objects.filter(pk=person.pk).exists()
        entry = feed_entry(person)
        assert (entry.type, entry.user, entry.reason) == ("deleted", "root", "deleted in the admin")

    def test_deleting_selected_portfolios_logs_each_deletion(self, superuser_client):
        chosen = PortfolioFactory.create_batch(2)
        kept = PortfolioFactory()
        response = superuser_client.post(
            reverse("admin:registry_portfolio_changelist"),
            {"action": "delete_selected", "_selected_action": [p.pk for p in chosen], "post": "yes"},
        )
        assert response.status_code == 302
        assert not Portfolio.objects.filter(pk__in=[p.pk for p in chosen]).exists()
        assert Portfolio.objects.filter(pk=kept.pk).exists()
        for portfolio in chosen:
            entry = feed_entry(portfolio)
            assert (entry.type, entry.reason) == ("deleted", "deleted in the admin")


# --- the post list's action ---------------------------------------------------------------------------------------


def test_ending_holders_today_reports_a_holder_the_rules_refuse_and_ends_the_others(superuser_client, today_is):
    """A body dissolved after its holders were recorded: ending them today (after the dissolution) is refused."""
    today_is(D(2025, 6, 15))
    dissolved = OrganizationFactory()
    stranded = AppointmentFactory(post=PostFactory(organization=dissolved), start_date=D(2024, 1, 1))
    services.record_update(instance=dissolved, changes={"dissolution_date": D(2025, 3, 31)}, reason="giải thể")
    holder = AppointmentFactory(start_date=D(2024, 1, 1))
    response = superuser_client.post(
        reverse("admin:registry_post_changelist"),
        {"action": "end_current_holders_today", "_selected_action": [stranded.post_id, holder.post_id]},
        follow=True,
    )
    assert response.status_code == 200
    error, summary = messages_of(response)
    assert error.startswith(f"{stranded}: ")
    assert "dissolved on 2025-03-31" in error
    assert summary == "Đã kết thúc 1 bổ nhiệm hôm nay."
    stranded.refresh_from_db()
    holder.refresh_from_db()
    assert stranded.end_date is None
    assert holder.end_date == D(2025, 6, 15)


# --- a new webhook endpoint ---------------------------------------------------------------------------------------


def test_an_endpoint_added_in_the_admin_starts_after_the_feed_so_far(superuser_client, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.vn"]
    owner = User.objects.create_user("he-thong-so")
    assert feed.page(None, 1), "the seeded registry has a change feed"
    response = superuser_client.post(
        reverse("admin:registry_webhookendpoint_add"),
        {
            "owner": owner.pk,
            "name": "Cổng dữ liệu",
            "url": "https://hooks.example.vn/registry",
            "secret": "bi-mat-2026-cua-cong-du-lieu-thanh-pho",
            "kinds": "[]",
            "active": "on",
            "deliveries-TOTAL_FORMS": 0,
            "deliveries-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    endpoint = WebhookEndpoint.objects.get(name="Cổng dữ liệu")
    start = webhooks.start_position()
    assert endpoint.cursor_position == start.position != 0
    # The history before it is not sent to it: nothing lies after its place.
    assert list(feed.page(feed.Position(endpoint.cursor_position), 10)) == []


# --- the desk's page: what it refuses, beside the field --------------------------------------------------------------


def appoint_url(post) -> str:
    return reverse("admin:registry_post_appoint", args=[post.pk])


def entry(**values) -> dict:
    """The desk's form: an existing person and an existing document (without text, so any quote stands)."""
    return {
        "person": values.pop("person", None) or PersonFactory().pk,
        "new_person_name": "",
        "new_person_slug": "",
        "start_date": "2025-01-01",
        "start_date_precision": "exact",
        "predecessor": "",
        "predecessor_last_day": "",
        "capacity": "",
        "document": values.pop("document", None) or DocumentFactory(text="").pk,
        "new_document_kind": "decision",
        "new_document_number": "",
        "new_document_title": "",
        "new_document_slug": "",
        "new_document_issuer": "",
        "new_document_issued_on": "",
        "new_document_text": "",
        "quote": "bổ nhiệm",
        "reason": "",
        **values,
    }


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), Document.objects.count(), Appointment.objects.count()


def refused(response, field: str) -> str:
    """The page shown again (not saved) with an error beside ``field``; returns the error."""
    assert response.status_code == 200
    assert not response.context["confirming"]
    errors = response.context["form"].errors
    assert field in errors, errors
    assert errors[field][0] in response.content.decode()
    return errors[field][0]


class TestDeskRefusals:
    @pytest.mark.parametrize("confirm", [{}, {"confirm": "1"}], ids=["check", "confirm"])
    def test_an_existing_person_and_a_new_one_at_once(self, superuser_client, confirm):
        post, form = PostFactory(), entry(new_person_name="Lê Văn Mới", **confirm)
        before = counts()
        response = superuser_client.post(appoint_url(post), form)
        assert refused(response, "new_person_name") == "Chọn một người có sẵn hoặc nhập người mới, không phải cả hai."
        assert counts() == before

    def test_no_person_at_all(self, superuser_client):
        post, form = PostFactory(), {**entry(), "person": ""}
        before = counts()
        response = superuser_client.post(appoint_url(post), form)
        assert refused(response, "person") == "Hãy chọn người, hoặc nhập họ tên người mới."
        assert counts() == before

    def test_a_new_person_whose_slug_someone_has(self, superuser_client):
        PersonFactory(slug="le-van-trung")
        post, form = PostFactory(), {**entry(), "person": "", "new_person_name": "Lê Văn Trùng"}
        before = counts()
        response = superuser_client.post(appoint_url(post), form)
        assert refused(response, "new_person_slug").startswith("Đã có người mang mã này")
        assert counts() == before

    def test_a_new_person_whose_name_gives_no_slug_is_refused_by_the_service(self, superuser_client):
        post, form = PostFactory(), {**entry(), "person": "", "new_person_name": "…"}
        before = counts()
        response = superuser_client.post(appoint_url(post), form)
        refused(response, "new_person_slug")
        assert counts() == before

    def test_an_existing_document_and_a_new_one_at_once(self, superuser_client):
        post, form = PostFactory(), entry(new_document_title="Quyết định mới")
        before = counts()
        response = superuser_client.post(appoint_url(post), form)
        assert refused(response, "new_document_title") == (
            "Chọn một văn bản có sẵn hoặc nhập văn bản mới, không phải cả hai."
        )
        assert counts() == before

    def test_no_source_at_all(self, superuser_client):
        post, form = PostFactory(), {**entry(), "document": ""}
        before = counts()
        response = superuser_client.post(appoint_url(post), form)
        assert refused(response, "document") == "Hãy chọn văn bản nguồn, hoặc nhập văn bản mới."
        assert counts() == before

    def test_a_new_document_whose_slug_a_document_has(self, superuser_client):
        DocumentFactory(slug="12qd-ubnd-quyet-dinh-bo-nhiem")
        post, form = PostFactory(), {**entry(), "document": "", "new_document_number": "12/QĐ-UBND"}
        before = counts()
        response = superuser_client.post(appoint_url(post), form | {"new_document_title": "Quyết định bổ nhiệm"})
        assert refused(response, "new_document_slug").startswith("Đã có văn bản mang mã này")
        assert counts() == before

    def test_a_new_document_whose_title_gives_no_slug_is_refused_by_the_service(self, superuser_client):
        post, form = PostFactory(), {**entry(), "document": "", "new_document_title": "…"}
        before = counts()
        response = superuser_client.post(appoint_url(post), form)
        refused(response, "new_document_slug")
        assert counts() == before

    def test_an_unreadable_first_day(self, superuser_client):
        post, form = PostFactory(), entry(start_date="32/13/2025", confirm="1")
        before = counts()
        response = superuser_client.post(appoint_url(post), form)
        refused(response, "start_date")
        assert counts() == before

    def test_the_same_person_from_the_same_day_again_is_refused_at_the_top(self, superuser_client):
        """A post of two seats: the seats are not the problem, the appointment already being recorded is."""
        recorded = AppointmentFactory(post=PostFactory(seats=2), start_date=D(2025, 1, 1))
        form = entry(person=recorded.person.pk, start_date="2025-01-01", confirm="1")
        before = counts()
        response = superuser_client.post(appoint_url(recorded.post), form)
        assert response.status_code == 200
        form = response.context["form"]
        assert form.non_field_errors(), form.errors
        assert set(form.errors) == {"__all__"}
        assert form.non_field_errors()[0] in response.content.decode()
        assert counts() == before


class TestDeskConfirmation:
    @pytest.mark.parametrize(
        "typed, last_day", [("", D(2024, 12, 31)), ("2024-11-30", D(2024, 11, 30))], ids=["day-before", "typed"]
    )
    def test_the_check_shows_the_predecessors_last_day_and_saves_nothing(self, superuser_client, typed, last_day):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        form = entry(predecessor=holder.pk, predecessor_last_day=typed)
        before = counts()
        response = superuser_client.post(appoint_url(holder.post), form)
        assert response.status_code == 200
        assert response.context["confirming"], response.context["form"].errors
        assert response.context["predecessor_last_day"] == last_day
        html = response.content.decode()
        assert f"{holder.person}, ngày cuối {last_day:%d/%m/%Y}" in html
        holder.refresh_from_db()
        assert holder.end_date is None
        assert counts() == before


# --- the desk's permissions --------------------------------------------------------------------------------------

DESK_PERMISSIONS = ("add_appointment", "change_appointment", "add_citation", "add_person", "add_document")


def staff_with(client, *codenames: str) -> User:
    user = User.objects.create_user("van-thu", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="registry", codename__in=codenames))
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "missing, values",
    [
        ("add_person", {"person": "", "new_person_name": "Lê Văn Mới"}),
        ("add_document", {"document": "", "new_document_title": "Quyết định mới"}),
    ],
    ids=["new-person", "new-document"],
)
def test_a_new_person_or_document_needs_the_permission_to_add_one(client, missing, values):
    staff_with(client, *(codename for codename in DESK_PERMISSIONS if codename != missing))
    post, form = PostFactory(), {**entry(), **values, "confirm": "1"}
    before = counts()
    assert client.post(appoint_url(post), form).status_code == 403
    assert counts() == before


def test_the_capacity_options_need_the_permission_to_view_posts(client):
    staff_with(client, "add_appointment", "change_appointment")
    person = AppointmentFactory().person
    url = reverse("admin:registry_post_capacity_options")
    assert client.get(url, {"person": person.pk, "day": "2025-01-01"}).status_code == 403


def test_an_unreadable_day_offers_every_post_the_person_held_as_held_on_other_days(superuser_client):
    appointment = AppointmentFactory(start_date=D(2024, 1, 1))
    url = reverse("admin:registry_post_capacity_options")
    groups = superuser_client.get(url, {"person": appointment.person.pk, "day": "hôm qua"}).json()["groups"]
    assert groups[0] == {
        "group": "Đã giữ vào thời gian khác",
        "options": [{"id": appointment.post_id, "text": str(appointment.post)}],
    }
    # then every other post, for a capacity the registry does not show them holding
    assert groups[1]["group"] == "Các chức vụ khác"
    assert appointment.post_id not in {option["id"] for option in groups[1]["options"]}
    assert len(groups) == 2
