"""Staff admin for the facility model and report runs.

Every facility part is edited inline on its facility; each part's assumptions (range, status,
source) are edited inline on that part, and shown beside each input as its help text. Limits
that come from physics are explained when a value breaks them.

Runs, reports and versions are read-only: workers compute them and impact.services changes them.
Admin actions only call those services: "compute report" enqueues a run (never computes in the
request), "publish" and "publish correction" make a version, "retry" requeues a failed run.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.contenttypes.admin import GenericTabularInline
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst

from impact import adapters, figures, services
from impact.models import (
    AirPermit,
    Assumption,
    BatteryStorage,
    ComputeFleet,
    Confidence,
    Cooling,
    Facility,
    FleetStage,
    GeneratorEmissionFactor,
    GeneratorGroup,
    GridContract,
    GridEmissionRate,
    GridSupply,
    PermitLimit,
    PlannedDowntime,
    Report,
    ReportArtifact,
    ReportRun,
    ReportSubscription,
    ReportVersion,
    Scenario,
    Source,
)
from impact.periods import previous_month
from impact.forms import AcknowledgementForm, ChangelogForm, ComputeReportForm

# Why a bound holds, said to the analyst who typed a value outside it.
LIMIT_REASONS = {
    "accelerator_count": "a count cannot be negative",
    "unit_count": "a count cannot be negative",
    "tdp_w": "an accelerator cannot draw negative power",
    "idle_w": "an idle accelerator still draws power, never less than none",
    "host_idle_w_per_server": "servers draw power; they cannot give it back",
    "host_max_w_per_server": "servers draw power; they cannot give it back",
    "accelerators_per_server": "a server carries at least one accelerator",
    "network_storage_share": "it is a share of the server load, from 0 (none) to 1 (as much again)",
    "mean_utilisation": "utilisation is a fraction of full load, from 0 (idle) to 1 (flat out)",
    "diurnal_amplitude": "the daily swing is a fraction of the mean; above 1 the load would dip below zero",
    "pue_at_reference": "PUE is total facility power over IT power, and a building cannot use less power than its IT load",
    "pue_slope_per_degc": "cooling needs more power as the outdoor air warms, not less",
    "wue_l_per_kwh": "cooling consumes water; it cannot return more than it draws",
    "generation_water_l_per_kwh": "power plants consume water; they cannot return more than they draw",
    "capacity_mw": "a grid connection cannot have negative capacity",
    "lb_per_mwh": "generating electricity cannot take pollutants out of the air",
    "rated_mw": "a generator cannot have negative output",
    "min_load_fraction": "it is a fraction of rated output, from 0 to 1",
    "heat_rate_btu_per_kwh": (
        "1 kWh is 3,412.14 Btu, so a lower heat rate would turn more than 100 % of the fuel's energy into electricity"
    ),
    "availability": "it is the fraction of the units that can run, from 0 to 1",
    "lb_per_mmbtu": "burning fuel cannot take pollutants out of the air",
    "controlled_lb_per_mmbtu": "burning fuel cannot take pollutants out of the air",
    "part_load_lb_per_mmbtu": "burning fuel cannot take pollutants out of the air",
    "limit_g_per_bhp_hr": "burning fuel cannot take pollutants out of the air",
    "startup_lb_per_event": "starting a unit cannot take pollutants out of the air",
    "shaft_to_electric_efficiency": (
        "it is the share of shaft power a generator turns into electricity: at most 1 (no machine makes energy), "
        "and below 0.5 is almost certainly a unit mistake (generators convert 95–98 %)"
    ),
    "power_mw": "a battery's power rating cannot be negative",
    "energy_mwh": "a battery cannot store negative energy",
    "round_trip_efficiency": (
        "it is the share of the energy charged that comes back out, from 0 to 1: no battery returns more energy "
        "than it was charged with"
    ),
    "initial_state_of_charge": "it is the share of the battery's energy held, from 0 (empty) to 1 (full)",
    "gas_hhv_btu_per_scf": (
        "pipeline natural gas has a higher heating value near 1,000–1,100 Btu/scf; a value outside 800–1,200 "
        "is almost always a unit mistake (Btu/ccf, MJ/m³)"
    ),
}


def _number(value):
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def assumption_note(assumption):
    """One line for beside an input: range, confidence and source."""
    parts = []
    if assumption.low is not None and assumption.high is not None:
        parts.append(f"Range {_number(assumption.low)}–{_number(assumption.high)} ({assumption.get_distribution_display().split(' (')[0].lower()})")
    else:
        parts.append("No range (fixed)")
    flag = "⚠ " if assumption.status == Confidence.UNVERIFIED else ""
    parts.append(f"{flag}confidence {assumption.get_status_display()}")
    parts.append(f"source: {assumption.source}" if assumption.source_id else "source: none cited")
    return " · ".join(parts)


class FacilityInputForm(forms.ModelForm):
    """Shows each input's range, confidence and source beside it, and explains physical limits."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if not hasattr(instance, "assumptions"):
            return
        known = {}
        if instance.pk:
            known = {a.field_name: a for a in instance.assumptions.select_related("source")}
        for field in instance._meta.concrete_fields:
            if field.name not in self.fields or not isinstance(field, (models.FloatField, models.IntegerField)):
                continue
            if field.name == "order":
                continue
            note = assumption_note(known[field.name]) if field.name in known else "No range, confidence or source recorded yet."
            existing = str(self.fields[field.name].help_text or "")
            self.fields[field.name].help_text = f"{existing} {note}".strip()

    def _explain(self, name, error):
        reason = LIMIT_REASONS.get(name)
        # Upper bounds keep the model's message: it says why nothing real lies beyond the bound
        # (impact.engine.bounds); the reasons here explain the lower ones.
        if reason is None or getattr(error, "code", None) != "min_value":
            return error
        params = error.params or {}
        label = capfirst(self._meta.model._meta.get_field(name).verbose_name)
        bound = "at least" if error.code == "min_value" else "at most"
        shown = params.get("show_value", self.data.get(self.add_prefix(name)))
        return ValidationError(
            f"{label} must be {bound} {_number(params.get('limit_value'))}, not {_number(shown)}: {reason}.", code=error.code
        )

    def _post_clean(self):
        super()._post_clean()
        for name, errors in list(self._errors.items()):
            if name in LIMIT_REASONS:
                errors.data = [self._explain(name, e) for e in errors.as_data()]
        engine_check(self)


