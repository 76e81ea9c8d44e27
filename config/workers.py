"""gunicorn's sync worker, answering what gunicorn itself refuses in the registry's JSON error shape.

gunicorn reads the request line and the headers before Django sees the request: a line longer than
``limit_request_line``, too many or too large headers, or a Content-Length that is not a number is refused there, by
default with an HTML page. A client of a JSON API meets the same body here as for every other refusal
(``{status, code, detail, errors}``, registry/api/exceptions.py), and a status that says what was wrong (414 for the
line, 431 for the headers).
"""

import json

from gunicorn import util
from gunicorn.http import errors
from gunicorn.workers.sync import SyncWorker

#: What a client sent that gunicorn would echo back is cut to this many characters: enough to recognise it.
ECHO_LIMIT = 200


def refusal(exc: Exception, cfg) -> tuple[int, str, str, str]:
    """The status, reason phrase, error code and message for an exception gunicorn met reading a request."""
    if isinstance(exc, errors.LimitRequestLine):
        message = f"The request line (method, path and query) is longer than {cfg.limit_request_line} bytes."
        return 414, "URI Too Long", "request_line_too_long", message
    if isinstance(exc, errors.LimitRequestHeaders):
        message = (
            f"The request has too many headers or one too large: at most {cfg.limit_request_fields} headers of "
            f"{cfg.limit_request_field_size} bytes each."
        )
        return 431, "Request Header Fields Too Large", "headers_too_large", message
    if isinstance(exc, errors.InvalidHeader) and str(exc.hdr).upper() == "CONTENT-LENGTH":
        return 400, "Bad Request", "bad_request", "Content-Length must be one whole number of bytes."
    if isinstance(exc, errors.UnsupportedTransferCoding):
        return 501, "Not Implemented", "not_implemented", str(exc)[:ECHO_LIMIT]
    if isinstance(exc, errors.ForbiddenProxyRequest):
        return 403, "Forbidden", "forbidden", "Request forbidden."
    if isinstance(exc, errors.ConfigurationProblem):
        return 500, "Internal Server Error", "server_error", "Internal error."
    return 400, "Bad Request", "bad_request", f"{str(exc)[:ECHO_LIMIT]}."


def json_error_response(status: int, reason: str, code: str, message: str) -> bytes:
    """A whole HTTP/1.1 answer, closing the connection (the rest of the request is never read)."""
    from registry.http.errors import error_body  # Django is set up in the worker by the time a request fails

    body = json.dumps(error_body(status, code, [{"field": None, "code": code, "message": message}])).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class JsonErrorSyncWorker(SyncWorker):
    """The sync worker with gunicorn's own refusals (and any error outside Django) written as JSON."""

    def handle_error(self, req, client, addr, exc):
        addr = addr or ("", -1)  # a unix socket has no address
        if isinstance(exc, errors.ParseException) and not isinstance(exc, errors.ConfigurationProblem):
            self.log.warning("Invalid request from ip=%s: %s", addr[0], exc)
            answer = refusal(exc, self.cfg)
        else:
            self.log.exception("Error handling request %s", getattr(req, "uri", "(no URI read)"))
            answer = refusal(errors.ConfigurationProblem(str(exc)), self.cfg)
        try:
            util.write_nonblock(client, json_error_response(*answer))
        except Exception:  # the client may be gone; gunicorn's own handler ignores this too
            self.log.debug("Failed to send error message.")
