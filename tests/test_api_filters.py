"""Search and the filters of every list, on records each test builds with factories.

The seeded registry is in the database too (tests/conftest.py), so every assertion is about the test's own records
(found, or left out) or holds for every row; what the seeds say is asserted in test_seeded_facts.py only.
"""

import datetime
from dataclasses import dataclass

import pytest

from registry.models import Appointment, Document, Organization, OrganizationRelationship, Person, Post
from tests.factories import (
    AppointmentFactory,
    DocumentFactory,
    OrganizationFactory,
    PersonFactory,
    PortfolioFactory,
    PostFactory,
    RelationshipFactory,
)
from tests.helpers import list_url, results, slugs

pytestmark = pytest.mark.django_db
D = datetime.date


def ids(response) -> set[int]:
    return {row["id"] for row in results(response)}


def every(client, basename: str, **params) -> list[dict]:
    return results(client.get(list_url(basename), {"page_size": 200, **params}))


# --- search ----------------------------------------------------------------------------------------------------------


class TestSearch:
    @pytest.mark.parametrize("query", ["so thu nghiem", "SO THU NGHIEM", "Sở Thử Nghiệm", "sở  thử nghiệm"])
    def test_accent_and_case_insensitive(self, api_client, query):
        exact = OrganizationFactory(name="Sở Thử nghiệm")
        contains = OrganizationFactory(name="Ban Sở Thử nghiệm mở rộng")  # sorts first by name, matches less well
        other = OrganizationFactory(name="Sở Khác")
        found = slugs(api_client.get(list_url("organization"), {"q": query}))
        assert found[:2] == [exact.slug, contains.slug]
        assert other.slug not in found

    def test_best_match_first(self, api_client):
        # By name alone the order would be: contains, exact, prefix.
        contains = OrganizationFactory(name="Ban Hội đồng Thử mở rộng")
        exact = OrganizationFactory(name="Hội đồng Thử")
        prefix = OrganizationFactory(name="Hội đồng Thử nghiệm")
        OrganizationFactory(name="Hội đồng khác")  # not every word matches
        found = slugs(api_client.get(list_url("organization"), {"q": "hoi dong thu"}))
        assert found == [exact.slug, prefix.slug, contains.slug]

    @pytest.mark.parametrize("query", ["tran van duong", "TRAN VAN ĐUONG", "Trần Văn Đường", "trần văn ĐƯỜNG"])
    def test_people_fold_d_with_stroke(self, api_client, query):
        person = PersonFactory(name="Trần Văn Đường")
        longer = PersonFactory(name="Lê Trần Văn Đường")  # sorts first by name, matches less well
        assert slugs(api_client.get(list_url("person"), {"q": query})) == [person.slug, longer.slug]

    def test_every_word_must_match_in_any_order(self, api_client):
        person = PersonFactory(name="Trần Văn Đường")
        PersonFactory(name="Trần Văn Khác")
        assert slugs(api_client.get(list_url("person"), {"q": "duong tran"})) == [person.slug]
        assert slugs(api_client.get(list_url("person"), {"q": "tran duong x"})) == []

    def test_posts_exact_label_before_longer(self, api_client):
        body = OrganizationFactory()
        permanent = PostFactory(organization=body, label="Phó trưởng ban thường trực Zeta", rank=2)
        deputy = PostFactory(organization=body, label="Phó trưởng ban Zeta", rank=3)
        # Without ranking the permanent deputy (rank 2) would come first.
        assert slugs(api_client.get(list_url("post"), {"q": "PHO TRUONG BAN ZETA"})) == [deputy.slug, permanent.slug]

    def test_documents_by_number(self, api_client):
        resolution = DocumentFactory(kind="resolution", number="77-NQ/TW", title="Nghị quyết thử")
        programme = DocumentFactory(kind="programme", title="Chương trình thực hiện Nghị quyết 77-NQ/TW")
        # The programme sorts before the resolution by kind; the resolution matches better.
        assert slugs(api_client.get(list_url("document"), {"q": "77-nq/tw"})) == [resolution.slug, programme.slug]

    def test_blank_query_filters_nothing(self, api_client):
        assert api_client.get(list_url("person"), {"q": "  "}).json()["count"] == Person.objects.count()


