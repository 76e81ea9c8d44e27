"""The public, read-only website: Vietnamese first, English on request, every fact with its source."""

import datetime
import functools
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from registry.clock import today
from registry.selectors import vacant_seats
from registry.web import queries

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def chosen_language(request) -> tuple[str, bool]:
    """(language, whether the request chose it now): ``?lang=``, else the language cookie, else Vietnamese.

    The site picks its language itself instead of LocaleMiddleware, so the API and the admin keep theirs.
    """
    asked = request.GET.get("lang")
    if asked in LANGUAGES:
        return asked, True
    remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return (remembered if remembered in LANGUAGES else DEFAULT_LANGUAGE), False


def parse_day(value: str | None) -> tuple[datetime.date | None, bool]:
    """(day, valid) of an ``as_of`` parameter (YYYY-MM-DD); a missing one is valid and means today."""
    if not value:
        return None, True
    try:
        return datetime.date.fromisoformat(value), True
    except ValueError:
        return None, False


def public_page(view):
    """Language, ``as_of`` and safe methods for every page of the site (validators: registry/caching.py)."""

    @require_safe
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        language, chosen = chosen_language(request)
        request.web_language = language
        request.web_as_of, request.web_as_of_valid = parse_day(request.GET.get("as_of"))
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response.headers["Content-Language"] = language
        if chosen:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, language, max_age=LANGUAGE_COOKIE_AGE, samesite="Lax", path="/"
            )
        return response

    return wrapper


def page(request, template: str, context: dict, status: int = 200):
    """Render a page with what every page shows: the language switch, the day and the search box."""
    language = request.web_language
    other = "en" if language == "vi" else "vi"
    params = {key: value for key, value in request.GET.items() if key != "lang"}
    params["lang"] = other
    context = {
        "language": language,
        "other_language": other,
        "switch_url": f"{request.path}?{urlencode(params)}",
        "today": today(),
        **context,
    }
    return render(request, template, context, status=status)


def not_found(request, what: str):
    return page(request, "registry/web/not_found.html", {"what": what}, status=404)


@public_page
def home(request):
    return page(
        request,
        "registry/web/home.html",
        {"tree": queries.organization_tree(), "changes": queries.latest_changes()},
    )


@public_page
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = queries.search_all(query) if query else None
    return page(request, "registry/web/search.html", {"query": query, "results": results})


def record_page(find):
    """A page about one record: ``find(request, slug)`` reads it and what the page shows with it; when it finds
    nothing (None), the answer is the "not found" page."""

    def decorate(show):
        @public_page
        @functools.wraps(show)
        def view(request, slug: str):
            found = find(request, slug)
            return not_found(request, slug) if found is None else show(request, found)

        return view

    return decorate


def organization_on_the_day(request, slug: str):
    """The body as of ``as_of`` (today without one)."""
    return queries.organization_page(slug, request.web_as_of or today())


def person_today(request, slug: str):
    return queries.person_page(slug, today())


def post_today(request, slug: str):
    return queries.post_page(slug, today())


def document_by_slug(request, slug: str):
    return queries.document_page(slug)


@record_page(organization_on_the_day)
def organization(request, chart: queries.OrganizationPage):
    context = {
        "chart": chart,
        "day": chart.as_of,
        "day_valid": request.web_as_of_valid,
        "linked_day": request.web_as_of,
    }
    return page(request, "registry/web/organization.html", context)


@record_page(person_today)
def person(request, found):
    person, appointments = found
    return page(request, "registry/web/person.html", {"person": person, "appointments": appointments})


@record_page(post_today)
def post(request, found):
    post, appointments = found
    context = {"post": post, "appointments": appointments, "vacant": vacant_seats(post)}
    return page(request, "registry/web/post.html", context)


@record_page(document_by_slug)
def document(request, found):
    document, citations, based = found
    segments, missing = queries.highlight(document.text, citations) if document.text else ([], citations)
    return page(
        request,
        "registry/web/document.html",
        {"document": document, "citations": citations, "segments": segments, "missing": missing, "based": based},
    )
