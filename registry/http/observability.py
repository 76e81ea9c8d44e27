"""Request ids and JSON logs: every response carries `X-Request-ID`, every log line names the request it belongs to.

Importable without Django set up (gunicorn's master uses the formatter before the app is loaded).
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

REQUEST_ID_HEADER = "X-Request-ID"
# An id from the proxy is kept when it is a plausible token; anything else (too long, spaces, quotes) is replaced.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@+=/-]{1,128}$")
QUIET_PATHS = {"/healthz", "/readyz"}  # probes every few seconds: logged at DEBUG only

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
access_log = logging.getLogger("registry.access")


def current_request_id() -> str:
    return _request_id.get()


def request_id_from(header_value: str | None) -> str:
    if header_value and VALID_REQUEST_ID.match(header_value):
        return header_value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Takes `X-Request-ID` from the proxy (or makes one), returns it on every response, logs one line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            access_log.log(
                logging.DEBUG if request.path in QUIET_PATHS else logging.INFO,
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "client": _client(request),
                },
            )
            return response
        finally:
            _request_id.reset(token)


def _client(request) -> str | None:
    from registry.http.clients import client_ip  # needs settings; this module must import without them

    return client_ip(request)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = record_request_id(record)
        return True


def record_request_id(record: logging.LogRecord) -> str:
    # django.request logs a 4xx/5xx after the middleware has returned: its record carries the request itself.
    return getattr(getattr(record, "request", None), "request_id", None) or current_request_id()


_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, any `extra` fields, and the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or record_request_id(record),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
