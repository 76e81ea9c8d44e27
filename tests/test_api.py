"""The REST API under /api/v1/: generic CRUD per resource, filters and search, time travel, bad input, query counts
and the OpenAPI documentation pages. Every test sees the seeded registry (tests/conftest.py)."""

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from registry import filtersets
from registry.choices import PostRole
from registry.models import (
    Appointment,
    Document,
    Organization,
    OrganizationRelationship,
    Person,
    Portfolio,
    Post,
)
from tests.factories import (
    AppointmentFactory,
    CitationFactory,
    DocumentFactory,
    DutyFactory,
    OrganizationFactory,
    PersonFactory,
    PortfolioFactory,
    PostFactory,
    RelationshipFactory,
)
from tests.helpers import NS, assert_error, detail_url, list_url

pytestmark = pytest.mark.django_db

COMMITTEE = "ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te"

# The brief form of each kind of related record, as responses render it.
BRIEF_KEYS = {
    "organization": {"id", "slug", "name", "url"},
    "person": {"id", "slug", "name", "url"},
    "portfolio": {"id", "slug", "name", "url"},
    "document": {"id", "slug", "number", "title", "url"},
    "post": {"id", "slug", "label", "name", "url"},
}


def chart_url(slug: str) -> str:
    return reverse(f"{NS}:organization-chart", args=[slug])


def seeded_post(slug: str) -> Post:
    return Post.objects.get(slug=slug)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def slugs(response) -> list[str]:
    return [row["slug"] for row in results(response)]


def assert_brief(value: dict, kind: str, record: Model) -> None:
    assert set(value) == BRIEF_KEYS[kind], value
    assert value["id"] == record.pk
    assert value["slug"] == record.slug
    assert value["url"].startswith("http://testserver/api/v1/")


# --- a. one generic CRUD test class, parametrised over every resource ---------------------------------------------


@dataclass(frozen=True)
class Resource:
    """What the generic CRUD tests need to know about one resource (NetBox APIViewTestCases style)."""

    basename: str
    model: type[Model]
    lookup: str  # "slug" or "pk": the URL key
    make: Callable[[], Model]  # an instance nothing else depends on (deletable)
    create: Callable[[], dict]  # a valid create payload (builds the records it references)
    update: dict  # a valid partial update
    # payload field -> (kind of brief, model, lookup): related records written by key and rendered brief.
    references: dict[str, tuple[str, type[Model], str]] = field(default_factory=dict)

    def key(self, instance: Model):
        return getattr(instance, self.lookup)

    def __str__(self) -> str:
        return self.basename


def organization_payload() -> dict:
    return {
        "slug": "crud-organization",
        "name": "Sở Thử nghiệm CRUD",
        "name_en": "CRUD test department",
        "classification": "department",
        "parent": OrganizationFactory().slug,
        "founding_date": "2024-03-01",
        "founding_date_precision": "exact",
        "legal_basis": [DocumentFactory(kind="resolution").slug],
    }


def document_payload() -> dict:
    return {
        "slug": "crud-document",
        "kind": "plan",
        "number": "12/KH-UBND",
        "title": "Kế hoạch thử nghiệm CRUD",
        "issuer": OrganizationFactory().slug,
        "issued_on": "2025-01-02",
        "date_precision": "exact",
    }


def post_payload() -> dict:
    head = PostFactory()
    return {
        "slug": "crud-post",
        "organization": head.organization.slug,
        "label": "Phó Giám đốc",
        "label_en": "Deputy Director",
        "role": "deputy_head",
        "rank": 2,
        "seats": 3,
        "portfolio": PortfolioFactory().slug,
        "standing": True,
        "ex_officio_of": head.pk,
    }


def appointment_payload() -> dict:
    post = PostFactory()
    capacity = PostFactory()
    return {
        "person": PersonFactory().slug,
        "post": post.pk,
        "capacity": capacity.pk,
        "start_date": "2024-02-01",
        "start_date_precision": "exact",
        "end_date": "2024-12-31",
        "end_date_precision": "attested",
    }


def relationship_payload() -> dict:
    return {
        "subject": OrganizationFactory().slug,
        "object": OrganizationFactory().slug,
        "kind": "coordinates_with",
        "start_date": "2024-01-01",
        "start_date_precision": "exact",
        "document": DocumentFactory(kind="regulation").slug,
        "description": "Quy chế phối hợp thử nghiệm",
    }


