"""Webhooks end to end against a receiver on loopback: signed, in feed order, at least once, retried with backoff
when the receiver fails, resumed in place after a pause; and the rules of who may register what URL."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse

from registry import services
from registry.changes import feed, webhooks
from registry.models import Change, Organization, WebhookDelivery, WebhookEndpoint
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

SECRET = "a-shared-secret-of-at-least-32-characters"


class Receiver:
    """An HTTP server on 127.0.0.1 (ports 8870-8889) that fails the first ``fail`` requests with a 500."""

    def __init__(self, fail: int = 0):
        self.fail = fail
        self.requests: list[dict] = []  # every request, answered 2xx or not
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = len(receiver.requests) >= receiver.fail
                receiver.requests.append({"headers": dict(self.headers), "body": body, "ok": ok})
                self.send_response(200 if ok else 500)
                self.end_headers()
                self.wfile.write(b"ok" if ok else b"try later")

            def log_message(self, *args):
                pass

        for port in range(8870, 8890):
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError:
                continue
        else:
            raise RuntimeError("no free port in 8870-8889")
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def delivered(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests if request["ok"]]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


#: The fixed ports the tests name (receivers on a free port allow theirs when they start).
TEST_PORTS = [443, 80, 9, *range(8870, 8890)]


def allow_loopback(settings) -> None:
    """The receivers listen on loopback, which deliveries refuse unless told: the tests tell, and name the ports."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_ALLOWED_PORTS = TEST_PORTS


@pytest.fixture
def hook_settings(settings):
    allow_loopback(settings)
    settings.WEBHOOK_BACKOFF_BASE = 0.05
    settings.WEBHOOK_BACKOFF_MAX = 0.2
    settings.WEBHOOK_TIMEOUT = 5
    return settings


@pytest.fixture
def receiver():
    made = []

    def make(fail=0):
        made.append(Receiver(fail))
        return made[-1]

    yield make
    for server in made:
        server.stop()


def endpoint_for(url: str, editor, **values) -> WebhookEndpoint:
    start = webhooks.start_position()
    return WebhookEndpoint.objects.create(
        owner=editor, name="city system", url=url, secret=SECRET, cursor_position=start.position, **values
    )


def writes(count: int) -> list[int]:
    """``count`` writes through the services; returns the ids of their feed entries, in feed order."""
    before = Change.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for index in range(count):
        organization = OrganizationFactory()
        services.record_update(instance=organization, changes={"note": f"change {index}"}, reason=f"reason {index}")
    return list(Change.objects.filter(id__gt=before).order_by("position", "id").values_list("id", flat=True))


def work_until(done, seconds: float = 20) -> int:
    rounds = 0
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        webhooks.deliver_due()
        rounds += 1
        time.sleep(0.02)
    assert done(), "not delivered in time"
    return rounds


def test_a_failing_then_recovering_receiver_gets_everything_in_order(hook_settings, receiver, editor):
    server = receiver(fail=3)
    endpoint = endpoint_for(server.url, editor)
    expected = writes(5)
    assert len(expected) == 5  # one feed entry per service write
    work_until(lambda: len(server.delivered()) == len(expected))
    delivered = server.delivered()
    assert [body["change"]["id"] for body in delivered] == expected  # nothing lost, nothing out of order
    assert [request["ok"] for request in server.requests] == [False] * 3 + [True] * len(expected)
    # the three failures were the first change, tried again with the same delivery id
    first_ids = {request["headers"]["X-Registry-Delivery"] for request in server.requests[:4]}
    assert len(first_ids) == 1
    for request in server.requests:
        signed = request["headers"]["X-Registry-Timestamp"].encode() + b"." + request["body"]
        expected_signature = "sha256=" + hmac.new(SECRET.encode(), signed, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(request["headers"]["X-Registry-Signature"], expected_signature)
        body = json.loads(request["body"])
        assert request["headers"]["X-Registry-Event"] == f"{body['change']['model']}.{body['change']['type']}"
    log = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id")
    assert [(d.attempt, d.succeeded, d.status_code) for d in log[:4]] == [
        (1, False, 500),
        (2, False, 500),
        (3, False, 500),
        (4, True, 200),
    ]
    assert log.count() == 3 + len(expected)
    endpoint.refresh_from_db()
    assert endpoint.failures == 0 and endpoint.cursor_position == Change.objects.get(pk=expected[-1]).position
    assert [body["change"]["reason"] for body in delivered] == [f"reason {index}" for index in range(5)]


def test_backoff_grows_exponentially(hook_settings):
    hook_settings.WEBHOOK_BACKOFF_BASE, hook_settings.WEBHOOK_BACKOFF_MAX = 10, 3600
    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3, 4, 20)] == [10, 20, 40, 80, 3600]


