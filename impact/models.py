"""The facility model, the sources behind its numbers, and the reports computed from it.

A facility is described by rows an analyst can edit: compute fleets, cooling, grid supply with its
contracts and emission rates, and on-site generator groups with their emission factors. The central
value of every numeric input lives on those rows; its low/high range, confidence status and source
live in an :class:`Assumption` attached to the row and field.

Reports: a :class:`Report` is a facility and a period; each :class:`ReportRun` is one computation
of it by a Celery worker; publishing a succeeded run makes it a numbered, immutable
:class:`ReportVersion`.
"""

import datetime as dt
import math
import zoneinfo

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.deconstruct import deconstructible
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from impact.engine.bounds import BOUNDS, number
from impact.engine.inputs import POLLUTANTS
from impact.engine.labels import POLLUTANT_SYMBOLS


class Confidence(models.TextChoices):
    """How far a figure has been checked (shared/reference/factors.md key)."""

    SOURCE = "S", "S — read in the cited source"
    SECONDARY = "2°", "2° — secondary (news, blog, code copy)"
    UNVERIFIED = "U", "U — unverified, check before quoting"
    DERIVED = "D", "D — derived here from other figures"


# The pollutants the engine computes, in its order, named as impact.engine.labels names them.
Pollutant = models.TextChoices("Pollutant", [(key.upper(), (key, POLLUTANT_SYMBOLS[key])) for key in POLLUTANTS])


def validate_time_zone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not an IANA time zone such as America/Chicago.") from None


def _placeholders_escaped(text):
    # Validator messages are %-formatted with the value: a reason's "100 %" is not a placeholder.
    return text.replace("%", "%%")


@deconstructible(path="impact.models.BoundMinValidator")
class BoundMinValidator(MinValueValidator):
    """The lower end of a physical bound of impact.engine.bounds, named in migrations by the bound's
    name only: the numbers and reasons live in that one table, which the engine checks too."""

    def __init__(self, bound_name):
        self.bound_name = bound_name
        b = BOUNDS[bound_name]
        message = f"{capfirst(b.what)} must be greater than or equal to {number(b.low)} ({b.unit})"
        super().__init__(b.low, _placeholders_escaped(message) + ", not %(show_value)s.")

    def __eq__(self, other):
        return type(self) is type(other) and self.bound_name == other.bound_name

    def __hash__(self):
        return hash((type(self), self.bound_name))


@deconstructible(path="impact.models.BoundMaxValidator")
class BoundMaxValidator(MaxValueValidator):
    """The upper end of a physical bound, with the reason nothing real lies beyond it."""

    def __init__(self, bound_name):
        self.bound_name = bound_name
        b = BOUNDS[bound_name]
        message = f"{capfirst(b.what)} must be less than or equal to {number(b.high)} ({b.unit})"
        reason = _placeholders_escaped(f"{b.why}.")
        super().__init__(b.high, _placeholders_escaped(message) + ", not %(show_value)s: " + reason)

    def __eq__(self, other):
        return type(self) is type(other) and self.bound_name == other.bound_name

    def __hash__(self):
        return hash((type(self), self.bound_name))


def bounded(bound_name):
    """The validators of a field holding the quantity ``bound_name`` of impact.engine.bounds."""
    return [BoundMinValidator(bound_name), BoundMaxValidator(bound_name)]


def field_bound(field):
    """The physical bound a model field is held to, or None."""
    for validator in field.validators:
        if isinstance(validator, BoundMaxValidator):
            return BOUNDS[validator.bound_name]
    return None


def _non_finite_errors(instance, exclude=None):
    """NaN and infinity pass Min/MaxValueValidator (every comparison with NaN is false), and an
    infinite float in an integer field makes int() raise OverflowError, so every numeric field is
    checked here: the engine would otherwise compute NaN for every total."""
    errors = {}
    for field in instance._meta.concrete_fields:
        numeric = isinstance(field, (models.FloatField, models.IntegerField)) and not field.is_relation
        if not numeric or (exclude and field.name in exclude):
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, float) and not math.isfinite(value):
            bound = field_bound(field)
            within = f" within {bound.describe()}" if bound else ""
            errors[field.name] = [f"{capfirst(field.verbose_name)} must be a finite number{within}, not {value}."]
    return errors


