"""The request guards and their neighbours, in one process: the SECRET_KEY rule and the Content-Security-Policy
(http/security.py), NUL bytes, body sizes and outages before the view (http/middleware.py), the access log
and its JSON lines (http/observability.py), the readiness probe's edge (http/health.py) and the admin's
language (registry/http/language.py).

tests/test_production.py starts real processes for the same rules; these tests drive the code directly or through the
test client, so each branch is seen on its own.
"""

import io
import json
import logging

import pytest
from django.conf import settings as django_settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import InterfaceError, OperationalError
from django.db.utils import ConnectionHandler
from django.http import HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.test import RequestFactory

from registry.http import health, middleware, security
from registry.http.language import AdminLocaleMiddleware, admin_language
from registry.http.middleware import RefuseNulBytesMiddleware, RequestLimitsMiddleware
from registry.http.observability import JsonFormatter, RequestIdFilter, record_request_id, request_id_from
from registry.http.security import ContentSecurityPolicyMiddleware, inline_script_hashes, secret_key_problem
from tests.helpers import assert_error, list_url
from tests.processes import strong_key

# --- the SECRET_KEY rule ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, problem",
    [
        ("", "SECRET_KEY is not set"),
        ("CHANGE-ME-" + "k" * 60, "SECRET_KEY is a placeholder value"),  # whatever the case
        ("an-Insecure-" + "q1w2e3r4t5" * 5, "SECRET_KEY is a placeholder value"),
        ("Zx9!" * 12, "SECRET_KEY has 48 characters; at least 50 are needed"),
        ("abcd" * 13, "SECRET_KEY has fewer than 5 different characters"),
    ],
    ids=["empty", "upper-case placeholder", "placeholder inside", "short", "four characters"],
)
def test_each_weak_key_is_named_for_what_is_wrong_with_it(key, problem):
    assert secret_key_problem(key) == problem


def test_fifty_characters_of_five_kinds_are_enough():
    assert secret_key_problem("abcde" * 10) is None
    assert secret_key_problem("abcde" * 10 + "fgh") is None


def test_debug_off_with_a_weak_key_refuses_to_start_with_advice(settings):
    settings.DEBUG, settings.SECRET_KEY = False, "x" * 20
    with pytest.raises(ImproperlyConfigured) as refused:
        security.require_strong_secret_key()
    message = str(refused.value)
    assert message.startswith("SECRET_KEY has 20 characters")
    assert "refusing to start with DEBUG off" in message
    assert "secrets.token_urlsafe(50)" in message


def test_debug_on_starts_with_any_key_and_debug_off_with_a_strong_one(settings):
    settings.DEBUG, settings.SECRET_KEY = True, "change-me"
    security.require_strong_secret_key()  # development: no refusal
    settings.DEBUG, settings.SECRET_KEY = False, strong_key()
    security.require_strong_secret_key()


def test_check_deploy_names_the_key_problem_with_the_advice(settings):
    settings.SECRET_KEY = "placeholder-" + "p0o9i8u7y6" * 6
    (error,) = security.check_secret_key(None)
    assert error.id == "registry.E001"
    assert error.level == checks.ERROR
    assert error.msg == "SECRET_KEY is a placeholder value."
    assert "secrets.token_urlsafe(50)" in error.hint
    settings.SECRET_KEY = strong_key()
    assert security.check_secret_key(None) == []


def test_the_key_check_runs_only_with_check_deploy():
    assert security.check_secret_key in checks.registry.registry.get_checks(include_deployment_checks=True)
    assert security.check_secret_key not in checks.registry.registry.get_checks(include_deployment_checks=False)


# --- inline script hashes and the Content-Security-Policy --------------------------------------------------------


def sha(body: bytes) -> str:
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"


def test_only_inline_scripts_with_a_body_are_hashed_once_each_in_order():
    html = (
        b"<SCRIPT SRC='/static/app.js'></SCRIPT>"  # loaded from the site: 'self' allows it
        b"<script>   \n  </script>"  # nothing to run
        b"<script type='module'>b()</script>"
        b"<script>a()</script>"
        b"<script>b()</script>"  # the same text again: one hash
    )
    assert inline_script_hashes(html) == sorted({sha(b"a()"), sha(b"b()")})


