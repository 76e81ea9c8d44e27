"""The public, read-only website: Vietnamese first, English on request, every fact with its source."""

import datetime
import functools
import re
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_safe

from registry import days
from registry.clock import today
from registry.http.language import chosen_language
from registry.interop import pictures, svg
from registry.selectors import seat_states
from registry.web import queries

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
DAY_AS_WRITTEN = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")


def parse_day(value: str | None) -> tuple[datetime.date | None, bool]:
    """(day, valid) of an ``as_of`` parameter; a missing one is valid and means today.

    The page's own box takes the day as the pages write it (dd/mm/yyyy, whatever the browser's locale); links carry
    YYYY-MM-DD. Both are read.
    """
    if not value:
        return None, True
    try:
        if DAY_AS_WRITTEN.fullmatch(value):
            day, month, year = (int(part) for part in value.split("/"))
            return datetime.date(year, month, day), True
        return days.parse_day(value), True
    except ValueError:
        pass
    return None, False


def public_page(view):
    """Language, ``as_of`` and safe methods for every page of the site (validators: registry/http/caching.py)."""

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
    context = {"post": post, "appointments": appointments, "states": seat_states(post)}
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


# --- pictures: the chart and the timeline as SVG (and the chart as PDF) for print ----------------------------------

#: A picture's ``as_of`` as the pages read it (dd/mm/yyyy or YYYY-MM-DD); an unreadable one is refused, not replaced.
SVG_TYPE = "image/svg+xml; charset=utf-8"
PICTURE_DAY_RULE = "as_of: write the day as dd/mm/yyyy or YYYY-MM-DD, e.g. 31/01/2025 or 2025-01-31."


def picture(content, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def chart_picture(request, slug: str, draw):
    """A body's chart picture on ``as_of``: the chart the page and the API show, drawn by ``draw(svg, name)``."""
    if not request.web_as_of_valid:
        return HttpResponse(PICTURE_DAY_RULE, content_type="text/plain; charset=utf-8", status=400)
    chart = queries.chart_of(slug, request.web_as_of or today())
    if chart is None:
        return not_found(request, slug)
    return draw(pictures.chart_svg(chart, request.web_language), f"chart-{slug}-{chart.as_of.isoformat()}")


@public_page
def organization_chart_svg(request, slug: str):
    return chart_picture(request, slug, lambda drawn, name: picture(drawn, SVG_TYPE, f"{name}.svg"))


@public_page
def organization_chart_pdf(request, slug: str):
    def as_pdf(drawn: str, name: str) -> HttpResponse:
        try:
            return picture(svg.pdf(drawn), "application/pdf", f"{name}.pdf")
        except svg.PDFUnavailable:
            message = "PDF is not available on this server (no cairo library); the SVG chart is."
            return HttpResponse(message, content_type="text/plain; charset=utf-8", status=503)

    return chart_picture(request, slug, as_pdf)


@record_page(post_today)
def post_timeline_svg(request, found):
    post, appointments = found
    drawn = pictures.timeline_svg(post, appointments, today(), request.web_language)
    return picture(drawn, SVG_TYPE, f"timeline-{post.slug}.svg")
