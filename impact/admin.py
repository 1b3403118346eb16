"""Staff admin for the facility model and report runs.

Every facility part is edited inline on its facility; each part's assumptions (range, status,
source) are edited inline on that part. Runs are read-only: they are computed by workers and
changed only through impact.services.
"""

from django.contrib import admin, messages
from django.contrib.contenttypes.admin import GenericTabularInline
from django.utils.html import format_html

from impact import services
from impact.models import (
    Assumption,
    ComputeFleet,
    Cooling,
    Facility,
    GeneratorEmissionFactor,
    GeneratorGroup,
    GridContract,
    GridEmissionRate,
    GridSupply,
    PlannedDowntime,
    Report,
    ReportRun,
    ReportVersion,
    Scenario,
    Source,
)


class AssumptionInline(GenericTabularInline):
    model = Assumption
    extra = 0
    fields = ("field_name", "label", "low", "high", "distribution", "status", "source", "note")
    autocomplete_fields = ("source",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        facility = obj if isinstance(obj, Facility) else getattr(obj, "facility", None)
        if facility is None and obj is not None and hasattr(obj, "grid"):
            facility = obj.grid.facility
        if facility is None and obj is not None and hasattr(obj, "generator"):
            facility = obj.generator.facility

        class FacilityFormset(formset):
            def save_new(self, form, commit=True):
                form.instance.facility = facility
                return super().save_new(form, commit)

        return FacilityFormset


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("title", "section", "publisher", "year")
    search_fields = ("title", "section", "publisher")


class ComputeFleetInline(admin.StackedInline):
    model = ComputeFleet
    extra = 0
    show_change_link = True


class GeneratorGroupInline(admin.StackedInline):
    model = GeneratorGroup
    extra = 0
    show_change_link = True


class ScenarioInline(admin.TabularInline):
    model = Scenario
    extra = 0
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    list_display = ("name", "location", "operator", "is_active", "updated_at")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "location", "operator")
    inlines = [ComputeFleetInline, GeneratorGroupInline, ScenarioInline, AssumptionInline]
    actions = ["compute_last_month"]

    @admin.action(description="Compute last month's report (queued for a worker)")
    def compute_last_month(self, request, queryset):
        from django.utils import timezone

        from impact.periods import previous_month

        period = previous_month(timezone.localdate())
        for facility in queryset:
            try:
                run = services.request_report(facility, period.key, user=request.user)
            except services.ReportError as exc:
                self.message_user(request, f"{facility}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{facility}: run {run.pk} queued for {period.label}.")


class PlannedDowntimeInline(admin.TabularInline):
    model = PlannedDowntime
    extra = 0


@admin.register(ComputeFleet)
class ComputeFleetAdmin(admin.ModelAdmin):
    list_display = ("__str__", "facility", "tdp_w", "utilisation_kind", "mean_utilisation")
    list_filter = ("facility",)
    inlines = [PlannedDowntimeInline, AssumptionInline]


@admin.register(Cooling)
class CoolingAdmin(admin.ModelAdmin):
    list_display = ("facility", "pue_at_reference", "pue_slope_per_degc", "wue_l_per_kwh")
    inlines = [AssumptionInline]


class GridContractInline(admin.TabularInline):
    model = GridContract
    extra = 0
    show_change_link = True


class GridEmissionRateInline(admin.TabularInline):
    model = GridEmissionRate
    extra = 0
    show_change_link = True


@admin.register(GridSupply)
class GridSupplyAdmin(admin.ModelAdmin):
    list_display = ("utility", "facility")
    inlines = [GridContractInline, GridEmissionRateInline, AssumptionInline]


@admin.register(GridContract)
class GridContractAdmin(admin.ModelAdmin):
    list_display = ("__str__", "grid", "starts", "ends", "status")
    inlines = [AssumptionInline]


@admin.register(GridEmissionRate)
class GridEmissionRateAdmin(admin.ModelAdmin):
    list_display = ("__str__", "grid")
    inlines = [AssumptionInline]


class GeneratorEmissionFactorInline(admin.TabularInline):
    model = GeneratorEmissionFactor
    extra = 0
    show_change_link = True


@admin.register(GeneratorGroup)
class GeneratorGroupAdmin(admin.ModelAdmin):
    list_display = ("__str__", "facility", "kind", "rated_mw", "heat_rate_btu_per_kwh", "controls")
    list_filter = ("facility", "kind")
    inlines = [GeneratorEmissionFactorInline, AssumptionInline]


@admin.register(GeneratorEmissionFactor)
class GeneratorEmissionFactorAdmin(admin.ModelAdmin):
    list_display = ("__str__", "generator", "controlled_lb_per_mmbtu")
    inlines = [AssumptionInline]


@admin.register(Assumption)
class AssumptionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "facility", "field_name", "low", "high", "status", "source")
    list_filter = ("facility", "status")
    search_fields = ("label", "field_name", "note")


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ("name", "facility", "is_active")
    list_filter = ("facility", "is_active")
    prepopulated_fields = {"slug": ("name",)}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by workers and services only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "report", "status", "stage", "requested_by", "created_at", "duration_s", "page")
    list_filter = ("status", "report__facility")
    exclude = ("input_snapshot", "summary")
    actions = ["publish", "retry"]

    @admin.display(description="Duration (s)")
    def duration_s(self, run):
        return f"{run.duration.total_seconds():.1f}" if run.duration else "—"

    @admin.display(description="Page")
    def page(self, run):
        return format_html('<a href="{}">view</a>', run.get_absolute_url())

    def has_change_permission(self, request, obj=None):
        # Read-only fields, but the change list and actions must be reachable.
        return request.user.has_perm("impact.view_reportrun")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name not in self.exclude]

    @admin.action(description="Publish (first version only; corrections need a changelog)")
    def publish(self, request, queryset):
        for run in queryset:
            try:
                version, created = services.publish_run(run, user=request.user)
            except services.PublishError as exc:
                self.message_user(request, f"Run {run.pk}: {exc}", messages.ERROR)
            else:
                verb = "published as" if created else "was already"
                self.message_user(request, f"Run {run.pk} {verb} {version}.")

    @admin.action(description="Retry failed runs")
    def retry(self, request, queryset):
        queued = sum(services.retry_run(run, user=request.user) for run in queryset)
        self.message_user(request, f"{queued} failed run(s) queued again.")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "period_kind", "start_date", "end_date")
    list_filter = ("facility", "period_kind")


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "published_at", "published_by")
    list_filter = ("report__facility",)