def test_a_disabled_endpoint_resumes_where_it_stopped(hook_settings, receiver, editor):
    server = receiver()
    endpoint = endpoint_for(server.url, editor)
    first = writes(1)
    work_until(lambda: len(server.delivered()) == len(first))
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    second = writes(2)
    webhooks.deliver_due()
    assert len(server.delivered()) == len(first)  # nothing while disabled
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=True)
    work_until(lambda: len(server.delivered()) == len(first) + len(second))
    assert [body["change"]["id"] for body in server.delivered()] == first + second


def test_an_unreachable_receiver_is_retried_later_and_logged(hook_settings, editor):
    endpoint = endpoint_for("http://127.0.0.1:8889/nobody-listens", editor)
    writes(1)
    webhooks.deliver_due()
    endpoint.refresh_from_db()
    assert endpoint.failures == 1 and endpoint.next_attempt is not None
    assert endpoint.cursor_position < feed.last_position().position  # the change stays ahead, to be tried again
    (delivery,) = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert not delivery.succeeded and delivery.status_code is None and delivery.error
    assert webhooks.deliver_due() == 0  # within its backoff, not tried again


def test_filters_by_kind_and_organization(hook_settings, receiver, editor):
    server = receiver()
    followed = OrganizationFactory()
    endpoint = endpoint_for(server.url, editor, kinds=["organization"])
    endpoint.organizations.set([followed])
    services.record_update(instance=followed, changes={"note": "followed"}, reason="x")
    writes(2)  # other bodies
    work_until(lambda: WebhookEndpoint.objects.get(pk=endpoint.pk).cursor_position == feed.last_position().position)
    assert [body["change"]["object_id"] for body in server.delivered()] == [followed.pk]


def test_the_worker_command_runs_one_round(hook_settings, receiver, editor):
    server = receiver()
    endpoint_for(server.url, editor)
    expected = writes(1)
    call_command("deliver_webhooks", "--once")
    assert [body["change"]["id"] for body in server.delivered()] == expected


# --- the API ---------------------------------------------------------------------------------------------------------


def test_register_through_the_api_and_see_own_deliveries_only(hook_settings, editor_client, editor, django_user_model):
    response = editor_client.post(
        reverse("registry-api:webhook-list"),
        {"name": "HR system", "url": "http://127.0.0.1:8871/in", "secret": SECRET, "kinds": ["appointment"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert "secret" not in body
    assert body["position"] == webhooks.start_position().encode()
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.owner == editor
    deliveries = editor_client.get(reverse("registry-api:webhook-deliveries", args=[endpoint.pk]))
    assert deliveries.status_code == 200
    other = django_user_model.objects.create_user("other")
    other.user_permissions.set(editor.user_permissions.all())
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(other)
    assert client.get(reverse("registry-api:webhook-detail", args=[endpoint.pk])).status_code == 404
    assert client.get(reverse("registry-api:webhook-list")).json()["results"] == []


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/x", "http://10.0.0.5/x", "http://metadata.internal/", "http://user:pw@127.0.0.1/x"]
)
def test_urls_outside_the_allowed_hosts_are_refused(hook_settings, editor_client, url):
    response = editor_client.post(
        reverse("registry-api:webhook-list"), {"name": "x", "url": url, "secret": SECRET}, format="json"
    )
    assert response.status_code == 400
    assert "url" in {error["field"] for error in response.json()["errors"]}


def test_anonymous_clients_see_no_webhooks(api_client):
    assert api_client.get(reverse("registry-api:webhook-list")).status_code in (401, 403)


def test_webhook_configuration_is_not_in_the_public_feed(hook_settings, editor):
    endpoint_for("http://127.0.0.1:8872/x", editor)
    assert not Change.objects.filter(model__startswith="webhook").exists()
    assert feed.entries_after(None, 1) is not None
    assert Organization.objects.exists()
