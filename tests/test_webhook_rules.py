"""The rules of webhooks, one at a time: which hosts and kinds an endpoint may name, how a request is signed and
identified, what the worker does with a redirect, a slow or chatty receiver, a host struck off the allow-list, a
leased endpoint, a back-off still running, and which changes reach an endpoint that follows some bodies or kinds.
(tests/test_webhooks.py delivers end to end; this module takes the other paths.)"""

import datetime
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry import services
from registry.changes import feed, webhooks
from registry.models import Change, Identifier, WebhookDelivery, WebhookEndpoint, webhook_rules
from tests.factories import AppointmentFactory, OrganizationFactory, PersonFactory, PostFactory
from tests.test_webhooks import SECRET, allow_loopback, endpoint_for, writes

pytestmark = pytest.mark.django_db


class Answering:
    """An HTTP server on 127.0.0.1 (a free port) answering every POST with ``status``, ``body`` and ``headers``,
    after ``delay`` seconds; it keeps the requests it got."""

    def __init__(self, status: int = 200, body: bytes = b"ok", headers: dict | None = None, delay: float = 0):
        self.requests: list[dict] = []
        answering = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body_in = self.rfile.read(int(self.headers["Content-Length"]))
                answering.requests.append({"headers": dict(self.headers), "body": body_in, "path": self.path})
                time.sleep(delay)
                try:
                    self.send_response(status)
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the worker gave up waiting

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def answering(settings):
    made = []

    def make(**answer) -> Answering:
        made.append(Answering(**answer))
        settings.WEBHOOK_ALLOWED_PORTS = [*settings.WEBHOOK_ALLOWED_PORTS, made[-1].server.server_port]
        return made[-1]

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def allowed(settings):
    allow_loopback(settings)
    settings.WEBHOOK_BACKOFF_BASE = 10
    settings.WEBHOOK_BACKOFF_MAX = 3600
    settings.WEBHOOK_TIMEOUT = 5
    return settings


# --- the hosts an endpoint may name ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("example.vn", True),  # ".example.vn" is the domain itself ...
        ("hooks.example.vn", True),  # ... and its sub-domains
        ("a.b.example.vn", True),
        ("HOOKS.Example.VN.", True),  # case and a trailing dot do not matter
        ("badexample.vn", False),  # not a sub-domain: no dot before the domain
        ("example.vn.attacker.test", False),
        ("city.gov.vn", True),  # an exact name is that name ...
        ("api.city.gov.vn", False),  # ... and not its sub-domains
        ("gov.vn", False),
        ("", False),
        (None, False),
    ],
)
def test_the_allow_list_holds_exact_names_and_dotted_domains(settings, host, expected):
    settings.WEBHOOK_ALLOWED_HOSTS = [".Example.vn", "city.gov.vn"]
    assert webhooks.host_allowed(host) is expected


def test_an_allowed_name_written_fully_qualified_matches(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["city.gov.vn.", ".example.vn."]
    assert webhooks.host_allowed("city.gov.vn")
    assert webhooks.host_allowed("hooks.example.vn")
    assert not webhooks.host_allowed("api.city.gov.vn")


def test_an_endpoint_stored_with_a_malformed_url_fails_alone(allowed, editor):
    """Written before the check existed, or past it: its deliveries fail with the reason; nothing crashes."""
    endpoint = endpoint_for("http://127.0.0.1:9/a", editor)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url="http://[::1/in")
    endpoint.refresh_from_db()
    status, error = webhooks.post(endpoint, Change.objects.last())
    assert (status, error) == (None, "Not a valid URL: Invalid IPv6 URL.")


