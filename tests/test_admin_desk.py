"""The admin as the city's editing desk: Vietnamese by default, dd/mm/yyyy, and one page to record an appointment
from its decision (registry/services/desk.py, registry/admin/desk.py). Every test sees the seeded registry."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.urls import reverse

from registry.models import Appointment, Change, Citation, Document, Person, Post
from tests.factories import AppointmentFactory, DocumentFactory, OrganizationFactory, PersonFactory, PostFactory

pytestmark = pytest.mark.django_db

D = datetime.date

MEMBERS = "ban-chi-dao-hoi-nhap-quoc-te-thanh-vien"  # 20 seats, none held
COMMITTEE = "ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te"
CHAIRMAN = "ubnd-tp-hcm-chu-tich"  # the People's Committee's chairman
HEAD = "ban-chi-dao-hoi-nhap-quoc-te-truong-ban"  # one seat, held by Nguyễn Văn Được
TEXT = (
    "QUYẾT ĐỊNH Về việc bổ sung thành viên Ban Chỉ đạo. Điều 1. Bổ sung bà Lê Thị Minh Châu, "
    "Phó Giám đốc Sở Ngoại vụ, làm thành viên Ban Chỉ đạo TP.HCM về hội nhập quốc tế kể từ ngày 20/11/2026."
)
QUOTE = "Bổ sung bà Lê Thị Minh Châu, Phó Giám đốc Sở Ngoại vụ, làm thành viên Ban Chỉ đạo TP.HCM về hội nhập quốc tế"


@pytest.fixture
def desk_client(client):
    """A staff editor (the `editor` group), not a superuser."""
    user = User.objects.create_user("bientap", password="bien-tap-2026!", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    client.force_login(user)
    return client


def appoint_url(slug: str) -> str:
    return reverse("admin:registry_post_appoint", args=[Post.objects.get(slug=slug).pk])


def scenario(**values) -> dict:
    """The issue's scenario: Lê Thị Minh Châu joins the Steering Committee from 20/11/2026 under a new decision."""
    return {
        "person": "",
        "new_person_name": "Lê Thị Minh Châu",
        "new_person_slug": "",
        "start_date": "20/11/2026",
        "start_date_precision": "exact",
        "predecessor": "",
        "predecessor_last_day": "",
        "capacity": "",
        "document": "",
        "new_document_kind": "decision",
        "new_document_number": "4321/QĐ-UBND",
        "new_document_title": "Quyết định về việc bổ sung thành viên Ban Chỉ đạo TP.HCM về hội nhập quốc tế",
        "new_document_slug": "",
        "new_document_issuer": "",
        "new_document_issued_on": "18/11/2026",
        "new_document_text": TEXT,
        "quote": QUOTE,
        "reason": "QĐ 4321/QĐ-UBND",
        **values,
    }


def counts() -> tuple:
    return (Person.objects.count(), Document.objects.count(), Appointment.objects.count(), Citation.objects.count())


# --- Vietnamese by default, the API in English -----------------------------------------------------------------------


def test_the_admin_is_vietnamese_by_default_and_english_on_the_switch(desk_client):
    page = desk_client.get("/admin/")
    assert page["Content-Language"] == "vi"
    html = page.content.decode()
    assert "Sổ đăng ký các cơ quan hội nhập quốc tế TP.HCM" in html
    assert "Bổ nhiệm" in html
    switched = desk_client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert switched.status_code == 302
    english = desk_client.get("/admin/").content.decode()
    assert "HCMC international integration registry" in english


def test_the_admin_index_names_every_app_and_model_in_vietnamese(superuser_client):
    html = superuser_client.get("/admin/").content.decode()
    for english in ("API Key Permissions", "API keys", ">Axes<", "Access attempts", "Access failures", "Access logs"):
        assert english not in html
    assert ">Registry<" not in html
    for vietnamese in ("Khóa đăng nhập", "Các lần thử đăng nhập", "Khóa API của hệ thống", ">Sổ đăng ký<"):
        assert vietnamese in html
    assert html.count("Khóa API") == 1  # one entry for API keys


