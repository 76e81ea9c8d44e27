"""The staff's finish of the desk: a new post and the appointment to it in one flow from the body's page, a capacity
for a new person, posts' slugs as their help text promises, no post without a source. Every test sees the seeded
registry, in Vietnamese (the admin's language)."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from registry import services
from registry.admin.access import WebhookDeliveryInline
from registry.models import Appointment, Citation, Document, Organization, Person, Portfolio, Post, WebhookDelivery
from tests.factories import DocumentFactory, OrganizationFactory, PortfolioFactory

pytestmark = pytest.mark.django_db

COMMITTEE = "ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te"
TEXT = (
    "QUYẾT ĐỊNH Về việc bổ sung Phó trưởng ban Ban Chỉ đạo. Điều 1. Bổ sung chức danh Phó trưởng ban phụ trách hội "
    "nhập quốc tế về văn hóa - xã hội. Điều 2. Bổ nhiệm bà Trần Thị Thu, Giám đốc Sở Ngoại vụ TP.HCM, làm Phó trưởng "
    "ban phụ trách hội nhập quốc tế về văn hóa - xã hội kể từ ngày 01/12/2026."
)
POST_QUOTE = "Bổ sung chức danh Phó trưởng ban phụ trách hội nhập quốc tế về văn hóa - xã hội"
QUOTE = "Bổ nhiệm bà Trần Thị Thu, Giám đốc Sở Ngoại vụ TP.HCM, làm Phó trưởng ban"


@pytest.fixture
def desk_client(client):
    """A staff editor (the `editor` group), not a superuser, in Vietnamese."""
    user = User.objects.create_user("bientap", password="bien-tap-2026!", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    client.force_login(user)
    return client


def committee() -> Organization:
    return Organization.objects.get(slug=COMMITTEE)


def add_post_url(organization: Organization) -> str:
    return reverse("admin:registry_organization_add_post", args=[organization.pk])


def new_post(**values) -> dict:
    """A deputy with a new portfolio, a new person in it, under a new decision: everything new at once."""
    return {
        "post_label": "Phó trưởng ban",
        "post_label_en": "Deputy Head",
        "post_role": "deputy_head",
        "post_portfolio": Portfolio.objects.get_or_create(
            slug="van-hoa-xa-hoi", defaults={"name": "Hội nhập quốc tế về văn hóa - xã hội"}
        )[0].pk,
        "post_seats": "1",
        "post_rank": "5",
        "post_slug": "",
        "post_quote": POST_QUOTE,
        "person": "",
        "new_person_name": "Trần Thị Thu",
        "new_person_slug": "",
        "start_date": "01/12/2026",
        "start_date_precision": "exact",
        "capacity": Post.objects.get(slug="ubnd-tp-hcm-chu-tich").pk,
        "document": "",
        "new_document_kind": "decision",
        "new_document_number": "77/QĐ-UBND",
        "new_document_title": "Quyết định về việc bổ sung Phó trưởng ban Ban Chỉ đạo",
        "new_document_slug": "",
        "new_document_issuer": "",
        "new_document_issued_on": "28/11/2026",
        "new_document_text": TEXT,
        "quote": QUOTE,
        "reason": "QĐ 77/QĐ-UBND",
        **values,
    }


def counts() -> tuple:
    return tuple(model.objects.count() for model in (Post, Person, Document, Appointment, Citation))


# --- one flow: the post and the appointment together ----------------------------------------------------------------


def test_the_body_page_offers_the_one_flow(desk_client):
    html = desk_client.get(reverse("admin:registry_organization_change", args=[committee().pk])).content.decode()
    assert add_post_url(committee()) in html
    assert "Thêm chức vụ và bổ nhiệm" in html


def test_a_new_post_and_its_appointment_are_checked_confirmed_and_saved_together(desk_client):
    before = counts()
    page = desk_client.get(add_post_url(committee()))
    assert page.status_code == 200
    assert "predecessor" not in page.context["form"].fields
    checked = desk_client.post(add_post_url(committee()), new_post())
    assert checked.status_code == 200, checked.context["form"].errors
    assert checked.context["confirming"], checked.context["form"].errors
    html = checked.content.decode()
    assert "Chưa lưu gì" in html or "Kiểm tra và xác nhận" in html
    assert f"{COMMITTEE}-pho-truong-ban-van-hoa-xa-hoi" in html  # the slug it will get
    assert counts() == before  # the check rehearses every write and rolls it back
    saved = desk_client.post(add_post_url(committee()), {**new_post(), "confirm": "1"})
    assert saved.status_code == 302
    post = Post.objects.get(slug=f"{COMMITTEE}-pho-truong-ban-van-hoa-xa-hoi")
    assert saved["Location"] == reverse("admin:registry_post_change", args=[post.pk])
    assert (post.organization, post.role, post.portfolio.slug, post.seats, post.rank) == (
        committee(),
        "deputy_head",
        "van-hoa-xa-hoi",
        1,
        5,
    )
    assert [c.quote for c in post.sources.all()] == [POST_QUOTE]
    appointment = Appointment.objects.get(post=post)
    assert (appointment.person.name, appointment.start_date) == ("Trần Thị Thu", datetime.date(2026, 12, 1))
    assert appointment.capacity.slug == "ubnd-tp-hcm-chu-tich"  # a capacity for a person created in the same flow
    assert [c.quote for c in appointment.sources.all()] == [QUOTE]
    assert post.sources.get().document == appointment.sources.get().document  # the one decision, entered once
    assert counts() == (*(n + 1 for n in before[:4]), before[4] + 2)


def test_a_refusal_of_the_appointment_writes_nothing_not_even_the_post(desk_client):
    before = counts()
    founded = committee().founding_date
    assert founded is not None
    early = (founded - datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    response = desk_client.post(add_post_url(committee()), {**new_post(start_date=early), "confirm": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors["start_date"]
    assert counts() == before


def test_a_quote_for_the_post_must_be_in_the_document(desk_client):
    response = desk_client.post(add_post_url(committee()), new_post(post_quote="Không có trong văn bản"))
    assert "Trích dẫn không có trong toàn văn" in str(response.context["form"].errors["post_quote"])


def test_a_taken_slug_is_shown_beside_the_post_slug(desk_client):
    taken = Post.objects.get(slug="ubnd-tp-hcm-chu-tich").slug
    response = desk_client.post(add_post_url(committee()), {**new_post(post_slug=taken), "confirm": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors["post_slug"]


def test_an_existing_person_and_document_can_be_chosen(desk_client):
    document = DocumentFactory(text=TEXT)
    person = Person.objects.get(slug="nguyen-van-duoc")
    values = new_post(
        person=person.pk, new_person_name="", document=document.pk, new_document_title="", new_document_number=""
    )
    response = desk_client.post(add_post_url(committee()), {**values, "confirm": "1"})
    assert response.status_code == 302, response.context["form"].errors
    assert Appointment.objects.filter(person=person, post__label="Phó trưởng ban", post__organization=committee())


def test_the_flow_needs_the_right_to_add_posts(client):
    reader = User.objects.create_user("doc", password="doc-doc-2026!", is_staff=True)
    reader.groups.add(Group.objects.get(name="reader"))
    client.force_login(reader)
    assert client.get(add_post_url(committee())).status_code == 403


# --- the capacity of a new person -----------------------------------------------------------------------------------


def test_a_new_person_may_be_given_any_post_as_capacity(desk_client):
    url = reverse("admin:registry_post_capacity_options")
    post = Post.objects.get(slug="ban-chi-dao-hoi-nhap-quoc-te-thanh-vien")
    groups = desk_client.get(url, {"person": "", "day": "20/11/2026", "post": post.pk}).json()["groups"]
    assert [group["group"] for group in groups] == ["Các chức vụ trong sổ"]
    offered = {option["id"] for option in groups[0]["options"]}
    assert Post.objects.get(slug="ubnd-tp-hcm-chu-tich").pk in offered
    assert post.pk not in offered  # never the post appointed to
    person = Person.objects.get(slug="nguyen-van-duoc")
    groups = desk_client.get(url, {"person": person.pk, "day": "20/12/2025"}).json()["groups"]
    assert [group["group"] for group in groups][-1] == "Các chức vụ khác"


# --- slugs ---------------------------------------------------------------------------------------------------------


def test_a_new_post_s_slug_starts_with_its_body_s_slug():
    body = OrganizationFactory(slug="so-ngoai-vu")
    portfolio = PortfolioFactory(slug="kinh-te-2")
    document = DocumentFactory(text="")
    source = [{"document": document, "quote": "Phó Giám đốc", "field": ""}]
    values = {"organization": body, "label": "Phó Giám đốc", "role": "deputy_head"}
    post = services.record_create(model=Post, values=values, sources=source)
    assert post.slug == "so-ngoai-vu-pho-giam-doc"
    post = services.record_create(model=Post, values={**values, "portfolio": portfolio}, sources=source)
    assert post.slug == "so-ngoai-vu-pho-giam-doc-kinh-te-2"
    post = services.record_create(model=Post, values={**values, "slug": "chosen"}, sources=source)
    assert post.slug == "chosen"  # a slug given is kept


def test_a_long_slug_is_cut_on_a_word_boundary():
    body = Organization(slug="b" * 150)  # longer than a body's slug may be: only the cut is tried here
    slug = Post.default_slug({"organization": body, "label": "Phó trưởng ban thường trực"})
    assert slug == "b" * 150 + "-pho"
    assert len(Post.default_slug({"organization": Organization(slug="c" * 170), "label": "x"})) == 160


def test_the_admin_add_form_makes_the_slug_when_it_is_left_empty(superuser_client):
    body, document = committee(), DocumentFactory(text="")
    form = {
        "organization": body.pk,
        "label": "Ủy viên",
        "role": "member",
        "rank": "100",
        "seats": "3",
        "slug": "",
        "change_reason": "",
        "appointments-TOTAL_FORMS": "0",
        "appointments-INITIAL_FORMS": "0",
        "registry-citation-content_type-object_id-TOTAL_FORMS": "1",
        "registry-citation-content_type-object_id-INITIAL_FORMS": "0",
        "registry-citation-content_type-object_id-0-document": document.pk,
        "registry-citation-content_type-object_id-0-quote": "Ủy viên",
        "registry-citation-content_type-object_id-0-field": "",
    }
    response = superuser_client.post(reverse("admin:registry_post_add"), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get(slug=f"{COMMITTEE}-uy-vien")
    assert [citation.quote for citation in post.sources.all()] == ["Ủy viên"]
    # Without a row in the Sources table, the form says why it is refused, in Vietnamese, and nothing is written.
    before = Post.objects.count()
    form["registry-citation-content_type-object_id-TOTAL_FORMS"] = "0"
    form["label"] = "Thư ký"
    response = superuser_client.post(reverse("admin:registry_post_add"), form)
    assert response.status_code == 200
    assert "cần có nguồn" in response.content.decode()
    assert Post.objects.count() == before


# --- no post without a source ----------------------------------------------------------------------------------------


def test_the_service_refuses_a_new_post_without_a_source():
    values = {"organization": OrganizationFactory(), "label": "Giám đốc", "role": "head"}
    with pytest.raises(ValidationError) as refused:
        services.record_create(model=Post, values=values)
    assert "sources" in refused.value.message_dict
    assert not Post.objects.filter(label="Giám đốc", organization=values["organization"]).exists()


def test_the_api_refuses_a_new_post_without_a_source_and_takes_one_with(editor_client):
    body = {"organization": OrganizationFactory(slug="so-x").slug, "label": "Giám đốc", "role": "head"}
    response = editor_client.post("/api/v1/posts/", body, format="json")
    assert response.status_code == 400
    assert "sources" in response.content.decode()
    document = DocumentFactory(text="")
    sources = [{"document": document.slug, "quote": "Giám đốc"}]
    response = editor_client.post("/api/v1/posts/", {**body, "new_sources": sources}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "so-x-giam-doc"
    assert [source["quote"] for source in response.json()["sources"]] == ["Giám đốc"]
    response = editor_client.patch(f"/api/v1/posts/{response.json()['id']}/", {"new_sources": sources}, format="json")
    assert response.status_code == 400
    assert "new_sources" in response.json()["errors"] or "new_sources" in response.content.decode()


def test_a_changeset_s_new_post_is_cited_from_the_operation_s_quote(editor_client):
    body = {
        "document": {
            "slug": "qd-new",
            "kind": "decision",
            "title": "Quyết định",
            "text": "Điều 1. Bổ nhiệm ông A làm Thư ký.",
        },
        "operations": [
            {
                "op": "appoint",
                "post": {"organization": COMMITTEE, "label": "Thư ký", "role": "member"},
                "person": {"slug": "ong-a", "name": "Ông A"},
                "start_date": "2026-01-01",
                "quote": "Bổ nhiệm ông A làm Thư ký",
            }
        ],
    }
    response = editor_client.post("/api/v1/changesets/", body, format="json")
    assert response.status_code in (200, 201), response.content
    post = Post.objects.get(slug=f"{COMMITTEE}-thu-ky")
    assert [c.quote for c in post.sources.all()] == ["Bổ nhiệm ông A làm Thư ký"]


def test_portfolio_records_are_not_asked_for_sources():
    assert services.record_create(model=Portfolio, values={"slug": "p-x", "name": "Hội nhập"}).pk


def test_a_new_person_in_the_flow_needs_the_right_to_add_people(client):
    user = User.objects.create_user("hep", password="hep-hep-2026!", is_staff=True)
    wanted = ("add_post", "add_appointment", "change_appointment", "add_citation", "add_document", "view_post")
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="registry", codename__in=wanted))
    client.force_login(user)
    assert client.get(add_post_url(committee())).status_code == 200
    assert client.post(add_post_url(committee()), new_post()).status_code == 403  # a new person: add_person


def test_a_delivery_s_outcome_is_shown_in_words():
    inline = WebhookDeliveryInline(WebhookDelivery, admin.site)
    with translation.override("vi"):
        assert [inline.delivered(WebhookDelivery(succeeded=value)) for value in (True, False, None)] == [
            "có",
            "không",
            "-",
        ]
