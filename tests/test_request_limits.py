"""Request checks in linear time: a body of the largest size accepted, shaped to make a check slow, is answered at
once; and gunicorn's own refusals are written in the API's error shape (the live proofs: test_live_hostile_requests)."""

import io
import json
import random
import time

import pytest
from django.conf import settings
from gunicorn.http import errors
from rest_framework.exceptions import ParseError

from config.workers import json_error_response, refusal
from registry.api.parsers import MAX_DEPTH, RegistryJSONParser, nesting_depth
from tests.helpers import assert_error, list_url

#: Generous upper bound proving "does not hang": each check takes milliseconds, the old one minutes at this size.
FAST = 1.0


def largest(start: str, unit: str, end: str = "") -> str:
    """``start``, ``unit`` repeated and ``end``, as long as the largest body the server accepts."""
    room = settings.DATA_UPLOAD_MAX_MEMORY_SIZE - len(start) - len(end)
    return start + unit * (room // len(unit)) + end


HOSTILE = {
    "quote then escaped quotes": largest('"', '\\"'),
    "escaped quotes in an open string": largest('{"name": "', '\\"'),
    "backslashes": largest('"', "\\"),
    "quotes": largest("", '"'),
    "open arrays": largest("", "["),
    "open objects": largest("", '{"a":'),
    "empty arrays": largest("[", "[],", "[]]"),
    "brackets in one string": largest('{"name": "', "[{", '"}'),
    "digits": largest("", "1"),
}


def reference_depth(text: str) -> int:
    """The nesting depth by the plainest state machine, one character at a time: what the fast check must agree with."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse(data: bytes):
    return RegistryJSONParser().parse(io.BytesIO(data), "application/json", {"encoding": "utf-8"})


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_nesting_check_reads_the_largest_hostile_body_at_once(text):
    started = time.perf_counter()
    depth = nesting_depth(text)
    assert time.perf_counter() - started < FAST
    assert depth == reference_depth(text)


#: Shapes that are valid JSON of the largest size: read whole by Python's parser (a third of a million empty lists
#: take it half a second), so the bound for them is looser, still proof that nothing is quadratic.
VALID = {"empty arrays", "brackets in one string"}
READ_WHOLE = 5.0


@pytest.mark.parametrize("shape", HOSTILE)
def test_the_parser_answers_the_largest_hostile_body_at_once(shape):
    body = HOSTILE[shape].encode()
    started = time.perf_counter()
    try:
        parsed = parse(body)
    except ParseError:
        parsed = ParseError
    assert time.perf_counter() - started < (READ_WHOLE if shape in VALID else FAST)
    assert parsed is not ParseError if shape in VALID else parsed is ParseError


def test_the_nesting_check_agrees_with_a_character_by_character_reading():
    alphabet = ['"', "\\", "[", "]", "{", "}", "a", ",", ":", " "]
    rng = random.Random(20250101)  # noqa: S311 - a fixed sample of texts, not a secret
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert nesting_depth(text) == reference_depth(text), text


@pytest.mark.parametrize(
    "text",
    [json.dumps({"name": 'a "quoted" \\ name [{', "list": [[1, {"b": ["]"]}]]}), '["\\\\"]', '"\\u005b"', "[]"],
)
def test_valid_json_is_measured_as_json_reads_it(text):
    assert nesting_depth(text) == reference_depth(text)
    assert parse(text.encode()) == json.loads(text)


def test_a_string_left_open_counts_no_bracket_after_it():
    assert nesting_depth('[[ "open [[[[ \\" [[[') == 2
    assert nesting_depth("[" * (MAX_DEPTH + 1) + '"') == MAX_DEPTH + 1


@pytest.mark.django_db
@pytest.mark.parametrize("shape", ["quote then escaped quotes", "open objects", "escaped quotes in an open string"])
def test_the_api_answers_the_largest_hostile_body_with_a_400_at_once(editor_client, shape):
    # The limit counts the whole body, so the largest accepted body leaves room for nothing more.
    body = HOSTILE[shape][: settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 1]
    started = time.perf_counter()
    response = editor_client.post(list_url("person"), body, content_type="application/json")
    assert time.perf_counter() - started < FAST
    assert assert_error(response, 400)["code"] == "parse_error"


# --- gunicorn's own refusals ----------------------------------------------------------------------------------------


class Limits:
    limit_request_line = 8190
    limit_request_fields = 100
    limit_request_field_size = 8190


@pytest.mark.parametrize(
    "exc, status, code",
    [
        (errors.LimitRequestLine(9000, 8190), 414, "request_line_too_long"),
        (errors.LimitRequestHeaders("limit request headers fields"), 431, "headers_too_large"),
        (errors.InvalidHeader("CONTENT-LENGTH"), 400, "bad_request"),
        (errors.InvalidHeader("X-Odd"), 400, "bad_request"),
        (errors.InvalidRequestLine("GET"), 400, "bad_request"),
        (errors.UnsupportedTransferCoding("gzip"), 501, "not_implemented"),
        (errors.ForbiddenProxyRequest("10.0.0.1"), 403, "forbidden"),
        (errors.ConfigurationProblem("bad"), 500, "server_error"),
    ],
    ids=lambda value: value.__class__.__name__ if isinstance(value, Exception) else None,
)
def test_each_refusal_of_gunicorn_has_its_status_and_code(exc, status, code):
    answer = refusal(exc, Limits)
    assert answer[:1] + answer[2:3] == (status, code)
    head, _, body = json_error_response(*answer).partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"Content-Type: application/json" in head
    assert f"Content-Length: {len(body)}".encode() in head
    parsed = json.loads(body)
    assert parsed["status"] == status
    assert parsed["errors"] == [{"field": None, "code": code, "message": answer[3]}]


def test_what_a_client_sent_is_echoed_only_in_part():
    _, _, _, message = refusal(errors.InvalidRequestLine("G" * 9000), Limits)
    assert len(message) < 300
