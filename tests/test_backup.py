"""Moving the whole registry, history included, from SQLite to PostgreSQL with scripts/backup and scripts/restore."""

import os
import subprocess
import uuid

import pytest

from tests.processes import ROOT, clean_env, manage, strong_key

ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect(ADMIN_URL, connect_timeout=2).close()
        return True
    except Exception:
        return False


pytestmark = pytest.mark.skipif(
    not postgres_reachable() and not os.environ.get("REQUIRE_POSTGRES"),
    reason="no PostgreSQL on 127.0.0.1:5432 (CI provides one)",
)


@pytest.fixture
def postgres_database():
    import psycopg

    name = f"prod_helper_backup_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def script(name: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the project's own scripts
        [str(ROOT / "scripts" / name), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def fingerprint_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("rows: ", "sha256: "))]


CHANGES = """
from registry.models import Organization
org = Organization.objects.order_by("pk").first()
org._change_reason = "renamed for the backup test"
org.name_en = (org.name_en or "") + " (edited)"
org.save()
"""


def test_the_registry_moves_from_sqlite_to_postgresql_with_its_history(tmp_path, postgres_database):
    key = strong_key()
    source = clean_env(DEBUG="0", SECRET_KEY=key, DATABASE_URL=f"sqlite:///{tmp_path / 'source.sqlite3'}")
    manage("migrate", "--noinput", "-v0", env=source)
    manage("load_seeds", env=source)
    manage("create_system_account", "hcmc-portal", "--group", "editor", env=source)
    manage(
        "createsuperuser",
        "--noinput",
        "--username",
        "root",
        "--email",
        "root@example.org",
        env={**source, "DJANGO_SUPERUSER_PASSWORD": "a-long-password-123"},
    )
    manage("shell", "-c", CHANGES, env=source)

    backup = tmp_path / "registry.yaml.gz"
    made = script("backup", str(backup), env=source)
    assert made.returncode == 0, made.stderr
    assert backup.stat().st_size > 0

    target = {**source, "DATABASE_URL": postgres_database}
    restored = script("restore", str(backup), env=target)
    assert restored.returncode == 0, restored.stderr

    before = manage("registry_fingerprint", env=source).stdout
    after = manage("registry_fingerprint", env=target).stdout
    print(f"\nSQLite:     {' | '.join(fingerprint_lines(before))}\nPostgreSQL: {' | '.join(fingerprint_lines(after))}")
    assert after == before  # every model's count, and the content hash
    assert fingerprint_lines(restored.stdout) == fingerprint_lines(before)
    counts = dict(line.split(": ") for line in before.splitlines())
    assert int(counts["registry.historicalorganization"]) > int(counts["registry.organization"])  # history moved too
    assert int(counts["registry.systemkey"]) == 1

    # The moved database works: new rows get fresh ids (sequences were reset), and a second restore is refused.
    manage("create_system_account", "another-system", "--group", "reader", env=target)
    again = script("restore", str(backup), env=target)
    assert again.returncode != 0
    assert "already holds registry data" in again.stderr