def test_a_script_over_several_lines_is_hashed_as_sent():
    body = b"\n  window.onload = () => {\n    start();\n  };\n"
    assert inline_script_hashes(b"<html><script>" + body + b"</script></html>") == [sha(body)]


def through_csp(response) -> HttpResponse:
    return ContentSecurityPolicyMiddleware(lambda request: response)(RequestFactory().get("/"))


def test_an_html_page_gets_the_page_policy_with_its_scripts_hashes():
    response = through_csp(HttpResponse(b"<p>hi</p><script>go()</script>", content_type="text/html; charset=utf-8"))
    policy = response["Content-Security-Policy"]
    assert f"script-src 'self' {sha(b'go()')};" in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_a_streamed_html_page_is_not_read_and_gets_the_policy_that_allows_nothing():
    """Its scripts cannot be hashed without consuming the stream: it fails closed (no page streams HTML today)."""
    chunks = iter([b"<p>", b"<script>go()</script>", b"</p>"])
    response = through_csp(StreamingHttpResponse(chunks, content_type="text/html"))
    assert response["Content-Security-Policy"] == ContentSecurityPolicyMiddleware.OTHER_POLICY
    assert b"".join(response.streaming_content) == b"<p><script>go()</script></p>"  # nothing was consumed


@pytest.mark.parametrize("content_type", ["text/css", "application/javascript", "text/javascript; charset=utf-8"])
def test_stylesheets_and_scripts_carry_no_policy(content_type):
    assert "Content-Security-Policy" not in through_csp(HttpResponse(b"x", content_type=content_type))


@pytest.mark.parametrize("content_type", ["application/json", "text/csv; charset=utf-8", "image/svg+xml"])
def test_everything_else_gets_the_policy_that_allows_nothing(content_type):
    response = through_csp(HttpResponse(b"x", content_type=content_type))
    assert response["Content-Security-Policy"] == ContentSecurityPolicyMiddleware.OTHER_POLICY


def test_a_policy_the_view_set_itself_is_kept():
    response = HttpResponse(b"<script>x()</script>", content_type="text/html")
    response["Content-Security-Policy"] = "default-src 'self'"
    assert through_csp(response)["Content-Security-Policy"] == "default-src 'self'"


def test_a_304_carries_no_policy():
    assert "Content-Security-Policy" not in through_csp(HttpResponseNotModified())


@pytest.mark.django_db
def test_a_revalidated_page_keeps_the_policy_of_its_cached_copy(client):
    """A 304's headers replace the cached page's: the JSON policy there would strip the page of its stylesheet."""
    first = client.get("/")
    assert first.status_code == 200
    assert first["Content-Security-Policy"].startswith("default-src 'self'")
    again = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert "Content-Security-Policy" not in again


# --- NUL bytes -------------------------------------------------------------------------------------------------------


def nul_refusal(response) -> dict:
    body = assert_error(response, 400)
    (error,) = body["errors"]
    assert error["code"] == "null_character"
    return error


@pytest.mark.django_db
def test_a_nul_byte_in_the_path_is_a_400_naming_no_field(client):
    assert nul_refusal(client.get("/api/v1/organizations/ubnd%00tp/"))["field"] is None


@pytest.mark.django_db
def test_a_nul_byte_in_a_parameter_name_names_that_parameter(client):
    assert nul_refusal(client.get("/api/v1/organizations/?cl%00ass=department"))["field"] == "cl\x00ass"


@pytest.mark.django_db
def test_a_nul_byte_in_a_repeated_parameters_later_value_is_found(client):
    response = client.get("/api/v1/posts/", {"role": ["head", "deputy\x00head"], "q": "ok"})
    assert nul_refusal(response)["field"] == "role"


def test_a_request_without_nul_bytes_reaches_the_view():
    reached = []
    request = RequestFactory().get("/api/v1/posts/", {"q": "Sở Ngoại vụ", "role": ["head", "member"]})
    RefuseNulBytesMiddleware(lambda request: reached.append(request) or HttpResponse("ok"))(request)
    assert reached == [request]


# --- body sizes, Content-Length and outages ------------------------------------------------------------------------


def never_called(request):
    raise AssertionError("the view must not run")


