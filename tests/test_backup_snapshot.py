"""A backup taken while clients write is one snapshot, and a restore checks it against the fingerprint it carries.

Against a real server (gunicorn on a seeded database, SQLite or PostgreSQL as DATABASE_URL says): a client keeps
creating people and their identifiers while scripts/backup runs; the backup restored into a new database holds every
person with its feed entry and history, every identifier with its own, and passes its fingerprint check. A backup
edited after it was written is refused, with nothing restored. Run with ``-s`` to see the figures.
"""

import gzip
import json
import os
import subprocess
import sys
import threading
import time
import uuid

import dj_database_url
import psycopg
import pytest

from tests.live import ROOT, Registry, live_registry, run

pytestmark = pytest.mark.live
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
JOIN_TIMEOUT = 120  # seconds; only guards against a hung test, never asserted on
PREFIX = "snapshot-"

#: What the restored database holds of the people the client created: per person its feed entry and history rows,
#: per identifier its own; printed as one JSON line.
CONSISTENCY = """
import json
from django.contrib.contenttypes.models import ContentType
from registry.changes.feed import model_key
from registry.models import Change, Identifier, Person
PREFIX = "snapshot-"
people = list(Person.objects.filter(slug__startswith=PREFIX).values_list("pk", flat=True))
identifiers = list(Identifier.objects.filter(
    content_type=ContentType.objects.get_for_model(Person), object_id__in=people).values_list("pk", flat=True))
def fed(model, pks):
    return Change.objects.filter(model=model_key(model), object_id__in=pks, type="created").count()
print(json.dumps({
    "people": len(people),
    "people_fed": fed(Person, people),
    "people_history": Person.history.filter(id__in=people).count(),
    "identifiers": len(identifiers),
    "identifiers_fed": fed(Identifier, identifiers),
    "identifiers_history": Identifier.history.filter(id__in=identifiers).count(),
}))
"""


class Writer(threading.Thread):
    """A client creating a person, then its identifier, again and again until told to stop."""

    def __init__(self, registry: Registry):
        super().__init__(daemon=True)
        self.registry, self.stop, self.started, self.failures = registry, threading.Event(), [], []

    def run(self):
        index = 0
        while not self.stop.is_set():
            slug = f"{PREFIX}{index}"
            self.started.append(time.monotonic())
            person = self.registry.request("POST", "/api/v1/people/", {"slug": slug, "name": f"Lê Đồng Thời {index}"})
            if person.status != 201:
                self.failures.append(person.body)
                return
            identifier = self.registry.request(
                "POST", "/api/v1/identifiers/", {"person": slug, "scheme": "hcmc-staff", "identifier": f"NV-{index}"}
            )
            if identifier.status != 201:
                self.failures.append(identifier.body)
                return
            index += 1


def script(name: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - the project's own scripts
        [str(ROOT / "scripts" / name), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


class FreshDatabases:
    """New, empty databases to restore into: SQLite files, or databases on the test's PostgreSQL server."""

    def __init__(self, tmp_path):
        self.tmp_path, self.made = tmp_path, []
        self.config = dj_database_url.parse(os.environ["DATABASE_URL"]) if ON_POSTGRESQL else None

    def _admin(self):
        c = self.config
        return psycopg.connect(
            host=c["HOST"] or "127.0.0.1", port=int(c["PORT"] or 5432), user=c["USER"] or "postgres",
            password=c["PASSWORD"] or None, dbname="postgres", autocommit=True,
        )  # fmt: skip

    def new(self) -> str:
        name = f"restore_{uuid.uuid4().hex[:10]}"
        if not ON_POSTGRESQL:
            return f"sqlite:///{self.tmp_path / (name + '.sqlite3')}"
        name = f"{self.config['NAME']}_{name}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        c = self.config
        return f"postgres://{c['USER'] or 'postgres'}@{c['HOST'] or '127.0.0.1'}:{c['PORT'] or 5432}/{name}"

    def drop(self):
        if self.made:
            with self._admin() as admin:
                for name in self.made:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_databases(tmp_path):
    databases = FreshDatabases(tmp_path)
    yield databases
    databases.drop()


def test_a_backup_taken_during_writes_is_one_snapshot_and_restores_checked(tmp_path, fresh_databases):
    backup = tmp_path / "registry.yaml.gz"
    with live_registry(tmp_path, workers=2) as registry:
        writer = Writer(registry)
        writer.start()
        while len(writer.started) < 5 and writer.is_alive():
            time.sleep(0.05)
        begun = time.monotonic()
        made = script("backup", str(backup), env=registry.env)
        ended = time.monotonic()
        while sum(1 for t in writer.started if t > ended) < 3 and writer.is_alive():
            time.sleep(0.05)
        writer.stop.set()
        writer.join(JOIN_TIMEOUT)
    assert not writer.failures, writer.failures
    assert made.returncode == 0, made.stderr
    during = sum(1 for t in writer.started if begun <= t <= ended)
    assert during >= 1, "no write ran while the backup did: the test proved nothing"

    target = {**registry.env, "DATABASE_URL": fresh_databases.new()}
    restored = script("restore", str(backup), env=target)
    assert restored.returncode == 0, restored.stderr
    held = json.loads(run([sys.executable, "manage.py", "shell", "-c", CONSISTENCY], target).strip().splitlines()[-1])
    print(f"\nbackup {ended - begun:.1f} s, {during} people begun during it; restored: {held}")
    assert "matches the backup's fingerprint" in restored.stdout
    assert held["people"] >= 5
    assert held["people_fed"] == held["people_history"] == held["people"]
    assert held["identifiers_fed"] == held["identifiers_history"] == held["identifiers"]
    # One client, a person then its identifier: a snapshot falls between two of its writes, never inside one.
    assert held["identifiers"] in (held["people"], held["people"] - 1)

    # An edited backup (one person renamed) is refused, naming the difference, and nothing stays restored.
    tampered = tmp_path / "tampered.yaml.gz"
    with gzip.open(backup, "rt", encoding="utf-8") as source, gzip.open(tampered, "wt", encoding="utf-8") as copy:
        copy.write(source.read().replace("Lê Đồng Thời 1\n", "Lê Đồng Thời 1 (sửa)\n", 1))
    second = {**registry.env, "DATABASE_URL": fresh_databases.new()}
    refused = script("restore", str(tampered), env=second)
    assert refused.returncode != 0
    assert "differs from the backup's fingerprint (nothing was restored)" in refused.stderr
    assert "content hash: the backup says" in refused.stderr
    left = json.loads(run([sys.executable, "manage.py", "shell", "-c", CONSISTENCY], second).strip().splitlines()[-1])
    assert left["people"] == 0
