"""Public pages: the overview, the report list, a report version, a run's progress, chart images."""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_GET, require_POST, require_safe

from impact import downloads, figures, firstscreen, labels, methods, services, summary
from impact.engine.constants import GWP_SETS
from impact.filters import ReportVersionFilter
from impact.models import Facility, Report, ReportArtifact, ReportChart, ReportMetric, ReportRun, ReportVersion
from portal.core.feeds import ReadableFeedMixin
from portal.core.pagecache import SHORT_MAX_AGE, cached_page

CHART_TYPES = {"png": "image/png", "svg": "image/svg+xml"}

# A numbered version's figures never change, but a correction adds a "superseded by" note and a
# line to its list of versions, so browsers and proxies may keep it five minutes, not for good.
VERSION_MAX_AGE = 300
DAY = 86400


def _version_max_age(kwargs):
    """VERSION_MAX_AGE for /v<n>/ URLs; a minute for "latest" URLs, which a correction changes."""
    return VERSION_MAX_AGE if kwargs.get("number") is not None else SHORT_MAX_AGE


def _report_context(run, version=None, staff=False):
    """What the report template needs, for a published version or (``staff``) the staff view of a run.

    The public reads served energy only: the unserved-demand diagnostics and their chart are for
    staff, except the unserved share of a version published with an acknowledgement.
    """
    # Labels in the reader's language (in memory only; the rows keep the engine's English).
    all_metrics = {m.key: m for m in labels.translated(run.metrics.filter(scenario=""))}
    visible = (lambda key: True) if staff else (lambda key: figures.is_public_metric(key, version))
    metrics = {key: m for key, m in all_metrics.items() if visible(key)}
    scenario_metrics = {}
    for m in labels.translated(run.metrics.exclude(scenario="")):
        if visible(m.key):
            scenario_metrics.setdefault(m.scenario, {})[m.key] = m
    report = run.report
    data = run.summary or {}
    charts = charts_in_language(run, translation.get_language(), staff)
    assumptions = run.input_snapshot.get("assumptions", [])
    threshold = settings.IMPACT_UNSERVED_PUBLISH_THRESHOLD
    share = figures.unserved_share(all_metrics)
    acknowledgement = getattr(version, "unserved_acknowledgement", "") if version else ""
    return {
        "run": run,
        "report": report,
        "facility": report.facility,
        "version": version,
        "superseded_by": version.superseded_by() if version else None,
        "versions": report.versions.order_by("number"),
        # Staff see the diagnostics in a table of their own, never among the figures residents read.
        "metrics": [m for m in metrics.values() if not (staff and m.key in figures.DIAGNOSTIC_KEYS)],
        "metrics_by_key": metrics,
        "scenario_metrics": scenario_metrics,
        "sentences": summary.sentences(report.period_label, metrics, data),
        "charts": charts,
        "artifacts": run.artifacts.defer("content"),
        "assumptions": assumptions,
        "methods": methods.report_methods(data, assumptions),
        "acknowledgement": acknowledgement,
        "unserved_share_text": figures.percent(share) if acknowledgement and share is not None else "",
        "staff_view": staff,
        "diagnostics": summary.diagnostic_sentences(all_metrics, threshold) if staff else [],
        "diagnostic_metrics": [all_metrics[k] for k in figures.DIAGNOSTIC_KEYS if k in all_metrics] if staff else [],
        "unserved_threshold_text": figures.percent(threshold),
        "unserved_over_threshold": share is not None and share > threshold,
        "comparisons": data.get("comparisons", []),
        "generators": data.get("generators", []),
        "drivers": data.get("drivers", [])[:8],
        "checks": data.get("checks", {}),
        "gwp": data.get("gwp", {}),
        "headline_keys": figures.HEADLINE_KEYS,
        "snapshot_json": json.dumps(run.input_snapshot, indent=2, sort_keys=True, ensure_ascii=False),
    }


def charts_in_language(run, language, staff=False):
    """The run's charts in ``language``, each one the run lacks in it (a run drawn before its charts
    came in Spanish) in English, marked ``fallback_language`` so the page writes lang="en" on it."""
    charts = run.charts.defer("png", "svg").filter(language__in={language, services.ENGLISH})
    if not staff:
        charts = charts.exclude(key__in=figures.STAFF_CHART_KEYS)
    chosen = {}
    for chart in charts:  # in page order; the active language's chart wins over English
        if chart.key not in chosen or chart.language == language:
            chosen[chart.key] = chart
    for chart in chosen.values():
        chart.fallback_language = chart.language if chart.language != language else ""
    return sorted(chosen.values(), key=lambda chart: chart.order)


