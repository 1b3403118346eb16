"""The model, step by step: utilisation -> IT load -> PUE -> facility load -> grid -> dispatch of
on-site generators -> fuel -> emissions -> water.

Every function accepts inputs whose numeric fields are either plain numbers (the central run:
arrays of shape (steps,)) or numpy columns of shape (samples, 1) (a Monte Carlo chunk: arrays of
shape (samples, steps)). numpy broadcasting does the rest, so the central run and the Monte Carlo
run share one code path and cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .climate import has_climate, temperature_c
from .constants import (
    BTU_PER_MMBTU,
    INFERENCE_PEAK_HOUR_LOCAL,
    KG_PER_LB,
    KG_PER_TONNE,
    KWH_PER_MWH,
    LITRES_PER_M3,
)
from .inputs import (
    LOAD_BAND_THRESHOLD,
    POLLUTANTS,
    BatteryInput,
    FacilityInput,
    FleetInput,
    FuelInput,
    GeneratorInput,
    UtilisationProfile,
)
from .timebase import TimeBase, gather, per_sample

# Grams per pound (exact, 1959 international pound) and kW per mechanical horsepower (550 ft·lbf/s,
# NIST SP 811 App. B: 1 hp = 745.699 872 W), to turn a g/bhp-hr limit into lb/MMBtu.
GRAMS_PER_LB = 453.59237
KW_PER_HP = 0.745699872

# A tolerance for float round-off when counting units: 2 × 16.5 MW computed as 33.000000000001
# must still need 2 units, and 100 × 0.29 availability must still give 29 units.
_COUNT_EPS = 1e-9
# Residual load below this (MW per MW of demand, plus an absolute MW) is round-off, not unserved.
UNSERVED_TOLERANCE_MW = 1e-9


def utilisation(profile: UtilisationProfile, tb: TimeBase, utc_offset_hours: float) -> Any:
    """Accelerator utilisation per step, 0..1; 0 inside planned downtime windows.

    ``inference`` is a cosine around ``mean_utilisation`` peaking at INFERENCE_PEAK_HOUR_LOCAL and
    clipped to 0..1 (clipping lowers the mean when mean × (1 + amplitude) > 1; the realised mean
    is reported as the ``mean_utilisation`` metric).
    """
    if profile.kind == "inference":
        hour = tb.local_hour(utc_offset_hours)
        shape = np.cos(2.0 * np.pi * (hour - INFERENCE_PEAK_HOUR_LOCAL) / 24.0)
        u = np.clip(profile.mean_utilisation * (1.0 + profile.diurnal_amplitude * shape), 0.0, 1.0)
    elif profile.kind == "hourly":
        local = tb.local_minutes(utc_offset_hours)
        hour_of_day = (local % 1440) // 60
        if len(profile.hourly_shape) == 168:
            # 1970-01-01 was a Thursday; +3 makes Monday 0, as the profile's docstring promises.
            weekday = (local // 1440 + 3) % 7
            index = weekday * 24 + hour_of_day
        else:
            index = hour_of_day
        u = gather(profile.hourly_shape, index.astype(np.int64))
    else:  # "constant" and "training" are both flat at the hourly resolution
        # A flat profile stays a single column (last axis of length 1) until something that
        # varies in time multiplies it: this saves several full passes per Monte Carlo chunk.
        u = as_column(profile.mean_utilisation)
        if profile.planned_downtime:
            u = u * np.ones(tb.n_steps)
    for start, end in profile.planned_downtime:
        u = u * ~tb.window_mask(start, end)
    return u


def as_column(value: Any) -> np.ndarray:
    """A per-run constant as an array whose last (time) axis has length 1: a number becomes
    shape (1,), a (samples, 1) column stays as it is. Broadcasts against (steps,) arrays."""
    value = np.asarray(value, dtype=float)
    return value.reshape(1) if value.ndim == 0 else value


def sum_steps(values: np.ndarray, n_steps: int) -> Any:
    """Sum over the time axis, where a length-1 time axis means "the same every step"."""
    if values.shape[-1] == n_steps:
        return values.sum(axis=-1)
    return values[..., 0] * n_steps


def fleet_it_mw(fleet: FleetInput, count: Any, u: Any) -> Any:
    """IT power of ``count`` energised accelerators of one fleet at utilisation ``u``, MW.

    Accelerator W = idle + (TDP − idle) × u; host W per server = host idle + (host max − host
    idle) × u, shared by ``accelerators_per_server`` accelerators; network and storage add a share
    on top. The per-run constants are folded first, so ``u`` is touched by one multiply-add.
    """
    per_server = fleet.accelerators_per_server
    idle_w = fleet.idle_w + fleet.host_idle_w_per_server / per_server
    dynamic_w = (fleet.tdp_w - fleet.idle_w) + (fleet.host_max_w_per_server - fleet.host_idle_w_per_server) / per_server
    scale = count * (1.0 + fleet.network_storage_share) / 1.0e6
    return scale * idle_w + (scale * dynamic_w) * u


def stage_windows(fleet: FleetInput) -> list[tuple[Any, Any, Any]]:
    """(stage, starts, ends) for each stage: a stage lasts until the next one starts."""
    stages = fleet.stages
    return [(stage, stage.starts, stages[j + 1].starts if j + 1 < len(stages) else None)
            for j, stage in enumerate(stages)]


def fleet_load(fleet: FleetInput, tb: TimeBase, climate: Any, cache: "Cache") -> tuple[Any, Any, Any, Any]:
    """(IT MW, Σ weight × utilisation, Σ weight, energised accelerators) of one fleet per step,
    the weight being accelerators × TDP. Without stages each is a per-run column (time axis of
    length 1) unless the utilisation varies in time."""
    offset = climate.utc_offset_hours
    if not fleet.stages:
        u = cache.get("utilisation", (fleet.utilisation, climate),
                      lambda: utilisation(fleet.utilisation, tb, offset))
        count = as_column(fleet.accelerator_count)
        weight = count * fleet.tdp_w
        return fleet_it_mw(fleet, count, u), weight * u, weight, count
    it_mw: Any = np.zeros(tb.n_steps)
    weighted_u: Any = np.zeros(tb.n_steps)
    weight: Any = np.zeros(tb.n_steps)
    count: Any = np.zeros(tb.n_steps)
    for stage, starts, ends in stage_windows(fleet):
        mask = cache.get("window", (starts, ends), lambda: tb.window_mask(starts, ends))
        if not mask.any():
            continue
        profile = stage.utilisation or fleet.utilisation
        u = cache.get("utilisation", (profile, climate), lambda: utilisation(profile, tb, offset))
        c = as_column(stage.accelerator_count)
        w = c * fleet.tdp_w
        it_mw = it_mw + fleet_it_mw(fleet, c, u) * mask
        weighted_u = weighted_u + (w * u) * mask
        weight = weight + w * mask
        count = count + c * mask
    return it_mw, weighted_u, weight, count


def grid_capacity_mw(facility: FacilityInput, tb: TimeBase) -> Any:
    """Contracted capacity per step; overlapping contracts add up; 0 outside every contract."""
    cap: Any = np.zeros(tb.n_steps)
    for contract in facility.grid.contracts:
        cap = cap + contract.capacity_mw * tb.window_mask(contract.starts, contract.ends)
    return cap


def heat_rate_multiplier(gen: GeneratorInput, load_fraction: Any) -> Any:
    """Part-load heat-rate multiplier: linear between the curve points, flat beyond the first and
    last point; 1 without a curve.

    Written as y0 + Σ slope_i × (clip(x, x_i, x_i+1) − x_i) rather than np.interp: it is faster
    for these few-point curves and broadcasts when the curve points themselves are sampled.
    """
    curve = gen.part_load_heat_rate
    if not curve:
        return 1.0
    out: Any = curve[0][1]
    for (x0, y0), (x1, y1) in zip(curve[:-1], curve[1:]):
        out = out + (y1 - y0) / (x1 - x0) * (np.clip(load_fraction, x0, x1) - x0)
    return out


def limit_to_lb_per_mmbtu(g_per_bhp_hr: Any, heat_rate_btu_per_kwh: Any, shaft_to_electric_efficiency: Any) -> Any:
    """A certified or regulatory limit in g per brake horsepower-hour (NSPS JJJJ style) as lb per
    MMBtu of heat input (HHV).

    One kWh of electricity needs 1 ÷ (η × 0.7457) bhp-hr of shaft work and heat_rate Btu of fuel,
    so lb/MMBtu = g/bhp-hr × 10⁶ ÷ (453.59237 × 0.7457 × η × heat rate).
    """
    return g_per_bhp_hr * 1.0e6 / (GRAMS_PER_LB * KW_PER_HP * shaft_to_electric_efficiency * heat_rate_btu_per_kwh)


# The four fuel "cells" of a generator group: (controls in force, unit below the load band).
CELLS = ((False, False), (True, False), (False, True), (True, True))


@dataclass(frozen=True)
class FactorChoice:
    """Which factor applies to one pollutant in one cell, and where it came from."""

    kg_per_mmbtu: Any
    regime: str
    path: str
    value: Any  # in ``unit``, as entered
    unit: str
    note: str = ""


def factor_choice(gen: GeneratorInput, fuel: FuelInput, pollutant: str, controlled: bool, part_load: bool,
                  index: int = 0) -> FactorChoice:
    """The factor for ``pollutant`` in one cell; first match wins (see GeneratorInput).

    CO2, CH4 and N2O fall back to Part 98 (FuelInput). A CH4 factor on the group replaces Part
    98's CH4: Table C-2's 1.0E-3 kg/MMBtu is a generic default for stationary gas combustion,
    while lean-burn engines slip far more unburned methane (AP-42 4SLB 1.25 lb/MMBtu), and Part 98
    itself sends Subpart W sites with engines or turbines to §98.233(z)(4) (factors.md §3).
    """
    base = f"generators.{index}"
    if controlled and gen.controls and pollutant in gen.controlled_factors_lb_per_mmbtu:
        lb = gen.controlled_factors_lb_per_mmbtu[pollutant]
        return FactorChoice(lb * KG_PER_LB, f"controlled ({gen.controls})",
                            f"{base}.controlled_factors_lb_per_mmbtu.{pollutant}", lb, "lb/MMBtu")
    if pollutant in gen.limit_factors_g_per_bhp_hr:
        g = gen.limit_factors_g_per_bhp_hr[pollutant]
        lb = limit_to_lb_per_mmbtu(g, gen.heat_rate_btu_per_kwh, gen.shaft_to_electric_efficiency)
        note = (f"{_fmt(g)} g/bhp-hr × 10⁶ ÷ (453.59237 × 0.7457 × {_fmt(gen.shaft_to_electric_efficiency)} × "
                f"{_fmt(gen.heat_rate_btu_per_kwh)} Btu/kWh) = {_fmt(lb)} lb/MMBtu")
        return FactorChoice(lb * KG_PER_LB, "certified or regulatory limit",
                            f"{base}.limit_factors_g_per_bhp_hr.{pollutant}", g, "g/bhp-hr", note)
    if part_load and pollutant in gen.part_load_factors_lb_per_mmbtu:
        lb = gen.part_load_factors_lb_per_mmbtu[pollutant]
        return FactorChoice(lb * KG_PER_LB, f"uncontrolled, unit load < {LOAD_BAND_THRESHOLD:.0%}",
                            f"{base}.part_load_factors_lb_per_mmbtu.{pollutant}", lb, "lb/MMBtu")
    if pollutant in gen.emission_factors_lb_per_mmbtu:
        lb = gen.emission_factors_lb_per_mmbtu[pollutant]
        band = f", unit load ≥ {LOAD_BAND_THRESHOLD:.0%}" if gen.part_load_factors_lb_per_mmbtu else ""
        return FactorChoice(lb * KG_PER_LB, f"uncontrolled{band}",
                            f"{base}.emission_factors_lb_per_mmbtu.{pollutant}", lb, "lb/MMBtu")
    kg = getattr(fuel, f"{pollutant}_kg_per_mmbtu")
    return FactorChoice(kg, "40 CFR 98 Subpart C (Tables C-1, C-2)", f"fuel.{pollutant}_kg_per_mmbtu", kg, "kg/MMBtu")


def _fmt(value: Any) -> str:
    value = float(np.mean(value))
    return f"{value:,.6g}"


def generator_factors_kg_per_mmbtu(gen: GeneratorInput, fuel: FuelInput) -> dict[tuple[bool, bool], dict[str, Any]]:
    """Emission factors in kg/MMBtu (HHV) for every pollutant in POLLUTANTS, per fuel cell."""
    return {cell: {p: factor_choice(gen, fuel, p, *cell).kg_per_mmbtu for p in POLLUTANTS} for cell in CELLS}


def startup_kg_per_event(gen: GeneratorInput) -> dict[str, Any]:
    """Mass per unit start, kg, for each pollutant (0 where no factor exists)."""
    return {p: gen.startup_lb_per_event.get(p, 0.0) * KG_PER_LB for p in POLLUTANTS}


def cell_fuel(run: "GeneratorRun") -> dict[tuple[bool, bool], Any]:
    """Fuel burned in each cell, from the run's total and its three masked sums."""
    both = run.fuel_controlled_part_mmbtu
    return {
        (False, False): run.fuel_total_mmbtu - run.fuel_controlled_mmbtu - run.fuel_part_mmbtu + both,
        (True, False): run.fuel_controlled_mmbtu - both,
        (False, True): run.fuel_part_mmbtu - both,
        (True, True): both,
    }


