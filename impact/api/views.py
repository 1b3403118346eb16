"""The report export's ViewSets. Each sets its queryset, serializer and FilterSet; what every list
shares (CSV streaming, strict parameters and ordering) is portal.core.api.views, and what published
data shares (ETag / Last-Modified, so a conditional GET answers 304) is below.

The public reads published data only: a run is public once it has a ReportVersion. Staff (token
or session) also see drafts and may request, retry and publish runs through impact.services.
"""

import hashlib

from django.db.models import Prefetch, Q
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from impact import figures, filters, services
from impact.downloads import download_name
from impact.api import serializers as s
from impact.api.bundle import build_bundle
from impact.api.pagination import SeriesCursorPagination
from impact.api.permissions import sees_drafts
from impact.models import (
    Assumption,
    Facility,
    GeneratorGroup,
    Report,
    ReportMetric,
    ReportRun,
    ReportVersion,
    Scenario,
    SeriesPoint,
)
from impact.periods import PeriodError
from portal.core.api.serializers import UTCDateTimeField
from portal.core.api.views import FORMAT_PARAMETER, ExportMixin, ReadViewSet, StrictOrderingFilter, stream_csv, wants_csv
from portal.core.converters import ID_REGEX

# How long a client should wait before asking again for a run that is still computing.
RETRY_AFTER_SECONDS = 10


def published_validators(request, version):
    """ETag and Last-Modified of a published version's data as this URL and format present it."""
    media = getattr(request, "accepted_media_type", "") or ""
    basis = f"{version.pk}:{version.published_at.isoformat()}:{request.get_full_path()}:{media}"
    return '"' + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:40] + '"', version.published_at


def conditional(request, version, build):
    """304 if the client's copy is current (a published version never changes); else build and stamp."""
    etag, last_modified = published_validators(request, version)
    not_modified = get_conditional_response(request._request, etag=etag, last_modified=int(last_modified.timestamp()))
    response = not_modified or build()
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = "public, max-age=3600"
    patch_vary_headers(response, ["Accept"])
    return response


# --- Facilities and inputs -----------------------------------------------------------------------


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class FacilityViewSet(ReadViewSet):
    """Facilities with every input the engine uses, and the range, confidence and source of each figure."""

    queryset = Facility.objects.select_related("climate_source", "cooling", "grid").prefetch_related(
        "fleets__downtimes",
        "fleets__stages",
        "batteries",
        "grid__contracts",
        "grid__emission_rates",
        Prefetch("generators", queryset=GeneratorGroup.objects.prefetch_related("emission_factors")),
        "scenarios",
        Prefetch(
            "all_assumptions",
            queryset=Assumption.objects.select_related("content_type", "source", "facility").prefetch_related("target"),
        ),
    )
    serializer_class = s.FacilitySerializer
    filterset_class = filters.FacilityFilter
    ordering_fields = ["name", "slug", "updated_at"]
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    lookup_description = "Facility slug, e.g. memphis-supercluster."
    csv_name = "facilities"


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class AssumptionViewSet(ReadViewSet):
    """Every input figure of every facility, flat: value in use, range, unit, confidence, source."""

    queryset = Assumption.objects.select_related("facility", "content_type", "source").prefetch_related("target")
    serializer_class = s.AssumptionSerializer
    filterset_class = filters.AssumptionFilter
    ordering_fields = ["id", "status", "field_name"]
    csv_name = "assumptions"


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class ScenarioViewSet(ReadViewSet):
    """Named sets of input overrides, computed beside the base case of every report."""

    queryset = Scenario.objects.select_related("facility")
    serializer_class = s.ScenarioSerializer
    filterset_class = filters.ScenarioFilter
    ordering_fields = ["name", "slug"]
    csv_name = "scenarios"


