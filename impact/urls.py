from django.urls import path, register_converter

from impact import views
from portal.core import converters  # noqa: F401 (registers <id:…>)


class PeriodConverter:
    """Period keys as they appear in URLs: 2024-07, 2024-Q3, 2024, 2024-07-01..2024-07-15."""

    regex = r"\d{4}(?:-\d{2}|-Q[1-4]|-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2})?"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(PeriodConverter, "period")

app_name = "impact"
urlpatterns = [
    path("", views.home, name="home"),
    path("methods/", views.methods_page, name="methods"),
    path("glossary/", views.glossary, name="glossary"),
    path("reports/", views.report_list, name="report-list"),
    path("reports/<id:pk>/", views.report_by_id, name="report-by-id"),
    path("reports/runs/<id:pk>/", views.run_detail, name="run"),
    path("reports/charts/<id:run_id>/<slug:key>.<str:fmt>", views.chart_image, name="chart"),  # English
    path("reports/charts/<id:run_id>/<slug:language>/<slug:key>.<str:fmt>", views.chart_image, name="chart-language"),
    path("reports/<slug:facility>/<period:period>/", views.report_version, name="report-latest"),
    path("reports/<slug:facility>/<period:period>/v<id:number>/", views.report_version, name="report-version"),
    path("reports/downloads/<id:run_id>.<str:kind>", views.download, name="download"),
    path("facilities/<slug:slug>/", views.facility_detail, name="facility"),
    path("facilities/<slug:slug>/subscribe/", views.subscribe, name="subscribe"),
    path("subscriptions/<str:token>/confirm/", views.confirm_subscription, name="subscription-confirm"),
    path("subscriptions/<str:token>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("feeds/reports.atom", views.ReportFeed(), name="report-feed"),
    path("feeds/reports/", views.report_feed_page, name="report-feed-page"),
]
