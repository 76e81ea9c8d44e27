"""Hostile requests against a real server (gunicorn, 2 workers): a body built to make a check slow is refused at once
and the worker keeps serving; what gunicorn refuses itself (a request line or headers over its limits, a Content-Length
that is not a number) is answered in the API's JSON error shape, not gunicorn's HTML page."""

import contextlib
import json
import socket
import time
import urllib.parse

import pytest

from tests.live import Registry, live_registry

pytestmark = [pytest.mark.live]

#: The size at which the old nesting check held a worker past gunicorn's 30 s timeout.
HOSTILE_SIZE = 64_001
#: Generous: the refusal takes milliseconds; the old check took 30 s at this size.
FAST = 1.0


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    with live_registry(tmp_path_factory.mktemp("hostile"), workers=2) as running:
        yield running


def raw_request(registry: Registry, data: bytes) -> tuple[int, dict, dict | None]:
    """Send bytes as they are (no client library tidies them) and read the answer to the end."""
    address = urllib.parse.urlsplit(registry.base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(data)
        received = b""
        with contextlib.suppress(ConnectionResetError):  # the server may close before reading all we sent
            while chunk := sock.recv(65536):
                received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, json.loads(body) if body else None


def assert_json_error(status: int, headers: dict, body, expected_status: int, code: str) -> None:
    assert status == expected_status, body
    assert headers["content-type"] == "application/json"
    assert body["status"] == expected_status
    assert body["code"] == code
    assert body["errors"][0]["code"] == code
    assert body["detail"] == body["errors"][0]["message"]


def pad(start: str, unit: str, end: str = "") -> str:
    """``start``, then ``unit`` repeated, then ``end``: a text of HOSTILE_SIZE characters."""
    return start + unit * ((HOSTILE_SIZE - len(start) - len(end)) // len(unit)) + end


HOSTILE_BODIES = {
    "quote then escaped quotes": pad('"', '\\"'),
    "escaped quotes in an open string": pad('{"name": "', '\\"'),
    "backslashes": pad('"', "\\"),
    "quotes": pad("", '"'),
    "open arrays": pad("", "["),
    "open objects": pad("", '{"a":'),
    "brackets in one string": pad('{"name": "', "[{", '"}'),
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_a_hostile_body_of_64_kb_is_a_json_400_in_well_under_a_second(registry, body):
    started = time.monotonic()
    answer = registry.request("POST", "/api/v1/people/", raw=body.encode())
    elapsed = time.monotonic() - started
    print(f"\n{len(body):,} bytes: {answer.status} in {elapsed * 1000:.0f} ms")
    assert answer.status == 400, answer.body
    assert answer.body["code"] in ("parse_error", "invalid")
    assert elapsed < FAST
    assert registry.request("GET", "/api/v1/portfolios/").status == 200  # the worker is still serving


def test_hostile_bodies_on_every_worker_at_once_leave_the_server_serving(registry):
    body = HOSTILE_BODIES["quote then escaped quotes"].encode()
    started = time.monotonic()
    answers = [registry.request("POST", "/api/v1/people/", raw=body) for _ in range(8)]
    assert [answer.status for answer in answers] == [400] * 8
    assert time.monotonic() - started < 8 * FAST
    assert registry.request("GET", "/api/v1/people/").status == 200


def test_a_request_line_over_the_limit_is_a_json_414(registry):
    path = "/api/v1/people/?search=" + "a" * 9000
    status, headers, body = raw_request(registry, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    assert_json_error(status, headers, body, 414, "request_line_too_long")
    assert "8190 bytes" in body["detail"]


@pytest.mark.parametrize("extra", [1, 500], ids=["one byte over", "500 bytes over"])
def test_a_request_line_just_over_the_limit_is_a_json_414(registry, extra):
    start, end = "GET /api/v1/people/?q=", " HTTP/1.1"
    line = start + "a" * (8190 + extra - len(start) - len(end)) + end
    assert len(line) == 8190 + extra
    status, headers, body = raw_request(registry, f"{line}\r\nHost: 127.0.0.1\r\n\r\n".encode())
    assert_json_error(status, headers, body, 414, "request_line_too_long")


def test_a_request_line_at_the_limit_reaches_the_registry(registry):
    start, end = "GET /api/v1/people/?q=", " HTTP/1.1"
    line = start + "a" * (8190 - len(start) - len(end)) + end
    status, headers, body = raw_request(registry, f"{line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    assert headers["content-type"].startswith("application/json")
    assert status != 414, body


@pytest.mark.parametrize(
    "length",
    [
        "Content-Length: abc",
        "Content-Length: -1",
        "Content-Length: 1.5",
        "Content-Length: +2",
        "Content-Length: 0x2",
        "Content-Length: \u00b2",
        "Content-Length: 2\r\nContent-Length: 3",
        "Content-Length: 2\r\nTransfer-Encoding: chunked",
    ],
    ids=["letters", "negative", "decimal", "signed", "hex", "superscript two", "two lengths", "length and chunked"],
)
def test_a_content_length_that_is_not_a_number_is_a_json_400(registry, length):
    request = f"POST /api/v1/people/ HTTP/1.1\r\nHost: 127.0.0.1\r\n{length}\r\n\r\n{{}}".encode("latin-1")
    status, headers, body = raw_request(registry, request)
    assert_json_error(status, headers, body, 400, "bad_request")
    assert "Content-Length" in body["detail"]


@pytest.mark.parametrize(
    "headers",
    [f"X-Huge: {'a' * 9000}\r\n", "".join(f"X-Many-{n}: 1\r\n" for n in range(150))],
    ids=["one header of 9,000 bytes", "150 headers"],
)
def test_headers_over_the_limits_are_a_json_431(registry, headers):
    request = f"GET /api/v1/people/ HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()
    status, answer_headers, body = raw_request(registry, request)
    assert_json_error(status, answer_headers, body, 431, "headers_too_large")


def test_a_malformed_request_line_is_a_json_400(registry):
    status, headers, body = raw_request(registry, b"GET\r\n\r\n")
    assert_json_error(status, headers, body, 400, "bad_request")


def test_the_server_still_answers_after_the_refusals(registry):
    assert registry.request("GET", "/api/v1/people/").status == 200