def test_an_empty_allow_list_allows_no_host(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    assert not webhooks.host_allowed("127.0.0.1")
    assert not webhooks.host_allowed("localhost")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Only http and https URLs."),
        ("ftp://hooks.example.vn/in", "Only http and https URLs."),
        ("file:///etc/passwd", "Only http and https URLs."),
        ("//hooks.example.vn/in", "Only http and https URLs."),
        ("https://portal@hooks.example.vn/in", "No user name or password in the URL: the signature authenticates."),
        ("https://:secret@hooks.example.vn/in", "No user name or password in the URL: the signature authenticates."),
        ("https://10.0.0.5/in", "Host '10.0.0.5' is not in WEBHOOK_ALLOWED_HOSTS."),
        ("https://hooks.example.vn.attacker.test/in", "Host 'hooks.example.vn.attacker.test' is not in"),
        ("http:///in", "Host None is not in WEBHOOK_ALLOWED_HOSTS."),
        ("http://[::1/in", "Not a valid URL: Invalid IPv6 URL."),
        ("https://hooks.example.vn:99999/in", "Not a valid URL: Port out of range 0-65535."),
    ],
)
def test_a_url_is_refused_with_the_reason(settings, url, message):
    settings.WEBHOOK_ALLOWED_HOSTS = [".example.vn"]
    with pytest.raises(ValidationError) as refusal:
        webhooks.check_url(url)
    (reason,) = refusal.value.message_dict["url"]
    assert reason.startswith(message)


@pytest.mark.parametrize("url", ["https://hooks.example.vn/in", "http://HOOKS.example.vn:8443/in?x=1"])
def test_a_url_on_an_allowed_host_passes(settings, url):
    settings.WEBHOOK_ALLOWED_HOSTS = [".example.vn"]
    settings.WEBHOOK_ALLOWED_PORTS = [443, 8443]
    assert webhooks.check_url(url) is None


# --- the kinds an endpoint may follow ----------------------------------------------------------------------------


@pytest.mark.parametrize("kinds", ["organization", ["organization", "meeting"], [None], {"organization": True}])
def test_kinds_other_than_a_list_of_known_kinds_are_refused(kinds):
    with pytest.raises(ValidationError) as refusal:
        webhooks.check_kinds(kinds)
    assert refusal.value.message_dict == {"kinds": [f"A list of: {', '.join(webhooks.KINDS)}."]}


@pytest.mark.parametrize("kinds", [[], ["person"], list(webhooks.KINDS)])
def test_a_list_of_known_kinds_passes(kinds):
    assert webhooks.check_kinds(kinds) is None


# --- the models --------------------------------------------------------------------------------------------------


def test_an_endpoint_is_checked_by_its_models_clean(settings, editor):
    settings.WEBHOOK_ALLOWED_HOSTS = [".example.vn"]
    endpoint = WebhookEndpoint(owner=editor, name="HR", url="https://10.0.0.5/in", secret=SECRET, kinds=["person"])
    with pytest.raises(ValidationError) as refusal:
        endpoint.full_clean()
    assert refusal.value.message_dict == {"url": ["Host '10.0.0.5' is not in WEBHOOK_ALLOWED_HOSTS."]}
    endpoint.url, endpoint.kinds = "https://hooks.example.vn/in", ["people"]
    with pytest.raises(ValidationError) as refusal:
        endpoint.full_clean()
    assert list(refusal.value.message_dict) == ["kinds"]
    endpoint.kinds = ["person"]
    endpoint.full_clean()
    assert str(endpoint) == "HR (https://hooks.example.vn/in)"


def test_a_delivery_says_the_status_or_the_start_of_the_error(editor):
    endpoint = WebhookEndpoint.objects.create(owner=editor, name="HR", url="https://hooks.example.vn/", secret=SECRET)
    values = {"endpoint": endpoint, "change_id": 41, "event": "person.changed", "attempt": 1}
    answered = WebhookDelivery.objects.create(**values, succeeded=False, status_code=503)
    failed = WebhookDelivery.objects.create(**values, succeeded=False, error="connection refused " * 5)
    assert str(answered) == "person.changed #41 → 503"
    assert str(failed) == "person.changed #41 → connection refused connection refused co"


# --- what an endpoint receives -----------------------------------------------------------------------------------