@require_safe
@cached_page("reports")
def home(request):
    facilities = Facility.objects.filter(is_active=True)
    versions = services.latest_versions()
    # A calendar period reads best as the headline; a custom range only when there is nothing else.
    latest = versions.filter(report__period_kind__in=["month", "quarter", "year"]).first() or versions.first()
    context = {"facilities": facilities, "latest": latest}
    if latest:
        # The first screen only; the full report is one click away (issue 14: the home page was
        # the whole report, 146,000 px tall on a phone).
        metrics = {m.key: m for m in latest.run.metrics.filter(scenario="") if figures.is_public_metric(m.key, latest)}
        chart_keys = set(latest.run.charts.values_list("key", flat=True))
        context.update(firstscreen.first_screen(latest, metrics, chart_keys))
        context["facility"] = latest.report.facility
    return render(request, "impact/home.html", context)


@require_safe
@cached_page("reports", max_age=3600, ttl=DAY)
def glossary(request):
    """/glossary/: the words of the reports in plain language (MW vs MWh, CO₂e, NOₓ, PUE, P5–P95, …)."""
    return render(request, "impact/glossary.html", {"gwp": GWP_SETS["AR6"]})


@require_safe
@cached_page("reports")
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


@require_safe
@cached_page("reports", max_age=_version_max_age, ttl=DAY)
def report_version(request, facility, period, number=None):
    """A published version, or (no ``number``) the report's latest; staff are signed in, so never cached."""
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
    if not services.can_see_drafts(request.user):
        raise PermissionDenied("Report runs are for the analyst role.")
    run = get_object_or_404(ReportRun.objects.select_related("report__facility", "requested_by"), pk=pk)
    context = {"run": run, "report": run.report, "facility": run.report.facility, "draft": True}
    if run.status == ReportRun.Status.SUCCEEDED:
        context.update(_report_context(run, getattr(run, "version", None), staff=True))
        context["draft"] = not hasattr(run, "version")
    return render(request, "impact/run_detail.html", context)


@require_safe
@cached_page("reports", max_age=3600, ttl=DAY)
def methods_page(request):
    """/methods/: every equation of the engine with a worked example, each number computed."""
    return render(request, "impact/methods.html", {"examples": methods.worked_examples()})


@require_GET
def facility_detail(request, slug):
    """Not in the page cache: its subscribe form carries each visitor's own CSRF token."""
    facility = get_object_or_404(Facility, slug=slug)
    return _facility_page(request, facility, SubscribeForm())


def _facility_page(request, facility, form, status=200):
    versions = services.latest_versions().filter(report__facility=facility)
    context = {"facility": facility, "versions": versions, "form": form}
    return render(request, "impact/facility_detail.html", context, status=status)


@require_GET
def chart_image(request, run_id, key, fmt, language=services.ENGLISH):
    """A chart's PNG or SVG in one language (the URL without one: English, as before issue 14).
    Public once its run is published; staff may see drafts."""
    if fmt not in CHART_TYPES:
        raise Http404("Charts come as png or svg.")
    if language not in dict(settings.LANGUAGES):
        raise Http404("No chart in that language.")
    # Only the image asked for and the run's finish time: the run's input snapshot and summary are
    # hundreds of KB of JSON that decoding on every request would cost most of the view's time.
    charts = ReportChart.objects.select_related("run").only("id", "key", "run_id", "run__finished_at", fmt)
    chart = get_object_or_404(charts, run_id=run_id, key=key, language=language)
    published = ReportVersion.objects.filter(run_id=run_id).exists()
    staff_only = key in figures.STAFF_CHART_KEYS
    if (staff_only or not published) and not services.can_see_drafts(request.user):
        raise Http404("No such chart.")
    published = published and not staff_only  # a staff chart is never cached in public
    body = bytes(chart.png if fmt == "png" else chart.svg)
    if not body:
        raise Http404("This chart has no such format.")
    response = HttpResponse(body, content_type=CHART_TYPES[fmt])
    if published:
        # A published run never changes, so its charts can be cached for good.
        response["Cache-Control"] = "public, max-age=31536000, immutable"
        response["Last-Modified"] = http_date(chart.run.finished_at.timestamp())
        return get_conditional_response(request, last_modified=int(chart.run.finished_at.timestamp()), response=response)
    response["Cache-Control"] = "private, no-store"
    return response


