from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from registry.api import changesets, events, intake, standards, views
from registry.api.cached_schema import CachedSchemaView
from registry.api.exports import export_urls

app_name = "registry-api"

router = DefaultRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("people", views.PersonViewSet, basename="person")
router.register("portfolios", views.PortfolioViewSet, basename="portfolio")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("posts", views.PostViewSet, basename="post")
router.register("appointments", views.AppointmentViewSet, basename="appointment")
router.register("relationships", views.RelationshipViewSet, basename="relationship")
router.register("events", events.EventViewSet, basename="event")
router.register("identifiers", standards.IdentifierViewSet, basename="identifier")
router.register("other-names", standards.OtherNameViewSet, basename="othername")
router.register("webhooks", standards.WebhookEndpointViewSet, basename="webhook")

urlpatterns = [
    path("changes/", views.ChangesView.as_view(), name="changes"),
    path("changesets/", changesets.ChangesetView.as_view(), name="changesets"),
    path("intake/", intake.IntakeView.as_view(), name="intake"),
    path("export/popolo/", standards.PopoloExportView.as_view(), name="export-popolo"),
    *export_urls(views.PersonViewSet, "person", "people"),
    *export_urls(views.OrganizationViewSet, "organization", "organizations"),
    *export_urls(views.PostViewSet, "post", "posts"),
    *export_urls(views.AppointmentViewSet, "appointment", "appointments"),
    path("schema/", CachedSchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="registry-api:schema"), name="docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(url_name="registry-api:schema", template_name="registry/redoc.html"),
        name="redoc",
    ),
    path("", include(router.urls)),
]