def test_the_signature_is_hmac_sha256_of_the_timestamp_and_the_exact_body():
    body = b"The quick brown fox jumps over the lazy dog"
    expected = hmac.new(b"key", b"1767000000." + body, hashlib.sha256).hexdigest()
    assert webhooks.signature("key", 1767000000, body) == f"sha256={expected}"
    assert webhooks.signature("key", 1767000000, body + b" ") != webhooks.signature("key", 1767000000, body)
    assert webhooks.signature("key", 1767000001, body) != webhooks.signature("key", 1767000000, body)
    khoa = "sha256=" + hmac.new("khóa".encode(), b"5.{}", hashlib.sha256).hexdigest()
    assert webhooks.signature("khóa", 5, b"{}") == khoa


def test_the_delivery_id_is_the_same_for_one_change_to_one_endpoint_only(allowed, editor):
    first, second = endpoint_for("http://127.0.0.1:9/a", editor), endpoint_for("http://127.0.0.1:9/b", editor)
    one, other = (Change.objects.get(pk=pk) for pk in writes(2))
    assert webhooks.delivery_id(first, one) == webhooks.delivery_id(first, one)
    assert webhooks.delivery_id(first, one) == uuid.uuid5(webhooks.DELIVERY_NAMESPACE, f"{first.pk}:{one.pk}")
    assert len({webhooks.delivery_id(e, c) for e in (first, second) for c in (one, other)}) == 4


def test_the_payload_carries_the_change_and_its_feed_position(allowed, editor):
    endpoint = endpoint_for("http://127.0.0.1:9/a", editor)
    (entry_id,) = writes(1)
    entry = Change.objects.get(pk=entry_id)
    body = json.loads(webhooks.payload(endpoint, entry))
    assert body == {
        "delivery_id": str(webhooks.delivery_id(endpoint, entry)),
        "endpoint": endpoint.pk,
        "change": {
            "id": entry.pk,
            "cursor": feed.Position.of(entry).encode(),
            "model": "organization",
            "object_id": entry.object_id,
            "date": entry.date.isoformat(),
            "type": "changed",
            "reason": "reason 0",
            "changed_fields": ["note"],
            "data": entry.data,
        },
    }


@pytest.mark.parametrize(("failures", "seconds"), [(0, 10), (1, 10), (2, 20), (9, 2560), (10, 3600), (200, 3600)])
def test_backoff_starts_at_the_base_and_stops_at_the_maximum(allowed, failures, seconds):
    assert webhooks.backoff(failures) == datetime.timedelta(seconds=seconds)


# --- the worker --------------------------------------------------------------------------------------------------


def test_a_host_struck_off_the_allow_list_gets_nothing_and_the_change_waits(allowed, answering, editor):
    server = answering()
    endpoint = endpoint_for(server.url, editor)
    writes(1)
    allowed.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.vn"]
    assert webhooks.deliver_due() == 0
    assert server.requests == []  # checked again before each delivery: no request left the worker
    (delivery,) = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert (delivery.succeeded, delivery.status_code, delivery.attempt) == (False, None, 1)
    assert delivery.error == "Host '127.0.0.1' is not in WEBHOOK_ALLOWED_HOSTS."
    endpoint.refresh_from_db()
    assert endpoint.failures == 1 and endpoint.last_error == delivery.error
    assert endpoint.cursor_position < feed.last_position().position


def test_a_redirect_is_not_followed_and_counts_as_a_failure(allowed, answering, editor):
    elsewhere = answering()
    server = answering(status=307, headers={"Location": elsewhere.url}, body=b"moved")
    endpoint = endpoint_for(server.url, editor)
    writes(1)
    assert webhooks.deliver_due() == 0
    assert len(server.requests) == 1 and elsewhere.requests == []
    (delivery,) = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert (delivery.succeeded, delivery.status_code, delivery.error) == (False, 307, "HTTP 307")
    endpoint.refresh_from_db()
    assert endpoint.last_error == "HTTP 307" and endpoint.next_attempt is not None


