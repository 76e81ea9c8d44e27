"""URLs of the public website (plain Django views: not part of the API or its schema)."""

from django.urls import path

from registry.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("organizations/<slug:slug>/", views.organization, name="organization"),
    path("people/<slug:slug>/", views.person, name="person"),
    path("posts/<slug:slug>/", views.post, name="post"),
    path("documents/<slug:slug>/", views.document, name="document"),
]
