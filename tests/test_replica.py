"""Reads scale out: with DATABASE_REPLICA_URL, reads go to the replica, writes and the reads of a writing request go
to the primary. A second PostgreSQL database, copied from the primary and then left behind, stands in for a replica
(so a read that reaches it cannot see what was written after the copy)."""

import json
import os
import uuid

import psycopg
import pytest

from registry.http.routers import PrimaryReplicaRouter
from tests.processes import clean_env, get, gunicorn, manage, strong_key

ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_reachable() -> bool:
    try:
        psycopg.connect(ADMIN_URL, connect_timeout=2).close()
        return True
    except Exception:
        return False


@pytest.fixture
def primary_and_replica():
    suffix = uuid.uuid4().hex[:10]
    primary, replica = f"prod_helper_primary_{suffix}", f"prod_helper_replica_{suffix}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{primary}"')
    try:
        yield primary, replica
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            for name in (primary, replica):
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


@pytest.mark.skipif(
    not postgres_reachable() and not os.environ.get("REQUIRE_POSTGRES"),
    reason="no PostgreSQL on 127.0.0.1:5432 (CI provides one)",
)
def test_reads_go_to_the_replica_and_a_writing_request_reads_the_primary(primary_and_replica):
    primary, replica = primary_and_replica
    env = clean_env(
        DEBUG="0",
        HTTPS_ONLY="false",
        SECRET_KEY=strong_key(),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=pg(primary),
        ACCESS_LOG_LEVEL="WARNING",
    )
    manage("migrate", "--noinput", "-v0", env=env)
    manage("load_seeds", env=env)
    key = manage("create_system_account", "replica-test", "--group", "editor", env=env).stdout.strip().splitlines()[-1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:  # the replica: a copy taken now, never updated
        connection.execute(f'CREATE DATABASE "{replica}" TEMPLATE "{primary}"')

    auth = {"Authorization": f"Api-Key {key}", "Content-Type": "application/json"}
    with gunicorn(8836, {**env, "DATABASE_REPLICA_URL": pg(replica)}) as base:
        body = json.dumps({"slug": "replica-test", "name": "Thử nghiệm", "name_en": "Replica test"}).encode()
        status, _, _ = get(f"{base}/api/v1/portfolios/", auth, method="POST", data=body)
        assert status == 201
        # A later read is served by the replica, which does not have the new record ...
        assert get(f"{base}/api/v1/portfolios/replica-test/")[0] == 404
        # ... while a writing request looks the record up on the primary (from the replica it would be a 404).
        patch = json.dumps({"name_en": "Replica test, renamed"}).encode()
        status, _, answer = get(f"{base}/api/v1/portfolios/replica-test/", auth, method="PATCH", data=patch)
        assert status == 200, answer
        assert json.loads(answer)["name_en"] == "Replica test, renamed"
        assert get(f"{base}/readyz")[0] == 200

    with psycopg.connect(pg(primary)) as connection:
        (name_en,) = connection.execute("SELECT name_en FROM registry_portfolio WHERE slug = 'replica-test'").fetchone()
        (history,) = connection.execute(
            "SELECT count(*) FROM registry_historicalportfolio WHERE slug = 'replica-test'"
        ).fetchone()
    assert name_en == "Replica test, renamed"
    assert history == 2  # created, changed: both on the primary
    with psycopg.connect(pg(replica)) as connection:
        assert connection.execute("SELECT count(*) FROM registry_portfolio WHERE slug = 'replica-test'").fetchone() == (
            0,
        )


def test_only_the_primary_is_migrated():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "registry")
    assert not router.allow_migrate("replica", "registry")
