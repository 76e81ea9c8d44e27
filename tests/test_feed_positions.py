"""Feed positions belong to the registry: given in commit order from its own counter, kept across a restore, and
cursors issued before them (``txid.id``) still read. See registry/changes/feed.py."""

import base64
import threading

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from registry import services
from registry.changes import feed
from registry.models import Change, FeedCounter, Organization, WebhookEndpoint
from tests.factories import OrganizationFactory
from tests.helpers import NS, assert_error

CHANGES = reverse(f"{NS}:changes")
ON_POSTGRESQL = connection.vendor == "postgresql"
JOIN_TIMEOUT = 30  # seconds; only guards against a hung test, never asserted on
BEFORE, AFTER = ("registry", "0010_merge_0009_list_indexes_0009_registry_revision"), ("registry", "0011_feed_positions")


def old_cursor(txid: int, id_: int) -> str:
    return base64.urlsafe_b64encode(f"{txid}.{id_}".encode()).decode().rstrip("=")


def write(organization: Organization, note: str) -> None:
    services.record_update(instance=organization, changes={"note": note}, reason=note)


def entries(**filters) -> list[Change]:
    feed.place_own_entries()  # PostgreSQL: this test's transaction has not committed
    return list(Change.objects.filter(**filters).order_by("position"))


def positions_of(reasons: list[str]) -> list[int]:
    feed.place_own_entries()
    by_reason = dict(Change.objects.filter(reason__in=reasons).values_list("reason", "position"))
    return [by_reason[reason] for reason in reasons]


# --- the order: commit order, one transaction's entries together in id order, nothing for a rollback -----------------


@pytest.mark.django_db(transaction=True)
def test_positions_follow_commits_and_a_rollback_takes_none():
    first, second = OrganizationFactory(), OrganizationFactory()
    start = feed.last_position().position
    write(first, "one")
    with pytest.raises(RuntimeError), transaction.atomic():
        write(first, "rolled back")
        raise RuntimeError
    with transaction.atomic():  # two entries in one transaction: next to each other, in the order written
        write(second, "two")
        write(first, "three")
    write(second, "four")
    assert positions_of(["one", "two", "three", "four"]) == [start + 1, start + 2, start + 3, start + 4]
    assert not Change.objects.filter(reason="rolled back").exists()
    assert FeedCounter.objects.get().last == start + 4
    assert [entry.reason for entry in feed.entries_after(feed.Position(start), 10)] == ["one", "two", "three", "four"]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite runs one writer at a time: commit order is write order there")
@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_writes_first_but_commits_last_is_placed_last():
    early, late = OrganizationFactory(), OrganizationFactory()
    written, may_commit = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                write(early, "written first")
                written.set()
                may_commit.wait(JOIN_TIMEOUT)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    written.wait(JOIN_TIMEOUT)
    write(late, "committed first")
    # The slow writer's entry exists (a lower id) but has no place yet, so a reader is not shown anything behind it.
    assert [entry.reason for entry in entries(reason__in=["written first", "committed first"])] == ["committed first"]
    may_commit.set()
    thread.join(JOIN_TIMEOUT)
    placed = entries(reason__in=["written first", "committed first"])
    assert [entry.reason for entry in placed] == ["committed first", "written first"]
    assert placed[0].id > placed[1].id and placed[1].position == placed[0].position + 1


@pytest.mark.skipif(not ON_POSTGRESQL, reason="transactions ids and snapshots are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_elsewhere_does_not_hold_the_feed_back():
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=int(settings["PORT"] or 5432),
        user=settings["USER"],
        dbname=settings["NAME"],
    )
    try:
        other.execute("SELECT pg_current_xact_id()")  # a transaction with an id, left open
        start = feed.last_position()
        write(OrganizationFactory(), "while another runs")
        assert [entry.reason for entry in feed.entries_after(start, 10)][-1] == "while another runs"
    finally:
        other.close()


# --- a restore: the counter may be behind the entries it brings back --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_after_a_restore_the_numbers_continue_after_the_restored_entries():
    last = feed.last_position().position
    FeedCounter.objects.update(last=3)  # as if the counter came from an older copy than the entries
    write(OrganizationFactory(), "after the restore")
    assert positions_of(["after the restore"]) == [last + 1]
    FeedCounter.objects.all().delete()  # a flushed counter row is made again
    write(OrganizationFactory(), "without a counter row")
    assert positions_of(["without a counter row"]) == [last + 2]
    assert FeedCounter.objects.get().last == last + 2


