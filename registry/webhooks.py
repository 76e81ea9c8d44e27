"""Delivers the change feed to webhook endpoints: in feed order, at least once, signed, with exponential backoff.

The queue is the change feed itself (registry.models.Change, read with ``feed.entries_after``: settled entries only,
in commit order). Each endpoint keeps its own position; the worker (``manage.py deliver_webhooks``) takes an endpoint
with a short lease (so several workers never deliver one endpoint at once), POSTs the entries after its position one
by one, and moves the position after each 2xx. A failure stops that endpoint until its backoff has passed, and the
same entry is tried again (same X-Registry-Delivery id): nothing is skipped, nothing overtakes. Writes never wait on
a delivery: the worker only reads the feed and writes its own tables, in short transactions.
"""

import datetime
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from registry import feed
from registry.models import Change, Person, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("registry.webhooks")

DELIVERY_NAMESPACE = uuid.UUID("6f1f8f3e-4a53-4b39-9a5e-2f1f3c1d5e13")
KINDS = (
    "organization",
    "person",
    "portfolio",
    "document",
    "post",
    "appointment",
    "organizationrelationship",
    "duty",
    "citation",
    "identifier",
    "othername",
)
LEASE = datetime.timedelta(minutes=5)
BODY_KEPT = 2000


# --- rules checked when an endpoint is saved and again before each delivery --------------------------------------


def host_allowed(host: str) -> bool:
    """WEBHOOK_ALLOWED_HOSTS: exact names (``city.example.vn``), ``.example.vn`` for a domain and its sub-domains."""
    host = (host or "").lower().rstrip(".")
    for allowed in getattr(settings, "WEBHOOK_ALLOWED_HOSTS", []):
        allowed = allowed.lower().rstrip(".")  # a fully qualified `city.gov.vn.` is the same host
        if host == allowed or (allowed.startswith(".") and (host.endswith(allowed) or host == allowed[1:])):
            return True
    return False


def check_url(url: str) -> None:
    """Only http(s), only to allowed hosts, no credentials in the URL (the worker must not be a way into the LAN)."""
    try:
        parts = urlsplit(url or "")
        parts.port  # noqa: B018 - parsed now, so a malformed host or port is refused here, not at delivery
    except ValueError as error:
        raise ValidationError({"url": f"Not a valid URL: {error}."}) from error
    if parts.scheme not in ("http", "https"):
        raise ValidationError({"url": "Only http and https URLs."})
    if parts.username or parts.password:
        raise ValidationError({"url": "No user name or password in the URL: the signature authenticates."})
    if not host_allowed(parts.hostname or ""):
        raise ValidationError({"url": f"Host {parts.hostname!r} is not in WEBHOOK_ALLOWED_HOSTS."})


def check_kinds(kinds) -> None:
    if not isinstance(kinds, list) or not all(kind in KINDS for kind in kinds):
        raise ValidationError({"kinds": f"A list of: {', '.join(KINDS)}."})


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


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the exact request body with the endpoint's secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer like any other non-2xx: it could lead off the allowed hosts


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def post(endpoint: WebhookEndpoint, entry: Change) -> tuple[int | None, str, str]:
    """POST one change: (status or None, start of the answer, error)."""
    try:
        check_url(endpoint.url)
    except ValidationError as error:
        return None, "", " ".join(error.messages)
    body = payload(endpoint, entry)
    request = urllib.request.Request(  # noqa: S310 - http(s) only, allowed hosts only (check_url)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "hcmc-registry-webhooks/1",
            "X-Registry-Delivery": str(delivery_id(endpoint, entry)),
            "X-Registry-Event": f"{entry.model}.{entry.type}",
            "X-Registry-Signature": signature(endpoint.secret, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            return response.status, response.read(BODY_KEPT).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(BODY_KEPT).decode("utf-8", "replace"), f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, "", str(getattr(error, "reason", error))[:500]


def backoff(failures: int) -> datetime.timedelta:
    seconds = min(settings.WEBHOOK_BACKOFF_MAX, settings.WEBHOOK_BACKOFF_BASE * 2 ** max(failures - 1, 0))
    return datetime.timedelta(seconds=seconds)


# --- the worker -----------------------------------------------------------------------------------------------------


def due() -> list[int]:
    now = timezone.now()
    return list(
        WebhookEndpoint.objects.filter(active=True)
        .filter(Q(next_attempt__isnull=True) | Q(next_attempt__lte=now))
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .values_list("pk", flat=True)
    )


def deliver_endpoint(endpoint_id: int, *, batch: int = 100) -> int:
    """Deliver what the endpoint has not had yet, in order, until a failure or ``batch`` entries; returns how many."""
    now = timezone.now()
    claimed = (
        WebhookEndpoint.objects.filter(pk=endpoint_id, active=True)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .filter(Q(next_attempt__isnull=True) | Q(next_attempt__lte=now))
        .update(leased_until=now + LEASE)
    )
    if not claimed:
        return 0
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    organizations = set(endpoint.organizations.values_list("slug", flat=True))
    delivered = 0
    try:
        for entry in feed.entries_after(feed.Position(endpoint.cursor_txid, endpoint.cursor_id), batch):
            if wanted(endpoint, entry, organizations):
                if not _attempt(endpoint, entry):
                    break
                delivered += 1
            endpoint.cursor_txid, endpoint.cursor_id = entry.txid, entry.pk
            _store(endpoint, "cursor_txid", "cursor_id")
    finally:
        endpoint.leased_until = None
        _store(endpoint, "leased_until")
    return delivered


def _attempt(endpoint: WebhookEndpoint, entry: Change) -> bool:
    started = time.monotonic()
    status, answer, error = post(endpoint, entry)
    succeeded = status is not None and 200 <= status < 300
    attempt = WebhookDelivery.objects.filter(endpoint=endpoint, change_id=entry.pk).count() + 1
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        delivery_id=delivery_id(endpoint, entry),
        change_id=entry.pk,
        event=f"{entry.model}.{entry.type}",
        attempt=attempt,
        succeeded=succeeded,
        status_code=status,
        response_body=answer,
        error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    if succeeded:
        endpoint.failures, endpoint.next_attempt, endpoint.last_error = 0, None, ""
    else:
        endpoint.failures += 1
        endpoint.next_attempt = timezone.now() + backoff(endpoint.failures)
        endpoint.last_error = error or f"HTTP {status}"
        logger.warning(
            "webhook delivery failed",
            extra={"endpoint": endpoint.pk, "change": entry.pk, "status": status, "error": error},
        )
    _store(endpoint, "failures", "next_attempt", "last_error")
    return succeeded


def _store(endpoint: WebhookEndpoint, *fields: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**{name: getattr(endpoint, name) for name in fields})


def deliver_due() -> int:
    """One round: every endpoint that is due; returns how many changes were delivered."""
    return sum(deliver_endpoint(endpoint_id) for endpoint_id in due())


def run(*, once: bool = False, poll: float = 2.0) -> None:
    """The worker's loop: a round, then a pause of ``poll`` seconds when nothing was delivered."""
    while True:
        delivered = deliver_due()
        if once:
            return
        if not delivered:
            time.sleep(poll)


def start_position() -> feed.Position:
    """Where a new endpoint starts: after the last settled entry (it receives the changes made from now on)."""
    last = feed.settled().order_by("txid", "id").last()
    return feed.Position.of(last) if last is not None else feed.Position(0, 0)
