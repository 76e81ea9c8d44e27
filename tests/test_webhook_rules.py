"""The rules of webhooks, one at a time: which hosts and kinds an endpoint may name, how a request is signed and
identified, what the worker does with a redirect, a slow or chatty receiver, a host struck off the allow-list, a
leased endpoint, a back-off still running, and which changes reach an endpoint that follows some bodies or kinds.
(tests/test_webhooks.py delivers end to end; this module takes the other paths.)"""

import datetime
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry import feed, services, webhooks
from registry.models import Change, Identifier, WebhookDelivery, WebhookEndpoint
from tests.factories import AppointmentFactory, OrganizationFactory, PersonFactory, PostFactory
from tests.test_webhooks import SECRET, endpoint_for, writes

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
def answering():
    made = []

    def make(**answer) -> Answering:
        made.append(Answering(**answer))
        return made[-1]

    yield make
    for server in made:
        server.stop()


@pytest.fixture
def allowed(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_BACKOFF_BASE = 10
    settings.WEBHOOK_BACKOFF_MAX = 3600
    settings.WEBHOOK_TIMEOUT = 5
    return settings


def last_entry_id() -> int:
    return Change.objects.order_by("-id").values_list("id", flat=True).first()


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
    status, _, error = webhooks.post(endpoint, Change.objects.last())
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


def test_the_signature_is_hmac_sha256_of_the_exact_body():
    body = b"The quick brown fox jumps over the lazy dog"
    assert webhooks.signature("key", body) == "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    assert webhooks.signature("key", body + b" ") != webhooks.signature("key", body)
    assert webhooks.signature("khóa", b"{}") == "sha256=" + hmac.new("khóa".encode(), b"{}", hashlib.sha256).hexdigest()


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
    assert endpoint.cursor_id < last_entry_id()


def test_a_redirect_is_not_followed_and_counts_as_a_failure(allowed, answering, editor):
    elsewhere = answering()
    server = answering(status=307, headers={"Location": elsewhere.url}, body=b"moved")
    endpoint = endpoint_for(server.url, editor)
    writes(1)
    assert webhooks.deliver_due() == 0
    assert len(server.requests) == 1 and elsewhere.requests == []
    (delivery,) = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert (delivery.succeeded, delivery.status_code, delivery.error, delivery.response_body) == (
        False,
        307,
        "HTTP 307",
        "moved",
    )
    endpoint.refresh_from_db()
    assert endpoint.last_error == "HTTP 307" and endpoint.next_attempt is not None


def test_only_the_start_of_a_long_answer_is_kept(allowed, answering, editor):
    answer = ("lỗi " * 2000).encode()
    server = answering(status=500, body=answer)
    endpoint = endpoint_for(server.url, editor)
    writes(1)
    webhooks.deliver_due()
    (delivery,) = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert delivery.status_code == 500 and delivery.error == "HTTP 500"
    # the first BODY_KEPT bytes, a character cut in two shown as U+FFFD
    assert delivery.response_body == answer[: webhooks.BODY_KEPT].decode("utf-8", "replace")
    assert delivery.response_body.endswith("\ufffd")


def test_a_receiver_slower_than_the_timeout_is_a_failure(allowed, answering, editor):
    allowed.WEBHOOK_TIMEOUT = 0.2
    server = answering(delay=1.5)
    endpoint = endpoint_for(server.url, editor)
    writes(1)
    assert webhooks.deliver_due() == 0
    (delivery,) = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert delivery.status_code is None and "timed out" in delivery.error
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
    assert endpoint.leased_until is None and endpoint.cursor_id == last_entry_id()


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
    assert endpoint.cursor_id == last_entry_id()  # passed over, not waiting


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
    assert endpoint.cursor_id == last_entry_id()
