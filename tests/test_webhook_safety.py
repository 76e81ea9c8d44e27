"""What a receiver, a URL or a staff account cannot do to webhooks, against real sockets on loopback: hold a delivery
past its deadline or delay another endpoint, keep a worker's lease, point the worker at another port or a private
address, get its answer stored, replay a signed request; and where the secret never shows: the admin, a backup."""

import datetime
import hashlib
import hmac
import json
import os
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry import backup
from registry.changes import webhooks
from registry.models import WebhookDelivery, WebhookEndpoint, webhook_rules
from tests.test_webhook_rules import Answering
from tests.test_webhooks import SECRET, allow_loopback, endpoint_for, writes

pytestmark = pytest.mark.django_db

JOIN_TIMEOUT = 30  # seconds; only guards against a hung test, never asserted on


class Trickling:
    """An HTTP server on loopback that answers every POST one byte a second: the status line alone takes 17 s."""

    ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    def __init__(self):
        self.started, self.ended = threading.Event(), threading.Event()
        trickling = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                trickling.started.set()
                try:
                    for byte in self.ANSWER:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(1)
                except OSError:
                    pass  # the worker hung up at its deadline
                finally:
                    trickling.ended.set()

            ANSWER = Trickling.ANSWER

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/slow"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hooks(settings):
    allow_loopback(settings)
    settings.WEBHOOK_BACKOFF_BASE, settings.WEBHOOK_BACKOFF_MAX, settings.WEBHOOK_TIMEOUT = 10, 3600, 5
    return settings


@pytest.fixture
def servers(hooks):
    made = []

    def make(kind=Answering, **answer):
        made.append(kind(**answer))
        hooks.WEBHOOK_ALLOWED_PORTS = [*hooks.WEBHOOK_ALLOWED_PORTS, made[-1].server.server_port]
        return made[-1]

    yield make
    for server in made:
        server.stop()


# --- a receiver cannot hold a delivery ----------------------------------------------------------------------------


def test_a_trickling_receiver_ends_at_the_deadline_and_delays_no_other_endpoint(hooks, servers, editor):
    hooks.WEBHOOK_TIMEOUT = 2
    trickling = servers(Trickling)
    fast = servers()
    slow_endpoint = endpoint_for(trickling.url, editor)  # served first: due endpoints go in id order
    fast_endpoint = endpoint_for(fast.url, editor)
    expected = writes(3)
    seen_while_trickling = []
    original = fast.server.RequestHandlerClass.do_POST

    def noting(handler):
        seen_while_trickling.append(trickling.started.is_set() and not trickling.ended.is_set())
        original(handler)

    fast.server.RequestHandlerClass.do_POST = noting
    assert webhooks.deliver_due() == len(expected)
    # every change reached the fast endpoint, the last while the slow one was still being held open
    assert len(fast.requests) == len(expected) and seen_while_trickling[-1] is True
    fast_log = WebhookDelivery.objects.filter(endpoint=fast_endpoint)
    assert sorted(fast_log.values_list("change_id", flat=True)) == sorted(expected)
    assert all(fast_log.values_list("succeeded", flat=True))
    (slow,) = WebhookDelivery.objects.filter(endpoint=slow_endpoint)
    assert (slow.succeeded, slow.status_code) == (False, None)
    assert slow.error == "No answer within WEBHOOK_TIMEOUT (2 s): timed out."
    assert slow.duration_ms < 10_000  # the answer alone would have taken 17 s: the attempt ended at its deadline
    slow_endpoint.refresh_from_db()
    assert slow_endpoint.leased_until is None and slow_endpoint.failures == 1


# --- leases -------------------------------------------------------------------------------------------------------


def test_a_killed_workers_lease_runs_out_within_a_minute(hooks, servers, editor):
    server = servers()
    endpoint = endpoint_for(server.url, editor)
    writes(1)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        held = webhooks._Serving.take(endpoint.pk, 10)  # taken, then never renewed nor released: kill -9
        assert held is not None and webhooks.due() == []
        assert datetime.timedelta(minutes=1) >= webhooks.LEASE
        clock.shift(webhooks.LEASE + datetime.timedelta(seconds=1))
        assert webhooks.due() == [endpoint.pk]
        assert webhooks.deliver_due() == 1
    assert len(server.requests) == 1
    assert not held.store("cursor_position")  # the dead worker, were it to wake, may write nothing any more


