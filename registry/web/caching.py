"""HTTP validators of the public pages: computed without rendering, so an unchanged page costs one query."""

import datetime
import functools
import hashlib

from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from registry import clock
from registry.web.queries import newest_change


def registry_version() -> datetime.datetime:
    """When the registry last changed. The one place to swap for a registry-wide change counter later."""
    return newest_change() or datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def validators(request, language: str, day: datetime.date | None) -> tuple[str, datetime.datetime]:
    """(ETag, Last-Modified) of a page: the registry's version, the language, the page's URL and its day.

    A page without ``as_of`` shows today's state, which changes at midnight even when no record does: its
    Last-Modified is then never older than today's midnight, and its ETag names the day.
    """
    version = registry_version()
    last_modified = version
    if day is None:
        midnight = timezone.make_aware(datetime.datetime.combine(clock.today(), datetime.time.min))
        last_modified = max(version, midnight)
    key = "|".join((version.isoformat(), language, request.get_full_path(), str(day or clock.today())))
    return f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"', last_modified


def conditional(view):
    """Answer 304 when the client's copy is current; otherwise render and send the validators.

    The view is called as ``view(request, *args, language=..., **kwargs)`` after ``request.web_language`` is set.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        language = request.web_language
        day = request.web_as_of
        etag, last_modified = validators(request, language, day)
        response = get_conditional_response(request, etag=etag, last_modified=int(last_modified.timestamp()))
        if response is None:
            response = view(request, *args, **kwargs)
        if response.status_code in (200, 304):
            response.headers["ETag"] = etag
            response.headers["Last-Modified"] = http_date(last_modified.timestamp())
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        patch_vary_headers(response, ("Cookie",))
        return response

    return wrapper
