"""The OpenAPI schema and the documentation pages.

Every test sees the seeded registry (tests/conftest.py)."""

import json
import re

import pytest
from django.urls import reverse

from registry.models import (
    Portfolio,
)
from tests.helpers import NS, assert_error, list_url
from tests.resources import RESOURCES

pytestmark = pytest.mark.django_db


# --- f. schema and documentation pages -----------------------------------------------------------------------------


def test_schema_is_openapi_3(api_client):
    response = api_client.get(reverse(f"{NS}:schema"))
    assert response.status_code == 200
    assert response.content.startswith(b"openapi: 3.")
    schema = json.loads(api_client.get(reverse(f"{NS}:schema"), {"format": "json"}).content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/organizations/{slug}/chart/" in schema["paths"]
    for resource in RESOURCES:
        assert list_url(resource.basename) in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/posts/"]["get"]["parameters"]}
    assert {"q", "as_of", "organization", "role", "portfolio", "standing", "page", "page_size"} <= parameters


ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


@pytest.mark.parametrize("name", ["docs", "redoc"])
def test_documentation_pages_use_local_assets_only(api_client, name):
    response = api_client.get(reverse(f"{NS}:{name}"))
    assert response.status_code == 200
    html = response.content.decode()
    assets = ASSET.findall(html)
    assert any(asset.startswith("/static/") and asset.endswith(".js") for asset in assets), assets
    assert not re.search(r"https?://", html), re.findall(r"https?://[^\s\"'<>]+", html)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert api_client.get(asset).status_code == 200, asset


def test_length_is_checked_on_the_string_sent_not_a_trimmed_copy(editor_client):
    """The schema's maxLength holds for what the client sends: padding does not sneak a long name through."""
    payload = {"slug": "padded", "name": " " * 10 + "Lĩnh vực" + " " * 250}
    response = editor_client.post(list_url("portfolio"), payload, format="json")
    assert_error(response, 400, "name")
    assert not Portfolio.objects.filter(slug="padded").exists()
