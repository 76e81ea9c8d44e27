import secrets
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from registry.groups import EDITOR


class Command(BaseCommand):
    help = (
        "Create a member of the office's staff who edits the registry in the admin: staff, not a superuser, in the "
        "editor group (or, for an existing account, make it that and give it a new password)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="User name to sign in with, e.g. bientap.")
        parser.add_argument("--email", default="", help="E-mail address of the account.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input instead of generating one.",
        )

    @transaction.atomic
    def handle(self, *args, name: str, email: str, password_stdin: bool, **options):
        accounts = get_user_model().objects
        account = accounts.filter(username=name).first()
        if account is not None and account.is_superuser:
            # Quietly taking a superuser's rights away would lock an administrator out of what they manage.
            raise CommandError(f"{name!r} is a superuser; an editor is not. Choose another name.")
        password = sys.stdin.readline().rstrip("\n") if password_stdin else secrets.token_urlsafe(12)
        created = account is None
        if created:
            account = accounts.model(username=name)
        try:
            validate_password(password, account)
        except ValidationError as error:
            raise CommandError(f"password: {' '.join(error.messages)}") from error
        account.is_staff, account.is_superuser, account.is_active = True, False, True
        if email:
            account.email = email
        account.set_password(password)
        account.save()
        account.groups.set([Group.objects.get(name=EDITOR)])
        done = "created" if created else "updated"
        self.stdout.write(f"{done} editor {name!r}: staff, group {EDITOR!r}, not a superuser")
        if not password_stdin:
            self.stdout.write(f"password (shown once; change it in the admin):\n{password}")
