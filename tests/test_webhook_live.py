"""The webhook worker as its own process (``manage.py deliver_webhooks``) on a seeded registry, with receivers on
loopback: a receiver trickling its answer a byte a second holds neither the worker nor another endpoint; SIGTERM
releases the leases; a worker killed with SIGKILL leaves leases that run out within a minute."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.live import ROOT, live_registry, run
from tests.test_webhook_rules import Answering
from tests.test_webhook_safety import Trickling

pytestmark = pytest.mark.live
JOIN_TIMEOUT = 60  # seconds; only guards against a hung test, never asserted on

SETUP = """
from django.contrib.auth.models import User
from registry import services
from registry.changes import webhooks
from registry.models import Organization, WebhookEndpoint
owner = User.objects.get(username="live-editor")
start = webhooks.start_position().position
for name, url in (("slow", "{slow}"), ("fast", "{fast}")):
    WebhookEndpoint.objects.create(owner=owner, name=name, url=url, secret="s" * 32, cursor_position=start)
for organization in Organization.objects.order_by("id")[:3]:
    services.record_update(instance=organization, changes={{"note": "live webhook"}}, reason="live webhook")
"""
STATE = """
import json
from django.utils import timezone
from registry.models import WebhookEndpoint
now = timezone.now()
print(json.dumps({e.name: {
    "lease_left": (e.leased_until - now).total_seconds() if e.leased_until else None,
    "log": list(e.deliveries.order_by("id").values_list("succeeded", "error")),
} for e in WebhookEndpoint.objects.all()}))
"""


def django(env: dict, code: str) -> str:
    return run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], env).strip()


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + JOIN_TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"waited too long for {what}"
        time.sleep(0.05)


def worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver_webhooks", "--poll", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_worker_process_is_held_by_no_receiver_and_gives_its_leases_back(tmp_path):
    slow, fast = Trickling(), Answering()
    ports = f"{slow.server.server_port},{fast.server.server_port}"
    settings = {
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "WEBHOOK_ALLOWED_PORTS": ports,
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
        "WEBHOOK_TIMEOUT": "3",
        "WEBHOOK_BACKOFF_BASE": "0.1",
        "WEBHOOK_BACKOFF_MAX": "0.1",
    }
    try:
        with live_registry(tmp_path, workers=1, extra_env=settings) as registry:
            env = registry.env
            django(env, SETUP.format(slow=slow.url, fast=fast.url))
            process = worker(env)
            # All three changes reach the fast endpoint while the slow one's first answer still trickles.
            wait_for(lambda: len(fast.requests) == 3, "the fast endpoint's three changes")
            assert slow.started.is_set() and not slow.ended.is_set()
            wait_for(lambda: slow.ended.is_set(), "the slow attempt's deadline")
            state = json.loads(django(env, STATE))
            assert state["fast"]["log"] == [[True, ""]] * 3
            assert state["slow"]["log"][0] == [False, "No answer within WEBHOOK_TIMEOUT (3 s): timed out."]
            # SIGTERM: the attempt in flight ends (within its deadline), then every lease is released.
            slow.started.clear()
            wait_for(lambda: slow.started.is_set(), "the slow endpoint's retry")
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=JOIN_TIMEOUT) == 0
            state = json.loads(django(env, STATE))
            assert state["slow"]["lease_left"] is None and state["fast"]["lease_left"] is None
            # SIGKILL in the middle of an attempt: the lease stays, but runs out within a minute.
            process = worker(env)
            slow.started.clear()
            wait_for(lambda: slow.started.is_set(), "the slow endpoint's attempt by the second worker")
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=JOIN_TIMEOUT)
            left = json.loads(django(env, STATE))["slow"]["lease_left"]
            assert left is not None and 0 < left <= 60
    finally:
        slow.stop()
        fast.stop()
