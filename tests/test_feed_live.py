"""The change feed against a real server (gunicorn, PostgreSQL): a restore onto a new PostgreSQL cluster keeps every
follower's cursor and every webhook endpoint's place; a long transaction in another database does not hold a new
write's entry back; and what the counter costs writers under concurrency.

Each test prints its figures for the issue notes; run with ``-s`` to see them.
"""

import contextlib
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import dj_database_url
import psycopg
import pytest

from tests.live import ROOT, STARTUP_TIMEOUT, Registry, free_port, live_registry, run

pytestmark = pytest.mark.live
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
POSTGRES_BIN = Path(os.environ.get("POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
SOON = 2.0  # seconds: "readable right after the write", a generous upper bound that proves "not held back"
LONG_TRANSACTION = 25  # seconds the other database's transaction stays open, at most
CONCURRENT_WRITES, WRITERS = 200, 20
JOIN_TIMEOUT = 300  # seconds; only guards against a hung test, never asserted on

needs_postgresql = pytest.mark.skipif(not ON_POSTGRESQL, reason="server transaction ids are PostgreSQL's")


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    with live_registry(tmp_path_factory.mktemp("feed-live")) as running:
        yield running


def since_now(registry: Registry) -> str:
    now = urllib.parse.quote(datetime.datetime.now(datetime.UTC).isoformat())
    answer = registry.request("GET", f"/api/v1/changes/?since={now}")
    assert answer.status == 200, answer.body
    return answer.body["next_cursor"]


def read_all(registry: Registry, cursor: str | None = None) -> tuple[list[dict], str | None]:
    """Every entry after ``cursor`` (from the start when None), page by page; and the last cursor."""
    seen = []
    while True:
        query = f"?cursor={cursor}&limit=500" if cursor else "?limit=500"
        body = registry.request("GET", f"/api/v1/changes/{query}").body
        seen.extend(body["results"])
        cursor = body["next_cursor"]
        if body["next"] is None:
            return seen, cursor


def new_portfolio(registry: Registry, slug: str) -> None:
    answer = registry.request("POST", "/api/v1/portfolios/", {"slug": slug, "name": slug, "reason": slug})
    assert answer.status == 201, answer.body


def connect(url: str, **options) -> psycopg.Connection:
    config = dj_database_url.parse(url)
    return psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=int(config["PORT"] or 5432),
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname=config["NAME"],
        **options,
    )


# --- a long transaction in another database ------------------------------------------------------------------------


@needs_postgresql
def test_a_long_transaction_in_another_database_does_not_hold_a_write_back(registry):
    other_database = dj_database_url.parse(os.environ["DATABASE_URL"])["NAME"] + "_elsewhere"
    admin = connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{other_database}"')
    admin.execute(f'CREATE DATABASE "{other_database}"')
    try:
        with connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{other_database}") as tenant:
            opened = time.monotonic()
            tenant.execute("SELECT pg_current_xact_id()")  # another tenant's transaction, with an id, left open
            cursor = since_now(registry)
            new_portfolio(registry, "while-another-tenant-works")
            written = time.monotonic()
            found = None
            while found is None and time.monotonic() - written < SOON:
                page = registry.request("GET", f"/api/v1/changes/?cursor={cursor}").body["results"]
                found = next((e for e in page if e["reason"] == "while-another-tenant-works"), None)
                time.sleep(0.05)
            waited = time.monotonic() - written
            still_open = tenant.execute("SELECT now()").fetchone() is not None  # the same transaction, still running
            held = time.monotonic() - opened
            if found is None:  # how long it is held back: until the other transaction ends (or LONG_TRANSACTION)
                while time.monotonic() - opened < LONG_TRANSACTION:
                    time.sleep(0.5)
                tenant.rollback()
                ended = time.monotonic()
                while found is None and time.monotonic() - ended < SOON:
                    page = registry.request("GET", f"/api/v1/changes/?cursor={cursor}").body["results"]
                    found = next((e for e in page if e["reason"] == "while-another-tenant-works"), None)
                print(f"\nfeed entry held back {time.monotonic() - written:.1f} s by another database's transaction")
                pytest.fail(f"the entry was not readable within {SOON} s while another database's transaction ran")
            print(f"\nfeed entry readable {waited:.2f} s after the 201; the other transaction open {held:.1f} s")
            assert still_open
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{other_database}" WITH (FORCE)')
        admin.close()


# --- what the counter costs writers -------------------------------------------------------------------------------


def test_concurrent_writes_all_reach_the_feed_in_one_order(registry):
    """200 writes from 20 clients at once (4 workers): every one acknowledged and in the feed once; the figure is the
    write throughput with the counter (docs/api.md gives the figures)."""
    cursor = since_now(registry)
    slugs = [f"many-{n}" for n in range(CONCURRENT_WRITES)]
    failures: list[str] = []

    def writer(part: list[str]):
        for slug in part:
            try:
                new_portfolio(registry, slug)
            except AssertionError as error:
                failures.append(str(error))

    threads = [threading.Thread(target=writer, args=(slugs[n::WRITERS],)) for n in range(WRITERS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    seconds = time.monotonic() - started
    entries, _ = read_all(registry, cursor)
    reasons = [entry["reason"] for entry in entries if entry["reason"] in set(slugs)]
    print(
        f"\n{CONCURRENT_WRITES} concurrent writes ({WRITERS} clients): {seconds:.2f} s, "
        f"{CONCURRENT_WRITES / seconds:.1f} writes/s, {len(reasons)} feed entries"
    )
    assert failures == []
    assert sorted(reasons) == sorted(slugs)


# --- a restore onto a new PostgreSQL cluster ------------------------------------------------------------------------


@contextlib.contextmanager
def new_cluster():
    """A PostgreSQL cluster of its own (initdb in a temporary folder, its own port): its transaction ids start low."""
    folder = Path(tempfile.mkdtemp(prefix="registry-cluster-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_postgres:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    run(
        [*as_postgres, str(POSTGRES_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
        dict(os.environ),
    )
    server = subprocess.Popen(  # noqa: S603
        [
            *as_postgres,
            str(POSTGRES_BIN / "postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-k",
            str(sockets),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True):
                    break
            except psycopg.OperationalError:
                assert server.poll() is None and time.monotonic() < deadline, "the new cluster did not start"
                time.sleep(0.2)
        yield f"postgres://postgres@127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def gunicorn(env: dict, key: str):
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    registry = Registry(f"http://127.0.0.1:{port}", key, env)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not come up"
            with contextlib.suppress(OSError):
                if registry.request("GET", "/api/v1/portfolios/").status == 200:
                    break
            time.sleep(0.2)
        yield registry
    finally:
        server.terminate()
        server.wait(timeout=30)


def django(registry: Registry, code: str) -> str:
    return run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], registry.env).strip()


ENDPOINT_AT_THE_END = """
from django.contrib.auth.models import User
from registry.changes import webhooks
from registry.models import WebhookEndpoint
owner = User.objects.get(username="live-editor")
endpoint = WebhookEndpoint.objects.create(owner=owner, name="city", url="https://city.example.vn/hook", secret="s",
                                          cursor_position=webhooks.start_position().position)
print(endpoint.pk)
"""
# What the webhook worker would send the endpoint next (its delivery selection), as "model reason" lines.
ENDPOINT_NEXT = """
from registry.changes import feed
from registry.models import WebhookEndpoint
endpoint = WebhookEndpoint.objects.get(name="city")
for entry in feed.entries_after(feed.Position(endpoint.cursor_position), 100):
    print(entry.model, entry.reason)
"""


@needs_postgresql
def test_a_restore_onto_a_new_cluster_keeps_followers_and_webhooks_in_place(registry, tmp_path):
    old_server = connect(registry.env["DATABASE_URL"], autocommit=True)
    # The new cluster's transaction ids must start below the old server's, as they do after a real move: spend ids
    # on the old server if this one is young.
    old_xid = int(old_server.execute("SELECT pg_current_xact_id()::text").fetchone()[0])
    if old_xid < 20_000:
        old_server.execute(
            "CREATE TEMP TABLE spend (n int);"  # noqa: S608 - a number computed here, not input
            f"DO $$ BEGIN FOR i IN 1..{20_000 - old_xid} LOOP"
            " BEGIN INSERT INTO spend VALUES (i); EXCEPTION WHEN OTHERS THEN NULL; END; END LOOP; END $$;"
        )
    for n in range(3):
        new_portfolio(registry, f"before-the-move-{n}")
    before, follower_cursor = read_all(registry)
    django(registry, ENDPOINT_AT_THE_END)
    old_xid = int(old_server.execute("SELECT pg_current_xact_id()::text").fetchone()[0])
    old_server.close()
    backup = tmp_path / "registry.yaml.gz"
    run(["scripts/backup", str(backup)], registry.env)

    with new_cluster() as server:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute("CREATE DATABASE registry")
        env = {**registry.env, "DATABASE_URL": f"{server}/registry"}
        run(["scripts/restore", str(backup)], env)
        with gunicorn(env, registry.key) as moved:
            with connect(env["DATABASE_URL"], autocommit=True) as new_server:
                new_xid = int(new_server.execute("SELECT pg_current_xact_id()::text").fetchone()[0])
            assert new_xid < old_xid  # the situation of the finding: the new server counts from lower down
            assert read_all(moved)[0] == before  # the restored feed, in the same order, with the same cursors
            new_portfolio(moved, "after-the-move")

            after, _ = read_all(moved, follower_cursor)
            everything, _ = read_all(moved)
            pending = django(moved, ENDPOINT_NEXT).splitlines()
    print(
        f"\nrestore onto a new cluster: old server's transaction id {old_xid}, new one's {new_xid}; the follower got "
        f"{[entry['reason'] for entry in after]}, the endpoint has {pending} to deliver"
    )
    assert [entry["reason"] for entry in after] == ["after-the-move"]
    assert everything[-1]["reason"] == "after-the-move" and everything[:-1] == before
    assert pending == ["portfolio after-the-move"]
