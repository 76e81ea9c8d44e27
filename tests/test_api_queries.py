"""Query counts: a constant number per list and per chart, whatever the number of rows.

Every test sees the seeded registry (tests/conftest.py)."""

import pytest

from registry.choices import PostRole
from registry.models import (
    Organization,
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
from tests.helpers import COMMITTEE, chart_url, list_url, results

pytestmark = pytest.mark.django_db


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
    "organization": 7,  # count, page (+parent), legal_basis, duties, identifiers, other names, sources
    "person": 6,  # count, page, appointments (+posts, bodies, capacities), identifiers, other names, sources
    "portfolio": 3,  # count, page, sources
    "document": 3,  # count, page (+issuer), sources
    "post": 4,  # count, page (+body, portfolio, ex officio post), holders (+people, capacities), sources
    "appointment": 3,  # count, page (+person, post, body, capacity), sources
    "relationship": 3,  # count, page (+subject, object, document), sources
}
# The body (with the legal_basis, duties and sources its viewset prefetches), its posts, their holders, their
# sources, the support agencies and the sub-bodies.
CHART_QUERIES = 5
#: Every read first takes its HTTP validators from the registry's change counter (registry/caching.py).
VALIDATORS = 1


@pytest.mark.parametrize("basename, expected", LIST_QUERIES.items())
def test_list_query_count_does_not_grow_with_rows(api_client, django_assert_num_queries, basename, expected):
    make_extra_rows()
    url = list_url(basename)
    api_client.get(url)  # warm process-wide caches (content types) so only the request's own queries count
    with django_assert_num_queries(expected + VALIDATORS):
        small = api_client.get(url, {"page_size": 1})
    with django_assert_num_queries(expected + VALIDATORS):
        large = api_client.get(url, {"page_size": 200})
    assert len(results(small)) == 1
    assert len(results(large)) >= 30


def test_chart_query_count_does_not_grow_with_posts(api_client, django_assert_num_queries):
    url = chart_url(COMMITTEE)
    api_client.get(url)
    with django_assert_num_queries(CHART_QUERIES + VALIDATORS):
        before = api_client.get(url).json()
    make_committee_posts()
    with django_assert_num_queries(CHART_QUERIES + VALIDATORS):
        after = api_client.get(url).json()
    assert len(after["posts"]) == len(before["posts"]) + 10
    assert (
        sum(len(post["holders"]) for post in after["posts"])
        == sum(len(post["holders"]) for post in before["posts"]) + 10
    )
