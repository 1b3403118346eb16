"""The report export's routes under /api/v1/ (see issue 6), as (prefix, ViewSet, basename).

portal/urls.py composes them with the forum's into one router (portal.core.api.urls.api_urls),
which also serves the schema at /api/schema/ and its docs at /api/docs/.
"""

from impact.api import views

routes = [
    ("facilities", views.FacilityViewSet, "facility"),
    ("assumptions", views.AssumptionViewSet, "assumption"),
    ("scenarios", views.ScenarioViewSet, "scenario"),
    ("reports", views.ReportViewSet, "report"),
    ("report-versions", views.ReportVersionViewSet, "report-version"),
    ("report-runs", views.ReportRunViewSet, "report-run"),
    ("report-metrics", views.ReportMetricViewSet, "report-metric"),
    ("series-points", views.SeriesPointViewSet, "series-point"),
]
