"""A Redis cache that fails soft: when Redis is down or slow, every call answers as an empty cache would.

Everything the registry keeps in its cache (kept answers, rate-limit counters) can be computed again, so an outage
must cost time, never an answer. Each call is bounded by the short socket timeouts in settings
(``CACHE_CONNECT_TIMEOUT``, ``CACHE_TIMEOUT``); after a failure the backend remembers the outage for
``CACHE_RETRY_SECONDS`` and answers "empty" at once instead of waiting again on every request (a circuit breaker, per
process). The outage is logged once when it starts and once when Redis answers again, never once per request.
``/readyz`` asks :func:`ping` and names the cache as degraded.

An empty cache's ``get`` gives the default, ``add``/``touch``/``delete``/``has_key`` give False, ``get_many`` gives
nothing and ``incr`` raises ``ValueError`` (the key is missing); ``set`` and friends do nothing.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

#: What an unreachable or slow Redis raises (redis-py wraps socket errors in these; OSError for the rest).
OUTAGES = (RedisConnectionError, RedisTimeoutError, OSError)


class Outage:
    """Whether one Redis server is known to be down, and since when (shared by every alias that uses it)."""

    def __init__(self, location: str):
        self.location = location
        self.lock = threading.Lock()
        self.retry_at = 0.0  # time.monotonic() from which the next call tries Redis again
        self.down = False

    def open(self) -> bool:
        """Redis failed a moment ago: skip it without waiting (until the retry time)."""
        return self.down and time.monotonic() < self.retry_at

    def failed(self, error: Exception, retry_seconds: float) -> None:
        with self.lock:
            self.retry_at = time.monotonic() + retry_seconds
            if not self.down:
                self.down = True
                logger.warning(
                    "cache unavailable (%s: %s): answering as if it were empty, retrying every %ss",
                    type(error).__name__,
                    error,
                    retry_seconds,
                )

    def answered(self) -> None:
        if self.down:
            with self.lock:
                if self.down:
                    self.down = False
                    logger.warning("cache available again")


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_of(location: str) -> Outage:
    with _outages_lock:
        return _outages.setdefault(location, Outage(location))


class MissingKey(ValueError):
    """``incr`` of a key an empty cache does not hold (the cache is unavailable)."""


class FailSoftRedisCache(RedisCache):
    """Django's Redis cache, answering as an empty cache while Redis is unreachable or slow (module notes).

    OPTIONS: ``retry_seconds`` (how long an outage is remembered), besides redis-py's socket timeouts.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("retry_seconds", 5))
        super().__init__(server, {**params, "OPTIONS": options})
        self.outage = outage_of(str(server))

    @property
    def degraded(self) -> bool:
        """Redis failed a moment ago (and is not being tried until the retry time)."""
        return self.outage.open()

    def _soft(self, call, empty):
        if self.outage.open():
            return empty()
        try:
            result = call()
        except OUTAGES as error:
            self.outage.failed(error, self.retry_seconds)
            return empty()
        self.outage.answered()
        return result

    def ping(self) -> bool:
        """Whether Redis answers now (one PING, bounded by the socket timeouts); ignores the remembered outage."""
        try:
            self._cache.get_client(write=True).ping()
        except OUTAGES as error:
            self.outage.failed(error, self.retry_seconds)
            return False
        self.outage.answered()
        return True

    def add(self, key, value, timeout=None, version=None):
        return self._soft(lambda: super(FailSoftRedisCache, self).add(key, value, timeout, version), lambda: False)

    def get(self, key, default=None, version=None):
        return self._soft(lambda: super(FailSoftRedisCache, self).get(key, default, version), lambda: default)

    def set(self, key, value, timeout=None, version=None):
        self._soft(lambda: super(FailSoftRedisCache, self).set(key, value, timeout, version), lambda: None)

    def touch(self, key, timeout=None, version=None):
        return self._soft(lambda: super(FailSoftRedisCache, self).touch(key, timeout, version), lambda: False)

    def delete(self, key, version=None):
        return self._soft(lambda: super(FailSoftRedisCache, self).delete(key, version), lambda: False)

    def get_many(self, keys, version=None):
        return self._soft(lambda: super(FailSoftRedisCache, self).get_many(keys, version), dict)

    def has_key(self, key, version=None):
        return self._soft(lambda: super(FailSoftRedisCache, self).has_key(key, version), lambda: False)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise MissingKey(f"Key '{key}' not found (the cache is unavailable)")

        return self._soft(lambda: super(FailSoftRedisCache, self).incr(key, delta, version), missing)

    def set_many(self, data, timeout=None, version=None):
        # An empty cache that cannot store reports every key as not stored.
        return self._soft(lambda: super(FailSoftRedisCache, self).set_many(data, timeout, version), lambda: list(data))

    def delete_many(self, keys, version=None):
        self._soft(lambda: super(FailSoftRedisCache, self).delete_many(keys, version), lambda: None)

    def clear(self):
        return self._soft(lambda: super(FailSoftRedisCache, self).clear(), lambda: False)


def state(aliases) -> str:
    """``ok`` or ``unavailable`` for /readyz: one PING per Redis server behind the aliases (memory caches are ok)."""
    servers = {}
    for cache in aliases:
        if isinstance(cache, FailSoftRedisCache):
            servers.setdefault(cache.outage.location, cache)
    return "ok" if all(cache.ping() for cache in servers.values()) else "unavailable"
