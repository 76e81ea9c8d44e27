"""gunicorn settings for the registry (scripts/start, the Docker image and the contract run)."""

import os
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# The sync worker, with gunicorn's own refusals (a request line or headers over the limits below, a Content-Length
# that is not a number) answered in the API's JSON error shape instead of an HTML page.
worker_class = "config.workers.JsonErrorSyncWorker"
# Long filter URLs (many `kind=` or `role=` values) are legitimate: allow the HTTP maximum gunicorn supports, so such
# requests reach Django and get a JSON answer instead of gunicorn's HTML 400.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
# gunicorn's defaults, named so the JSON refusal (431) can state them: at most 100 headers of 8,190 bytes each.
limit_request_fields = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELDS", "100"))
limit_request_field_size = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "8190"))
# The app logs one JSON line per request with its request id (registry.access); gunicorn's own access log is off
# unless GUNICORN_ACCESSLOG names a file ("-" for stdout).
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
# The reverse proxy's address may set X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER); comma-separated, "*" for any.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

if os.environ.get("LOG_FORMAT", "json") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "registry.http.observability.JsonFormatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }


def on_starting(server):
    """Refuse to start a production server with a weak SECRET_KEY, before any worker is forked."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured

    from registry.http.security import require_strong_secret_key

    try:
        require_strong_secret_key()
    except ImproperlyConfigured as error:
        sys.exit(f"registry: {error}")
