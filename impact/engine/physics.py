"""The model, step by step: utilisation -> IT load -> PUE -> facility load -> grid -> dispatch of
on-site generators -> fuel -> emissions -> water.

Every function accepts inputs whose numeric fields are either plain numbers (the central run:
arrays of shape (steps,)) or numpy columns of shape (samples, 1) (a Monte Carlo chunk: arrays of
shape (samples, steps)). numpy broadcasting does the rest, so the central run and the Monte Carlo
run share one code path and cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from .inputs import POLLUTANTS, FacilityInput, FleetInput, FuelInput, GeneratorInput, UtilisationProfile
from .timebase import TimeBase, gather, per_sample

# A tolerance for float round-off when counting units: 2 × 16.5 MW computed as 33.000000000001
# must still need 2 units, and 100 × 0.29 availability must still give 29 units.
_COUNT_EPS = 1e-9


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


def fleet_it_mw(fleet: FleetInput, u: Any) -> Any:
    """IT power of one fleet, MW.

    Accelerator W = idle + (TDP − idle) × u. Server overhead is assumed to idle at the same
    idle/TDP ratio as the accelerator, so it scales by the same factor: the server draws
    (1 + overhead/TDP) times the accelerator. Network and storage add a share on top.
    """
    scale = fleet.accelerator_count * (1.0 + fleet.server_overhead_w_per_accelerator / fleet.tdp_w)
    scale = scale * (1.0 + fleet.network_storage_share) / 1.0e6
    return scale * fleet.idle_w + (scale * (fleet.tdp_w - fleet.idle_w)) * u


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


def generator_factors_kg_per_mmbtu(gen: GeneratorInput, fuel: FuelInput) -> dict[str, Any]:
    """Emission factors in kg/MMBtu (HHV) for every pollutant in POLLUTANTS.

    CO2, CH4 and N2O come from Part 98 (FuelInput) - except that an AP-42 CH4 factor on the
    generator replaces Part 98's CH4: Table C-2's 1.0E-3 kg/MMBtu is a generic default for
    stationary combustion of gas, while lean-burn engines slip far more unburned methane (AP-42
    4SLB 1.25 lb/MMBtu = 0.567 kg/MMBtu), and Part 98 itself sends Subpart W sites with engines or
    turbines to §98.233(z)(4) instead (factors.md §3). With ``controls`` set, controlled factors
    replace the uncontrolled ones where given.
    """
    factors_lb = dict(gen.emission_factors_lb_per_mmbtu)
    if gen.controls:
        factors_lb.update(gen.controlled_factors_lb_per_mmbtu)
    out: dict[str, Any] = {
        "co2": fuel.co2_kg_per_mmbtu,
        "ch4": fuel.ch4_kg_per_mmbtu,
        "n2o": fuel.n2o_kg_per_mmbtu,
    }
    for pollutant, lb in factors_lb.items():
        out[pollutant] = lb * KG_PER_LB
    return {p: out[p] for p in POLLUTANTS}


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
    """Dispatch of one generator group: totals always; per-step arrays only in a full run."""

    gen: GeneratorInput
    energy_mwh: Any
    served_mwh: Any
    fuel_total_mmbtu: Any
    available_units: Any = None
    units: Any = None
    output_mw: Any = None
    served_mw: Any = None
    fuel_mmbtu: Any = None


@dataclass
class Simulation:
    """One run. ``sums`` holds per-run totals (numbers, or (samples,) vectors for a Monte Carlo
    chunk); the per-step arrays are filled only when ``full`` was requested."""

    sums: dict[str, Any]
    generators: list[GeneratorRun]
    temp_c: Any = None
    u_weighted: Any = None
    pue: Any = None
    it_mw: Any = None
    facility_mw: Any = None
    capacity_mw: Any = None
    grid_mw: Any = None
    onsite_mw: Any = None
    curtailed_mw: Any = None
    unserved_mw: Any = None


def dispatch(gen: GeneratorInput, residual: Any, tb: TimeBase, full: bool,
             cache: Cache) -> tuple[GeneratorRun, Any]:
    """Commit the fewest units of one group that cover ``residual`` and share it equally.

    Each committed unit runs at max(share, min load); when one unit at minimum load is more than
    the residual, the surplus is curtailed (reported, and its fuel counted). Units beyond the
    available number leave the remainder for the next group. Returns the run and the residual
    left for the next group (``residual`` itself may be updated in place).
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
        run = GeneratorRun(gen, 0.0, 0.0, 0.0, available * window if full else None, zero, zero, zero, zero)
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
    served = np.minimum(x, units, out=x)  # in unit ratings
    fraction = np.maximum(units, 1.0, out=cache.work("fraction", shape, n))
    np.divide(served, fraction, out=fraction)
    np.maximum(fraction, gen.min_load_fraction, out=fraction)  # load fraction of each running unit
    units_kept = units.copy() if full else None
    output = np.multiply(units, fraction, out=units)  # in unit ratings; ``units`` is consumed

    # MWh × Btu/kWh × 1000 kWh/MWh ÷ 1e6 Btu/MMBtu = MMBtu (HHV), per unit-rating-step of output.
    fuel_per_output = gen.rated_mw * dt_h * gen.heat_rate_btu_per_kwh * KWH_PER_MWH / BTU_PER_MMBTU
    rated_mwh = per_sample(gen.rated_mw) * dt_h
    output_sum = output.sum(axis=-1)
    energy = output_sum * rated_mwh
    served_mwh = served.sum(axis=-1) * rated_mwh
    if full:
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

    served_mw = np.multiply(served, gen.rated_mw, out=served if not full else None)
    if residual.shape[:-1] != shape[:-1]:
        # Sampled generator inputs on an unsampled load: the residual becomes per-sample.
        wide = cache.work("residual_wide", shape[:-1] + (n,), n)
        np.copyto(wide, residual)
        residual = wide
    residual[..., span] -= served_mw
    run = GeneratorRun(gen, energy, served_mwh, fuel_total)
    if full:
        run.available_units = available + np.zeros(tb.n_steps)
        run.units = units_kept
        run.output_mw = output * gen.rated_mw
        run.served_mw = served_mw
        run.fuel_mmbtu = fuel_steps
    return run, residual


