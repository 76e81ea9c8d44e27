"""The API's plumbing, piece by piece: rate limits (registry/api/throttling.py), the one error handler
(exceptions.py), capped counts (pagination.py), the JSON parser (parsers.py), strict JSON fields (strict.py), API keys
(authentication.py), read permissions (permissions.py), CSV (csv.py), the webhook and Popolo endpoints (standards.py)
and the edges of HTTP caching's counter (registry/http/caching.py).

The end-to-end behaviour is in tests/test_throttling.py, test_api_edges.py, test_api_input.py, test_csv.py,
test_permissions.py and test_http_caching.py; these tests drive each branch directly, or through the API where only
the stack shows it.
Every test that touches the database sees the seeded registry (tests/conftest.py).
"""

import csv
import datetime
import io
import json
import uuid
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission, User
from django.core.cache import cache as django_cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import call_command
from django.core.paginator import EmptyPage
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse
from django.utils.http import http_date
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError
from rest_framework.request import Request
from rest_framework.test import APIClient

from registry import services
from registry.api import throttling
from registry.api.authentication import SystemKeyAuthentication
from registry.api.csv import COLUMNS, CSVRenderer, cell
from registry.api.exceptions import (
    exception_handler,
    flatten_errors,
)
from registry.api.pagination import COUNT_EXACT_HEADER, CappedCountPaginator, OpenPage, RegistryPagination
from registry.api.parsers import MAX_DEPTH, RegistryJSONParser, nesting_depth
from registry.api.permissions import anonymous_may_read
from registry.api.strict import (
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictIntegerField,
    StrictSlugField,
)
from registry.api.throttling import Window, client_ip, document_rate_limit_headers, hit, parse_rate, remember
from registry.changes import revision
from registry.http import caching
from registry.http.errors import json_bad_request, json_page_not_found, json_server_error
from registry.models import (
    Appointment,
    Identifier,
    Organization,
    OtherName,
    Person,
    Portfolio,
    Post,
    RegistryRevision,
    SystemKey,
    WebhookEndpoint,
)
from registry.services import PreconditionFailed
from tests.factories import OrganizationFactory, PersonFactory, PortfolioFactory
from tests.helpers import action_url, assert_error, list_url

SECRET = "a-shared-secret-of-at-least-32-characters"

# --- rate limits -----------------------------------------------------------------------------------------------------


@pytest.fixture
def rates(settings):
    """Set the throttle rates for one test, with fresh counters."""

    def set_rates(**rates):
        base = {"anon": "100000/minute", "user": "100000/minute", "auth_failure": "100000/minute"}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**base, **rates}}

    django_cache.clear()
    yield set_rates
    django_cache.clear()


@pytest.mark.parametrize(
    "num_proxies, forwarded, expected",
    [
        (0, "203.0.113.7", "10.9.9.9"),  # no trusted proxy: the header is the client's own words
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (3, "203.0.113.7,10.0.0.2", "203.0.113.7"),  # fewer hops than proxies: the first one listed
        (1, " , ,", "10.9.9.9"),  # nothing usable in it
        (1, None, "10.9.9.9"),
    ],
)
def test_the_client_address_is_the_one_the_outermost_trusted_proxy_saw(settings, num_proxies, forwarded, expected):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    meta = {"REMOTE_ADDR": "10.9.9.9"} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    request = RequestFactory().get("/", **meta)
    assert client_ip(request) == expected
    assert client_ip(Request(request)) == expected  # DRF's request: the same answer


@pytest.mark.parametrize(
    "rate, parsed",
    [("10/minute", (10, 60)), ("5/s", (5, 1)), ("100/hour", (100, 3600)), ("3/day", (3, 86400)), ("7/ m", (7, 60))],
)
def test_a_rate_is_a_number_per_period(rate, parsed):
    assert parse_rate(rate) == parsed


def fresh_key() -> str:
    return f"throttle:test:{uuid.uuid4().hex}"


def test_a_window_counts_each_request_and_peeking_counts_none():
    key = fresh_key()
    assert hit(key, 2, 60, peek=True).count == 0
    windows = [hit(key, 2, 60) for _ in range(3)]
    assert [window.count for window in windows] == [1, 2, 3]
    assert [window.allowed for window in windows] == [True, True, False]
    assert [window.remaining for window in windows] == [1, 0, 0]
    assert all(0 < window.reset <= 60 for window in windows)
    assert hit(key, 2, 60, peek=True).count == 3


class UnreachableCache:
    """A cache whose server is down: every call fails."""

    def __init__(self):
        self.calls = 0

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            self.calls += 1
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return fail