# --- cursors: new ones, and the ones issued before positions ------------------------------------------------------


@pytest.mark.django_db
def test_a_cursor_is_the_position():
    assert feed.Position.decode(feed.Position(1234).encode()) == feed.Position(1234)
    assert feed.Position.decode(feed.Position(0).encode()) == feed.Position(0)


@pytest.mark.django_db
def test_an_old_cursor_reads_on_from_the_same_entry(api_client):
    # Entries as the old feed left them: txid order differs from id order, and the positions follow txid order.
    organization = OrganizationFactory()
    for note in ("a", "b", "c"):
        write(organization, note)
    a, b, c = entries(reason__in=["a", "b", "c"])
    Change.objects.filter(pk=a.pk).update(txid=900)
    Change.objects.filter(pk=b.pk).update(txid=950)
    Change.objects.filter(pk=c.pk).update(txid=950)

    assert feed.Position.decode(old_cursor(900, a.id)) == feed.Position(a.position)  # after a
    assert feed.Position.decode(old_cursor(950, b.id - 1)) == feed.Position(a.position)  # since=: just before b
    assert feed.Position.decode(old_cursor(950, c.id)) == feed.Position(c.position)
    assert feed.Position.decode(old_cursor(0, 0)) == feed.Position(0)  # the start
    body = api_client.get(CHANGES, {"cursor": old_cursor(900, a.id)}).json()
    assert [entry["reason"] for entry in body["results"]][:2] == ["b", "c"]
    assert feed.Position.decode(body["next_cursor"]).position == Change.objects.latest("position").position


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["-1", "1.2.3", "9" * 30, "1." + "9" * 30, "", "1.", ".1"])
def test_a_cursor_out_of_range_or_misshapen_is_refused(api_client, raw):
    cursor = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=") or "="
    assert_error(api_client.get(CHANGES, {"cursor": cursor}), 400, "cursor")


# --- the migration: existing entries and endpoints keep their order and their place -------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_entries_in_their_old_order_and_maps_endpoint_places(editor):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    OldChange, OldEndpoint = old.get_model("registry", "Change"), old.get_model("registry", "WebhookEndpoint")
    OldChange.objects.all().delete()

    def entry(txid: int) -> int:
        fields = {"model": "person", "object_id": 1, "type": "changed", "date": "2025-01-01T00:00:00Z", "data": {}}
        return OldChange.objects.create(txid=txid, **fields).id

    # Ids in creation order, transactions committing in another order.
    late, early, middle, middle_too = entry(700), entry(500), entry(600), entry(600)
    owner = old.get_model("auth", "User").objects.get(pk=editor.pk)

    def endpoint(txid: int, id_: int) -> int:
        return OldEndpoint.objects.create(
            owner=owner, name=f"{txid}.{id_}", url="https://a.example", secret="s", cursor_txid=txid, cursor_id=id_
        ).id

    at_middle, before_all, between, at_end = (
        endpoint(600, middle),
        endpoint(0, 0),
        endpoint(650, 1),  # between two transactions: after the last entry at or before it
        endpoint(700, late),
    )

    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])
    executor.loader.build_graph()

    order = list(Change.objects.order_by("position").values_list("id", "position"))
    assert order == [(early, 1), (middle, 2), (middle_too, 3), (late, 4)]
    assert FeedCounter.objects.get().last == 4
    places = dict(WebhookEndpoint.objects.values_list("id", "cursor_position"))
    assert places == {at_middle: 2, before_all: 0, between: 3, at_end: 4}
    # An old cursor still reads from where it was, and the next write comes after everything.
    assert feed.Position.decode(old_cursor(600, middle)) == feed.Position(2)
    write(OrganizationFactory(), "after the migration")
    assert [entry.reason for entry in feed.entries_after(feed.Position(4), 10)][-1] == "after the migration"
    assert Change.objects.get(reason="after the migration").txid is None


@pytest.mark.django_db
def test_without_a_registered_representer_a_write_is_refused_not_logged_bare(monkeypatch):
    organization = OrganizationFactory(name="Sở cũ")
    monkeypatch.setattr(feed, "_representer", None)  # as before the app is ready
    before = Change.objects.count()
    with pytest.raises(ImproperlyConfigured, match="representer"):
        services.record_update(instance=organization, changes={"name": "Sở mới"})
    assert Change.objects.count() == before
    organization.refresh_from_db()
    assert organization.name == "Sở cũ"
