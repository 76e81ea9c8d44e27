"""Rate limits: keyed by an address a client cannot forge, shared across processes through Redis, failed credentials
limited per address, the admin login locked out after repeated failures, and 429s that say when to come back."""

import os
import uuid

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.helpers import assert_error
from tests.processes import clean_env, get, gunicorn, manage, strong_key

pytestmark = pytest.mark.django_db
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture
def rates(settings):
    """Set the throttle rates for one test, with fresh counters."""

    def set_rates(**rates):
        base = {"anon": "100000/minute", "user": "100000/minute", "auth_failure": "100000/minute"}
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**base, **rates}}

    cache.clear()
    yield set_rates
    cache.clear()


def statuses(responses) -> list[int]:
    return [response.status_code for response in responses]


def test_a_429_says_when_to_come_back_in_the_error_shape(rates):
    rates(anon="3/minute")
    client = APIClient()
    responses = [client.get("/api/v1/portfolios/") for _ in range(4)]
    assert statuses(responses) == [200, 200, 200, 429]
    assert [r["RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
    assert all(r["RateLimit-Limit"] == "3" for r in responses)
    refused = responses[-1]
    body = assert_error(refused, 429)
    assert body["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    assert 0 < int(refused["RateLimit-Reset"]) <= 60


def test_a_forged_x_forwarded_for_buys_no_requests(rates):
    rates(anon="5/minute")
    client = APIClient()
    forged = [client.get("/api/v1/portfolios/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}") for n in range(10)]
    assert statuses(forged) == [200] * 5 + [429] * 5


def test_behind_trusted_proxies_the_proxys_view_of_the_client_counts(rates, settings):
    rates(anon="3/minute")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = APIClient()
    # The client forges the start of the header; the trusted proxy appends the address it saw: that one counts.
    same_client = [
        client.get("/api/v1/portfolios/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.7", REMOTE_ADDR="10.9.9.9")
        for n in range(5)
    ]
    assert statuses(same_client) == [200, 200, 200, 429, 429]
    another = client.get("/api/v1/portfolios/", HTTP_X_FORWARDED_FOR="203.0.113.8", REMOTE_ADDR="10.9.9.9")
    assert another.status_code == 200


def test_failed_credentials_are_limited_per_address(rates):
    rates(auth_failure="3/minute")
    good_key = issue_key("throttle-test")
    attacker = APIClient(REMOTE_ADDR="198.51.100.1")
    tries = [attacker.get("/api/v1/portfolios/", HTTP_AUTHORIZATION=f"Api-Key wrong-{n}") for n in range(5)]
    assert statuses(tries) == [401, 401, 401, 429, 429]
    assert_error(tries[-1], 429)
    assert int(tries[-1]["Retry-After"]) > 0
    # Even a valid key is not checked from that address until the window ends ...
    assert attacker.get("/api/v1/portfolios/", HTTP_AUTHORIZATION=f"Api-Key {good_key}").status_code == 429
    # ... anonymous reading goes on, and other addresses are not affected.
    assert attacker.get("/api/v1/portfolios/").status_code == 200
    other = APIClient(REMOTE_ADDR="198.51.100.2")
    assert other.get("/api/v1/portfolios/", HTTP_AUTHORIZATION=f"Api-Key {good_key}").status_code == 200


def issue_key(name: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("create_system_account", name, "--group", "editor", stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_successful_credentials_are_not_counted_as_failures(rates):
    rates(auth_failure="2/minute")
    key = issue_key("busy-system")
    client = APIClient(REMOTE_ADDR="198.51.100.3")
    assert (
        statuses(client.get("/api/v1/portfolios/", HTTP_AUTHORIZATION=f"Api-Key {key}") for _ in range(5)) == [200] * 5
    )


# --- The admin login locks out ----------------------------------------------------------------------------------------


def test_the_admin_login_locks_out_after_repeated_failures_and_staff_can_unlock(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    User.objects.create_user("clerk", password="right-password-123", is_staff=True)
    login = "/admin/login/?next=/admin/"
    failures = [client.post(login, {"username": "clerk", "password": f"wrong-{n}"}) for n in range(3)]
    assert statuses(failures) == [200, 200, 429]  # the third failure locks
    # Locked: even the right password is refused.
    assert client.post(login, {"username": "clerk", "password": "right-password-123"}).status_code == 429
    attempt = AccessAttempt.objects.get(username="clerk")
    assert attempt.failures_since_start >= 3

    # A staff member unlocks it (the admin's "Access attempts" list: delete the attempt; or `manage.py axes_reset`).
    admin = User.objects.create_superuser("root", "root@example.com", "root-password-123")
    staff = type(client)()
    staff.force_login(admin)
    response = staff.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="clerk").exists()
    assert client.post(login, {"username": "clerk", "password": "right-password-123"}).status_code == 302


# --- Across processes: two gunicorn servers sharing Redis -------------------------------------------------------------


def redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


@pytest.fixture(scope="module")
def served_database(tmp_path_factory):
    path = tmp_path_factory.mktemp("throttle") / "db.sqlite3"
    env = clean_env(DEBUG="0", SECRET_KEY=strong_key(), DATABASE_URL=f"sqlite:///{path}")
    manage("migrate", "--noinput", "-v0", env=env)
    return f"sqlite:///{path}"


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    return clean_env(
        DEBUG="0",
        HTTPS_ONLY="false",
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        THROTTLE_ANON="20/hour",
        ACCESS_LOG_LEVEL="WARNING",
        **extra,
    )


def forty_requests(bases: list[str]) -> list[int]:
    """40 anonymous reads, alternating between the servers, each with a different forged X-Forwarded-For."""
    return [
        get(f"{bases[n % len(bases)]}/api/v1/portfolios/", {"X-Forwarded-For": f"10.1.{n}.{n}"})[0] for n in range(40)
    ]


@pytest.mark.skipif(
    not redis_reachable() and not os.environ.get("REQUIRE_REDIS"), reason=f"no Redis at {REDIS_URL} (CI provides one)"
)
def test_a_limit_holds_across_two_servers_sharing_redis(served_database):
    env = server_env(served_database, REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=f"test-{uuid.uuid4().hex}")
    with gunicorn(8831, env, workers=2) as first, gunicorn(8832, env, workers=2) as second:
        results = forty_requests([first, second])
    print(f"\nshared Redis, 2 servers x 2 workers, 20/hour: {results.count(200)} allowed, {results.count(429)} refused")
    assert results.count(200) == 20
    assert results.count(429) == 20
    assert results[:20] == [200] * 20  # the 21st request is the first refused, whichever server gets it


def test_without_redis_each_process_counts_alone(served_database):
    """The documented limitation of the fallback: per-process memory, so two servers let twice the limit through."""
    env = server_env(served_database)
    with gunicorn(8833, env) as first, gunicorn(8834, env) as second:
        results = forty_requests([first, second])
    print(f"\nno Redis, 2 single-worker servers, 20/hour: {results.count(200)} allowed, {results.count(429)} refused")
    assert results.count(200) == 40