# --- Reports --------------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class ReportViewSet(ReadViewSet):
    """A facility over a period, with its published versions. Staff also see reports with only drafts."""

    queryset = Report.objects.select_related("facility").prefetch_related(
        Prefetch("versions", queryset=ReportVersion.objects.order_by("number"))
    )
    serializer_class = s.ReportSerializer
    filterset_class = filters.ReportFilter
    ordering_fields = ["start_date", "period", "created_at"]
    csv_name = "reports"

    def get_queryset(self):
        queryset = super().get_queryset()
        if sees_drafts(self.request.user):
            return queryset
        return queryset.filter(versions__isnull=False).distinct()


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    retrieve=extend_schema(responses={200: s.ReportVersionDetailSerializer, 304: OpenApiResponse(description="Not modified.")}),
)
class ReportVersionViewSet(ReadViewSet):
    """Published, immutable report versions: the figures a journalist can quote and cite."""

    queryset = ReportVersion.objects.select_related("report__facility", "run").order_by(
        "-report__start_date", "report__facility__name", "-number"
    )
    serializer_class = s.ReportVersionSerializer
    filterset_class = filters.ReportVersionFilter
    ordering_fields = ["published_at", "number", "report__start_date"]
    csv_name = "report-versions"

    def get_serializer_class(self):
        return s.ReportVersionDetailSerializer if self.action == "retrieve" else super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        version = self.get_object()
        return conditional(request, version, lambda: super(ReportVersionViewSet, self).retrieve(request, *args, **kwargs))

    @extend_schema(
        summary="Open-data bundle (ZIP)",
        description="ZIP with metrics.csv, series.csv, assumptions.csv, input_snapshot.json, data_dictionary.csv, "
        "README.txt and SHA256SUMS. Supports conditional GET (ETag / Last-Modified).",
        responses={(200, "application/zip"): OpenApiTypes.BINARY, 304: OpenApiResponse(description="Not modified.")},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="bundle", url_name="bundle", filter_backends=[], pagination_class=None)
    def bundle(self, request, pk=None, format=None):  # format: DRF's …/bundle.json route
        version = self.get_object()

        def build():
            response = FileResponse(
                build_bundle(version), as_attachment=True, filename=download_name(version.run, "zip", version),
                content_type="application/zip",
            )
            return response

        return conditional(request, version, build)


# A run's JSON documents (inputs, summary, series layout: ~1 MB together), which a metric row
# never shows; loading them with each of a page's metrics made most of that page's CPU time.
RUN_DOCUMENTS = ("run__input_snapshot", "run__summary", "run__series_columns", "run__error")


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class ReportMetricViewSet(ReadViewSet):
    """Headline figures: central value with the Monte Carlo P5/P50/P95 range and the unit."""

    queryset = ReportMetric.objects.select_related("run__report__facility", "run__version").defer(*RUN_DOCUMENTS)
    serializer_class = s.MetricSerializer
    filterset_class = filters.ReportMetricFilter
    ordering_fields = ["key", "scenario", "value", "id"]
    csv_name = "report-metrics"

    def get_queryset(self):
        queryset = super().get_queryset()
        if sees_drafts(self.request.user):
            return queryset
        # Unserved demand is a staff diagnostic; its share is public beside an acknowledgement only
        # (impact.figures.is_public_metric).
        public = ~Q(key__in=figures.DIAGNOSTIC_KEYS) | Q(key="unserved_share", run__version__unserved_acknowledgement__gt="")
        return queryset.filter(public, run__version__isnull=False)

    def list(self, request, *args, **kwargs):
        build = lambda: super(ReportMetricViewSet, self).list(request, *args, **kwargs)  # noqa: E731
        version = _single_version(request)
        return conditional(request, version, build) if version else build()


def _single_version(request):
    """The published version a request is limited to by ?version=, when it is the only filter on data."""
    raw = request.query_params.get("version", "")
    if not raw.isdigit() or "run" in request.query_params or "latest" in request.query_params:
        return None
    return ReportVersion.objects.filter(pk=int(raw)).first() if int(raw) < 2**63 else None