def _row_dot(a: np.ndarray, b: np.ndarray) -> Any:
    """Σ_t a × b along the time axis without a temporary array."""
    if a.ndim == 1:
        return np.dot(a, b)
    return np.einsum("ij,ij->i", a, b)


def simulate(facility: FacilityInput, tb: TimeBase, full: bool = True, cache: Cache | None = None) -> Simulation:
    """Run the load, grid and dispatch model over the time base.

    ``full`` keeps every per-step array (central run); without it only per-run totals are kept
    and a few shortcuts apply (Monte Carlo chunks).
    """
    cache = cache or Cache()
    dt_h = tb.step_hours
    climate = facility.climate
    it_mw: Any = 0.0
    u_sum: Any = 0.0
    u_mean: Any = 0.0
    weight_sum: Any = 0.0
    n = tb.n_steps
    for fleet in facility.fleets:
        u = cache.get("utilisation", (fleet.utilisation, climate),
                      lambda: utilisation(fleet.utilisation, tb, climate.utc_offset_hours))
        it_mw = it_mw + fleet_it_mw(fleet, u)
        weight = fleet.accelerator_count * fleet.tdp_w
        u_mean = u_mean + per_sample(weight) * u.mean(axis=-1)
        weight_sum = weight_sum + per_sample(weight)
        if full:
            u_sum = u_sum + weight * u
    it_mw = as_column(it_mw)
    safe_weight = np.where(np.asarray(weight_sum) > 0, weight_sum, 1.0)

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
        facility_shape = np.broadcast_shapes(pue_shape, it_mw.shape)
        facility_mw = np.multiply(pue_t, it_mw, out=cache.work("facility", facility_shape, n))
    else:
        pue_t = as_column(cooling.pue_at_reference)
        facility_mw = it_mw * pue_t  # a per-run constant column
    capacity = cache.get("capacity", (facility.grid.contracts,), lambda: grid_capacity_mw(facility, tb))
    residual_shape = np.broadcast_shapes(facility_mw.shape, capacity.shape)
    residual = np.subtract(facility_mw, capacity, out=cache.work("residual", residual_shape, n))
    np.maximum(residual, 0.0, out=residual)

    sums: dict[str, Any] = {
        "energy_it_mwh": sum_steps(it_mw, n) * dt_h,
        "energy_facility_mwh": sum_steps(facility_mw, n) * dt_h,
        "peak_facility_mw": facility_mw.max(axis=-1),
        "peak_it_mw": it_mw.max(axis=-1),
        "mean_utilisation": u_mean / safe_weight,
    }
    sums["energy_grid_mwh"] = sums["energy_facility_mwh"] - residual.sum(axis=-1) * dt_h

    runs: list[GeneratorRun] = []
    for gen in facility.generators:
        run, residual = dispatch(gen, residual, tb, full, cache)
        runs.append(run)
    # Round-off can leave -1e-17 MW; unserved load is never negative.
    if full or residual.max() > 0:
        unserved = np.maximum(residual, 0.0, out=residual)
        sums["energy_unserved_mwh"] = unserved.sum(axis=-1) * dt_h
        sums["unserved_hours_h"] = np.count_nonzero(unserved > 0, axis=-1) * dt_h
    else:
        sums["energy_unserved_mwh"] = np.zeros(residual.shape[:-1])
        sums["unserved_hours_h"] = np.zeros(residual.shape[:-1])
    onsite_mwh: Any = 0.0
    output_mwh: Any = 0.0
    for run in runs:
        onsite_mwh = onsite_mwh + run.served_mwh
        output_mwh = output_mwh + run.energy_mwh
    sums["energy_onsite_mwh"] = onsite_mwh + 0.0 * sums["energy_it_mwh"]
    sums["energy_curtailed_mwh"] = output_mwh - onsite_mwh + 0.0 * sums["energy_it_mwh"]

    sim = Simulation(sums, runs)
    if full:
        grid = np.minimum(facility_mw, capacity)
        # Re-derive the grid energy from the per-step array, the central figure users see.
        sums["energy_grid_mwh"] = grid.sum(axis=-1) * dt_h
        onsite = np.zeros(tb.n_steps)
        curtailed = np.zeros(tb.n_steps)
        for run in runs:
            onsite = onsite + run.served_mw
            curtailed = curtailed + (run.output_mw - run.served_mw)
        sim.temp_c = temp
        sim.u_weighted = u_sum / safe_weight + np.zeros(n)
        sim.pue = pue_t + np.zeros(n)
        sim.it_mw = it_mw + np.zeros(n)
        sim.facility_mw = facility_mw + np.zeros(n)
        sim.capacity_mw = capacity
        sim.grid_mw = grid
        sim.onsite_mw = onsite
        sim.curtailed_mw = curtailed
        sim.unserved_mw = unserved
    return sim


