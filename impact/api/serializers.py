"""Serializers of the report export. Fields are listed by name; every field carries a description.

Timestamps are ISO 8601 in UTC ("2024-07-01T05:00:00Z") whatever the site's display time zone; the
bases that make it so are in portal.core.api.serializers (the forum's API shares them).
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from impact import figures
from impact.api.permissions import sees_drafts
from impact.models import (
    Assumption,
    BatteryStorage,
    ComputeFleet,
    Cooling,
    Facility,
    FleetStage,
    GeneratorEmissionFactor,
    GeneratorGroup,
    GridContract,
    GridEmissionRate,
    GridSupply,
    PlannedDowntime,
    Report,
    ReportMetric,
    ReportRun,
    ReportVersion,
    Scenario,
    Source,
)
from impact.services import GWP_SETS
from portal.core.api.serializers import DescribedModelSerializer, UTCDateTimeField, absolute


# --- Facilities and their inputs ---------------------------------------------------------------


class SourceSerializer(DescribedModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "title", "publisher", "section", "url", "year"]
        extra_kwargs = {
            "title": {"help_text": "Title of the cited document."},
            "publisher": {"help_text": "Who published it."},
            "url": {"help_text": "Link to the source; empty when it is not online."},
            "year": {"help_text": "Year of publication."},
        }


class AssumptionSerializer(DescribedModelSerializer):
    facility = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="Facility slug.")
    target_type = serializers.CharField(
        source="content_type.model", read_only=True,
        help_text="Kind of input row the figure belongs to (computefleet, cooling, gridcontract, generatorgroup, …).",
    )
    target_id = serializers.IntegerField(source="object_id", read_only=True, help_text="Id of that input row.")
    field_name = serializers.CharField(read_only=True, help_text="Field of the input row the figure sets.")
    central = serializers.SerializerMethodField(help_text="Value in use (the field on the input row), in unit.")
    unit = serializers.CharField(read_only=True, help_text="Unit of central, low and high.")
    status_label = serializers.CharField(source="get_status_display", read_only=True, help_text="Confidence in words.")
    source = SourceSerializer(read_only=True, allow_null=True, help_text="Cited source, or null when unsourced.")

    class Meta:
        model = Assumption
        fields = [
            "id", "facility", "target_type", "target_id", "field_name", "label", "central", "unit", "low", "high",
            "distribution", "distribution_reason", "status", "status_label", "source", "note", "same_quantity_as",
        ]
        extra_kwargs = {
            "distribution_reason": {"help_text": "Why the range has this shape: what sets each end and the peak."},
            "same_quantity_as": {
                "help_text": "Id of the assumption this one is the same physical quantity as (drawn once for both); null if none."
            },
            "label": {"help_text": "What the figure is, in words."},
            "low": {"help_text": "Low end of the range, in unit (null when fixed)."},
            "high": {"help_text": "High end of the range, in unit (null when fixed)."},
            "distribution": {"help_text": "How the Monte Carlo run samples the range."},
            "status": {"help_text": "Confidence: S read in the source, 2° secondary, U unverified, D derived."},
            "note": {"help_text": "Analyst's note on the figure."},
        }

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_central(self, obj):
        value = obj.central
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class DowntimeSerializer(DescribedModelSerializer):
    class Meta:
        model = PlannedDowntime
        fields = ["starts", "ends", "reason"]
        extra_kwargs = {"starts": {"help_text": "Start (UTC)."}, "ends": {"help_text": "End (UTC)."}}


class FleetStageSerializer(DescribedModelSerializer):
    class Meta:
        model = FleetStage
        fields = ["id", "starts", "accelerator_count", "utilisation_kind", "mean_utilisation", "label", "note"]
        extra_kwargs = {
            "starts": {"help_text": "From (UTC, inclusive) until the next stage starts."},
            "utilisation_kind": {"help_text": "Shape of the utilisation in this stage; empty: the fleet's."},
            "mean_utilisation": {"help_text": "Mean utilisation in this stage (fraction); null: the fleet's."},
            "label": {"help_text": "Short name of the stage."},
            "note": {"help_text": "Where the count comes from."},
        }


class ComputeFleetSerializer(DescribedModelSerializer):
    downtimes = DowntimeSerializer(many=True, read_only=True, help_text="Planned idle windows.")
    stages = FleetStageSerializer(
        many=True, read_only=True,
        help_text="Accelerators energised over time, oldest first; none before the first. Empty: all, all the time.",
    )

    class Meta:
        model = ComputeFleet
        fields = [
            "id", "name", "accelerator_model", "accelerator_count", "tdp_w", "idle_w", "host_idle_w_per_server",
            "host_max_w_per_server", "accelerators_per_server", "network_storage_share", "utilisation_kind",
            "mean_utilisation", "diurnal_amplitude", "hourly_shape", "downtimes", "stages",
        ]
        extra_kwargs = {
            "utilisation_kind": {"help_text": "Shape of the utilisation over time."},
            "accelerator_count": {"help_text": "Accelerators (count): the most the fleet ever has."},
        }


class CoolingSerializer(DescribedModelSerializer):
    class Meta:
        model = Cooling
        fields = ["id", "description", "pue_at_reference", "pue_reference_temp_c", "pue_slope_per_degc", "wue_l_per_kwh"]


class GridContractSerializer(DescribedModelSerializer):
    class Meta:
        model = GridContract
        fields = ["id", "capacity_mw", "starts", "ends", "status", "note"]
        extra_kwargs = {"status": {"help_text": "pending (reported, not final) or signed."}}


class GridEmissionRateSerializer(DescribedModelSerializer):
    class Meta:
        model = GridEmissionRate
        fields = ["id", "pollutant", "basis", "lb_per_mwh", "vintage"]
        extra_kwargs = {
            "basis": {"help_text": "location (eGRID subregion average; makes the totals) or market (supplier's rate)."},
        }


class GridSupplySerializer(DescribedModelSerializer):
    contracts = GridContractSerializer(many=True, read_only=True, help_text="Contracted capacity over time.")
    emission_rates = GridEmissionRateSerializer(
        many=True, read_only=True, help_text="Emission rate per pollutant and scope-2 basis."
    )

    class Meta:
        model = GridSupply
        fields = ["id", "utility", "generation_water_l_per_kwh", "contracts", "emission_rates"]


class EmissionFactorSerializer(DescribedModelSerializer):
    class Meta:
        model = GeneratorEmissionFactor
        fields = [
            "id", "pollutant", "lb_per_mmbtu", "controlled_lb_per_mmbtu", "part_load_lb_per_mmbtu", "limit_g_per_bhp_hr",
            "startup_lb_per_event",
        ]


class GeneratorGroupSerializer(DescribedModelSerializer):
    emission_factors = EmissionFactorSerializer(many=True, read_only=True, help_text="Factor per pollutant.")

    class Meta:
        model = GeneratorGroup
        fields = [
            "id", "name", "model_name", "kind", "unit_count", "rated_mw", "min_load_fraction", "heat_rate_btu_per_kwh",
            "part_load_heat_rate", "availability", "controls", "controls_from", "shaft_to_electric_efficiency",
            "available_from", "available_to", "order", "emission_factors",
        ]
        extra_kwargs = {
            "controls": {"help_text": "Emission controls: empty (none), scr, oxcat or scr_oxcat."},
            "controls_from": {"help_text": "Controls in force from (UTC); null: the whole time."},
            "kind": {"help_text": "engine (reciprocating, AP-42 §3.2) or turbine (§3.1)."},
            "model_name": {"help_text": "Manufacturer's model."},
            "available_from": {"help_text": "On site from (UTC); null: always."},
            "available_to": {"help_text": "On site until (UTC); null: open-ended."},
        }


class BatteryStorageSerializer(DescribedModelSerializer):
    class Meta:
        model = BatteryStorage
        fields = [
            "id", "name", "power_mw", "energy_mwh", "round_trip_efficiency", "dispatch_rule", "initial_state_of_charge",
            "available_from", "available_to", "order",
        ]
        extra_kwargs = {
            "name": {"help_text": "Name of the battery."},
            "dispatch_rule": {"help_text": "peak_shaving (before generators start) or backup_only (after them)."},
            "available_from": {"help_text": "In service from (UTC); null: always."},
            "available_to": {"help_text": "Out of service from (UTC); null: open-ended."},
            "order": {"help_text": "Order among the site's batteries."},
        }


class ScenarioSerializer(DescribedModelSerializer):
    facility = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="Facility slug.")

    class Meta:
        model = Scenario
        fields = ["id", "facility", "name", "slug", "description", "overrides", "is_active"]
        extra_kwargs = {
            "name": {"help_text": "Scenario name, as in the scenario column of report metrics."},
            "slug": {"help_text": "Short name for URLs."},
            "description": {"help_text": "What the scenario changes and why."},
            "overrides": {"help_text": 'Engine input path → value, e.g. {"fleets.0.accelerator_count": 200000}.'},
        }


class FacilitySerializer(DescribedModelSerializer):
    """A facility with every input the engine uses, the range, confidence and source of each figure."""

    url = serializers.SerializerMethodField(help_text="This facility in the API.")
    page_url = serializers.SerializerMethodField(help_text="This facility's public page.")
    climate_source = SourceSerializer(read_only=True, allow_null=True, help_text="Source of the climate normals.")
    fleets = ComputeFleetSerializer(many=True, read_only=True, help_text="Compute fleets (accelerators and servers).")
    cooling = CoolingSerializer(read_only=True, allow_null=True, help_text="Cooling: PUE and water use.")
    grid = GridSupplySerializer(read_only=True, allow_null=True, help_text="Utility supply, contracts, emission rates.")
    generators = GeneratorGroupSerializer(many=True, read_only=True, help_text="On-site gas generator groups.")
    batteries = BatteryStorageSerializer(many=True, read_only=True, help_text="Battery storage on site.")
    scenarios = ScenarioSerializer(many=True, read_only=True, help_text="Scenarios compared with the base case.")
    assumptions = AssumptionSerializer(
        source="all_assumptions", many=True, read_only=True,
        help_text="Range, confidence and source of each input figure (matched by target_type, target_id, field_name).",
    )

    class Meta:
        model = Facility
        fields = [
            "id", "url", "page_url", "slug", "name", "location", "operator", "time_zone", "description", "is_active",
            "gas_hhv_btu_per_scf", "climate_monthly_low_c", "climate_monthly_high_c", "climate_source", "updated_at",
            "fleets", "cooling", "grid", "generators", "batteries", "scenarios", "assumptions",
        ]
        extra_kwargs = {
            "slug": {"help_text": "Short name used in URLs and filters."},
            "name": {"help_text": "Facility name."},
            "location": {"help_text": "Where it is."},
            "operator": {"help_text": "Who runs it."},
            "time_zone": {"help_text": "IANA time zone the report periods are counted in."},
            "description": {"help_text": "About the facility."},
            "climate_monthly_low_c": {"help_text": "Twelve monthly normal daily lows (°C), January first."},
            "climate_monthly_high_c": {"help_text": "Twelve monthly normal daily highs (°C), January first."},
            "updated_at": {"help_text": "Last change to the facility row (UTC)."},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute(self.context.get("request"), reverse("api:facility-detail", args=[obj.slug]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj):
        return absolute(self.context.get("request"), obj.get_absolute_url())


# --- Reports -------------------------------------------------------------------------------------


def _public_view(context):
    """Whether the request reads as the public does (unserved-demand diagnostics hidden)."""
    request = context.get("request")
    return not sees_drafts(getattr(request, "user", None))


class VersionRefSerializer(DescribedModelSerializer):
    url = serializers.SerializerMethodField(help_text="This version in the API.")

    class Meta:
        model = ReportVersion
        fields = ["id", "number", "published_at", "url"]
        extra_kwargs = {
            "number": {"help_text": "Version number: 1 is the first publication, later ones are corrections."},
            "published_at": {"help_text": "When it was published (UTC)."},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return absolute(self.context.get("request"), reverse("api:report-version-detail", args=[obj.pk]))


class ReportSerializer(DescribedModelSerializer):
    """A facility over a period; its published versions (staff also see reports with drafts only)."""

    facility = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="Facility slug.")
    period_label = serializers.CharField(read_only=True, help_text="The period in words, e.g. July 2024.")
    versions = VersionRefSerializer(many=True, read_only=True, help_text="Published versions, oldest first.")

    class Meta:
        model = Report
        fields = ["id", "facility", "period_kind", "period", "period_label", "start_date", "end_date", "versions"]
        extra_kwargs = {
            "period_kind": {"help_text": "month, quarter, year or custom."},
            "start_date": {"help_text": "First day covered, local to the facility."},
            "end_date": {"help_text": "Day after the last day covered (exclusive), local to the facility."},
        }


class MetricSerializer(DescribedModelSerializer):
    """A headline figure with its Monte Carlo range: value is the central case, p5–p95 the spread."""

    version = serializers.SerializerMethodField(help_text="Report version id; null for a draft run.")
    facility = serializers.CharField(source="run.report.facility.slug", read_only=True, help_text="Facility slug.")
    period = serializers.CharField(source="run.report.period", read_only=True, help_text="Report period key.")

    class Meta:
        model = ReportMetric
        fields = ["id", "version", "run", "facility", "period", "scenario", "key", "label", "unit", "value", "p5", "p50", "p95"]
        extra_kwargs = {
            "run": {"help_text": "Run id."},
            "scenario": {"help_text": "Scenario name; empty for the base case."},
            "key": {"help_text": "Metric key (stable; the unit is in it), e.g. co2e_total_t."},
            "label": {"help_text": "What the metric measures, in words."},
            "unit": {"help_text": "Unit of value, p5, p50 and p95 (MWh, MW, t, m³, ratio, fraction…)."},
            "value": {"help_text": "Central estimate: the run with every uncertain input at its median, in unit "
                      "(so p5 ≤ value ≤ p95). Energy is served energy."},
            "p5": {"help_text": "5th percentile of the Monte Carlo samples, in unit (null without samples)."},
            "p50": {"help_text": "Median of the Monte Carlo samples, in unit."},
            "p95": {"help_text": "95th percentile of the Monte Carlo samples, in unit."},
        }

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_version(self, obj):
        version = getattr(obj.run, "version", None)
        return version.pk if version is not None else None


class ReportVersionSerializer(DescribedModelSerializer):
    """A published, immutable version of a report, with links to its data."""

    url = serializers.SerializerMethodField(help_text="This version in the API.")
    page_url = serializers.SerializerMethodField(help_text="The report page residents read.")
    facility = serializers.CharField(source="report.facility.slug", read_only=True, help_text="Facility slug.")
    facility_name = serializers.CharField(source="report.facility.name", read_only=True, help_text="Facility name.")
    period = serializers.CharField(source="report.period", read_only=True, help_text="Report period key.")
    period_kind = serializers.CharField(source="report.period_kind", read_only=True, help_text="month, quarter, year or custom.")
    period_label = serializers.CharField(source="report.period_label", read_only=True, help_text="The period in words.")
    period_start_utc = serializers.SerializerMethodField(help_text="Start of the period (local midnight) in UTC.")
    period_end_utc = serializers.SerializerMethodField(help_text="End of the period (exclusive) in UTC.")
    engine_version = serializers.CharField(source="run.engine_version", read_only=True, help_text="Engine version used.")
    gwp_set = serializers.CharField(source="run.gwp_set", read_only=True, help_text="IPCC GWP set for CO₂e (AR5 or AR6, 100-year).")
    monte_carlo_samples = serializers.IntegerField(
        source="run.monte_carlo_samples", read_only=True, help_text="Monte Carlo samples behind p5/p50/p95."
    )
    input_hash = serializers.CharField(source="run.input_hash", read_only=True, help_text="SHA-256 of the inputs and options.")
    computed_at = UTCDateTimeField(source="run.finished_at", read_only=True, help_text="When the run finished (UTC).")
    metrics_url = serializers.SerializerMethodField(help_text="Headline figures (JSON; add format=csv for CSV).")
    series_url = serializers.SerializerMethodField(help_text="Hourly series (JSON, cursor-paginated; format=csv streams).")
    bundle_url = serializers.SerializerMethodField(help_text="Open-data ZIP: CSVs, data dictionary, inputs, checksums.")
    unserved_share = serializers.SerializerMethodField(
        help_text="Share of modelled demand no supply could deliver (fraction), given only when the version was "
        "published with an acknowledgement; null otherwise."
    )

    class Meta:
        model = ReportVersion
        fields = [
            "id", "url", "page_url", "report", "facility", "facility_name", "period", "period_kind", "period_label",
            "period_start_utc", "period_end_utc", "number", "run", "published_at", "changelog", "engine_version",
            "gwp_set", "monte_carlo_samples", "input_hash", "computed_at", "metrics_url", "series_url", "bundle_url",
            "unserved_acknowledgement", "unserved_share",
        ]
        extra_kwargs = {
            "report": {"help_text": "Report id."},
            "run": {"help_text": "Run id: the computation this version publishes."},
            "number": {"help_text": "Version number: 1 is the first publication, later ones are corrections."},
            "published_at": {"help_text": "When it was published (UTC); a version never changes after."},
            "changelog": {"help_text": "For corrections: what changed and why."},
            "unserved_acknowledgement": {
                "help_text": "The analyst's written reason for publishing although more modelled demand went unserved "
                "than the publish threshold allows; empty otherwise."
            },
        }

    def _absolute(self, path):
        return absolute(self.context.get("request"), path)

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_unserved_share(self, obj):
        if not obj.unserved_acknowledgement:
            return None
        return figures.unserved_share({m.key: m for m in obj.run.metrics.filter(scenario="")})

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return self._absolute(reverse("api:report-version-detail", args=[obj.pk]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, obj):
        return self._absolute(obj.get_absolute_url())

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_period_start_utc(self, obj):
        return UTCDateTimeField().to_representation(obj.report.local_bounds()[0])

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_period_end_utc(self, obj):
        return UTCDateTimeField().to_representation(obj.report.local_bounds()[1])

    @extend_schema_field(OpenApiTypes.URI)
    def get_metrics_url(self, obj):
        return self._absolute(f"{reverse('api:report-metric-list')}?version={obj.pk}")

    @extend_schema_field(OpenApiTypes.URI)
    def get_series_url(self, obj):
        return self._absolute(f"{reverse('api:series-point-list')}?version={obj.pk}")

    @extend_schema_field(OpenApiTypes.URI)
    def get_bundle_url(self, obj):
        return self._absolute(reverse("api:report-version-bundle", args=[obj.pk]))


class AssumptionSnapshotSerializer(serializers.Serializer):
    """One input as the run saw it (from the run's input snapshot)."""

    path = serializers.CharField(help_text="Engine input path, e.g. generators.0.rated_mw.")
    label = serializers.CharField(help_text="What the input is, in words.")
    unit = serializers.CharField(help_text="Unit of central, low and high.")
    central = serializers.FloatField(allow_null=True, help_text="Value used for the central estimate.")
    low = serializers.FloatField(allow_null=True, help_text="Low end of the range (null when fixed).")
    high = serializers.FloatField(allow_null=True, help_text="High end of the range (null when fixed).")
    distribution = serializers.CharField(help_text="triangular, uniform or fixed.")
    status = serializers.CharField(help_text="Confidence: S, 2°, U or D.")
    source = serializers.CharField(help_text="Citation of the source.")
    source_url = serializers.CharField(help_text="Link to the source, where online.")
    source_section = serializers.CharField(allow_null=True, help_text="Section, table or page of the source.")
    source_year = serializers.IntegerField(allow_null=True, help_text="Year (vintage) of the source, e.g. 2021.")
    note = serializers.CharField(help_text="Analyst's note.")
    distribution_reason = serializers.CharField(allow_null=True, help_text="Why the range has the shape it has.")


class MethodSerializer(serializers.Serializer):
    """One emission factor or rate the run used (the report's Methods section)."""

    scope = serializers.CharField(help_text="onsite, fuel, grid_location (scope 2, location-based) or grid_market.")
    part = serializers.CharField(allow_null=True, help_text="Generator group or grid the factor applies to.")
    pollutant = serializers.CharField(allow_null=True, help_text="Pollutant key, e.g. nox.")
    regime = serializers.CharField(allow_null=True, help_text="e.g. AP-42 uncontrolled, ≥90 % load; controlled (SCR).")
    value = serializers.FloatField(allow_null=True, help_text="The factor, in unit.")
    unit = serializers.CharField(allow_null=True, help_text="lb/MMBtu, kg/MMBtu, lb/MWh or g/bhp-hr.")
    basis = serializers.CharField(allow_null=True, help_text="Heating-value basis (HHV or LHV).")
    path = serializers.CharField(allow_null=True, help_text="Engine input path; joins the assumptions.")
    fuel_share = serializers.FloatField(allow_null=True, help_text="Share of the group's fuel burned under it.")
    note = serializers.CharField(allow_null=True, help_text="Conversion applied.")
    status = serializers.CharField(allow_null=True, help_text="Confidence of the input: S, 2°, U or D.")
    source = serializers.CharField(allow_null=True, help_text="Citation of the source.")
    source_section = serializers.CharField(allow_null=True, help_text="Section of the source.")
    source_year = serializers.IntegerField(allow_null=True, help_text="Year (vintage) of the source, e.g. 2021.")


class ReportVersionDetailSerializer(ReportVersionSerializer):
    """A version with its base-case metrics, series columns and the inputs the run used."""

    metrics = serializers.SerializerMethodField(help_text="Base-case headline figures (scenarios: see metrics_url).")
    series_columns = serializers.ListField(
        source="run.series_columns", child=serializers.CharField(), read_only=True,
        help_text="Columns of the hourly series; the unit is the last part of each name.",
    )
    assumptions = serializers.SerializerMethodField(help_text="Every input figure the run used, with range and source.")
    methods = serializers.SerializerMethodField(help_text="Every emission factor and grid rate the run used.")

    class Meta(ReportVersionSerializer.Meta):
        fields = [*ReportVersionSerializer.Meta.fields, "series_columns", "metrics", "assumptions", "methods"]

    def to_representation(self, obj):
        data = super().to_representation(obj)
        if _public_view(self.context):
            data["series_columns"] = figures.public_series_columns(data["series_columns"] or [])
        return data

    @extend_schema_field(MetricSerializer(many=True))
    def get_metrics(self, obj):
        metrics = obj.run.metrics.filter(scenario="").select_related("run__report__facility", "run__version")
        if _public_view(self.context):
            metrics = [m for m in metrics if figures.is_public_metric(m.key, obj)]
        return MetricSerializer(metrics, many=True, context=self.context).data

    @extend_schema_field(MethodSerializer(many=True))
    def get_methods(self, obj):
        from impact.methods import report_methods

        rows = report_methods(obj.run.summary, (obj.run.input_snapshot or {}).get("assumptions", []))["rows"]
        return [{key: row.get(key) for key in MethodSerializer().fields} for row in rows]

    @extend_schema_field(AssumptionSnapshotSerializer(many=True))
    def get_assumptions(self, obj):
        return [
            {key: row.get(key) for key in AssumptionSnapshotSerializer().fields}
            for row in (obj.run.input_snapshot or {}).get("assumptions", [])
        ]


class ReportRunSerializer(DescribedModelSerializer):
    """A computation of a report: a job with a status. Public only once published."""

    url = serializers.SerializerMethodField(help_text="This run in the API.")
    result_url = serializers.SerializerMethodField(help_text="The run's result: 409 with Retry-After until it is done.")
    facility = serializers.CharField(source="report.facility.slug", read_only=True, help_text="Facility slug.")
    period = serializers.CharField(source="report.period", read_only=True, help_text="Report period key.")
    version = serializers.SerializerMethodField(help_text="Report version id if published; null for a draft.")

    class Meta:
        model = ReportRun
        fields = [
            "id", "url", "result_url", "report", "facility", "period", "status", "stage", "version", "engine_version",
            "gwp_set", "monte_carlo_samples", "seed", "input_hash", "created_at", "started_at", "finished_at",
            "error", "series_columns",
        ]
        extra_kwargs = {
            "report": {"help_text": "Report id."},
            "status": {"help_text": "pending, running, succeeded or failed."},
            "stage": {"help_text": "Progress: queued, computing, drawing, saving, done."},
            "engine_version": {"help_text": "Engine version used."},
            "gwp_set": {"help_text": "IPCC GWP set for CO₂e (AR5 or AR6)."},
            "monte_carlo_samples": {"help_text": "Monte Carlo samples behind p5/p50/p95."},
            "seed": {"help_text": "Random seed of the Monte Carlo sampling."},
            "input_hash": {"help_text": "SHA-256 of the inputs and options."},
            "created_at": {"help_text": "When the run was requested (UTC)."},
            "started_at": {"help_text": "When a worker started it (UTC)."},
            "finished_at": {"help_text": "When it finished (UTC)."},
            "error": {"help_text": "Why it failed; empty otherwise."},
            "series_columns": {"help_text": "Columns of the hourly series; the unit is the last part of each name."},
        }

    def _absolute(self, path):
        return absolute(self.context.get("request"), path)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj):
        return self._absolute(reverse("api:report-run-detail", args=[obj.pk]))

    @extend_schema_field(OpenApiTypes.URI)
    def get_result_url(self, obj):
        return self._absolute(reverse("api:report-run-result", args=[obj.pk]))

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_version(self, obj):
        version = getattr(obj, "version", None)
        return version.pk if version is not None else None


