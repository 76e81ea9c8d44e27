"""Settings, read from the environment and a `.env` file (see .env.example). Defaults suit local development only.

DEBUG off means production: HTTPS-only cookies, HSTS and the SSL redirect are on unless HTTPS_ONLY=false.
"""

import os
import warnings
from datetime import timedelta
from pathlib import Path

import corsheaders.defaults
import dj_database_url
import environ
from django.core.exceptions import ImproperlyConfigured

from registry.http.security import secret_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# Variables already in the environment win over the file; ENV_FILE names another file than ./.env.
ENV_FILE = Path(os.environ.get("ENV_FILE") or BASE_DIR / ".env")
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE)


def env_bool(name: str, default: bool) -> bool:
    return env.bool(name, default=default)


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env.str(name, default=default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: set it in the environment or in .env (see .env.example), "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-local-development-key"  # noqa: S105 - only ever used with DEBUG on
# A weak key stops a production server at start-up (config/wsgi.py, config/gunicorn.conf.py) and fails
# `check --deploy`; offline commands (migrate, spectacular, load_seeds) do not sign anything and still run.
SECRET_KEY_PROBLEM = None if DEBUG else secret_key_problem(SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

# --- HTTPS and security headers -----------------------------------------------------------------------------------
# On by default with DEBUG off. HTTPS_ONLY=false is for plain-HTTP set-ups only (CI, loopback benchmarks).
HTTPS_ONLY = env_bool("HTTPS_ONLY", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=31536000) if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
# Probes (load balancer, docker health check) talk plain HTTP to the process itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# The reverse proxy terminates TLS and says so in X-Forwarded-Proto (it must set or strip that header).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- CORS: browsers on these origins may call the API --------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "")
CORS_URLS_REGEX = r"^/api/.*$"
# Conditional reads and writes (If-None-Match, If-Match) and the key header (Authorization) besides the defaults.
CORS_ALLOW_HEADERS = (*corsheaders.defaults.default_headers, "if-match", "if-none-match")
# What a script may read of an answer: validators for the conditional requests, the limits, the count's exactness.
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Last-Modified",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Count-Exact",
    "Content-Disposition",
    "Content-Language",
    "X-Request-ID",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rest_framework_api_key",
    "simple_history",
    "corsheaders",
    "registry.apps.LockoutsConfig",  # django-axes, named for the desk
    "registry",
]

MIDDLEWARE = [
    # First: every response, even a refused one, carries the request id and is logged.
    "registry.http.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the CSP middleware, which reads the HTML it would otherwise find compressed.
    "registry.http.caching.CompressLargeAnswersMiddleware",
    "registry.http.security.ContentSecurityPolicyMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "registry.api.throttling.AuthFailureThrottleMiddleware",
    "registry.api.throttling.RateLimitHeadersMiddleware",
    "registry.http.routers.PrimaryAfterWriteMiddleware",
    "registry.http.middleware.RefuseNulBytesMiddleware",
    "registry.http.middleware.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The admin in Vietnamese (or English on its switch); the API and its schema stay English (http/language.py).
    "registry.http.language.AdminLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # ETag/Last-Modified on reads of the API and the pages, and their 304s (registry/http/caching.py).
    "registry.http.caching.ConditionalReadMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: the admin login's lockout.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # First, so registry/templates/admin/base_site.html (header, styles, favicon, language switch) wins over
        # django.contrib.admin's own, which comes earlier in INSTALLED_APPS.
        "DIRS": [BASE_DIR / "registry" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_env(url: str) -> dict:
    config = dj_database_url.parse(
        url,
        conn_max_age=60,
        # A persistent connection the database dropped (restart, failover) is replaced before a request uses it.
        conn_health_checks=True,
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock when a transaction starts, so two writers queue instead of failing mid-way.
        config.setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    return config


DATABASES = {"default": database_from_env(env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
# The largest request body (bytes); larger ones are a 413 (registry.http.middleware.RequestLimitsMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
# import_popolo refuses, before reading anything into the registry, a file larger than this (bytes) or with more
# records than this: its one transaction holds the write lock while it writes (15-40 records a second measured).
POPOLO_IMPORT_MAX_BYTES = env.int("POPOLO_IMPORT_MAX_BYTES", default=50_000_000)
POPOLO_IMPORT_MAX_RECORDS = env.int("POPOLO_IMPORT_MAX_RECORDS", default=2_000)
# Reads go to a replica when one is configured; writes, and every read of a request that writes, go to the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_from_env(DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["registry.http.routers.PrimaryReplicaRouter"]

# --- Shared state: throttle counters (and the cache) live in Redis when REDIS_URL is set -----------------------------
# Without Redis each process counts on its own: fine for one process (`make run`), not for several workers or hosts.
REDIS_URL = env.str("REDIS_URL", default="")
# Each worker of a parallel test run (pytest-xdist) keeps its keys apart in the one Redis they share.
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="registry") + env.str("PYTEST_XDIST_WORKER", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails soft (registry/http/failsoft_cache.py): Redis down or slow costs at most the short timeouts below,
            # once per CACHE_RETRY_SECONDS, and answers are computed as if the cache were empty.
            "BACKEND": "registry.http.failsoft_cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.25),
                "socket_timeout": env.float("CACHE_TIMEOUT", default=0.25),
                "retry_seconds": env.float("CACHE_RETRY_SECONDS", default=5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered API answers, kept under their validator (http/caching.py): a write changes every key, so a kept answer
# is never stale. In Redis with the rest when REDIS_URL is set, else in each process's memory (a bounded number).
ANSWER_CACHE_SECONDS = env.int("ANSWER_CACHE_SECONDS", default=300)
ANSWER_CACHE_MAX_BYTES = env.int("ANSWER_CACHE_MAX_BYTES", default=1_000_000)
CACHES["answers"] = (
    {**CACHES["default"], "KEY_PREFIX": CACHE_KEY_PREFIX + "-answers"}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "answers",
        "OPTIONS": {"MAX_ENTRIES": env.int("ANSWER_CACHE_ENTRIES", default=500)},
    }
)

# --- The admin login locks out after repeated failures (django-axes); staff unlock in the admin --------------------
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "registry.http.clients.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The admin is Vietnamese by default, English on its switch; the API stays English (registry/http/language.py).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "registry" / "locale"]
# Dates in forms and pages as dd/mm/yyyy in both languages (registry/formats); DRF keeps ISO 8601 in the API.
FORMAT_MODULE_PATH = ["registry.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve app static files without collectstatic in development and tests
# Without collectstatic (development, tests) STATIC_ROOT does not exist yet; the finders serve the files instead.
warnings.filterwarnings("ignore", message="No directory at")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "registry.api.schema.RegistryAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "registry.api.pagination.RegistryPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PARSER_CLASSES": ["registry.api.parsers.RegistryJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "registry.api.authentication.SystemKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["registry.api.permissions.RegistryModelPermissions"],
    "EXCEPTION_HANDLER": "registry.api.exceptions.exception_handler",
    # Counters in the shared cache (Redis when REDIS_URL is set), keyed by the connection's address (see NUM_PROXIES).
    "DEFAULT_THROTTLE_CLASSES": [
        "registry.api.throttling.AnonRateThrottle",
        "registry.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="600/minute"),
        "user": env.str("THROTTLE_USER", default="6000/minute"),
        # Requests with credentials that fail (401), per client address: then 429 until the window ends.
        "auth_failure": env.str("THROTTLE_AUTH_FAILURES", default="10/minute"),
    },
    # How many reverse proxies append to X-Forwarded-For in front of the app; 0 (default) uses the connection's address.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DATE_FORMAT": "iso-8601",
}

# --- Webhooks (changes/webhooks.py; the worker is `manage.py deliver_webhooks`) ------------------------------
# Hosts webhook URLs may point at: exact names, or ".example.vn" for a domain and its sub-domains. None by default.
WEBHOOK_ALLOWED_HOSTS = env_list("WEBHOOK_ALLOWED_HOSTS", "")
# Ports they may name (the scheme's default when the URL names none): an allowed host's database port is not a webhook.
WEBHOOK_ALLOWED_PORTS = [int(port) for port in env_list("WEBHOOK_ALLOWED_PORTS", "443,80")]
# Off: an address that is loopback, private or link-local is refused, whatever name resolved to it (DNS rebinding).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
# Fernet keys sealing the endpoints' secrets at rest (the first seals, all open); none: one derived from SECRET_KEY.
WEBHOOK_SECRET_KEY = env_list("WEBHOOK_SECRET_KEY", "")
# Retry after BASE * 2^(failures-1) seconds, at most MAX; each attempt takes at most TIMEOUT seconds in all.
WEBHOOK_BACKOFF_BASE = env.float("WEBHOOK_BACKOFF_BASE", default=10.0)
WEBHOOK_BACKOFF_MAX = env.float("WEBHOOK_BACKOFF_MAX", default=3600.0)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)

# Reverting to an old version from the history page would write around the services (no lock, no change feed).
SIMPLE_HISTORY_REVERT_DISABLED = True

# Anonymous clients may read the registry unless this is turned off; they never write.
REGISTRY_ANONYMOUS_READ = env_bool("ANONYMOUS_READ", True)
# A record that holds today is "stale" when its newest confirming document is older than this (selectors/evidence.py).
STALE_AFTER_DAYS = env.int("STALE_AFTER_DAYS", default=365)

SPECTACULAR_SETTINGS = {
    "TITLE": "HCMC International Integration Registry API",
    "DESCRIPTION": (
        "Organisations, posts, people and appointments of Ho Chi Minh City's international-integration and "
        "foreign-affairs bodies, each fact with its source document and verbatim quote. "
        "`as_of=YYYY-MM-DD` answers for a given day: an appointment holds on day D when start_date <= D and "
        "(end_date is null or D <= end_date)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI asks validator.swagger.io to grade the schema by default: the docs stay on this host.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "OrganizationClassificationEnum": "registry.choices.OrganizationClassification",
        "PostRoleEnum": "registry.choices.PostRole",
        "DatePrecisionEnum": "registry.choices.DatePrecision",
        "RelationshipKindEnum": "registry.choices.RelationshipKind",
        "DocumentKindEnum": "registry.choices.DocumentKind",
        "HonorificEnum": "registry.choices.Honorific",
        "ChangeTypeEnum": "registry.choices.ChangeType",
        "OtherNameKindEnum": "registry.choices.OtherNameKind",
        "EventClassificationEnum": "registry.choices.EventClassification",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "registry.api.schema.refuse_unknown_fields",
        "registry.api.throttling.document_rate_limit_headers",
        "registry.api.schema.document_authentication_challenge",
    ],
}

# One JSON object per line, each with the request's id (LOG_FORMAT=text for people reading a terminal).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "registry.http.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "registry.http.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # 4xx answers are logged as warnings; a fuzzing run sets ERROR to keep only server errors.
        "django.request": {"level": env.str("REQUEST_LOG_LEVEL", default="WARNING")},
        # One line per request: method, path, status, duration, client address, request id.
        "registry.access": {"level": env.str("ACCESS_LOG_LEVEL", default="INFO")},
        # django-axes announces itself in every process (and every manage.py command): only its warnings.
        "axes.apps": {"level": "WARNING"},
    },
}
