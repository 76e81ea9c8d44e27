"""Secure by default: DEBUG off means production settings, `.env` is read, weak keys stop a server, CORS, CSP."""

import base64
import hashlib
import json
import re
import subprocess

import pytest
from django.test import override_settings

from registry.api.throttling import RATE_LIMIT_HEADERS
from registry.http.security import inline_script_hashes, secret_key_problem
from tests.factories import PersonFactory
from tests.helpers import detail_url
from tests.processes import PYTHON, ROOT, clean_env, get, gunicorn, manage, strong_key

PRODUCTION = {"DEBUG": "0", "ALLOWED_HOSTS": "registry.example.org"}
HTTPS_SETTINGS = ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS")


def settings_of(env: dict[str, str]) -> dict:
    """The settings a process with exactly this environment gets."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({name: getattr(s, name) for name in "
        "['DEBUG', 'ALLOWED_HOSTS', 'CSRF_TRUSTED_ORIGINS', 'CORS_ALLOWED_ORIGINS', 'SECURE_SSL_REDIRECT', "
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER', "
        "'CACHES', 'TIME_ZONE']}, default=str))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [PYTHON, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_passes_with_only_debug_secret_key_and_allowed_hosts():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=clean_env(**PRODUCTION, SECRET_KEY=strong_key())
    )
    assert "System check identified no issues" in result.stdout


def test_production_settings_are_https_only():
    values = settings_of(clean_env(**PRODUCTION, SECRET_KEY=strong_key()))
    assert all(values[name] for name in HTTPS_SETTINGS), values
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_https_only_false_turns_the_https_settings_off_and_check_deploy_says_so():
    env = clean_env(**PRODUCTION, SECRET_KEY=strong_key(), HTTPS_ONLY="false")
    values = settings_of(env)
    assert not any(values[name] for name in HTTPS_SETTINGS), values
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, check=False)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.mark.parametrize(
    "key",
    ["change-me", "x" * 20, "change-me-" + "a1b2c3d4e5" * 6, "aaaaabbbbbaaaaabbbbbaaaaabbbbbaaaaabbbbbaaaaabbbbb"],
    ids=["placeholder", "short", "long-placeholder", "few-characters"],
)
def test_weak_secret_keys_are_recognised(key):
    assert secret_key_problem(key)


def test_a_generated_key_is_good():
    assert secret_key_problem(strong_key()) is None


def test_a_weak_key_stops_the_wsgi_application_with_advice():
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [PYTHON, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=clean_env(**PRODUCTION, SECRET_KEY="change-me"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is a placeholder value" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


def test_a_weak_key_stops_gunicorn_before_it_serves():
    env = clean_env(**PRODUCTION, SECRET_KEY="change-me", GUNICORN_BIND="127.0.0.1:8819")
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "refusing to start with DEBUG off" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


def test_check_deploy_names_a_long_placeholder_key():
    env = clean_env(**PRODUCTION, SECRET_KEY="change-me-" + "a1b2c3d4e5" * 6)
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, check=False)
    assert result.returncode != 0
    assert "registry.E001" in result.stderr


def test_a_missing_key_with_debug_off_says_what_to_do():
    result = manage("check", env=clean_env(**PRODUCTION), check=False)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert ".env" in result.stderr


def test_settings_read_a_dotenv_file_and_the_environment_wins(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        f"DEBUG=0\nSECRET_KEY={strong_key()}\nALLOWED_HOSTS=from-dotenv.example\n"
        "CSRF_TRUSTED_ORIGINS=https://registry.example.org\nCORS_ALLOWED_ORIGINS=https://portal.example.org\n"
        "TIME_ZONE=UTC\n"
    )
    values = settings_of({**clean_env(), "ENV_FILE": str(dotenv)})
    assert values["ALLOWED_HOSTS"] == ["from-dotenv.example"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://registry.example.org"]
    assert values["CORS_ALLOWED_ORIGINS"] == ["https://portal.example.org"]
    assert values["DEBUG"] is False
    values = settings_of({**clean_env(), "ENV_FILE": str(dotenv), "TIME_ZONE": "Asia/Ho_Chi_Minh"})
    assert values["TIME_ZONE"] == "Asia/Ho_Chi_Minh"


def test_redis_url_makes_the_cache_shared():
    values = settings_of(clean_env(**PRODUCTION, SECRET_KEY=strong_key(), REDIS_URL="redis://127.0.0.1:6379/5"))
    assert values["CACHES"]["default"]["BACKEND"] == "registry.http.failsoft_cache.FailSoftRedisCache"
    values = settings_of(clean_env(**PRODUCTION, SECRET_KEY=strong_key()))
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def variables_read_by(path) -> set[str]:
    text = (ROOT / path).read_text()
    pattern = r"""(?:env(?:\.\w+)?|env_bool|env_list|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
    return set(re.findall(pattern, text))


def test_env_example_documents_every_variable():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    read = variables_read_by("config/settings.py") | variables_read_by("config/gunicorn.conf.py")
    assert read, "the pattern finds the settings' variables"
    assert read - documented == set()


def test_gunicorn_serves_plain_http_only_when_told(tmp_path):
    db = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = clean_env(DEBUG="0", ALLOWED_HOSTS="127.0.0.1", SECRET_KEY=strong_key(), DATABASE_URL=db)
    manage("migrate", "--noinput", "-v0", env=env)
    with gunicorn(8818, env) as base:
        status, headers, _ = get(f"{base}/api/v1/portfolios/")
        assert status == 301
        assert headers["Location"] == "https://127.0.0.1:8818/api/v1/portfolios/"
        status, headers, _ = get(f"{base}/api/v1/portfolios/", {"X-Forwarded-Proto": "https"})
        assert status == 200
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
        assert get(f"{base}/readyz")[0] == 200  # probes are exempt from the redirect


# --- CORS -----------------------------------------------------------------------------------------------------------

PORTAL = "https://portal.example.org"


@pytest.mark.django_db
@override_settings(CORS_ALLOWED_ORIGINS=[PORTAL])
def test_cors_allows_the_listed_origins_only(client):
    preflight = client.options(
        "/api/v1/organizations/",
        HTTP_ORIGIN=PORTAL,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == PORTAL
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    response = client.get("/api/v1/organizations/", HTTP_ORIGIN=PORTAL)
    assert response["Access-Control-Allow-Origin"] == PORTAL
    assert "X-Request-ID" in response["Access-Control-Expose-Headers"]
    assert "RateLimit-Remaining" in response["Access-Control-Expose-Headers"]

    other = client.get("/api/v1/organizations/", HTTP_ORIGIN="https://evil.example.com")
    assert "Access-Control-Allow-Origin" not in other
    admin = client.get("/admin/login/", HTTP_ORIGIN=PORTAL)
    assert "Access-Control-Allow-Origin" not in admin  # only the API is shared


@pytest.mark.django_db
@override_settings(CORS_ALLOWED_ORIGINS=[PORTAL])
def test_cors_lets_a_portal_write_conditionally(editor_client):
    """A script on the portal reads a record's ETag, then PATCHes with If-Match: the preflight and both answers pass."""
    person = PersonFactory()
    url = detail_url("person", person.slug)
    preflight = editor_client.options(
        url,
        HTTP_ORIGIN=PORTAL,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type,if-match",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == PORTAL
    allowed = {header.strip() for header in preflight["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "if-match", "if-none-match"} <= allowed
    assert "PATCH" in preflight["Access-Control-Allow-Methods"]

    read = editor_client.get(url, HTTP_ORIGIN=PORTAL)
    exposed = {header.strip() for header in read["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Last-Modified", "Retry-After", "Count-Exact", *RATE_LIMIT_HEADERS} <= exposed
    write = editor_client.patch(
        url, {"given_name": "Mới"}, format="json", HTTP_ORIGIN=PORTAL, HTTP_IF_MATCH=read["ETag"]
    )
    assert write.status_code == 200, write.content
    assert write["Access-Control-Allow-Origin"] == PORTAL
    assert write["ETag"] != read["ETag"]
    stale = editor_client.patch(
        url, {"given_name": "Cũ"}, format="json", HTTP_ORIGIN=PORTAL, HTTP_IF_MATCH=read["ETag"]
    )
    assert stale.status_code == 412
    assert stale["Access-Control-Allow-Origin"] == PORTAL  # the script can read why, and the current ETag
    assert stale["ETag"] == write["ETag"]


@pytest.mark.django_db
def test_no_cross_origin_access_by_default(client):
    response = client.get("/api/v1/organizations/", HTTP_ORIGIN=PORTAL)
    assert "Access-Control-Allow-Origin" not in response


# --- Security headers -----------------------------------------------------------------------------------------------


def script_src(policy: str) -> str:
    return next(part for part in policy.split(";") if part.strip().startswith("script-src"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/", "/admin/login/"])
def test_html_pages_have_a_strict_content_security_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in script_src(policy)
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    for body in re.findall(rb"<script(?![^>]*src=)[^>]*>(.*?)</script>", response.content, re.DOTALL):
        if body.strip():
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            assert f"'sha256-{digest}'" in script_src(policy), "every inline script is allowed by its hash"


def test_swagger_ui_inline_script_is_hashed():
    html = b'<script src="/x.js"></script><script>\nstart();\n</script>'
    (expected,) = inline_script_hashes(html)
    assert expected == "'sha256-" + base64.b64encode(hashlib.sha256(b"\nstart();\n").digest()).decode() + "'"


@pytest.mark.django_db
def test_json_answers_allow_nothing_to_load(client):
    response = client.get("/api/v1/organizations/")
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response["Referrer-Policy"] == "same-origin"
