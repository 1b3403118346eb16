"""REST data export under /api/v1/ (see issue 6); the schema and docs live at /api/schema/ and /api/docs/."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.routers import DefaultRouter

from impact.api import views

app_name = "api"


@extend_schema(exclude=True)
class SchemaView(SpectacularAPIView):
    """/api/schema/: the OpenAPI 3 document (it does not list itself)."""


router = DefaultRouter()
router.register("facilities", views.FacilityViewSet, basename="facility")
router.register("assumptions", views.AssumptionViewSet, basename="assumption")
router.register("scenarios", views.ScenarioViewSet, basename="scenario")
router.register("reports", views.ReportViewSet, basename="report")
router.register("report-versions", views.ReportVersionViewSet, basename="report-version")
router.register("report-runs", views.ReportRunViewSet, basename="report-run")
router.register("report-metrics", views.ReportMetricViewSet, basename="report-metric")
router.register("series-points", views.SeriesPointViewSet, basename="series-point")
router.register("questions", views.QuestionViewSet, basename="question")
router.register("meetings", views.MeetingViewSet, basename="meeting")

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="api-docs"),
    path("v1/", include(router.urls)),
]
