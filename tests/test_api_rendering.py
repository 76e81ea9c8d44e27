"""How records become JSON (registry/api/rendering.py): URLs from one template per field, fields built
once per class, and the answers exactly as DRF's own path would give them."""

import datetime
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from registry.api.rendering import IdentityURLField, PrototypeFieldsMixin
from registry.api.serializers import RESOURCE_SERIALIZERS, OrganizationSerializer, PostSerializer
from registry.api.serializers.base import RegistryModelSerializer
from registry.models import Post
from registry.selectors import posts_with_holders
from tests.factories import OrganizationFactory, PostFactory
from tests.helpers import NS, detail_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_():
    return Request(APIRequestFactory().get("/api/v1/organizations/", HTTP_HOST="testserver"))


def test_identity_urls_are_the_reversed_urls_of_every_row(request_):
    bodies = OrganizationFactory.create_batch(3)
    rows = OrganizationSerializer(bodies, many=True, context={"request": request_}).data
    assert [row["url"] for row in rows] == [f"http://testserver{detail_url('organization', b.slug)}" for b in bodies]


def test_identity_urls_by_id(request_):
    posts = list(
        posts_with_holders(datetime.date(2025, 1, 1)).filter(pk__in=[p.pk for p in PostFactory.create_batch(2)])
    )
    rows = PostSerializer(posts, many=True, context={"request": request_}).data
    assert [row["url"] for row in rows] == [f"http://testserver{detail_url('post', post.pk)}" for post in posts]


def test_a_key_that_quoting_would_change_takes_the_reversed_path(request_):
    field = IdentityURLField(view_name=f"{NS}:organization-detail", lookup_field="slug")
    body = OrganizationFactory(slug="sở-ngoại-vụ")
    expected = field.reverse(f"{NS}:organization-detail", kwargs={"slug": body.slug}, request=request_)
    assert field.get_url(body, f"{NS}:organization-detail", request_, None) == expected
    assert "%" in expected  # quoted, unlike the template's plain keys


def test_a_record_without_its_key_has_no_url(request_):
    field = IdentityURLField(view_name=f"{NS}:post-detail", lookup_field="pk")
    assert field.get_url(PostFactory.build(), f"{NS}:post-detail", request_, None) is None


def test_fields_are_built_once_per_class_and_copied_for_each_instance(request_):
    first = OrganizationSerializer(context={"request": request_}).fields
    second = OrganizationSerializer(context={"request": request_}).fields
    assert OrganizationSerializer in PrototypeFieldsMixin._prototypes
    assert list(first) == list(second)
    assert all(first[name] is not second[name] for name in first)  # never shared between instances
    assert first["name"].parent is not second["name"].parent


def test_a_page_of_the_change_feed_is_what_its_serializer_renders(api_client):
    """The feed's plain-value entries are what ChangeSerializer's declared fields render, field by field (DRF's own
    Serializer.to_representation, not the fast path the serializer and the view share)."""
    from rest_framework import serializers

    from registry.api.serializers.history import ChangeSerializer
    from registry.changes.feed import Position, entries_after

    page = api_client.get("/api/v1/changes/", {"limit": 7}).json()["results"]
    entries = entries_after(None, 7)
    declared = ChangeSerializer()
    rendered = [
        serializers.Serializer.to_representation(
            declared,
            {
                **{name: getattr(entry, name) for name in ("id", "model", "object_id", "date", "type", "data")},
                "cursor": Position.of(entry).encode(),
                "user": None,  # an anonymous reader is not told who
                "reason": entry.reason or None,
                "fields": entry.fields,
            },
        )
        for entry in entries
    ]
    assert len(page) == 7
    assert page == json.loads(json.dumps(rendered, cls=DjangoJSONEncoder))


@pytest.mark.parametrize("model", list(RESOURCE_SERIALIZERS), ids=lambda model: model.__name__)
def test_plain_values_render_as_drf_renders_them(request_, model, today_is):
    """Every seeded record renders the same through the fast path as through DRF's own to_representation."""
    today_is(datetime.date(2025, 1, 1))
    serializer_class = RESOURCE_SERIALIZERS[model]
    records = list(model.objects.all()[:40])
    if model is Post:
        records = list(posts_with_holders(datetime.date(2025, 1, 1)).filter(pk__in=[post.pk for post in records]))
    assert records
    serializer = serializer_class(context={"request": request_})
    for record in records:
        assert serializer.to_representation(record) == serializers.Serializer.to_representation(serializer, record)


@pytest.mark.parametrize("method", PrototypeFieldsMixin.SHAPING_METHODS)
def test_a_serializer_that_would_shape_its_fields_by_request_is_refused_when_it_is_defined(method):
    # Its fields are built once per class and copied: fields chosen per request would leak between requests.
    with pytest.raises(TypeError, match=method):
        type("ShapedByRequest", (RegistryModelSerializer,), {method: lambda self, *args: None})