ORG_REF = ("organization", Organization, "slug")
RESOURCES = [
    Resource(
        "organization",
        Organization,
        "slug",
        OrganizationFactory,
        organization_payload,
        {"name_en": "Renamed body"},
        {"parent": ORG_REF, "legal_basis": ("document", Document, "slug")},
    ),
    Resource(
        "person",
        Person,
        "slug",
        PersonFactory,
        lambda: {"slug": "crud-person", "name": "Lê Văn Thử", "family_name": "Lê", "given_name": "Thử"},
        {"honorific": "ong"},
    ),
    Resource(
        "portfolio",
        Portfolio,
        "slug",
        PortfolioFactory,
        lambda: {"slug": "crud-portfolio", "name": "Lĩnh vực CRUD", "name_en": "CRUD area"},
        {"name_en": "Renamed area"},
    ),
    Resource(
        "document",
        Document,
        "slug",
        DocumentFactory,
        document_payload,
        {"title_en": "Test plan"},
        {"issuer": ORG_REF},
    ),
    Resource(
        "post",
        Post,
        "pk",
        PostFactory,
        post_payload,
        {"label_en": "Chief"},
        {
            "organization": ORG_REF,
            "portfolio": ("portfolio", Portfolio, "slug"),
            "ex_officio_of": ("post", Post, "pk"),
        },
    ),
    Resource(
        "appointment",
        Appointment,
        "pk",
        AppointmentFactory,
        appointment_payload,
        {"end_reason": "Nghỉ hưu"},
        {"person": ("person", Person, "slug"), "post": ("post", Post, "pk"), "capacity": ("post", Post, "pk")},
    ),
    Resource(
        "relationship",
        OrganizationRelationship,
        "pk",
        RelationshipFactory,
        relationship_payload,
        {"description_en": "Coordinates"},
        {"subject": ORG_REF, "object": ORG_REF, "document": ("document", Document, "slug")},
    ),
]


@pytest.fixture(params=RESOURCES, ids=str)
def resource(request) -> Resource:
    return request.param


