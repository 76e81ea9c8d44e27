"""HTTP caching: ETag and Last-Modified on every read of the API and the public pages, known without building a body.

One registry-wide change counter (``RegistryRevision``, one row) goes up once after every write transaction commits.
A read takes its validators from that row *before* the view builds the body, so a body is never older than its
validator: a write that commits in between shows in the body under the older validator, and the bump that follows
changes the validator, so the client merely fetches the same data once more. A conditional request whose validator
still matches is a 304 after that one-row query (plus, for the API, authentication, permissions and throttles, which a
304 must not skip and which run once: the API view answers its own 304, api/views/base.py).

- ETag of a read: ``W/"<number>.<changed>-<day>-<variant>"``. ``changed`` (the moment of the last bump) makes the tag
  unique even when a restored backup brings back an older ``number``; ``day`` is today, because answers show today's
  holders and change at midnight without any write; ``variant`` hashes what else selects the representation: the URL,
  ``Accept``, who is signed in (the feed and histories name users only to signed-in clients), and the language of a
  page (or of an API picture). Weak: the tag names the registry's state, not the bytes (gzip or not).
- Record details keep their strong ``"<version>"`` ETag (clients send it back in If-Match). The detail also shows
  related rows and today's holders, which can change without the version, so If-None-Match never gives a 304 there:
  only If-Modified-Since (alone) does.
- Last-Modified: the bump's moment, never before today's midnight. HTTP dates have whole seconds, and two writes can
  fall in one second, so the date is rounded *up* to the next second only once that second (plus ``CLOCK_MARGIN``)
  has passed when the validator is read; any later write then has a later moment. Until then it is rounded down, and
  If-Modified-Since holds only when the last bump is strictly before the date asked: such a copy is simply sent again.
  The change feed ignores If-Modified-Since (entries become readable when *other* transactions end; its ETag names the
  newest readable entry instead).
- The services bump the counter after each write commits (changes/revision.py); this module only reads it. Every
  host's clock must agree within ``CLOCK_MARGIN`` (NTP).
- Not here: the admin, probes, static files, webhooks (their delivery state changes outside the feed) and the schema
  (its own strong ETag, registry/api/cached_schema.py).
"""

import datetime
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.db.models import Subquery
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.gzip import GZipMiddleware
from django.utils import timezone
from django.utils.cache import parse_etags, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from registry import clock
from registry.changes import feed
from registry.changes.revision import PendingBump, bump, bump_after_commit
from registry.http.language import chosen_language, export_language, picture_language
from registry.models import RegistryRevision

logger = logging.getLogger(__name__)

#: How far apart the clocks of the hosts that write and read may be (and how long a bump may take to commit).
CLOCK_MARGIN = datetime.timedelta(seconds=1)
SECOND = datetime.timedelta(seconds=1)
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
SAFE_METHODS = ("GET", "HEAD")
API_VARY = ("Accept", "Accept-Encoding", "Authorization", "Cookie")
PAGE_VARY = ("Accept-Encoding", "Cookie")  # a page's language comes from ?lang= or the cookie, never Accept-Language
PICTURE_VARY = (*API_VARY, "Accept-Language")  # an API picture's words follow ?lang= or Accept-Language
#: The API's pictures (SVG charts and timelines, PDF charts): URL names ending so.
PICTURE_SUFFIXES = ("-svg", "-pdf")
EXPORT_VARY = (*API_VARY, "Accept-Language")  # an export's headers are in the language Accept-Language asks


# --- the counter, as a read sees it ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Revision:
    """The counter as one read saw it, and when (``read_at``, the reader's clock)."""

    number: int
    changed: datetime.datetime
    read_at: datetime.datetime
    feed_head: int | None = None

    def last_modified(self) -> datetime.datetime:
        """Last-Modified in whole seconds: the change rounded up once that is safe (module notes), else down."""
        rounded_down = self.changed.replace(microsecond=0)
        safe_to_round_up = self.read_at >= rounded_down + SECOND + CLOCK_MARGIN
        return max(rounded_down + SECOND if safe_to_round_up else rounded_down, midnight())

    def unchanged_since(self, date: datetime.datetime) -> bool:
        """If-Modified-Since ``date`` holds: no change at or after ``date`` (to the microsecond), nor since midnight."""
        return midnight() <= date <= self.read_at and self.changed < date

    def stem(self) -> str:
        """The part of every ETag that names the registry's state and the day."""
        micros = int((self.changed - EPOCH).total_seconds() * 1_000_000)
        return f"{self.number}.{micros:x}-{clock.today():%Y%m%d}-"


def midnight() -> datetime.datetime:
    """The start of today in TIME_ZONE: answers show today's holders, so nothing older is their Last-Modified."""
    return timezone.make_aware(datetime.datetime.combine(clock.today(), datetime.time.min))


