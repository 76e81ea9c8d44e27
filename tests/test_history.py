"""History: every write through the API is kept with who, why and what changed; the change feed replays them.

Every test sees the seeded registry (tests/conftest.py), whose history is older than anything a test writes.
"""

import base64
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from registry.models import (
    Appointment,
    Change,
    Organization,
    Person,
    Post,
)
from tests.factories import (
    AppointmentFactory,
    DocumentFactory,
    OrganizationFactory,
    PersonFactory,
    PostFactory,
)
from tests.helpers import NS, assert_error, detail_url, list_url

pytestmark = pytest.mark.django_db

CHANGES = reverse(f"{NS}:changes")
ENTRY_KEYS = {"history_id", "date", "type", "user", "reason", "changes"}
FEED_KEYS = {"id", "cursor", "model", "object_id", "date", "type", "user", "reason", "changed_fields", "data"}


def history_url(basename: str, key) -> str:
    return reverse(f"{NS}:{basename}-history", args=[key])


def history(client, basename: str, key) -> list[dict]:
    response = client.get(history_url(basename, key))
    assert response.status_code == 200, response.content
    entries = response.json()["results"]
    for entry in entries:
        assert set(entry) == ENTRY_KEYS, entry
    return entries


def changed_fields(entry: dict) -> set[str]:
    return {change["field"] for change in entry["changes"]}


def feed(client, **params) -> dict:
    response = client.get(CHANGES, params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"results", "next_cursor", "next"}
    for entry in body["results"]:
        assert set(entry) == FEED_KEYS, entry
    return body


def summary(entries: list[dict]) -> list[tuple]:
    return [(entry["model"], entry["object_id"], entry["type"], entry["user"], entry["reason"]) for entry in entries]


