"""Rate limits that hold across processes and hosts, keyed by an address a client cannot forge.

- Counters live in Django's default cache: Redis when `REDIS_URL` is set (shared by every process and host), a
  per-process memory otherwise (one process only, e.g. `make run`). Each counter is one atomic increment, so two
  processes cannot both take the last request of a window.
- The client's address is the connection's (`REMOTE_ADDR`), unless `NUM_PROXIES` says how many trusted reverse proxies
  append to `X-Forwarded-For`; then it is the address the outermost trusted proxy saw. Anything a client writes into
  `X-Forwarded-For` itself is ignored.
- Requests with credentials that fail (401) are counted per address; past the limit, every request with credentials
  from that address is refused with 429 before its key is checked.
- A 429 carries `Retry-After`, `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`, and the one error body.
"""

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import JsonResponse
from rest_framework import throttling
from rest_framework.settings import api_settings

from registry.http.clients import client_ip
from registry.http.errors import error_body

logger = logging.getLogger(__name__)
RATE_LIMIT_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")


@dataclass(frozen=True)
class Window:
    limit: int
    count: int
    reset: int  # seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


def parse_rate(rate: str) -> tuple[int, int]:
    number, period = rate.split("/")
    return int(number), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period.strip()[0]]


def hit(key: str, limit: int, duration: int, *, peek: bool = False) -> Window | None:
    """Count one request in the window of `key` (which starts at its first request); `peek` only reads.

    Returns None when the cache cannot be reached: limits fail open (and say so in the log) rather than take the API
    down with the cache.
    """
    start_key = f"{key}:start"
    try:
        now = time.time()
        if peek:
            count, started = cache.get(key, 0), cache.get(start_key, now)
        else:
            for _ in range(3):
                cache.add(start_key, now, duration)
                cache.add(key, 0, duration)
                try:
                    count = cache.incr(key)
                    break
                except ValueError:  # the window ended between add and incr: start a new one
                    if getattr(cache, "degraded", False):
                        return None  # the cache is down (registry/http/failsoft_cache.py logs it once): fail open
                    continue
            else:
                logger.warning("rate-limit window of %s kept ending mid-count: request let through", key)
                return None
            started = cache.get(start_key, now)
    except Exception:
        logger.exception("rate-limit cache unreachable: request let through")
        return None
    reset = max(1, int(started + duration - now + 0.999))
    return Window(limit=limit, count=count, reset=reset)


def remember(request, window: Window | None) -> None:
    """Keep the tightest window of this request for the response headers."""
    if window is None:
        return
    request = getattr(request, "_request", request)
    current = getattr(request, "rate_limit_window", None)
    if current is None or (window.remaining, -window.reset) < (current.remaining, -current.reset):
        request.rate_limit_window = window


def add_rate_limit_headers(response, window: Window) -> None:
    response["RateLimit-Limit"] = str(window.limit)
    response["RateLimit-Remaining"] = str(window.remaining)
    response["RateLimit-Reset"] = str(window.reset)
    if not window.allowed:
        response["Retry-After"] = str(window.reset)


class SharedCacheRateThrottle(throttling.SimpleRateThrottle):
    """DRF throttle with an atomic counter per client and window; the rate is read from settings on each request."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        rate = self.get_rate()
        if rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        limit, duration = parse_rate(rate)
        self.window = hit(f"throttle:{self.key}", limit, duration)
        remember(request, self.window)
        return self.window is None or self.window.allowed

    def wait(self):
        return self.window.reset if getattr(self, "window", None) else None

    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(SharedCacheRateThrottle):
    """Anonymous clients, per address (`THROTTLE_ANON`)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return f"{self.scope}:{self.get_ident(request)}"


class UserRateThrottle(SharedCacheRateThrottle):
    """Signed-in users and city systems, per account (`THROTTLE_USER`)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return f"{self.scope}:{request.user.pk}"
        return None


def throttled_response(window: Window, message: str) -> JsonResponse:
    body = error_body(429, "throttled", [{"field": None, "code": "throttled", "message": message}])
    response = JsonResponse(body, status=429)
    add_rate_limit_headers(response, window)
    return response


class AuthFailureThrottleMiddleware:
    """Failed credentials (a 401 to a request that sent `Authorization`) are limited per client address."""

    scope = "auth_failure"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        if not rate or "HTTP_AUTHORIZATION" not in request.META:
            return self.get_response(request)
        limit, duration = parse_rate(rate)
        key = f"throttle:{self.scope}:{client_ip(request)}"
        window = hit(key, limit, duration, peek=True)
        if window is not None and window.count >= limit:
            window = Window(limit=limit, count=window.count + 1, reset=window.reset)
            return throttled_response(
                window, f"Too many failed authentication attempts. Expected available in {window.reset} seconds."
            )
        response = self.get_response(request)
        if response.status_code == 401:
            hit(key, limit, duration)
        return response


class RateLimitHeadersMiddleware:
    """`RateLimit-*` headers on every throttled API answer (and `Retry-After` on a 429)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        window = getattr(request, "rate_limit_window", None)
        if window is not None and "RateLimit-Limit" not in response:
            add_rate_limit_headers(response, window)
        return response


HEADER_DOCS = {
    "Retry-After": "Seconds to wait before the next request will be accepted.",
    "RateLimit-Limit": "Requests allowed in the current window.",
    "RateLimit-Remaining": "Requests left in the current window (0 on a 429).",
    "RateLimit-Reset": "Seconds until the current window ends and the count starts again.",
}


def document_rate_limit_headers(result, generator, request, public):
    """drf-spectacular post-processing hook: the headers every 429 answer carries, in the schema."""
    headers = result.setdefault("components", {}).setdefault("headers", {})
    for name, description in HEADER_DOCS.items():
        headers[name] = {"description": description, "schema": {"type": "integer", "minimum": 0}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            response = operation.get("responses", {}).get("429") if isinstance(operation, dict) else None
            if response is not None:
                response["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADER_DOCS}
    return result