def test_the_receivers_answer_is_not_kept(allowed, answering, editor):
    """Whatever a URL answers (an internal page, a database banner) is not stored, so not shown to the owner."""
    answer = b"SECRET internal page " * 200
    server = answering(status=500, body=answer)
    endpoint = endpoint_for(server.url, editor)
    writes(1)
    webhooks.deliver_due()
    (delivery,) = WebhookDelivery.objects.filter(endpoint=endpoint).values()
    assert delivery["status_code"] == 500 and delivery["error"] == "HTTP 500"
    assert "response_body" not in delivery
    assert not any(b"SECRET" in str(value).encode() for value in delivery.values())
    assert "response_body" not in {field.name for field in WebhookDelivery._meta.get_fields()}


def test_a_receiver_slower_than_the_timeout_is_a_failure(allowed, answering, editor):
    allowed.WEBHOOK_TIMEOUT = 0.2
    server = answering(delay=1.5)
    endpoint = endpoint_for(server.url, editor)
    writes(1)
    assert webhooks.deliver_due() == 0
    (delivery,) = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert delivery.status_code is None and delivery.error == "No answer within WEBHOOK_TIMEOUT (0.2 s): timed out."
    assert delivery.duration_ms < 1500


def test_a_leased_endpoint_is_left_to_its_worker(allowed, answering, editor):
    server = answering()
    endpoint = endpoint_for(server.url, editor)
    writes(1)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(leased_until=timezone.now() + datetime.timedelta(minutes=1))
    assert webhooks.due() == []
    assert webhooks.deliver_endpoint(endpoint.pk) == 0  # even when asked directly
    assert server.requests == [] and not WebhookDelivery.objects.exists()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(leased_until=timezone.now() - datetime.timedelta(seconds=1))
    assert webhooks.due() == [endpoint.pk]  # a lease that ran out is taken over
    assert webhooks.deliver_endpoint(endpoint.pk) == 1
    endpoint.refresh_from_db()
    assert endpoint.leased_until is None and endpoint.cursor_position == feed.last_position().position


def test_an_inactive_or_unknown_endpoint_is_not_delivered(allowed, answering, editor):
    server = answering()
    endpoint = endpoint_for(server.url, editor, active=False)
    writes(1)
    assert webhooks.deliver_endpoint(endpoint.pk) == 0
    assert webhooks.deliver_endpoint(endpoint.pk + 1000) == 0
    assert server.requests == []


def test_a_failed_change_waits_out_its_backoff_then_goes_again_with_the_same_id(allowed, answering, editor, today_is):
    today_is(datetime.date(2025, 12, 22))
    server = answering(status=503)
    endpoint = endpoint_for(server.url, editor)
    (entry_id,) = writes(1)
    webhooks.deliver_due()
    endpoint.refresh_from_db()
    assert endpoint.next_attempt == timezone.now() + datetime.timedelta(seconds=10)
    assert webhooks.due() == [] and webhooks.deliver_due() == 0
    assert len(server.requests) == 1
    today_is(datetime.date(2025, 12, 23))
    assert webhooks.due() == [endpoint.pk]
    webhooks.deliver_due()
    assert len(server.requests) == 2
    ids = {request["headers"]["X-Registry-Delivery"] for request in server.requests}
    assert ids == {str(webhooks.delivery_id(endpoint, Change.objects.get(pk=entry_id)))}
    log = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id")
    assert [(d.attempt, d.change_id) for d in log] == [(1, entry_id), (2, entry_id)]
    endpoint.refresh_from_db()
    assert endpoint.failures == 2 and endpoint.next_attempt == timezone.now() + datetime.timedelta(seconds=20)


def test_changes_of_kinds_not_followed_are_passed_over(allowed, answering, editor):
    server = answering()
    endpoint = endpoint_for(server.url, editor, kinds=["person", "appointment"])
    writes(2)  # organizations
    assert webhooks.deliver_due() == 0
    assert server.requests == [] and not WebhookDelivery.objects.exists()
    endpoint.refresh_from_db()
    assert endpoint.cursor_position == feed.last_position().position  # passed over, not waiting