def current(*, with_feed_head: bool = False) -> Revision:
    """Read the counter (one query, from the database the body will be read from)."""
    rows = RegistryRevision.objects.filter(pk=RegistryRevision.ONLY)
    fields = ["number", "changed"]
    if with_feed_head:
        newest = feed.settled().order_by("-position").values("id")[:1]
        rows = rows.annotate(feed_head=Subquery(newest))
        fields.append("feed_head")
    row = rows.values(*fields).first()
    read_at = clock.now()
    if row is None:
        return Revision(0, EPOCH, read_at)
    return Revision(read_at=read_at, **row)


# --- which answers, and their representation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """What a request reads: ``api``, ``detail`` (a record, strong ETag), ``feed``, ``picture``, ``export`` or
    ``page``."""

    name: str

    @property
    def vary(self) -> tuple[str, ...]:
        return {"page": PAGE_VARY, "picture": PICTURE_VARY, "export": EXPORT_VARY}.get(self.name, API_VARY)


def kind_of(request) -> Kind | None:
    """The kind of a read this module validates, or None (admin, probes, schema, webhooks, anything else)."""
    match = request.resolver_match
    if match is None:
        return None
    name = match.url_name or ""
    if match.namespace == "web":
        return Kind("page")
    if match.namespace != "registry-api" or name == "schema" or name.startswith("webhook"):
        return None
    if not getattr(getattr(match.func, "cls", None), "answers_conditionally", False):
        return None  # a view that cannot answer a 304 itself gets no validator it would not honour
    if name == "changes":
        return Kind("feed")
    if name.endswith(PICTURE_SUFFIXES):
        return Kind("picture")
    if "-export-" in name:
        return Kind("export")
    return Kind("detail" if name.endswith("-detail") else "api")


def page_language(request) -> str:
    return chosen_language(request)[0]


def who(user) -> str:
    return f"user {user.pk}" if user is not None and user.is_authenticated else "anonymous"


def etag(request, kind: Kind, revision: Revision, user) -> str:
    """The weak ETag of this request's answer (module notes)."""
    # The absolute URL: answers name records by absolute URLs, which differ by host and scheme.
    parts = [request.build_absolute_uri(), request.headers.get("Accept", "")]
    # A page is the same for everyone; an API answer may name users to signed-in clients only.
    parts.append(page_language(request) if kind.name == "page" else who(user))
    if kind.name == "picture":
        parts.append(picture_language(request))
    if kind.name == "feed":
        parts.append(str(revision.feed_head))
    if kind.name == "export":
        parts.append(export_language(request))
    variant = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]
    return f'W/"{revision.stem()}{variant}"'


def opaque(tag: str) -> str:
    """An entity tag without its weakness mark: weak comparison (RFC 9110 8.8.3.2)."""
    return tag[2:] if tag.startswith("W/") else tag


def carries_csrf_token(request, response=None) -> bool:
    """The body holds a CSRF token (a form of the browsable API or the admin): per session, never shared."""
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return True
    return response is not None and settings.CSRF_COOKIE_NAME in response.cookies


# --- the middleware ------------------------------------------------------------------------------------------------


