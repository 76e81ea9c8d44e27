"""CSV for spreadsheets: Accept: text/csv or ?format=csv on four lists, every row, the same filters, a BOM."""

import csv
import datetime
import io

import pytest
import yaml
from django.conf import settings

from registry.models import Appointment, Organization, Person, Post
from tests.factories import AppointmentFactory, OrganizationFactory, PersonFactory, PostFactory
from tests.helpers import assert_error, detail_url, list_url

pytestmark = pytest.mark.django_db

BOM = "\ufeff".encode()


def read(response) -> tuple[bytes, list[dict]]:
    assert response.status_code == 200, response.content
    assert response.streaming
    raw = b"".join(response.streaming_content)
    return raw, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    "basename, model",
    [("person", Person), ("organization", Organization), ("post", Post), ("appointment", Appointment)],
)
def test_every_row_with_a_bom_by_accept_header_and_by_format(api_client, basename, model):
    by_header = api_client.get(list_url(basename), HTTP_ACCEPT="text/csv")
    assert by_header["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in by_header["Content-Disposition"]
    raw, rows = read(by_header)
    assert raw.startswith(BOM)
    assert not raw[len(BOM) :].startswith(BOM)
    assert len(rows) == model.objects.count()  # all rows, not a page
    assert read(api_client.get(list_url(basename), {"format": "csv"}))[0] == raw


def test_more_rows_than_the_largest_page(api_client):
    for _ in range(210):
        PersonFactory()
    _, rows = read(api_client.get(list_url("person"), {"format": "csv"}))
    assert len(rows) == Person.objects.count() > 200


def test_vietnamese_text_is_intact(api_client):
    person = PersonFactory(name="Nguyễn Thị Ánh Hồng", family_name="Nguyễn")
    raw, rows = read(api_client.get(list_url("person"), {"format": "csv", "q": "nguyen thi anh hong"}))
    assert [row["name"] for row in rows] == ["Nguyễn Thị Ánh Hồng"]
    assert "Nguyễn Thị Ánh Hồng".encode() in raw
    assert rows[0]["slug"] == person.slug
    # As Excel reads it: UTF-8 because of the BOM, then the text as written (NFC).
    assert raw.decode("utf-8").lstrip("\ufeff").splitlines()[0].startswith("id,slug,name")


def test_filters_apply_as_in_json(api_client):
    organization = OrganizationFactory(slug="csv-body", name="Ban Thử CSV")
    post = PostFactory(organization=organization, seats=2)
    old = AppointmentFactory(
        post=post,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 12, 31),
        end_date_precision="exact",
    )
    new = AppointmentFactory(post=post, start_date=datetime.date(2023, 1, 1))
    _, rows = read(api_client.get(list_url("appointment"), {"format": "csv", "organization": "csv-body"}))
    assert sorted(int(row["id"]) for row in rows) == sorted([old.pk, new.pk])
    params = {"format": "csv", "organization": "csv-body", "as_of": "2020-06-01"}
    _, rows = read(api_client.get(list_url("appointment"), params))
    assert [int(row["id"]) for row in rows] == [old.pk]
    assert rows[0]["organization_name"] == "Ban Thử CSV"
    _, posts = read(
        api_client.get(list_url("post"), {"format": "csv", "organization": "csv-body", "as_of": "2020-06-01"})
    )
    assert [row["holders"] for row in posts] == [old.person.name]
    assert (posts[0]["vacant_seats"], posts[0]["unknown_seats"]) == ("0", "1")
    # The other seat's next known holder is the appointment of 2023 (the one of 2020 still holds that day).
    assert (posts[0]["next_known"], posts[0]["next_known_start_date"]) == (new.person.slug, "2023-01-01")
    json_rows = api_client.get(list_url("appointment"), {"organization": "csv-body", "as_of": "2020-06-01"}).json()
    assert [row["id"] for row in json_rows["results"]] == [old.pk]


def test_formula_cells_are_neutralised(api_client):
    PersonFactory(name="=HYPERLINK(1)", slug="formula")
    _, rows = read(api_client.get(list_url("person"), {"format": "csv", "q": "hyperlink"}))
    assert rows[0]["name"] == "'=HYPERLINK(1)"


def test_errors_stay_json(api_client):
    response = api_client.get(list_url("appointment"), {"format": "csv", "as_of": "not-a-date"})
    assert_error(response, 400, "as_of")
    assert response["Content-Type"].startswith("application/json")


def test_detail_has_no_csv(api_client):
    person = Person.objects.first()
    assert api_client.get(detail_url("person", person.slug), {"format": "csv"}).status_code == 404


def test_csv_is_in_the_schema():
    schema = yaml.safe_load((settings.BASE_DIR / "openapi.yaml").read_text())
    for path in ("/api/v1/people/", "/api/v1/organizations/", "/api/v1/posts/", "/api/v1/appointments/"):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert content["text/csv"]["schema"]["type"] == "string"
        assert "text/csv" not in schema["paths"][path]["get"]["responses"]["400"]["content"]
    assert "text/csv" not in schema["paths"]["/api/v1/documents/"]["get"]["responses"]["200"]["content"]


@pytest.mark.parametrize("param, value", [("page", "false"), ("page_size", "0"), ("page", "-1")])
def test_paging_parameters_are_checked_even_though_every_row_is_sent(api_client, param, value):
    """The fuzzer's finding: `?format=csv&page=false` was accepted because nothing is paged."""
    response = api_client.get(list_url("organization"), {"format": "csv", param: value})
    assert_error(response, 400, param)
