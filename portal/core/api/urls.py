"""The /api/ URLs, composed from each app's routes: one router under v1/ (its root lists every
endpoint), the OpenAPI schema at schema/ and its docs at docs/, all in the "api" namespace.

An app's API offers ``routes``, a list of (prefix, ViewSet, basename); portal/urls.py composes them,
so no app hosts another's endpoints.
"""

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter


@extend_schema(exclude=True)
class SchemaView(SpectacularAPIView):
    """/api/schema/: the OpenAPI 3 document (it does not list itself)."""


def api_urls(routes):
    """``include()``-able (patterns, "api") for the given (prefix, ViewSet, basename) routes."""
    router = DefaultRouter()
    for prefix, viewset, basename in routes:
        router.register(prefix, viewset, basename=basename)
    patterns = [
        path("schema/", SchemaView.as_view(), name="schema"),
        path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="api-docs"),
        path("v1/", include(router.urls)),
    ]
    return patterns, "api"
