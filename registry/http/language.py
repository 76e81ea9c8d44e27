"""Which language a request is answered in: the admin is Vietnamese unless its user switched to English.

Django's LocaleMiddleware would also switch the API's messages and its OpenAPI schema with the browser's
Accept-Language; here the API (and everything outside /admin/) stays English, and the public pages pick their own
language (``chosen_language``: the pages and their HTTP validators both ask it). The admin's switch is Django's
``set_language`` view: it sets the language cookie (shared with the public pages' switch), which the admin reads;
without it the admin is in ``LANGUAGE_CODE`` (vi).
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

#: Requests whose path starts with this are answered in the user's language; all others in English.
ADMIN_PREFIX = "/admin/"
#: The language of the API, its schema and its error messages.
API_LANGUAGE = "en"
#: The public pages' languages, and theirs when the request chose none.
PAGE_LANGUAGES = ("vi", "en")
PAGE_DEFAULT_LANGUAGE = "vi"


def admin_language(request) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class AdminLocaleMiddleware(LocaleMiddleware):
    """LocaleMiddleware for the admin only: the cookie's language, else Vietnamese; English everywhere else."""

    def process_request(self, request):
        in_admin = request.path_info.startswith(ADMIN_PREFIX)
        translation.activate(admin_language(request) if in_admin else API_LANGUAGE)
        request.LANGUAGE_CODE = translation.get_language()
        request.registry_admin_language = in_admin

    def process_response(self, request, response):
        if getattr(request, "registry_admin_language", False):
            patch_vary_headers(response, ("Cookie",))
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


def chosen_language(request) -> tuple[str, bool]:
    """(language, whether the request chose it now) of a public page: ``?lang=``, else the language cookie, else
    Vietnamese. The site picks its language itself instead of LocaleMiddleware, so the API and the admin keep theirs.
    """
    asked = request.GET.get("lang")
    if asked in PAGE_LANGUAGES:
        return asked, True
    remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return (remembered if remembered in PAGE_LANGUAGES else PAGE_DEFAULT_LANGUAGE), False


def accepted_language(request, *, default: str) -> str:
    """The first of the page languages that ``Accept-Language`` names, by weight (``vi-VN`` counts as ``vi``), else
    ``default``."""
    for language, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        base = language.split("-")[0].lower()
        if base in PAGE_LANGUAGES:
            return base
    return default


def picture_language(request) -> str:
    """The language of a picture from the API (an SVG chart or timeline): ``?lang=``, else ``Accept-Language``, else
    Vietnamese. Its words are for people, unlike the API's JSON."""
    asked = request.GET.get("lang")
    return asked if asked in PAGE_LANGUAGES else accepted_language(request, default=PAGE_DEFAULT_LANGUAGE)


#: The language of an export's headers (CSV and Excel) when Accept-Language names neither: the API's own.
EXPORT_DEFAULT_LANGUAGE = "en"


def export_language(request) -> str:
    """The language of an export's headers: Accept-Language's, else English. The rest of the API stays English
    whatever the header says."""
    return accepted_language(request, default=EXPORT_DEFAULT_LANGUAGE)