class RunRequestSerializer(serializers.Serializer):
    """What staff send to request a report run (the same request_report() as the admin)."""

    facility = serializers.SlugRelatedField(
        slug_field="slug", queryset=Facility.objects.all(), help_text="Facility slug."
    )
    period = serializers.CharField(
        max_length=32, help_text="Period: 2024-07, 2024-Q3, 2024 or first..last day (2024-07-01..2024-07-15)."
    )
    gwp_set = serializers.ChoiceField(choices=GWP_SETS, default="AR6", help_text="IPCC GWP set for CO₂e.")
    monte_carlo_samples = serializers.IntegerField(
        required=False, min_value=0, max_value=100_000, help_text="Monte Carlo samples; default: the site setting."
    )


class RunAcceptedSerializer(serializers.Serializer):
    """The answer to a run request: where to watch it and where its result will be."""

    id = serializers.IntegerField(help_text="Run id.")
    status = serializers.CharField(help_text="pending, running, succeeded or failed.")
    url = serializers.URLField(help_text="The run (status, stage).")
    result_url = serializers.URLField(help_text="The result: 409 with Retry-After until the run is done.")


class PublishSerializer(serializers.Serializer):
    changelog = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required for a correction: what changed and why."
    )
    acknowledgement = serializers.CharField(
        required=False, allow_blank=True, default="",
        help_text="Required when more of the run's modelled demand went unserved than IMPACT_UNSERVED_PUBLISH_THRESHOLD "
        "allows: why it may be published anyway. Shown to the public with the report.",
    )


class RunResultSerializer(serializers.Serializer):
    """A finished run's result: its status and every metric (base case and scenarios)."""

    id = serializers.IntegerField(help_text="Run id.")
    status = serializers.CharField(help_text="succeeded.")
    version = serializers.IntegerField(allow_null=True, help_text="Report version id if published; null for a draft.")
    metrics = MetricSerializer(many=True, help_text="Every headline figure of the run.")


class RunPendingSerializer(serializers.Serializer):
    """Why a run has no result (yet)."""

    id = serializers.IntegerField(help_text="Run id.")
    status = serializers.CharField(help_text="pending, running or failed.")
    stage = serializers.CharField(help_text="Progress: queued, computing, drawing, saving.")
    detail = serializers.CharField(help_text="What to do: wait (see the Retry-After header) or retry a failed run.")
    error = serializers.CharField(help_text="Why a failed run failed; empty otherwise.")


class SeriesPointSerializer(serializers.Serializer):
    """One hour of a run's base-case series."""

    timestamp_utc = UTCDateTimeField(source="timestamp", help_text="Start of the hour (UTC).")
    values = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Column → value for the hour; the unit is the last part of the column name (see the data dictionary).",
    )
