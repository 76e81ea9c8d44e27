"""The registry's URLs plus the floor's under /floor/ (bench/floor.py): what `make bench` serves."""

from django.urls import include, path

from config.urls import handler400, handler404, handler500
from config.urls import urlpatterns as registry_urlpatterns

urlpatterns = [path("floor/", include("bench.floor")), *registry_urlpatterns]
__all__ = ["handler400", "handler404", "handler500", "urlpatterns"]