def test_a_lease_is_renewed_while_a_slow_answer_is_awaited(hooks, servers, editor, monkeypatch):
    server = servers(delay=1.0)
    endpoint = endpoint_for(server.url, editor)
    writes(1)
    monkeypatch.setattr(webhooks, "RENEW", 0.1)
    renewals = []
    renew = webhooks._Serving.renew
    monkeypatch.setattr(webhooks._Serving, "renew", lambda serving: renewals.append(renew(serving)) or renewals[-1])
    assert webhooks.deliver_due() == 1
    assert renewals and all(renewals)
    endpoint.refresh_from_db()
    assert endpoint.leased_until is None


def test_sigterm_lets_the_attempt_end_then_releases_the_lease(hooks, servers, editor):
    server = servers(delay=1.0)
    endpoint = endpoint_for(server.url, editor)
    (entry_id,) = writes(1)
    before = signal.getsignal(signal.SIGTERM)

    def terminate_once_delivering():
        deadline = time.monotonic() + JOIN_TIMEOUT
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=terminate_once_delivering, daemon=True)
    killer.start()
    webhooks.run(poll=0.1)  # returns on SIGTERM
    killer.join(JOIN_TIMEOUT)
    assert signal.getsignal(signal.SIGTERM) is before
    endpoint.refresh_from_db()
    assert endpoint.leased_until is None  # released: another worker may take it at once
    (delivery,) = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert (delivery.change_id, delivery.succeeded) == (entry_id, True)  # the request in flight was seen through


# --- where the worker may connect -----------------------------------------------------------------------------------


def register(client, url: str):
    return client.post(reverse("registry-api:webhook-list"), {"name": "x", "url": url, "secret": SECRET}, format="json")


@pytest.mark.parametrize("port", [5432, 6379, 8080])
def test_a_port_not_allowed_is_refused_naming_the_url(hooks, editor_client, port):
    hooks.WEBHOOK_ALLOWED_PORTS = [443, 80]
    response = register(editor_client, f"http://127.0.0.1:{port}/x")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "url", "code": "invalid", "message": f"Port {port} is not in WEBHOOK_ALLOWED_PORTS (443, 80)."}
    ]


def test_https_without_a_port_is_on_443_and_allowed_by_default(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = [".example.vn"]
    settings.WEBHOOK_ALLOWED_PORTS = [443]
    webhook_rules.check_url("https://hooks.example.vn/in")
    with pytest.raises(Exception, match="Port 80 is not in"):
        webhook_rules.check_url("http://hooks.example.vn/in")


@pytest.mark.parametrize(
    ("host", "kind"),
    [("127.0.0.1", "loopback"), ("10.0.0.5", "private"), ("192.168.1.1", "private"), ("169.254.169.254", "link-local")],
)
def test_a_private_address_is_refused_unless_allowed(hooks, editor_client, host, kind):
    hooks.WEBHOOK_ALLOWED_HOSTS = [host]
    hooks.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = register(editor_client, f"http://{host}/x")
    assert response.status_code == 400
    message = f"Address {host} is {kind}: refused unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on."
    assert response.json()["errors"] == [{"field": "url", "code": "invalid", "message": message}]
    hooks.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert register(editor_client, f"http://{host}/x").status_code == 201


def test_a_name_resolving_to_a_private_address_gets_nothing(hooks, servers, editor, monkeypatch):
    """DNS rebinding: the name was fine when saved; what it resolves to at delivery is checked too."""
    server = servers()
    port = server.server.server_port
    hooks.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.vn"]
    endpoint = endpoint_for(f"http://hooks.example.vn:{port}/in", editor)
    answers = {"hooks.example.vn": "127.0.0.1"}
    real = socket.getaddrinfo
    monkeypatch.setattr(
        webhook_rules.socket,
        "getaddrinfo",
        lambda host, *args, **kwargs: real(answers.get(host, host), *args, **kwargs),
    )
    hooks.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    writes(1)
    assert webhooks.deliver_due() == 0
    assert server.requests == []
    (delivery,) = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert delivery.error == "Address 127.0.0.1 is loopback: refused unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on."


def test_the_worker_connects_to_the_address_it_checked_with_the_name_as_host(hooks, servers, editor, monkeypatch):
    server = servers()
    port = server.server.server_port
    hooks.WEBHOOK_ALLOWED_HOSTS = ["hooks.example.vn"]
    endpoint = endpoint_for(f"http://hooks.example.vn:{port}/in", editor)
    looked_up = []
    real = socket.getaddrinfo

    def resolving(host, *args, **kwargs):
        looked_up.append(host)
        return real("127.0.0.1" if host == "hooks.example.vn" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolving)  # every look-up in the process, http.client's too
    writes(1)
    assert webhooks.deliver_due() == 1
    assert looked_up.count("hooks.example.vn") == 1  # resolved once; the connection went to that address
    assert server.requests[0]["headers"]["Host"] == f"hooks.example.vn:{port}"
    endpoint.refresh_from_db()
    assert endpoint.failures == 0


# --- signatures -----------------------------------------------------------------------------------------------------


def verify(secret: str, headers: dict, body: bytes, *, now: float, window: int = 300) -> bool:
    """The receiver's check, as docs/operations.md shows it."""
    timestamp = headers.get("X-Registry-Timestamp", "")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > window:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers.get("X-Registry-Signature", ""), f"sha256={expected}")


