"""Who may do what through the API: anonymous visitors, readers, editors and administrators, on every resource.

Readers and editors authenticate both with a real API key (``create_system_account``, sent as
``Authorization: Api-Key <key>``) and with a session login. Every test sees the seeded registry (tests/conftest.py).
"""

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from registry.groups import EDITOR, READER
from registry.models import (
    Appointment,
    Person,
    SystemKey,
)
from tests.factories import (
    AppointmentFactory,
    PersonFactory,
    PostFactory,
)
from tests.helpers import NS, action_url, assert_error, detail_url, list_url

pytestmark = pytest.mark.django_db


def assert_unauthenticated(response) -> None:
    """401 with the challenge of the API-key scheme, so a client knows how to authenticate."""
    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Api-Key"


# --- accounts and keys -------------------------------------------------------------------------------------------


def create_system_account(name: str, **options) -> str:
    """Run the management command and return the key it prints on its last line."""
    out = io.StringIO()
    call_command("create_system_account", name, stdout=out, **options)
    key = out.getvalue().strip().splitlines()[-1].strip()
    assert key and " " not in key, out.getvalue()
    return key


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def session_client(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def group_member(username: str, group: str) -> User:
    user = User.objects.create_user(username)  # no password: hashing one is slow, force_login needs none
    user.groups.add(Group.objects.get(name=group))
    return user


def superuser() -> User:
    return User.objects.create_superuser("root", "root@example.com", password=None)


ANONYMOUS, READ_ONLY, FULL = "anonymous", "read-only", "full"


@dataclass(frozen=True)
class Role:
    name: str
    access: str  # ANONYMOUS, READ_ONLY or FULL
    client: Callable[[], APIClient]

    def __str__(self) -> str:
        return self.name


def admin_key_client() -> APIClient:
    _, key = SystemKey.objects.create_key(name="root-system", account=superuser())
    return key_client(key)


ROLES = [
    Role("anonymous", ANONYMOUS, APIClient),
    Role("reader-key", READ_ONLY, lambda: key_client(create_system_account("reader-system", group=READER))),
    Role("reader-session", READ_ONLY, lambda: session_client(group_member("reader-user", READER))),
    Role("editor-key", FULL, lambda: key_client(create_system_account("editor-system", group=EDITOR))),
    Role("editor-session", FULL, lambda: session_client(group_member("editor-user", EDITOR))),
    Role("admin-session", FULL, lambda: session_client(superuser())),
    Role("admin-key", FULL, admin_key_client),
]


# --- resources ---------------------------------------------------------------------------------------------------


@pytest.fixture(params=ROLES, ids=str)
def role(request) -> Role:
    return request.param


# --- the matrix --------------------------------------------------------------------------------------------------


class TestMatrix:
    """Every role × read, create, update, delete × every resource."""

    def test_read(self, role, resource):
        instance = resource.make()
        client = role.client()

        response = client.get(list_url(resource.basename), {"page_size": 200})
        assert response.status_code == 200, response.content
        assert instance.pk in {row["id"] for row in response.json()["results"]}

        response = client.get(detail_url(resource.basename, resource.key(instance)))
        assert response.status_code == 200, response.content
        assert response.json()["id"] == instance.pk

        response = client.get(action_url(resource.basename, "history", resource.key(instance)))
        assert response.status_code == 200, response.content
        assert response.json()["results"][0]["type"] == "created"

    def test_create(self, role, resource):
        payload = resource.create()
        client = role.client()
        before = resource.model.objects.count()

        response = client.post(list_url(resource.basename), payload, format="json")

        if role.access == FULL:
            assert response.status_code == 201, response.content
            assert resource.model.objects.filter(pk=response.json()["id"]).exists()
            assert resource.model.objects.count() == before + 1
            return
        if role.access == ANONYMOUS:
            assert_unauthenticated(response)
        else:
            assert_error(response, 403)
        assert resource.model.objects.count() == before

    def test_update(self, role, resource):
        instance = resource.make()
        client = role.client()

        response = client.patch(detail_url(resource.basename, resource.key(instance)), resource.update, format="json")

        instance.refresh_from_db()
        if role.access == FULL:
            assert response.status_code == 200, response.content
            for name, value in resource.update.items():
                assert getattr(instance, name) == value
            return
        if role.access == ANONYMOUS:
            assert_unauthenticated(response)
        else:
            assert_error(response, 403)
        for name, value in resource.update.items():
            assert getattr(instance, name) != value

    def test_delete(self, role, resource):
        instance = resource.make()
        client = role.client()

        response = client.delete(detail_url(resource.basename, resource.key(instance)))

        exists = resource.model.objects.filter(pk=instance.pk).exists()
        if role.access == FULL:
            assert response.status_code == 204, response.content
            assert not exists
            return
        if role.access == ANONYMOUS:
            assert_unauthenticated(response)
        else:
            assert_error(response, 403)
        assert exists

    def test_put_is_a_write_too(self, role):
        """A full update (PUT) is refused exactly as a partial one."""
        person = PersonFactory()
        client = role.client()
        payload = {"slug": person.slug, "name": "Tên Mới", "family_name": "Tên"}
        response = client.put(detail_url("person", person.slug), payload, format="json")
        person.refresh_from_db()
        if role.access == FULL:
            assert response.status_code == 200, response.content
            assert person.name == "Tên Mới"
            return
        if role.access == ANONYMOUS:
            assert_unauthenticated(response)
        else:
            assert_error(response, 403)
        assert person.name != "Tên Mới"


class TestAnonymousReadingSwitchedOff:
    """With REGISTRY_ANONYMOUS_READ = False, reading needs an account with the view permissions."""

    @pytest.fixture(autouse=True)
    def no_anonymous_reading(self, settings):
        settings.REGISTRY_ANONYMOUS_READ = False

    def test_anonymous_cannot_read(self, resource):
        instance = resource.make()
        client = APIClient()
        assert_unauthenticated(client.get(list_url(resource.basename)))
        assert_unauthenticated(client.get(detail_url(resource.basename, resource.key(instance))))
        assert_unauthenticated(client.get(action_url(resource.basename, "history", resource.key(instance))))

    @pytest.mark.parametrize("role", [role for role in ROLES if role.access != ANONYMOUS], ids=str)
    def test_accounts_with_view_permission_read(self, role, resource):
        instance = resource.make()
        client = role.client()
        assert client.get(list_url(resource.basename)).status_code == 200
        response = client.get(detail_url(resource.basename, resource.key(instance)))
        assert response.status_code == 200, response.content
        assert response.json()["id"] == instance.pk

    def test_an_account_without_permissions_cannot_read(self, resource):
        instance = resource.make()
        client = session_client(User.objects.create_user("nobody"))
        assert_error(client.get(list_url(resource.basename)), 403)
        assert_error(client.get(detail_url(resource.basename, resource.key(instance))), 403)

    def test_change_feed(self):
        url = reverse(f"{NS}:changes")
        assert_unauthenticated(APIClient().get(url))
        reader = key_client(create_system_account("reader-system", group=READER))
        assert reader.get(url).status_code == 200
        nobody = session_client(User.objects.create_user("nobody"))
        assert_error(nobody.get(url), 403)

    def test_seeded_chart_needs_an_account(self):
        url = reverse(f"{NS}:organization-chart", args=["ubnd-tp-hcm"])
        assert_unauthenticated(APIClient().get(url))
        assert session_client(group_member("reader-user", READER)).get(url).status_code == 200


def test_anonymous_reading_is_on_by_default(settings):
    assert settings.REGISTRY_ANONYMOUS_READ is True
    assert APIClient().get(reverse(f"{NS}:changes"), {"limit": 1}).status_code == 200


# --- API keys ----------------------------------------------------------------------------------------------------


class TestSystemKeys:
    def test_the_command_creates_an_account_in_the_group(self):
        key = create_system_account("portal", group=EDITOR)
        account = User.objects.get(username="portal")
        assert list(account.groups.values_list("name", flat=True)) == [EDITOR]
        assert not account.has_usable_password()
        system_key = SystemKey.objects.get(account=account)
        assert not system_key.revoked
        assert system_key.expiry_date is None
        assert key.startswith(f"{system_key.prefix}.")

    def test_the_default_group_is_reader(self):
        client = key_client(create_system_account("portal"))
        assert list(User.objects.get(username="portal").groups.values_list("name", flat=True)) == [READER]
        assert_error(client.post(list_url("person"), {"slug": "x", "name": "X"}, format="json"), 403)

    def test_a_key_authenticates_as_its_account(self):
        client = key_client(create_system_account("portal", group=EDITOR))
        response = client.post(list_url("person"), {"slug": "keyed", "name": "Lê Khóa"}, format="json")
        assert response.status_code == 201, response.content
        # The history says which system made the change.
        person = Person.objects.get(slug="keyed")
        assert person.history.get().history_user.username == "portal"

    def test_the_key_is_stored_hashed(self):
        key = create_system_account("portal", group=READER)
        prefix, secret = key.split(".", 1)
        system_key = SystemKey.objects.get(account__username="portal")
        for field in SystemKey._meta.concrete_fields:
            value = str(field.value_from_object(system_key))
            assert key not in value, field.name
            assert secret not in value, field.name
        assert system_key.prefix == prefix
        assert system_key.hashed_key != key
        assert system_key.is_valid(key)
        assert not system_key.is_valid(f"{prefix}.{'x' * len(secret)}")

    def test_unknown_key(self):
        key = create_system_account("portal", group=READER)
        prefix, secret = key.split(".", 1)
        assert_unauthenticated(key_client(f"{prefix}.{secret[::-1]}").get(list_url("person")))
        assert_unauthenticated(key_client("not-a-key").get(list_url("person")))

    def test_revoked_key(self):
        key = create_system_account("portal", group=EDITOR)
        assert key_client(key).get(list_url("person")).status_code == 200
        SystemKey.objects.filter(account__username="portal").update(revoked=True)
        client = key_client(key)
        # A bad key is refused even where an anonymous visitor could read.
        assert_unauthenticated(client.get(list_url("person")))
        assert_unauthenticated(client.post(list_url("person"), {"slug": "x", "name": "X"}, format="json"))
        assert not Person.objects.filter(slug="x").exists()

    def test_expired_key(self):
        key = create_system_account("portal", group=EDITOR)
        SystemKey.objects.filter(account__username="portal").update(
            expiry_date=timezone.now() - datetime.timedelta(minutes=1)
        )
        body = assert_error(key_client(key).get(list_url("person")), 401)
        assert "expired" in body["detail"]

    def test_a_key_expiring_later_works(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        key = create_system_account("portal", group=READER, expires=tomorrow)
        system_key = SystemKey.objects.get(account__username="portal")
        assert timezone.localdate(system_key.expiry_date) == tomorrow
        assert key_client(key).get(list_url("person")).status_code == 200

    def test_an_expiry_in_the_past_is_refused_by_the_command(self):
        with pytest.raises(CommandError):
            create_system_account("portal", expires=timezone.localdate() - datetime.timedelta(days=1))
        assert not SystemKey.objects.filter(account__username="portal").exists()

    def test_a_disabled_account(self):
        key = create_system_account("portal", group=EDITOR)
        User.objects.filter(username="portal").update(is_active=False)
        assert_unauthenticated(key_client(key).get(list_url("person")))

    def test_a_new_key_revokes_the_old_one(self):
        old = create_system_account("portal", group=EDITOR)
        new = create_system_account("portal", group=EDITOR)
        assert old != new
        keys = SystemKey.objects.filter(account__username="portal")
        assert keys.count() == 2
        assert keys.filter(revoked=False).count() == 1
        assert keys.get(revoked=False).is_valid(new)
        assert_unauthenticated(key_client(old).get(list_url("person")))
        assert key_client(new).get(list_url("person")).status_code == 200

    def test_a_new_key_can_change_the_group(self):
        create_system_account("portal", group=EDITOR)
        client = key_client(create_system_account("portal", group=READER))
        assert list(User.objects.get(username="portal").groups.values_list("name", flat=True)) == [READER]
        assert_error(client.post(list_url("person"), {"slug": "x", "name": "X"}, format="json"), 403)


def test_groups_hold_the_right_permissions():
    registry = Permission.objects.filter(content_type__app_label="registry")
    editor = set(Group.objects.get(name=EDITOR).permissions.all())
    reader = set(Group.objects.get(name=READER).permissions.all())
    not_for_groups = ("systemkey", "change", "seedbaseline")  # only administrators, the services, the loader
    assert editor == set(registry.exclude(content_type__model__in=not_for_groups))
    assert reader == set(registry.filter(codename__startswith="view_").exclude(content_type__model__in=not_for_groups))
    assert {"add_appointment", "change_appointment", "delete_organization"} <= {p.codename for p in editor}
    assert not any(p.codename.startswith(("add_", "change_", "delete_")) for p in reader)


# --- appointment actions -----------------------------------------------------------------------------------------


def permission_holder(*codenames: str) -> User:
    user = User.objects.create_user("appointer")
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="registry", codename__in=codenames))
    return user


