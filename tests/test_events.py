"""Events (Popolo's Event): the three seeded conferences through the API, Popolo, the admin and the model's rules.

Every test sees the seeded registry (tests/conftest.py).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from registry import services
from registry.interop import popolo
from registry.models import Appointment, EventAppearance
from registry.text import comparable
from tests.factories import AppearanceFactory, AppointmentFactory, CitationFactory, EventFactory, OrganizationFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

API = "/api/v1"
APRIL_2023 = "hoi-nghi-ky-ket-quy-che-phoi-hop-2023-04-26"
DECEMBER_2024 = "hoi-nghi-tong-ket-5-nam-cong-tac-doi-ngoai-2020-2025"
DECEMBER_2025 = "hoi-nghi-tong-ket-cong-tac-nam-2025-so-ngoai-vu"
#: count, page (+ the organisers' prefetch); with every collection, one more query each.
LIST_QUERIES = 3
EXPANDED_LIST_QUERIES = ("appearances,sources", 6)  # + appearances (+appointments), their sources, the event's sources
VALIDATORS = 1  # registry/http/caching.py: the change counter, first on every read


def event(client, slug: str) -> dict:
    response = client.get(f"{API}/events/{slug}/")
    assert response.status_code == 200, response.content
    return response.json()


def organizers(body: dict) -> set[str]:
    return {organizer["slug"] for organizer in body["organizers"]}


def shown(body: dict) -> set[tuple[str, str]]:
    """(person, post label) for each appearance."""
    return {(a["person"]["slug"], a["appointment"]["name"].split(" – ")[1].split(",")[0]) for a in body["appearances"]}


def test_the_three_conferences_are_listed_in_date_order(client):
    rows = client.get(f"{API}/events/").json()["results"]
    assert [(row["slug"], row["start_date"], row["start_date_precision"]) for row in rows] == [
        (APRIL_2023, "2023-04-26", "exact"),
        (DECEMBER_2024, "2024-12-13", "inferred"),  # "Sáng 13-12", the year inferred
        (DECEMBER_2025, "2025-12-22", "exact"),
    ]
    assert all(row["classification"] == "conference" for row in rows)
    assert "appearances" not in rows[0] and "sources" not in rows[0]  # a list shows them on ?expand=


def test_the_city_party_committee_co_organised_the_2023_conference(client):
    body = event(client, APRIL_2023)
    assert organizers(body) == {"thanh-uy-tp-hcm", "ban-can-su-dang-bo-ngoai-giao"}
    (stated,) = [comparable(s["quote"]) for s in body["sources"] if s["field"] == "organizers"]
    assert "Thành ủy TP.HCM phối hợp với Ban cán sự đảng Bộ Ngoại giao tổ chức hội nghị" in stated
    assert shown(body) == {("phan-van-mai", "Chủ tịch")}


def test_the_2024_review_was_organised_by_the_peoples_committee(client):
    body = event(client, DECEMBER_2024)
    assert organizers(body) == {"ubnd-tp-hcm"}
    assert shown(body) == {
        ("bui-thanh-son", "Bộ trưởng"),
        ("bui-thanh-son", "Phó Thủ tướng"),
        ("bui-thanh-son", "Ủy viên Trung ương Đảng"),
        ("phan-van-mai", "Chủ tịch"),
    }
    for appearance in body["appearances"]:
        (source,) = appearance["sources"]
        assert source["quote"].startswith("Tham dự hội nghị có đồng chí Bùi Thanh Sơn")


def test_the_2025_review_was_organised_by_the_department(client):
    body = event(client, DECEMBER_2025)
    assert organizers(body) == {"so-ngoai-vu-tp-hcm"}
    assert shown(body) == {("nguyen-loc-ha", "Phó Chủ tịch Thường trực"), ("ngo-le-van", "Thứ trưởng")}


def test_an_attested_date_points_to_the_event_that_shows_it(client):
    deputy = Appointment.objects.get(person__slug="ngo-le-van", post__slug="bo-ngoai-giao-thu-truong")
    assert (deputy.start_date, deputy.start_date_precision) == (datetime.date(2025, 12, 22), "attested")
    rows = client.get(f"{API}/events/", {"appointment": deputy.pk}).json()["results"]
    assert [(row["slug"], row["start_date"]) for row in rows] == [(DECEMBER_2025, "2025-12-22")]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"organizer": "ubnd-tp-hcm"}, [DECEMBER_2024]),
        ({"person": "phan-van-mai"}, [APRIL_2023, DECEMBER_2024]),
        ({"q": "tong ket"}, [DECEMBER_2024, DECEMBER_2025]),
        ({"start_date_from": "2024-01-01", "start_date_to": "2024-12-31"}, [DECEMBER_2024]),
    ],
)
def test_filters(client, params, expected):
    rows = client.get(f"{API}/events/", params).json()["results"]
    assert sorted(row["slug"] for row in rows) == sorted(expected)


@pytest.mark.parametrize(
    ("params", "field"), [({"organizer": "nope"}, "organizer"), ({"appointment": "999999"}, "appointment")]
)
def test_an_unknown_filter_value_is_a_400_naming_it(client, params, field):
    response = client.get(f"{API}/events/", params)
    assert response.status_code == 400
    assert field in response.json()["errors"][0]["field"] or field in str(response.json())


def make_events(count: int = 20) -> None:
    """Events with every relation the list renders, so a query per row would show."""
    for index in range(count):
        held = EventFactory(start_date=datetime.date(2024, 1, 1))
        held.organizers.add(OrganizationFactory(), OrganizationFactory())
        appearance = AppearanceFactory(event=held, appointment=AppointmentFactory(start_date=datetime.date(2024, 1, 1)))
        document = CitationFactory(record=held, quote=f"Hội nghị {index}").document
        CitationFactory(record=appearance, document=document, quote=f"Tham dự {index}")


@pytest.mark.parametrize(("expand", "expected"), [(None, LIST_QUERIES), EXPANDED_LIST_QUERIES])
def test_list_query_count_does_not_grow_with_rows(
    api_client, django_assert_num_queries, django_assert_max_num_queries, expand, expected
):
    make_events()
    params = {"expand": expand} if expand else {}
    api_client.get(f"{API}/events/", params)
    with django_assert_max_num_queries(expected + VALIDATORS):
        api_client.get(f"{API}/events/", {"page_size": 1, **params})
    with django_assert_num_queries(expected + VALIDATORS):
        large = api_client.get(f"{API}/events/", {"page_size": 200, **params}).json()["results"]
    assert len(large) >= 20


def test_detail_query_count_does_not_grow_with_appearances(api_client, django_assert_num_queries):
    held = EventFactory(slug="dem-truy-van")
    held.organizers.add(OrganizationFactory())
    AppearanceFactory(event=held, appointment=AppointmentFactory(start_date=datetime.date(2024, 1, 1)))
    url = f"{API}/events/{held.slug}/"
    api_client.get(url)
    with django_assert_num_queries(5 + VALIDATORS):  # event, organisers, appearances, their sources, sources
        before = api_client.get(url, HTTP_CACHE_CONTROL="no-cache").json()
    for _ in range(10):
        AppearanceFactory(event=held, appointment=AppointmentFactory(start_date=datetime.date(2024, 1, 1)))
    with django_assert_num_queries(5 + VALIDATORS):
        after = api_client.get(url, HTTP_CACHE_CONTROL="no-cache").json()
    assert (len(before["appearances"]), len(after["appearances"])) == (1, 11)


def test_an_appearance_needs_the_appointment_in_effect_on_the_events_day():
    held = EventFactory(start_date=datetime.date(2024, 6, 1))
    later = AppointmentFactory(start_date=datetime.date(2024, 7, 1))
    with pytest.raises(ValidationError) as refused:
        services.record_create(model=EventAppearance, values={"event": held, "appointment": later})
    assert "not in effect on the event's day (2024-06-01)" in str(refused.value.message_dict["appointment"])


def test_an_appearance_is_recorded_once_per_event():
    appearance = AppearanceFactory(appointment=AppointmentFactory(start_date=datetime.date(2024, 1, 1)))
    with pytest.raises(ValidationError):
        services.record_create(
            model=EventAppearance, values={"event": appearance.event, "appointment": appearance.appointment}
        )


def test_popolo_exports_the_events_and_they_validate():
    document = popolo.export()
    assert popolo.validate(document) == []
    events = {item["id"]: item for item in document["events"]}
    assert set(events) == {f"event/{slug}" for slug in (APRIL_2023, DECEMBER_2024, DECEMBER_2025)}
    april = events[f"event/{APRIL_2023}"]
    assert april["organization_id"] == "organization/ban-can-su-dang-bo-ngoai-giao"  # the first, by slug
    assert april["organization_ids"] == ["organization/ban-can-su-dang-bo-ngoai-giao", "organization/thanh-uy-tp-hcm"]
    assert april["start_date"] == "2023-04-26" and april["start_date_precision"] == "exact"
    assert april["appearances"][0]["membership_id"] == "membership/phan-van-mai/ubnd-tp-hcm-chu-tich/2023-04-26"
    assert [e["id"] for e in popolo.export(datetime.date(2024, 12, 31))["events"]] == [
        f"event/{APRIL_2023}",
        f"event/{DECEMBER_2024}",
    ]


def test_the_admin_lists_and_opens_an_event(admin_client):
    assert admin_client.get("/admin/registry/event/").status_code == 200
    held = EventFactory()
    page = admin_client.get(f"/admin/registry/event/{held.pk}/change/")
    assert page.status_code == 200
    assert held.name in page.content.decode()


@pytest.mark.parametrize("parameter", ["start_date_from", "start_date_to"])
def test_an_empty_date_is_refused_naming_it(api_client, parameter):
    body = assert_error(api_client.get(f"{API}/events/", {parameter: ""}), 400, parameter)
    assert "Give a value" in str(body)