def engine_check(form):
    """Refuse, beside its field, a value the engine would refuse in the worker (issue 16).

    Runs after the field and model checks pass, on the instance with the form's values in it;
    impact.adapters.proposed_input_error builds the engine input as a run does and calls the
    engine's validation, the single source of these rules.
    """
    # An unchanged form saves nothing (and each check builds the whole snapshot: about 0.2 s).
    if form._errors or not form.has_changed():
        return
    refused = adapters.proposed_input_error(form.instance)
    if refused:
        field, message = refused
        form.add_error(field if field in form.fields else None, message)


class AssumptionForm(forms.ModelForm):
    """An assumption's range is what the engine draws from: the engine checks it before it saves."""

    def _post_clean(self):
        super()._post_clean()
        engine_check(self)


class GeneratorEmissionFactorForm(FacilityInputForm):
    def clean(self):
        cleaned = super().clean()
        raw, controlled = cleaned.get("lb_per_mmbtu"), cleaned.get("controlled_lb_per_mmbtu")
        if raw is not None and controlled is not None and controlled > raw:
            self.add_error(
                "controlled_lb_per_mmbtu",
                f"The factor with controls ({_number(controlled)} lb/MMBtu) cannot exceed the uncontrolled factor "
                f"({_number(raw)} lb/MMBtu): controls such as SCR remove pollutants, they do not add them.",
            )
        return cleaned


# Largest value a 64-bit signed primary key holds.
MAX_DATABASE_ID = 2**63 - 1


def _lookup_value(field, value):
    """True when ``value`` is something ``field`` could hold, so querying for it cannot raise."""
    try:
        value = field.to_python(value)
    except (ValidationError, TypeError, ValueError, OverflowError):
        return False
    return not isinstance(value, int) or -MAX_DATABASE_ID - 1 <= value <= MAX_DATABASE_ID


class CheckedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget shows the chosen row by querying ``pk__in=[the posted value]``;
    a posted "NaN" or "1e308" raised ValueError there and 20 digits OverflowError (SQLite), so the
    page answered 500 instead of "Select a valid choice". Only values a key can hold are looked up."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        key = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        return super().optgroups(name, [v for v in value if _lookup_value(key, v)], attr)