def _visible_run_or_404(request, run_id):
    """A run the requester may see: published ones for everyone, drafts for staff only."""
    run = get_object_or_404(ReportRun.objects.select_related("report__facility"), pk=run_id)
    version = ReportVersion.objects.filter(run_id=run_id).first()
    if version is None and not services.can_see_drafts(request.user):
        raise Http404("No such report.")
    return run, version


@require_GET
def download(request, run_id, kind):
    """A stored download (CSV, JSON, PDF), named after the published version when there is one."""
    run, version = _visible_run_or_404(request, run_id)
    artifact = get_object_or_404(ReportArtifact, run=run, kind=kind)
    response = HttpResponse(bytes(artifact.content), content_type=ReportArtifact.CONTENT_TYPES[kind])
    filename = downloads.download_name(run, kind, version)
    if version:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = f'"{artifact.sha256}"'
    response["Digest"] = f"sha-256={artifact.sha256}"
    return get_conditional_response(request, etag=response["ETag"], response=response) if version else response


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Your e-mail address"))
    # Honeypot: people leave it empty; form-filling bots do not.
    website = forms.CharField(required=False, label=gettext_lazy("Leave this field empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))


@require_POST
def subscribe(request, slug):
    facility = get_object_or_404(Facility, slug=slug)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        # The page again with the address kept and its error linked to the field, like other forms.
        return _facility_page(request, facility, form, status=400)
    if not form.cleaned_data["website"]:
        services.subscribe(facility, form.cleaned_data["email"])
    # The same answer either way, so the form does not reveal who is subscribed.
    messages.success(request, _("Check your inbox: we sent a link to confirm the subscription."))
    return redirect(facility)


def confirm_subscription(request, token):
    subscription = services.confirm_subscription(token)
    if subscription is None:
        raise Http404("This confirmation link is not valid (it may have been used to unsubscribe).")
    messages.success(request, _("Subscribed: you will get an e-mail when a report on %(facility)s is published.")
                     % {"facility": subscription.facility})
    return redirect(subscription.facility)


def unsubscribe(request, token):
    if request.method == "POST":
        removed = services.unsubscribe(token)
        return render(request, "impact/unsubscribed.html", {"removed": removed})
    # A GET only asks: mail scanners that follow links must not unsubscribe anyone.
    return render(request, "impact/unsubscribe_confirm.html", {"token": token})


@method_decorator(cached_page("reports"), name="__call__")
class ReportFeed(ReadableFeedMixin, Feed):
    """Atom feed of published report versions, newest first."""

    title = gettext_lazy("Community Impact Portal: published reports")
    link = "/reports/"
    subtitle = gettext_lazy("Energy, emissions and water reports, and their corrections.")

    def about_link(self, obj):
        return reverse("impact:report-feed-page")

    def items(self):
        # The run and its base-case metrics in two queries for all 50 items, not two per item; the
        # run's input snapshot (the largest column) is not read.
        base_metrics = Prefetch("run__metrics", queryset=ReportMetric.objects.filter(scenario=""), to_attr="base_metrics")
        return (
            ReportVersion.objects.select_related("report__facility", "run").defer("run__input_snapshot")
            .prefetch_related(base_metrics).order_by("-published_at")[:50]
        )

    def item_title(self, item):
        prefix = f"Correction (v{item.number}): " if item.number > 1 else ""
        return f"{prefix}{item.report.facility.name}, {item.report.period_label}"

    def item_description(self, item):
        metrics = {m.key: m for m in item.run.base_metrics if figures.is_public_metric(m.key, item)}
        text = " ".join(s.text for s in summary.sentences(item.report.period_label, metrics, item.run.summary or {}))
        return f"{item.changelog}\n\n{text}".strip() if item.changelog else text

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at


@require_safe
@cached_page("reports")
def report_feed_page(request):
    """The reports feed for people: what a feed is, its address, the latest versions, e-mail alerts."""
    feed = ReportFeed()
    versions = ReportVersion.objects.select_related("report__facility").order_by("-published_at")[:20]
    entries = [{"title": feed.item_title(v), "url": v.get_absolute_url(), "date": v.published_at} for v in versions]
    return render(request, "impact/report_feed.html", {
        "feed_title": feed.title, "feed_subtitle": feed.subtitle, "entries": entries,
        "feed_path": reverse("impact:report-feed"), "feed_url": settings.SITE_URL + reverse("impact:report-feed"),
        "facilities": Facility.objects.order_by("name"),
    })
