"""URLs of the public website (plain Django views: not part of the API or its schema)."""

from django.urls import path

from registry.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("organizations/<slug:slug>/", views.organization, name="organization"),
    path("organizations/<slug:slug>/chart.svg", views.organization_chart_svg, name="organization-chart-svg"),
    path("organizations/<slug:slug>/chart.pdf", views.organization_chart_pdf, name="organization-chart-pdf"),
    path("people/<slug:slug>/", views.person, name="person"),
    path("posts/<slug:slug>/", views.post, name="post"),
    path("posts/<slug:slug>/timeline.svg", views.post_timeline_svg, name="post-timeline-svg"),
    path("documents/<slug:slug>/", views.document, name="document"),
]