class CheckedAutocompleteMixin:
    """Use :class:`CheckedAutocompleteSelect` for every autocomplete field of the admin."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AssumptionInline(CheckedAutocompleteMixin, GenericTabularInline):
    model = Assumption
    form = AssumptionForm
    extra = 0
    fields = (
        "field_name", "label", "low", "high", "distribution", "distribution_reason", "status", "source", "note",
        "same_quantity_as",
    )
    autocomplete_fields = ("source",)
    raw_id_fields = ("same_quantity_as",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        facility = obj if isinstance(obj, Facility) else getattr(obj, "facility", None)
        if facility is None and obj is not None and hasattr(obj, "grid"):
            facility = obj.grid.facility
        if facility is None and obj is not None and hasattr(obj, "generator"):
            facility = obj.generator.facility
        if facility is None and obj is not None and hasattr(obj, "fleet"):
            facility = obj.fleet.facility

        class FacilityFormset(formset):
            def save_new(self, form, commit=True):
                form.instance.facility = facility
                return super().save_new(form, commit)

            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                # Assumption.clean() needs the facility to find the row; new forms get it here.
                if form.instance.facility_id is None and facility is not None:
                    form.instance.facility = facility
                return form

        return FacilityFormset


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("title", "section", "publisher", "year")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ("title", "section", "publisher")


class ComputeFleetInline(admin.StackedInline):
    model = ComputeFleet
    form = FacilityInputForm
    extra = 0
    show_change_link = True


class GeneratorGroupInline(admin.StackedInline):
    model = GeneratorGroup
    form = FacilityInputForm
    extra = 0
    show_change_link = True


class BatteryStorageInline(admin.StackedInline):
    model = BatteryStorage
    form = FacilityInputForm
    extra = 0
    show_change_link = True


class CoolingInline(admin.StackedInline):
    model = Cooling
    form = FacilityInputForm
    extra = 0
    max_num = 1
    show_change_link = True


class GridSupplyInline(admin.StackedInline):
    model = GridSupply
    form = FacilityInputForm
    extra = 0
    max_num = 1
    show_change_link = True


class AirPermitInline(admin.StackedInline):
    model = AirPermit
    extra = 0
    fields = ("issuer", "number", "issued_on", "effective_on", "expires_on", "source", "status")
    autocomplete_fields = ("source",)
    show_change_link = True


class ScenarioInline(admin.TabularInline):
    model = Scenario
    extra = 0
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    form = FacilityInputForm
    list_display = ("name", "location", "operator", "is_active", "latest_report", "updated_at")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "location", "operator")
    inlines = [
        CoolingInline, GridSupplyInline, ComputeFleetInline, GeneratorGroupInline, BatteryStorageInline, AirPermitInline,
        ScenarioInline, AssumptionInline,
    ]
    actions = ["compute_report"]

    @admin.display(description="Latest published report")
    def latest_report(self, facility):
        version = ReportVersion.objects.filter(report__facility=facility).order_by("-report__start_date", "-number").first()
        return format_html('<a href="{}">{}</a>', version.get_absolute_url(), version) if version else "—"

    def has_compute_permission(self, request):
        return request.user.has_perm("impact.add_reportrun")

    @admin.action(description="Compute a report… (queued for a worker)", permissions=["compute"])
    def compute_report(self, request, queryset):
        """Ask for the period, then enqueue one run per facility; the worker computes it."""
        form = ComputeReportForm(
            request.POST if "apply" in request.POST else None,
            initial={"period": previous_month(timezone.localdate()).key, "gwp_set": "AR6"},
        )
        if form.is_valid():
            data = form.cleaned_data
            for facility in queryset:
                try:
                    run = services.request_report(
                        facility, data["period"], user=request.user, gwp_set=data["gwp_set"], samples=data["samples"]
                    )
                except services.ReportError as exc:
                    self.message_user(request, f"{facility}: {exc}", messages.ERROR)
                    continue
                self.message_user(request, f"{facility}: run {run.pk} queued for {run.report.period_label}; a worker will compute it.")
            return None
        return TemplateResponse(
            request,
            "admin/impact/facility/compute_report.html",
            {
                **self.admin_site.each_context(request),
                "title": "Compute a report",
                "opts": self.model._meta,
                "form": form,
                "facilities": queryset,
                "action": "compute_report",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


class PlannedDowntimeInline(admin.TabularInline):
    model = PlannedDowntime
    extra = 0


class FleetStageFormSet(forms.BaseInlineFormSet):
    """The fleet's count is the most it ever has: the largest stage must equal it."""

    def clean(self):
        super().clean()
        counts = [
            form.cleaned_data["accelerator_count"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("accelerator_count") is not None
        ]
        fleet_count = self.instance.accelerator_count
        if counts and fleet_count is not None and max(counts) != fleet_count:
            raise ValidationError(
                f"The fleet's accelerator count ({fleet_count:,}) is the most it ever has, but its largest stage has "
                f"{max(counts):,}: make them equal."
            )


class FleetStageInline(admin.TabularInline):
    model = FleetStage
    form = FacilityInputForm
    formset = FleetStageFormSet
    fields = ("starts", "accelerator_count", "utilisation_kind", "mean_utilisation", "label", "note")
    extra = 0
    show_change_link = True


@admin.register(ComputeFleet)
class ComputeFleetAdmin(admin.ModelAdmin):
    form = FacilityInputForm
    list_display = ("__str__", "facility", "tdp_w", "host_max_w_per_server", "utilisation_kind", "mean_utilisation")
    list_filter = ("facility",)
    inlines = [FleetStageInline, PlannedDowntimeInline, AssumptionInline]


@admin.register(FleetStage)
class FleetStageAdmin(admin.ModelAdmin):
    form = FacilityInputForm
    list_display = ("__str__", "fleet", "starts", "accelerator_count", "label")
    list_filter = ("fleet__facility",)
    inlines = [AssumptionInline]


@admin.register(BatteryStorage)
class BatteryStorageAdmin(admin.ModelAdmin):
    form = FacilityInputForm
    list_display = ("__str__", "facility", "round_trip_efficiency", "dispatch_rule", "available_from", "available_to")
    list_filter = ("facility",)
    inlines = [AssumptionInline]


@admin.register(Cooling)
class CoolingAdmin(admin.ModelAdmin):
    form = FacilityInputForm
    list_display = ("facility", "pue_at_reference", "pue_slope_per_degc", "wue_l_per_kwh")
    inlines = [AssumptionInline]


class GridContractInline(admin.TabularInline):
    model = GridContract
    form = FacilityInputForm
    extra = 0
    show_change_link = True


class GridEmissionRateInline(admin.TabularInline):
    model = GridEmissionRate
    form = FacilityInputForm
    extra = 0
    show_change_link = True


@admin.register(GridSupply)
class GridSupplyAdmin(admin.ModelAdmin):
    form = FacilityInputForm
    list_display = ("utility", "facility")
    inlines = [GridContractInline, GridEmissionRateInline, AssumptionInline]


@admin.register(GridContract)
class GridContractAdmin(admin.ModelAdmin):
    form = FacilityInputForm
    list_display = ("__str__", "grid", "starts", "ends", "status")
    inlines = [AssumptionInline]


@admin.register(GridEmissionRate)
class GridEmissionRateAdmin(admin.ModelAdmin):
    form = FacilityInputForm
    list_display = ("__str__", "grid", "basis", "vintage")
    inlines = [AssumptionInline]


class GeneratorEmissionFactorInline(admin.TabularInline):
    model = GeneratorEmissionFactor
    form = GeneratorEmissionFactorForm
    extra = 0
    show_change_link = True


@admin.register(GeneratorGroup)
class GeneratorGroupAdmin(admin.ModelAdmin):
    form = FacilityInputForm
    list_display = ("__str__", "facility", "kind", "rated_mw", "heat_rate_btu_per_kwh", "controls", "controls_from")
    list_filter = ("facility", "kind")
    inlines = [GeneratorEmissionFactorInline, AssumptionInline]


@admin.register(GeneratorEmissionFactor)
class GeneratorEmissionFactorAdmin(admin.ModelAdmin):
    form = GeneratorEmissionFactorForm
    list_display = ("__str__", "generator", "controlled_lb_per_mmbtu", "part_load_lb_per_mmbtu", "limit_g_per_bhp_hr")
    inlines = [AssumptionInline]


@admin.register(Assumption)
class AssumptionAdmin(CheckedAutocompleteMixin, admin.ModelAdmin):
    form = AssumptionForm
    list_display = ("__str__", "facility", "field_name", "low", "high", "status", "source", "same_quantity_as")
    list_filter = ("facility", "status")
    search_fields = ("label", "field_name", "note", "distribution_reason")
    autocomplete_fields = ("source",)
    raw_id_fields = ("same_quantity_as",)


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("name", "facility", "is_active")
    list_filter = ("facility", "is_active")
    prepopulated_fields = {"slug": ("name",)}


# --- Reports ------------------------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by workers and services only. A POST to their change form is refused."""

    refusal = "This row is written by the report service and cannot be edited here."

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            self.message_user(request, self.refusal_for(object_id), messages.ERROR)
            return redirect(request.path)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def refusal_for(self, object_id):
        return self.refusal


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = (
        "id", "report", "status", "stage", "requested_by", "created_at", "duration_s", "error_summary", "published_as", "page",
    )
    list_filter = ("status", "report__facility", ("requested_by", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("report__facility", "requested_by", "version")
    fields = (
        "report", "status", "stage", "published_as", "requested_by", "created_at", "started_at", "finished_at",
        "duration_s", "engine_version", "gwp_set", "monte_carlo_samples", "seed", "input_hash", "error",
    )
    readonly_fields = fields
    actions = ["publish", "publish_correction", "publish_acknowledged", "retry", "recompute"]
    # Seconds between reloads of the list while a run is pending or running.
    refresh_seconds = 5

    def refusal_for(self, object_id):
        version = ReportVersion.objects.filter(run_id=object_id).first()
        if version:
            return f"Run {object_id} is published as {version} and never changes; compute a new run and publish a correction."
        return f"Run {object_id} is written by a worker; change the facility model and compute a new run instead."

    @admin.display(description="Duration (s)")
    def duration_s(self, run):
        return f"{run.duration.total_seconds():.1f}" if run.duration else "—"

    @admin.display(description="Error")
    def error_summary(self, run):
        if run.status != ReportRun.Status.FAILED or not run.error:
            return ""
        return run.error.strip().splitlines()[0][:200]

    @admin.display(description="Published as")
    def published_as(self, run):
        version = getattr(run, "version", None)  # reverse one-to-one: missing until published
        return f"v{version.number}" if version else "—"

    @admin.display(description="Page")
    def page(self, run):
        return format_html('<a href="{}">view</a>', run.get_absolute_url())

    def changelist_view(self, request, extra_context=None):
        active = ReportRun.objects.filter(status__in=[ReportRun.Status.PENDING, ReportRun.Status.RUNNING]).exists()
        context = {"runs_active": active, "refresh_seconds": self.refresh_seconds, **(extra_context or {})}
        return super().changelist_view(request, context)

    def has_publish_permission(self, request):
        return request.user.has_perm("impact.add_reportversion")

    def has_retry_permission(self, request):
        return request.user.has_perm("impact.change_reportrun")

    def has_compute_permission(self, request):
        return request.user.has_perm("impact.add_reportrun")

    def _published(self, request, run, version, created):
        if created:
            self.message_user(request, f"Run {run.pk} published as {version}.")
        else:
            self.message_user(request, f"Run {run.pk} was already published as {version}; nothing changed.", messages.WARNING)

    @admin.action(description="Publish as the first version", permissions=["publish"])
    def publish(self, request, queryset):
        for run in queryset:
            try:
                version, created = services.publish_run(run, user=request.user)
            except services.UnservedDemandError as exc:
                self.message_user(request, f"Run {run.pk}: {exc} Use “Publish with an acknowledgement…”.", messages.ERROR)
            except services.PublishError as exc:
                self.message_user(request, f"Run {run.pk}: {exc} Use “Publish correction”.", messages.ERROR)
            else:
                self._published(request, run, version, created)

    @admin.action(description="Publish correction… (asks for the changelog)", permissions=["publish"])
    def publish_correction(self, request, queryset):
        """Publish one succeeded run as the next version of its report, with a changelog note."""
        if queryset.count() != 1:
            self.message_user(request, "Pick exactly one run: a correction is published one report at a time.", messages.ERROR)
            return None
        run = queryset.select_related("report__facility").get()
        form = ChangelogForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                version, created = services.publish_run(run, user=request.user, changelog=form.cleaned_data["changelog"])
            except services.UnservedDemandError as exc:
                self.message_user(request, f"Run {run.pk}: {exc} Use “Publish with an acknowledgement…”.", messages.ERROR)
            except services.PublishError as exc:
                self.message_user(request, f"Run {run.pk}: {exc}", messages.ERROR)
            else:
                self._published(request, run, version, created)
            return None
        return TemplateResponse(
            request,
            "admin/impact/reportrun/publish_correction.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Publish a correction of {run.report}",
                "opts": self.model._meta,
                "form": form,
                "run": run,
                "current": run.report.latest_version(),
                "already": ReportVersion.objects.filter(run=run).first(),
                "action": "publish_correction",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Publish with an acknowledgement… (unserved demand above the threshold)", permissions=["publish"])
    def publish_acknowledged(self, request, queryset):
        """Publish one run whose unserved demand exceeds the threshold, with the analyst's written reason."""
        if queryset.count() != 1:
            self.message_user(request, "Pick exactly one run: an acknowledgement is written for one report at a time.", messages.ERROR)
            return None
        run = queryset.select_related("report__facility").get()
        form = AcknowledgementForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            try:
                version, created = services.publish_run(
                    run, user=request.user, changelog=form.cleaned_data["changelog"],
                    acknowledgement=form.cleaned_data["acknowledgement"],
                )
            except services.PublishError as exc:
                self.message_user(request, f"Run {run.pk}: {exc}", messages.ERROR)
            else:
                self._published(request, run, version, created)
            return None
        share = services.unserved_share(run)
        return TemplateResponse(
            request,
            "admin/impact/reportrun/publish_acknowledged.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Publish {run.report} with an acknowledgement",
                "opts": self.model._meta,
                "form": form,
                "run": run,
                "current": run.report.latest_version(),
                "already": ReportVersion.objects.filter(run=run).first(),
                "share": figures.percent(share) if share is not None else "not computed",
                "threshold": figures.percent(settings.IMPACT_UNSERVED_PUBLISH_THRESHOLD),
                "action": "publish_acknowledged",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description="Retry failed runs (on the inputs frozen when each was queued)", permissions=["retry"])
    def retry(self, request, queryset):
        queued = 0
        for run in queryset:
            if services.retry_run(run, user=request.user):
                queued += 1
                self.message_user(request, services.frozen_inputs_note(run))
        skipped = queryset.count() - queued
        self.message_user(request, f"{queued} failed run(s) queued again.")
        if skipped:
            self.message_user(request, f"{skipped} run(s) skipped: only failed runs are retried.", messages.WARNING)


    @admin.action(description="Recompute with current inputs (a new run from the facility as it is now)",
                  permissions=["compute"])
    def recompute(self, request, queryset):
        """Queue a new run of each selected run's report from the current facility; the old run stays."""
        for run in queryset.select_related("report__facility"):
            try:
                new = services.recompute_run(run, user=request.user)
            except services.ReportError as exc:
                self.message_user(request, f"Run {run.pk}: {exc}", messages.ERROR)
                continue
            self.message_user(
                request, f"Run {new.pk} queued for {new.report} from the current inputs, in place of run {run.pk}; "
                "a worker will compute it.",
            )


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "period_kind", "start_date", "end_date")
    list_filter = ("facility", "period_kind")


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "published_at", "published_by", "changelog")
    list_filter = ("report__facility",)
    refusal = "A published version never changes; compute a new run and publish a correction."


@admin.register(ReportArtifact)
class ReportArtifactAdmin(ReadOnlyAdmin):
    """The downloads a worker made with a run; their bytes are served by the public download view."""

    list_display = ("filename", "run", "kind", "size_bytes", "sha256")
    list_filter = ("kind", "run__report__facility")
    fields = ("run", "kind", "filename", "size_bytes", "sha256")
    readonly_fields = fields
    refusal = "Downloads are made by the worker with their run and never change."


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    """Residents' e-mail alerts. Personal data: administrators may look and remove, never add or edit."""

    list_display = ("email", "facility", "created_at", "confirmed_at")
    list_filter = ("facility", ("confirmed_at", admin.EmptyFieldListFilter))
    search_fields = ("email",)
    fields = ("facility", "email", "created_at", "confirmed_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AirPermitForm(forms.ModelForm):
    """A permit covers generator groups of its own facility only."""

    def clean(self):
        cleaned = super().clean()
        facility, groups = cleaned.get("facility"), cleaned.get("generators")
        if facility is not None and groups:
            others = [str(g) for g in groups if g.facility_id != facility.pk]
            if others:
                self.add_error("generators", f"These generator groups belong to another facility: {', '.join(others)}.")
        return cleaned


class PermitLimitInline(admin.TabularInline):
    model = PermitLimit
    extra = 0
    fields = ("kind", "pollutant", "value", "unit", "note")


@admin.register(AirPermit)
class AirPermitAdmin(CheckedAutocompleteMixin, admin.ModelAdmin):
    """The permit and its caps; a later issue computes rolling 12-month totals against them."""

    form = AirPermitForm
    list_display = ("__str__", "facility", "issued_on", "effective_on", "expires_on", "status")
    list_filter = ("facility", "status")
    autocomplete_fields = ("source",)
    filter_horizontal = ("generators",)
    inlines = [PermitLimitInline]


# Measured data (issue 15): its upload page and read-only lists.
from impact import admin_measured  # noqa: E402,F401
