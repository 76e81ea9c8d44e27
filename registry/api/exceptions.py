"""One error body for every failure: ``{status, code, detail, errors: [{field, code, message}]}``."""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from registry.http.errors import DATABASE_UNAVAILABLE, RETRY_AFTER_OUTAGE, error_body, too_large_message
from registry.services import PreconditionFailed

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the registry."
    default_code = "conflict"


class Stale(exceptions.APIException):
    """If-Match names a version the record no longer has."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, etag: str):
        self.etag = etag
        super().__init__(
            f"The record has changed since you read it: its current ETag is {etag}. Nothing was written; read it "
            "again and retry with the new ETag."
        )


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"

    def __init__(self):
        super().__init__(too_large_message())


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"
    default_detail = DATABASE_UNAVAILABLE


def flatten_errors(detail, field: str | None = None) -> list[dict]:
    """Turn DRF's nested error detail into a flat list naming each field (dotted path) and its rule."""
    if isinstance(detail, dict):
        return [
            error
            for key, value in detail.items()
            for error in flatten_errors(
                value,
                # A list's or an object's own error (too many items, say) belongs to the field holding it.
                field if key in ("non_field_errors", "__all__") else f"{field}.{key}" if field else str(key),
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


def name_some(records, most: int = 5) -> str:
    """The first few records that block a deletion, by name in order, and how many more there are."""
    names = sorted({str(record) for record in records})
    shown = ", ".join(names[:most])
    return f"{shown} and {len(names) - most} more" if len(names) > most else shown


def _as_drf_exception(exc):
    if isinstance(exc, PreconditionFailed):
        return Stale(exc.etag)
    if isinstance(exc, RequestDataTooBig):
        return TooLarge()
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("database unavailable: %s", exc)
        return DatabaseUnavailable()
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) or "Not found.")
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, (ProtectedError, RestrictedError)):
        referrers = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        return Conflict(
            f"This record is still referenced and cannot be deleted: {name_some(referrers)}.", code="protected"
        )
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
    if isinstance(exc, Stale):
        response["ETag"] = exc.etag
    if isinstance(exc, DatabaseUnavailable):
        response["Retry-After"] = str(RETRY_AFTER_OUTAGE)
    return response
