"""A deliberately plain reference implementation: one Python loop over steps, math module only.

It shares no code with the vectorised engine except the input dataclasses and the constants, so
tests can cross-check :func:`impact.engine.compute` against it, and the benchmark can show what
vectorisation buys. Central values only (no Monte Carlo, no scenarios).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

from .constants import BTU_PER_MMBTU, GWP_SETS, INFERENCE_PEAK_HOUR_LOCAL, KG_PER_LB
from .inputs import POLLUTANTS, FacilityInput, Period, RunOptions

_COUNT_EPS = 1e-9


def _month_mid(year: int, month: int) -> dt.datetime:
    while month < 1:
        year, month = year - 1, month + 12
    while month > 12:
        year, month = year + 1, month - 12
    days = calendar.monthrange(year, month)[1]
    return dt.datetime(year, month, 1) + dt.timedelta(minutes=days * 1440 // 2)


def _temperature(facility: FacilityInput, t: dt.datetime, start: dt.datetime) -> float:
    c = facility.climate
    if c.hourly_temp_c:
        return c.hourly_temp_c[int((t - start).total_seconds() // 3600)]
    if not c.monthly_low_c:
        return math.nan
    local = t + dt.timedelta(minutes=round(c.utc_offset_hours * 60))
    mid = _month_mid(local.year, local.month)
    m0 = local.month if local >= mid else local.month - 1
    y0 = local.year
    t0, t1 = _month_mid(y0, m0), _month_mid(y0, m0 + 1)
    w = (local - t0) / (t1 - t0)
    i0, i1 = (m0 - 1) % 12, m0 % 12
    low = c.monthly_low_c[i0] * (1 - w) + c.monthly_low_c[i1] * w
    high = c.monthly_high_c[i0] * (1 - w) + c.monthly_high_c[i1] * w
    hour = local.hour + local.minute / 60.0
    rise = (c.max_hour_local - c.min_hour_local) % 24
    since = (hour - c.min_hour_local) % 24
    if since <= rise:
        frac = (1 - math.cos(math.pi * since / rise)) / 2
    else:
        frac = (1 + math.cos(math.pi * (since - rise) / (24 - rise))) / 2
    return low + (high - low) * frac


def _utilisation(profile, t: dt.datetime, offset_h: float) -> float:
    for a, b in profile.planned_downtime:
        if _inside(t, a, b):
            return 0.0
    local = t + dt.timedelta(minutes=round(offset_h * 60))
    hour = local.hour + local.minute / 60.0
    if profile.kind == "inference":
        u = profile.mean_utilisation * (1 + profile.diurnal_amplitude
                                        * math.cos(2 * math.pi * (hour - INFERENCE_PEAK_HOUR_LOCAL) / 24))
        return min(1.0, max(0.0, u))
    if profile.kind == "hourly":
        if len(profile.hourly_shape) == 168:
            return profile.hourly_shape[local.weekday() * 24 + local.hour]
        return profile.hourly_shape[local.hour]
    return profile.mean_utilisation


def _naive_utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _inside(t: dt.datetime, starts: dt.datetime | None, ends: dt.datetime | None) -> bool:
    s, e = _naive_utc(starts), _naive_utc(ends)
    return (s is None or t >= s) and (e is None or t < e)


def _multiplier(curve, fraction: float) -> float:
    if not curve:
        return 1.0
    if fraction <= curve[0][0]:
        return curve[0][1]
    for (x0, y0), (x1, y1) in zip(curve[:-1], curve[1:]):
        if fraction <= x1:
            return y0 + (y1 - y0) * (fraction - x0) / (x1 - x0)
    return curve[-1][1]


def compute_reference_loop(facility: FacilityInput, period: Period,
                           options: RunOptions = RunOptions()) -> dict[str, float]:
    """Central totals by a plain loop over steps (same keys as the engine's metrics, where
    computed). Inputs are assumed valid (call :func:`impact.engine.validate` first)."""
    gwp = GWP_SETS[options.gwp_set]
    step = dt.timedelta(minutes=period.step_minutes)
    dt_h = period.step_minutes / 60.0
    start = _naive_utc(period.start)
    end = _naive_utc(period.end)
    offset = facility.climate.utc_offset_hours
    cooling = facility.cooling
    has_climate = bool(facility.climate.hourly_temp_c or facility.climate.monthly_low_c)

    tot = {k: 0.0 for k in ("energy_it_mwh", "energy_facility_mwh", "energy_grid_mwh", "energy_onsite_mwh",
                            "energy_curtailed_mwh", "energy_unserved_mwh", "fuel_mmbtu", "peak_facility_mw")}
    onsite_kg = {p: 0.0 for p in POLLUTANTS}
    starts = {g.name: 0 for g in facility.generators}
    unit_hours = {g.name: 0.0 for g in facility.generators}
    previous_units = {g.name: 0 for g in facility.generators}
    factors = []
    for g in facility.generators:
        lb = dict(g.emission_factors_lb_per_mmbtu)
        if g.controls:
            lb.update(g.controlled_factors_lb_per_mmbtu)
        kg = {"co2": facility.fuel.co2_kg_per_mmbtu, "ch4": facility.fuel.ch4_kg_per_mmbtu,
              "n2o": facility.fuel.n2o_kg_per_mmbtu}
        kg.update({p: v * KG_PER_LB for p, v in lb.items()})
        factors.append(kg)

    t = start
    while t < end:
        it_w = 0.0
        for fleet in facility.fleets:
            u = _utilisation(fleet.utilisation, t, offset)
            accel_w = fleet.idle_w + (fleet.tdp_w - fleet.idle_w) * u
            server_w = accel_w * (1 + fleet.server_overhead_w_per_accelerator / fleet.tdp_w)
            it_w += fleet.accelerator_count * server_w * (1 + fleet.network_storage_share)
        it_mw = it_w / 1e6
        if has_climate:
            temp = _temperature(facility, t, start)
            pue = max(cooling.pue_at_reference,
                      cooling.pue_at_reference + cooling.pue_slope_per_degc * (temp - cooling.pue_reference_temp_c))
        else:
            pue = cooling.pue_at_reference
        load = it_mw * pue
        capacity = sum(c.capacity_mw for c in facility.grid.contracts if _inside(t, c.starts, c.ends))
        grid = min(load, capacity)
        residual = load - grid
        for g, kg in zip(facility.generators, factors):
            units = 0
            if residual > 0 and _inside(t, g.available_from, g.available_to):
                available = math.floor(g.unit_count * g.availability + _COUNT_EPS)
                units = min(math.ceil(residual / g.rated_mw - _COUNT_EPS), available)
            if units > 0:
                served = min(residual, units * g.rated_mw)
                per_unit = max(served / units, g.min_load_fraction * g.rated_mw)
                output = units * per_unit
                fuel = output * dt_h * g.heat_rate_btu_per_kwh / 1000.0 * _multiplier(g.part_load_heat_rate, per_unit / g.rated_mw)
                residual -= served
                tot["energy_onsite_mwh"] += served * dt_h
                tot["energy_curtailed_mwh"] += (output - served) * dt_h
                tot["fuel_mmbtu"] += fuel
                for p in POLLUTANTS:
                    onsite_kg[p] += fuel * kg[p]
            starts[g.name] += max(units - previous_units[g.name], 0)
            unit_hours[g.name] += units * dt_h
            previous_units[g.name] = units
        tot["energy_it_mwh"] += it_mw * dt_h
        tot["energy_facility_mwh"] += load * dt_h
        tot["energy_grid_mwh"] += grid * dt_h
        tot["energy_unserved_mwh"] += max(residual, 0.0) * dt_h
        tot["peak_facility_mw"] = max(tot["peak_facility_mw"], load)
        t += step

    tot["fuel_scf"] = tot["fuel_mmbtu"] * BTU_PER_MMBTU / facility.fuel.hhv_btu_per_scf
    grid_kg = {p: tot["energy_grid_mwh"] * facility.grid.emission_rates_lb_per_mwh.get(p, 0.0) * KG_PER_LB
               for p in POLLUTANTS}
    for masses in (onsite_kg, grid_kg):
        masses["co2e"] = masses["co2"] + gwp["ch4"] * masses["ch4"] + gwp["n2o"] * masses["n2o"]
    for p in onsite_kg:
        tot[f"{p}_onsite_t"] = onsite_kg[p] / 1000.0
        tot[f"{p}_grid_t"] = grid_kg[p] / 1000.0
        tot[f"{p}_total_t"] = (onsite_kg[p] + grid_kg[p]) / 1000.0
    tot["water_onsite_m3"] = tot["energy_it_mwh"] * cooling.wue_l_per_kwh
    tot["water_generation_m3"] = tot["energy_grid_mwh"] * facility.grid.generation_water_l_per_kwh
    for g in facility.generators:
        tot[f"starts:{g.name}"] = float(starts[g.name])
        tot[f"unit_hours:{g.name}"] = unit_hours[g.name]
    return tot
