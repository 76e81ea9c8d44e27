"""The generic CRUD tests of every API resource (tests/resources.py), and what every record carries.

Every test sees the seeded registry (tests/conftest.py)."""

import pytest

from registry.models import (
    Post,
)
from tests.factories import (
    AppointmentFactory,
)
from tests.helpers import BRIEF_KEYS, assert_brief, assert_error, detail_url, list_url, results
from tests.resources import RESOURCES, post_payload

pytestmark = pytest.mark.django_db


# --- a. one generic CRUD test class, parametrised over every resource ---------------------------------------------


class TestCrud:
    """List, retrieve, create, partial update and delete for every resource; anonymous users only read."""

    def test_list(self, api_client, resource):
        instance = resource.make()
        response = api_client.get(list_url(resource.basename), {"page_size": 200})
        rows = results(response)
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert body["count"] == resource.model.objects.count()
        assert instance.pk in {row["id"] for row in rows}
        key = "id" if resource.lookup == "pk" else resource.lookup
        for row in rows:
            assert row["url"] == f"http://testserver{detail_url(resource.basename, row[key])}"

    def test_retrieve(self, api_client, resource):
        instance = resource.make()
        response = api_client.get(detail_url(resource.basename, resource.key(instance)))
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["id"] == instance.pk
        assert body["url"] == f"http://testserver{detail_url(resource.basename, resource.key(instance))}"
        assert isinstance(body["sources"], list)

    def test_create(self, editor_client, resource):
        payload = resource.create()
        before = resource.model.objects.count()
        response = editor_client.post(list_url(resource.basename), payload, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert resource.model.objects.count() == before + 1
        created = resource.model.objects.get(pk=body["id"])
        for name, value in payload.items():
            if name not in resource.references and name not in resource.write_only:
                assert body[name] == value, name
        # Related records were written by their lookup key and come back brief.
        for name, (kind, model, lookup) in resource.references.items():
            values = payload[name] if isinstance(payload[name], list) else [payload[name]]
            rendered = body[name] if isinstance(body[name], list) else [body[name]]
            assert len(rendered) == len(values)
            for value, brief in zip(values, rendered, strict=True):
                assert_brief(brief, kind, model.objects.get(**{lookup: value}))
            stored = getattr(created, name)
            stored = list(stored.all()) if hasattr(stored, "all") else [stored]
            assert [getattr(record, lookup) for record in stored] == values
        # Sources sent with a new record (a post's new_sources) are its sources; nothing else is cited.
        sent = payload.get("new_sources", [])
        assert [(source["document"]["slug"], source["quote"]) for source in body["sources"]] == [
            (source["document"], source["quote"]) for source in sent
        ]

    def test_partial_update(self, editor_client, resource):
        instance = resource.make()
        response = editor_client.patch(
            detail_url(resource.basename, resource.key(instance)), resource.update, format="json"
        )
        assert response.status_code == 200, response.content
        instance.refresh_from_db()
        for name, value in resource.update.items():
            assert response.json()[name] == value
            assert getattr(instance, name) == value

    def test_delete(self, editor_client, resource):
        instance = resource.make()
        response = editor_client.delete(detail_url(resource.basename, resource.key(instance)))
        assert response.status_code == 204, response.content
        assert not resource.model.objects.filter(pk=instance.pk).exists()

    def test_anonymous_reads(self, api_client, resource):
        instance = resource.make()
        assert api_client.get(list_url(resource.basename)).status_code == 200
        assert api_client.get(detail_url(resource.basename, resource.key(instance))).status_code == 200

    def test_anonymous_writes_are_refused(self, api_client, resource):
        instance = resource.make()
        url = detail_url(resource.basename, resource.key(instance))
        payload = resource.create()
        before = resource.model.objects.count()

        response = api_client.post(list_url(resource.basename), payload, format="json")
        assert response.status_code in (401, 403)
        assert_error(response, response.status_code)
        assert resource.model.objects.count() == before

        response = api_client.patch(url, resource.update, format="json")
        assert response.status_code in (401, 403)
        changed = resource.model.objects.get(pk=instance.pk)
        for name, value in resource.update.items():
            assert getattr(changed, name) != value

        response = api_client.delete(url)
        assert response.status_code in (401, 403)
        assert resource.model.objects.filter(pk=instance.pk).exists()

    def test_user_without_model_permissions_cannot_write(self, api_client, django_user_model, resource):
        instance = resource.make()
        api_client.force_authenticate(django_user_model.objects.create_user("reader", password="reader-password"))
        assert api_client.get(list_url(resource.basename)).status_code == 200
        response = api_client.delete(detail_url(resource.basename, resource.key(instance)))
        assert_error(response, 403)
        assert resource.model.objects.filter(pk=instance.pk).exists()


def test_a_created_post_reports_holders_and_unknown_seats(editor_client):
    """A post just written has no prefetched holders: the response still says who holds it (nobody) and how many
    seats nobody is known to hold (none is stated vacant), instead of failing after the row was saved."""
    payload = post_payload()
    response = editor_client.post(list_url("post"), payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["holders"] == []
    assert (response.json()["vacant_seats"], response.json()["unknown_seats"]) == (0, payload["seats"])
    post = Post.objects.get(slug=payload["slug"])
    AppointmentFactory(post=post)
    response = editor_client.patch(detail_url("post", post.pk), {"label_en": "Deputy"}, format="json")
    assert response.status_code == 200, response.content
    assert [holder["appointment"] for holder in response.json()["holders"]] == list(
        post.appointments.values_list("pk", flat=True)
    )
    assert (response.json()["vacant_seats"], response.json()["unknown_seats"]) == (0, payload["seats"] - 1)


@pytest.mark.parametrize("basename", [resource.basename for resource in RESOURCES])
def test_every_record_carries_its_sources(api_client, basename):
    rows = results(api_client.get(list_url(basename), {"page_size": 200, "expand": "sources"}))
    assert rows
    for row in rows:
        if basename == "document" and row["kind"] == "article":
            # The articles are the sources; what an article says of itself (its outlet) is quoted from it.
            assert all(source["document"]["slug"] == row["slug"] for source in row["sources"])
            continue
        assert row["sources"], row.get("slug", row["id"])
        for source in row["sources"]:
            assert set(source) == {"document", "quote", "field"}
            assert set(source["document"]) == BRIEF_KEYS["document"]
            assert source["quote"].strip()
    quoted = {row.get("slug") or row["id"]: row["sources"] for row in rows}
    if basename == "person":
        assert {"document": "art-2025-12-15", "quote": "Ông Nguyễn Văn Được", "field": "honorific"} in [
            {**source, "document": source["document"]["slug"]} for source in quoted["nguyen-van-duoc"]
        ]
