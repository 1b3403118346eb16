"""Public pages: the overview, the report list, a report version, a run's progress, chart images."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from impact import services, summary
from impact.filters import ReportVersionFilter
from impact.models import Facility, Report, ReportChart, ReportRun, ReportVersion

CHART_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
HEADLINE_KEYS = ("energy_facility_mwh", "peak_facility_mw", "onsite_share", "co2e_total_t", "nox_onsite_t", "water_onsite_m3")


def _report_context(run, version=None):
    """What the report template needs, for a published version or a staff draft."""
    metrics = {m.key: m for m in run.metrics.filter(scenario="")}
    scenario_metrics = {}
    for m in run.metrics.exclude(scenario=""):
        scenario_metrics.setdefault(m.scenario, {})[m.key] = m
    report = run.report
    data = run.summary or {}
    return {
        "run": run,
        "report": report,
        "facility": report.facility,
        "version": version,
        "superseded_by": version.superseded_by() if version else None,
        "versions": report.versions.order_by("number"),
        "metrics": list(metrics.values()),
        "metrics_by_key": metrics,
        "scenario_metrics": scenario_metrics,
        "sentences": summary.sentences(report.period_label, metrics, data),
        "charts": run.charts.defer("png", "svg"),
        "assumptions": run.input_snapshot.get("assumptions", []),
        "comparisons": data.get("comparisons", []),
        "generators": data.get("generators", []),
        "drivers": data.get("drivers", [])[:8],
        "checks": data.get("checks", {}),
        "gwp": data.get("gwp", {}),
        "headline_keys": HEADLINE_KEYS,
    }


@require_GET
def home(request):
    facilities = Facility.objects.filter(is_active=True)
    versions = services.latest_versions()
    # A calendar period reads best as the headline; a custom range only when there is nothing else.
    latest = versions.filter(report__period_kind__in=["month", "quarter", "year"]).first() or versions.first()
    context = {"facilities": facilities, "latest": latest}
    if latest:
        context.update(_report_context(latest.run, latest))
    return render(request, "impact/home.html", context)


@require_GET
def report_list(request):
    # The same FilterSet as /api/v1/report-versions/, so the page and the API filter alike.
    versions = ReportVersionFilter(request.GET, queryset=services.latest_versions()).qs
    facility_slug = request.GET.get("facility")
    return render(
        request,
        "impact/report_list.html",
        {"versions": versions, "facilities": Facility.objects.all(), "facility_slug": facility_slug},
    )


@require_GET
def report_by_id(request, pk):
    """/reports/<id>/: the stable short link to a published version."""
    version = get_object_or_404(ReportVersion.objects.select_related("report__facility"), pk=pk)
    return redirect(version)


@require_GET
def report_version(request, facility, period, number=None):
    report = get_object_or_404(Report.objects.select_related("facility"), facility__slug=facility, period=period)
    versions = report.versions.select_related("run", "published_by")
    version = versions.order_by("-number").first() if number is None else versions.filter(number=number).first()
    if version is None:
        raise Http404("This report has no published version yet.")
    return render(request, "impact/report_detail.html", _report_context(version.run, version))


@staff_member_required
@require_GET
def run_detail(request, pk):
    """A run as staff see it: progress while it runs, the draft report when it has succeeded."""
    run = get_object_or_404(ReportRun.objects.select_related("report__facility", "requested_by"), pk=pk)
    context = {"run": run, "report": run.report, "facility": run.report.facility, "draft": True}
    if run.status == ReportRun.Status.SUCCEEDED:
        context.update(_report_context(run, getattr(run, "version", None)))
        context["draft"] = not hasattr(run, "version")
    return render(request, "impact/run_detail.html", context)


@require_GET
def facility_detail(request, slug):
    facility = get_object_or_404(Facility, slug=slug)
    versions = services.latest_versions().filter(report__facility=facility)
    return render(request, "impact/facility_detail.html", {"facility": facility, "versions": versions})


@require_GET
def chart_image(request, run_id, key, fmt):
    """A chart's PNG or SVG. Public once its run is published; staff may see drafts."""
    if fmt not in CHART_TYPES:
        raise Http404("Charts come as png or svg.")
    chart = get_object_or_404(ReportChart.objects.select_related("run"), run_id=run_id, key=key)
    published = ReportVersion.objects.filter(run_id=run_id).exists()
    if not published and not request.user.is_staff:
        raise Http404("No such chart.")
    body = bytes(chart.png if fmt == "png" else chart.svg)
    if not body:
        raise Http404("This chart has no such format.")
    response = HttpResponse(body, content_type=CHART_TYPES[fmt])
    if published:
        # A published run never changes, so its charts can be cached for good.
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        response["Last-Modified"] = http_date(chart.run.finished_at.timestamp())
    else:
        response["Cache-Control"] = "private, no-store"
    return response