class ConditionalReadMiddleware:
    """Validators on every 200 read of the API and the pages; 304 for a page when the client's copy is current.

    The counter is read in ``process_view``, before the view builds anything. A page (the same for everyone) is
    answered 304 there. An API view answers its own 304 (``not_modified``) once DRF has authenticated the client and
    run its permissions and throttles, each once, as for any other answer (api/views/base.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        revision = getattr(request, "registry_revision", None)
        if revision is None or response.status_code != 200 or carries_csrf_token(request, response):
            return response
        kind = request.registry_read_kind
        if kind.name != "detail":  # a detail keeps the record's strong version tag, for If-Match
            user = None if kind.name == "page" else getattr(request, "user", None)
            response.headers["ETag"] = etag(request, kind, revision, user)
        return decorate(request, response, kind, revision)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in SAFE_METHODS:
            return None
        kind = kind_of(request)
        if kind is None:
            return None
        try:
            revision = current(with_feed_head=kind.name == "feed")
        except DatabaseError:
            return None  # no validators: the view meets the same outage and answers it (503, Retry-After)
        request.registry_revision, request.registry_read_kind = revision, kind
        return not_modified(request, None) if kind.name == "page" else None


def not_modified(request, user) -> HttpResponse | None:
    """The 304 for this read when the client's copy is current (``user``: who reads, for the API), or None.

    Costs nothing beyond the counter ``process_view`` already read.
    """
    revision = getattr(request, "registry_revision", None)
    kind = getattr(request, "registry_read_kind", None)
    if revision is None or kind is None or not may_be_current(request, kind, revision):
        return None
    tags = parse_etags(request.headers.get("If-None-Match", ""))
    if tags and opaque(etag(request, kind, revision, user)) not in {opaque(tag) for tag in tags}:
        return None
    response = HttpResponseNotModified()
    if kind.name != "detail":  # a detail's 304 leaves the stored strong tag as it is (its version is unchanged)
        response.headers["ETag"] = etag(request, kind, revision, user)
    return decorate(request, response, kind, revision, user)


def may_be_current(request, kind: Kind, revision: Revision) -> bool:
    """Cheap checks first: could a 304 be the answer (before computing the request's own tag)?"""
    tags = parse_etags(request.headers.get("If-None-Match", ""))
    if tags:
        # A detail's tags are record versions: they cannot tell whether related rows or the day changed.
        stem = f'"{revision.stem()}'
        return kind.name != "detail" and any(opaque(tag).startswith(stem) for tag in tags)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    if since is None or kind.name == "feed":
        return False
    return revision.unchanged_since(datetime.datetime.fromtimestamp(since, tz=datetime.UTC))


def decorate(request, response, kind: Kind, revision: Revision, user=None):
    """Last-Modified, Cache-Control and Vary of a validated read (200 or 304)."""
    response.headers["Last-Modified"] = http_date(revision.last_modified().timestamp())
    private = False
    if kind.name != "page":
        user = user if user is not None else getattr(request, "user", None)
        private = user is not None and user.is_authenticated
    # no-cache: a browser or proxy may keep the answer but asks again every time, so none is ever stale.
    patch_cache_control(response, no_cache=True, **({"private": True} if private else {"public": True}))
    patch_vary_headers(response, kind.vary)
    return response


# --- answers kept between requests ----------------------------------------------------------------------------------


#: The cache alias that keeps rendered answers (settings.CACHES): Redis when configured, else each process's memory.
ANSWERS = "answers"
#: Headers of the view's own that a kept answer carries again (the middleware adds the rest on every request).
KEPT_HEADERS = ("Content-Type", "ETag", "Count-Exact", "Content-Disposition", "Link")


def answer_key(request, media_type: str) -> str | None:
    """Where the answer to this read is kept: its validator, which already names the registry's state, the day, the
    URL, the Accept header, who asks and (for the feed) the newest readable entry, plus the negotiated media type.

    None when the answer is not kept: no validator was read (not a read the middleware validates, or the database
    did not answer), a page (its language and CSRF-bearing forms), or an HTML rendering (the browsable API's forms).
    """
    revision = getattr(request, "registry_revision", None)
    kind = getattr(request, "registry_read_kind", None)
    if not settings.ANSWER_CACHE_SECONDS or revision is None or kind is None or kind.name == "page":
        return None
    if media_type.startswith("text/html"):
        return None
    tag = etag(request, kind, revision, getattr(request, "user", None))
    return "answer:" + hashlib.sha256(f"{tag}\n{media_type}".encode()).hexdigest()


def kept_answer(request, key: str | None):
    """The answer kept under ``key`` as a response, or None (none kept, or the client asked for a fresh one)."""
    if key is None or "no-cache" in request.headers.get("Cache-Control", ""):
        return None
    kept = caches[ANSWERS].get(key)
    if kept is None:
        return None
    content, headers = kept
    response = HttpResponse(content)
    for name, value in headers:
        response.headers[name] = value
    return response


def keep_answer(response, key: str | None) -> None:
    """Keep a 200 answer once rendered (its bytes and the view's own headers), if it is not too large."""
    if key is None or response.status_code != 200:
        return

    def keep(rendered) -> None:
        if len(rendered.content) <= settings.ANSWER_CACHE_MAX_BYTES:
            headers = [(name, rendered[name]) for name in KEPT_HEADERS if rendered.has_header(name)]
            caches[ANSWERS].set(key, (rendered.content, headers), settings.ANSWER_CACHE_SECONDS)

    response.add_post_render_callback(keep)


class CompressLargeAnswersMiddleware(GZipMiddleware):
    """Gzip for large answers, except where a secret sits in the body (BREACH): the admin and CSRF-bearing pages.

    Django's middleware weakens a strong ETag it compresses; a record's strong ``"<version>"`` names its version, not
    its bytes, and clients send it back in If-Match (a strong comparison), so it is kept as it was.
    """

    def process_response(self, request, response):
        if request.path_info.startswith("/admin/") or carries_csrf_token(request, response):
            return response
        version_tag = response.get("ETag")
        response = super().process_response(request, response)
        if version_tag and version_tag.startswith('"'):
            response.headers["ETag"] = version_tag
        return response


# PendingBump, bump and bump_after_commit are the writers' (changes/revision.py), named here for the HTTP side too.
__all__ = [
    "CompressLargeAnswersMiddleware",
    "ConditionalReadMiddleware",
    "PendingBump",
    "Revision",
    "answer_key",
    "bump",
    "bump_after_commit",
    "current",
    "keep_answer",
    "kept_answer",
]
