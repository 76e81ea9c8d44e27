"""The README's tour (and docs/api.md's examples) run against the seeded registry, so the text cannot drift.

An example is a fenced ```http block holding a request line (`GET /api/v1/…`, or `POST /api/v1/…` with its JSON body
on the lines below), followed by a ```json block: a part of the answer. Every field shown must be in the real answer
with the value shown; a list shown lists some of the real list's items in their order (an empty list shown is an
empty list); a `status` shown is the answer's status (200 otherwise). Reads go anonymously; a POST is sent by an
editor, inside the test's transaction, so nothing it writes outlives the test.
"""

import json
import re
from pathlib import Path

import pytest
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ("README.md", "docs/api.md")
EXAMPLE = re.compile(
    r"^```http\n(?P<request>[^\n]+)\n(?:(?P<body>[^`]*?)\n)?```\n```json\n(?P<shown>.*?)\n```$",
    re.MULTILINE | re.DOTALL,
)
REQUEST = re.compile(r"^(?P<method>GET|POST) (?P<path>/\S+)$")


def examples() -> list:
    found = []
    for name in DOCUMENTS:
        text = (ROOT / name).read_text(encoding="utf-8")
        for match in EXAMPLE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(pytest.param(match["request"], match["body"], match["shown"], id=f"{name}:{line}"))
    return found


def mismatches(real, shown, where: str = "answer") -> list[str]:
    """What of `shown` the real answer does not hold, each with its place."""
    if isinstance(shown, dict):
        if not isinstance(real, dict):
            return [f"{where}: an object is shown, the answer has {real!r}"]
        problems = []
        for key, value in shown.items():
            if key not in real:
                problems.append(f"{where}.{key}: shown, not in the answer")
            else:
                problems.extend(mismatches(real[key], value, f"{where}.{key}"))
        return problems
    if isinstance(shown, list):
        if not isinstance(real, list):
            return [f"{where}: a list is shown, the answer has {real!r}"]
        if not shown:
            return [] if not real else [f"{where}: shown empty, the answer has {len(real)} items"]
        items = iter(enumerate(real))
        for index, item in enumerate(shown):
            if not any(not mismatches(candidate, item) for _, candidate in items):
                return [f"{where}[{index}]: {item!r} is not among the answer's items (in this order)"]
        return []
    return [] if real == shown else [f"{where}: shown {shown!r}, the answer has {real!r}"]


def test_the_documents_hold_their_examples():
    """A broken fence would silently drop examples from the run below: every ```http block is one of them."""
    fences = sum((ROOT / name).read_text(encoding="utf-8").count("```http\n") for name in DOCUMENTS)
    assert len(examples()) == fences >= 16


@pytest.mark.django_db
@pytest.mark.parametrize(("request_line", "body", "shown"), examples())
def test_each_example_answers_what_it_shows(request_line, body, shown, editor_client):
    request = REQUEST.match(request_line)
    assert request, f"not a request line of the form 'GET /path' or 'POST /path': {request_line!r}"
    assert (request["method"] == "POST") == bool(body), "a POST shows its body, a GET has none"
    expected = json.loads(shown)
    if request["method"] == "GET":
        answer = APIClient().get(request["path"], HTTP_ACCEPT="application/json")
    else:
        answer = editor_client.post(request["path"], json.loads(body), format="json", HTTP_ACCEPT="application/json")
    assert answer.status_code == expected.get("status", 200), answer.content[:500]
    assert mismatches(answer.json(), expected) == []


def test_a_shown_part_must_really_be_there():
    """The comparison itself: what it accepts and what it names."""
    real = {"count": 2, "results": [{"a": 1, "b": [1, 2]}, {"a": 2, "b": []}]}
    assert mismatches(real, {"results": [{"a": 2}]}) == []
    assert mismatches(real, {"results": [{"a": 1}, {"b": []}]}) == []
    assert mismatches(real, {"results": [{"a": 2}, {"a": 1}]}) == [
        "answer.results[1]: {'a': 1} is not among the answer's items (in this order)"
    ]
    assert mismatches(real, {"count": 3, "next": None}) == [
        "answer.count: shown 3, the answer has 2",
        "answer.next: shown, not in the answer",
    ]
    assert mismatches(real, {"results": []}) == ["answer.results: shown empty, the answer has 2 items"]
    assert mismatches(real, {"count": {"a": 1}}) == ["answer.count: an object is shown, the answer has 2"]
    assert mismatches(real, {"count": [1]}) == ["answer.count: a list is shown, the answer has 2"]
