"""Query parameters are what the schema says: an empty value or a flag other than true/false is a 400 naming the
parameter and the rule, never "no filter" (which would silently answer a different question)."""

import pytest

from tests.helpers import assert_error, list_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("basename", "parameter"),
    [("post", "as_of"), ("organization", "exists_on"), ("person", "identifier"), ("appointment", "as_of")],
)
def test_an_empty_value_is_refused_not_read_as_no_filter(api_client, basename, parameter):
    body = assert_error(api_client.get(list_url(basename), {parameter: ""}), 400, parameter)
    (error,) = [error for error in body["errors"] if error["field"] == parameter]
    assert error["code"] == "empty"
    assert error["message"] == "Give a value or leave it out."


@pytest.mark.parametrize("value", ["yes", "1", "True", "null"])
def test_a_flag_is_true_or_false_only(api_client, value):
    body = assert_error(api_client.get(list_url("post"), {"standing": value}), 400, "standing")
    (error,) = body["errors"]
    assert (error["code"], error["message"]) == ("invalid", "Expected true or false.")


def test_a_flag_filters_both_ways(api_client):
    standing = {
        row["slug"]
        for row in api_client.get(list_url("post"), {"standing": "true", "page_size": 500}).json()["results"]
    }
    others = {
        row["slug"]
        for row in api_client.get(list_url("post"), {"standing": "false", "page_size": 500}).json()["results"]
    }
    assert standing and others and not standing & others
