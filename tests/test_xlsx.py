"""Excel exports: /api/v1/exports/<records>.xlsx opens in openpyxl with the list's rows, dates as date cells."""

import datetime
import io
import json

import pytest
from openpyxl import load_workbook

from registry.api import xlsx
from registry.models import Appointment, Organization, Person, Post
from tests.factories import AppointmentFactory, OrganizationFactory, PersonFactory, PostFactory
from tests.helpers import assert_error, list_url, results
from tests.test_csv import EXPORTS, export_url

pytestmark = pytest.mark.django_db


def sheet_of(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == xlsx.MEDIA_TYPE
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(book.worksheets) == 1
    return book.worksheets[0]


def records(sheet) -> list[dict]:
    header, *lines = sheet.iter_rows(values_only=True)
    return [dict(zip(header, line, strict=True)) for line in lines]


@pytest.mark.parametrize("basename, model", EXPORTS)
def test_a_workbook_of_every_row_named_after_its_records(api_client, basename, model):
    response = api_client.get(export_url(basename, "xlsx"), HTTP_ACCEPT="application/json")
    name = str(model._meta.verbose_name_plural)
    assert response["Content-Disposition"] == f'attachment; filename="{name}.xlsx"'
    sheet = sheet_of(response)
    assert sheet.title == name
    assert len(records(sheet)) == model.objects.count()


def test_the_rows_are_the_lists_rows_with_dates_as_date_cells(api_client):
    organization = OrganizationFactory(slug="xlsx-body", name="Ban Thử Excel")
    post = PostFactory(organization=organization, slug="xlsx-post", label="Trưởng ban", seats=3)
    capacity = PostFactory(slug="xlsx-capacity", label="Giám đốc")
    for day in (1, 2):
        AppointmentFactory(post=post, capacity=capacity, start_date=datetime.date(2024, 5, day))
    sheet = sheet_of(api_client.get(export_url("appointment", "xlsx"), {"organization": "xlsx-body"}))
    rows = records(sheet)
    listed = results(api_client.get(list_url("appointment"), {"organization": "xlsx-body"}))
    assert [row["id"] for row in rows] == [row["id"] for row in listed]
    assert {row["start_date"] for row in rows} == {datetime.datetime(2024, 5, 1), datetime.datetime(2024, 5, 2)}
    assert sheet.cell(row=2, column=list(rows[0]).index("start_date") + 1).is_date
    assert (rows[0]["capacity_slug"], rows[0]["capacity"]) == ("xlsx-capacity", "Giám đốc")
    assert (rows[0]["end_date"], rows[0]["leaves_vacant"]) == (None, False)
    posts = records(sheet_of(api_client.get(export_url("post", "xlsx"), {"organization": "xlsx-body"})))
    assert (posts[0]["seats"], posts[0]["vacant_seats"], posts[0]["unknown_seats"]) == (3, 0, 1)


def test_headers_are_vietnamese_when_accept_language_asks(api_client):
    sheet = sheet_of(api_client.get(export_url("organization", "xlsx"), HTTP_ACCEPT_LANGUAGE="vi-VN,vi;q=0.9"))
    header = next(sheet.iter_rows(values_only=True))
    assert header[:3] == ("Số thứ tự", "Mã", "Tên")
    assert "Cơ quan cấp trên (mã)" in header


def test_formula_text_is_a_text_cell_shown_as_it_is(api_client):
    PersonFactory(name="=HYPERLINK(1)", slug="formula", given_name="+84 28", family_name="-cmd")
    sheet = sheet_of(api_client.get(export_url("person", "xlsx"), {"q": "hyperlink"}))
    (row,) = list(sheet.iter_rows(min_row=2))
    cells = {sheet.cell(row=1, column=cell.column).value: cell for cell in row}
    for name, text in (("name", "=HYPERLINK(1)"), ("given_name", "+84 28"), ("family_name", "-cmd")):
        assert (cells[name].value, cells[name].data_type, cells[name].quotePrefix) == (text, "s", True)
    assert cells["slug"].quotePrefix is False


def test_characters_a_workbook_cannot_hold_are_left_out(api_client):
    PersonFactory(name="Người Lạ Thử", given_name="Lạ\x01Thử", slug="odd-name")
    sheet = sheet_of(api_client.get(export_url("person", "xlsx"), {"q": "nguoi la thu"}))
    assert [row["given_name"] for row in records(sheet)] == ["LạThử"]


def test_errors_stay_json(api_client):
    response = api_client.get(export_url("post", "xlsx"), {"as_of": "2024-13-01"})
    assert_error(response, 400, "as_of")


def test_models_cover_the_exports():
    assert {model for _, model in EXPORTS} == {Appointment, Organization, Person, Post}


def test_the_excel_renderer_answers_anything_but_a_workbook_as_json():
    """Never reached by the views (errors are switched to JSON before rendering); what it would send if it were."""
    assert json.loads(xlsx.XLSXRenderer().render({"detail": "Not found."})) == {"detail": "Not found."}


def test_head_answers_as_get_does(api_client):
    response = api_client.head(export_url("organization", "xlsx"))
    assert (response.status_code, response["Content-Type"]) == (200, xlsx.MEDIA_TYPE)