class TestCrud:
    """List, retrieve, create, partial update and delete for every resource; anonymous users only read."""

    def test_list(self, api_client, resource):
        instance = resource.make()
        response = api_client.get(list_url(resource.basename), {"page_size": 200})
        rows = results(response)
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] == resource.model.objects.count()
        assert instance.pk in {row["id"] for row in rows}
        key = "id" if resource.lookup == "pk" else resource.lookup
        for row in rows:
            assert row["url"] == f"http://testserver{detail_url(resource.basename, row[key])}"

    def test_retrieve(self, api_client, resource):
        instance = resource.make()
        response = api_client.get(detail_url(resource.basename, resource.key(instance)))
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["id"] == instance.pk
        assert body["url"] == f"http://testserver{detail_url(resource.basename, resource.key(instance))}"
        assert isinstance(body["sources"], list)

    def test_create(self, editor_client, resource):
        payload = resource.create()
        before = resource.model.objects.count()
        response = editor_client.post(list_url(resource.basename), payload, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert resource.model.objects.count() == before + 1
        created = resource.model.objects.get(pk=body["id"])
        for name, value in payload.items():
            if name not in resource.references:
                assert body[name] == value, name
        # Related records were written by their lookup key and come back brief.
        for name, (kind, model, lookup) in resource.references.items():
            values = payload[name] if isinstance(payload[name], list) else [payload[name]]
            rendered = body[name] if isinstance(body[name], list) else [body[name]]
            assert len(rendered) == len(values)
            for value, brief in zip(values, rendered, strict=True):
                assert_brief(brief, kind, model.objects.get(**{lookup: value}))
            stored = getattr(created, name)
            stored = list(stored.all()) if hasattr(stored, "all") else [stored]
            assert [getattr(record, lookup) for record in stored] == values
        assert body["sources"] == []

    def test_partial_update(self, editor_client, resource):
        instance = resource.make()
        response = editor_client.patch(
            detail_url(resource.basename, resource.key(instance)), resource.update, format="json"
        )
        assert response.status_code == 200, response.content
        instance.refresh_from_db()
        for name, value in resource.update.items():
            assert response.json()[name] == value
            assert getattr(instance, name) == value

    def test_delete(self, editor_client, resource):
        instance = resource.make()
        response = editor_client.delete(detail_url(resource.basename, resource.key(instance)))
        assert response.status_code == 204, response.content
        assert not resource.model.objects.filter(pk=instance.pk).exists()

    def test_anonymous_reads(self, api_client, resource):
        instance = resource.make()
        assert api_client.get(list_url(resource.basename)).status_code == 200
        assert api_client.get(detail_url(resource.basename, resource.key(instance))).status_code == 200

    def test_anonymous_writes_are_refused(self, api_client, resource):
        instance = resource.make()
        url = detail_url(resource.basename, resource.key(instance))
        payload = resource.create()
        before = resource.model.objects.count()

        response = api_client.post(list_url(resource.basename), payload, format="json")
        assert response.status_code in (401, 403)
        assert_error(response, response.status_code)
        assert resource.model.objects.count() == before

        response = api_client.patch(url, resource.update, format="json")
        assert response.status_code in (401, 403)
        changed = resource.model.objects.get(pk=instance.pk)
        for name, value in resource.update.items():
            assert getattr(changed, name) != value

        response = api_client.delete(url)
        assert response.status_code in (401, 403)
        assert resource.model.objects.filter(pk=instance.pk).exists()

    def test_user_without_model_permissions_cannot_write(self, api_client, django_user_model, resource):
        instance = resource.make()
        api_client.force_authenticate(django_user_model.objects.create_user("reader", password="reader-password"))
        assert api_client.get(list_url(resource.basename)).status_code == 200
        response = api_client.delete(detail_url(resource.basename, resource.key(instance)))
        assert_error(response, 403)
        assert resource.model.objects.filter(pk=instance.pk).exists()


def test_a_created_post_reports_holders_and_vacant_seats(editor_client):
    """A post just written has no prefetched holders: the response still says who holds it (nobody) and how many
    seats are free, instead of failing after the row was saved."""
    payload = post_payload()
    response = editor_client.post(list_url("post"), payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["holders"] == []
    assert response.json()["vacant_seats"] == payload["seats"]
    post = Post.objects.get(slug=payload["slug"])
    AppointmentFactory(post=post)
    response = editor_client.patch(detail_url("post", post.pk), {"label_en": "Deputy"}, format="json")
    assert response.status_code == 200, response.content
    assert [holder["appointment"] for holder in response.json()["holders"]] == list(
        post.appointments.values_list("pk", flat=True)
    )
    assert response.json()["vacant_seats"] == payload["seats"] - 1


# --- b. search and filters -----------------------------------------------------------------------------------------


class TestSearch:
    @pytest.mark.parametrize("query", ["so ngoai vu", "SO NGOAI VU", "Sở Ngoại Vụ", "sở  ngoại vụ"])
    def test_organizations_accent_and_case_insensitive(self, api_client, query):
        contains = OrganizationFactory(name="Ban Sở Ngoại vụ mở rộng")  # sorts first by name, matches less well
        found = slugs(api_client.get(list_url("organization"), {"q": query}))
        assert found[0] == "so-ngoai-vu-tp-hcm"
        assert contains.slug in found
        assert "so-cong-thuong-tp-hcm" not in found

    def test_best_match_first(self, api_client):
        # By name alone the order would be: contains, exact, prefix.
        contains = OrganizationFactory(name="Ban Hội đồng Thử mở rộng")
        exact = OrganizationFactory(name="Hội đồng Thử")
        prefix = OrganizationFactory(name="Hội đồng Thử nghiệm")
        OrganizationFactory(name="Hội đồng khác")  # not every word matches
        found = slugs(api_client.get(list_url("organization"), {"q": "hoi dong thu"}))
        assert found == [exact.slug, prefix.slug, contains.slug]

    @pytest.mark.parametrize("query", ["nguyen van duoc", "NGUYEN VAN ĐUOC", "Nguyễn Văn Được", "nguyễn văn DƯỢC"])
    def test_people(self, api_client, query):
        longer = PersonFactory(name="Lê Nguyễn Văn Được")  # sorts first by name, matches less well
        found = slugs(api_client.get(list_url("person"), {"q": query}))
        assert found == ["nguyen-van-duoc", longer.slug]

    def test_every_word_must_match_in_any_order(self, api_client):
        assert slugs(api_client.get(list_url("person"), {"q": "duoc nguyen"})) == ["nguyen-van-duoc"]
        assert slugs(api_client.get(list_url("person"), {"q": "nguyen duoc x"})) == []
        assert set(slugs(api_client.get(list_url("person"), {"q": "nguyen"}))) == {"nguyen-van-duoc", "nguyen-loc-ha"}

    def test_posts_exact_label_before_longer(self, api_client):
        found = slugs(api_client.get(list_url("post"), {"q": "PHO TRUONG BAN"}))
        # Without ranking the permanent deputy (rank 2) would come first.
        assert found == [
            "ban-chi-dao-hoi-nhap-quoc-te-pho-truong-ban-kinh-te",
            "ban-chi-dao-hoi-nhap-quoc-te-pho-truong-ban-van-hoa-xa-hoi",
            "ban-chi-dao-hoi-nhap-quoc-te-pho-truong-ban-thuong-truc",
        ]

    @pytest.mark.parametrize("query", ["59-NQ/TW", "59-nq/tw"])
    def test_documents_by_number(self, api_client, query):
        found = slugs(api_client.get(list_url("document"), {"q": query}))
        # The programme sorts before the resolution by kind; the resolution matches better.
        assert found == ["nq-59-nq-tw", "chuong-trinh-hanh-dong-thanh-uy-thuc-hien-nq-59"]

    def test_blank_query_filters_nothing(self, api_client):
        assert api_client.get(list_url("person"), {"q": "  "}).json()["count"] == Person.objects.count()


class TestFilters:
    def test_posts_by_organization(self, api_client):
        found = slugs(api_client.get(list_url("post"), {"organization": COMMITTEE}))
        assert found == [
            "ban-chi-dao-hoi-nhap-quoc-te-truong-ban",
            "ban-chi-dao-hoi-nhap-quoc-te-pho-truong-ban-thuong-truc",
            "ban-chi-dao-hoi-nhap-quoc-te-pho-truong-ban-kinh-te",
            "ban-chi-dao-hoi-nhap-quoc-te-pho-truong-ban-van-hoa-xa-hoi",
            "ban-chi-dao-hoi-nhap-quoc-te-thanh-vien",
        ]

    def test_posts_by_role(self, api_client):
        rows = results(api_client.get(list_url("post"), {"role": "head", "page_size": 200}))
        assert {row["slug"] for row in rows} == set(
            Post.objects.filter(role=PostRole.HEAD).values_list("slug", flat=True)
        )
        assert len(rows) == 6
        both = results(api_client.get(list_url("post"), {"role": ["head", "member"], "page_size": 200}))
        assert {row["role"] for row in both} == {"head", "member"}
        assert len(both) == Post.objects.filter(role__in=["head", "member"]).count()

    def test_posts_by_portfolio(self, api_client):
        assert slugs(api_client.get(list_url("post"), {"portfolio": "kinh-te"})) == [
            "ban-chi-dao-hoi-nhap-quoc-te-pho-truong-ban-kinh-te"
        ]

    def test_posts_by_standing(self, api_client):
        standing = results(api_client.get(list_url("post"), {"standing": "true", "page_size": 200}))
        assert len(standing) == 4
        assert all(row["standing"] and row["organization"]["slug"] == COMMITTEE for row in standing)
        others = results(api_client.get(list_url("post"), {"standing": "false", "page_size": 200}))
        assert len(others) == Post.objects.count() - 4
        assert not any(row["standing"] for row in others)

    def test_appointments_by_person(self, api_client):
        rows = results(api_client.get(list_url("appointment"), {"person": "bui-thanh-son"}))
        assert {row["post"]["slug"] for row in rows} == {
            "bo-ngoai-giao-bo-truong",
            "chinh-phu-pho-thu-tuong",
            "ban-chap-hanh-trung-uong-dang-uy-vien",
        }

    def test_appointments_by_post(self, api_client):
        chairman = seeded_post("ubnd-tp-hcm-chu-tich")
        rows = results(api_client.get(list_url("appointment"), {"post": chairman.pk}))
        assert {row["person"]["slug"] for row in rows} == {"phan-van-mai", "nguyen-van-duoc"}
        assert all(row["post"]["id"] == chairman.pk for row in rows)

    def test_appointments_by_organization_and_role(self, api_client):
        rows = results(api_client.get(list_url("appointment"), {"organization": COMMITTEE}))
        assert {row["person"]["slug"] for row in rows} == {
            "nguyen-van-duoc",
            "nguyen-loc-ha",
            "bui-ta-hoang-vu",
            "pham-thi-thanh-hien",
        }
        assert all(row["organization"]["slug"] == COMMITTEE for row in rows)
        deputies = results(api_client.get(list_url("appointment"), {"role": "deputy_head"}))
        assert {row["person"]["slug"] for row in deputies} == {
            "bui-ta-hoang-vu",
            "pham-thi-thanh-hien",
            "ngo-le-van",
            "bui-thanh-son",
        }
        assert {row["role"] for row in deputies} == {"deputy_head"}

    def test_appointments_as_of(self, api_client):
        rows = results(api_client.get(list_url("appointment"), {"as_of": "2024-12-13"}))
        assert sorted((row["person"]["slug"], row["post"]["slug"]) for row in rows) == [
            ("bui-thanh-son", "ban-chap-hanh-trung-uong-dang-uy-vien"),
            ("bui-thanh-son", "bo-ngoai-giao-bo-truong"),
            ("bui-thanh-son", "chinh-phu-pho-thu-tuong"),
            ("phan-van-mai", "ubnd-tp-hcm-chu-tich"),
        ]
        # The start day and the end day both count.
        day_one = results(api_client.get(list_url("appointment"), {"as_of": "2023-04-26", "page_size": 200}))
        assert {row["person"]["slug"] for row in day_one} == {"phan-van-mai", "bui-thanh-son"}
        assert len(day_one) == 3

    def test_appointments_current(self, api_client, monkeypatch):
        monkeypatch.setattr(filtersets, "today", lambda: datetime.date(2025, 12, 22))
        current = results(api_client.get(list_url("appointment"), {"current": "true", "page_size": 200}))
        past = results(api_client.get(list_url("appointment"), {"current": "false", "page_size": 200}))
        assert len(current) == 9
        assert {row["person"]["slug"] for row in past} == {"phan-van-mai", "bui-thanh-son"}
        assert len(current) + len(past) == Appointment.objects.count()
        assert all(row["end_date"] is None for row in current)

        monkeypatch.setattr(filtersets, "today", lambda: datetime.date(2024, 12, 13))
        then = results(api_client.get(list_url("appointment"), {"current": "true"}))
        assert {row["person"]["slug"] for row in then} == {"phan-van-mai", "bui-thanh-son"}
        assert len(then) == 4

    def test_documents_by_kind_number_issuer(self, api_client):
        assert len(results(api_client.get(list_url("document"), {"kind": "article"}))) == 5
        assert slugs(api_client.get(list_url("document"), {"kind": "treaty"})) == ["cptpp", "evfta"]
        assert slugs(api_client.get(list_url("document"), {"number": "59-nq/tw"})) == ["nq-59-nq-tw"]
        assert slugs(api_client.get(list_url("document"), {"issuer": "bo-chinh-tri"})) == [
            "nq-31-bo-chinh-tri",
            "nq-59-nq-tw",
        ]

    def test_relationships_by_kind_and_organization(self, api_client):
        supports = results(api_client.get(list_url("relationship"), {"kind": "supports"}))
        assert len(supports) == 5
        assert {row["object"]["slug"] for row in supports} == {COMMITTEE}
        merged = results(api_client.get(list_url("relationship"), {"kind": "merged_into"}))
        assert {row["subject"]["slug"] for row in merged} == {"tinh-binh-duong", "tinh-ba-ria-vung-tau"}
        either_side = results(api_client.get(list_url("relationship"), {"organization": "so-ngoai-vu-tp-hcm"}))
        assert sorted((row["kind"], row["object"]["slug"]) for row in either_side) == [
            ("serves", "bo-ngoai-giao"),
            ("serves", "thanh-uy-tp-hcm"),
            ("serves", "ubnd-tp-hcm"),
            ("supports", COMMITTEE),
        ]
        as_object = results(api_client.get(list_url("relationship"), {"organization": "bo-ngoai-giao"}))
        assert [(row["subject"]["slug"], row["kind"]) for row in as_object] == [("so-ngoai-vu-tp-hcm", "serves")]

    def test_people_as_of(self, api_client):
        assert set(slugs(api_client.get(list_url("person"), {"as_of": "2024-12-13"}))) == {
            "phan-van-mai",
            "bui-thanh-son",
        }
        assert set(slugs(api_client.get(list_url("person"), {"as_of": "2025-12-15"}))) == {
            "nguyen-van-duoc",
            "nguyen-loc-ha",
            "bui-ta-hoang-vu",
            "pham-thi-thanh-hien",
        }
        assert slugs(api_client.get(list_url("person"), {"as_of": "2020-01-01"})) == []

    def test_people_by_organization(self, api_client):
        assert set(slugs(api_client.get(list_url("person"), {"organization": "ubnd-tp-hcm"}))) == {
            "nguyen-van-duoc",
            "nguyen-loc-ha",
            "phan-van-mai",
        }
        assert slugs(api_client.get(list_url("person"), {"organization": "ubnd-tp-hcm", "as_of": "2024-12-13"})) == [
            "phan-van-mai"
        ]

    def test_organizations_as_of(self, api_client):
        def existing(day: str) -> set[str]:
            return set(slugs(api_client.get(list_url("organization"), {"as_of": day, "page_size": 200})))

        assert COMMITTEE not in existing("2025-12-14")
        assert COMMITTEE in existing("2025-12-15")
        assert "to-cong-tac-doi-ngoai-va-hop-tac-quoc-te" in existing("2023-04-26")
        assert "to-cong-tac-doi-ngoai-va-hop-tac-quoc-te" not in existing("2023-04-25")
        assert "ubnd-tp-hcm" in existing("2023-04-25")  # founding unknown: always there
        dissolved = OrganizationFactory(
            founding_date=datetime.date(2020, 1, 1),
            founding_date_precision="exact",
            dissolution_date=datetime.date(2024, 6, 30),
            dissolution_date_precision="exact",
        )
        assert dissolved.slug in existing("2024-06-30")
        assert dissolved.slug not in existing("2024-07-01")

    def test_organizations_by_classification_and_parent(self, api_client):
        rows = results(api_client.get(list_url("organization"), {"classification": "department"}))
        assert {row["slug"] for row in rows} == {"so-ngoai-vu-tp-hcm", "so-cong-thuong-tp-hcm", "so-noi-vu-tp-hcm"}
        assert set(slugs(api_client.get(list_url("organization"), {"parent": "ubnd-tp-hcm"}))) == {
            "van-phong-ubnd-tp-hcm",
            COMMITTEE,
        }


# --- c. as_of: time travel and the chart ---------------------------------------------------------------------------


def chairman_holders(api_client, **params) -> list[str]:
    rows = results(api_client.get(list_url("post"), {"organization": "ubnd-tp-hcm", **params}))
    (chairman,) = (row for row in rows if row["slug"] == "ubnd-tp-hcm-chu-tich")
    return [holder["person"]["slug"] for holder in chairman["holders"]]


class TestTimeTravel:
    def test_posts_as_of_the_2024_conference(self, api_client):
        assert chairman_holders(api_client, as_of="2024-12-13") == ["phan-van-mai"]

    def test_posts_as_of_the_committee_founding(self, api_client):
        assert chairman_holders(api_client, as_of="2025-12-15") == ["nguyen-van-duoc"]

    def test_between_the_two_chairmen_the_seat_is_vacant(self, api_client):
        rows = results(api_client.get(list_url("post"), {"organization": "ubnd-tp-hcm", "as_of": "2025-06-01"}))
        chairman = next(row for row in rows if row["slug"] == "ubnd-tp-hcm-chu-tich")
        assert chairman["holders"] == []
        assert chairman["vacant_seats"] == 1

    def test_holders_default_to_today(self, api_client, monkeypatch):
        today = timezone.localdate().isoformat()
        assert chairman_holders(api_client) == chairman_holders(api_client, as_of=today) == ["nguyen-van-duoc"]
        monkeypatch.setattr(filtersets, "today", lambda: datetime.date(2024, 12, 13))
        assert chairman_holders(api_client) == ["phan-van-mai"]

    def test_post_detail_as_of(self, api_client):
        chairman = seeded_post("ubnd-tp-hcm-chu-tich")
        body = api_client.get(detail_url("post", chairman.pk), {"as_of": "2024-12-13"}).json()
        assert [holder["person"]["slug"] for holder in body["holders"]] == ["phan-van-mai"]
        holder = body["holders"][0]
        assert holder["start_date"] == "2023-04-26"
        assert holder["start_date_precision"] == "attested"
        assert holder["end_date"] == "2024-12-13"
        assert holder["end_date_precision"] == "attested"

    def test_person_lists_every_post_held(self, api_client):
        body = api_client.get(detail_url("person", "phan-van-mai")).json()
        assert [(row["post"]["slug"], row["start_date"]) for row in body["appointments"]] == [
            ("ubnd-tp-hcm-chu-tich", "2023-04-26"),
            ("to-cong-tac-doi-ngoai-va-hop-tac-quoc-te-to-truong", "2023-04-26"),
        ]
        group_leader = body["appointments"][1]
        assert_brief(group_leader["capacity"], "post", seeded_post("ubnd-tp-hcm-chu-tich"))
        assert group_leader["organization"]["slug"] == "to-cong-tac-doi-ngoai-va-hop-tac-quoc-te"


class TestChart:
    def test_shape(self, api_client):
        body = api_client.get(chart_url(COMMITTEE)).json()
        assert set(body) == {"organization", "as_of", "posts", "support_agencies", "sub_organizations"}
        assert_brief(body["organization"], "organization", Organization.objects.get(slug=COMMITTEE))
        assert body["as_of"] == timezone.localdate().isoformat()
        assert body["sub_organizations"] == []

    def test_posts_in_rank_order_with_holders(self, api_client):
        posts = api_client.get(chart_url(COMMITTEE), {"as_of": "2025-12-15"}).json()["posts"]
        assert [(post["rank"], post["role"]) for post in posts] == [
            (1, "head"),
            (2, "permanent_deputy_head"),
            (3, "deputy_head"),
            (4, "deputy_head"),
            (10, "member"),
        ]
        assert [[holder["person"]["slug"] for holder in post["holders"]] for post in posts] == [
            ["nguyen-van-duoc"],
            ["nguyen-loc-ha"],
            ["bui-ta-hoang-vu"],
            ["pham-thi-thanh-hien"],
            [],
        ]
        capacities = ["ubnd-tp-hcm-chu-tich", "ubnd-tp-hcm-pho-chu-tich-thuong-truc"]
        capacities += ["so-cong-thuong-tp-hcm-giam-doc", "so-noi-vu-tp-hcm-giam-doc"]
        for post, capacity in zip(posts, capacities, strict=False):
            (holder,) = post["holders"]
            assert_brief(holder["capacity"], "post", seeded_post(capacity))
            assert holder["start_date"] == "2025-12-15"
            assert holder["start_date_precision"] == "attested"
            assert holder["end_date"] is None
            assert holder["end_date_precision"] == ""
            assert post["vacant_seats"] == 0
        member = posts[-1]
        assert member["seats"] == 20
        assert member["vacant_seats"] == 20
        assert [post["standing"] for post in posts] == [True, True, True, True, False]
        assert [post["portfolio"] and post["portfolio"]["slug"] for post in posts] == [
            None,
            "chinh-tri-quoc-phong-an-ninh",
            "kinh-te",
            "van-hoa-xa-hoi-khoa-hoc-cong-nghe-giao-duc-dao-tao",
            None,
        ]

    def test_support_agencies(self, api_client):
        agencies = api_client.get(chart_url(COMMITTEE), {"as_of": "2025-12-15"}).json()["support_agencies"]
        assert {agency["slug"] for agency in agencies} == {
            "van-phong-ubnd-tp-hcm",
            "so-ngoai-vu-tp-hcm",
            "so-cong-thuong-tp-hcm",
            "so-noi-vu-tp-hcm",
            "vien-nghien-cuu-phat-trien-tp-hcm",
        }
        for agency in agencies:
            assert set(agency) == BRIEF_KEYS["organization"]

    def test_before_the_founding_nobody_holds_anything(self, api_client):
        body = api_client.get(chart_url(COMMITTEE), {"as_of": "2025-12-14"}).json()
        assert body["as_of"] == "2025-12-14"
        assert len(body["posts"]) == 5
        assert all(post["holders"] == [] for post in body["posts"])
        assert [post["vacant_seats"] for post in body["posts"]] == [1, 1, 1, 1, 20]
        assert body["support_agencies"] == []

    def test_sub_organizations(self, api_client):
        def children(**params) -> list[str]:
            body = api_client.get(chart_url("ubnd-tp-hcm"), params).json()
            return [row["slug"] for row in body["sub_organizations"]]

        assert sorted(children()) == sorted([COMMITTEE, "van-phong-ubnd-tp-hcm"])
        assert children(as_of="2025-12-14") == ["van-phong-ubnd-tp-hcm"]


@pytest.mark.parametrize("basename", [resource.basename for resource in RESOURCES])
def test_every_record_carries_its_sources(api_client, basename):
    rows = results(api_client.get(list_url(basename), {"page_size": 200}))
    assert rows
    for row in rows:
        if basename == "document" and row["kind"] == "article":
            assert row["sources"] == []  # the articles are the sources
            continue
        assert row["sources"], row.get("slug", row["id"])
        for source in row["sources"]:
            assert set(source) == {"document", "quote", "field"}
            assert set(source["document"]) == BRIEF_KEYS["document"]
            assert source["quote"].strip()
    quoted = {row.get("slug") or row["id"]: row["sources"] for row in rows}
    if basename == "person":
        assert {"document": "art-2025-12-15", "quote": "Ông Nguyễn Văn Được", "field": "honorific"} in [
            {**source, "document": source["document"]["slug"]} for source in quoted["nguyen-van-duoc"]
        ]


# --- d. bad input --------------------------------------------------------------------------------------------------


class TestBadInput:
    @pytest.mark.parametrize(
        "url",
        [
            list_url("organization"),
            list_url("person"),
            list_url("post"),
            list_url("appointment"),
            list_url("relationship"),
            chart_url(COMMITTEE),
        ],
    )
    def test_impossible_as_of(self, api_client, url):
        assert_error(api_client.get(url, {"as_of": "2025-13-40"}), 400, "as_of")

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
            end_date_precision="exact",
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


# --- e. query counts -----------------------------------------------------------------------------------------------


def make_extra_rows(count: int = 30) -> None:
    """Rows with every relation the list endpoints render, so a query per row would show."""
    city = Organization.objects.get(slug="thanh-pho-ho-chi-minh")
    for _ in range(count):
        organization = OrganizationFactory(parent=city)
        document = DocumentFactory(kind="plan", number="1/KH", issuer=organization, text="")
        organization.legal_basis.add(document)
        DutyFactory(organization=organization)
        portfolio = PortfolioFactory()
        person = PersonFactory()
        head = PostFactory(organization=organization, portfolio=portfolio)
        member = PostFactory(
            organization=organization, label="Thành viên", role=PostRole.MEMBER, rank=2, ex_officio_of=head
        )
        held = AppointmentFactory(person=person, post=head)
        by_office = AppointmentFactory(person=person, post=member, capacity=head)
        relationship = RelationshipFactory(subject=organization, object=city, document=document)
        for record in (organization, document, portfolio, person, head, held, by_office, relationship):
            CitationFactory(record=record, document=document, quote=f"Trích dẫn {record.pk}")


def make_committee_posts(count: int = 10) -> None:
    committee = Organization.objects.get(slug=COMMITTEE)
    founding = committee.founding_date
    for _ in range(count):
        post = PostFactory(organization=committee, portfolio=PortfolioFactory(), label="Ủy viên", rank=20)
        AppointmentFactory(post=post, capacity=PostFactory(portfolio=PortfolioFactory()), start_date=founding)


# Measured on SQLite and PostgreSQL alike: count, page, then one query per prefetched relation.
LIST_QUERIES = {
    "organization": 5,  # count, page (+parent), legal_basis, duties, sources
    "person": 4,  # count, page, appointments (+posts, bodies, capacities), sources
    "portfolio": 3,  # count, page, sources
    "document": 3,  # count, page (+issuer), sources
    "post": 4,  # count, page (+body, portfolio, ex officio post), holders (+people, capacities), sources
    "appointment": 3,  # count, page (+person, post, body, capacity), sources
    "relationship": 3,  # count, page (+subject, object, document), sources
}
# The body (with the legal_basis, duties and sources its viewset prefetches), its posts, their holders, their
# sources, the support agencies and the sub-bodies.
CHART_QUERIES = 5


@pytest.mark.parametrize("basename, expected", LIST_QUERIES.items())
def test_list_query_count_does_not_grow_with_rows(api_client, django_assert_num_queries, basename, expected):
    make_extra_rows()
    url = list_url(basename)
    api_client.get(url)  # warm process-wide caches (content types) so only the request's own queries count
    with django_assert_num_queries(expected):
        small = api_client.get(url, {"page_size": 1})
    with django_assert_num_queries(expected):
        large = api_client.get(url, {"page_size": 200})
    assert len(results(small)) == 1
    assert len(results(large)) >= 30


def test_chart_query_count_does_not_grow_with_posts(api_client, django_assert_num_queries):
    url = chart_url(COMMITTEE)
    api_client.get(url)
    with django_assert_num_queries(CHART_QUERIES):
        before = api_client.get(url).json()
    make_committee_posts()
    with django_assert_num_queries(CHART_QUERIES):
        after = api_client.get(url).json()
    assert len(after["posts"]) == len(before["posts"]) + 10
    assert (
        sum(len(post["holders"]) for post in after["posts"])
        == sum(len(post["holders"]) for post in before["posts"]) + 10
    )


# --- f. schema and documentation pages -----------------------------------------------------------------------------


def test_schema_is_openapi_3(api_client):
    response = api_client.get(reverse(f"{NS}:schema"))
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")
    schema = json.loads(api_client.get(reverse(f"{NS}:schema"), {"format": "json"}).content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/organizations/{slug}/chart/" in schema["paths"]
    for resource in RESOURCES:
        assert list_url(resource.basename) in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/posts/"]["get"]["parameters"]}
    assert {"q", "as_of", "organization", "role", "portfolio", "standing", "page", "page_size"} <= parameters


ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.mark.parametrize("name", ["docs", "redoc"])
def test_documentation_pages_use_local_assets_only(api_client, name):
    response = api_client.get(reverse(f"{NS}:{name}"))
    assert response.status_code == 200
    html = response.content.decode()
    assets = ASSET.findall(html)
    assert any(asset.startswith("/static/") and asset.endswith(".js") for asset in assets), assets
    assert not re.search(r"https?://", html), re.findall(r"https?://[^\s\"'<>]+", html)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert api_client.get(asset).status_code == 200, asset


def test_length_is_checked_on_the_string_sent_not_a_trimmed_copy(editor_client):
    """The schema's maxLength holds for what the client sends: padding does not sneak a long name through."""
    payload = {"slug": "padded", "name": " " * 10 + "Lĩnh vực" + " " * 250}
    response = editor_client.post(list_url("portfolio"), payload, format="json")
    assert_error(response, 400, "name")
    assert not Portfolio.objects.filter(slug="padded").exists()
