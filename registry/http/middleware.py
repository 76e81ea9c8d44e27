"""Request checks that must run before Django or the database see the request."""

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

from registry.changes import feed
from registry.http.errors import database_unavailable, error_body, json_error, too_large_message


class RefuseNulBytesMiddleware:
    """A NUL byte in the query string or path is a 400.

    PostgreSQL cannot store or compare NUL, and Django lets it reach the driver (a 500); no legitimate request has one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, value in _query_items(request)):
            field = next((key for key, value in _query_items(request) if "\x00" in key + value), None)
            error = {"field": field, "code": "null_character", "message": "NUL characters are not allowed."}
            return JsonResponse(error_body(400, "invalid", [error]), status=400)
        return self.get_response(request)


def _query_items(request):
    return ((key, value) for key, values in request.GET.lists() for value in values)


#: An oversized body up to this size is read and thrown away before the 413, so the client, still sending, is not cut
#: off mid-body (a broken pipe instead of the answer); a larger one is not read at all.
DISCARD_AT_MOST = 16 * 1024 * 1024


def discard_body(request, length: int) -> None:
    if length <= DISCARD_AT_MOST:
        while request.read(65536):
            pass


class RequestLimitsMiddleware:
    """A body over the documented size is a 413 before anything reads it; a request is known to the services.

    Also answers a database outage anywhere (the admin, the session lookup) with a JSON 503 and ``Retry-After``:
    inside the API the exception handler does the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return json_error(400, "bad_request", "Content-Length is not a number.")
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            discard_body(request, length)
            return json_error(413, "too_large", too_large_message())
        token = feed.serving(request)
        try:
            return self.get_response(request)
        finally:
            feed.done_serving(token)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            return database_unavailable()
        return None
