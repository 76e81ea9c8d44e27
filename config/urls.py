from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/api/v1/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("registry.api.urls")),
]

handler404 = "registry.api.exceptions.json_page_not_found"
handler500 = "registry.api.exceptions.json_server_error"