@extend_schema_view(
    list=extend_schema(
        parameters=[FORMAT_PARAMETER],
        description="Hourly series of one run (give version or run). JSON is cursor-paginated in time order; "
        "CSV streams every hour of the range, one column per metric (unit in the name). Supports conditional GET "
        "for published versions.",
        responses={200: s.SeriesPointSerializer(many=True), 304: OpenApiResponse(description="Not modified.")},
    )
)
class SeriesPointViewSet(ExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The hourly base-case series of a run, filtered by time range and by column (metric)."""

    queryset = SeriesPoint.objects.all()
    serializer_class = s.SeriesPointSerializer
    filterset_class = filters.SeriesPointFilter
    pagination_class = SeriesCursorPagination
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        queryset = super().get_queryset()
        if sees_drafts(self.request.user):
            return queryset
        return queryset.filter(run__version__isnull=False)

    def _run(self):
        """The one run the request reads, from ?version= or ?run=."""
        form = self.filterset_class(self.request.query_params, queryset=SeriesPoint.objects.none()).form
        if not form.is_valid():
            raise ValidationError(form.errors)
        version, run = form.cleaned_data.get("version"), form.cleaned_data.get("run")
        if version is None and run is None:
            raise ValidationError({"version": ["Give version (a report version id) or run (a run id)."]})
        runs = ReportRun.objects.select_related("report__facility", "version")  # the facility names the CSV
        if not sees_drafts(self.request.user):
            runs = runs.filter(version__isnull=False)
        if version is not None:
            runs = runs.filter(version__pk=version)
        if run is not None:
            runs = runs.filter(pk=run)
        return get_object_or_404(runs)

    def _columns(self, run):
        raw = self.request.query_params.get("columns", "")
        known = list(run.series_columns or [])
        if not sees_drafts(self.request.user):
            known = figures.public_series_columns(known)  # demand and unserved power are staff diagnostics
        if not raw.strip():
            return known
        wanted = [name.strip() for name in raw.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in known]
        if unknown:
            raise ValidationError(
                {"columns": [f"Unknown column(s) {', '.join(unknown)}; this run has {', '.join(known)}."]}
            )
        return wanted

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "columns": getattr(self, "columns", None)}

    def list(self, request, *args, **kwargs):
        self.check_parameters(request)
        queryset = self.filter_queryset(self.get_queryset())  # validates every parameter first
        run = self._run()
        self.columns = self._columns(run)
        queryset = queryset.filter(run=run)

        def build():
            if wants_csv(request):
                rows = (
                    [stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), *(values.get(c) for c in self.columns)]
                    for stamp, values in queryset.order_by("timestamp")
                    .values_list("timestamp", "values")
                    .iterator(chunk_size=2000)
                )
                return stream_csv(["timestamp_utc", *self.columns], rows, download_name(run, "csv", version))
            page = self.paginate_queryset(queryset)
            data = [
                {"timestamp_utc": UTCDateTimeField().to_representation(p.timestamp),
                 "values": {c: p.values.get(c) for c in self.columns}}
                for p in page
            ]
            return self.get_paginated_response(data)

        version = getattr(run, "version", None)
        return conditional(request, version, build) if version is not None else build()


# --- Runs: staff writes ------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class ReportRunViewSet(ExportMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Report runs. Public: published runs. Staff: drafts too, and request, retry and publish runs."""

    queryset = ReportRun.objects.select_related("report__facility", "version")
    serializer_class = s.ReportRunSerializer
    filterset_class = filters.ReportRunFilter
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields = ["created_at", "finished_at", "id"]
    lookup_value_regex = ID_REGEX  # at most 18 digits: a longer id is a 404, never a query
    csv_name = "report-runs"
    # The role each write needs (checked again by the service, whatever the door).
    action_permissions = {
        "create": services.REQUEST_PERMISSION,
        "publish": services.PUBLISH_PERMISSION,
        "retry": services.RETRY_PERMISSION,
        "recompute": services.REQUEST_PERMISSION,
    }

    def get_queryset(self):
        queryset = super().get_queryset()
        if sees_drafts(self.request.user):
            return queryset
        return queryset.filter(version__isnull=False)

    def _links(self, run):
        request = self.request
        return {
            "id": run.pk,
            "status": run.status,
            "url": request.build_absolute_uri(reverse("api:report-run-detail", args=[run.pk])),
            "result_url": request.build_absolute_uri(reverse("api:report-run-result", args=[run.pk])),
        }

    @extend_schema(
        summary="Request a report run (staff)",
        request=s.RunRequestSerializer,
        responses={202: s.RunAcceptedSerializer},
        description="Records a pending run and queues it (impact.services.request_report, as the admin does). "
        "An identical run already pending or running is returned instead of a second one.",
    )
    def create(self, request, *args, **kwargs):
        form = s.RunRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            run = services.request_report(
                data["facility"], data["period"], user=request.user, gwp_set=data["gwp_set"],
                samples=data.get("monte_carlo_samples"),
            )
        except PeriodError as exc:
            raise ValidationError({"period": [str(exc)]}) from None
        except services.ReportError as exc:
            raise ValidationError({"facility": [str(exc)]}) from None
        body = self._links(run)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    @extend_schema(
        summary="A run's result",
        description="200 with every metric once the run succeeded; 409 with Retry-After while it is pending or "
        "running; 409 without Retry-After and the error when it failed (staff may retry it).",
        responses={200: s.RunResultSerializer, 409: s.RunPendingSerializer, 304: OpenApiResponse(description="Not modified.")},
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def result(self, request, pk=None, format=None):  # format: DRF's …/result.json route
        run = self.get_object()
        if run.status != ReportRun.Status.SUCCEEDED:
            failed = run.status == ReportRun.Status.FAILED
            body = {
                "id": run.pk,
                "status": run.status,
                "stage": run.stage,
                "detail": (
                    f"Run {run.pk} failed; staff may queue it again with POST to its retry URL."
                    if failed
                    else f"Run {run.pk} is {run.status}; ask again after Retry-After seconds."
                ),
                "error": run.error,
            }
            headers = {} if failed else {"Retry-After": str(RETRY_AFTER_SECONDS)}
            return Response(body, status=status.HTTP_409_CONFLICT, headers=headers)
        version = getattr(run, "version", None)

        def build():
            metrics = run.metrics.select_related("run__report__facility", "run__version").defer(*RUN_DOCUMENTS)
            return Response(
                {
                    "id": run.pk,
                    "status": run.status,
                    "version": version.pk if version else None,
                    "metrics": s.MetricSerializer(metrics, many=True, context=self.get_serializer_context()).data,
                }
            )

        return conditional(request, version, build) if version is not None else build()

    @extend_schema(
        summary="Publish a run (staff)",
        description="Makes a succeeded run the next version of its report (impact.services.publish_run). "
        "201 when published now, 200 when it already was; a correction needs a changelog, and a run with more "
        "unserved modelled demand than IMPACT_UNSERVED_PUBLISH_THRESHOLD an acknowledgement (400 otherwise).",
        request=s.PublishSerializer,
        responses={201: s.ReportVersionSerializer, 200: s.ReportVersionSerializer, 409: OpenApiResponse(description="Not a succeeded run.")},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def publish(self, request, pk=None, format=None):  # format: DRF's …/publish.json route
        run = self.get_object()
        form = s.PublishSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        changelog, acknowledgement = form.validated_data["changelog"], form.validated_data["acknowledgement"]
        try:
            version, created = services.publish_run(run, user=request.user, changelog=changelog, acknowledgement=acknowledgement)
        except services.UnservedDemandError as exc:
            raise ValidationError({"acknowledgement": [str(exc)]}) from None
        except services.PublishError as exc:
            if run.status == ReportRun.Status.SUCCEEDED:
                raise ValidationError({"changelog": [str(exc)]}) from None
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        data = s.ReportVersionSerializer(version, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        summary="Queue a failed run again (staff)",
        description="impact.services.retry_run: 202 when queued, 409 when the run has not failed.",
        request=None,
        responses={202: s.RunAcceptedSerializer, 409: OpenApiResponse(description="The run has not failed.")},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def retry(self, request, pk=None, format=None):  # format: DRF's …/retry.json route
        run = self.get_object()
        if not services.retry_run(run, user=request.user):
            return Response(
                {"detail": f"Run {run.pk} is {run.status}; only a failed run can be queued again."},
                status=status.HTTP_409_CONFLICT,
            )
        run.refresh_from_db()
        body = {
            **self._links(run),
            "inputs": "snapshot",
            "inputs_frozen_at": run.created_at,
            "input_hash": run.input_hash,
            "detail": services.frozen_inputs_note(run),
            "recompute_url": request.build_absolute_uri(reverse("api:report-run-recompute", args=[run.pk])),
        }
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    @extend_schema(
        summary="Recompute a run with the facility's current inputs (staff)",
        description="impact.services.recompute_run: 202 with the new run, queued from the facility as it is now "
        "(a retry reuses the inputs frozen when the run was queued); 400 if the current inputs cannot be computed.",
        request=None,
        responses={202: s.RunAcceptedSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def recompute(self, request, pk=None, format=None):  # format: DRF's …/recompute.json route
        run = self.get_object()
        try:
            new = services.recompute_run(run, user=request.user)
        except services.ReportError as exc:
            raise ValidationError({"facility": [str(exc)]}) from None
        body = {**self._links(new), "inputs": "current", "replaces": run.pk}
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