def test_a_delivery_verifies_with_its_timestamp_and_not_with_another(hooks, servers, editor):
    server = servers()
    endpoint_for(server.url, editor)
    writes(1)
    webhooks.deliver_due()
    (request,) = server.requests
    headers, body = request["headers"], request["body"]
    sent = int(headers["X-Registry-Timestamp"])
    assert verify(SECRET, headers, body, now=sent)
    assert not verify(SECRET, {**headers, "X-Registry-Timestamp": str(sent + 1)}, body, now=sent)  # changed
    assert not verify(SECRET, headers, body, now=sent + 301)  # replayed after the window
    assert not verify(SECRET, headers, body + b" ", now=sent)
    assert json.loads(body)["change"]["type"] == "changed"


# --- the secret: sealed, and never shown back -----------------------------------------------------------------------


def test_the_secret_is_stored_sealed_and_opens_with_the_key(hooks, editor):
    endpoint = endpoint_for("http://127.0.0.1:9/a", editor)
    stored = WebhookEndpoint.objects.filter(pk=endpoint.pk).values_list("sealed_secret", flat=True).get()
    assert SECRET not in stored and stored.startswith("gAAAA")  # a Fernet token
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == SECRET
    hooks.WEBHOOK_SECRET_KEY = ["u0y2ZcIz3-7m5G0Gk8bq1o2T5Z0hVv1qfJcE8hSxq9A="]  # another key: cannot be opened
    status, error = webhooks.post(WebhookEndpoint.objects.get(pk=endpoint.pk), None)
    assert (status, error) == (None, "The endpoint's secret cannot be decrypted with WEBHOOK_SECRET_KEY.")


def test_a_backup_holds_the_sealed_secret_only(hooks, editor, tmp_path, monkeypatch):
    endpoint_for("http://127.0.0.1:9/a", editor)
    monkeypatch.setattr(backup, "_begin_snapshot", lambda using: None)  # inside the test's transaction
    path = tmp_path / "registry.yaml"
    backup.backup(path)
    text = path.read_text(encoding="utf-8")
    assert "sealed_secret: gAAAA" in text
    assert SECRET not in text


def staff(username: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__endswith="_webhookendpoint"))
    return user