def test_a_body_follower_gets_the_people_and_identifiers_of_its_body(allowed, answering, editor):
    server = answering()
    followed = OrganizationFactory()
    member = AppointmentFactory(post=PostFactory(organization=followed)).person
    outsider = AppointmentFactory().person
    nobody = PersonFactory()  # holds no post at all
    endpoint = endpoint_for(server.url, editor)
    endpoint.organizations.set([followed])
    for person in (member, outsider, nobody):
        services.record_update(instance=person, changes={"given_name": "Mới"}, reason="renamed")
    values = {"content_type": ContentType.objects.get_for_model(member), "object_id": member.pk}
    services.record_create(model=Identifier, values={**values, "scheme": "wikidata", "identifier": "Q4242"})
    while webhooks.deliver_due():
        pass
    delivered = [json.loads(request["body"])["change"] for request in server.requests]
    assert [(change["model"], change["object_id"]) for change in delivered] == [
        ("person", member.pk),
        ("identifier", Identifier.objects.get().pk),
    ]
    endpoint.refresh_from_db()
    assert endpoint.cursor_position == feed.last_position().position


# --- faults of one attempt, and of the worker ------------------------------------------------------------------


def the_delivery_of(endpoint) -> WebhookDelivery:
    (delivery,) = WebhookDelivery.objects.filter(endpoint=endpoint)
    return delivery


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "cannot be resolved"),
        ([], "has no address"),
    ],
    ids=["unresolvable", "no-address"],
)
def test_a_name_that_does_not_resolve_is_a_failure_naming_the_host(allowed, editor, monkeypatch, answer, error):
    allowed.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.vn"]
    endpoint = endpoint_for("https://hooks.example.vn/in", editor)
    looked_up = []

    def resolving(host, *args, **kwargs):
        looked_up.append(host)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(webhook_rules.socket, "getaddrinfo", resolving)
    writes(1)
    assert webhooks.deliver_due() == 0
    assert looked_up == ["hooks.example.vn"]
    delivery = the_delivery_of(endpoint)
    assert delivery.status_code is None and delivery.error.startswith(f"Host 'hooks.example.vn' {error}")
    endpoint.refresh_from_db()
    assert endpoint.failures == 1 and endpoint.cursor_position < feed.last_position().position


def test_a_look_up_that_uses_the_whole_timeout_sends_nothing(allowed, answering, editor, monkeypatch):
    allowed.WEBHOOK_TIMEOUT = 0.05
    server = answering()
    endpoint = endpoint_for(server.url, editor)
    real = socket.getaddrinfo

    def slow(*args, **kwargs):
        time.sleep(0.2)  # a resolver slower than the whole attempt's deadline
        return real(*args, **kwargs)

    monkeypatch.setattr(webhook_rules.socket, "getaddrinfo", slow)
    writes(1)
    assert webhooks.deliver_due() == 0
    assert server.requests == []
    assert the_delivery_of(endpoint).error == "No answer within WEBHOOK_TIMEOUT (0.05 s): timed out."


def test_an_attempt_that_crashes_is_its_own_failure_and_logged(allowed, answering, editor, monkeypatch, caplog):
    server = answering()
    endpoint = endpoint_for(server.url, editor)
    crashed = []

    def crashing(hook, entry):
        crashed.append(entry.pk)
        raise RuntimeError("a bug in building the request")

    monkeypatch.setattr(webhooks, "post", crashing)
    (entry_id,) = writes(1)
    with caplog.at_level(logging.ERROR, logger="registry.changes.webhooks"):
        assert webhooks.deliver_due() == 0
    assert crashed == [entry_id]
    delivery = the_delivery_of(endpoint)
    assert (delivery.change_id, delivery.error) == (entry_id, "The worker failed: RuntimeError.")
    (logged,) = [record for record in caplog.records if record.getMessage() == "webhook delivery crashed"]
    assert logged.exc_info[0] is RuntimeError and logged.endpoint == endpoint.pk
    endpoint.refresh_from_db()
    assert endpoint.failures == 1 and endpoint.leased_until is None


