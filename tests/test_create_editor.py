"""`manage.py create_editor` (`make editor NAME=…`): an office editor who can use the admin, and nothing more."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from registry.groups import EDITOR

pytestmark = pytest.mark.django_db


def run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", StringIO(stdin))
    out = StringIO()
    call_command("create_editor", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_editor_is_staff_in_the_editor_group_and_not_a_superuser(client):
    printed = run("bientap", "--email", "bientap@example.org")
    password = printed.splitlines()[-1]
    editor = User.objects.get(username="bientap")
    assert (editor.is_staff, editor.is_superuser, editor.email) == (True, False, "bientap@example.org")
    assert list(editor.groups.values_list("name", flat=True)) == [EDITOR]
    assert printed.startswith("created editor 'bientap': staff, group 'editor', not a superuser")
    assert editor.has_perms(["registry.add_appointment", "registry.change_person", "registry.delete_post"])
    assert not editor.has_perm("registry.add_systemkey")
    assert not editor.has_perm("auth.add_user")
    assert editor.check_password(password)
    client.force_login(editor)
    assert client.get("/admin/registry/person/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403


def test_a_second_run_gives_a_new_password_and_keeps_one_account(monkeypatch):
    first = run("bientap").splitlines()[-1]
    printed = run("bientap", "--password-stdin", stdin="a long pass phrase of the desk\n", monkeypatch=monkeypatch)
    assert printed == "updated editor 'bientap': staff, group 'editor', not a superuser\n"
    assert User.objects.filter(username="bientap").count() == 1
    editor = User.objects.get(username="bientap")
    assert not editor.check_password(first)
    assert editor.check_password("a long pass phrase of the desk")


def test_a_weak_password_is_refused_and_nothing_is_written(monkeypatch):
    with pytest.raises(CommandError, match=r"^password: This password is too short"):
        run("bientap", "--password-stdin", stdin="abc\n", monkeypatch=monkeypatch)
    assert not User.objects.filter(username="bientap").exists()


def test_a_superuser_is_not_turned_into_an_editor():
    User.objects.create_superuser("root", "root@example.org", "root-password-long")
    with pytest.raises(CommandError, match=r"^'root' is a superuser; an editor is not"):
        run("root")
    assert User.objects.get(username="root").is_superuser
