"""Query counts: a constant number per list, chart, detail, history and feed page, whatever the number of rows.

Every test sees the seeded registry (tests/conftest.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import services
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
from tests.helpers import COMMITTEE, NS, action_url, assert_error, chart_url, detail_url, list_url, results

pytestmark = pytest.mark.django_db

#: Measured requests ask for the answer to be computed, not served from the kept copy of the warm-up request.
REBUILD = "no-cache"


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


# Measured on SQLite and PostgreSQL alike: count (capped, see registry/api/pagination.py), page, then one query per
# relation a list renders. Without `expand`, only what the list item shows.
LIST_QUERIES = {
    "organization": 2,  # count, page (+parent)
    "person": 2,  # count, page
    "portfolio": 2,  # count, page
    "document": 2,  # count, page (+issuer)
    # count, page (+body, portfolio, ex officio post), holders (+last_confirmed), their people, their capacities, and
    # the post's other appointments and their people, which say who is known before and after the day (seat states)
    "post": 7,
    "appointment": 2,  # count, page (+person, post, body, capacity)
    "relationship": 2,  # count, page (+subject, object, document)
}
# With every expandable collection: one more query per prefetched collection.
EXPANDED_LIST_QUERIES = {
    "organization": ("legal_basis,duties,identifiers,other_names,sources", 7),
    "person": ("identifiers,other_names,appointments,sources", 6),  # appointments (+posts, bodies, capacities)
    "portfolio": ("sources", 3),
    "document": ("sources", 3),
    "post": ("sources", 8),
    "appointment": ("sources", 3),
    "relationship": ("sources", 3),
}
# The body (with the legal_basis, duties and sources its viewset prefetches), its posts, their holders, their other
# appointments (who is known before and after the day; the committee has none, so no query for their people), their
# sources, the support agencies and the sub-bodies.
CHART_QUERIES = 8
#: Every read first takes its HTTP validators from the registry's change counter (registry/http/caching.py).
VALIDATORS = 1


@pytest.mark.parametrize("basename, expected", LIST_QUERIES.items())
def test_list_query_count_does_not_grow_with_rows(
    api_client, django_assert_num_queries, django_assert_max_num_queries, basename, expected
):
    make_extra_rows()
    url = list_url(basename)
    api_client.get(url)  # warm process-wide caches (content types) so only the request's own queries count
    # A page whose rows have nothing to prefetch (a post with no holder) skips that query: at most, never more.
    with django_assert_max_num_queries(expected + VALIDATORS):
        small = api_client.get(url, {"page_size": 1})
    with django_assert_num_queries(expected + VALIDATORS):
        large = api_client.get(url, {"page_size": 200})
    assert len(results(small)) == 1
    assert len(results(large)) >= 30


@pytest.mark.parametrize("basename, expand_and_expected", EXPANDED_LIST_QUERIES.items())
def test_expanded_list_query_count_does_not_grow_with_rows(
    api_client, django_assert_num_queries, django_assert_max_num_queries, basename, expand_and_expected
):
    expand, expected = expand_and_expected
    make_extra_rows()
    url = list_url(basename)
    api_client.get(url, {"expand": expand})
    with django_assert_max_num_queries(expected + VALIDATORS):
        small = api_client.get(url, {"page_size": 1, "expand": expand})
    with django_assert_num_queries(expected + VALIDATORS):
        large = api_client.get(url, {"page_size": 200, "expand": expand})
    assert len(results(small)) == 1
    assert len(results(large)) >= 30
    assert all(set(expand.split(",")) <= set(row) for row in results(large))


@pytest.mark.parametrize("basename", LIST_QUERIES)
def test_expand_refuses_unknown_names(api_client, basename):
    response = api_client.get(list_url(basename), {"expand": "sources,nope"})
    body = assert_error(response, 400, "expand")
    assert "'nope'" in body["detail"] and "sources" in body["detail"]


@pytest.mark.parametrize("basename", LIST_QUERIES)
def test_expand_refuses_a_name_given_twice(api_client, basename):
    # The schema declares the list's items unique: a client generated from it never sends a name twice.
    response = api_client.get(f"{list_url(basename)}?expand=sources,sources&expand=sources")
    body = assert_error(response, 400, "expand")
    assert "'sources'" in body["detail"] and "once" in body["detail"]


def test_chart_query_count_does_not_grow_with_posts(api_client, django_assert_num_queries):
    url = chart_url(COMMITTEE)
    api_client.get(url)
    with django_assert_num_queries(CHART_QUERIES + VALIDATORS):
        before = api_client.get(url, HTTP_CACHE_CONTROL=REBUILD).json()
    make_committee_posts()
    with django_assert_num_queries(CHART_QUERIES + VALIDATORS):
        after = api_client.get(url, HTTP_CACHE_CONTROL=REBUILD).json()
    assert len(after["posts"]) == len(before["posts"]) + 10
    assert (
        sum(len(post["holders"]) for post in after["posts"])
        == sum(len(post["holders"]) for post in before["posts"]) + 10
    )


# --- lists leave heavy collections to the detail ------------------------------------------------------------------


def test_a_list_item_leaves_out_collections_the_detail_has(api_client):
    row = results(api_client.get(list_url("organization"), {"q": "ban chi dao"}))[0]
    detail = api_client.get(row["url"]).json()
    omitted = {"legal_basis", "duties", "identifiers", "other_names", "sources"}
    assert omitted <= set(detail)
    assert not omitted & set(row)
    assert {key: detail[key] for key in row} == row
    expanded = results(api_client.get(list_url("organization"), {"q": "ban chi dao", "expand": "duties,sources"}))[0]
    assert expanded["duties"] == detail["duties"] and expanded["sources"] == detail["sources"]
    assert "legal_basis" not in expanded


def test_expand_takes_repeated_parameters_and_refuses_empty_names(api_client):
    url = list_url("person")
    row = results(api_client.get(url, {"expand": ["sources", "identifiers"], "page_size": 1}))[0]
    assert {"sources", "identifiers"} <= set(row) and "appointments" not in row
    assert_error(api_client.get(url, {"expand": "sources,"}), 400, "expand")
    repeated = assert_error(api_client.get(url, {"expand": ["sources,identifiers", "sources"]}), 400, "expand")
    assert "'sources'" in repeated["detail"]


# An export reads its rows 500 at a time (registry/api/csv.py, CHUNK): per 500 rows, the rows (with their brief
# relations), then one query per relation its columns show.
EXPORT_QUERIES = {
    "organization": 3,  # rows (+parent, last_confirmed), identifiers, other names
    "person": 3,  # rows, identifiers, other names
    "post": 6,  # rows (+body, portfolio), holders, their people, their capacities, other appointments, their people
    "appointment": 1,  # rows (+person, post, body, capacity, last_confirmed)
}


def exported(response) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("basename, expected", EXPORT_QUERIES.items())
def test_export_query_count_does_not_grow_with_rows(
    api_client, django_assert_num_queries, basename, expected, extension
):
    url = reverse(f"{NS}:{basename}-export-{extension}")
    exported(api_client.get(url))  # warm process-wide caches
    with django_assert_num_queries(expected + VALIDATORS):
        before = exported(api_client.get(url))
    make_extra_rows()
    with django_assert_num_queries(expected + VALIDATORS):
        after = exported(api_client.get(url))
    assert len(after) > len(before)


# --- details, the feed and histories: constant too ------------------------------------------------------------------


def grow_related(organization, person, count: int = 10) -> None:
    """More of everything an organization's and a person's detail show, so a query per related row would show."""
    for number in range(count):
        document = DocumentFactory(kind="plan", number=f"{number}/KH", text="")
        organization.legal_basis.add(document)
        DutyFactory(organization=organization)
        CitationFactory(record=organization, document=document, quote=f"Trích dẫn {number}")
        AppointmentFactory(person=person, capacity=PostFactory(portfolio=PortfolioFactory()))
        CitationFactory(record=person, document=document, quote=f"Trích dẫn {number}")


def test_detail_query_counts_do_not_grow_with_related_rows(api_client, django_assert_num_queries):
    organization, person = OrganizationFactory(), PersonFactory()
    urls = [detail_url("organization", organization.slug), detail_url("person", person.slug)]
    grow_related(organization, person, count=1)
    for url in urls:
        api_client.get(url)  # warm process-wide caches
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get(url).status_code == 200
        counts.append(len(captured))
    grow_related(organization, person)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_num_queries(count):
            assert api_client.get(url).status_code == 200


def test_feed_and_history_query_counts_do_not_grow_with_entries(api_client, django_assert_num_queries):
    person = PersonFactory()
    history = action_url("person", "history", person.slug)
    feed_url = reverse(f"{NS}:changes")
    api_client.get(history, HTTP_CACHE_CONTROL=REBUILD)
    with CaptureQueriesContext(connection) as one_entry:
        api_client.get(history, HTTP_CACHE_CONTROL=REBUILD)
    with CaptureQueriesContext(connection) as small_page:
        api_client.get(feed_url, {"limit": 1}, HTTP_CACHE_CONTROL=REBUILD)
    for number in range(10):
        services.record_update(instance=person, changes={"family_name": f"Họ {number}"}, reason="more history")
    with django_assert_num_queries(len(one_entry)):
        assert len(api_client.get(history, HTTP_CACHE_CONTROL=REBUILD).json()["results"]) == 11
    with django_assert_num_queries(len(small_page)):
        assert len(api_client.get(feed_url, {"limit": 200}, HTTP_CACHE_CONTROL=REBUILD).json()["results"]) == 200