def test_an_unreachable_cache_lets_the_request_through_and_says_so(monkeypatch, caplog):
    down = UnreachableCache()
    monkeypatch.setattr(throttling, "cache", down)
    assert hit(fresh_key(), 1, 60) is None
    assert hit(fresh_key(), 1, 60, peek=True) is None
    assert down.calls == 2
    assert "rate-limit cache unreachable: request let through" in caplog.text


@pytest.mark.django_db
def test_with_the_cache_down_the_api_answers_without_rate_limit_headers(rates, monkeypatch, api_client):
    rates(anon="1/minute")
    down = UnreachableCache()
    monkeypatch.setattr(throttling, "cache", down)
    responses = [api_client.get(list_url("portfolio")) for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert down.calls >= 3
    assert not any(response.has_header("RateLimit-Limit") for response in responses)


class WindowEndsBetweenAddAndIncr:
    """The real cache, except that the counter expires just before the first ``times`` increments."""

    def __init__(self, times: int):
        self.times, self.expired = times, 0

    def __getattr__(self, name):
        return getattr(django_cache, name)

    def incr(self, key):
        if self.expired < self.times:
            self.expired += 1
            django_cache.delete(key)  # the window's end, between add() and incr()
        return django_cache.incr(key)


def test_a_window_that_ends_mid_count_starts_a_new_one(monkeypatch):
    racing = WindowEndsBetweenAddAndIncr(times=1)
    monkeypatch.setattr(throttling, "cache", racing)
    window = hit(fresh_key(), 5, 60)
    assert racing.expired == 1
    assert window.count == 1
    assert window.allowed


def test_a_window_that_keeps_ending_lets_the_request_through_and_says_so(monkeypatch, caplog):
    racing = WindowEndsBetweenAddAndIncr(times=3)
    monkeypatch.setattr(throttling, "cache", racing)
    assert hit(fresh_key(), 5, 60) is None
    assert racing.expired == 3
    assert "kept ending mid-count: request let through" in caplog.text


def test_the_tightest_window_of_a_request_is_the_one_remembered():
    request = SimpleNamespace()
    remember(request, None)
    assert not hasattr(request, "rate_limit_window")
    loose, tight = Window(limit=100, count=1, reset=30), Window(limit=5, count=4, reset=10)
    remember(request, loose)
    remember(request, tight)
    assert request.rate_limit_window is tight
    remember(request, loose)
    assert request.rate_limit_window is tight
    longer = Window(limit=5, count=4, reset=50)  # as few left, but longer to wait: that is the one to report
    remember(request, longer)
    assert request.rate_limit_window is longer
    remember(request, None)
    assert request.rate_limit_window is longer


def test_a_window_allows_up_to_its_limit_and_never_reports_less_than_nothing_left():
    assert Window(limit=3, count=3, reset=5).allowed
    assert not Window(limit=3, count=4, reset=5).allowed
    assert Window(limit=3, count=9, reset=5).remaining == 0


@pytest.mark.django_db
def test_signed_in_clients_are_limited_per_account_and_not_by_the_anonymous_rate(rates, editor, django_user_model):
    rates(anon="1/minute", user="2/minute")
    client = APIClient()
    client.force_authenticate(editor)
    responses = [client.get(list_url("portfolio")) for _ in range(3)]
    assert [response.status_code for response in responses] == [200, 200, 429]
    assert [response["RateLimit-Limit"] for response in responses] == ["2", "2", "2"]
    assert_error(responses[-1], 429)
    # Another account from the same address has its own window.
    other = APIClient()
    other.force_authenticate(django_user_model.objects.create_user("other-account"))
    assert other.get(list_url("portfolio")).status_code == 200


def test_every_429_in_the_schema_names_the_rate_limit_headers():
    schema = {
        "paths": {
            "/api/v1/people/": {
                "get": {"responses": {"200": {"description": "ok"}, "429": {"description": "throttled"}}},
                "parameters": [{"name": "slug", "in": "path"}],  # not an operation
            },
            "/api/v1/schema/": {"get": {"responses": {"200": {"description": "ok"}}}},
        }
    }
    result = document_rate_limit_headers(schema, None, None, True)
    names = {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"}
    assert set(result["components"]["headers"]) == names
    assert all(
        header["schema"] == {"type": "integer", "minimum": 0} for header in result["components"]["headers"].values()
    )
    throttled = result["paths"]["/api/v1/people/"]["get"]["responses"]["429"]
    assert throttled["headers"] == {name: {"$ref": f"#/components/headers/{name}"} for name in names}
    assert "headers" not in result["paths"]["/api/v1/people/"]["get"]["responses"]["200"]
    assert "headers" not in result["paths"]["/api/v1/schema/"]["get"]["responses"]["200"]


# --- the one error handler -------------------------------------------------------------------------------------------


def handled(exc):
    response = exception_handler(exc, {})
    assert response is not None
    assert set(response.data) == {"status", "code", "detail", "errors"}
    assert response.data["status"] == response.status_code
    return response


@pytest.mark.parametrize(
    "make, status, code",
    [
        (lambda: RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE."), 413, "too_large"),
        (lambda: OperationalError("server closed the connection"), 503, "unavailable"),
        (lambda: InterfaceError("connection already closed"), 503, "unavailable"),
        (lambda: DjangoPermissionDenied("not yours"), 403, "permission_denied"),
        (lambda: Http404(), 404, "not_found"),
        (lambda: IntegrityError("duplicate key value violates unique constraint"), 409, "integrity"),
        (lambda: DjangoValidationError({"end_date": ["Ends before it starts."]}), 400, "invalid"),
    ],
    ids=["too large", "operational", "interface", "permission", "404", "integrity", "django validation"],
)
def test_django_and_database_errors_become_their_http_answer(make, status, code):
    response = handled(make())
    assert response.status_code == status
    assert response.data["code"] == code
    assert response.data["errors"][0]["code"] == code


def test_an_outage_says_when_to_retry_and_that_nothing_was_written(caplog):
    response = handled(OperationalError("could not connect to server"))
    assert response["Retry-After"] == "5"
    assert "nothing was written" in response.data["detail"]
    assert "could not connect to server" not in response.data["detail"]  # the driver's words stay in the log
    assert "database unavailable: could not connect to server" in caplog.text


def test_a_stale_if_match_names_the_current_etag_in_body_and_header():
    response = handled(PreconditionFailed(SimpleNamespace(version=7)))
    assert response.status_code == 412
    assert response.data["code"] == "precondition_failed"
    assert response["ETag"] == '"7"'
    assert 'its current ETag is "7"' in response.data["detail"]


def test_a_too_large_body_names_the_limit(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1234
    assert handled(RequestDataTooBig()).data["detail"] == "The request body is larger than 1234 bytes."


def test_a_404_keeps_its_message_or_says_not_found():
    assert handled(Http404("No person with this slug.")).data["detail"] == "No person with this slug."
    assert handled(Http404()).data["detail"] == "Not found."


def test_a_protected_delete_names_the_first_five_referencing_records_in_order_and_counts_the_rest():
    referencing = ["Sở E", "Sở B", "Sở A", "Sở A", "Sở D", "Sở C", "Sở G", "Sở F"]
    for error in (ProtectedError("protected", referencing), RestrictedError("restricted", set(referencing[:2]))):
        response = handled(error)
        assert response.status_code == 409
        assert response.data["code"] == "protected"
    detail = handled(ProtectedError("protected", referencing)).data["detail"]
    assert detail == "This record is still referenced and cannot be deleted: Sở A, Sở B, Sở C, Sở D, Sở E and 2 more."


def test_a_protected_delete_with_few_referencing_records_names_them_all():
    detail = handled(RestrictedError("restricted", {"Sở B", "Sở A"})).data["detail"]
    assert detail == "This record is still referenced and cannot be deleted: Sở A, Sở B."


def test_a_database_rule_broken_is_a_conflict_without_the_drivers_words(caplog):
    response = handled(IntegrityError('duplicate key value violates unique constraint "registry_person_slug_key"'))
    assert "registry_person_slug_key" not in response.data["detail"]
    assert "integrity error answered with 409" in caplog.text


def taken(field: str) -> list:
    return [ErrorDetail(f"{field} is already taken.", code="unique")]


def test_only_unique_errors_make_a_conflict():
    assert handled(ValidationError({"slug": taken("slug")})).status_code == 409
    together = ValidationError({"non_field_errors": [ErrorDetail("Taken together.", code="unique_together")]})
    assert handled(together).status_code == 409
    mixed = ValidationError({"slug": taken("slug"), "name": [ErrorDetail("Required.", code="required")]})
    response = handled(mixed)
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert {error["field"] for error in response.data["errors"]} == {"slug", "name"}


def test_an_exception_that_is_not_the_apis_is_left_to_django():
    assert exception_handler(ValueError("a bug"), {}) is None


def test_nested_errors_flatten_to_dotted_fields_and_the_holders_own_errors():
    detail = {
        "sources": [{"document": [ErrorDetail("Unknown document.", code="does_not_exist")]}, {}],
        "names": {"non_field_errors": ["Too many names."]},
        "non_field_errors": [ErrorDetail("Give a person or a body.", code="invalid")],
    }
    assert flatten_errors(detail) == [
        {"field": "sources.0.document", "code": "does_not_exist", "message": "Unknown document."},
        {"field": "names", "code": "invalid", "message": "Too many names."},
        {"field": None, "code": "invalid", "message": "Give a person or a body."},
    ]
    assert flatten_errors([["Nested list."]]) == [{"field": "0", "code": "invalid", "message": "Nested list."}]


def test_djangos_own_400s_say_what_was_wrong(settings):
    from django.core.exceptions import DisallowedHost, SuspiciousOperation

    request = RequestFactory().get("/")
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 99
    answers = {
        "host": json_bad_request(request, DisallowedHost("evil.example")),
        "size": json_bad_request(request, RequestDataTooBig()),
        "other": json_bad_request(request, SuspiciousOperation()),
        "none": json_bad_request(request),
    }
    messages = {name: json.loads(answer.content)["errors"][0]["message"] for name, answer in answers.items()}
    assert messages == {
        "host": "The Host header names a host this server does not answer to.",
        "size": "The request body is larger than 99 bytes.",
        "other": "Bad request.",
        "none": "Bad request.",
    }
    assert all(answer.status_code == 400 for answer in answers.values())


@pytest.mark.django_db
def test_a_host_not_allowed_is_a_json_400_that_says_so(api_client):
    body = assert_error(api_client.get(list_url("person"), HTTP_HOST="registry.example.org"), 400)
    assert body["detail"] == "The Host header names a host this server does not answer to."


def test_djangos_404_and_500_pages_are_the_error_shape_too():
    request = RequestFactory().get("/")
    not_found, broken = json_page_not_found(request, Http404()), json_server_error(request)
    assert (not_found.status_code, json.loads(not_found.content)["code"]) == (404, "not_found")
    assert (broken.status_code, json.loads(broken.content)["detail"]) == (500, "Internal error.")


# --- capped counts ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_past_the_count_a_page_knows_its_rows_from_what_it_fetched(monkeypatch):
    PortfolioFactory.create_batch(5)
    monkeypatch.setattr(CappedCountPaginator, "limit", 3)
    paginator = CappedCountPaginator(Portfolio.objects.order_by("pk"), 2)
    total = Portfolio.objects.count()
    assert paginator.count == 4  # limit + 1: "more than the limit", not the total
    assert not paginator.exact
    first = paginator.page(1)
    assert isinstance(first, OpenPage)
    assert (first.has_next(), first.start_index(), first.end_index()) == (True, 1, 2)
    last_number = (total + 1) // 2
    last = paginator.page(last_number)
    assert not last.has_next()
    assert last.end_index() == total
    assert [row.pk for row in last.object_list] == list(Portfolio.objects.order_by("pk").values_list("pk", flat=True))[
        (last_number - 1) * 2 :
    ]
    with pytest.raises(EmptyPage):
        paginator.page(last_number + 1)
    with pytest.raises(EmptyPage):
        paginator.validate_number(0)
    assert paginator.validate_number("3") == 3


def test_a_list_in_memory_is_counted_by_its_length_without_a_query():
    # No database access is allowed in this test: a COUNT query would fail it.
    paginator = CappedCountPaginator(list(range(7)), 3)
    assert paginator.count == 7
    assert paginator.exact
    assert list(paginator.page(3).object_list) == [6]


@pytest.mark.django_db
def test_page_last_of_a_history_longer_than_the_limit(api_client, monkeypatch):
    person = PersonFactory()
    for number in range(4):
        services.record_update(instance=person, changes={"given_name": f"Tên {number}"})
    monkeypatch.setattr(CappedCountPaginator, "limit", 3)
    response = api_client.get(action_url("person", "history", person.slug), {"page_size": 2, "page": "last"})
    assert response.status_code == 200
    assert response[COUNT_EXACT_HEADER] == "true"  # a history is in memory: its length is known exactly
    assert response.json()["count"] == 5  # created, then four changes
    assert response.json()["next"] is None


def test_the_schema_says_pages_start_at_one_and_how_large_they_may_be():
    parameters = {
        parameter["name"]: parameter for parameter in RegistryPagination().get_schema_operation_parameters(None)
    }
    assert parameters["page"]["schema"]["minimum"] == 1
    assert parameters["page_size"]["schema"]["minimum"] == 1
    assert parameters["page_size"]["description"] == "Results per page, 1 to 200 (larger values are capped)."
    page = RegistryPagination().get_paginated_response_schema({"type": "object"})
    assert "exact up to 10,000" in page["properties"]["count"]["description"]


# --- the JSON parser -------------------------------------------------------------------------------------------------


def parse(data: bytes, encoding: str = "utf-8"):
    return RegistryJSONParser().parse(io.BytesIO(data), "application/json", {"encoding": encoding})


def test_nesting_up_to_the_limit_is_parsed_one_more_level_is_refused():
    deepest = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert nesting_depth(deepest) == MAX_DEPTH
    assert parse(deepest.encode()) == json.loads(deepest)
    with pytest.raises(ParseError) as refused:
        parse(("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)).encode())
    assert str(refused.value.detail) == "JSON nested deeper than 20 levels is refused."


@pytest.mark.parametrize(
    "text, depth",
    [
        ('"[[[["', 0),
        ('{"a": "[[\\"{{"}', 1),  # an escaped quote does not end the string
        ('["\\\\", [1]]', 2),  # an escaped backslash does not escape the closing quote
        ('[{"a": [1]}, []]', 3),
        ("5", 0),
    ],
)
def test_brackets_inside_strings_do_not_count_as_nesting(text, depth):
    assert nesting_depth(text) == depth


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant):
    with pytest.raises(ParseError) as refused:
        parse(f'{{"seats": {constant}}}'.encode())
    assert str(refused.value.detail) == f"JSON parse error - {constant} is not JSON"


def test_the_body_is_read_in_the_encoding_it_declares():
    assert parse('{"name": "Café"}'.encode("latin-1"), "latin-1") == {"name": "Café"}
    with pytest.raises(ParseError) as refused:
        parse('{"name": "Café"}'.encode("latin-1"))
    assert str(refused.value.detail) == "The body is not valid utf-8."


@pytest.mark.django_db
def test_a_body_declared_latin_1_is_written_as_sent(editor_client):
    body = json.dumps({"slug": "latin-1-body", "name": "Café"}, ensure_ascii=False).encode("latin-1")
    response = editor_client.post(list_url("portfolio"), body, content_type="application/json; charset=latin-1")
    assert response.status_code == 201, response.content
    assert Portfolio.objects.get(slug="latin-1-body").name == "Café"


# --- strict JSON fields ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value, code, message",
    [
        (StrictCharField(), 5, "not_a_string", "Expected a string, got int."),
        (StrictSlugField(), ["a-slug"], "not_a_string", "Expected a string, got list."),
        (StrictIntegerField(), True, "not_an_integer", "Expected an integer, got bool."),
        (StrictIntegerField(), 2.0, "not_an_integer", "Expected an integer, got float."),
        (StrictIntegerField(), "2", "not_an_integer", "Expected an integer, got str."),
        (StrictBooleanField(), 0, "not_a_boolean", "Expected true or false, got int."),
        (StrictBooleanField(), "false", "not_a_boolean", "Expected true or false, got str."),
        (StrictDateField(), 20240101, "not_a_string", "Expected a date string YYYY-MM-DD, got int."),
        (StrictChoiceField(choices=["head"]), 1, "not_a_string", "Expected one of the listed strings, got int."),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, serializers.Field) else None,
)
def test_a_value_of_another_json_type_is_refused_with_its_type_named(field, value, code, message):
    with pytest.raises(ValidationError) as refused:
        field.run_validation(value)
    assert refused.value.detail == [message]
    assert refused.value.detail[0].code == code


def test_values_of_the_right_type_are_taken_as_sent():
    assert StrictCharField().run_validation("  padded  ") == "  padded  "  # no trimming: maxLength means what it says
    assert StrictIntegerField().run_validation(3) == 3
    assert StrictBooleanField().run_validation(False) is False
    assert StrictDateField().run_validation("2024-02-29") == datetime.date(2024, 2, 29)
    assert StrictChoiceField(choices=["head"]).run_validation("head") == "head"


@pytest.mark.parametrize(
    "field, value, code",
    [
        (StrictSlugField(), "not a slug", "invalid"),
        (StrictCharField(max_length=3), "four", "max_length"),
        (StrictIntegerField(max_value=3), 4, "max_value"),
        (StrictDateField(), "2025-02-30", "invalid"),
        (StrictChoiceField(choices=["head"]), "boss", "invalid_choice"),
    ],
)
def test_the_right_type_still_meets_the_fields_own_rules(field, value, code):
    with pytest.raises(ValidationError) as refused:
        field.run_validation(value)
    assert refused.value.detail[0].code == code


# --- API keys and read permissions -----------------------------------------------------------------------------------


def system_key(name: str) -> str:
    out = io.StringIO()
    call_command("create_system_account", name, "--group", "reader", stdout=out)
    return out.getvalue().strip().splitlines()[-1]


@pytest.mark.django_db
def test_a_key_authenticates_as_its_account_with_the_key_as_the_credential():
    key = system_key("hr-system")
    request = Request(RequestFactory().get("/", HTTP_AUTHORIZATION=f"Api-Key {key}"))
    account, credential = SystemKeyAuthentication().authenticate(request)
    assert account.username == "hr-system"
    assert isinstance(credential, SystemKey)
    assert credential.account == account
    assert SystemKeyAuthentication().authenticate(Request(RequestFactory().get("/"))) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    ["Bearer not-our-scheme", "{key}", "Token {key}", "Api-Key", "Api-Key   ", "Api-Key not-a-key", ""],
    ids=["bearer", "no-prefix", "other-scheme", "prefix-only", "prefix-blank", "unknown-key", "empty"],
)
@pytest.mark.parametrize("method", ["get", "head", "post"])
def test_an_authorization_header_that_is_not_a_usable_key_is_refused_naming_the_scheme(
    api_client, rates, header, method
):
    """Reads as writes: a mistyped header is told the expected form instead of being read as anonymous."""
    rates()
    key = system_key("hr-system")
    api_client.credentials(HTTP_AUTHORIZATION=header.format(key=key))
    if method == "post":
        refused = api_client.post(list_url("portfolio"), {"slug": "bearer", "name": "X"}, format="json")
    else:
        refused = getattr(api_client, method)(list_url("portfolio"))
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Api-Key"
    if method != "head":
        body = assert_error(refused, 401)
        assert body["code"] == "authentication_failed"
        assert "`Authorization: Api-Key <key>`" in body["detail"]
        assert key not in body["detail"]  # a key sent without its prefix is not echoed
    assert not Portfolio.objects.filter(slug="bearer").exists()


@pytest.mark.django_db
def test_without_an_authorization_header_reads_stay_anonymous_and_writes_ask_for_credentials(api_client, rates):
    rates()
    assert api_client.get(list_url("portfolio")).status_code == 200
    refused = api_client.post(list_url("portfolio"), {"slug": "anonymous", "name": "X"}, format="json")
    assert assert_error(refused, 401)["code"] == "not_authenticated"
    assert refused["WWW-Authenticate"] == "Api-Key"


@pytest.mark.django_db
def test_a_key_with_extra_spaces_or_another_case_of_the_prefix_still_authenticates(api_client):
    key = system_key("hr-system")
    api_client.credentials(HTTP_AUTHORIZATION=f"api-key  {key} ")
    answer = api_client.get(list_url("portfolio"))
    assert answer.status_code == 200
    assert answer.wsgi_request.user.username == "hr-system"


def test_anonymous_reading_is_on_when_the_setting_is_absent(settings):
    del settings.REGISTRY_ANONYMOUS_READ
    assert anonymous_may_read() is True
    settings.REGISTRY_ANONYMOUS_READ = False
    assert anonymous_may_read() is False


@pytest.mark.django_db
def test_with_anonymous_reading_off_head_needs_the_view_permission_too(settings, api_client, editor_client):
    settings.REGISTRY_ANONYMOUS_READ = False
    assert api_client.head(list_url("portfolio")).status_code == 401
    assert editor_client.head(list_url("portfolio")).status_code == 200


# --- CSV -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        (datetime.date(2025, 12, 15), "2025-12-15"),
        (3, "3"),
        ("Sở Ngoại vụ", "Sở Ngoại vụ"),
        ("=1+1", "'=1+1"),
        ("+84 28 3829 6372", "'+84 28 3829 6372"),  # a telephone number a spreadsheet would add up
        ("-cmd", "'-cmd"),
        (-1, "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        (True, "true"),
        (False, "false"),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_made_plain_text(value, text):
    assert cell(value) == text


def test_the_csv_renderer_answers_anything_but_rows_as_json():
    """Never reached by the views (errors are switched to JSON before rendering); what it would send if it were."""
    assert json.loads(CSVRenderer().render({"detail": "Not found."})) == {"detail": "Not found."}


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "basename, model, filename",
    [
        ("person", Person, "people"),
        ("organization", Organization, "organizations"),
        ("post", Post, "posts"),
        ("appointment", Appointment, "appointments"),
    ],
)
def test_a_csv_is_an_attachment_named_after_its_records_with_its_columns_first(api_client, basename, model, filename):
    response = api_client.get(reverse(f"registry-api:{basename}-export-csv"))
    assert response["Content-Disposition"] == f'attachment; filename="{filename}.csv"'
    assert csv_rows(response)[0] == [column.key for column in COLUMNS[model]]


@pytest.mark.django_db
def test_a_csv_row_lists_identifiers_and_names_the_parent(api_client):
    from django.contrib.contenttypes.models import ContentType

    parent = OrganizationFactory(slug="csv-parent", name="Ủy ban Thử")
    child = OrganizationFactory(slug="csv-child", parent=parent)
    for scheme, identifier in (("wikidata", "Q111"), ("unit", "79")):
        services.record_create(
            model=Identifier,
            values={
                "content_type": ContentType.objects.get_for_model(child),
                "object_id": child.pk,
                "scheme": scheme,
                "identifier": identifier,
            },
        )
    rows = csv_rows(api_client.get(reverse("registry-api:organization-export-csv"), {"q": "test body"}))
    header, lines = rows[0], {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert "identifiers" in header
    assert lines["csv-child"]["parent_slug"] == "csv-parent"
    assert lines["csv-child"]["parent"] == "Ủy ban Thử"
    assert sorted(lines["csv-child"]["identifiers"].split("; ")) == ["unit:79", "wikidata:Q111"]
    assert (lines["csv-parent"]["parent_slug"], lines["csv-parent"]["parent"]) == ("", "")


# --- webhooks and the Popolo export ----------------------------------------------------------------------------------


@pytest.fixture
def hooks(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the URLs below are on loopback
    settings.WEBHOOK_ALLOWED_PORTS = [80, 443, 8875]
    return reverse("registry-api:webhook-list")


def account(username: str, *codenames: str) -> APIClient:
    user = User.objects.create_user(username)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="registry", codename__in=codenames))
    client = APIClient()
    client.force_authenticate(user)
    return client


def register(client: APIClient, endpoints: str, **values):
    payload = {"name": "city system", "url": "http://127.0.0.1:8875/in", "secret": SECRET, **values}
    return client.post(endpoints, payload, format="json")


@pytest.mark.django_db
def test_each_webhook_action_needs_its_own_permission(hooks, api_client):
    anonymous = register(api_client, hooks)
    assert_error(anonymous, 401)
    assert anonymous["WWW-Authenticate"] == "Api-Key"
    viewer = account("viewer", "view_webhookendpoint")
    assert viewer.get(hooks).status_code == 200
    assert_error(register(viewer, hooks), 403)
    adder = account("adder", "view_webhookendpoint", "add_webhookendpoint")
    created = register(adder, hooks)
    assert created.status_code == 201, created.content
    detail = reverse("registry-api:webhook-detail", args=[created.json()["id"]])
    assert_error(adder.patch(detail, {"active": False}, format="json"), 403)  # change
    assert_error(adder.delete(detail), 403)
    assert WebhookEndpoint.objects.get(pk=created.json()["id"]).active
    nobody = account("nobody")
    assert_error(nobody.get(hooks), 403)


@pytest.mark.django_db
def test_a_superuser_sees_every_accounts_webhooks(hooks, editor_client, django_user_model):
    mine = register(editor_client, hooks).json()["id"]
    root = APIClient()
    root.force_authenticate(django_user_model.objects.create_superuser("root", "root@example.com", None))
    theirs = register(root, hooks).json()["id"]
    assert {row["id"] for row in root.get(hooks).json()["results"]} == {mine, theirs}
    assert {row["id"] for row in editor_client.get(hooks).json()["results"]} == {mine}


@pytest.mark.django_db
def test_a_webhook_follows_the_bodies_named_by_their_slugs(hooks, editor_client):
    response = register(editor_client, hooks, organizations=["ubnd-tp-hcm", "so-ngoai-vu-tp-hcm"], kinds=["post"])
    assert response.status_code == 201, response.content
    endpoint = WebhookEndpoint.objects.get(pk=response.json()["id"])
    assert set(endpoint.organizations.values_list("slug", flat=True)) == {"ubnd-tp-hcm", "so-ngoai-vu-tp-hcm"}
    assert endpoint.kinds == ["post"]
    assert {row["slug"] for row in response.json()["organizations"]} == {"ubnd-tp-hcm", "so-ngoai-vu-tp-hcm"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values, field",
    [
        ({"organizations": ["no-such-body"]}, "organizations"),
        ({"kinds": ["webhook"]}, "kinds.0"),
        ({"secret": "too-short"}, "secret"),
        ({"url": "http://10.0.0.5/in"}, "url"),
    ],
)
def test_a_webhook_with_unknown_bodies_kinds_or_a_short_secret_is_refused(hooks, editor_client, values, field):
    assert_error(register(editor_client, hooks, **values), 400, field)
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_a_refused_webhook_url_says_which_rule_it_broke(hooks, editor_client):
    body = assert_error(register(editor_client, hooks, url="http://192.0.2.9/in"), 400, "url")
    assert body["errors"] == [
        {"field": "url", "code": "invalid", "message": "Host '192.0.2.9' is not in WEBHOOK_ALLOWED_HOSTS."}
    ]


@pytest.mark.django_db
def test_an_endpoints_delivery_log_is_newest_first_and_its_owners_only(hooks, editor_client):
    endpoint = WebhookEndpoint.objects.get(pk=register(editor_client, hooks).json()["id"])
    for attempt, status in ((1, 500), (2, 200)):
        endpoint.deliveries.create(
            delivery_id=uuid.uuid4(),
            change_id=41,
            event="person.changed",
            attempt=attempt,
            succeeded=status == 200,
            status_code=status,
            duration_ms=12,
        )
    url = reverse("registry-api:webhook-deliveries", args=[endpoint.pk])
    log = editor_client.get(url).json()
    assert log["count"] == 2
    assert [(row["attempt"], row["succeeded"], row["status_code"]) for row in log["results"]] == [
        (2, True, 200),
        (1, False, 500),
    ]
    stranger = account("stranger", "view_webhookendpoint")
    assert_error(stranger.get(url), 404)


@pytest.mark.django_db
def test_an_other_name_of_a_body_is_shown_as_the_bodys(editor_client):
    body = OrganizationFactory()
    payload = {"organization": body.slug, "name": "Sở Thử (cũ)", "kind": "former", "reason": "renamed in 2025"}
    response = editor_client.post(list_url("othername"), payload, format="json")
    assert response.status_code == 201, response.content
    shown = response.json()
    assert shown["person"] is None
    assert shown["organization"]["slug"] == body.slug
    assert [name.name for name in body.other_names.all()] == ["Sở Thử (cũ)"]


@pytest.mark.django_db
@pytest.mark.parametrize("owners", [("person", "organization"), ()], ids=["both", "neither"])
def test_an_other_name_belongs_to_exactly_one_record(editor_client, owners):
    keys = {"person": PersonFactory().slug, "organization": OrganizationFactory().slug}
    payload = {"name": "Tên khác", "kind": "alternate"} | {owner: keys[owner] for owner in owners}
    body = assert_error(editor_client.post(list_url("othername"), payload, format="json"), 400, "person")
    assert body["errors"][0]["message"] == "Give exactly one of person and organization."
    assert not OtherName.objects.filter(name="Tên khác").exists()


@pytest.mark.django_db
def test_the_popolo_export_is_one_inline_json_document(api_client):
    response = api_client.get(reverse("registry-api:export-popolo"))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="registry-popolo.json"'
    document = json.loads(b"".join(response.streaming_content))
    assert {"persons", "organizations", "posts", "memberships"} <= set(document)


# --- HTTP caching: the edges of the counter ------------------------------------------------------------------------


class RowAppearsLate:
    """Stands in for RegistryRevision in http/caching.py: its first UPDATE finds no row, as when another process
    creates the row between this one's UPDATE and INSERT; the INSERT then meets that row (an IntegrityError)."""

    ONLY = RegistryRevision.ONLY

    def __init__(self):
        self.updates = 0
        self.objects = SimpleNamespace(filter=self.filter, create=RegistryRevision.objects.create)

    def filter(self, **lookups):
        rows = RegistryRevision.objects.filter(**lookups)
        late = self

        class Late:
            def update(self, **changes):
                late.updates += 1
                return 0 if late.updates == 1 else rows.update(**changes)

        return Late()


@pytest.mark.django_db
def test_a_bump_racing_another_processes_first_bump_still_counts_once(monkeypatch):
    before = RegistryRevision.objects.get().number
    late = RowAppearsLate()
    monkeypatch.setattr(revision, "RegistryRevision", late)
    revision.bump()
    assert late.updates == 2  # missed, the INSERT collided, then counted
    assert RegistryRevision.objects.get().number == before + 1


@pytest.mark.django_db
def test_without_the_counter_row_reads_still_carry_validators(api_client, today_is):
    today_is(datetime.date(2026, 3, 2))
    RegistryRevision.objects.all().delete()  # a flushed database, before its first write
    revision = caching.current()
    assert (revision.number, revision.changed) == (0, caching.EPOCH)
    first = api_client.get(list_url("portfolio"))
    assert first["ETag"].startswith('W/"0.0-20260302-')
    assert first["Last-Modified"] == http_date(caching.midnight().timestamp())  # never before today's midnight
    assert api_client.get(list_url("portfolio"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.django_db
def test_when_the_counter_cannot_be_read_the_answer_has_no_validators(api_client, monkeypatch):
    calls = []

    def unreadable(**kwargs):
        calls.append(kwargs)
        raise OperationalError("canceling statement due to statement timeout")

    monkeypatch.setattr(caching, "current", unreadable)
    response = api_client.get(list_url("portfolio"), HTTP_IF_NONE_MATCH='W/"1.0-20260302-abc"')
    assert calls == [{"with_feed_head": False}]
    assert response.status_code == 200  # the view itself could read: it answers, just without validators
    assert "ETag" not in response
    assert "Last-Modified" not in response


def test_a_request_no_url_matched_is_not_a_validated_read():
    assert caching.kind_of(RequestFactory().get("/api/v1/people/")) is None


@pytest.mark.django_db
def test_answers_are_kept_per_media_type_and_never_as_html(settings):
    settings.ANSWER_CACHE_SECONDS = 300
    request = RequestFactory().get("/api/v1/people/")
    request.registry_revision = caching.current()
    request.registry_read_kind = caching.Kind("api")
    as_json, as_csv = caching.answer_key(request, "application/json"), caching.answer_key(request, "text/csv")
    assert as_json.startswith("answer:") and as_csv.startswith("answer:")
    assert as_json != as_csv
    assert caching.answer_key(request, "text/html; charset=utf-8") is None  # the browsable API's forms
    request.registry_read_kind = caching.Kind("page")
    assert caching.answer_key(request, "application/json") is None
