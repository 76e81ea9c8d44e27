"""One way to write a day, everywhere: ISO 8601 YYYY-MM-DD (registry.days.parse_day). Python's own parser also reads
20250101 and Django's forms read 01/01/2025, so each entry point would have its own set; every query parameter and
body field that is a day refuses all but YYYY-MM-DD with a 400 naming the parameter and the rule."""

import datetime

import pytest
from django.urls import reverse

from registry.days import DAY_RULE, parse_day
from registry.models import Appointment
from tests.helpers import COMMITTEE, NS, assert_error, detail_url, list_url, seeded_post
from tests.resources import appointment_payload

NOT_ISO = [
    "20250101",
    "2025-1-1",
    "01/01/2025",
    "2025-W01-3",
    "2025-001",
    "2025-01-01T00:00",
    " 2025-01-01",
    "２０２５-01-01",
]


# -- the parser -------------------------------------------------------------------------------------------------------


def test_the_parser_reads_yyyy_mm_dd():
    assert parse_day("2025-01-31") == datetime.date(2025, 1, 31)


@pytest.mark.parametrize("value", NOT_ISO)
def test_the_parser_refuses_every_other_form_saying_the_rule(value):
    with pytest.raises(ValueError) as refused:
        parse_day(value)
    assert DAY_RULE in str(refused.value)


def test_a_well_formed_day_not_in_the_calendar_is_refused():
    with pytest.raises(ValueError, match="not a day of the calendar"):
        parse_day("2025-02-30")


# -- every query parameter that is a day -------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db

#: (URL, the day parameter) for every list and view that takes a day.
DAY_PARAMETERS = [
    (list_url("person"), "as_of"),
    (list_url("appointment"), "as_of"),
    (list_url("relationship"), "as_of"),
    (list_url("post"), "as_of"),
    (list_url("post"), "exists_on"),
    (list_url("organization"), "exists_on"),
    (list_url("event"), "start_date_from"),
    (list_url("event"), "start_date_to"),
    (reverse(f"{NS}:organization-chart", args=[COMMITTEE]), "as_of"),
    (reverse(f"{NS}:export-popolo"), "as_of"),
]
IDS = [f"{url.removeprefix('/api/v1/')}?{parameter}" for url, parameter in DAY_PARAMETERS]


@pytest.mark.parametrize(("url", "parameter"), DAY_PARAMETERS, ids=IDS)
@pytest.mark.parametrize("value", ["20250101", "01/01/2025", "2025-02-30"])
def test_a_day_not_written_yyyy_mm_dd_is_a_400_naming_the_parameter(api_client, url, parameter, value):
    body = assert_error(api_client.get(url, {parameter: value}), 400, parameter)
    (error,) = [error for error in body["errors"] if error["field"] == parameter]
    assert error["code"] == "invalid"
    assert "YYYY-MM-DD" in error["message"]


@pytest.mark.parametrize(("url", "parameter"), DAY_PARAMETERS, ids=IDS)
def test_an_iso_day_is_accepted(api_client, url, parameter):
    response = api_client.get(url, {parameter: "2025-01-01"})
    assert response.status_code == 200, response.content[:500]


def test_a_post_detail_takes_only_an_iso_as_of(api_client):
    url = detail_url("post", seeded_post("so-noi-vu-tp-hcm-giam-doc").pk)
    assert_error(api_client.get(url, {"as_of": "20250101"}), 400, "as_of")
    assert api_client.get(url, {"as_of": "2025-01-01"}).status_code == 200


# -- body fields that are days ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["20240201", "02/01/2024"])
def test_a_body_day_not_written_yyyy_mm_dd_is_a_400_and_nothing_is_written(editor_client, value):
    before = Appointment.objects.count()
    payload = {**appointment_payload(), "start_date": value}
    body = assert_error(editor_client.post(list_url("appointment"), payload, format="json"), 400, "start_date")
    (error,) = [error for error in body["errors"] if error["field"] == "start_date"]
    assert "YYYY-MM-DD" in error["message"]
    assert Appointment.objects.count() == before


def test_a_body_day_written_yyyy_mm_dd_is_accepted(editor_client):
    response = editor_client.post(list_url("appointment"), appointment_payload(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["start_date"] == "2024-02-01"
