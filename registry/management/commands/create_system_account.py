import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from registry import clock
from registry.groups import EDITOR, READER
from registry.models import SystemKey


class Command(BaseCommand):
    help = (
        "Create the account and API key of a new integrating system (or a new key for an existing one, revoking the "
        "old). The key is printed once; only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="System name, used as the account's username, e.g. hcmc-portal.")
        parser.add_argument("--group", choices=(EDITOR, READER), default=READER, help="What the system may do.")
        parser.add_argument("--expires", type=datetime.date.fromisoformat, help="Last day the key works (YYYY-MM-DD).")

    @transaction.atomic
    def handle(self, *args, name: str, group: str, expires: datetime.date | None, **options):
        if expires is not None and expires < clock.today():
            raise CommandError(f"--expires {expires} is in the past.")
        account, created = get_user_model().objects.get_or_create(username=name)
        if created:
            account.set_unusable_password()
            account.save()
        account.groups.set([Group.objects.get(name=group)])
        revoked = SystemKey.objects.filter(account=account, revoked=False).update(revoked=True)
        expiry = None
        if expires is not None:
            end_of_day = datetime.datetime.combine(expires, datetime.time.max)
            expiry = timezone.make_aware(end_of_day)
        _, key = SystemKey.objects.create_key(name=name, account=account, expiry_date=expiry)
        self.stdout.write(f"{'created' if created else 'updated'} system account {name!r} in group {group!r}")
        if revoked:
            self.stdout.write(f"revoked {revoked} earlier key(s)")
        self.stdout.write(f"API key (shown once; send as 'Authorization: Api-Key <key>'):\n{key}")
