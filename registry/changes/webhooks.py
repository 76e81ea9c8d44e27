"""Delivers the change feed to webhook endpoints: in feed order, at least once, signed, with exponential backoff.

The queue is the change feed itself (registry.models.Change, read with ``feed.entries_after``: settled entries only,
in commit order). Each endpoint keeps its own position; the worker (``manage.py deliver_webhooks``) leases each due
endpoint (so several workers never deliver one endpoint at once), POSTs the entries after its position one by one,
and moves the position after each 2xx. A failure stops that endpoint until its backoff has passed, and the same entry
is tried again (same X-Registry-Delivery id): nothing is skipped, nothing overtakes.

Endpoints are served side by side: each request runs in a thread of its own with one deadline for the whole attempt
(``WEBHOOK_TIMEOUT``, not per read), so a slow or trickling receiver holds only its own endpoint, and only until the
deadline. All database work stays in the worker's main thread, in short transactions; writes never wait on a
delivery. Leases are short and renewed while an endpoint is served; a stopped worker (SIGTERM, Ctrl-C) releases
them, and a killed one's run out within ``LEASE``.
"""

import contextlib
import datetime
import hashlib
import hmac
import http.client
import json
import logging
import signal
import socket
import ssl
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from registry.changes import feed
from registry.models import Change, Person, WebhookDelivery, WebhookEndpoint
from registry.models.webhook_rules import KINDS, SecretUnreadable, check_kinds, check_url, host_allowed, resolve

__all__ = ["KINDS", "check_kinds", "check_url", "host_allowed"]  # the rules, where the worker's callers find them

logger = logging.getLogger("registry.changes.webhooks")

DELIVERY_NAMESPACE = uuid.UUID("6f1f8f3e-4a53-4b39-9a5e-2f1f3c1d5e13")
#: A killed worker's endpoints wait at most this long; a live worker renews its leases every RENEW seconds.
LEASE = datetime.timedelta(seconds=30)
RENEW = 10.0
#: How many endpoints one worker serves at once (one request in flight each).
CONCURRENCY = 8


# --- what an endpoint receives ------------------------------------------------------------------------------------


def organizations_of(entry: Change) -> set[str]:
    """Slugs of the bodies a change concerns (for endpoints that follow some bodies only)."""
    data = entry.data or {}

    def slug(value):
        return value.get("slug") if isinstance(value, dict) else None

    found = {slug(data.get(name)) for name in ("organization", "subject", "object", "issuer", "parent")}
    if entry.model == "organization":
        found.add(data.get("slug"))
    person = slug(data.get("person")) if entry.model != "person" else data.get("slug")
    if person and entry.model in ("person", "identifier", "othername"):
        found |= set(
            Person.objects.filter(slug=person).values_list("appointments__post__organization__slug", flat=True)
        )
    return {value for value in found if value}


def wanted(endpoint: WebhookEndpoint, entry: Change, organizations: set[str]) -> bool:
    if endpoint.kinds and entry.model not in endpoint.kinds:
        return False
    return not organizations or bool(organizations & organizations_of(entry))


def delivery_id(endpoint: WebhookEndpoint, entry: Change) -> uuid.UUID:
    """The same for every attempt of one change to one endpoint: receivers drop the duplicates of "at least once"."""
    return uuid.uuid5(DELIVERY_NAMESPACE, f"{endpoint.pk}:{entry.pk}")


def payload(endpoint: WebhookEndpoint, entry: Change) -> bytes:
    body = {
        "delivery_id": str(delivery_id(endpoint, entry)),
        "endpoint": endpoint.pk,
        "change": {
            "id": entry.pk,
            "cursor": feed.Position.of(entry).encode(),
            "model": entry.model,
            "object_id": entry.object_id,
            "date": entry.date.isoformat(),
            "type": entry.type,
            "reason": entry.reason or None,
            "changed_fields": entry.fields,
            "data": entry.data,
        },
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``<timestamp>.<body>`` with the endpoint's secret. The timestamp (also sent
    as X-Registry-Timestamp) is signed so that a captured request cannot be replayed after the receiver's window."""
    message = str(int(timestamp)).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _timed_out() -> str:
    return f"No answer within WEBHOOK_TIMEOUT ({settings.WEBHOOK_TIMEOUT:g} s): timed out."


