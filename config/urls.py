from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from registry.http import health

urlpatterns = [
    # Probes: outside the API (no schema entry, no throttling, no authentication).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Browsers ask for /favicon.ico whatever the page says: the admin's icon.
    path("favicon.ico", RedirectView.as_view(url=static("registry/admin/favicon.svg"), permanent=False)),
    path("admin/", admin.site.urls),
    # The admin's language switch (Django's set_language: sets the language cookie and goes back).
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("registry.api.urls")),
    # The public website (HTML, read-only); plain Django views, so it stays out of the API schema.
    path("", include("registry.web.urls")),
]

handler400 = "registry.http.errors.json_bad_request"
handler404 = "registry.http.errors.json_page_not_found"
handler500 = "registry.http.errors.json_server_error"