def totals(sim: Simulation, facility: FacilityInput, tb: TimeBase, gwp: dict[str, Any]) -> dict[str, Any]:
    """Per-run totals (numbers for the central run, (samples,) arrays for a Monte Carlo chunk).

    Emissions are linear in fuel and grid energy, so totals are fuel or MWh totals times factors:
    no per-step pollutant arrays are needed for Monte Carlo.
    """
    out = dict(sim.sums)
    it_mwh = out["energy_it_mwh"]
    facility_mwh = out["energy_facility_mwh"]
    out["mean_pue"] = facility_mwh / np.where(it_mwh > 0, it_mwh, np.nan)
    out["onsite_share"] = out["energy_onsite_mwh"] / np.where(facility_mwh > 0, facility_mwh, np.inf)

    fuel_total: Any = 0.0
    onsite_kg: dict[str, Any] = {p: 0.0 for p in POLLUTANTS}
    # Factors come from ``facility`` (not from run.gen): a scenario that changes only factors
    # reuses another variant's simulation.
    for run, gen in zip(sim.generators, facility.generators):
        fuel_total = fuel_total + run.fuel_total_mmbtu
        factors = generator_factors_kg_per_mmbtu(gen, facility.fuel)
        for p in POLLUTANTS:
            onsite_kg[p] = onsite_kg[p] + run.fuel_total_mmbtu * per_sample(factors[p])
    out["fuel_mmbtu"] = fuel_total
    out["fuel_scf"] = fuel_total * BTU_PER_MMBTU / per_sample(facility.fuel.hhv_btu_per_scf)

    rates = facility.grid.emission_rates_lb_per_mwh
    grid_kg = {p: out["energy_grid_mwh"] * per_sample(rates.get(p, 0.0)) * KG_PER_LB for p in POLLUTANTS}
    onsite_kg["co2e"] = co2e(onsite_kg, gwp)
    grid_kg["co2e"] = co2e(grid_kg, gwp)
    for p in onsite_kg:
        out[f"{p}_onsite_t"] = onsite_kg[p] / KG_PER_TONNE
        out[f"{p}_grid_t"] = grid_kg[p] / KG_PER_TONNE
        out[f"{p}_total_t"] = (onsite_kg[p] + grid_kg[p]) / KG_PER_TONNE

    # Water: on-site (cooling) per kWh of IT energy; generation water per kWh drawn from the grid.
    out["water_onsite_m3"] = it_mwh * KWH_PER_MWH * per_sample(facility.cooling.wue_l_per_kwh) / LITRES_PER_M3
    out["water_generation_m3"] = (out["energy_grid_mwh"] * KWH_PER_MWH
                                  * per_sample(facility.grid.generation_water_l_per_kwh) / LITRES_PER_M3)
    return out
