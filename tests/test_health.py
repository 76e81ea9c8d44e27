"""Probes (`/healthz`, `/readyz`) and the request id every response carries and every log line names."""

import io
import json
import logging

import pytest
from django.core.cache import cache
from django.db.utils import ConnectionHandler
from django.test import override_settings

from registry.http import health
from registry.http.observability import JsonFormatter, RequestIdFilter
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def test_healthz_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_checks_the_database_and_migrations(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "cache": "ok"}}


def test_readyz_is_503_while_a_migration_is_not_applied(client, monkeypatch):
    shipped = health.migrations_on_disk() | {("registry", "9999_not_yet_applied")}
    monkeypatch.setattr(health, "migrations_on_disk", lambda: shipped)
    body = assert_error(client.get("/readyz"), 503, field="migrations")
    assert "registry.9999_not_yet_applied" in body["detail"]


def test_readyz_is_503_when_the_database_cannot_be_reached(client, monkeypatch, tmp_path):
    unreachable = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "missing-dir" / "db.sqlite3")}}
    )
    monkeypatch.setattr(health, "connections", unreachable)
    response = client.get("/readyz")
    assert_error(response, 503, field="database")
    assert response["Retry-After"]


def test_readyz_of_a_database_never_migrated_lists_the_migrations(client, monkeypatch, tmp_path):
    empty = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "e.db")}})
    monkeypatch.setattr(health, "connections", empty)
    assert_error(client.get("/readyz"), 503, field="migrations")


def test_probes_are_not_in_the_schema(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/organizations/" in schema["paths"]
    assert not [path for path in schema["paths"] if "healthz" in path or "readyz" in path]


def test_probes_are_not_throttled(client, settings):
    cache.clear()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/hour"}}
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
    statuses = [client.get("/api/v1/portfolios/").status_code for _ in range(2)]
    assert statuses == [200, 429]  # the API itself is limited
    cache.clear()


def test_probes_refuse_writes(client):
    assert client.post("/readyz").status_code == 405


@override_settings(SECURE_SSL_REDIRECT=True)
def test_probes_answer_plain_http_when_everything_else_redirects(client):
    assert client.get("/api/v1/").status_code == 301
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


# --- Request id -----------------------------------------------------------------------------------------------------


def test_a_request_id_is_generated_and_returned(client):
    first, second = client.get("/api/v1/"), client.get("/api/v1/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_proxys_request_id_is_kept(client):
    response = client.get("/api/v1/organizations/", HTTP_X_REQUEST_ID="proxy-4f1c.77")
    assert response["X-Request-ID"] == "proxy-4f1c.77"


@pytest.mark.parametrize("bad", ['x" injected', "a" * 200, "line\nbreak"])
def test_an_unusable_request_id_is_replaced(client, bad):
    response = client.get("/api/v1/", HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


def test_error_answers_carry_the_request_id_too(client):
    response = client.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="trace-404")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "trace-404"


@pytest.fixture
def json_log():
    """Log lines of the app, formatted as production formats them (JSON, with the request id filter)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_every_log_line_of_a_request_is_json_with_its_request_id(client, json_log):
    client.get("/api/v1/organizations/does-not-exist/", HTTP_X_REQUEST_ID="trace-abc")
    lines = json_log()
    assert {line["logger"] for line in lines} >= {"django.request", "registry.access"}
    assert {line["request_id"] for line in lines} == {"trace-abc"}
    (access,) = [line for line in lines if line["logger"] == "registry.access"]
    assert access["status"] == 404
    assert access["method"] == "GET"
    assert access["path"] == "/api/v1/organizations/does-not-exist/"
    assert access["client"] == "127.0.0.1"
    assert isinstance(access["duration_ms"], float)


def test_a_traceback_stays_inside_its_json_line(json_log):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("registry.test").exception("failed")
    (line,) = [line for line in json_log() if line["logger"] == "registry.test"]
    assert line["message"] == "failed"
    assert "ValueError: boom" in line["exception"]
    assert line["request_id"] == "-"
