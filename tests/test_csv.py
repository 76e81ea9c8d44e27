"""CSV exports: /api/v1/exports/<records>.csv, every row, the list's filters, a BOM, slug and label columns."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from registry.models import Appointment, Organization, Person, Post
from tests.factories import AppointmentFactory, OrganizationFactory, PersonFactory, PostFactory
from tests.helpers import NS, assert_error, detail_url, list_url

pytestmark = pytest.mark.django_db

BOM = "\ufeff".encode()
EXPORTS = [("person", Person), ("organization", Organization), ("post", Post), ("appointment", Appointment)]


def export_url(basename: str, extension: str = "csv") -> str:
    return reverse(f"{NS}:{basename}-export-{extension}")


def read(response) -> tuple[bytes, list[dict]]:
    assert response.status_code == 200, response.content
    assert response.streaming
    raw = b"".join(response.streaming_content)
    return raw, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.mark.parametrize("basename, model", EXPORTS)
def test_every_row_with_a_bom_whatever_accept_says(api_client, basename, model):
    response = api_client.get(export_url(basename))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw, rows = read(response)
    assert raw.startswith(BOM)
    assert not raw[len(BOM) :].startswith(BOM)
    assert len(rows) == model.objects.count()  # all rows, not a page
    # The address names the format: a client that asks for JSON (or anything) still gets the file.
    assert read(api_client.get(export_url(basename), HTTP_ACCEPT="application/json"))[0] == raw


@pytest.mark.parametrize("basename, _", EXPORTS)
def test_the_old_csv_request_on_the_list_is_redirected_to_the_export(api_client, basename, _):
    by_format = api_client.get(list_url(basename), {"format": "csv", "q": "x y"})
    assert by_format.status_code == 308
    assert by_format["Location"] == export_url(basename) + "?q=x+y"
    by_header = api_client.get(list_url(basename), HTTP_ACCEPT="text/csv")
    assert (by_header.status_code, by_header["Location"]) == (308, export_url(basename))
    followed = api_client.get(list_url(basename), {"format": "csv"}, HTTP_ACCEPT="text/csv", follow=True)
    assert read(followed)[1]
    # The JSON list is JSON only.
    assert api_client.get(list_url(basename))["Content-Type"] == "application/json"


def test_more_rows_than_the_largest_page(api_client):
    for _ in range(210):
        PersonFactory()
    _, rows = read(api_client.get(export_url("person")))
    assert len(rows) == Person.objects.count() > 200


def test_vietnamese_text_is_intact(api_client):
    person = PersonFactory(name="Nguyễn Thị Ánh Hồng", family_name="Nguyễn")
    raw, rows = read(api_client.get(export_url("person"), {"q": "nguyen thi anh hong"}))
    assert [row["name"] for row in rows] == ["Nguyễn Thị Ánh Hồng"]
    assert "Nguyễn Thị Ánh Hồng".encode() in raw
    assert rows[0]["slug"] == person.slug
    # As Excel reads it: UTF-8 because of the BOM, then the text as written (NFC).
    assert raw.decode("utf-8").lstrip("\ufeff").splitlines()[0].startswith("id,slug,name")


def test_headers_are_vietnamese_when_accept_language_asks(api_client):
    english = api_client.get(export_url("appointment"), {"person": "bui-thanh-son"})
    vietnamese = api_client.get(export_url("appointment"), {"person": "bui-thanh-son"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert (english["Content-Language"], vietnamese["Content-Language"]) == ("en", "vi")
    assert "Accept-Language" in vietnamese["Vary"]
    _, rows_en = read(english)
    _, rows_vi = read(vietnamese)
    assert list(rows_en[0])[:3] == ["id", "person_slug", "person"]
    assert list(rows_vi[0])[:3] == ["Số thứ tự", "Người (mã)", "Người"]
    assert [list(row.values()) for row in rows_en] == [list(row.values()) for row in rows_vi]
    # The validators differ by language, so a cached English file is never served for Vietnamese.
    assert english["ETag"] != vietnamese["ETag"]
    regional = api_client.get(export_url("person"), HTTP_ACCEPT_LANGUAGE="fr, vi-VN;q=0.8, en;q=0.5")
    assert regional["Content-Language"] == "vi"
    assert api_client.get(export_url("person"), HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "en"


def test_related_records_are_slug_and_label_columns(api_client):
    organization = OrganizationFactory(slug="csv-body", name="Ban Thử CSV")
    post = PostFactory(organization=organization, slug="csv-post", label="Trưởng ban", seats=2)
    capacity = PostFactory(slug="csv-capacity", label="Giám đốc")
    by_office = AppointmentFactory(post=post, capacity=capacity, start_date=datetime.date(2021, 3, 4))
    _, rows = read(api_client.get(export_url("appointment"), {"organization": "csv-body"}))
    assert len(rows) == 1
    row = rows[0]
    assert "capacity_id" not in row and "post_id" not in row
    assert (row["post_slug"], row["post"]) == ("csv-post", "Trưởng ban")
    assert (row["capacity_slug"], row["capacity"]) == ("csv-capacity", "Giám đốc")
    assert (row["organization_slug"], row["organization"]) == ("csv-body", "Ban Thử CSV")
    assert (row["person_slug"], row["person"]) == (by_office.person.slug, by_office.person.name)
    assert (row["start_date"], row["end_date"], row["leaves_vacant"]) == ("2021-03-04", "", "false")
    without = AppointmentFactory(post=post)
    _, rows = read(api_client.get(export_url("appointment"), {"person": without.person.slug}))
    assert (rows[0]["capacity_slug"], rows[0]["capacity"]) == ("", "")


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
    _, rows = read(api_client.get(export_url("appointment"), {"organization": "csv-body"}))
    assert sorted(int(row["id"]) for row in rows) == sorted([old.pk, new.pk])
    params = {"organization": "csv-body", "as_of": "2020-06-01"}
    _, rows = read(api_client.get(export_url("appointment"), params))
    assert [int(row["id"]) for row in rows] == [old.pk]
    assert rows[0]["organization"] == "Ban Thử CSV"
    _, posts = read(api_client.get(export_url("post"), params))
    assert [row["holders"] for row in posts] == [old.person.name]
    assert (posts[0]["vacant_seats"], posts[0]["unknown_seats"]) == ("0", "1")
    # The other seat's next known holder is the appointment of 2023 (the one of 2020 still holds that day).
    assert (posts[0]["next_known_slug"], posts[0]["next_known"]) == (new.person.slug, new.person.name)
    assert posts[0]["next_known_start_date"] == "2023-01-01"
    json_rows = api_client.get(list_url("appointment"), params).json()
    assert [row["id"] for row in json_rows["results"]] == [old.pk]


def test_formula_cells_are_neutralised(api_client):
    PersonFactory(name="=HYPERLINK(1)", slug="formula")
    _, rows = read(api_client.get(export_url("person"), {"q": "hyperlink"}))
    assert rows[0]["name"] == "'=HYPERLINK(1)"


def test_errors_stay_json(api_client):
    response = api_client.get(export_url("appointment"), {"as_of": "not-a-date"})
    assert_error(response, 400, "as_of")
    assert response["Content-Type"].startswith("application/json")


def test_with_anonymous_reading_off_an_export_needs_credentials(settings, api_client, editor_client):
    settings.REGISTRY_ANONYMOUS_READ = False
    assert_error(api_client.get(export_url("person")), 401)
    assert read(editor_client.get(export_url("person")))[1]


def test_detail_has_no_csv(api_client):
    person = Person.objects.first()
    assert api_client.get(detail_url("person", person.slug), {"format": "csv"}).status_code == 404