# --- filters ---------------------------------------------------------------------------------------------------------


@dataclass
class World:
    """A body with a parent, three posts, two people and their appointments, built fresh for each test."""

    parent: Organization
    body: Organization
    head: Post
    deputy: Post
    members: Post
    chief: Person
    second: Person
    chief_term: Appointment
    earlier_term: Appointment
    deputy_term: Appointment


@pytest.fixture
def world() -> World:
    parent = OrganizationFactory()
    body = OrganizationFactory(parent=parent, classification="steering_committee")
    economy = PortfolioFactory()
    head = PostFactory(organization=body, role="head", rank=1, standing=True)
    deputy = PostFactory(organization=body, role="deputy_head", rank=2, standing=True, portfolio=economy)
    members = PostFactory(organization=body, role="member", rank=3, seats=20)
    chief, second = PersonFactory(), PersonFactory()
    earlier_term = AppointmentFactory(
        person=second, post=head, start_date=D(2020, 1, 1), end_date=D(2022, 12, 31), end_date_precision="attested"
    )
    chief_term = AppointmentFactory(person=chief, post=head, start_date=D(2023, 1, 1))
    deputy_term = AppointmentFactory(person=second, post=deputy, start_date=D(2023, 6, 1))
    return World(parent, body, head, deputy, members, chief, second, chief_term, earlier_term, deputy_term)


class TestPostFilters:
    def test_by_organization_in_rank_order(self, api_client, world):
        found = slugs(api_client.get(list_url("post"), {"organization": world.body.slug}))
        assert found == [world.head.slug, world.deputy.slug, world.members.slug]

    def test_by_role(self, api_client, world):
        heads = every(api_client, "post", role="head")
        assert world.head.pk in {row["id"] for row in heads}
        assert {row["role"] for row in heads} == {"head"}
        both = {row["id"] for row in every(api_client, "post", role=["head", "member"])}
        assert {world.head.pk, world.members.pk} <= both
        assert world.deputy.pk not in both

    def test_by_portfolio(self, api_client, world):
        assert slugs(api_client.get(list_url("post"), {"portfolio": world.deputy.portfolio.slug})) == [
            world.deputy.slug
        ]

    def test_by_standing(self, api_client, world):
        standing = every(api_client, "post", standing="true")
        assert {world.head.pk, world.deputy.pk} <= {row["id"] for row in standing}
        assert all(row["standing"] for row in standing)
        others = every(api_client, "post", standing="false")
        assert world.members.pk in {row["id"] for row in others}
        assert not any(row["standing"] for row in others)

    def test_exists_on_follows_the_body(self, api_client, world):
        founded = OrganizationFactory(founding_date=D(2024, 1, 1), founding_date_precision="exact")
        post = PostFactory(organization=founded)
        assert post.pk not in {row["id"] for row in every(api_client, "post", exists_on="2023-12-31")}
        assert post.pk in {row["id"] for row in every(api_client, "post", exists_on="2024-01-01")}


class TestAppointmentFilters:
    def test_by_person_post_and_organization(self, api_client, world):
        assert ids(api_client.get(list_url("appointment"), {"person": world.second.slug})) == {
            world.earlier_term.pk,
            world.deputy_term.pk,
        }
        assert ids(api_client.get(list_url("appointment"), {"post": world.head.pk})) == {
            world.earlier_term.pk,
            world.chief_term.pk,
        }
        assert ids(api_client.get(list_url("appointment"), {"organization": world.body.slug})) == {
            world.earlier_term.pk,
            world.chief_term.pk,
            world.deputy_term.pk,
        }

    def test_by_role(self, api_client, world):
        deputies = every(api_client, "appointment", role="deputy_head")
        assert world.deputy_term.pk in {row["id"] for row in deputies}
        assert {row["role"] for row in deputies} == {"deputy_head"}

    def test_as_of_counts_both_ends(self, api_client, world):
        mine = {"organization": world.body.slug}
        assert ids(api_client.get(list_url("appointment"), {**mine, "as_of": "2022-12-31"})) == {world.earlier_term.pk}
        assert ids(api_client.get(list_url("appointment"), {**mine, "as_of": "2023-01-01"})) == {world.chief_term.pk}
        assert ids(api_client.get(list_url("appointment"), {**mine, "as_of": "2023-06-01"})) == {
            world.chief_term.pk,
            world.deputy_term.pk,
        }
        assert ids(api_client.get(list_url("appointment"), {**mine, "as_of": "2019-12-31"})) == set()

    def test_current_follows_the_clock(self, api_client, world, today_is):
        mine = {"organization": world.body.slug}
        today_is(D(2022, 6, 1))
        assert ids(api_client.get(list_url("appointment"), {**mine, "current": "true"})) == {world.earlier_term.pk}
        today_is(D(2024, 1, 1))
        assert ids(api_client.get(list_url("appointment"), {**mine, "current": "true"})) == {
            world.chief_term.pk,
            world.deputy_term.pk,
        }
        assert ids(api_client.get(list_url("appointment"), {**mine, "current": "false"})) == {world.earlier_term.pk}


