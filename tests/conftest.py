"""Shared fixtures. The seed file is loaded once per test session; each test runs in a rolled-back transaction."""

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient

from registry.seeding import load_seed_file


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the seeded registry, as a newcomer's database does after `make run`."""
    with django_db_blocker.unblock():
        load_seed_file()


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
