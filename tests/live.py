"""A real registry for tests that must prove what users meet: gunicorn workers on loopback, a seeded database of its
own (a SQLite file, or a new PostgreSQL database beside the test database), clients speaking HTTP, and a TCP relay
to PostgreSQL that a test can cut to simulate an outage."""

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import dj_database_url
import psycopg

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 60  # seconds; guards against a server that never comes up, never asserted on


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: dict
    body: dict | list | None


@dataclass
class Registry:
    """A running registry: its base URL, an editor's API key, and the environment its processes run with."""

    base: str
    key: str
    env: dict
    relay: "Relay | None" = None

    def request(self, method: str, path: str, body=None, headers: dict | None = None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)  # noqa: S310 - http, loopback
        request.add_header("Authorization", f"Api-Key {self.key}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
                return _answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as error:
            return _answer(error.code, error.headers, error.read())

    def manage(self, *args: str) -> str:
        return run([sys.executable, "manage.py", *args], self.env)


def _answer(status: int, headers, payload: bytes) -> Answer:
    try:
        body = json.loads(payload) if payload else None
    except ValueError:
        body = {"unparsed": payload[:200].decode(errors="replace")}
    return Answer(status, {k.lower(): v for k, v in headers.items()}, body)


def run(command: list[str], env: dict) -> str:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@contextlib.contextmanager
def live_registry(tmp_path: Path, *, workers: int = 4, extra_env: dict | None = None):
    """Start a seeded registry under gunicorn; on PostgreSQL through a relay that a test can cut.

    ``extra_env`` is added to the environment of every process (e.g. a ``REDIS_URL``)."""
    test_url = os.environ.get("DATABASE_URL", "")
    relay, database = None, None
    if test_url.startswith(("postgres://", "postgresql://")):
        config = dj_database_url.parse(test_url)
        database = f"{config['NAME']}_live_{os.getpid()}"
        admin = _admin_connection(config)
        admin.execute(f'CREATE DATABASE "{database}"')
        relay = Relay(config["HOST"] or "127.0.0.1", int(config["PORT"] or 5432))
        relay.start()
        user = config["USER"] or "postgres"
        url = f"postgres://{user}@127.0.0.1:{relay.port}/{database}"
    else:
        url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(50),  # production settings refuse a weak key
        "DEBUG": "0",
        "HTTPS_ONLY": "false",  # plain HTTP on loopback
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "THROTTLE_ANON": "1000000/minute",
        "THROTTLE_USER": "1000000/minute",
        # Kept answers on, as in production: the races below also prove that no read is answered from a stale copy.
        "ANSWER_CACHE_SECONDS": "300",
        "REQUEST_LOG_LEVEL": "CRITICAL",
        "LOG_LEVEL": "ERROR",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_ACCESSLOG": "",
        **(extra_env or {}),
    }
    run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
    run([sys.executable, "manage.py", "load_seeds"], env)
    key = run([sys.executable, "manage.py", "create_system_account", "live-editor", "--group", "editor"], env)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    registry = Registry(f"http://127.0.0.1:{port}", key.strip().splitlines()[-1], env, relay)
    try:
        _wait_until_up(registry, server)
        yield registry
    finally:
        server.terminate()
        server.wait(timeout=30)
        if relay is not None:
            relay.stop()
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.close()


def _admin_connection(config: dict) -> psycopg.Connection:
    return psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=int(config["PORT"] or 5432),
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _wait_until_up(registry: Registry, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        with contextlib.suppress(OSError):
            if registry.request("GET", "/api/v1/portfolios/").status == 200:
                return
        time.sleep(0.2)
    raise AssertionError("the registry did not come up")


@dataclass
class Relay:
    """A TCP relay to the database that can be cut (every connection dropped, new ones refused) and restored."""

    upstream_host: str
    upstream_port: int
    port: int = field(default_factory=free_port)
    _listener: socket.socket | None = None
    _sockets: set = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """The outage: the listener closes and every open connection is dropped."""
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection((self.upstream_host, self.upstream_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets |= {client, upstream}
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, target), daemon=True).start()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)
