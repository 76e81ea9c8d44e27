from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import APIRootView, DefaultRouter

from registry.api import changesets, events, intake, standards, views
from registry.api.cached_schema import CachedSchemaView
from registry.api.exports import export_urls
from registry.api.views.base import ConditionalAnswersMixin
from registry.api.views.pictures import OrganizationChartPDF, OrganizationChartPicture, PostTimelinePicture

app_name = "registry-api"


class ConditionalRouter(DefaultRouter):
    """The router whose API root answers 304s and kept copies like every other read."""

    APIRootView = type("APIRootView", (ConditionalAnswersMixin, APIRootView), {"__doc__": APIRootView.__doc__})


class SwaggerView(ConditionalAnswersMixin, SpectacularSwaggerView):
    pass


class RedocView(ConditionalAnswersMixin, SpectacularRedocView):
    pass


router = ConditionalRouter()
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
    # Before the router's: its format-suffix routes would take `chart.svg` for the JSON chart.
    path("organizations/<slug:slug>/chart.svg", OrganizationChartPicture.as_view(), name="organization-chart-svg"),
    path("organizations/<slug:slug>/chart.pdf", OrganizationChartPDF.as_view(), name="organization-chart-pdf"),
    path("posts/<int:pk>/timeline.svg", PostTimelinePicture.as_view(), name="post-timeline-svg"),
    path("changes/", views.ChangesView.as_view(), name="changes"),
    path("changesets/", changesets.ChangesetView.as_view(), name="changesets"),
    path("intake/", intake.IntakeView.as_view(), name="intake"),
    path("export/popolo/", standards.PopoloExportView.as_view(), name="export-popolo"),
    *export_urls(views.PersonViewSet, "person", "people"),
    *export_urls(views.OrganizationViewSet, "organization", "organizations"),
    *export_urls(views.PostViewSet, "post", "posts"),
    *export_urls(views.AppointmentViewSet, "appointment", "appointments"),
    path("schema/", CachedSchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="registry-api:schema"), name="docs"),
    path(
        "redoc/",
        RedocView.as_view(url_name="registry-api:schema", template_name="registry/redoc.html"),
        name="redoc",
    ),
    path("", include("registry.api.ftm")),
    path("", include(router.urls)),
]