def co2e(masses: dict[str, Any], gwp: dict[str, Any]) -> Any:
    """CO2e = CO2 + GWP_CH4 × CH4 + GWP_N2O × N2O."""
    return masses["co2"] + gwp["ch4"] * masses["ch4"] + gwp["n2o"] * masses["n2o"]


class Cache:
    """Memo for per-step arrays that depend only on inputs a Monte Carlo chunk did not sample.

    Keys are the identities of the input objects: :func:`paths.set_paths` rebuilds only the
    objects along a sampled path, so every other object keeps its identity across chunks and
    its arrays (temperature, utilisation, windows, contract capacity) are computed once.
    """

    def __init__(self, reuse_buffers: bool = False) -> None:
        self._store: dict[tuple, tuple[tuple, Any]] = {}
        self.reuse_buffers = reuse_buffers
        self._buffers: dict[tuple, np.ndarray] = {}

    def work(self, name: str, shape: tuple[int, ...], n_steps: int) -> np.ndarray:
        """A scratch array of ``shape`` whose last axis is at most ``n_steps`` long.

        With ``reuse_buffers`` (Monte Carlo) the same memory is handed out chunk after chunk:
        on the benchmark machine a fresh array above glibc's 128 KiB mmap threshold costs ~10×
        the arithmetic done in it (page faults), so reuse is most of the Monte Carlo speed.
        Without it (the central run, whose arrays are kept in the result) a new array is made.
        """
        if not self.reuse_buffers:
            return np.empty(shape)
        key = (name, shape[:-1])
        buf = self._buffers.get(key)
        if buf is None:
            buf = self._buffers[key] = np.empty(shape[:-1] + (n_steps,))
        return buf[..., : shape[-1]]

    def get(self, kind: str, objects: tuple, build: Any) -> Any:
        key = (kind,) + tuple(id(o) for o in objects)
        hit = self._store.get(key)
        if hit is not None and all(a is b for a, b in zip(hit[0], objects)):
            return hit[1]
        value = build()
        self._store[key] = (objects, value)
        return value