def refusal(response, status: int) -> dict:
    """The error body of a response straight from a middleware (the test client is not there to add ``json()``)."""
    response.json = lambda: json.loads(response.content)
    return assert_error(response, status)


def test_a_content_length_that_is_not_a_number_is_a_400(settings):
    request = RequestFactory().post("/api/v1/people/", b"{}", content_type="application/json")
    request.META["CONTENT_LENGTH"] = "12abc"
    body = refusal(RequestLimitsMiddleware(never_called)(request), 400)
    assert body["errors"] == [{"field": None, "code": "bad_request", "message": "Content-Length is not a number."}]


@pytest.mark.django_db
def test_through_the_stack_a_bad_content_length_is_refused_before_anything_reads(client):
    response = client.post("/api/v1/people/", b"{}", content_type="application/json", CONTENT_LENGTH="many")
    assert assert_error(response, 400)["code"] == "bad_request"


def oversized(size: int):
    request = RequestFactory().post("/api/v1/people/", b"x" * size, content_type="application/json")
    return request, request.META["wsgi.input"]


def test_an_oversized_body_is_read_to_its_end_before_the_413(settings):
    """The client is still sending: reading the rest lets it read the answer instead of a broken pipe."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    request, payload = oversized(100)
    body = refusal(RequestLimitsMiddleware(never_called)(request), 413)
    assert body["errors"][0]["message"] == "The request body is larger than 10 bytes."
    assert len(payload) == 0  # every byte was read


def test_a_huge_body_is_not_read_at_all(settings, monkeypatch):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    monkeypatch.setattr(middleware, "DISCARD_AT_MOST", 50)
    request, payload = oversized(100)
    refusal(RequestLimitsMiddleware(never_called)(request), 413)
    assert len(payload) == 100
    assert not payload.read_started


def test_a_body_at_the_limit_reaches_the_view(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    request, _ = oversized(10)
    assert RequestLimitsMiddleware(lambda request: HttpResponse("seen"))(request).content == b"seen"


@pytest.mark.django_db
def test_an_oversized_form_to_the_admin_is_the_same_json_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = client.post("/admin/login/", {"username": "x" * 200, "password": "y"})
    assert assert_error(response, 413)["code"] == "too_large"


@pytest.mark.django_db
@pytest.mark.parametrize("failure", [OperationalError, InterfaceError])
def test_a_database_outage_outside_the_api_is_a_json_503_with_retry_after(client, monkeypatch, failure):
    from registry.web import views as web_views

    calls = []

    def down():
        calls.append(failure)
        raise failure("server closed the connection unexpectedly")

    monkeypatch.setattr(web_views.queries, "organization_tree", down)
    response = client.get("/")
    assert calls == [failure]
    body = assert_error(response, 503)
    assert body["code"] == "unavailable"
    assert response["Retry-After"] == "5"


def test_other_failures_are_left_to_django():
    limits = RequestLimitsMiddleware(never_called)
    assert limits.process_exception(RequestFactory().get("/"), ValueError("a bug")) is None


# --- request ids and log lines -------------------------------------------------------------------------------------


def test_a_request_id_of_the_longest_allowed_length_is_kept_one_more_is_replaced():
    assert request_id_from("a" * 128) == "a" * 128
    assert request_id_from("trace:1@edge/+=_-.") == "trace:1@edge/+=_-."
    assert request_id_from("a" * 129) != "a" * 129
    assert request_id_from(None) != request_id_from(None)


@pytest.mark.django_db
def test_probes_are_logged_at_debug_and_other_requests_at_info(client, caplog):
    with caplog.at_level(logging.DEBUG, logger="registry.access"):
        client.get("/healthz")
        client.get("/readyz")
        client.get(list_url("portfolio"))
    levels = {record.path: record.levelno for record in caplog.records if record.name == "registry.access"}
    assert levels == {"/healthz": logging.DEBUG, "/readyz": logging.DEBUG, "/api/v1/portfolios/": logging.INFO}


def log_record(**extra) -> logging.LogRecord:
    record = logging.getLogger("registry.test").makeRecord(
        "registry.test", logging.WARNING, __file__, 1, "Sở %s", ("Ngoại vụ",), None, extra=extra
    )
    return record


def test_a_json_line_holds_the_extra_fields_but_not_private_ones():
    line = json.loads(JsonFormatter().format(log_record(status=503, when=object, _secret="no")))
    assert line["message"] == "Sở Ngoại vụ"
    assert line["level"] == "WARNING"
    assert line["status"] == 503
    assert line["when"] == str(object)  # not JSON: written as text rather than failing the line
    assert "_secret" not in line
    assert line["request_id"] == "-"


def test_a_json_line_keeps_non_ascii_text_readable():
    assert "Sở Ngoại vụ" in JsonFormatter().format(log_record())


def test_a_stack_asked_for_stays_inside_its_json_line():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("registry.test.stack")
    logger.addHandler(handler)
    try:
        logger.warning("where am I", stack_info=True)
    finally:
        logger.removeHandler(handler)
    (line,) = [json.loads(text) for text in stream.getvalue().splitlines()]
    assert line["stack"].startswith("Stack (most recent call last):")
    assert "test_a_stack_asked_for_stays_inside_its_json_line" in line["stack"]
    assert "exception" not in line


def test_a_record_about_a_request_names_that_requests_id():
    """django.request logs after the middleware returned: the id comes from the request the record carries."""
    request = RequestFactory().get("/")
    request.request_id = "from-the-request"
    record = log_record(request=request)
    assert record_request_id(record) == "from-the-request"
    assert RequestIdFilter().filter(record) is True
    assert record.request_id == "from-the-request"


def test_the_filter_keeps_an_id_a_record_already_has():
    record = log_record(request_id="given")
    RequestIdFilter().filter(record)
    assert record.request_id == "given"
    assert json.loads(JsonFormatter().format(record))["request_id"] == "given"


# --- the readiness probe ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_reports_a_migrations_table_it_cannot_read_as_unreachable(client, monkeypatch, tmp_path):
    """A table that exists but cannot be read is an outage, not a database that was never migrated."""
    import sqlite3

    path = tmp_path / "broken.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE django_migrations (id integer)")  # no app, no name: the SELECT fails
    broken = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}})
    monkeypatch.setattr(health, "connections", broken)
    response = client.get("/readyz")
    body = assert_error(response, 503, field="database")
    assert body["errors"][0]["code"] == "unreachable"
    assert response["Retry-After"] == "5"
    broken["default"].close()


@pytest.mark.django_db
def test_probes_answer_head(client):
    for path in ("/healthz", "/readyz"):
        response = client.head(path)
        assert response.status_code == 200
        assert response.content == b""


def test_the_migrations_on_disk_are_every_apps_and_read_once():
    shipped = health.migrations_on_disk()
    assert ("registry", "0001_initial") in shipped
    assert ("auth", "0001_initial") in shipped
    assert health.migrations_on_disk() is shipped


# --- the admin's language ------------------------------------------------------------------------------------------


def test_the_admin_language_is_the_cookies_when_it_is_offered_else_vietnamese():
    factory = RequestFactory()
    cookie = django_settings.LANGUAGE_COOKIE_NAME
    for chosen, expected in [("en", "en"), ("vi", "vi"), ("fr", "vi"), ("", "vi"), (None, "vi")]:
        request = factory.get("/admin/")
        if chosen is not None:
            request.COOKIES[cookie] = chosen
        assert admin_language(request) == expected, chosen


@pytest.mark.django_db
def test_admin_answers_vary_on_the_cookie_and_name_their_language(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # not offered: the default
    page = client.get("/admin/login/")
    assert page["Content-Language"] == "vi"
    assert "Cookie" in page["Vary"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get("/admin/login/")["Content-Language"] == "en"


@pytest.mark.parametrize("path", ["/api/v1/", "/administration/", "/"])
def test_outside_the_admin_the_language_is_english_whatever_the_cookie(path):
    request = RequestFactory().get(path)
    request.COOKIES[django_settings.LANGUAGE_COOKIE_NAME] = "vi"
    locale = AdminLocaleMiddleware(lambda request: HttpResponse())
    locale.process_request(request)
    assert request.LANGUAGE_CODE == "en"
    response = locale.process_response(request, HttpResponse())
    assert "Content-Language" not in response  # the public pages set their own
    assert not response.has_header("Vary")
