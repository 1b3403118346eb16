"""One FilterSet per model: the API list, the HTML list and the CSV export all filter through these.

Every filter carries a help text: drf-spectacular turns it into the parameter's description in
/api/schema/. A value that does not parse is refused with a 400 naming the parameter (django-filter
reports form errors by field name). Times read as UTC and ids that cannot overflow a query come from
portal.core.filters, shared with the forum's API.
"""

import django_filters as filters
from django.db.models import OuterRef, Subquery

from impact.models import (
    Assumption,
    Confidence,
    Facility,
    PeriodKind,
    Report,
    ReportMetric,
    ReportRun,
    ReportVersion,
    Scenario,
    SeriesPoint,
)
from portal.core.filters import IdFilter, UTCDateTimeFilter


def _newest_versions(queryset):
    """Keep only the newest version of each report (what the HTML list shows by default)."""
    newest = ReportVersion.objects.filter(report=OuterRef("report")).order_by("-number").values("number")[:1]
    return queryset.filter(number=Subquery(newest))


class FacilityFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains", help_text="Part of the facility's name, any case.")
    is_active = filters.BooleanFilter(help_text="true: facilities that get a monthly report drafted.")

    class Meta:
        model = Facility
        fields = ["name", "is_active"]


class ScenarioFilter(filters.FilterSet):
    facility = filters.CharFilter(field_name="facility__slug", help_text="Facility slug, e.g. memphis-supercluster.")
    is_active = filters.BooleanFilter(help_text="true: scenarios computed with every report.")

    class Meta:
        model = Scenario
        fields = ["facility", "is_active"]


class AssumptionFilter(filters.FilterSet):
    facility = filters.CharFilter(field_name="facility__slug", help_text="Facility slug.")
    status = filters.ChoiceFilter(
        choices=Confidence.choices,
        help_text="Confidence: S (read in the cited source), 2° (secondary), U (unverified), D (derived).",
    )
    target_type = filters.CharFilter(
        field_name="content_type__model", help_text="Kind of row the input belongs to, e.g. generatorgroup, cooling."
    )

    class Meta:
        model = Assumption
        fields = ["facility", "status", "target_type"]


class ReportFilter(filters.FilterSet):
    facility = filters.CharFilter(field_name="facility__slug", help_text="Facility slug.")
    period_kind = filters.ChoiceFilter(choices=PeriodKind.choices, help_text="month, quarter, year or custom.")
    period = filters.CharFilter(help_text="Exact period key: 2024-07, 2024-Q3, 2024 or 2024-07-01..2024-07-15.")
    starts_after = filters.DateFilter(
        field_name="start_date", lookup_expr="gte", help_text="Periods starting on or after this date (YYYY-MM-DD)."
    )
    starts_before = filters.DateFilter(
        field_name="start_date", lookup_expr="lt", help_text="Periods starting before this date (YYYY-MM-DD)."
    )

    class Meta:
        model = Report
        fields = ["facility", "period_kind", "period", "starts_after", "starts_before"]


class ReportVersionFilter(filters.FilterSet):
    """Published versions; the public report list (HTML) and /api/v1/report-versions/ use it."""

    facility = filters.CharFilter(field_name="report__facility__slug", help_text="Facility slug.")
    period_kind = filters.ChoiceFilter(
        field_name="report__period_kind", choices=PeriodKind.choices, help_text="month, quarter, year or custom."
    )
    period = filters.CharFilter(field_name="report__period", help_text="Exact period key, e.g. 2024-07.")
    report = IdFilter(field_name="report_id", help_text="Report id.")
    latest = filters.BooleanFilter(
        method="filter_latest", help_text="true: only the newest version of each report (corrections replace)."
    )
    published_after = UTCDateTimeFilter(
        field_name="published_at", lookup_expr="gte", help_text="Published at or after this ISO 8601 time."
    )
    published_before = UTCDateTimeFilter(
        field_name="published_at", lookup_expr="lt", help_text="Published before this ISO 8601 time."
    )

    class Meta:
        model = ReportVersion
        fields = ["facility", "period_kind", "period", "report", "latest", "published_after", "published_before"]

    def filter_latest(self, queryset, name, value):
        return _newest_versions(queryset) if value else queryset


class ReportRunFilter(filters.FilterSet):
    facility = filters.CharFilter(field_name="report__facility__slug", help_text="Facility slug.")
    report = IdFilter(field_name="report_id", help_text="Report id.")
    period = filters.CharFilter(field_name="report__period", help_text="Exact period key, e.g. 2024-07.")
    status = filters.ChoiceFilter(choices=ReportRun.Status.choices, help_text="pending, running, succeeded or failed.")
    published = filters.BooleanFilter(
        field_name="version", lookup_expr="isnull", exclude=True,
        help_text="true: runs published as a version; false: drafts (staff only see those).",
    )

    class Meta:
        model = ReportRun
        fields = ["facility", "report", "period", "status", "published"]


class ReportMetricFilter(filters.FilterSet):
    version = IdFilter(field_name="run__version", help_text="Report version id (see /api/v1/report-versions/).")
    run = IdFilter(field_name="run_id", help_text="Run id.")
    report = IdFilter(field_name="run__report_id", help_text="Report id.")
    facility = filters.CharFilter(field_name="run__report__facility__slug", help_text="Facility slug.")
    period = filters.CharFilter(field_name="run__report__period", help_text="Exact period key, e.g. 2024-07.")
    scenario = filters.CharFilter(
        method="filter_scenario", help_text="Scenario name as in the metrics, or base for the base case."
    )
    key = filters.CharFilter(help_text="Metric key, e.g. co2e_total_t or energy_facility_mwh.")
    latest = filters.BooleanFilter(
        method="filter_latest", help_text="true: only metrics of the newest version of each report."
    )

    class Meta:
        model = ReportMetric
        fields = ["version", "run", "report", "facility", "period", "scenario", "key", "latest"]

    def filter_latest(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(run__version__in=_newest_versions(ReportVersion.objects.all()))

    def filter_scenario(self, queryset, name, value):
        # The base case is stored as an empty name, which a query string cannot select as a filter.
        return queryset.filter(scenario="" if value.strip().lower() == "base" else value)


class SeriesPointFilter(filters.FilterSet):
    """Hourly points of one run. ``columns`` picks the metrics; the view checks the names exist."""

    version = IdFilter(
        field_name="run__version", help_text="Report version id whose series to read (this or run is required)."
    )
    run = IdFilter(field_name="run_id", help_text="Run id (staff may read drafts).")
    start = UTCDateTimeFilter(
        field_name="timestamp", lookup_expr="gte",
        help_text="First hour to include, ISO 8601; a time without offset is read as UTC.",
    )
    end = UTCDateTimeFilter(
        field_name="timestamp", lookup_expr="lt",
        help_text="Hour to stop before (exclusive), ISO 8601; a time without offset is read as UTC.",
    )
    columns = filters.CharFilter(
        method="filter_columns",
        help_text="Comma-separated series columns (metrics) to return, e.g. grid_mw,onsite_mw; default: all.",
    )

    class Meta:
        model = SeriesPoint
        fields = ["version", "run", "start", "end", "columns"]

    def filter_columns(self, queryset, name, value):
        # Column choice shapes each point, not which points: the view applies it.
        return queryset