@dataclass
class GeneratorRun:
    """Dispatch of one generator group: totals always; per-step arrays only in a full run.

    Fuel is also summed over three masks, so emissions can use the factor of each fuel cell
    (controls in force × unit below the load band) without per-step pollutant arrays.
    """

    gen: GeneratorInput
    energy_mwh: Any
    served_mwh: Any
    fuel_total_mmbtu: Any
    fuel_controlled_mmbtu: Any = 0.0
    fuel_part_mmbtu: Any = 0.0
    fuel_controlled_part_mmbtu: Any = 0.0
    starts: Any = 0.0
    available_units: Any = None
    units: Any = None
    output_mw: Any = None
    served_mw: Any = None
    fuel_mmbtu: Any = None
    controlled_mask: Any = None
    part_mask: Any = None
    starts_steps: Any = None


@dataclass
class BatteryRun:
    """Charge and discharge of one battery: totals always; per-step arrays in a full run."""

    battery: BatteryInput
    discharge_mwh: Any
    charge_mwh: Any
    discharge_mw: Any = None
    charge_mw: Any = None
    soc_mwh: Any = None


@dataclass
class Simulation:
    """One run. ``sums`` holds per-run totals (numbers, or (samples,) vectors for a Monte Carlo
    chunk); the per-step arrays are filled only when ``full`` was requested. ``facility_mw`` and
    ``it_mw`` are served load; ``demand_mw`` is what the model asked for."""

    sums: dict[str, Any]
    generators: list[GeneratorRun]
    batteries: list[BatteryRun] = field(default_factory=list)
    temp_c: Any = None
    u_weighted: Any = None
    accelerators: Any = None
    pue: Any = None
    it_mw: Any = None
    demand_mw: Any = None
    facility_mw: Any = None
    capacity_mw: Any = None
    grid_mw: Any = None
    onsite_mw: Any = None
    discharge_mw: Any = None
    charge_mw: Any = None
    soc_mwh: Any = None
    surplus_mw: Any = None
    unserved_mw: Any = None


