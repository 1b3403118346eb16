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
    KWH_PER_MWH,
)
from .inputs import POLLUTANTS, FacilityInput, FleetInput, FuelInput, GeneratorInput, UtilisationProfile
from .timebase import TimeBase, gather, is_scalar, per_sample

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
        u = profile.mean_utilisation * np.ones(tb.n_steps)
    for start, end in profile.planned_downtime:
        u = u * ~tb.window_mask(start, end)
    return u


def fleet_it_mw(fleet: FleetInput, u: Any) -> Any:
    """IT power of one fleet, MW.

    Accelerator W = idle + (TDP − idle) × u. Server overhead is assumed to idle at the same
    idle/TDP ratio as the accelerator, so it scales by the same factor: the server draws
    (1 + overhead/TDP) times the accelerator. Network and storage add a share on top.
    """
    scale = fleet.accelerator_count * (1.0 + fleet.server_overhead_w_per_accelerator / fleet.tdp_w)
    scale = scale * (1.0 + fleet.network_storage_share) / 1.0e6
    return scale * fleet.idle_w + (scale * (fleet.tdp_w - fleet.idle_w)) * u


def pue(facility: FacilityInput, temp_c: Any) -> Any:
    """PUE(t) = max(PUE_ref, PUE_ref + slope × (T − T_ref)); constant without climate data."""
    cooling = facility.cooling
    if not has_climate(facility.climate):
        return cooling.pue_at_reference + np.zeros(np.shape(temp_c)[-1])
    excess = np.maximum(temp_c - cooling.pue_reference_temp_c, 0.0)
    return cooling.pue_at_reference + cooling.pue_slope_per_degc * excess


def grid_capacity_mw(facility: FacilityInput, tb: TimeBase) -> Any:
    """Contracted capacity per step; overlapping contracts add up; 0 outside every contract."""
    cap: Any = np.zeros(tb.n_steps)
    for contract in facility.grid.contracts:
        cap = cap + contract.capacity_mw * tb.window_mask(contract.starts, contract.ends)
    return cap


def heat_rate_multiplier(gen: GeneratorInput, load_fraction: Any) -> Any:
    """Part-load heat-rate multiplier: linear between the curve points, flat beyond the first and
    last point; 1 without a curve.

    Written as y0 + Σ slope_i × (clip(x, x_i, x_i+1) − x_i) rather than np.interp: it is about
    three times faster here and broadcasts when the curve points themselves are sampled.
    """
    curve = gen.part_load_heat_rate
    if not curve:
        return 1.0
    out: Any = curve[0][1]
    for (x0, y0), (x1, y1) in zip(curve[:-1], curve[1:]):
        out = out + (y1 - y0) / (x1 - x0) * (np.clip(load_fraction, x0, x1) - x0)
    return out + 0.0 * load_fraction if np.ndim(out) < np.ndim(load_fraction) else out


