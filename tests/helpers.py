"""Helpers the API test modules share: URLs by route name, and the one error body every failure has."""

from django.db.models import Model
from django.urls import reverse

from registry.models import Post

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


#: The steering committee: the seeded body most API tests read.
COMMITTEE = "ban-chi-dao-tp-hcm-ve-hoi-nhap-quoc-te"

# The brief form of each kind of related record, as responses render it.
BRIEF_KEYS = {
    "organization": {"id", "slug", "name", "url"},
    "person": {"id", "slug", "name", "url"},
    "portfolio": {"id", "slug", "name", "url"},
    "document": {"id", "slug", "number", "title", "url"},
    "post": {"id", "slug", "label", "name", "url"},
}


def chart_url(slug: str) -> str:
    return reverse(f"{NS}:organization-chart", args=[slug])


def seeded_post(slug: str) -> Post:
    return Post.objects.get(slug=slug)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def slugs(response) -> list[str]:
    return [row["slug"] for row in results(response)]


def assert_brief(value: dict, kind: str, record: Model) -> None:
    assert set(value) == BRIEF_KEYS[kind], value
    assert value["id"] == record.pk
    assert value["slug"] == record.slug
    assert value["url"].startswith("http://testserver/api/v1/")


# --- the admin ---------------------------------------------------------------------------------------------------


def admin_change_url(instance) -> str:
    return reverse(f"admin:registry_{instance._meta.model_name}_change", args=[instance.pk])


def admin_form(instance, **changes) -> dict:
    """The POST of an admin change form as the browser would send it, with no inline rows touched."""
    data = {"loaded_version": instance.version, "change_reason": changes.pop("change_reason", "")}
    inlines = ("citation", "identifier", "othername")
    prefixes = [f"registry-{name}-content_type-object_id" for name in inlines] + ["appointments", "duties"]
    for prefix in prefixes:  # the inlines, untouched
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    for field in instance._meta.concrete_fields:
        if field.editable and not field.primary_key:
            value = getattr(instance, field.attname)
            data[field.name] = "" if value is None else value
    return data | changes