class FiniteFloatsMixin:
    """Refuses NaN and ±infinity in every FloatField, naming the field."""

    def clean_fields(self, exclude=None):
        errors = _non_finite_errors(self, exclude)
        try:
            super().clean_fields(exclude=set(exclude or ()) | set(errors))
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class Source(models.Model):
    """A citable source: a regulation table, a spec sheet, a news report."""

    title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=200, blank=True)
    section = models.CharField(max_length=200, blank=True, help_text="Table, section or page cited.")
    url = models.URLField(max_length=500, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["title", "section"]
        constraints = [models.UniqueConstraint(fields=["title", "section"], name="unique_source_title_section")]

    def __str__(self):
        parts = [self.title]
        if self.section:
            parts.append(self.section)
        if self.year:
            parts.append(str(self.year))
        return ", ".join(parts)


class Facility(FiniteFloatsMixin, models.Model):
    """A site whose consumption and emissions the portal reports (a data centre, a plant, a phase)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    location = models.CharField(max_length=200, blank=True)
    operator = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(max_length=64, default="America/Chicago", validators=[validate_time_zone])
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, help_text="Active facilities get a monthly report drafted.")
    gas_hhv_btu_per_scf = models.FloatField(
        "gas heating value (Btu/scf, HHV)", default=1026.0, validators=bounded("gas_hhv_btu_per_scf")
    )
    # Twelve monthly normal daily lows and highs in °C, January first; empty = constant 20 °C.
    climate_monthly_low_c = models.JSONField(default=list, blank=True)
    climate_monthly_high_c = models.JSONField(default=list, blank=True)
    climate_source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assumptions = GenericRelation("Assumption")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"

    def __str__(self):
        return self.name

    def clean(self):
        for name in ("climate_monthly_low_c", "climate_monthly_high_c"):
            values = getattr(self, name)
            if values in (None, []):
                continue
            if not isinstance(values, list) or len(values) != 12 or not all(isinstance(v, (int, float)) for v in values):
                raise ValidationError({name: "Give twelve numbers in °C, January first, or leave it empty."})
            temperature = BOUNDS["temperature_c"]
            outside = [v for v in values if not temperature.contains(v)]
            if outside:
                raise ValidationError(
                    {name: f"{outside[0]} °C is outside {temperature.describe()}: {temperature.why}."}
                )
        lows, highs = self.climate_monthly_low_c or [], self.climate_monthly_high_c or []
        if bool(lows) != bool(highs):
            raise ValidationError({"climate_monthly_high_c": "Give both monthly lows and highs, or neither."})
        for month, (low, high) in enumerate(zip(lows, highs), start=1):
            if low > high:
                raise ValidationError({"climate_monthly_low_c": f"Month {month}: the low {low} °C is above the high {high} °C."})

    def get_absolute_url(self):
        return reverse("impact:facility", args=[self.slug])

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)


class Assumption(FiniteFloatsMixin, models.Model):
    """The range, confidence and source of one numeric input: a field of a facility-model row."""

    class Distribution(models.TextChoices):
        TRIANGULAR = "triangular", "Triangular (peak at the central value)"
        UNIFORM = "uniform", "Uniform between low and high"
        FIXED = "fixed", "Fixed (no range)"

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="all_assumptions")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    field_name = models.CharField(max_length=64)
    label = models.CharField(max_length=200, blank=True)
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    distribution = models.CharField(max_length=12, choices=Distribution.choices, default=Distribution.TRIANGULAR)
    status = models.CharField(max_length=2, choices=Confidence.choices, default=Confidence.UNVERIFIED)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="assumptions")
    note = models.TextField(blank=True)
    distribution_reason = models.TextField(
        blank=True, help_text="Why the input has this shape and range: what sets each end, why the peak sits where it does."
    )
    # One physical quantity entered on several rows (one turbine model's heat rate in two groups):
    # the linked rows take this assumption's draw in every Monte Carlo sample, not draws of their own.
    same_quantity_as = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="linked",
        help_text="The assumption this one is the same physical quantity as; its range and draw are used for both.",
    )

    class Meta:
        ordering = ["facility", "content_type", "object_id", "field_name"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "field_name"], name="one_assumption_per_field")
        ]

    def __str__(self):
        return self.label or f"{self.target} · {self.field_name}"

    @property
    def central(self):
        """The value in use: the field on the target row."""
        target = self.target
        return getattr(target, self.field_name, None) if target is not None else None

    @property
    def unit(self):
        """The unit, taken from the field's verbose name '... (unit)'."""
        target = self.target
        if target is None:
            return ""
        try:
            verbose = str(target._meta.get_field(self.field_name).verbose_name)
        except Exception:
            return ""
        return verbose[verbose.rfind("(") + 1 : -1] if verbose.endswith(")") and "(" in verbose else ""

    def clean(self):
        target = self.target
        if target is None:
            raise ValidationError("The row this assumption describes does not exist.")
        if not hasattr(target, self.field_name):
            raise ValidationError({"field_name": f"{type(target).__name__} has no field {self.field_name!r}."})
        central = self.central
        self._clean_bounds(target)
        if self.distribution != self.Distribution.FIXED and (self.low is None or self.high is None):
            raise ValidationError({"low": "A range needs both low and high (or choose 'fixed')."})
        if self.low is not None and self.high is not None:
            if self.low > self.high:
                raise ValidationError({"low": f"Low {self.low} is above high {self.high}."})
            if central is not None and not (self.low <= central <= self.high):
                raise ValidationError(
                    {"low": f"The value in use, {central}, lies outside the range {self.low}–{self.high}."}
                )
        if self.status in (Confidence.SOURCE, Confidence.SECONDARY) and self.source_id is None:
            raise ValidationError({"source": "A figure marked S or 2° must cite its source."})
        if self.same_quantity_as_id is not None:
            self._clean_link(central)

    def _clean_bounds(self, target):
        """A range may not reach beyond the physical bound of the field it varies: the engine draws
        values from the whole range, and would refuse the run at either end."""
        try:
            field = target._meta.get_field(self.field_name)
        except FieldDoesNotExist:
            return
        bound = field_bound(field)
        if bound is None:
            return
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, (int, float)) and math.isfinite(value) and not bound.contains(value):
                raise ValidationError(
                    {name: f"{capfirst(name)} {value:g} lies outside the physical bound of "
                     f"{field.verbose_name}, {bound.describe()}: {bound.why}."}
                )

    def _clean_link(self, central):
        other = self.same_quantity_as
        if other.pk == self.pk:
            raise ValidationError({"same_quantity_as": "An assumption cannot be linked to itself."})
        if other.facility_id != self.facility_id:
            raise ValidationError({"same_quantity_as": "Linked assumptions must describe the same facility."})
        if other.same_quantity_as_id is not None:
            raise ValidationError(
                {"same_quantity_as": f"{other} is itself linked to {other.same_quantity_as}: link to that one instead."}
            )
        if self.pk and self.linked.exists():
            raise ValidationError({"same_quantity_as": "Other assumptions are linked to this one: it cannot link onward."})
        if other.unit != self.unit:
            raise ValidationError(
                {"same_quantity_as": f"One physical quantity has one unit, but {self.unit!r} is not {other.unit!r}."}
            )
        theirs = other.central
        if isinstance(central, (int, float)) and isinstance(theirs, (int, float)) and not math.isclose(central, theirs):
            raise ValidationError(
                {"same_quantity_as": f"The same physical quantity cannot have two values in use ({central} here, {theirs} there)."}
            )


