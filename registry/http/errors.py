"""The API's error shape for answers made outside DRF: middleware, the readiness probe, Django's own 400/404/500
handlers and gunicorn's refusals all answer ``{"status", "code", "detail", "errors"}`` as the API's views do."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse

#: Seconds a client should wait before retrying while the database is unavailable.
RETRY_AFTER_OUTAGE = 5

DATABASE_UNAVAILABLE = "The registry's database is unavailable; nothing was written. Retry after the Retry-After delay."


def too_large_message() -> str:
    return f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."


def error_body(status_code: int, code: str, errors: list[dict]) -> dict:
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return {"status": status_code, "code": code, "detail": detail, "errors": errors}


def json_error(status_code: int, code: str, message: str) -> JsonResponse:
    """An error answered outside DRF (middleware, Django's handlers) in the same body shape."""
    return JsonResponse(
        error_body(status_code, code, [{"field": None, "code": code, "message": message}]), status=status_code
    )


def database_unavailable() -> JsonResponse:
    response = json_error(503, "unavailable", DATABASE_UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_OUTAGE)
    return response


def json_bad_request(request, exception=None):
    """Django's own 400s (a Host not allowed, a malformed request) in the API's error shape."""
    return json_error(400, "bad_request", _bad_request_message(exception))


def _bad_request_message(exception) -> str:
    from django.core.exceptions import DisallowedHost

    if isinstance(exception, DisallowedHost):
        return "The Host header names a host this server does not answer to."
    if isinstance(exception, RequestDataTooBig):
        return too_large_message()
    return "Bad request."


def json_page_not_found(request, exception=None):
    body = error_body(404, "not_found", [{"field": None, "code": "not_found", "message": "No page at this address."}])
    return JsonResponse(body, status=404)


def json_server_error(request):
    body = error_body(500, "server_error", [{"field": None, "code": "server_error", "message": "Internal error."}])
    return JsonResponse(body, status=500)