def steal_lease(endpoint_id: int) -> datetime.datetime:
    """Another worker takes the endpoint over (this one stalled past its lease)."""
    theirs = timezone.now() + datetime.timedelta(minutes=5)
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(leased_until=theirs)
    return theirs


def test_a_worker_that_lost_its_lease_passing_over_changes_writes_nothing(allowed, answering, editor, monkeypatch):
    server = answering()
    endpoint = endpoint_for(server.url, editor)
    start = endpoint.cursor_position
    passed = []

    def unwanted(hook, entry, organizations):
        passed.append(entry.pk)
        if len(passed) == 2:
            steal_lease(hook.pk)
        return False

    monkeypatch.setattr(webhooks, "wanted", unwanted)
    first, second, _ = writes(3)
    assert webhooks.deliver_due() == 0
    assert passed == [first, second]  # stopped at the first write refused: the third is the new holder's
    endpoint.refresh_from_db()
    assert endpoint.cursor_position == Change.objects.get(pk=first).position > start
    assert endpoint.leased_until is not None  # the new holder's lease, not released by this worker
    assert server.requests == []


def test_a_lease_lost_while_an_answer_is_awaited_is_left_to_its_new_holder(
    allowed, answering, editor, monkeypatch, caplog
):
    server = answering(delay=1.0)
    endpoint = endpoint_for(server.url, editor)
    writes(1)
    monkeypatch.setattr(webhooks, "RENEW", 0.1)
    renew = webhooks._Serving.renew
    stolen = []

    def renew_after_a_takeover(serving):
        stolen.append(steal_lease(serving.endpoint.pk))
        return renew(serving)

    monkeypatch.setattr(webhooks._Serving, "renew", renew_after_a_takeover)
    with caplog.at_level(logging.WARNING, logger="registry.changes.webhooks"):
        assert webhooks.deliver_due() == 0
    assert len(stolen) == 1
    (lost,) = [record for record in caplog.records if record.getMessage() == "webhook lease lost"]
    assert lost.endpoint == endpoint.pk
    endpoint.refresh_from_db()
    assert endpoint.leased_until == stolen[0]  # neither renewed nor released by the worker that lost it
    assert not WebhookDelivery.objects.filter(endpoint=endpoint).exists()  # the new holder logs the attempt


def test_more_due_endpoints_than_threads_are_left_for_the_next_look(allowed, answering, editor, monkeypatch):
    server = answering()
    first, second = endpoint_for(server.url, editor), endpoint_for(server.url, editor)
    writes(1)
    monkeypatch.setattr(webhooks, "CONCURRENCY", 1)
    assert webhooks.deliver_due() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.cursor_position == feed.last_position().position
    assert second.cursor_position < first.cursor_position and second.leased_until is None
    assert webhooks.due() == [first.pk, second.pk]  # both looked at again; the second has its change still to get
    assert webhooks.deliver_due() == 1
    second.refresh_from_db()
    assert second.cursor_position == first.cursor_position


class WorkerKilled(BaseException):
    """What ends a worker from outside (as KeyboardInterrupt or SystemExit do), not a fault of one attempt."""


def test_a_worker_stopped_by_a_fault_releases_every_lease_it_holds(allowed, answering, editor, monkeypatch):
    slow = answering(delay=1.0)
    killing = endpoint_for(answering().url, editor)
    waiting = endpoint_for(slow.url, editor)
    real = webhooks.post

    def post(hook, entry):
        if hook.pk == killing.pk:
            raise WorkerKilled
        return real(hook, entry)

    monkeypatch.setattr(webhooks, "post", post)
    writes(1)
    with pytest.raises(WorkerKilled):
        webhooks.deliver_due()
    waiting.refresh_from_db()
    assert waiting.leased_until is None  # left free for the next worker, not held for the lease's 30 s
    assert webhooks.due() == [killing.pk, waiting.pk]