class FacilityPart(FiniteFloatsMixin, models.Model):
    """Common base of the rows that describe a facility."""

    assumptions = GenericRelation(Assumption)

    class Meta:
        abstract = True


class ComputeFleet(FacilityPart):
    """A homogeneous group of accelerators and the servers hosting them."""

    class Utilisation(models.TextChoices):
        CONSTANT = "constant", "Constant"
        TRAINING = "training", "Training (flat, high)"
        INFERENCE = "inference", "Inference (daily cycle)"
        HOURLY = "hourly", "Explicit 24- or 168-hour shape"

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="fleets")
    name = models.CharField(max_length=120)
    accelerator_model = models.CharField(max_length=120)
    accelerator_count = models.PositiveIntegerField("accelerators (count)", validators=bounded("accelerator_count"))
    tdp_w = models.FloatField("accelerator TDP (W)", validators=bounded("tdp_w"))
    idle_w = models.FloatField("accelerator idle power (W)", validators=bounded("idle_w"))
    # Host: CPUs, memory, fans, NICs and PSU losses of one server, linear in utilisation between
    # idle and maximum; idle = maximum gives a constant overhead ("300 W per server").
    host_idle_w_per_server = models.FloatField(
        "host power per server at idle (W)", default=0.0, validators=bounded("host_w_per_server")
    )
    host_max_w_per_server = models.FloatField(
        "host power per server at full load (W)", default=0.0, validators=bounded("host_w_per_server")
    )
    accelerators_per_server = models.PositiveSmallIntegerField(
        "accelerators per server (count)", default=8, validators=bounded("accelerators_per_server")
    )
    network_storage_share = models.FloatField(
        "networking and storage (share of server load)", default=0.0, validators=bounded("share_of_load")
    )
    utilisation_kind = models.CharField(max_length=12, choices=Utilisation.choices, default=Utilisation.TRAINING)
    mean_utilisation = models.FloatField(
        "mean utilisation (fraction)", default=0.8, validators=bounded("utilisation")
    )
    diurnal_amplitude = models.FloatField(
        "daily swing (fraction of mean)", default=0.25, validators=bounded("diurnal_amplitude")
    )
    hourly_shape = models.JSONField(default=list, blank=True, help_text="24 or 168 utilisation values (0–1).")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["facility", "order", "id"]

    def __str__(self):
        return f"{self.accelerator_count:,} × {self.accelerator_model}"

    def clean(self):
        if self.tdp_w is not None and self.idle_w is not None and self.idle_w > self.tdp_w:
            raise ValidationError({"idle_w": f"Idle power {self.idle_w} W cannot exceed the TDP of {self.tdp_w} W."})
        idle, peak = self.host_idle_w_per_server, self.host_max_w_per_server
        if idle is not None and peak is not None and idle > peak:
            raise ValidationError(
                {"host_idle_w_per_server": f"Host power at idle ({idle:g} W) cannot exceed host power at full load "
                 f"({peak:g} W): a server draws most when it works hardest (equal values give a constant overhead)."}
            )
        if self.utilisation_kind == self.Utilisation.HOURLY and not valid_hourly_shape(self.hourly_shape):
            raise ValidationError({"hourly_shape": "Give 24 or 168 utilisation values between 0 and 1."})
        if self.pk and self.accelerator_count is not None:
            most = self.stages.aggregate(most=models.Max("accelerator_count"))["most"]
            if most is not None and most > self.accelerator_count:
                raise ValidationError(
                    {"accelerator_count": f"A stage energises {most:,} accelerators, more than the fleet's "
                     f"{self.accelerator_count:,}: the fleet's count is the most it ever has."}
                )

    def stage_at(self, moment):
        """The stage in force at ``moment`` (None before the first or without stages)."""
        return self.stages.filter(starts__lte=moment).order_by("-starts").first()


def valid_hourly_shape(shape):
    shape = shape or []
    return len(shape) in (24, 168) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 for v in shape
    )


