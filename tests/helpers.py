"""Helpers the API test modules share: URLs by route name, and the one error body every failure has."""

from django.urls import reverse

NS = "registry-api"
ERROR_KEYS = {"status", "code", "detail", "errors"}


def list_url(basename: str) -> str:
    return reverse(f"{NS}:{basename}-list")


def detail_url(basename: str, key) -> str:
    return reverse(f"{NS}:{basename}-detail", args=[key])


def action_url(basename: str, action: str, key) -> str:
    return reverse(f"{NS}:{basename}-{action}", args=[key])


def assert_error(response, status: int, field: str | None = None) -> dict:
    """The one error shape: {status, code, detail, errors: [{field, code, message}]}; ``field`` is named if given."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS, body
    assert body["status"] == status
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"field", "code", "message"}
        assert error["message"]
    if field is not None:
        assert field in {error["field"] for error in body["errors"]}, body
    return body