def test_the_admin_shows_staff_their_own_endpoints_only_and_never_the_secret(hooks, client, editor):
    mine_owner, theirs_owner = staff("mine"), staff("theirs")
    mine = endpoint_for("http://127.0.0.1:9/mine", mine_owner)
    theirs = endpoint_for("http://127.0.0.1:9/theirs", theirs_owner)
    client.force_login(mine_owner)
    listing = client.get(reverse("admin:registry_webhookendpoint_changelist")).content.decode()
    assert "/mine" in listing and "/theirs" not in listing
    other_page = client.get(reverse("admin:registry_webhookendpoint_change", args=[theirs.pk]))
    assert other_page.status_code == 302  # "does not exist": back to the admin's index
    page = client.get(reverse("admin:registry_webhookendpoint_change", args=[mine.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert SECRET not in html and mine.sealed_secret not in html
    assert 'type="password" name="secret"' in html and 'name="owner"' not in html  # the owner is not editable


def test_staff_add_endpoints_for_themselves_and_a_superuser_for_anyone(hooks, superuser_client):
    clerk, other = staff("clerk"), staff("other")
    client = Client()
    form = {"name": "HR", "url": "http://127.0.0.1:9/in", "secret": SECRET, "kinds": "[]", "active": "on"}
    inline = {"deliveries-TOTAL_FORMS": 0, "deliveries-INITIAL_FORMS": 0}
    client.force_login(clerk)
    response = client.post(reverse("admin:registry_webhookendpoint_add"), {**form, **inline, "owner": other.pk})
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get(name="HR").owner == clerk  # an owner sent anyway is ignored
    response = superuser_client.post(
        reverse("admin:registry_webhookendpoint_add"), {**form, **inline, "name": "Other's", "owner": other.pk}
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get(name="Other's")
    assert endpoint.owner == other and endpoint.secret == SECRET
    html = superuser_client.get(reverse("admin:registry_webhookendpoint_change", args=[endpoint.pk])).content
    assert SECRET.encode() not in html
    # saved again with the secret left empty, it keeps its secret
    edit = {**form, **inline, "name": "Other's", "owner": other.pk, "secret": ""}
    assert (
        superuser_client.post(reverse("admin:registry_webhookendpoint_change", args=[endpoint.pk]), edit).status_code
        == 302
    )
    endpoint.refresh_from_db()
    assert endpoint.secret == SECRET


# --- the migration: existing secrets sealed, stored answers gone --------------------------------------------------

BEFORE_SEALING = ("registry", "0016_precision_messages_say_the_rule")
SEALED = ("registry", "0017_webhook_secrets_sealed_answers_dropped")


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_existing_secrets_and_drops_the_answers(editor):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_SEALING])
    old = executor.loader.project_state([BEFORE_SEALING]).apps
    OldEndpoint, OldDelivery = (
        old.get_model("registry", "WebhookEndpoint"),
        old.get_model("registry", "WebhookDelivery"),
    )
    owner = old.get_model("auth", "User").objects.get(pk=editor.pk)
    endpoint = OldEndpoint.objects.create(owner=owner, name="old", url="https://a.example/", secret=SECRET)
    OldDelivery.objects.create(
        endpoint=endpoint, change_id=1, event="person.changed", attempt=1, succeeded=False, response_body="internal"
    )
    executor = MigrationExecutor(connection)
    executor.migrate([SEALED])
    executor.loader.build_graph()
    sealed = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert SECRET not in sealed.sealed_secret and sealed.secret == SECRET
    assert list(WebhookDelivery.objects.filter(endpoint=sealed).values_list("change_id", flat=True)) == [1]
    with connection.cursor() as cursor:
        columns = {
            column.name for column in connection.introspection.get_table_description(cursor, "registry_webhookdelivery")
        }
        endpoint_columns = {
            column.name for column in connection.introspection.get_table_description(cursor, "registry_webhookendpoint")
        }
    assert "response_body" not in columns and "secret" not in endpoint_columns


def test_the_api_takes_a_new_secret_and_never_shows_one(hooks, editor_client):
    created = register(editor_client, "http://127.0.0.1:9/in")
    assert created.status_code == 201 and "secret" not in created.json()
    detail = reverse("registry-api:webhook-detail", args=[created.json()["id"]])
    new_secret = "another-shared-secret-of-32-characters-or-more"
    changed = editor_client.patch(detail, {"secret": new_secret}, format="json")
    assert changed.status_code == 200 and "secret" not in changed.json()
    endpoint = WebhookEndpoint.objects.get(pk=created.json()["id"])
    assert endpoint.secret == new_secret and new_secret not in endpoint.sealed_secret
    assert SECRET not in editor_client.get(detail).content.decode()


@pytest.mark.parametrize("address", ["100.64.0.1", "192.0.2.9", "::ffff:127.0.0.1", "fe80::1%eth0", "0.0.0.0"])  # noqa: S104 - refused, not bound
def test_special_purpose_addresses_are_refused(hooks, address):
    hooks.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert webhook_rules.address_problem(address)


def test_a_public_address_passes(hooks):
    hooks.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    assert webhook_rules.address_problem("8.8.8.8") is None


def self_signed(name: str, directory) -> tuple[str, str]:
    """A certificate for ``name`` and its key, as files (PEM); the certificate is its own authority."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


def test_https_goes_to_the_checked_address_with_the_name_as_tls_server_name(hooks, editor, monkeypatch, tmp_path):
    import ssl

    NAME = "hooks.example.vn"
    cert, key = self_signed(NAME, tmp_path)
    names, requests = [], []
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    server_side.sni_callback = lambda sock, name, context: names.append(name)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            requests.append(self.headers["Host"])
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_side.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_port
        hooks.WEBHOOK_ALLOWED_HOSTS, hooks.WEBHOOK_ALLOWED_PORTS = ["hooks.example.vn"], [port]
        real = socket.getaddrinfo
        monkeypatch.setattr(
            socket,
            "getaddrinfo",
            lambda host, *a, **k: real("127.0.0.1" if host == "hooks.example.vn" else host, *a, **k),
        )
        # The worker trusts this test's certificate, and still checks that it is the name's.
        trusting = ssl.create_default_context(cafile=cert)
        monkeypatch.setattr(webhooks.ssl, "create_default_context", lambda: trusting)
        endpoint = endpoint_for(f"https://hooks.example.vn:{port}/in", editor)
        writes(1)
        assert webhooks.deliver_due() == 1
        assert names == ["hooks.example.vn"] and requests == [f"hooks.example.vn:{port}"]
        endpoint.refresh_from_db()
        assert endpoint.failures == 0
    finally:
        server.shutdown()
        server.server_close()