def generator_factors_kg_per_mmbtu(gen: GeneratorInput, fuel: FuelInput) -> dict[str, Any]:
    """Emission factors in kg/MMBtu (HHV) for every pollutant in POLLUTANTS.

    CO2, CH4 and N2O come from Part 98 (FuelInput) - except that an AP-42 CH4 factor on the
    generator replaces Part 98's CH4: Part 98 Table C-2's 1E-3 kg/MMBtu is for boilers, and
    reciprocating engines slip far more unburned methane (AP-42 4SLB 1.25 lb/MMBtu; Subpart W
    sites must use §98.233(z)(4) for engines and turbines, factors.md §3). With ``controls`` set,
    controlled factors replace the uncontrolled ones where given.
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


@dataclass
class GeneratorRun:
    """Per-step dispatch of one generator group (arrays) and its totals."""

    gen: GeneratorInput
    available_units: Any
    units: Any
    output_mw: Any
    served_mw: Any
    fuel_mmbtu: Any
    energy_mwh: Any
    served_mwh: Any
    fuel_total_mmbtu: Any


@dataclass
class Simulation:
    """Arrays and totals of one run (central: per-step arrays; MC chunk: (samples, steps))."""

    temp_c: Any
    u_weighted: Any
    pue: Any
    it_mw: Any
    facility_mw: Any
    capacity_mw: Any
    grid_mw: Any
    onsite_mw: Any
    curtailed_mw: Any
    unserved_mw: Any
    generators: list[GeneratorRun]
    totals: dict[str, Any] = field(default_factory=dict)


def dispatch(gen: GeneratorInput, residual: Any, tb: TimeBase, keep_units: bool) -> GeneratorRun:
    """Commit the fewest units of one group that cover ``residual`` and share it equally.

    Each committed unit runs at max(share, min load); when one unit at minimum load is more than
    the residual, the surplus is curtailed (reported, and its fuel counted). Units beyond the
    available number leave the remainder for the next group.
    """
    dt_h = tb.step_hours
    window = tb.window_mask(gen.available_from, gen.available_to)
    available = np.floor(gen.unit_count * gen.availability + _COUNT_EPS) * window
    needed = np.ceil(residual / gen.rated_mw - _COUNT_EPS)
    units = np.minimum(needed, available)
    served = np.minimum(residual, units * gen.rated_mw)
    per_unit = np.maximum(served / np.maximum(units, 1.0), gen.min_load_fraction * gen.rated_mw)
    output = units * per_unit
    multiplier = heat_rate_multiplier(gen, per_unit / gen.rated_mw)
    # MWh × Btu/kWh × 1000 kWh/MWh ÷ 1e6 Btu/MMBtu = MMBtu (HHV).
    fuel = output * (dt_h * gen.heat_rate_btu_per_kwh * KWH_PER_MWH / BTU_PER_MMBTU) * multiplier
    return GeneratorRun(
        gen=gen,
        available_units=available if keep_units else None,
        units=units if keep_units else None,
        output_mw=output,
        served_mw=served,
        fuel_mmbtu=fuel,
        energy_mwh=output.sum(axis=-1) * dt_h,
        served_mwh=served.sum(axis=-1) * dt_h,
        fuel_total_mmbtu=fuel.sum(axis=-1),
    )


def simulate(facility: FacilityInput, tb: TimeBase, keep_units: bool = False) -> Simulation:
    """Run the load, grid and dispatch model over the time base."""
    offset = facility.climate.utc_offset_hours
    it_mw: Any = 0.0
    u_weighted: Any = 0.0
    tdp_weight: Any = 0.0
    for fleet in facility.fleets:
        u = utilisation(fleet.utilisation, tb, offset)
        it_mw = it_mw + fleet_it_mw(fleet, u)
        weight = fleet.accelerator_count * fleet.tdp_w
        u_weighted = u_weighted + weight * u
        tdp_weight = tdp_weight + weight
    it_mw = it_mw + np.zeros(tb.n_steps)
    u_weighted = u_weighted / np.where(np.asarray(tdp_weight) > 0, tdp_weight, 1.0) + np.zeros(tb.n_steps)

    temp = temperature_c(facility.climate, tb)
    pue_t = pue(facility, temp)
    facility_mw = it_mw * pue_t
    capacity = grid_capacity_mw(facility, tb)
    grid = np.minimum(facility_mw, capacity)
    residual = facility_mw - grid

    runs: list[GeneratorRun] = []
    onsite: Any = np.zeros(tb.n_steps)
    curtailed: Any = np.zeros(tb.n_steps)
    for gen in facility.generators:
        run = dispatch(gen, residual, tb, keep_units)
        runs.append(run)
        residual = residual - run.served_mw
        onsite = onsite + run.served_mw
        curtailed = curtailed + (run.output_mw - run.served_mw)
    # Round-off can leave -1e-17 MW; unserved load is never negative.
    unserved = np.maximum(residual, 0.0)
    return Simulation(temp, u_weighted, pue_t, it_mw, facility_mw, capacity, grid, onsite,
                      curtailed, unserved, runs)


def totals(sim: Simulation, facility: FacilityInput, tb: TimeBase, gwp: dict[str, Any]) -> dict[str, Any]:
    """Per-run totals (numbers for the central run, (samples,) arrays for a Monte Carlo chunk).

    Emissions are linear in fuel and grid energy, so totals are fuel or MWh totals times factors:
    no per-step pollutant arrays are needed for Monte Carlo.
    """
    dt_h = tb.step_hours
    out: dict[str, Any] = {}
    out["energy_it_mwh"] = sim.it_mw.sum(axis=-1) * dt_h
    out["energy_facility_mwh"] = sim.facility_mw.sum(axis=-1) * dt_h
    out["energy_grid_mwh"] = sim.grid_mw.sum(axis=-1) * dt_h
    out["energy_onsite_mwh"] = sim.onsite_mw.sum(axis=-1) * dt_h
    out["energy_curtailed_mwh"] = sim.curtailed_mw.sum(axis=-1) * dt_h
    out["energy_unserved_mwh"] = sim.unserved_mw.sum(axis=-1) * dt_h
    out["peak_facility_mw"] = sim.facility_mw.max(axis=-1)
    out["peak_it_mw"] = sim.it_mw.max(axis=-1)
    out["mean_pue"] = out["energy_facility_mwh"] / np.where(out["energy_it_mwh"] > 0, out["energy_it_mwh"], np.nan)
    out["mean_utilisation"] = sim.u_weighted.mean(axis=-1)
    facility_mwh = out["energy_facility_mwh"]
    out["onsite_share"] = np.where(facility_mwh > 0, out["energy_onsite_mwh"] / np.where(facility_mwh > 0, facility_mwh, 1.0), 0.0)
    out["unserved_hours_h"] = (sim.unserved_mw > 0).sum(axis=-1) * dt_h

    fuel_total: Any = 0.0
    onsite_kg = {p: 0.0 for p in POLLUTANTS}
    for run in sim.generators:
        fuel_total = fuel_total + run.fuel_total_mmbtu
        factors = generator_factors_kg_per_mmbtu(run.gen, facility.fuel)
        for p in POLLUTANTS:
            onsite_kg[p] = onsite_kg[p] + run.fuel_total_mmbtu * per_sample(factors[p])
    out["fuel_mmbtu"] = fuel_total
    out["fuel_scf"] = fuel_total * BTU_PER_MMBTU / per_sample(facility.fuel.hhv_btu_per_scf)

    rates = facility.grid.emission_rates_lb_per_mwh
    grid_kg = {p: out["energy_grid_mwh"] * per_sample(rates.get(p, 0.0)) * KG_PER_LB for p in POLLUTANTS}
    onsite_kg["co2e"] = co2e(onsite_kg, gwp)
    grid_kg["co2e"] = co2e(grid_kg, gwp)
    for p in onsite_kg:
        out[f"{p}_onsite_t"] = onsite_kg[p] / 1000.0
        out[f"{p}_grid_t"] = grid_kg[p] / 1000.0
        out[f"{p}_total_t"] = (onsite_kg[p] + grid_kg[p]) / 1000.0

    # Water: on-site (cooling) per kWh of IT energy; generation water per kWh drawn from the grid.
    out["water_onsite_m3"] = out["energy_it_mwh"] * KWH_PER_MWH * per_sample(facility.cooling.wue_l_per_kwh) / 1000.0
    out["water_generation_m3"] = out["energy_grid_mwh"] * KWH_PER_MWH * per_sample(facility.grid.generation_water_l_per_kwh) / 1000.0
    return out