class TestPeopleFilters:
    def test_as_of(self, api_client, world):
        holding = {row["slug"] for row in every(api_client, "person", as_of="2022-06-01")}
        assert world.second.slug in holding
        assert world.chief.slug not in holding

    def test_by_organization_and_day(self, api_client, world):
        everyone = set(slugs(api_client.get(list_url("person"), {"organization": world.body.slug})))
        assert everyone == {world.chief.slug, world.second.slug}
        then = slugs(api_client.get(list_url("person"), {"organization": world.body.slug, "as_of": "2023-01-01"}))
        assert then == [world.chief.slug]


class TestOrganizationFilters:
    def test_exists_on(self, api_client):
        def existing(day: str) -> set[str]:
            return {row["slug"] for row in every(api_client, "organization", exists_on=day)}

        lived = OrganizationFactory(
            founding_date=D(2020, 1, 1),
            founding_date_precision="exact",
            dissolution_date=D(2024, 6, 30),
            dissolution_date_precision="exact",
        )
        undated = OrganizationFactory()
        assert lived.slug not in existing("2019-12-31")
        assert lived.slug in existing("2020-01-01")
        assert lived.slug in existing("2024-06-30")
        assert lived.slug not in existing("2024-07-01")
        assert undated.slug in existing("1900-01-01")  # founding unknown: always there

    def test_by_classification_and_parent(self, api_client, world):
        committees = every(api_client, "organization", classification="steering_committee")
        assert world.body.slug in {row["slug"] for row in committees}
        assert {row["classification"] for row in committees} == {"steering_committee"}
        assert slugs(api_client.get(list_url("organization"), {"parent": world.parent.slug})) == [world.body.slug]


class TestDocumentAndRelationshipFilters:
    def test_documents_by_kind_number_issuer(self, api_client):
        issuer = OrganizationFactory()
        plan = DocumentFactory(kind="plan", number="9/KH-THU", issuer=issuer)
        article = DocumentFactory()
        plans = {row["slug"] for row in every(api_client, "document", kind="plan")}
        assert plan.slug in plans
        assert article.slug not in plans
        assert slugs(api_client.get(list_url("document"), {"number": "9/kh-thu"})) == [plan.slug]
        assert slugs(api_client.get(list_url("document"), {"issuer": issuer.slug})) == [plan.slug]
        assert Document.objects.filter(kind="plan").count() == len(plans)

    def test_relationships_by_kind_and_either_side(self, api_client, world):
        agency = OrganizationFactory()
        supports = RelationshipFactory(subject=agency, object=world.body, kind="supports")
        serves = RelationshipFactory(subject=agency, object=world.parent, kind="serves")
        kinds = every(api_client, "relationship", kind="supports")
        assert supports.pk in {row["id"] for row in kinds}
        assert {row["kind"] for row in kinds} == {"supports"}
        assert ids(api_client.get(list_url("relationship"), {"organization": agency.slug})) == {supports.pk, serves.pk}
        assert ids(api_client.get(list_url("relationship"), {"organization": world.parent.slug})) == {serves.pk}
        assert ids(api_client.get(list_url("relationship"), {"subject": agency.slug, "object": world.body.slug})) == {
            supports.pk
        }
        assert OrganizationRelationship.objects.filter(subject=agency).count() == 2
