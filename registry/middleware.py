"""Request checks that must run before Django or the database see the request."""

from django.http import JsonResponse

from registry.api.exceptions import error_body


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
