"""The site's URLs plus views that fail on purpose, for tests/test_error_pages.py."""

from django.db import InterfaceError, OperationalError
from django.urls import path

from portal.urls import handler404, handler500, urlpatterns as site_urlpatterns  # noqa: F401 (handlers used by Django)


def database_down(request):
    raise OperationalError('connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused')


def connection_lost(request):
    raise InterfaceError("connection already closed")


def bug(request):
    raise ZeroDivisionError("a plain bug")


urlpatterns = [
    path("boom/database/", database_down),
    path("api/boom/database/", database_down),
    path("boom/connection/", connection_lost),
    path("boom/bug/", bug),
    path("api/boom/bug/", bug),
] + site_urlpatterns