class FleetStage(FacilityPart):
    """From ``starts`` until the next stage, this many of the fleet's accelerators are installed and
    energised (0 takes the fleet out of service). Before the first stage the fleet has none.

    A stage may override the fleet's utilisation (kind and mean); empty fields take the fleet's.
    """

    fleet = models.ForeignKey(ComputeFleet, on_delete=models.CASCADE, related_name="stages")
    starts = models.DateTimeField(help_text="From this moment (inclusive) until the next stage starts.")
    accelerator_count = models.PositiveIntegerField(
        "accelerators energised (count)", validators=bounded("accelerator_count")
    )
    utilisation_kind = models.CharField(
        max_length=12, choices=ComputeFleet.Utilisation.choices, blank=True, help_text="Empty: the fleet's."
    )
    mean_utilisation = models.FloatField(
        "mean utilisation in this stage (fraction)", null=True, blank=True,
        validators=bounded("utilisation"), help_text="Empty: the fleet's.",
    )
    label = models.CharField(max_length=120, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["fleet", "starts"]
        constraints = [models.UniqueConstraint(fields=["fleet", "starts"], name="one_fleet_stage_per_start")]

    def __str__(self):
        return f"{self.accelerator_count:,} from {self.starts:%Y-%m-%d}" if self.starts else f"{self.accelerator_count:,}"

    def clean(self):
        fleet = getattr(self, "fleet", None) if self.fleet_id else None
        if fleet is not None and self.accelerator_count is not None and fleet.accelerator_count is not None:
            if self.accelerator_count > fleet.accelerator_count:
                raise ValidationError(
                    {"accelerator_count": f"This stage energises {self.accelerator_count:,} accelerators, more than the "
                     f"fleet's {fleet.accelerator_count:,}: raise the fleet's count (the most it ever has) first."}
                )
        kind = self.utilisation_kind or (fleet.utilisation_kind if fleet else "")
        if kind == ComputeFleet.Utilisation.HOURLY and fleet is not None and not valid_hourly_shape(fleet.hourly_shape):
            raise ValidationError(
                {"utilisation_kind": "An hourly profile needs the fleet's 24- or 168-hour shape; give it on the fleet first."}
            )

    @property
    def facility(self):
        return self.fleet.facility


class PlannedDowntime(models.Model):
    """A window in which a fleet idles (maintenance, an outage)."""

    fleet = models.ForeignKey(ComputeFleet, on_delete=models.CASCADE, related_name="downtimes")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts"]

    def __str__(self):
        return f"{self.starts:%Y-%m-%d %H:%M} – {self.ends:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.starts and self.ends and self.ends <= self.starts:
            raise ValidationError({"ends": "The end must come after the start."})


class Cooling(FacilityPart):
    """How the heat leaves the building: overhead on IT power (PUE) and water drawn (WUE)."""

    facility = models.OneToOneField(Facility, on_delete=models.CASCADE, related_name="cooling")
    description = models.CharField(max_length=200, blank=True)
    pue_at_reference = models.FloatField("PUE at the reference temperature (ratio)", validators=bounded("pue"))
    pue_reference_temp_c = models.FloatField(
        "reference outdoor temperature (°C)", default=20.0, validators=bounded("temperature_c")
    )
    pue_slope_per_degc = models.FloatField(
        "PUE rise per °C above the reference (per °C)", default=0.0, validators=bounded("pue_slope_per_degc")
    )
    wue_l_per_kwh = models.FloatField(
        "water use effectiveness (L/kWh IT)", default=0.0, validators=bounded("wue_l_per_kwh")
    )

    class Meta:
        verbose_name_plural = "cooling"

    def __str__(self):
        return f"PUE {self.pue_at_reference}, WUE {self.wue_l_per_kwh} L/kWh"

    def clean(self):
        if self.pue_at_reference is not None and self.pue_at_reference < 1:
            raise ValidationError(
                {"pue_at_reference": "PUE cannot be below 1: a building cannot use less power than its IT load."}
            )


class GridSupply(FacilityPart):
    """The utility connection: who supplies it, and what the grid emits per MWh delivered."""

    facility = models.OneToOneField(Facility, on_delete=models.CASCADE, related_name="grid")
    utility = models.CharField(max_length=200)
    generation_water_l_per_kwh = models.FloatField(
        "water consumed by power plants (L/kWh)", null=True, blank=True, default=None,
        validators=bounded("generation_water_l_per_kwh"),
        help_text="Empty: not estimated. The report then leaves this water out rather than show 0.",
    )

    class Meta:
        verbose_name_plural = "grid supply"

    def __str__(self):
        return self.utility


class GridContract(FacilityPart):
    """Contracted grid capacity in force over a period; outside every contract the grid gives 0 MW."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending / reported, not final"
        SIGNED = "signed", "Signed"

    grid = models.ForeignKey(GridSupply, on_delete=models.CASCADE, related_name="contracts")
    capacity_mw = models.FloatField("contracted capacity (MW)", validators=bounded("capacity_mw"))
    starts = models.DateTimeField(null=True, blank=True, help_text="Empty: since always.")
    ends = models.DateTimeField(null=True, blank=True, help_text="Empty: open-ended.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["grid", "starts"]

    def __str__(self):
        since = f"from {self.starts:%Y-%m-%d}" if self.starts else "from the start"
        return f"{self.capacity_mw:g} MW {since}"

    def clean(self):
        if self.starts and self.ends and self.ends <= self.starts:
            raise ValidationError({"ends": "The contract must end after it starts."})


class GridEmissionRate(FacilityPart):
    """Emission rate of the grid's electricity for one pollutant, on one scope-2 basis.

    Location-based rates (the grid subregion's average, eGRID) make the totals; market-based rates
    (the supplier's own system rate) are reported beside them, per the GHG Protocol scope-2 guidance.
    """

    class Basis(models.TextChoices):
        LOCATION = "location", "Location-based (eGRID subregion average)"
        MARKET = "market", "Market-based (supplier's system rate)"

    grid = models.ForeignKey(GridSupply, on_delete=models.CASCADE, related_name="emission_rates")
    pollutant = models.CharField(max_length=16, choices=Pollutant.choices)
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.LOCATION)
    lb_per_mwh = models.FloatField("emission rate (lb/MWh)", validators=bounded("grid_rate_lb_per_mwh"))
    vintage = models.CharField(
        max_length=80, blank=True, help_text='Which edition the rate is from, e.g. "eGRID2021" or "TVA 2023".'
    )

    class Meta:
        ordering = ["grid", "basis", "pollutant"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "pollutant", "basis"], name="one_grid_rate_per_pollutant_and_basis")
        ]

    def __str__(self):
        vintage = f" ({self.vintage})" if self.vintage else ""
        return f"{self.get_pollutant_display()} {self.lb_per_mwh:g} lb/MWh, {self.basis}{vintage}"


class GeneratorGroup(FacilityPart):
    """Identical on-site gas units: reciprocating engines (AP-42 §3.2) or turbines (§3.1)."""

    class Kind(models.TextChoices):
        ENGINE = "engine", "Reciprocating engine"
        TURBINE = "turbine", "Gas turbine"

    class Controls(models.TextChoices):
        # Values are impact.engine.inputs.CONTROLS ("" = none).
        NONE = "", "None"
        SCR = "scr", "Selective catalytic reduction (SCR)"
        OXCAT = "oxcat", "Oxidation catalyst"
        SCR_OXCAT = "scr_oxcat", "SCR + oxidation catalyst"

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="generators")
    name = models.CharField(max_length=120)
    model_name = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    unit_count = models.PositiveIntegerField("units (count)", validators=bounded("unit_count"))
    rated_mw = models.FloatField("rated output per unit (MW)", validators=bounded("rated_mw"))
    min_load_fraction = models.FloatField(
        "minimum stable load (fraction of rated)", default=0.3, validators=bounded("load_fraction")
    )
    heat_rate_btu_per_kwh = models.FloatField(
        "full-load heat rate (Btu/kWh, HHV)", validators=bounded("heat_rate_btu_per_kwh")
    )
    part_load_heat_rate = models.JSONField(
        default=list, blank=True, help_text="[[load fraction, heat-rate multiplier], …], e.g. [[0.5, 1.15], [1.0, 1.0]]."
    )
    availability = models.FloatField(
        "availability (fraction of units)", default=1.0, validators=bounded("availability")
    )
    controls = models.CharField(
        max_length=12, choices=Controls.choices, blank=True, default=Controls.NONE,
        help_text="Emission controls; their factors apply from controls_from.",
    )
    controls_from = models.DateTimeField(
        null=True, blank=True, help_text="When the controls come into force (a permit's date); empty: the whole time."
    )
    shaft_to_electric_efficiency = models.FloatField(
        "generator efficiency, shaft to electric (fraction)", default=0.97,
        validators=bounded("shaft_to_electric_efficiency"),
        help_text="Converts g/bhp-hr limits (shaft work) to electric output.",
    )
    available_from = models.DateTimeField(null=True, blank=True, help_text="On site and able to run from; empty: always.")
    available_to = models.DateTimeField(null=True, blank=True, help_text="Gone from (exclusive); empty: open-ended.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Dispatch order: lower runs first.")

    class Meta:
        ordering = ["facility", "order", "id"]

    def __str__(self):
        return f"{self.unit_count} × {self.name}"

    def clean(self):
        curve = self.part_load_heat_rate or []
        multiplier = BOUNDS["heat_rate_multiplier"]
        if not isinstance(curve, list) or not all(
            isinstance(p, (list, tuple)) and len(p) == 2 and 0 < p[0] <= 1 and multiplier.contains(p[1]) and p[1] > 0
            for p in curve
        ):
            raise ValidationError(
                {"part_load_heat_rate": "Give [load fraction (0–1], multiplier (above 0, at most "
                 f"{number(multiplier.high)})] pairs, e.g. [[0.5, 1.15], [1.0, 1.0]]."}
            )
        if self.available_from and self.available_to and self.available_to <= self.available_from:
            raise ValidationError({"available_to": "The units must leave after they arrive."})
        if self.controls_from and not self.controls:
            raise ValidationError({"controls_from": "A date for the controls to come into force needs a control: choose one."})
        if self.controls_from and self.available_to and self.controls_from >= self.available_to:
            raise ValidationError({"controls_from": "The controls would come into force after the units have left."})

    @property
    def capacity_mw(self):
        return self.unit_count * self.rated_mw


class GeneratorEmissionFactor(FacilityPart):
    """Emission factor of a generator group for one pollutant, per MMBtu of fuel (HHV)."""

    generator = models.ForeignKey(GeneratorGroup, on_delete=models.CASCADE, related_name="emission_factors")
    pollutant = models.CharField(max_length=16, choices=Pollutant.choices)
    lb_per_mmbtu = models.FloatField(
        "uncontrolled factor (lb/MMBtu)", validators=bounded("emission_factor_lb_per_mmbtu")
    )
    controlled_lb_per_mmbtu = models.FloatField(
        "factor with controls (lb/MMBtu)", null=True, blank=True, validators=bounded("emission_factor_lb_per_mmbtu")
    )
    part_load_lb_per_mmbtu = models.FloatField(
        "factor below 90 % load (lb/MMBtu)", null=True, blank=True, validators=bounded("emission_factor_lb_per_mmbtu"),
        help_text="AP-42 §3.2 gives engines a second factor below 90 % of rated load; empty: the factor above applies.",
    )
    limit_g_per_bhp_hr = models.FloatField(
        "certified or regulatory limit (g/bhp-hr)", null=True, blank=True, validators=bounded("limit_g_per_bhp_hr"),
        help_text="e.g. NSPS JJJJ; when set it replaces the AP-42 factors (converted with the heat rate).",
    )
    startup_lb_per_event = models.FloatField(
        "mass per unit start (lb/event)", null=True, blank=True, validators=bounded("startup_lb_per_event"),
        help_text="Added for every unit start (a startup/shutdown event), where a factor exists.",
    )

    class Meta:
        ordering = ["generator", "pollutant"]
        constraints = [
            models.UniqueConstraint(fields=["generator", "pollutant"], name="one_generator_factor_per_pollutant")
        ]

    def __str__(self):
        return f"{self.get_pollutant_display()} {self.lb_per_mmbtu:g} lb/MMBtu"


class BatteryStorage(FacilityPart):
    """Battery storage on site (e.g. Tesla Megapacks): power, energy, losses and how it is dispatched.

    Energy stored = energy charged × round-trip efficiency (all losses booked on charging).
    """

    class DispatchRule(models.TextChoices):
        PEAK_SHAVING = "peak_shaving", "Peak shaving: covers load above the grid before generators start"
        BACKUP_ONLY = "backup_only", "Backup only: covers load the grid and generators cannot"

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="batteries")
    name = models.CharField(max_length=120)
    power_mw = models.FloatField("power, charge or discharge (MW)", validators=bounded("battery_power_mw"))
    energy_mwh = models.FloatField("energy capacity (MWh)", validators=bounded("battery_energy_mwh"))
    round_trip_efficiency = models.FloatField(
        "round-trip efficiency (fraction)", default=0.9, validators=bounded("round_trip_efficiency")
    )
    dispatch_rule = models.CharField(max_length=12, choices=DispatchRule.choices, default=DispatchRule.PEAK_SHAVING)
    initial_state_of_charge = models.FloatField(
        "state of charge at the start of a period (fraction)", default=1.0,
        validators=bounded("state_of_charge"),
    )
    available_from = models.DateTimeField(null=True, blank=True, help_text="In service from; empty: always.")
    available_to = models.DateTimeField(null=True, blank=True, help_text="Out of service from (exclusive); empty: open-ended.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["facility", "order", "id"]
        verbose_name_plural = "battery storage"

    def __str__(self):
        return f"{self.name} ({self.power_mw:g} MW / {self.energy_mwh:g} MWh)"

    def clean(self):
        if self.round_trip_efficiency is not None and self.round_trip_efficiency <= 0:
            raise ValidationError(
                {"round_trip_efficiency": "A battery that gives back nothing of what it was charged with is not storage: "
                 "give a round-trip efficiency above 0 (Li-ion packs: about 0.85–0.92)."}
            )
        if self.power_mw and self.energy_mwh == 0:
            raise ValidationError(
                {"energy_mwh": "A battery with power but no energy can deliver nothing: give its capacity in MWh."}
            )
        if self.available_from and self.available_to and self.available_to <= self.available_from:
            raise ValidationError({"available_to": "The battery must leave service after it enters it."})

    @property
    def duration_h(self):
        return self.energy_mwh / self.power_mw if self.power_mw else None


class Scenario(models.Model):
    """A named set of overrides on a facility's inputs, compared side by side with the base case.

    ``overrides`` maps engine input paths to values, e.g. {"fleets.0.accelerator_count": 200000}
    or {"generators": []}; see impact.engine.inputs.Scenario.
    """

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    overrides = models.JSONField(default=dict)
    is_active = models.BooleanField(default=True, help_text="Active scenarios are computed with every report.")

    class Meta:
        ordering = ["facility", "name"]
        constraints = [models.UniqueConstraint(fields=["facility", "slug"], name="unique_scenario_slug")]

    def __str__(self):
        return self.name

    def clean(self):
        if not isinstance(self.overrides, dict) or not self.overrides:
            raise ValidationError({"overrides": "Give at least one override as {\"path\": value}."})


# --- Air permits ---------------------------------------------------------------------------------


class AirPermit(models.Model):
    """An air permit for some of a facility's generator groups, and its document as a Source.

    Its limits (:class:`PermitLimit`) are caps on rolling 12-month emissions and yearly operating
    limits. A permit applies from ``effective_on`` to ``expires_on`` (inclusive; empty: open-ended);
    before it, the generators ran under no such caps, which the public pages say.
    """

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="air_permits")
    issuer = models.CharField(max_length=200, help_text="The agency that issued it, e.g. Shelby County Health Department.")
    number = models.CharField(max_length=80, blank=True, help_text="The permit's number; empty while it is not known.")
    issued_on = models.DateField()
    effective_on = models.DateField(help_text="The first day its limits apply.")
    expires_on = models.DateField(null=True, blank=True, help_text="The last day it applies; empty: no expiry known.")
    generators = models.ManyToManyField(
        GeneratorGroup, blank=True, related_name="air_permits", help_text="The generator groups it covers."
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="air_permits", help_text="The permit document, or the report of it.")
    status = models.CharField(max_length=2, choices=Confidence.choices, help_text="How far the permit's figures have been checked.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["facility", "-effective_on"]

    def __str__(self):
        number = f" {self.number}" if self.number else ""
        return f"{self.issuer} air permit{number} ({self.effective_on:%-d %b %Y})"

    def clean(self):
        if self.issued_on and self.effective_on and self.effective_on < self.issued_on:
            raise ValidationError({"effective_on": "A permit cannot apply before it is issued: give an effective date on or after the issue date."})
        if self.effective_on and self.expires_on and self.expires_on <= self.effective_on:
            raise ValidationError({"expires_on": "The permit must expire after the day it takes effect."})

    def applies_on(self, day):
        """Whether the permit's limits apply on ``day`` (a date)."""
        return self.effective_on <= day and (self.expires_on is None or day <= self.expires_on)

    def emission_caps(self):
        """Pollutant key → cap in tonnes per rolling 12 months."""
        return {lim.pollutant: lim.value for lim in self.limits.all() if lim.kind == PermitLimit.Kind.EMISSIONS}


class PermitLimit(FiniteFloatsMixin, models.Model):
    """One limit of an air permit: a pollutant's rolling 12-month cap, run hours or startup/shutdown events a year."""

    class Kind(models.TextChoices):
        EMISSIONS = "emissions", "Emissions cap"
        RUN_HOURS = "run_hours", "Run hours"
        STARTUP_SHUTDOWN = "startup_shutdown", "Startup/shutdown events"

    class Unit(models.TextChoices):
        TONNES_ROLLING_12_MONTHS = "t per rolling 12 months", "t per rolling 12 months"
        HOURS_PER_YEAR = "h per year", "h per year"
        EVENTS_PER_YEAR = "events per year", "events per year"

    # The unit each kind of limit is written in.
    KIND_UNITS = {
        Kind.EMISSIONS: Unit.TONNES_ROLLING_12_MONTHS,
        Kind.RUN_HOURS: Unit.HOURS_PER_YEAR,
        Kind.STARTUP_SHUTDOWN: Unit.EVENTS_PER_YEAR,
    }
    # Permits cap hazardous air pollutants together (HAP) beside formaldehyde, one of them; the
    # engine computes formaldehyde only, so "hap" is a permit key, not an engine pollutant.
    HAP = "hap"
    POLLUTANT_CHOICES = [("", "—"), *Pollutant.choices, (HAP, "HAP (all hazardous air pollutants)")]

    permit = models.ForeignKey(AirPermit, on_delete=models.CASCADE, related_name="limits")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EMISSIONS)
    pollutant = models.CharField(
        max_length=16, choices=POLLUTANT_CHOICES, blank=True, help_text="For an emissions cap; empty for the other limits."
    )
    value = models.FloatField("limit")
    unit = models.CharField(max_length=32, choices=Unit.choices, default=Unit.TONNES_ROLLING_12_MONTHS)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["permit", "kind", "pollutant"]
        constraints = [
            models.UniqueConstraint(fields=["permit", "kind", "pollutant"], name="one_permit_limit_per_kind_and_pollutant"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="permit_limit_positive"),
        ]

    def __str__(self):
        what = self.get_pollutant_display() if self.pollutant else self.get_kind_display()
        return f"{what}: {self.value:g} {self.unit}"

    def clean(self):
        errors = {}
        if self.value is not None and math.isfinite(self.value) and self.value <= 0:
            errors["value"] = f"A limit must be above 0 {self.unit}, not {self.value:g}: a cap of 0 or less allows nothing, which is not what a permit says."
        if self.kind == self.Kind.EMISSIONS and not self.pollutant:
            errors["pollutant"] = "An emissions cap needs its pollutant."
        if self.kind != self.Kind.EMISSIONS and self.pollutant:
            errors["pollutant"] = "Only an emissions cap names a pollutant; leave it empty for run hours and startup/shutdown events."
        expected = self.KIND_UNITS.get(self.kind)
        if expected and self.unit != expected:
            errors["unit"] = f"A {self.get_kind_display().lower()} limit is written in “{expected}”, not “{self.unit}”."
        if errors:
            raise ValidationError(errors)


# --- Reports ------------------------------------------------------------------------------------


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"
    CUSTOM = "custom", "Custom dates"


class Report(models.Model):
    """A facility over a period ("Memphis Supercluster, July 2024"); its versions are published runs.

    Dates are local to the facility: a July report runs from 1 July 00:00 to 1 August 00:00 in the
    facility's time zone, stored and computed in UTC.
    """

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="reports")
    period_kind = models.CharField(max_length=10, choices=PeriodKind.choices)
    period = models.CharField(max_length=32, help_text="2024-07, 2024-Q3, 2024, or 2024-07-01..2024-07-15.")
    start_date = models.DateField()
    end_date = models.DateField(help_text="Exclusive: the day after the last day covered.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["facility", "-start_date", "period"]
        constraints = [models.UniqueConstraint(fields=["facility", "period"], name="unique_report_period")]

    def __str__(self):
        return f"{self.facility} · {self.period_label}"

    def get_absolute_url(self):
        return reverse("impact:report-latest", args=[self.facility.slug, self.period])

    @property
    def period_label(self):
        from impact.periods import parse_period

        return parse_period(self.period).label

    def latest_version(self):
        return self.versions.order_by("-number").first()

    def local_bounds(self):
        """The period's start and end as aware datetimes at local midnight."""
        zone = self.facility.zone
        return (
            dt.datetime.combine(self.start_date, dt.time(), tzinfo=zone),
            dt.datetime.combine(self.end_date, dt.time(), tzinfo=zone),
        )


class ReportRun(models.Model):
    """One computation of a report by a worker: a job row (status, input hash, times, error).

    A worker claims a pending run atomically; results are saved in one transaction with the
    status change, so a run is either succeeded with all its results or has none.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Stage(models.TextChoices):
        QUEUED = "queued", "Queued"
        COMPUTING = "computing", "Computing"
        DRAWING = "drawing", "Drawing charts"
        SAVING = "saving", "Saving"
        DONE = "done", "Done"

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    input_snapshot = models.JSONField(help_text="Every input the run used, as the engine saw it.")
    input_hash = models.CharField(max_length=64, db_index=True)
    engine_version = models.CharField(max_length=20, blank=True)
    gwp_set = models.CharField(max_length=8, default="AR6")
    monte_carlo_samples = models.PositiveIntegerField(default=1000)
    seed = models.BigIntegerField(default=12345)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="Engine result: metrics, generators, checks.")
    series_columns = models.JSONField(default=list, blank=True)
    # The lease of the worker computing the run (impact.leases): only the holder of the current
    # token may save results, and a lease that runs out hands the run back to the queue.
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="How many times a worker has claimed the run.")
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="When its message last reached the broker.")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Run {self.pk} of {self.report} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        # Results, inputs and status of a published run are frozen; the service layer never saves
        # one, so this only stops accidents (the admin, a shell, a future code path).
        if self.pk:
            _refuse_if_published(self.pk)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_published(self.pk)
        return super().delete(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("impact:run", args=[self.pk])

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def is_active(self):
        return self.status in (self.Status.PENDING, self.Status.RUNNING)


class ReportMetric(models.Model):
    """A headline figure of a run (base case or a scenario) with its Monte Carlo range."""

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="metrics")
    scenario = models.CharField(max_length=120, blank=True, help_text="Empty for the base case.")
    key = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    unit = models.CharField(max_length=32)
    value = models.FloatField()
    p5 = models.FloatField(null=True, blank=True)
    p50 = models.FloatField(null=True, blank=True)
    p95 = models.FloatField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["run", "scenario", "order"]
        constraints = [models.UniqueConstraint(fields=["run", "scenario", "key"], name="unique_run_metric")]

    def __str__(self):
        return f"{self.label}: {self.value:g} {self.unit}"

    def save(self, *args, **kwargs):
        _refuse_if_published(self.run_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        _refuse_if_published(self.run_id)
        return super().delete(*args, **kwargs)


class SeriesPoint(models.Model):
    """One time step of a run's base-case series; ``values`` maps column name (unit in name) → value."""

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="points")
    timestamp = models.DateTimeField()
    values = models.JSONField()

    class Meta:
        ordering = ["run", "timestamp"]
        constraints = [models.UniqueConstraint(fields=["run", "timestamp"], name="unique_run_timestamp")]

    def __str__(self):
        return f"{self.run_id} @ {self.timestamp:%Y-%m-%dT%H:%MZ}"

    def save(self, *args, **kwargs):
        _refuse_if_published(self.run_id)
        super().save(*args, **kwargs)


class ReportChart(models.Model):
    """A chart drawn by the worker, with its alt text and the same data as a table, in one language.

    The worker draws each public chart once per language of settings.LANGUAGES (issue 14); runs
    drawn before that have English charts only, which the pages show marked lang="en".
    """

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="charts")
    key = models.SlugField(max_length=40)
    language = models.CharField(max_length=8, default="en", help_text="The language of its words: en, es.")
    title = models.CharField(max_length=200)
    alt_text = models.TextField()
    png = models.BinaryField()
    svg = models.BinaryField(blank=True)
    table = models.JSONField(default=dict, help_text='{"columns": [...], "rows": [[...], ...]}')
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["run", "order", "language"]
        constraints = [models.UniqueConstraint(fields=["run", "key", "language"], name="unique_run_chart_language")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        _refuse_if_published(self.run_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.image_url("png")

    def image_url(self, fmt):
        """The image in its language: the URL names it, so a cache never serves one language for another."""
        return reverse("impact:chart-language", args=[self.run_id, self.language, self.key, fmt])


class ReportVersion(models.Model):
    """A published, immutable version of a report: a succeeded run given a number.

    Version 1 is the first publication; a correction publishes another run as version N+1 with a
    changelog note, and the earlier versions stay reachable, marked as superseded.
    """

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    run = models.OneToOneField(ReportRun, on_delete=models.PROTECT, related_name="version")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changelog = models.TextField(blank=True, help_text="Required for corrections: what changed and why.")
    # A run whose modelled demand exceeded every supply by more than the publish threshold
    # (settings.IMPACT_UNSERVED_PUBLISH_THRESHOLD) needs an analyst's written reason; the public
    # report shows it beside the figures.
    unserved_acknowledgement = models.TextField(
        blank=True, help_text="Why the run may be published although the model could not serve part of its demand."
    )

    class Meta:
        ordering = ["report", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="unique_report_version")]

    def __str__(self):
        return f"{self.report} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk and ReportVersion.objects.filter(pk=self.pk).exists():
            raise PublishedRunError("A published version never changes; publish a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PublishedRunError("A published version cannot be deleted; publish a correction instead.")

    def get_absolute_url(self):
        return reverse("impact:report-version", args=[self.report.facility.slug, self.report.period, self.number])

    def superseded_by(self):
        """The newest later version, or None when this one is current."""
        return self.report.versions.filter(number__gt=self.number).order_by("-number").first()


class PublishedRunError(ValueError):
    """Raised when something tries to change what a published version shows."""


def _refuse_if_published(run_id):
    if run_id and ReportVersion.objects.filter(run_id=run_id).exists():
        raise PublishedRunError("This run is published and can no longer change; publish a correction instead.")


class ReportArtifact(models.Model):
    """A download made by the worker with the run: hourly CSV, summary JSON, PDF; with its SHA-256."""

    class Kind(models.TextChoices):
        # The link's words follow the reader's language; the files themselves are English data.
        CSV = "csv", _("Hourly series (CSV)")
        JSON = "json", _("Summary (JSON)")
        PDF = "pdf", _("Report (PDF)")

    CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json", "pdf": "application/pdf"}

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="artifacts")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveIntegerField()

    class Meta:
        ordering = ["run", "kind"]
        constraints = [models.UniqueConstraint(fields=["run", "kind"], name="one_artifact_per_kind")]

    def __str__(self):
        return self.filename

    def save(self, *args, **kwargs):
        _refuse_if_published(self.run_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("impact:download", args=[self.run_id, self.kind])


class ReportSubscription(models.Model):
    """A resident's request to be e-mailed when a facility publishes a report (double opt-in)."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The e-mails are written in the language the resident subscribed in (issue 14).
    language = models.CharField(max_length=8, default="en", help_text="The language of its e-mails: en, es.")

    class Meta:
        ordering = ["facility", "email"]
        constraints = [models.UniqueConstraint(fields=["facility", "email"], name="one_subscription_per_email")]

    def __str__(self):
        return f"{self.email} → {self.facility}"


class SubscriptionDelivery(models.Model):
    """One e-mail sent for one published version to one subscriber, so a rerun never sends twice."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(ReportSubscription, on_delete=models.CASCADE, related_name="deliveries")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "subscription"], name="one_delivery_per_version")]

    def __str__(self):
        return f"{self.version} → {self.subscription.email}"


# Measured data (issue 15) lives in its own module; importing it here registers its models.
from impact.models_measured import CemsHour, MeasuredDataset, MeasuredValue, RunLogEntry  # noqa: E402,F401
