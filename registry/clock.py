"""The registry's one clock: what "today" is (in TIME_ZONE) for `as_of` defaults, "current" and the admin.

Every module asks this one; tests move it with time-machine (the `today_is` fixture of tests/conftest.py), never
by patching a module.
"""

import datetime

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()


def now() -> datetime.datetime:
    return timezone.now()