def encode(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# --- per-record history, on every resource -----------------------------------------------------------------------


class TestRecordHistory:
    def test_create_update_delete(self, editor_client, resource):
        # Create: one entry, every field new.
        response = editor_client.post(
            list_url(resource.basename), resource.create() | {"reason": "created by the test"}, format="json"
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert "reason" not in body  # write-only
        key = resource.key_of(body)
        (created,) = history(editor_client, resource.basename, key)
        assert (created["type"], created["user"], created["reason"]) == ("created", "editor", "created by the test")
        assert {"id", *resource.update} <= changed_fields(created)
        assert all(change["old"] is None for change in created["changes"])
        assert {"field": "id", "old": None, "new": body["id"]} in created["changes"]

        # Update: a second entry, newest first, listing exactly the fields changed.
        record = resource.model.objects.get(pk=body["id"])
        old = {name: getattr(record, name) for name in resource.update}
        response = editor_client.patch(
            detail_url(resource.basename, key), resource.update | {"reason": "changed by the test"}, format="json"
        )
        assert response.status_code == 200, response.content
        changed, first = history(editor_client, resource.basename, key)
        assert first == created
        assert (changed["type"], changed["user"], changed["reason"]) == ("changed", "editor", "changed by the test")
        assert changed["date"] > created["date"]
        assert sorted(changed["changes"], key=lambda change: change["field"]) == [
            {"field": name, "old": old[name], "new": resource.update[name]} for name in sorted(resource.update)
        ]

        # Delete: the record is gone, its history stays.
        response = editor_client.delete(detail_url(resource.basename, key) + "?reason=deleted+by+the+test")
        assert response.status_code == 204, response.content
        assert editor_client.get(history_url(resource.basename, key)).status_code == 404
        deleted = resource.model.history.filter(id=body["id"]).latest("history_date", "history_id")
        assert deleted.history_type == "-"
        assert deleted.history_user.username == "editor"
        assert deleted.history_change_reason == "deleted by the test"
        assert resource.model.history.filter(id=body["id"]).count() == 3

    def test_a_change_without_a_reason(self, editor_client, resource):
        instance = resource.make()
        key = getattr(instance, resource.lookup)
        response = editor_client.patch(detail_url(resource.basename, key), resource.update, format="json")
        assert response.status_code == 200, response.content
        latest, made = history(editor_client, resource.basename, key)
        assert (latest["type"], latest["user"], latest["reason"]) == ("changed", "editor", None)
        assert changed_fields(latest) == set(resource.update)
        # The factory wrote the record outside any request: nobody is named.
        assert (made["type"], made["user"]) == ("created", None)

    def test_a_write_that_changes_nothing_writes_nothing(self, editor_client, resource):
        instance = resource.make()
        key = getattr(instance, resource.lookup)
        same = {name: getattr(instance, name) for name in resource.update if name != "end_date_precision"}
        response = editor_client.patch(detail_url(resource.basename, key), {}, format="json")
        assert response.status_code == 200
        assert [entry["type"] for entry in history(editor_client, resource.basename, key)] == ["created"]
        assert response["ETag"] == f'"{instance.version}"'  # no new version either
        entries = Change.objects.filter(object_id=instance.pk, model=resource.model._meta.model_name).count()
        assert same is not None and entries == 0  # the factory wrote it outside the services


def test_a_refused_write_leaves_no_entry(editor_client):
    holder = AppointmentFactory(start_date=datetime.date(2024, 1, 1))
    response = editor_client.patch(
        detail_url("appointment", holder.pk),
        {"end_date": "2023-12-31", "end_date_precision": "exact", "reason": "refused"},
        format="json",
    )
    assert_error(response, 400, "end_date")
    assert [entry["type"] for entry in history(editor_client, "appointment", holder.pk)] == ["created"]
    response = editor_client.post(
        reverse(f"{NS}:post-succeed", args=[holder.post_id]),
        {"person": PersonFactory().slug, "start_date": "2024-01-01", "reason": "refused"},
        format="json",
    )
    assert_error(response, 400, "start_date")
    assert [entry["type"] for entry in history(editor_client, "appointment", holder.pk)] == ["created"]


def test_a_legal_basis_change_is_listed(editor_client):
    """The many-to-many legal basis is part of the history: its ids, old and new."""
    organization = OrganizationFactory()
    document = DocumentFactory(kind="resolution")
    response = editor_client.patch(
        detail_url("organization", organization.slug),
        {"legal_basis": [document.slug], "reason": "basis"},
        format="json",
    )
    assert response.status_code == 200, response.content
    latest = history(editor_client, "organization", organization.slug)[0]
    assert (latest["type"], latest["user"], latest["reason"]) == ("changed", "editor", "basis")
    assert {"field": "legal_basis", "old": [], "new": [document.pk]} in latest["changes"]


def test_history_is_newest_first_and_never_lists_updated(editor_client):
    person = PersonFactory(name="Lê Một")
    for index, name in enumerate(["Lê Hai", "Lê Ba", "Lê Bốn"], start=1):
        response = editor_client.patch(
            detail_url("person", person.slug), {"name": name, "reason": f"rename {index}"}, format="json"
        )
        assert response.status_code == 200, response.content
    entries = history(editor_client, "person", person.slug)
    assert [entry["reason"] for entry in entries] == ["rename 3", "rename 2", "rename 1", None]
    assert [entry["type"] for entry in entries] == ["changed", "changed", "changed", "created"]
    dates = [entry["date"] for entry in entries]
    assert dates == sorted(dates, reverse=True)
    assert [entry["changes"] for entry in entries[:3]] == [
        [{"field": "name", "old": "Lê Ba", "new": "Lê Bốn"}],
        [{"field": "name", "old": "Lê Hai", "new": "Lê Ba"}],
        [{"field": "name", "old": "Lê Một", "new": "Lê Hai"}],
    ]
    assert all("updated" not in changed_fields(entry) for entry in entries)
    assert "created" in changed_fields(entries[-1])


def test_history_through_the_actions(editor_client):
    holder = AppointmentFactory(start_date=datetime.date(2024, 1, 1))
    successor = PersonFactory()
    response = editor_client.post(
        reverse(f"{NS}:post-succeed", args=[holder.post_id]),
        {"person": successor.slug, "start_date": "2025-01-01", "reason": "succession"},
        format="json",
    )
    assert response.status_code == 201, response.content
    ended, _ = history(editor_client, "appointment", holder.pk)
    assert (ended["type"], ended["user"], ended["reason"]) == ("changed", "editor", "succession")
    assert {change["field"]: change["new"] for change in ended["changes"]} == {
        "end_date": "2024-12-31",
        "end_date_precision": "exact",
        "end_reason": f"Người kế nhiệm: {successor.name}",
    }
    (started,) = history(editor_client, "appointment", response.json()["started"]["id"])
    assert (started["type"], started["user"], started["reason"]) == ("created", "editor", "succession")


def test_history_names_the_system_of_an_api_key():
    out = io.StringIO()
    call_command("create_system_account", "sync-system", group="editor", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {out.getvalue().strip().splitlines()[-1]}")
    response = client.post(list_url("person"), {"slug": "keyed", "name": "Lê Khóa", "reason": "sync"}, format="json")
    assert response.status_code == 201, response.content
    (entry,) = history(client, "person", "keyed")
    assert (entry["user"], entry["reason"]) == ("sync-system", "sync")


def test_seeded_history_carries_the_loader_reason(api_client):
    chairman = Post.objects.get(slug="ubnd-tp-hcm-chu-tich")
    entries = history(api_client, "post", chairman.pk)
    assert [(entry["type"], entry["user"], entry["reason"]) for entry in entries] == [("created", None, "load_seeds")]
    for basename, key in [
        ("organization", "ubnd-tp-hcm"),
        ("person", "nguyen-van-duoc"),
        ("document", "art-2025-12-15"),
    ]:
        assert {entry["reason"] for entry in history(api_client, basename, key)} == {"load_seeds"}


def test_the_whole_feed_starts_with_the_seed_loader(api_client):
    """Nothing else has written yet (each test is rolled back): every entry is the loader's."""
    entries, cursor = [], None
    while True:
        body = feed(api_client, **({"cursor": cursor} if cursor else {}), limit=500)
        entries += body["results"]
        if body["next"] is None:
            break
        cursor = body["next_cursor"]
    assert len(entries) >= Appointment.objects.count() + Person.objects.count()
    assert {(entry["user"], entry["reason"]) for entry in entries} == {(None, "load_seeds")}
    assert {entry["type"] for entry in entries} <= {"created", "changed"}
    created = {(entry["model"], entry["object_id"]) for entry in entries if entry["type"] == "created"}
    assert ("post", Post.objects.get(slug="ubnd-tp-hcm-chu-tich").pk) in created
    assert ("organization", Organization.objects.get(slug="ubnd-tp-hcm").pk) in created
    assert {entry["model"] for entry in entries} >= {
        "organization",
        "person",
        "portfolio",
        "post",
        "appointment",
        "organizationrelationship",
        "duty",
        "document",
        "citation",
    }


# --- the change feed ---------------------------------------------------------------------------------------------


@pytest.fixture
def my_changes(editor_client):
    """Five writes through the API after a moment just before them; returns (moment, expected feed summary)."""
    doomed = OrganizationFactory()
    post = PostFactory()
    moment = timezone.now()

    person = editor_client.post(
        list_url("person"), {"slug": "feed-person", "name": "Lê Dòng", "reason": "feed 1"}, format="json"
    ).json()
    assert (
        editor_client.patch(
            detail_url("person", "feed-person"), {"given_name": "Dòng", "reason": "feed 2"}, format="json"
        ).status_code
        == 200
    )
    appointment = editor_client.post(
        reverse(f"{NS}:post-appoint", args=[post.pk]),
        {"person": "feed-person", "start_date": "2024-01-01", "reason": "feed 3"},
        format="json",
    ).json()
    assert editor_client.delete(detail_url("organization", doomed.slug) + "?reason=feed+4").status_code == 204
    assert (
        editor_client.post(
            reverse(f"{NS}:appointment-end", args=[appointment["id"]]),
            {"end_date": "2024-12-31", "reason": "feed 5"},
            format="json",
        ).status_code
        == 200
    )
    expected = [
        ("person", person["id"], "created", "editor", "feed 1"),
        ("person", person["id"], "changed", "editor", "feed 2"),
        ("appointment", appointment["id"], "created", "editor", "feed 3"),
        ("organization", doomed.pk, "deleted", "editor", "feed 4"),
        ("appointment", appointment["id"], "changed", "editor", "feed 5"),
    ]
    return moment, expected, doomed


class TestChangeFeed:
    def test_since_returns_exactly_my_changes_in_order(self, editor_client, my_changes):
        moment, expected, _ = my_changes
        body = feed(editor_client, since=moment.isoformat())
        assert summary(body["results"]) == expected
        assert body["next"] is None
        assert body["next_cursor"] == body["results"][-1]["cursor"]
        dates = [entry["date"] for entry in body["results"]]
        assert dates == sorted(dates)

    def test_since_in_another_time_zone(self, editor_client, my_changes):
        moment, expected, _ = my_changes
        elsewhere = moment.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
        assert summary(feed(editor_client, since=elsewhere.isoformat())["results"]) == expected

    def test_a_deleted_record_is_in_the_feed_with_its_data(self, editor_client, my_changes):
        moment, _, doomed = my_changes
        (deleted,) = [
            entry for entry in feed(editor_client, since=moment.isoformat())["results"] if entry["type"] == "deleted"
        ]
        assert (deleted["model"], deleted["object_id"]) == ("organization", doomed.pk)
        assert deleted["data"]["id"] == doomed.pk
        assert deleted["data"]["slug"] == doomed.slug
        assert deleted["data"]["name"] == doomed.name
        assert deleted["data"]["classification"] == doomed.classification
        assert not Organization.objects.filter(pk=doomed.pk).exists()

    def test_entries_carry_the_data_after_the_change(self, editor_client, my_changes):
        moment, _, _ = my_changes
        results = feed(editor_client, since=moment.isoformat())["results"]
        assert results[0]["data"]["given_name"] == ""
        assert results[1]["data"]["given_name"] == "Dòng"
        assert results[4]["data"]["end_date"] == "2024-12-31"
        assert "updated" in results[1]["data"]  # the data is the whole record; only the diffs leave it out

    @pytest.mark.parametrize("limit", [1, 2, 3, 5])
    def test_cursor_paging_visits_every_change_once_in_order(self, editor_client, my_changes, limit):
        moment, expected, _ = my_changes
        body = feed(editor_client, since=moment.isoformat(), limit=limit)
        pages, seen = 1, list(body["results"])
        while body["next"] is not None:
            assert len(body["results"]) == limit
            assert f"cursor={body['next_cursor']}" in body["next"]
            assert pages <= len(expected)  # would otherwise loop forever
            body = editor_client.get(body["next"]).json()
            seen += body["results"]
            pages += 1
        assert summary(seen) == expected
        assert len({entry["cursor"] for entry in seen}) == len(expected)
        assert body["next"] is None
        # Up to date: the last cursor gives nothing more, and keeps the cursor for the next poll.
        last = seen[-1]["cursor"]
        again = feed(editor_client, cursor=last, limit=limit)
        assert again == {"results": [], "next_cursor": last, "next": None}

    def test_following_next_cursor_by_hand(self, editor_client, my_changes):
        moment, expected, _ = my_changes
        body = feed(editor_client, since=moment.isoformat(), limit=1)
        seen = list(body["results"])
        while body["next"] is not None:
            body = feed(editor_client, cursor=body["next_cursor"], limit=1)
            seen += body["results"]
        assert summary(seen) == expected

    def test_a_cursor_resumes_after_later_changes(self, editor_client, my_changes):
        moment, expected, _ = my_changes
        body = feed(editor_client, since=moment.isoformat())
        response = editor_client.patch(
            detail_url("person", "feed-person"), {"honorific": "ong", "reason": "feed 6"}, format="json"
        )
        assert response.status_code == 200
        later = feed(editor_client, cursor=body["next_cursor"])
        assert summary(later["results"]) == [("person", expected[0][1], "changed", "editor", "feed 6")]

    def test_since_after_everything_is_empty_and_its_cursor_follows_on(self, editor_client, my_changes):
        body = feed(editor_client, since=timezone.now().isoformat())
        assert (body["results"], body["next"]) == ([], None)
        response = editor_client.patch(
            detail_url("person", "feed-person"), {"honorific": "ba", "reason": "later"}, format="json"
        )
        assert response.status_code == 200
        later = feed(editor_client, cursor=body["next_cursor"])["results"]
        assert [(entry["model"], entry["reason"]) for entry in later] == [("person", "later")]

    @pytest.mark.parametrize(
        "cursor",
        [
            "not-a-cursor",
            "%%%",
            "Zm9v",  # "foo"
            encode("2025-01-01T00:00:00+00:00|person"),
            encode("2025-01-01T00:00:00|person|1"),  # naive
            encode("2025-01-01T00:00:00+00:00|person|one"),
            encode("yesterday|person|1"),
            base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
            encode("1.x"),
            encode("-1.5"),
            encode("1.2.3"),
        ],
    )
    def test_a_bad_cursor(self, api_client, cursor):
        assert_error(api_client.get(CHANGES, {"cursor": cursor}), 400, "cursor")

    @pytest.mark.parametrize("since", ["yesterday", "2025-13-01T00:00:00Z", "2025-01-01T25:00:00Z", "1735689600"])
    def test_a_bad_since(self, api_client, since):
        assert_error(api_client.get(CHANGES, {"since": since}), 400, "since")

    @pytest.mark.parametrize("limit", ["0", "501", "-1", "ten", "1.5"])
    def test_a_bad_limit(self, api_client, limit):
        assert_error(api_client.get(CHANGES, {"limit": limit}), 400, "limit")

    @pytest.mark.parametrize("limit", [1, 7, 500])
    def test_limits_at_the_bounds(self, api_client, limit):
        total = Change.objects.count()
        assert total > 7
        body = feed(api_client, limit=limit)
        assert len(body["results"]) == min(limit, total)
        assert (body["next"] is None) == (total < limit)

    def test_the_default_limit_is_100(self, api_client):
        assert len(feed(api_client)["results"]) == min(100, Change.objects.count())