def _masked_sum(values: np.ndarray, mask: np.ndarray) -> Any:
    """Σ_t values × mask along the time axis (mask is (steps,) or (samples, steps) bool)."""
    if mask.ndim == 1 and values.ndim == 1:
        return float(np.dot(values, mask))
    if mask.ndim == 1:
        return values @ mask.astype(float)
    return np.einsum("ij,ij->i", values, np.broadcast_to(mask, values.shape).astype(float))


def dispatch(gen: GeneratorInput, residual: Any, tb: TimeBase, full: bool,
             cache: Cache) -> tuple[GeneratorRun, Any]:
    """Commit the fewest units of one group that cover ``residual`` and share it equally.

    Each committed unit runs at max(share, min load); when one unit at minimum load is more than
    the residual, the surplus is reported (and its fuel counted). Units beyond the available
    number leave the remainder for the next group. Returns the run and the residual left for the
    next group (``residual`` itself may be updated in place).
    """
    dt_h = tb.step_hours
    window = cache.get("window", (gen.available_from, gen.available_to),
                       lambda: tb.window_mask(gen.available_from, gen.available_to))
    available = np.floor(gen.unit_count * gen.availability + _COUNT_EPS)
    active = (residual.max(axis=0) if residual.ndim == 2 else residual) > 0
    active &= window
    columns = np.flatnonzero(active)
    if columns.size == 0 or not np.any(available > 0):
        zero = np.zeros(tb.n_steps) if full else None
        run = GeneratorRun(gen, 0.0, 0.0, 0.0, available_units=available * window if full else None,
                           units=zero, output_mw=zero, served_mw=zero, fuel_mmbtu=zero,
                           controlled_mask=np.zeros(tb.n_steps, bool) if full else None,
                           part_mask=np.zeros(tb.n_steps, bool) if full else None, starts_steps=zero)
        return run, residual
    # Only the span from the first to the last step that needs this group is computed (a plain
    # slice: cheap, and the steps in between simply compute zero). The full run keeps it all.
    span = slice(0, tb.n_steps) if full else slice(int(columns[0]), int(columns[-1]) + 1)
    res = residual[..., span]
    available = available * window[span]

    # Work in multiples of one unit's rating: x = residual / rated MW. Every temporary is a
    # scratch buffer written in place (see Cache.work).
    shape = np.broadcast_shapes(res.shape, np.shape(available), np.shape(gen.rated_mw),
                                np.shape(gen.min_load_fraction),
                                *(np.shape(v) for point in gen.part_load_heat_rate for v in point))
    n = tb.n_steps
    x = np.divide(res, gen.rated_mw, out=cache.work("x", shape, n))
    units = np.subtract(x, _COUNT_EPS, out=cache.work("units", shape, n))
    np.ceil(units, out=units)
    np.minimum(units, available, out=units)  # the fewest units that cover x, at most A
    # Starts: increases in the committed count (units are interchangeable); every unit is off
    # before the period starts, and before the span (no residual there).
    rises = np.diff(units, axis=-1, prepend=0.0)
    np.maximum(rises, 0.0, out=rises)
    starts = rises.sum(axis=-1)
    served = np.minimum(x, units, out=x)  # in unit ratings
    fraction = np.maximum(units, 1.0, out=cache.work("fraction", shape, n))
    np.divide(served, fraction, out=fraction)
    np.maximum(fraction, gen.min_load_fraction, out=fraction)  # load fraction of each running unit
    units_kept = units.copy() if full else None
    output = np.multiply(units, fraction, out=units)  # in unit ratings; ``units`` is consumed

    # Cells for the emission factors: controls in force (a date mask) and part load (< 90 %).
    controls_from = gen.controls_from
    controlled = cache.get("window", (controls_from, None), lambda: tb.window_mask(controls_from, None))[span]
    split_controls = bool(controlled.any()) and not bool(controlled.all())
    split_part = full or bool(gen.part_load_factors_lb_per_mmbtu)
    part = (fraction < LOAD_BAND_THRESHOLD - _COUNT_EPS) if split_part else None

    # MWh × Btu/kWh × 1000 kWh/MWh ÷ 1e6 Btu/MMBtu = MMBtu (HHV), per unit-rating-step of output.
    fuel_per_output = gen.rated_mw * dt_h * gen.heat_rate_btu_per_kwh * KWH_PER_MWH / BTU_PER_MMBTU
    rated_mwh = per_sample(gen.rated_mw) * dt_h
    output_sum = output.sum(axis=-1)
    energy = output_sum * rated_mwh
    served_mwh = served.sum(axis=-1) * rated_mwh
    fuel_steps = None
    if full or split_controls or split_part:
        multiplier = heat_rate_multiplier(gen, fraction)
        fuel_steps = output * multiplier * fuel_per_output
        fuel_total = fuel_steps.sum(axis=-1)
    else:
        # Σ output × multiplier without building the multiplier array: the piecewise-linear
        # curve is y0 + Σ slope_i × (clip(f, x_i, x_i+1) − x_i), and each term is one dot product.
        curve = gen.part_load_heat_rate
        weighted = output_sum * (per_sample(curve[0][1]) if curve else 1.0)
        clipped = cache.work("clipped", shape, n) if curve else None
        for (x0, y0), (x1, y1) in zip(curve[:-1], curve[1:]):
            np.clip(fraction, x0, x1, out=clipped)
            slope = per_sample((y1 - y0) / (x1 - x0))
            weighted = weighted + slope * (_row_dot(output, clipped) - per_sample(x0) * output_sum)
        fuel_total = weighted * per_sample(fuel_per_output)
    if split_controls:
        fuel_controlled = _masked_sum(fuel_steps, controlled)
    else:
        fuel_controlled = fuel_total if controlled.all() else 0.0 * fuel_total
    if split_part:
        fuel_part = _masked_sum(fuel_steps, part)
        fuel_both = _masked_sum(fuel_steps, part & controlled) if split_controls else (
            fuel_part if controlled.all() else 0.0 * fuel_part)
    else:
        fuel_part = fuel_both = 0.0 * fuel_total

    served_mw = np.multiply(served, gen.rated_mw, out=served if not full else None)
    if residual.shape[:-1] != shape[:-1]:
        # Sampled generator inputs on an unsampled load: the residual becomes per-sample.
        wide = cache.work("residual_wide", shape[:-1] + (n,), n)
        np.copyto(wide, residual)
        residual = wide
    residual[..., span] -= served_mw
    run = GeneratorRun(gen, energy, served_mwh, fuel_total, fuel_controlled, fuel_part, fuel_both, starts)
    if full:
        run.available_units = available + np.zeros(tb.n_steps)
        run.units = units_kept
        run.output_mw = output * gen.rated_mw
        run.served_mw = served_mw
        run.fuel_mmbtu = fuel_steps
        run.controlled_mask = controlled.copy()
        run.part_mask = part
        run.starts_steps = rises
    return run, residual


