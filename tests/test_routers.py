"""Database routing inside one process (http/routers.py): which copy a read goes to, and when a request is pinned
to the primary. tests/test_replica.py runs the whole thing against two PostgreSQL databases behind gunicorn; here the
router and its middleware are driven directly, with a replica alias declared but never connected to.

No test here opens a connection to the replica: the router only decides an alias, it never queries.
"""

import pytest
from django.db import connections, transaction
from django.test import RequestFactory

from registry.api import views
from registry.http import routers
from registry.http.routers import PRIMARY, REPLICA, PrimaryAfterWriteMiddleware, PrimaryReplicaRouter
from registry.models import Organization, Person
from tests.factories import PortfolioFactory
from tests.helpers import detail_url, list_url

SAFE = ["GET", "HEAD", "OPTIONS", "TRACE"]
UNSAFE = ["POST", "PUT", "PATCH", "DELETE"]


@pytest.fixture
def unpinned():
    """Start unpinned, and leave the pinning as it was whatever the test set."""
    token = routers._pinned.set(False)
    yield
    routers._pinned.reset(token)


@pytest.fixture
def router(monkeypatch, unpinned) -> PrimaryReplicaRouter:
    """A router in a process configured with a replica (``DATABASE_REPLICA_URL``): the alias exists in the settings."""
    monkeypatch.setitem(connections.settings, REPLICA, connections.settings[PRIMARY])
    return PrimaryReplicaRouter()


def reads_from(router: PrimaryReplicaRouter) -> str:
    return router.db_for_read(Person)


# --- the router ------------------------------------------------------------------------------------------------------


def test_without_a_replica_every_read_goes_to_the_primary(unpinned):
    assert REPLICA not in connections.settings
    assert PrimaryReplicaRouter().db_for_read(Person) == PRIMARY
    assert not routers.pinned_to_primary()


def test_with_a_replica_reads_go_to_it_until_something_writes(router):
    assert not connections[PRIMARY].in_atomic_block
    assert reads_from(router) == REPLICA
    assert router.db_for_read(Organization) == REPLICA
    assert router.db_for_write(Person) == PRIMARY
    # From now on this request (or command) reads its own writes.
    assert routers.pinned_to_primary()
    assert reads_from(router) == PRIMARY
    assert router.db_for_read(Organization) == PRIMARY


@pytest.mark.django_db
def test_reads_inside_a_transaction_on_the_primary_go_to_the_primary(router):
    """The services lock rows with SELECT ... FOR UPDATE inside a transaction: that read must be on the primary."""
    with transaction.atomic():
        assert connections[PRIMARY].in_atomic_block
        assert not routers.pinned_to_primary()  # the transaction alone decides
        assert reads_from(router) == PRIMARY


def test_records_of_either_copy_may_be_related(router):
    from_replica, from_primary = Person(name="a"), Organization(name="b")
    from_replica._state.db, from_primary._state.db = REPLICA, PRIMARY
    assert router.allow_relation(from_replica, from_primary) is True


def test_the_replica_is_never_migrated_whatever_the_model(router):
    assert router.allow_migrate(PRIMARY, "registry", model_name="person")
    assert router.allow_migrate(PRIMARY, "auth")
    assert not router.allow_migrate(REPLICA, "registry", model_name="person")
    assert not router.allow_migrate(REPLICA, "auth")


# --- the middleware: every request starts afresh -----------------------------------------------------------------


def serve(method: str, view) -> object:
    """One request through PrimaryAfterWriteMiddleware, with ``view`` as everything inside it."""
    request = RequestFactory().generic(method, "/api/v1/people/")
    return PrimaryAfterWriteMiddleware(view)(request)


@pytest.mark.parametrize("method", SAFE)
def test_a_reading_request_starts_on_the_replica(router, method):
    seen = []
    serve(method, lambda request: seen.append(reads_from(router)))
    assert seen == [REPLICA]


@pytest.mark.parametrize("method", UNSAFE)
def test_a_writing_request_reads_the_primary_from_its_first_query(router, method):
    """An update looks its record up before it writes: that lookup must already see the primary's rows."""
    seen = []
    serve(method, lambda request: seen.append(reads_from(router)))
    assert seen == [PRIMARY]


def test_a_write_inside_a_reading_request_pins_the_rest_of_that_request(router):
    seen = []

    def view(request):
        seen.append(reads_from(router))
        router.db_for_write(Person)  # a GET may write too (a session saved, a login recorded)
        seen.append(reads_from(router))

    serve("GET", view)
    assert seen == [REPLICA, PRIMARY]


def test_the_next_request_is_not_pinned_by_the_last_one(router):
    seen = []
    serve("POST", lambda request: router.db_for_write(Person))
    serve("GET", lambda request: (router.db_for_write(Person), seen.append(reads_from(router))))
    serve("GET", lambda request: seen.append(reads_from(router)))
    assert seen == [PRIMARY, REPLICA]
    assert not routers.pinned_to_primary()


def test_the_pinning_is_undone_even_when_the_view_fails(router):
    def failing(request):
        router.db_for_write(Person)
        raise RuntimeError("the view broke")

    with pytest.raises(RuntimeError):
        serve("GET", failing)
    assert not routers.pinned_to_primary()
    assert reads_from(router) == REPLICA


def test_the_response_is_passed_through_untouched(router):
    answer = object()
    assert serve("GET", lambda request: answer) is answer


# --- the middleware in the real stack ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_in_the_stack_a_patch_is_pinned_before_it_reads_and_a_get_is_not(editor_client, monkeypatch, unpinned):
    portfolio = PortfolioFactory()
    pinned_when_read = []
    original = views.PortfolioViewSet.get_queryset

    def recording(self):
        pinned_when_read.append(routers.pinned_to_primary())
        return original(self)

    monkeypatch.setattr(views.PortfolioViewSet, "get_queryset", recording)
    assert editor_client.get(list_url("portfolio")).status_code == 200
    response = editor_client.patch(detail_url("portfolio", portfolio.slug), {"name_en": "Pinned"}, format="json")
    assert response.status_code == 200, response.content
    assert pinned_when_read[0] is False
    assert pinned_when_read[-1] is True
    assert not routers.pinned_to_primary()  # and the process is unpinned again after the request