ACTION_ROLES = [
    *ROLES,
    Role("appointments-only", FULL, lambda: session_client(permission_holder("add_appointment", "change_appointment"))),
    Role("add-only", READ_ONLY, lambda: session_client(permission_holder("add_appointment"))),
    Role("change-only", READ_ONLY, lambda: session_client(permission_holder("change_appointment"))),
    Role("post-editor", READ_ONLY, lambda: session_client(permission_holder("add_post", "change_post"))),
]


class TestAppointmentActions:
    """appoint, succeed and end need the add and change appointment permissions, whatever the resource."""

    @pytest.fixture(params=ACTION_ROLES, ids=str)
    def action_role(self, request) -> Role:
        return request.param

    @staticmethod
    def check_refusal(role: Role, response) -> None:
        if role.access == ANONYMOUS:
            assert_unauthenticated(response)
        else:
            body = assert_error(response, 403)
            assert body["code"] == "permission_denied"

    def test_appoint(self, action_role):
        post, person = PostFactory(), PersonFactory()
        client = action_role.client()
        response = client.post(
            action_url("post", "appoint", post.pk),
            {"person": person.slug, "start_date": "2024-06-01"},
            format="json",
        )
        if action_role.access == FULL:
            assert response.status_code == 201, response.content
            assert Appointment.objects.get(post=post).person == person
        else:
            self.check_refusal(action_role, response)
            assert not Appointment.objects.filter(post=post).exists()

    def test_succeed(self, action_role):
        holder = AppointmentFactory(start_date=datetime.date(2024, 1, 1))
        successor = PersonFactory()
        client = action_role.client()
        response = client.post(
            action_url("post", "succeed", holder.post_id),
            {"person": successor.slug, "start_date": "2025-01-01"},
            format="json",
        )
        holder.refresh_from_db()
        if action_role.access == FULL:
            assert response.status_code == 201, response.content
            assert holder.end_date == datetime.date(2024, 12, 31)
            assert Appointment.objects.filter(post=holder.post, person=successor).exists()
        else:
            self.check_refusal(action_role, response)
            assert holder.end_date is None
            assert not Appointment.objects.filter(person=successor).exists()

    def test_end(self, action_role):
        holder = AppointmentFactory(start_date=datetime.date(2024, 1, 1))
        client = action_role.client()
        response = client.post(action_url("appointment", "end", holder.pk), {"end_date": "2024-12-31"}, format="json")
        holder.refresh_from_db()
        if action_role.access == FULL:
            assert response.status_code == 200, response.content
            assert holder.end_date == datetime.date(2024, 12, 31)
        else:
            self.check_refusal(action_role, response)
            assert holder.end_date is None

    def test_actions_are_refused_even_with_anonymous_reading_off(self, settings):
        settings.REGISTRY_ANONYMOUS_READ = False
        holder = AppointmentFactory(start_date=datetime.date(2024, 1, 1))
        response = APIClient().post(
            action_url("appointment", "end", holder.pk), {"end_date": "2024-12-31"}, format="json"
        )
        assert_unauthenticated(response)
        holder.refresh_from_db()
        assert holder.end_date is None
