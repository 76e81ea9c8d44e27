"""gunicorn settings for the registry (docker-compose and the contract run)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Long filter URLs (many `kind=` or `role=` values) are legitimate: allow the HTTP maximum gunicorn supports, so such
# requests reach Django and get a JSON answer instead of gunicorn's HTML 400.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