def _row_dot(a: np.ndarray, b: np.ndarray) -> Any:
    """Σ_t a × b along the time axis without a temporary array."""
    if a.ndim == 1:
        return np.dot(a, b)
    return np.einsum("ij,ij->i", a, b)


def _widen(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``array`` broadcast to ``shape`` as a writable copy (or itself when it has that shape)."""
    if array.shape == shape:
        return array
    return np.array(np.broadcast_to(array, shape))


def battery_dispatch(battery: BatteryInput, residual: np.ndarray, headroom: np.ndarray, tb: TimeBase,
                     full: bool, cache: Cache) -> tuple[BatteryRun, np.ndarray, np.ndarray]:
    """Discharge into ``residual`` and charge from spare grid ``headroom``, step by step.

    State of charge carries from one step to the next, so this is a loop over steps (vectorised
    over samples). Steps where nothing can happen (no residual while the battery is full, or
    neither residual it can cover nor headroom it can use) are skipped. Returns the run and the
    updated residual and headroom (updated in place where their shape allows).
    """
    dt_h = tb.step_hours
    n = tb.n_steps
    power = per_sample(battery.power_mw)
    capacity = per_sample(battery.energy_mwh)
    efficiency = per_sample(battery.round_trip_efficiency)
    lead = np.broadcast_shapes(residual.shape[:-1], headroom.shape[:-1], np.shape(power),
                               np.shape(capacity), np.shape(efficiency),
                               np.shape(per_sample(battery.initial_state_of_charge)))
    residual = _widen(residual, lead + (n,))
    headroom = _widen(headroom, lead + (n,))
    soc = np.broadcast_to(per_sample(battery.initial_state_of_charge) * capacity, lead).astype(float)
    window = cache.get("window", (battery.available_from, battery.available_to),
                       lambda: tb.window_mask(battery.available_from, battery.available_to))
    needs = (residual.max(axis=0) if residual.ndim == 2 else residual) > 0
    spare = (headroom.max(axis=0) if headroom.ndim == 2 else headroom) > 0
    discharge = np.zeros(lead + (n,)) if full else None
    charge = np.zeros(lead + (n,)) if full else None
    discharged = np.zeros(lead)
    charged = np.zeros(lead)
    empty = not np.any(soc > 0)
    full_soc = bool(np.all(soc >= capacity))
    for t in np.flatnonzero(window & (needs | spare)):
        if needs[t] and not empty:
            d = np.minimum(np.minimum(residual[..., t], power), soc / dt_h)
            residual[..., t] -= d
            soc = soc - d * dt_h
            discharged += d
            if full:
                discharge[..., t] = d
            full_soc = False
        else:
            d = 0.0
        if spare[t] and not full_soc:
            c = np.minimum(np.minimum(headroom[..., t], power - d), (capacity - soc) / (efficiency * dt_h))
            c = np.maximum(c, 0.0)
            headroom[..., t] -= c
            soc = soc + c * efficiency * dt_h
            charged += c
            if full:
                charge[..., t] = c
            full_soc = bool(np.all(soc >= capacity - 1e-12 * np.maximum(capacity, 1.0)))
        empty = not np.any(soc > 1e-12)
    # The state of charge at the end of each step (full run only).
    soc_steps = _end_of_step_soc(battery, discharge, charge, tb) if full else None
    run = BatteryRun(battery, discharged * dt_h, charged * dt_h, discharge, charge, soc_steps)
    return run, residual, headroom


def _end_of_step_soc(battery: BatteryInput, discharge: np.ndarray, charge: np.ndarray, tb: TimeBase) -> np.ndarray:
    """State of charge at the end of each step, MWh, from the initial charge and the flows."""
    dt_h = tb.step_hours
    flows = (charge * battery.round_trip_efficiency - discharge) * dt_h
    return battery.initial_state_of_charge * battery.energy_mwh + np.cumsum(flows, axis=-1)


def simulate(facility: FacilityInput, tb: TimeBase, full: bool = True, cache: Cache | None = None) -> Simulation:
    """Run the load, grid, battery and dispatch model over the time base.

    Supply order each step: the grid up to its contracted capacity, then peak-shaving batteries,
    then the generator groups in order, then backup-only batteries; what is left is unserved
    demand. Served load = demand − unserved, and every energy figure is served energy.

    ``full`` keeps every per-step array (central run); without it only per-run totals are kept
    and a few shortcuts apply (Monte Carlo chunks).
    """
    cache = cache or Cache()
    dt_h = tb.step_hours
    climate = facility.climate
    n = tb.n_steps
    it_mw: Any = 0.0
    weighted_u: Any = 0.0
    weight: Any = 0.0
    count: Any = 0.0
    for fleet in facility.fleets:
        f_it, f_wu, f_w, f_count = fleet_load(fleet, tb, climate, cache)
        it_mw = it_mw + f_it
        weighted_u = weighted_u + f_wu
        weight = weight + f_w
        count = count + f_count
    it_mw = as_column(it_mw)
    weight_total = sum_steps(as_column(weight), n)
    safe_weight = np.where(np.asarray(weight_total) > 0, weight_total, 1.0)

    temp = cache.get("temperature", (climate,), lambda: temperature_c(climate, tb))
    cooling = facility.cooling
    if has_climate(climate):
        # PUE = PUE_ref + slope × max(T − T_ref, 0), the same as max(PUE_ref, PUE_ref + slope ×
        # (T − T_ref)) because validation keeps the slope >= 0.
        excess = np.maximum(temp - cooling.pue_reference_temp_c, 0.0)
        pue_shape = np.broadcast_shapes(excess.shape, np.shape(cooling.pue_at_reference),
                                        np.shape(cooling.pue_slope_per_degc))
        pue_t = np.multiply(excess, cooling.pue_slope_per_degc, out=cache.work("pue", pue_shape, n))
        np.add(pue_t, cooling.pue_at_reference, out=pue_t)
        demand_shape = np.broadcast_shapes(pue_shape, it_mw.shape)
        demand_mw = np.multiply(pue_t, it_mw, out=cache.work("facility", demand_shape, n))
    else:
        pue_t = as_column(cooling.pue_at_reference)
        demand_mw = it_mw * pue_t  # a per-run constant column
    capacity = cache.get("capacity", (facility.grid.contracts,), lambda: grid_capacity_mw(facility, tb))
    residual_shape = np.broadcast_shapes(demand_mw.shape, capacity.shape)
    residual = np.subtract(demand_mw, capacity, out=cache.work("residual", residual_shape, n))
    np.maximum(residual, 0.0, out=residual)

    sums: dict[str, Any] = {
        "energy_demand_mwh": sum_steps(demand_mw, n) * dt_h,
        "mean_utilisation": sum_steps(as_column(weighted_u), n) / safe_weight,
        "mean_accelerators_energised": sum_steps(as_column(count), n) / n,
    }
    # Grid energy to the load = demand − what is left after the grid.
    grid_to_load_mwh = sums["energy_demand_mwh"] - residual.sum(axis=-1) * dt_h

    headroom = None
    battery_runs: list[BatteryRun] = []
    if facility.batteries:
        headroom = np.maximum(capacity - demand_mw, 0.0)
        headroom = _widen(headroom, np.broadcast_shapes(headroom.shape, residual.shape))

    def run_batteries(rule: str) -> None:
        nonlocal residual, headroom
        for battery in facility.batteries:
            if battery.dispatch_rule == rule:
                run, residual, headroom = battery_dispatch(battery, residual, headroom, tb, full, cache)
                battery_runs.append(run)

    run_batteries("peak_shaving")
    runs: list[GeneratorRun] = []
    for gen in facility.generators:
        run, residual = dispatch(gen, residual, tb, full, cache)
        runs.append(run)
    run_batteries("backup_only")
    # Keep the batteries in facility order (the series and checks read them that way).
    order = {id(b): i for i, b in enumerate(facility.batteries)}
    battery_runs.sort(key=lambda r: order[id(r.battery)])

    # Subtracting the supplies leaves round-off of ±1e-13 MW where demand was fully met: below
    # UNSERVED_TOLERANCE_MW × (1 + demand) it is no unserved load (and no "hour with unserved
    # demand"); unserved load is never negative.
    tolerance = UNSERVED_TOLERANCE_MW * (1.0 + demand_mw)
    has_unserved = full or bool(np.any(residual > tolerance))
    if has_unserved:
        unserved = np.maximum(residual, 0.0, out=residual)
        unserved[unserved <= np.broadcast_to(tolerance, unserved.shape)] = 0.0
        sums["energy_unserved_mwh"] = unserved.sum(axis=-1) * dt_h
        sums["unserved_hours_h"] = np.count_nonzero(unserved > 0, axis=-1) * dt_h
        # Served IT = served facility load ÷ PUE, step by step.
        served_it_sum = sum_steps(it_mw, n) - (unserved / pue_t).sum(axis=-1)
        served_mw = demand_mw - unserved
        sums["peak_facility_mw"] = served_mw.max(axis=-1)
        sums["peak_it_mw"] = (served_mw / pue_t).max(axis=-1)
    else:
        lead = residual.shape[:-1]
        sums["energy_unserved_mwh"] = np.zeros(lead)
        sums["unserved_hours_h"] = np.zeros(lead)
        served_it_sum = sum_steps(it_mw, n)
        sums["peak_facility_mw"] = demand_mw.max(axis=-1)
        sums["peak_it_mw"] = it_mw.max(axis=-1)
    zero = 0.0 * sums["energy_demand_mwh"]
    sums["energy_facility_mwh"] = sums["energy_demand_mwh"] - sums["energy_unserved_mwh"]
    sums["energy_it_mwh"] = served_it_sum * dt_h + zero
    discharge_mwh = sum((r.discharge_mwh for r in battery_runs), zero)
    charge_mwh = sum((r.charge_mwh for r in battery_runs), zero)
    sums["energy_battery_discharge_mwh"] = discharge_mwh
    sums["energy_battery_charge_mwh"] = charge_mwh
    sums["energy_battery_losses_mwh"] = sum(
        (r.charge_mwh * (1.0 - per_sample(r.battery.round_trip_efficiency)) for r in battery_runs), zero)
    sums["energy_grid_mwh"] = grid_to_load_mwh + charge_mwh
    onsite_mwh: Any = zero
    output_mwh: Any = zero
    starts: Any = zero
    for run in runs:
        onsite_mwh = onsite_mwh + run.served_mwh
        output_mwh = output_mwh + run.energy_mwh
        starts = starts + run.starts
    sums["energy_onsite_mwh"] = onsite_mwh
    sums["energy_surplus_mwh"] = output_mwh - onsite_mwh
    sums["generator_starts"] = starts

    sim = Simulation(sums, runs, battery_runs)
    if full:
        grid_to_load = np.minimum(demand_mw, capacity)
        onsite = np.zeros(n)
        surplus = np.zeros(n)
        for run in runs:
            onsite = onsite + run.served_mw
            surplus = surplus + (run.output_mw - run.served_mw)
        discharge = sum((r.discharge_mw for r in battery_runs), np.zeros(n))
        charge = sum((r.charge_mw for r in battery_runs), np.zeros(n))
        # Re-derive the energy sums from the per-step arrays, the figures users see.
        sums["energy_grid_mwh"] = (grid_to_load + charge).sum() * dt_h
        served = demand_mw - unserved + np.zeros(n)
        weight_steps = as_column(weight) + np.zeros(n)
        sim.temp_c = temp
        sim.u_weighted = np.divide(as_column(weighted_u) + np.zeros(n), weight_steps,
                                   out=np.zeros(n), where=weight_steps > 0)
        sim.accelerators = as_column(count) + np.zeros(n)
        sim.pue = pue_t + np.zeros(n)
        sim.demand_mw = demand_mw + np.zeros(n)
        sim.facility_mw = served
        sim.it_mw = served / sim.pue
        sim.capacity_mw = capacity
        sim.grid_mw = grid_to_load + charge
        sim.onsite_mw = onsite
        sim.discharge_mw = discharge
        sim.charge_mw = charge
        sim.soc_mwh = sum((r.soc_mwh for r in battery_runs), np.zeros(n))
        sim.surplus_mw = surplus
        sim.unserved_mw = unserved
    return sim


def generator_emissions_kg(run: GeneratorRun, gen: GeneratorInput, fuel: FuelInput) -> dict[str, Any]:
    """Per-run mass of every pollutant from one group: Σ over fuel cells of fuel × factor, plus
    starts × the startup factor."""
    factors = generator_factors_kg_per_mmbtu(gen, fuel)
    fuel_by_cell = cell_fuel(run)
    startup = startup_kg_per_event(gen)
    out = {}
    for p in POLLUTANTS:
        total = run.starts * per_sample(startup[p])
        for cell in CELLS:
            total = total + fuel_by_cell[cell] * per_sample(factors[cell][p])
        out[p] = total
    return out


def totals(sim: Simulation, facility: FacilityInput, tb: TimeBase, gwp: dict[str, Any]) -> dict[str, Any]:
    """Per-run totals (numbers for the central run, (samples,) arrays for a Monte Carlo chunk).

    Emissions are linear in fuel and grid energy, so totals are fuel or MWh totals times factors:
    no per-step pollutant arrays are needed for Monte Carlo.
    """
    out = dict(sim.sums)
    it_mwh = out["energy_it_mwh"]
    facility_mwh = out["energy_facility_mwh"]
    demand_mwh = out["energy_demand_mwh"]
    out["mean_pue"] = facility_mwh / np.where(it_mwh > 0, it_mwh, np.nan)
    out["onsite_share"] = out["energy_onsite_mwh"] / np.where(facility_mwh > 0, facility_mwh, np.inf)
    out["unserved_share"] = out["energy_unserved_mwh"] / np.where(demand_mwh > 0, demand_mwh, np.inf)

    fuel_total: Any = 0.0
    onsite_kg: dict[str, Any] = {p: 0.0 for p in POLLUTANTS}
    # Factors come from ``facility`` (not from run.gen): a scenario that changes only factors
    # reuses another variant's simulation.
    for run, gen in zip(sim.generators, facility.generators):
        fuel_total = fuel_total + run.fuel_total_mmbtu
        for p, kg in generator_emissions_kg(run, gen, facility.fuel).items():
            onsite_kg[p] = onsite_kg[p] + kg
    out["fuel_mmbtu"] = fuel_total + 0.0 * demand_mwh
    out["fuel_scf"] = out["fuel_mmbtu"] * BTU_PER_MMBTU / per_sample(facility.fuel.hhv_btu_per_scf)

    grid_mwh = out["energy_grid_mwh"]
    grid_kg = grid_masses_kg(grid_mwh, facility.grid.emission_rates_lb_per_mwh)
    market_kg = grid_masses_kg(grid_mwh, market_rates(facility.grid))
    onsite_kg["co2e"] = co2e(onsite_kg, gwp)
    grid_kg["co2e"] = co2e(grid_kg, gwp)
    market_kg["co2e"] = co2e(market_kg, gwp)
    for p in onsite_kg:
        out[f"{p}_onsite_t"] = onsite_kg[p] / KG_PER_TONNE + 0.0 * demand_mwh
        out[f"{p}_grid_t"] = grid_kg[p] / KG_PER_TONNE
        out[f"{p}_total_t"] = (onsite_kg[p] + grid_kg[p]) / KG_PER_TONNE + 0.0 * demand_mwh
    for p in ("co2", "co2e"):
        out[f"{p}_grid_market_t"] = market_kg[p] / KG_PER_TONNE
        out[f"{p}_total_market_t"] = (onsite_kg[p] + market_kg[p]) / KG_PER_TONNE + 0.0 * demand_mwh

    # Water: on-site (cooling) per kWh of served IT energy; generation water per kWh drawn from
    # the grid, when the facility gives a rate (left out, not zero, when it does not).
    out["water_onsite_m3"] = it_mwh * KWH_PER_MWH * per_sample(facility.cooling.wue_l_per_kwh) / LITRES_PER_M3
    if facility.grid.generation_water_l_per_kwh is not None:
        out["water_generation_m3"] = (grid_mwh * KWH_PER_MWH
                                      * per_sample(facility.grid.generation_water_l_per_kwh) / LITRES_PER_M3)
    return out


def market_rates(grid: Any) -> dict[str, Any]:
    """Market-based rates: the supplier's CO2 (and CH4/N2O where it states them); CH4 and N2O
    fall back to the location-based rates, which suppliers rarely publish. Empty when the
    supplier's CO2 rate is unknown."""
    market = dict(grid.market_rates_lb_per_mwh)
    if "co2" not in market:
        return {}
    for p in ("ch4", "n2o"):
        if p not in market and p in grid.emission_rates_lb_per_mwh:
            market[p] = grid.emission_rates_lb_per_mwh[p]
    return market


def grid_masses_kg(grid_mwh: Any, rates_lb_per_mwh: Any) -> dict[str, Any]:
    """kg of each pollutant for ``grid_mwh`` drawn at ``rates`` (0 where a rate is missing)."""
    return {p: grid_mwh * per_sample(rates_lb_per_mwh.get(p, 0.0)) * KG_PER_LB for p in POLLUTANTS}
