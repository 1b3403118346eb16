"""Input validation: every rule raises :class:`EngineInputError` naming the offending field, so
nothing is ever computed from an input the engine cannot honour."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from .bounds import BOUNDS, number
from .climate import has_climate
from .constants import GWP_SETS, MAX_MONTE_CARLO_SAMPLES, MAX_STEPS
from .errors import EngineInputError
from .inputs import (
    BATTERY_RULES,
    CONTROLS,
    GHG_POLLUTANTS,
    POLLUTANTS,
    BatteryInput,
    FacilityInput,
    FleetInput,
    GeneratorInput,
    Period,
    RunOptions,
)
from .paths import get_path, is_number, set_path

UTILISATION_KINDS = ("constant", "training", "inference", "hourly")
GENERATOR_KINDS = ("engine", "turbine")
DISTRIBUTIONS = ("triangular", "uniform")
# Every generator must state these (AP-42, lb/MMBtu); CO2 and N2O come from FuelInput (Part 98)
# and CH4 may optionally override Part 98 (see docs/engine.md).
REQUIRED_GENERATOR_FACTORS = tuple(p for p in POLLUTANTS if p not in GHG_POLLUTANTS)
ALLOWED_GENERATOR_FACTORS = REQUIRED_GENERATOR_FACTORS + ("ch4",)
# Clock settings shape the time axis itself (which hour is local noon); they are not quantities
# to sample.
FIXED_SETTINGS = ("climate.utc_offset_hours", "climate.min_hour_local", "climate.max_hour_local")


def _fail(path: str, message: str) -> None:
    raise EngineInputError(path, message)


def _number(path: str, value: Any, *, low: float | None = None, high: float | None = None,
            low_open: bool = False, what: str = "") -> float:
    """Check that ``value`` is a finite number within [low, high] (or (low, high] if low_open)."""
    if not is_number(value) or not math.isfinite(value):
        _fail(path, f"{value!r} is not a finite number")
    if low is not None and (value < low or (low_open and value == low)):
        bound = f"greater than {low:g}" if low_open else f"at least {low:g}"
        _fail(path, f"{what or 'value'} {value:g} must be {bound}")
    if high is not None and value > high:
        _fail(path, f"{what or 'value'} {value:g} must be at most {high:g}")
    return float(value)


def _bounded(path: str, value: Any, name: str, *, low_open: bool = False, what: str = "") -> float:
    """:func:`_number` within the physical bound ``name`` of impact.engine.bounds (the same limits the
    model fields' validators use); an upper-bound error says why nothing real lies beyond it."""
    b = BOUNDS[name]
    if is_number(value) and math.isfinite(value) and value > b.high:
        _fail(path, f"{b.what} {value:g} is above the physical bound of {number(b.high)} {b.unit}: {b.why}")
    return _number(path, value, low=b.low, high=b.high, low_open=low_open, what=what or b.what)


def _number_list(path: str, values: Any, low: float, high: float, what: str) -> None:
    """Like :func:`_number` for every entry of a long tuple, vectorised (8,760 hourly values are
    checked once per uncertainty end, so a Python loop would be noticeable)."""
    arr = np.asarray(values)
    if arr.ndim == 1 and arr.dtype.kind in "fi":  # plain numbers (not bools, strings, objects)
        bad = np.flatnonzero(~np.isfinite(arr) | (arr < low) | (arr > high))
        if not bad.size:
            return
        i = int(bad[0])
    else:
        i = next((i for i, v in enumerate(values) if not is_number(v)), 0)
    _number(f"{path}.{i}", values[i], low=low, high=high, what=what)


def _count(path: str, value: Any, strict_integer: bool, name: str) -> None:
    if strict_integer and not (is_number(value) and float(value).is_integer()):
        _fail(path, f"count {value!r} must be a whole number")
    _bounded(path, value, name, what="count")


def _aware(path: str, value: Any) -> None:
    if not isinstance(value, dt.datetime):
        _fail(path, f"{value!r} is not a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        _fail(path, f"naive datetime {value.isoformat()} (give a UTC-aware datetime)")


def _window(path: str, starts: Any, ends: Any, start_name: str, end_name: str) -> None:
    if starts is not None:
        _aware(f"{path}.{start_name}", starts)
    if ends is not None:
        _aware(f"{path}.{end_name}", ends)
    if starts is not None and ends is not None and ends <= starts:
        _fail(f"{path}.{end_name}", f"end {ends.isoformat()} is not after start {starts.isoformat()}")


def validate_period(period: Period) -> None:
    """Period rules: aware datetimes on whole minutes, end after start, a whole number of steps."""
    _aware("period.start", period.start)
    _aware("period.end", period.end)
    if period.start.second or period.start.microsecond:
        _fail("period.start", "must fall on a whole minute")
    if period.end <= period.start:
        _fail("period.end", f"end {period.end.isoformat()} is not after start {period.start.isoformat()}")
    step = period.step_minutes
    if isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= 1440:
        _fail("period.step_minutes", f"{step!r} must be a whole number of minutes from 1 to 1440")
    span_min = (period.end - period.start).total_seconds() / 60.0
    if span_min % step:
        _fail("period.end", f"the period ({span_min:g} min) is not a whole number of {step}-minute steps")
    if span_min / step > MAX_STEPS:
        _fail("period", f"{span_min / step:.0f} steps exceed the limit of {MAX_STEPS}")


def validate_options(options: RunOptions) -> None:
    """Run-option rules: known GWP set, sample count within limits, integer seed."""
    if options.gwp_set not in GWP_SETS:
        _fail("options.gwp_set", f"unknown GWP set {options.gwp_set!r} (use one of {', '.join(GWP_SETS)})")
    n = options.monte_carlo_samples
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_MONTE_CARLO_SAMPLES:
        _fail("options.monte_carlo_samples", f"{n!r} must be a whole number from 0 to {MAX_MONTE_CARLO_SAMPLES}")
    if n == 1:
        _fail("options.monte_carlo_samples", "1 sample gives no spread; use 0 (off) or at least 2")
    if isinstance(options.seed, bool) or not isinstance(options.seed, int) or options.seed < 0:
        _fail("options.seed", f"{options.seed!r} must be a non-negative whole number")


def _validate_profile(upath: str, profile: Any) -> None:
    if profile.kind not in UTILISATION_KINDS:
        _fail(f"{upath}.kind", f"unknown profile {profile.kind!r} (use one of {', '.join(UTILISATION_KINDS)})")
    _bounded(f"{upath}.mean_utilisation", profile.mean_utilisation, "utilisation")
    _bounded(f"{upath}.diurnal_amplitude", profile.diurnal_amplitude, "diurnal_amplitude", what="amplitude")
    if profile.kind == "hourly":
        if len(profile.hourly_shape) not in (24, 168):
            _fail(f"{upath}.hourly_shape",
                  f"needs 24 (a day) or 168 (a week) values, got {len(profile.hourly_shape)}")
        _number_list(f"{upath}.hourly_shape", profile.hourly_shape, BOUNDS["utilisation"].low,
                     BOUNDS["utilisation"].high, "utilisation")
    for i, window in enumerate(profile.planned_downtime):
        if len(window) != 2:
            _fail(f"{upath}.planned_downtime.{i}", "must be a (start, end) pair")
        _window(f"{upath}.planned_downtime.{i}", window[0], window[1], "0", "1")


def _validate_fleet(path: str, fleet: FleetInput, period: Period, strict: bool) -> None:
    _count(f"{path}.accelerator_count", fleet.accelerator_count, strict, "accelerator_count")
    tdp = _bounded(f"{path}.tdp_w", fleet.tdp_w, "tdp_w", low_open=True, what="TDP")
    idle = _bounded(f"{path}.idle_w", fleet.idle_w, "idle_w", what="idle power")
    if idle > tdp:
        _fail(f"{path}.idle_w", f"idle power {idle:g} W exceeds TDP {tdp:g} W")
    host_idle = _bounded(f"{path}.host_idle_w_per_server", fleet.host_idle_w_per_server, "host_w_per_server",
                         what="host idle power")
    host_max = _bounded(f"{path}.host_max_w_per_server", fleet.host_max_w_per_server, "host_w_per_server",
                        what="host maximum power")
    if host_idle > host_max:
        _fail(f"{path}.host_idle_w_per_server",
              f"host idle power {host_idle:g} W exceeds host maximum {host_max:g} W (equal gives a constant overhead)")
    if strict and not (is_number(fleet.accelerators_per_server) and float(fleet.accelerators_per_server).is_integer()):
        _fail(f"{path}.accelerators_per_server", f"{fleet.accelerators_per_server!r} must be a whole number")
    _bounded(f"{path}.accelerators_per_server", fleet.accelerators_per_server, "accelerators_per_server")
    _bounded(f"{path}.network_storage_share", fleet.network_storage_share, "share_of_load",
             what="network/storage share")
    _validate_profile(f"{path}.utilisation", fleet.utilisation)
    if not isinstance(fleet.stages, tuple):
        _fail(f"{path}.stages", "must be a tuple of FleetStage")
    previous = None
    largest = 0.0
    for j, stage in enumerate(fleet.stages):
        spath = f"{path}.stages.{j}"
        _aware(f"{spath}.starts", stage.starts)
        if previous is not None and stage.starts <= previous:
            _fail(f"{spath}.starts", f"stages must start in order; {stage.starts.isoformat()} is not after "
                  f"{previous.isoformat()}")
        previous = stage.starts
        _count(f"{spath}.accelerator_count", stage.accelerator_count, strict, "accelerator_count")
        largest = max(largest, float(stage.accelerator_count))
        if stage.utilisation is not None:
            _validate_profile(f"{spath}.utilisation", stage.utilisation)
    if fleet.stages and largest > float(fleet.accelerator_count) + 1e-9:
        _fail(f"{path}.accelerator_count",
              f"a stage energises {largest:,.0f} accelerators, more than the fleet's {float(fleet.accelerator_count):,.0f}")


def _validate_factors(path: str, factors: Any, name: str = "emission_factor_lb_per_mmbtu") -> None:
    for key, value in factors.items():
        if key not in ALLOWED_GENERATOR_FACTORS:
            if key in GHG_POLLUTANTS:
                _fail(f"{path}.{key}", f"{key} comes from FuelInput (40 CFR 98 Subpart C), not from AP-42")
            _fail(f"{path}.{key}", f"unknown pollutant {key!r} (use {', '.join(ALLOWED_GENERATOR_FACTORS)})")
        _bounded(f"{path}.{key}", value, name)


def _validate_generator(path: str, gen: GeneratorInput, strict: bool) -> None:
    if not isinstance(gen.name, str) or not gen.name.strip():
        _fail(f"{path}.name", "a generator group needs a name")
    if gen.kind not in GENERATOR_KINDS:
        _fail(f"{path}.kind", f"unknown kind {gen.kind!r} (use one of {', '.join(GENERATOR_KINDS)})")
    _count(f"{path}.unit_count", gen.unit_count, strict, "unit_count")
    _bounded(f"{path}.rated_mw", gen.rated_mw, "rated_mw", low_open=True)
    load = BOUNDS["load_fraction"]
    if not is_number(gen.min_load_fraction) or not load.low <= gen.min_load_fraction <= load.high:
        _fail(f"{path}.min_load_fraction",
              f"minimum load {gen.min_load_fraction!r} exceeds rated load (must be 0..1)"
              if is_number(gen.min_load_fraction) and gen.min_load_fraction > 1
              else f"minimum load {gen.min_load_fraction!r} must be 0..1")
    _bounded(f"{path}.heat_rate_btu_per_kwh", gen.heat_rate_btu_per_kwh, "heat_rate_btu_per_kwh",
             what="heat rate (below 3,412.14 Btu/kWh would be over 100 % efficient)")
    _bounded(f"{path}.availability", gen.availability, "availability")
    _validate_factors(f"{path}.emission_factors_lb_per_mmbtu", gen.emission_factors_lb_per_mmbtu)
    missing = [p for p in REQUIRED_GENERATOR_FACTORS if p not in gen.emission_factors_lb_per_mmbtu]
    if missing:
        _fail(f"{path}.emission_factors_lb_per_mmbtu",
              f"missing emission factor(s) for {', '.join(missing)} (AP-42, lb/MMBtu)")
    _validate_factors(f"{path}.controlled_factors_lb_per_mmbtu", gen.controlled_factors_lb_per_mmbtu)
    _validate_factors(f"{path}.part_load_factors_lb_per_mmbtu", gen.part_load_factors_lb_per_mmbtu)
    for key, value in gen.limit_factors_g_per_bhp_hr.items():
        if key not in REQUIRED_GENERATOR_FACTORS:
            _fail(f"{path}.limit_factors_g_per_bhp_hr.{key}",
                  f"no limit is converted for {key!r} (use {', '.join(REQUIRED_GENERATOR_FACTORS)})")
        _bounded(f"{path}.limit_factors_g_per_bhp_hr.{key}", value, "limit_g_per_bhp_hr")
    for key, value in gen.startup_lb_per_event.items():
        if key not in POLLUTANTS:
            _fail(f"{path}.startup_lb_per_event.{key}", f"unknown pollutant {key!r} (use {', '.join(POLLUTANTS)})")
        _bounded(f"{path}.startup_lb_per_event.{key}", value, "startup_lb_per_event")
    _bounded(f"{path}.shaft_to_electric_efficiency", gen.shaft_to_electric_efficiency, "shaft_to_electric_efficiency")
    if gen.controls not in CONTROLS:
        _fail(f"{path}.controls", f"unknown controls {gen.controls!r} (use one of {', '.join(repr(c) for c in CONTROLS)})")
    if gen.controls_from is not None:
        _aware(f"{path}.controls_from", gen.controls_from)
    previous = 0.0
    for i, point in enumerate(gen.part_load_heat_rate):
        ppath = f"{path}.part_load_heat_rate.{i}"
        if len(point) != 2:
            _fail(ppath, "must be a (load fraction, heat-rate multiplier) pair")
        fraction = _number(f"{ppath}.0", point[0], low=0, high=1, low_open=True, what="load fraction")
        _bounded(f"{ppath}.1", point[1], "heat_rate_multiplier", low_open=True)
        if fraction <= previous:
            _fail(f"{ppath}.0", "load fractions must increase strictly")
        previous = fraction
    curve = gen.part_load_heat_rate
    for (x0, y0), (x1, y1) in zip(curve[:-1], curve[1:]):
        # Fuel per unit ∝ f × m(f) must not fall as output f rises (quadratic on each segment:
        # check both ends and the vertex).
        slope = (y1 - y0) / (x1 - x0)
        points = [x0, x1] + ([y0 / (-2 * slope) + x0 / 2] if slope < 0 else [])
        fuel = [f * (y0 + slope * (f - x0)) for f in points if x0 <= f <= x1]
        if fuel[1] < fuel[0] - 1e-12 or (len(fuel) == 3 and fuel[2] > fuel[1] + 1e-12):
            _fail(f"{path}.part_load_heat_rate",
                  f"between load {x0:g} and {x1:g} the curve burns less fuel at higher output "
                  "(the heat rate rises too steeply at part load)")
    _window(path, gen.available_from, gen.available_to, "available_from", "available_to")


def validate_facility(facility: FacilityInput, period: Period, strict_integers: bool = True) -> None:
    """All facility rules except the uncertainty ranges (see :func:`validate`)."""
    if not isinstance(facility.fleets, tuple):
        _fail("fleets", "must be a tuple of FleetInput")
    for i, fleet in enumerate(facility.fleets):
        _validate_fleet(f"fleets.{i}", fleet, period, strict_integers)

    cooling = facility.cooling
    _bounded("cooling.pue_at_reference", cooling.pue_at_reference, "pue")
    _bounded("cooling.pue_reference_temp_c", cooling.pue_reference_temp_c, "temperature_c")
    _bounded("cooling.pue_slope_per_degc", cooling.pue_slope_per_degc, "pue_slope_per_degc")
    _bounded("cooling.wue_l_per_kwh", cooling.wue_l_per_kwh, "wue_l_per_kwh")

    climate = facility.climate
    if len(climate.monthly_low_c) != len(climate.monthly_high_c) or len(climate.monthly_low_c) not in (0, 12):
        _fail("climate.monthly_low_c", "monthly lows and highs need 12 values each (January first)")
    for m, (low, high) in enumerate(zip(climate.monthly_low_c, climate.monthly_high_c)):
        _bounded(f"climate.monthly_low_c.{m}", low, "temperature_c")
        _bounded(f"climate.monthly_high_c.{m}", high, "temperature_c")
        if low > high:
            _fail(f"climate.monthly_low_c.{m}", f"low {low:g} °C is above high {high:g} °C")
    _bounded("climate.utc_offset_hours", climate.utc_offset_hours, "utc_offset_hours")
    for name in ("min_hour_local", "max_hour_local"):
        hour = getattr(climate, name)
        if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
            _fail(f"climate.{name}", f"{hour!r} must be a whole hour 0..23")
    if climate.min_hour_local == climate.max_hour_local:
        _fail("climate.max_hour_local", "the daily maximum cannot be at the same hour as the minimum")
    if climate.hourly_temp_c:
        needed = math.ceil((period.end - period.start).total_seconds() / 3600.0)
        if len(climate.hourly_temp_c) < needed:
            _fail("climate.hourly_temp_c",
                  f"{len(climate.hourly_temp_c)} hourly values do not cover the period ({needed} hours from its start)")
        temperature = BOUNDS["temperature_c"]
        _number_list("climate.hourly_temp_c", climate.hourly_temp_c, temperature.low, temperature.high, "temperature")
    if cooling.pue_slope_per_degc != 0 and not has_climate(climate):
        _fail("climate", "PUE depends on temperature (slope > 0) but no climate data was given")

    grid = facility.grid
    for i, contract in enumerate(grid.contracts):
        _bounded(f"grid.contracts.{i}.capacity_mw", contract.capacity_mw, "capacity_mw")
        _window(f"grid.contracts.{i}", contract.starts, contract.ends, "starts", "ends")
    for key, rate in grid.emission_rates_lb_per_mwh.items():
        if key not in POLLUTANTS:
            hint = " (CO2e is derived with the chosen GWP set; give co2, ch4, n2o)" if key == "co2e" else ""
            _fail(f"grid.emission_rates_lb_per_mwh.{key}", f"unknown pollutant {key!r}{hint}")
        _bounded(f"grid.emission_rates_lb_per_mwh.{key}", rate, "grid_rate_lb_per_mwh")
    if grid.generation_water_l_per_kwh is not None:
        _bounded("grid.generation_water_l_per_kwh", grid.generation_water_l_per_kwh, "generation_water_l_per_kwh")
    for key, rate in grid.market_rates_lb_per_mwh.items():
        if key not in GHG_POLLUTANTS:
            _fail(f"grid.market_rates_lb_per_mwh.{key}", f"market-based rates are for co2, ch4, n2o, not {key!r}")
        _bounded(f"grid.market_rates_lb_per_mwh.{key}", rate, "grid_rate_lb_per_mwh")

    names: set[str] = set()
    for b, battery in enumerate(facility.batteries):
        _validate_battery(f"batteries.{b}", battery)
        if battery.name in names:
            _fail(f"batteries.{b}.name", f"{battery.name!r} is used twice")
        names.add(battery.name)

    slugs: dict[str, int] = {}
    for i, gen in enumerate(facility.generators):
        _validate_generator(f"generators.{i}", gen, strict_integers)
        slug = slugify(gen.name)
        if slug in slugs:
            _fail(f"generators.{i}.name",
                  f"{gen.name!r} clashes with generators.{slugs[slug]} (names must differ)")
        slugs[slug] = i

    fuel = facility.fuel
    _bounded("fuel.hhv_btu_per_scf", fuel.hhv_btu_per_scf, "gas_hhv_btu_per_scf")
    _bounded("fuel.co2_kg_per_mmbtu", fuel.co2_kg_per_mmbtu, "fuel_co2_kg_per_mmbtu")
    for name in ("ch4_kg_per_mmbtu", "n2o_kg_per_mmbtu"):
        _bounded(f"fuel.{name}", getattr(fuel, name), "fuel_trace_kg_per_mmbtu")


def _validate_battery(path: str, battery: BatteryInput) -> None:
    if not isinstance(battery.name, str) or not battery.name.strip():
        _fail(f"{path}.name", "a battery needs a name")
    _bounded(f"{path}.power_mw", battery.power_mw, "battery_power_mw", low_open=True)
    _bounded(f"{path}.energy_mwh", battery.energy_mwh, "battery_energy_mwh", low_open=True)
    _bounded(f"{path}.round_trip_efficiency", battery.round_trip_efficiency, "round_trip_efficiency", low_open=True,
             what="round-trip efficiency (a battery cannot give back more than it took)")
    _bounded(f"{path}.initial_state_of_charge", battery.initial_state_of_charge, "state_of_charge",
             what="initial state of charge")
    if battery.dispatch_rule not in BATTERY_RULES:
        _fail(f"{path}.dispatch_rule", f"unknown rule {battery.dispatch_rule!r} (use one of {', '.join(BATTERY_RULES)})")
    _window(path, battery.available_from, battery.available_to, "available_from", "available_to")


def slugify(name: str) -> str:
    """Lower-case ASCII slug for column names: "SMT-130 turbines" -> "smt_130_turbines"."""
    out = []
    for ch in name.strip().lower():
        out.append(ch if ch.isascii() and ch.isalnum() else "_")
    return "_".join(part for part in "".join(out).split("_") if part) or "generator"


def validate_uncertainties(facility: FacilityInput, period: Period) -> None:
    """Each Uncertain must address an existing number, bracket it (low <= central <= high), and
    both ends must themselves be valid inputs."""
    seen: set[str] = set()
    for i, unc in enumerate(facility.uncertainties):
        upath = f"uncertainties.{i}"
        if unc.path in seen:
            _fail(f"{upath}.path", f"{unc.path!r} is given twice")
        seen.add(unc.path)
        if unc.path.split(".")[0] in ("uncertainties", "name") or unc.path in FIXED_SETTINGS:
            _fail(f"{upath}.path", f"{unc.path!r} is a fixed setting and cannot be uncertain")
        try:
            central = get_path(facility, unc.path)
        except EngineInputError as exc:
            raise EngineInputError(f"{upath}.path", f"{unc.path!r} does not exist ({exc.message})") from None
        if not is_number(central):
            _fail(f"{upath}.path", f"{unc.path!r} is not a number ({type(central).__name__})")
        if unc.distribution not in DISTRIBUTIONS:
            _fail(f"{upath}.distribution", f"unknown distribution {unc.distribution!r} (use {', '.join(DISTRIBUTIONS)})")
        low = _number(f"{upath}.low", unc.low, what="low")
        high = _number(f"{upath}.high", unc.high, what="high")
        if low > high:
            _fail(f"{upath}.low", f"low {low:g} is above high {high:g}")
        if not low <= central <= high:
            _fail(f"{upath}.low", f"central value {central:g} of {unc.path} lies outside low {low:g} .. high {high:g}")
        for j, other in enumerate(unc.also_paths):
            if other in seen or other == unc.path:
                _fail(f"{upath}.also_paths.{j}", f"{other!r} is already drawn")
            seen.add(other)
            try:
                linked_value = get_path(facility, other)
            except EngineInputError as exc:
                raise EngineInputError(f"{upath}.also_paths.{j}", f"{other!r} does not exist ({exc.message})") from None
            if not is_number(linked_value):
                _fail(f"{upath}.also_paths.{j}", f"{other!r} is not a number")
        for end_name, end_value in (("low", low), ("high", high)):
            trial = set_path(facility, unc.path, end_value)
            for other in unc.also_paths:
                trial = set_path(trial, other, end_value)
            try:
                validate_facility(trial, period, strict_integers=False)
            except EngineInputError as exc:
                raise EngineInputError(f"{upath}.{end_name}",
                                       f"{end_name} end {end_value:g} makes {exc}") from None


def validate(facility: FacilityInput, period: Period, options: RunOptions | None = None) -> None:
    """Raise :class:`EngineInputError` naming the first field the engine cannot compute from.

    Checks the period, every facility field, the uncertainty ranges and (if given) the run options.
    """
    validate_period(period)
    if options is not None:
        validate_options(options)
    validate_facility(facility, period)
    validate_uncertainties(facility, period)
