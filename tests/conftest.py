"""Shared fixtures. The seed file is loaded once per test session; each test runs in a rolled-back transaction."""

import datetime
import itertools
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.cache import caches
from django.utils import translation
from rest_framework.test import APIClient

from registry.seeding import load_seed_file
from tests.commits import commits_as_in_production
from tests.resources import RESOURCES, Resource

TEST_NUMBERS = itertools.count()

# Production hashes passwords with PBKDF2 at a million iterations, on purpose; hundreds of tests create users, and
# nothing here measures the hasher, so the suite stores them with a fast one (live tests start gunicorn with
# production settings and keep PBKDF2).
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the seeded registry, as a newcomer's database does after `make run`."""
    with django_db_blocker.unblock():
        load_seed_file()


@pytest.fixture(autouse=True)
def commits_run_their_callbacks(monkeypatch):
    """Kept answers are on, as in production: a write's revision bump runs when its transaction would commit.

    Each test starts with no kept answers (its own key prefix): the rolled-back writes of an earlier test may have
    left answers under a revision this test's writes reach again.
    """
    answers = caches["answers"]
    monkeypatch.setattr(answers, "key_prefix", f"{answers.key_prefix}-{next(TEST_NUMBERS)}")
    with commits_as_in_production():
        yield


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Code and its messages are English; only a request's middleware picks another language (the admin's
    Vietnamese). LANGUAGE_CODE is "vi" for the admin, so a test calling models directly is put in English here."""
    with translation.override("en"):
        yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def editor(db) -> User:
    """A user with every registry model permission (add, change, delete, view)."""
    user = User.objects.create_user("editor", password="editor-password")
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="registry"))
    return user


@pytest.fixture
def editor_client(editor) -> APIClient:
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.fixture
def today_is():
    """Move the registry's one clock (``registry.clock``): ``today_is(date(2025, 12, 22))`` makes that day today
    everywhere, the API, the admin and the pages alike; the clock comes back when the test ends."""
    travels = []

    def move(day: datetime.date) -> None:
        noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
        while travels:
            travels.pop().stop()
        travel = time_machine.travel(noon, tick=False)
        travel.start()
        travels.append(travel)

    yield move
    while travels:
        travels.pop().stop()


@pytest.fixture(params=RESOURCES, ids=str)
def resource(request) -> Resource:
    """Each API resource in turn (tests/resources.py): the generic CRUD, permission and history tests use it."""
    return request.param


@pytest.fixture
def superuser_client(client, django_user_model):
    """A browser session of a superuser, for the admin."""
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "root-password"))
    return client
