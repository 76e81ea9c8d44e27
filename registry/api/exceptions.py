"""One error body for every failure: ``{status, code, detail, errors: [{field, code, message}]}``."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the registry."
    default_code = "conflict"


def flatten_errors(detail, field: str | None = None) -> list[dict]:
    """Turn DRF's nested error detail into a flat list naming each field (dotted path) and its rule."""
    if isinstance(detail, dict):
        return [
            error
            for key, value in detail.items()
            for error in flatten_errors(
                value,
                None
                if key in ("non_field_errors", "__all__") and field is None
                else f"{field}.{key}"
                if field
                else str(key),
            )
        ]
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [error for item in detail for error in flatten_errors(item, field)]
        return [
            error
            for index, item in enumerate(detail)
            for error in flatten_errors(item, f"{field}.{index}" if field else str(index))
        ]
    return [{"field": field, "code": getattr(detail, "code", None) or "invalid", "message": str(detail)}]


def error_body(status_code: int, code: str, errors: list[dict]) -> dict:
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return {"status": status_code, "code": code, "detail": detail, "errors": errors}


def _as_drf_exception(exc):
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or "Not found.")
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, (ProtectedError, RestrictedError)):
        names = sorted(
            {
                str(obj)
                for obj in list(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)[
                    :5
                ]
            }
        )
        return Conflict(f"This record is still referenced and cannot be deleted: {', '.join(names)}.", code="protected")
    if isinstance(exc, IntegrityError):
        logger.info("integrity error answered with 409: %s", exc)
        return Conflict(
            "The change conflicts with a database rule (a concurrent change or a duplicate).", code="integrity"
        )
    return exc


def exception_handler(exc, context):
    exc = _as_drf_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors, code = flatten_errors(exc.detail), "invalid"
        if errors and all(error["code"] in ("unique", "unique_together") for error in errors):
            # Well-formed, but taken: a conflict with what the registry already holds.
            response.status_code, code = status.HTTP_409_CONFLICT, "conflict"
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        errors = [{"field": None, "code": code, "message": str(exc.detail)}]
    response.data = error_body(response.status_code, code, errors)
    return response


def json_page_not_found(request, exception=None):
    body = error_body(404, "not_found", [{"field": None, "code": "not_found", "message": "No page at this address."}])
    return JsonResponse(body, status=404)


def json_server_error(request):
    body = error_body(500, "server_error", [{"field": None, "code": "server_error", "message": "Internal error."}])
    return JsonResponse(body, status=500)


def error_response(status_code: int, code: str, message: str, field: str | None = None) -> Response:
    return Response(
        error_body(status_code, code, [{"field": field, "code": code, "message": message}]), status=status_code
    )