def test_the_api_and_its_schema_stay_english_whatever_the_browser_asks(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = client.get("/api/v1/posts/?as_of=20/11/2026", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert "valid" in response.content.decode().lower()
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Kind of document." in schema
    assert "Loại văn bản" not in schema
    document = client.get("/api/v1/documents/", HTTP_ACCEPT_LANGUAGE="vi").json()["results"][0]
    assert document["issued_on"] is None or len(document["issued_on"]) == 10  # ISO 8601, never dd/mm/yyyy


def test_dates_show_as_dd_mm_yyyy_and_the_favicon_exists(desk_client):
    html = desk_client.get(reverse("admin:registry_appointment_changelist")).content.decode()
    assert "15/12/2025" in html
    assert "Dec. 15, 2025" not in html
    favicon = desk_client.get("/favicon.ico")
    assert favicon.status_code == 302
    assert favicon["Location"].endswith("registry/admin/favicon.svg")


def test_post_search_matches_the_organization_too_and_lists_holders(desk_client):
    response = desk_client.get(reverse("admin:registry_post_changelist"), {"q": "thanh vien ban chi dao"})
    assert [post.slug for post in response.context["cl"].result_list] == [MEMBERS]
    assert "20 ghế chưa rõ người giữ" in response.content.decode()
    heads = desk_client.get(reverse("admin:registry_post_changelist"), {"q": "truong ban chi dao"})
    assert "Nguyễn Văn Được" in heads.content.decode()


def test_the_person_page_shows_a_timeline_of_appointments(desk_client):
    person = Person.objects.get(slug="nguyen-van-duoc")
    html = desk_client.get(reverse("admin:registry_person_change", args=[person.pk])).content.decode()
    assert "Quá trình bổ nhiệm" in html
    assert "15/12/2025" in html


# --- the desk's page -----------------------------------------------------------------------------------------------


def test_the_desk_page_shows_the_post_its_holders_and_vacant_seats(desk_client):
    html = desk_client.get(appoint_url(HEAD)).content.decode()
    assert "Ban Chỉ đạo TP.HCM về hội nhập quốc tế" in html
    assert "Nguyễn Văn Được" in html
    assert 'class="desk-vacant">0<' in html
    assert "Quyết định" in html  # the kinds of Vietnamese administration


def test_the_scenario_checks_then_saves_everything_in_one_go(desk_client, client):
    before, feed = counts(), Change.objects.count()
    checked = desk_client.post(appoint_url(MEMBERS), scenario())
    assert checked.status_code == 200, checked.context["form"].errors
    assert checked.context["confirming"], checked.context["form"].errors
    assert "Kiểm tra và xác nhận" in checked.content.decode()
    assert counts() == before  # the check rehearses the writes and rolls them back
    assert Change.objects.count() == feed

    saved = desk_client.post(appoint_url(MEMBERS), {**scenario(), "confirm": "1"})
    assert saved.status_code == 302, saved.context and saved.context["form"].errors
    person = Person.objects.get(slug="le-thi-minh-chau")
    document = Document.objects.get(slug__startswith="4321qd-ubnd-quyet-dinh-ve-viec-bo-sung-thanh-vien-ban-chi-dao")
    assert (document.kind, document.issued_on) == ("decision", datetime.date(2026, 11, 18))
    appointment = Appointment.objects.get(person=person)
    assert (appointment.post.slug, appointment.start_date) == (MEMBERS, datetime.date(2026, 11, 20))
    assert [(c.document, c.quote) for c in appointment.sources.all()] == [(document, QUOTE)]
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1)
    # Through the services: the reason in the history, every write in the change feed.
    assert appointment.history.latest().history_change_reason == "QĐ 4321/QĐ-UBND"
    written = set(Change.objects.filter(id__gt=0).order_by("-id")[:4].values_list("model", flat=True))
    assert written == {"person", "document", "appointment", "citation"}

    chart = client.get(f"/api/v1/organizations/{COMMITTEE}/chart/", {"as_of": "2026-11-20"}).json()
    members = next(post for post in chart["posts"] if post["label"] == "Thành viên")
    assert [holder["person"]["slug"] for holder in members["holders"]] == ["le-thi-minh-chau"]
    detail = client.get(f"/api/v1/appointments/{appointment.pk}/").content.decode()
    assert QUOTE in detail


def test_a_wrong_quote_is_refused_beside_its_field_and_nothing_is_saved(desk_client):
    before = counts()
    response = desk_client.post(appoint_url(MEMBERS), scenario(quote="Bổ nhiệm ông Nguyễn Văn A"))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["quote"]
    assert "không có trong toàn văn" in form.errors["quote"][0]
    banner = response.content.decode().split('class="errornote"')[1].split("<fieldset")[0]
    assert "None" not in banner  # no non-field error: nothing printed under the banner
    confirmed = desk_client.post(appoint_url(MEMBERS), {**scenario(quote="Bổ nhiệm ông Nguyễn Văn A"), "confirm": "1"})
    assert confirmed.status_code == 200
    assert counts() == before


def test_a_second_holder_of_a_single_seat_is_refused_with_the_seat_message(desk_client):
    before = counts()
    document = Document.objects.filter(text="").first()
    person = Person.objects.get(slug="phan-van-mai")
    values = scenario(
        person=person.pk, new_person_name="", document=document.pk, new_document_title="", quote="Trưởng ban"
    )
    response = desk_client.post(appoint_url(HEAD), values)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "predecessor" in errors, errors
    assert "đã đủ người (1 ghế)" in errors["predecessor"][0]
    assert counts() == before


def test_a_succession_ends_the_predecessor_the_day_before(desk_client):
    post = Post.objects.get(slug=HEAD)
    holder = Appointment.objects.filter(post=post, end_date__isnull=True).get()
    document = Document.objects.filter(text="").first()
    values = scenario(
        person=Person.objects.get(slug="phan-van-mai").pk,
        new_person_name="",
        predecessor=holder.pk,
        document=document.pk,
        new_document_title="",
        quote="Trưởng ban",
        confirm="1",
    )
    response = desk_client.post(appoint_url(HEAD), values)
    assert response.status_code == 302, response.context and response.context["form"].errors
    holder.refresh_from_db()
    assert (holder.end_date, holder.end_date_precision) == (datetime.date(2026, 11, 19), "exact")
    assert Appointment.objects.filter(post=post, person__slug="phan-van-mai", start_date="2026-11-20").exists()


def test_the_capacity_offers_the_posts_the_person_holds_that_day_first(desk_client):
    person = Person.objects.get(slug="nguyen-van-duoc")
    url = reverse("admin:registry_post_capacity_options")
    groups = desk_client.get(url, {"person": person.pk, "day": "20/12/2025"}).json()["groups"]
    assert groups[0]["group"] == "Đang giữ vào ngày bắt đầu"
    assert "Chủ tịch, Ủy ban nhân dân TP.HCM" in [option["text"] for option in groups[0]["options"]]


def test_the_desk_needs_the_editor_permissions(client):
    reader = User.objects.create_user("doc", password="doc-doc-2026!", is_staff=True)
    reader.groups.add(Group.objects.get(name="reader"))
    client.force_login(reader)
    assert client.get(appoint_url(MEMBERS)).status_code == 403
    assert client.post(appoint_url(MEMBERS), {**scenario(), "confirm": "1"}).status_code == 403


# --- the appoint page, as a superuser uses it -------------------------------------------------------------------------


def appoint_page(post: Post) -> str:
    return reverse("admin:registry_post_appoint", args=[post.pk])


def desk(**values) -> dict:
    """The admin desk's form (registry/admin/desk.py), confirmed, with a source document and its quote."""
    document = DocumentFactory(text="")
    return {"document": document.pk, "quote": "bổ nhiệm", "start_date_precision": "exact", "confirm": "1", **values}


class TestAdmin:
    def test_appoint_page_opens(self, superuser_client):
        post = Post.objects.get(slug=CHAIRMAN)
        response = superuser_client.get(appoint_page(post))
        assert response.status_code == 200
        assert response.context["original"] == post
        assert {"person", "start_date", "predecessor", "document", "quote", "reason"} <= set(
            response.context["form"].fields
        )

    def test_appoint_page_of_an_unknown_post(self, superuser_client):
        assert superuser_client.get(reverse("admin:registry_post_appoint", args=[999_999])).status_code == 404

    def test_appoint_page_needs_the_appointment_permissions(self, client, django_user_model):
        staff = django_user_model.objects.create_user("staff", is_staff=True)
        client.force_login(staff)
        post = PostFactory()
        assert client.get(appoint_page(post)).status_code == 403
        response = client.post(appoint_page(post), desk(person=PersonFactory().pk, start_date="2024-01-01"))
        assert response.status_code == 403
        assert not Appointment.objects.filter(post=post).exists()

    def test_succession(self, superuser_client):
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        person = PersonFactory()
        response = superuser_client.post(
            appoint_page(holder.post),
            desk(person=person.pk, start_date="2025-01-01", predecessor=holder.pk, reason="admin succession"),
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:registry_post_change", args=[holder.post.pk])
        holder.refresh_from_db()
        assert holder.end_date == D(2024, 12, 31)
        started = Appointment.objects.get(post=holder.post, person=person)
        assert (started.start_date, started.end_date) == (D(2025, 1, 1), None)
        assert started.history.get().history_change_reason == "admin succession"
        assert started.history.get().history_user.username == "root"

    def test_appointment_without_ending_the_holder(self, superuser_client):
        post = PostFactory(seats=2)
        holder = AppointmentFactory(post=post, start_date=D(2024, 1, 1))
        person = PersonFactory()
        response = superuser_client.post(appoint_page(post), desk(person=person.pk, start_date="2025-01-01"))
        assert response.status_code == 302
        holder.refresh_from_db()
        assert holder.end_date is None
        assert Appointment.objects.filter(post=post, person=person).exists()

    @pytest.mark.parametrize(
        "start, field",
        [("2024-01-01", "predecessor_last_day"), ("2023-06-01", "predecessor_last_day")],
        ids=["same-day-as-the-holder", "before-the-holder"],
    )
    def test_a_successor_not_starting_after_the_holder_shows_the_form_again(self, superuser_client, start, field):
        """Same day or earlier: the holder's last day (the day before) would come before their start."""
        holder = AppointmentFactory(start_date=D(2024, 1, 1))
        person = PersonFactory()
        response = superuser_client.post(
            appoint_page(holder.post),
            desk(person=person.pk, start_date=start, predecessor=holder.pk),
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert field in form.errors, form.errors
        assert form.errors[field][0] in response.content.decode()
        holder.refresh_from_db()
        assert holder.end_date is None
        assert holder.history.count() == 1
        assert not Appointment.objects.filter(person=person).exists()

    def test_an_appointment_ending_after_its_organization_shows_the_form_again(self, superuser_client):
        organization = OrganizationFactory(dissolution_date=D(2024, 12, 31), dissolution_date_precision="exact")
        post = PostFactory(organization=organization)
        person = PersonFactory()
        response = superuser_client.post(appoint_page(post), desk(person=person.pk, start_date="2024-06-01"))
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not Appointment.objects.filter(person=person).exists()

    def test_end_current_holders_today(self, superuser_client, today_is):
        day = D(2025, 6, 15)
        today_is(day)
        selected = PostFactory(seats=2)
        holders = AppointmentFactory.create_batch(2, post=selected, start_date=D(2024, 1, 1))
        past = AppointmentFactory(
            post=PostFactory(), start_date=D(2023, 1, 1), end_date=D(2023, 12, 31), end_date_precision="exact"
        )
        future = AppointmentFactory(start_date=D(2026, 1, 1))  # starts after the day
        other = AppointmentFactory(start_date=D(2024, 1, 1))  # a post that is not selected
        response = superuser_client.post(
            reverse("admin:registry_post_changelist"),
            {
                "action": "end_current_holders_today",
                "_selected_action": [selected.pk, past.post_id, future.post_id],
            },
        )
        assert response.status_code == 302
        for holder in holders:
            holder.refresh_from_db()
            assert (holder.end_date, holder.end_reason) == (day, "Ended from the admin")
            assert holder.history.first().history_change_reason == "admin action"
        for untouched, end in ((past, D(2023, 12, 31)), (future, None), (other, None)):
            untouched.refresh_from_db()
            assert untouched.end_date == end
