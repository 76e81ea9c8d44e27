"""The fail-soft Redis cache in this process (registry/failsoft_cache.py): every call answers as an empty cache would
while Redis is unreachable, the outage is logged once, and once when Redis answers again.

The live tests (tests/test_live_cache.py) meet the same backend through gunicorn; these call each method directly.
"""

import contextlib
import logging
import os
import socket
import threading
from urllib.parse import urlsplit

import pytest

from registry.http.failsoft_cache import FailSoftRedisCache, MissingKey
from tests.live import free_port

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/14"
LOGGER = "registry.http.failsoft_cache"


def cache_at(port: int, retry_seconds: float = 60) -> FailSoftRedisCache:
    """A cache at ``port`` of this host, in the database REDIS_URL names (the tests' own, once Redis is reached)."""
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "retry_seconds": retry_seconds}
    location = f"redis://127.0.0.1:{port}{urlsplit(REDIS_URL).path or '/0'}"
    return FailSoftRedisCache(location, {"OPTIONS": options, "KEY_PREFIX": f"failsoft-test-{port}"})


def outage_warnings(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER]


# Each method with its arguments and what an empty cache answers.
EMPTY_ANSWERS = [
    ("get", ("key", "fallback"), "fallback"),
    ("add", ("key", 1), False),
    ("set", ("key", 1), None),
    ("touch", ("key",), False),
    ("delete", ("key",), False),
    ("get_many", (["a", "b"],), {}),
    ("has_key", ("key",), False),
    ("set_many", ({"a": 1, "b": 2},), ["a", "b"]),
    ("delete_many", (["a", "b"],), None),
    ("clear", (), False),
]


@pytest.mark.parametrize(("method", "arguments", "empty"), EMPTY_ANSWERS, ids=[m for m, _, _ in EMPTY_ANSWERS])
def test_redis_down_answers_as_an_empty_cache_and_logs_the_outage_once(caplog, method, arguments, empty):
    cache = cache_at(free_port())  # nothing listens there: each connection is refused
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        assert getattr(cache, method)(*arguments) == empty
        assert cache.degraded
        assert getattr(cache, method)(*arguments) == empty  # the remembered outage: not tried again, not logged again
    warnings = outage_warnings(caplog)
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith("cache unavailable (ConnectionError")


def test_incr_of_an_unreachable_cache_is_a_missing_key():
    cache = cache_at(free_port())
    with pytest.raises(MissingKey, match="'hits' not found"):
        cache.incr("hits")
    with pytest.raises(ValueError):  # what a caller of Django's incr already catches
        cache.incr("hits")


class Forwarder:
    """A TCP port that forwards every connection to the real Redis: Redis "comes back" when it starts listening."""

    def __init__(self, port: int, target: tuple[str, int]):
        self.port, self.target = port, target
        self.listener = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target, timeout=5)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.listener.close()


def redis_address() -> tuple[str, int] | None:
    parts = urlsplit(REDIS_URL)
    address = (parts.hostname or "127.0.0.1", parts.port or 6379)
    try:
        with socket.create_connection(address, timeout=1) as probe:
            probe.sendall(b"PING\r\n")
            return address if probe.recv(16).startswith(b"+PONG") else None
    except OSError:
        return None


@pytest.mark.skipif(
    redis_address() is None and not os.environ.get("REQUIRE_REDIS"), reason=f"no Redis at {REDIS_URL} (CI provides one)"
)
def test_redis_back_is_used_again_and_logged_once(caplog):
    port = free_port()
    cache = cache_at(port, retry_seconds=0)  # try Redis again on the next call
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        cache.set("kept", "before")  # refused: nothing listens yet
        assert cache.get("kept", "empty") == "empty"
        forwarder = Forwarder(port, redis_address())
        try:
            cache.set("kept", "after")
            assert cache.get("kept") == "after"
            assert not cache.degraded
            assert cache.has_key("kept") and cache.delete("kept")
        finally:
            forwarder.close()
    warnings = outage_warnings(caplog)
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("cache unavailable") and warnings[1] == "cache available again"