def send(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST ``body``: (status or None, error). One deadline for the whole attempt, however the receiver trickles;
    the connection goes to the address that was checked, with the URL's name as Host and TLS server name."""
    deadline = time.monotonic() + settings.WEBHOOK_TIMEOUT
    try:
        host, port, address = resolve(url)
    except ValidationError as error:
        return None, " ".join(error.messages)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return None, _timed_out()
    parts = urlsplit(url)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(host, port, timeout=remaining, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(host, port, timeout=remaining)
    # http.client would resolve the name again (a second answer could point elsewhere): connect to the checked one.
    connection._create_connection = lambda _where, timeout, source: socket.create_connection(
        (address, port), timeout, source
    )
    expired = threading.Event()

    def cut_off():
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked read at once

    timer = threading.Timer(remaining, cut_off)
    timer.daemon = True
    timer.start()
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", path, body=body, headers={**headers, "Connection": "close"})
        status = connection.getresponse().status  # the answer's body is never read: it is not kept
    except (OSError, http.client.HTTPException, ValueError) as error:
        # The socket's own timeout and the cut-off share the deadline: whichever fires first, it is the deadline.
        out_of_time = expired.is_set() or isinstance(error, TimeoutError)
        return None, _timed_out() if out_of_time else str(error)[:500]
    finally:
        timer.cancel()
        connection.close()
    return status, "" if 200 <= status < 300 else f"HTTP {status}"


def post(endpoint: WebhookEndpoint, entry: Change) -> tuple[int | None, str]:
    """POST one change: (status or None, error). Needs no database: it runs in a delivery thread."""
    try:
        check_url(endpoint.url)
        secret = endpoint.secret
    except ValidationError as error:
        return None, " ".join(error.messages)
    except SecretUnreadable as error:
        return None, str(error)
    body = payload(endpoint, entry)
    timestamp = int(time.time())
    return send(
        endpoint.url,
        body,
        {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "hcmc-registry-webhooks/2",
            "X-Registry-Delivery": str(delivery_id(endpoint, entry)),
            "X-Registry-Event": f"{entry.model}.{entry.type}",
            "X-Registry-Timestamp": str(timestamp),
            "X-Registry-Signature": signature(secret, timestamp, body),
        },
    )


def backoff(failures: int) -> datetime.timedelta:
    seconds = min(settings.WEBHOOK_BACKOFF_MAX, settings.WEBHOOK_BACKOFF_BASE * 2 ** max(failures - 1, 0))
    return datetime.timedelta(seconds=seconds)


# --- the worker -----------------------------------------------------------------------------------------------------


def _free(now) -> Q:
    return Q(leased_until__isnull=True) | Q(leased_until__lt=now)


def due() -> list[int]:
    now = timezone.now()
    return list(
        WebhookEndpoint.objects.filter(active=True)
        .filter(Q(next_attempt__isnull=True) | Q(next_attempt__lte=now))
        .filter(_free(now))
        .order_by("next_attempt", "id")
        .values_list("pk", flat=True)
    )


class _Serving:
    """An endpoint this worker holds: its lease (the exact expiry written, so that only this worker renews or
    releases it), and the changes of this batch still to go."""

    def __init__(self, endpoint: WebhookEndpoint, leased_until, batch: int):
        self.endpoint, self.leased_until = endpoint, leased_until
        self.organizations = set(endpoint.organizations.values_list("slug", flat=True))
        self.entries = iter(feed.entries_after(feed.Position(endpoint.cursor_position), batch))
        self.entry: Change | None = None
        self.delivered = 0

    @classmethod
    def take(cls, endpoint_id: int, batch: int) -> "_Serving | None":
        now = timezone.now()
        until = now + LEASE
        claimed = (
            WebhookEndpoint.objects.filter(pk=endpoint_id, active=True)
            .filter(_free(now))
            .filter(Q(next_attempt__isnull=True) | Q(next_attempt__lte=now))
            .update(leased_until=until)
        )
        if not claimed:
            return None
        return cls(WebhookEndpoint.objects.get(pk=endpoint_id), until, batch)

    def store(self, *fields: str) -> bool:
        """Write the endpoint's state while the lease is still this worker's (a worker that lost it writes nothing:
        the endpoint's new holder delivers from the stored place, at worst again)."""
        values = {name: getattr(self.endpoint, name) for name in fields}
        held = WebhookEndpoint.objects.filter(pk=self.endpoint.pk, leased_until=self.leased_until)
        return bool(held.update(**values))

    def renew(self) -> bool:
        until = timezone.now() + LEASE
        held = WebhookEndpoint.objects.filter(pk=self.endpoint.pk, leased_until=self.leased_until)
        if held.update(leased_until=until):
            self.leased_until = until
            return True
        return False

    def release(self) -> None:
        WebhookEndpoint.objects.filter(pk=self.endpoint.pk, leased_until=self.leased_until).update(leased_until=None)

    def next_entry(self) -> Change | None:
        """The next change this endpoint wants (moving its place past the ones it does not), or None."""
        for entry in self.entries:
            if wanted(self.endpoint, entry, self.organizations):
                self.entry = entry
                return entry
            self.endpoint.cursor_position = entry.position
            if not self.store("cursor_position"):
                return None
        return None

    def answered(self, status: int | None, error: str, duration_ms: int) -> bool:
        """Log the attempt and move on (a 2xx) or back off; True when the endpoint may go on."""
        entry, endpoint = self.entry, self.endpoint
        succeeded = status is not None and 200 <= status < 300
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            delivery_id=delivery_id(endpoint, entry),
            change_id=entry.pk,
            event=f"{entry.model}.{entry.type}",
            attempt=WebhookDelivery.objects.filter(endpoint=endpoint, change_id=entry.pk).count() + 1,
            succeeded=succeeded,
            status_code=status,
            error=error,
            duration_ms=duration_ms,
        )
        if succeeded:
            self.delivered += 1
            endpoint.failures, endpoint.next_attempt, endpoint.last_error = 0, None, ""
            endpoint.cursor_position = entry.position
        else:
            endpoint.failures += 1
            endpoint.next_attempt = timezone.now() + backoff(endpoint.failures)
            endpoint.last_error = error or f"HTTP {status}"
            logger.warning(
                "webhook delivery failed",
                extra={"endpoint": endpoint.pk, "change": entry.pk, "status": status, "error": error},
            )
        return self.store("failures", "next_attempt", "last_error", "cursor_position") and succeeded


def _timed_post(endpoint: WebhookEndpoint, entry: Change) -> tuple[int | None, str, int]:
    started = time.monotonic()
    try:
        status, error = post(endpoint, entry)
    except Exception as crash:  # a fault of this attempt only: logged as its failure, the worker goes on
        logger.exception("webhook delivery crashed", extra={"endpoint": endpoint.pk, "change": entry.pk})
        status, error = None, f"The worker failed: {crash.__class__.__name__}."
    return status, error, int((time.monotonic() - started) * 1000)


def serve(
    *,
    only: list[int] | None = None,
    keep_going: bool = False,
    stop: threading.Event | None = None,
    poll: float = 2.0,
    batch: int = 100,
) -> int:
    """Serve the due endpoints (or ``only`` these) side by side until each has nothing more, fails, or has sent
    ``batch`` changes; with ``keep_going``, look for due endpoints every ``poll`` seconds until ``stop`` is set.
    Returns how many changes were delivered. Leases held are released however it ends."""
    stop = stop or threading.Event()
    held: dict = {}  # future -> _Serving
    delivered = 0
    pool = ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="webhook")

    def go_on(serving: _Serving) -> None:
        entry = None if stop.is_set() else serving.next_entry()
        if entry is None:
            serving.release()
        else:
            held[pool.submit(_timed_post, serving.endpoint, entry)] = serving

    def take_due() -> None:
        serving_now = {serving.endpoint.pk for serving in held.values()}
        for endpoint_id in only if only is not None else due():
            if len(held) >= CONCURRENCY:
                break  # left for the next look, or for another worker
            if endpoint_id not in serving_now and (serving := _Serving.take(endpoint_id, batch)):
                go_on(serving)

    try:
        take_due()
        looked, renewed = time.monotonic(), time.monotonic()
        while held or (keep_going and not stop.is_set()):
            if not held:
                stop.wait(max(0.0, poll - (time.monotonic() - looked)))
            else:
                done, _ = wait(list(held), timeout=RENEW, return_when=FIRST_COMPLETED)
                for future in done:
                    serving = held[future]
                    before = serving.delivered
                    # Still held while its answer is logged: a fault here leaves it for the finally to release.
                    going_on = serving.answered(*future.result())
                    del held[future]
                    if going_on:
                        go_on(serving)
                    else:
                        serving.release()
                    delivered += serving.delivered - before
            if time.monotonic() - renewed >= RENEW:
                for future, serving in list(held.items()):
                    if not serving.renew():
                        held.pop(future)  # taken over (this worker stalled past its lease): the new holder goes on
                        logger.warning("webhook lease lost", extra={"endpoint": serving.endpoint.pk})
                renewed = time.monotonic()
            if keep_going and not stop.is_set() and time.monotonic() - looked >= poll:
                take_due()
                looked = time.monotonic()
    finally:
        for serving in held.values():
            serving.release()
        pool.shutdown(wait=False, cancel_futures=True)
    return delivered


def deliver_endpoint(endpoint_id: int, *, batch: int = 100) -> int:
    """Deliver what the endpoint has not had yet, in order, until a failure or ``batch`` entries; returns how many."""
    return serve(only=[endpoint_id], batch=batch)


def deliver_due() -> int:
    """One round: every endpoint that is due, side by side; returns how many changes were delivered."""
    return serve()


def run(*, once: bool = False, poll: float = 2.0) -> None:
    """The worker: serves due endpoints until SIGTERM or Ctrl-C, which let the requests in flight end (each within
    its deadline), log them and release every lease."""
    if once:
        serve()
        return
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        serve(keep_going=True, stop=stop, poll=poll)
    finally:
        signal.signal(signal.SIGTERM, previous)


def start_position() -> feed.Position:
    """Where a new endpoint starts: after the last entry (it receives the changes made from now on)."""
    return feed.last_position()
