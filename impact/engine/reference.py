"""A deliberately plain reference implementation: one Python loop over steps, math module only.

It shares no code with the vectorised engine except the input dataclasses and the constants, so
tests can cross-check :func:`impact.engine.compute` against it, and the benchmark can show what
vectorisation buys. Central values only (inputs taken as given: no Monte Carlo, no medians, no
scenarios). Each step, in order:

1. IT power of every fleet (the stage in force, accelerators and hosts linear in utilisation);
2. demand = IT × PUE;
3. the grid takes what it can, up to the contracted capacity;
4. peak-shaving batteries discharge into what is left, then charge from spare grid capacity;
5. generator groups, in order, cover what is still left;
6. backup-only batteries do the same as 4 on what the generators left;
7. what remains is unserved (curtailed demand), never counted as consumption.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

from .constants import BTU_PER_MMBTU, GWP_SETS, INFERENCE_PEAK_HOUR_LOCAL, KG_PER_LB
from .inputs import LOAD_BAND_THRESHOLD, POLLUTANTS, FacilityInput, FleetInput, GeneratorInput, Period, RunOptions
from .labels import METRIC_LABELS

# Round-off guard when counting units: 2 × 16.5 MW computed as 33.000000000001 still needs 2 units.
_COUNT_EPS = 1e-9
# Grams per pound (exact, 1959 pound) and kW per mechanical horsepower (550 ft·lbf/s, NIST SP 811).
_G_PER_LB = 453.59237
_KW_PER_BHP = 0.745699872


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


def _energised(fleet: FleetInput, t: dt.datetime):
    """(accelerators energised, utilisation profile) of a fleet at step start ``t``."""
    if not fleet.stages:
        return fleet.accelerator_count, fleet.utilisation
    in_force = None
    for stage in fleet.stages:
        if _naive_utc(stage.starts) <= t and (in_force is None or stage.starts >= in_force.starts):
            in_force = stage
    if in_force is None:  # before the first stage nothing is installed
        return 0, fleet.utilisation
    return in_force.accelerator_count, in_force.utilisation or fleet.utilisation


def _fleet_it_w(fleet: FleetInput, count: float, u: float) -> float:
    """Accelerators and their hosts, each linear in utilisation, plus networking and storage."""
    accelerators_w = count * (fleet.idle_w + (fleet.tdp_w - fleet.idle_w) * u)
    servers = count / fleet.accelerators_per_server
    hosts_w = servers * (fleet.host_idle_w_per_server
                         + (fleet.host_max_w_per_server - fleet.host_idle_w_per_server) * u)
    return (accelerators_w + hosts_w) * (1 + fleet.network_storage_share)


def _factor_kg_per_mmbtu(g: GeneratorInput, facility: FacilityInput, p: str, t: dt.datetime,
                         load_fraction: float) -> float:
    """Emission factor of one pollutant for one group at one step, first match wins."""
    if g.controls and p in g.controlled_factors_lb_per_mmbtu and _inside(t, g.controls_from, None):
        return g.controlled_factors_lb_per_mmbtu[p] * KG_PER_LB
    if p in g.limit_factors_g_per_bhp_hr:
        # g/bhp-hr -> g/kWh shaft (÷ 0.7457 kW/hp) -> g/kWh electric (÷ shaft-to-electric) ->
        # g/MMBtu (× 1e6 Btu ÷ heat rate Btu/kWh) -> lb/MMBtu (÷ 453.59237 g/lb).
        lb = g.limit_factors_g_per_bhp_hr[p] * 1e6 / (
            _G_PER_LB * _KW_PER_BHP * g.shaft_to_electric_efficiency * g.heat_rate_btu_per_kwh)
        return lb * KG_PER_LB
    if p in g.part_load_factors_lb_per_mmbtu and load_fraction < LOAD_BAND_THRESHOLD:
        return g.part_load_factors_lb_per_mmbtu[p] * KG_PER_LB
    if p in g.emission_factors_lb_per_mmbtu:
        return g.emission_factors_lb_per_mmbtu[p] * KG_PER_LB
    # 40 CFR 98 Subpart C, Tables C-1 and C-2, carried on FuelInput.
    part98 = {"co2": facility.fuel.co2_kg_per_mmbtu, "ch4": facility.fuel.ch4_kg_per_mmbtu,
              "n2o": facility.fuel.n2o_kg_per_mmbtu}
    return part98.get(p, 0.0)


def _battery_step(battery, soc: float, residual: float, headroom: float, dt_h: float):
    """Discharge into ``residual``, then charge from ``headroom``; returns
    (discharge MW, charge MW, new state of charge MWh, residual, headroom)."""
    d = min(residual, battery.power_mw, soc / dt_h)
    residual -= d
    soc -= d * dt_h
    room_mwh = max(battery.energy_mwh - soc, 0.0)
    c = min(headroom, battery.power_mw - d, room_mwh / (battery.round_trip_efficiency * dt_h))
    c = max(c, 0.0)
    headroom -= c
    soc += c * battery.round_trip_efficiency * dt_h
    return d, c, soc, residual, headroom


def _batteries_step(facility: FacilityInput, rule: str, t: dt.datetime, soc: list[float], residual: float,
                    headroom: float, dt_h: float):
    """One step of the batteries with dispatch ``rule`` in force, in facility order; updates ``soc``
    and returns (discharge MW, charge MW, losses MW, residual, headroom). All battery losses are
    booked on charging."""
    discharge = charge = losses = 0.0
    for i, b in enumerate(facility.batteries):
        if b.dispatch_rule == rule and _inside(t, b.available_from, b.available_to):
            d, c, soc[i], residual, headroom = _battery_step(b, soc[i], residual, headroom, dt_h)
            discharge += d
            charge += c
            losses += c * (1 - b.round_trip_efficiency)
    return discharge, charge, losses, residual, headroom


def reference_steps(facility: FacilityInput, period: Period) -> list[dict]:
    """Every step of the central run as a plain dict of MW, MWh, MMBtu and kg figures.

    Keys: ``t`` (naive UTC step start), it_demand_mw, pue, demand_mw, capacity_mw, grid_mw
    (battery charging included), onsite_mw, surplus_mw, battery_discharge_mw, battery_charge_mw,
    battery_soc_mwh (after the step, all batteries), unserved_mw, served_mw, served_it_mw,
    accelerators, u_weighted_sum, tdp_weight, fuel_mmbtu, starts, units ({group: units}),
    onsite_kg ({pollutant: kg}).
    """
    step = dt.timedelta(minutes=period.step_minutes)
    dt_h = period.step_minutes / 60.0
    start = _naive_utc(period.start)
    end = _naive_utc(period.end)
    offset = facility.climate.utc_offset_hours
    cooling = facility.cooling
    has_climate = bool(facility.climate.hourly_temp_c or facility.climate.monthly_low_c)
    soc = [b.initial_state_of_charge * b.energy_mwh for b in facility.batteries]
    previous_units = [0 for _ in facility.generators]

    rows = []
    t = start
    while t < end:
        # 1. IT power and the weights of the mean utilisation.
        it_w = 0.0
        accelerators = 0.0
        u_weighted = 0.0
        weight = 0.0
        for fleet in facility.fleets:
            count, profile = _energised(fleet, t)
            u = _utilisation(profile, t, offset)
            it_w += _fleet_it_w(fleet, count, u)
            accelerators += count
            u_weighted += count * fleet.tdp_w * u
            weight += count * fleet.tdp_w
        it_mw = it_w / 1e6

        # 2. Demand with unlimited supply.
        if has_climate:
            temp = _temperature(facility, t, start)
            pue = max(cooling.pue_at_reference,
                      cooling.pue_at_reference + cooling.pue_slope_per_degc * (temp - cooling.pue_reference_temp_c))
        else:
            pue = cooling.pue_at_reference
        demand = it_mw * pue

        # 3. Grid first, up to the contracts in force.
        capacity = sum(c.capacity_mw for c in facility.grid.contracts if _inside(t, c.starts, c.ends))
        grid_to_load = min(demand, capacity)
        residual = demand - grid_to_load
        headroom = capacity - grid_to_load

        # 4. Peak-shaving batteries.
        discharge, charge, losses, residual, headroom = _batteries_step(
            facility, "peak_shaving", t, soc, residual, headroom, dt_h)

        # 5. Generator groups, in order, on what is left.
        onsite = 0.0
        surplus = 0.0
        fuel_step = 0.0
        starts = 0
        units_by_group = {}
        kg = {p: 0.0 for p in POLLUTANTS}
        for i, g in enumerate(facility.generators):
            units = 0
            if residual > 0 and _inside(t, g.available_from, g.available_to):
                available = math.floor(g.unit_count * g.availability + _COUNT_EPS)
                units = min(math.ceil(residual / g.rated_mw - _COUNT_EPS), available)
            if units > 0:
                served = min(residual, units * g.rated_mw)
                per_unit = max(served / units, g.min_load_fraction * g.rated_mw)
                output = units * per_unit
                load_fraction = output / (units * g.rated_mw)
                # MW × h × Btu/kWh ÷ 1,000 = MMBtu (1,000 kWh per MWh, 1e6 Btu per MMBtu).
                fuel = output * dt_h * g.heat_rate_btu_per_kwh / 1000.0 * _multiplier(g.part_load_heat_rate, load_fraction)
                residual -= served
                onsite += served
                surplus += output - served
                fuel_step += fuel
                for p in POLLUTANTS:
                    kg[p] += fuel * _factor_kg_per_mmbtu(g, facility, p, t, load_fraction)
            # Units are interchangeable: starts are the increases in the running count (all off
            # before the period).
            group_starts = max(units - previous_units[i], 0)
            for p, lb in g.startup_lb_per_event.items():
                kg[p] += group_starts * lb * KG_PER_LB
            starts += group_starts
            previous_units[i] = units
            units_by_group[g.name] = units

        # 6. Backup-only batteries, on what the generators left.
        d, c, lost, residual, headroom = _batteries_step(facility, "backup_only", t, soc, residual, headroom, dt_h)
        discharge += d
        charge += c
        losses += lost

        # 7. What is left is unserved; served load is what some supply delivered.
        unserved = max(residual, 0.0)
        served_mw = demand - unserved
        rows.append({
            "t": t, "it_demand_mw": it_mw, "pue": pue, "demand_mw": demand, "capacity_mw": capacity,
            "grid_mw": grid_to_load + charge, "onsite_mw": onsite, "surplus_mw": surplus,
            "battery_discharge_mw": discharge, "battery_charge_mw": charge,
            "battery_losses_mw": losses, "battery_soc_mwh": sum(soc),
            "unserved_mw": unserved, "served_mw": served_mw, "served_it_mw": served_mw / pue,
            "accelerators": accelerators, "u_weighted_sum": u_weighted, "tdp_weight": weight,
            "fuel_mmbtu": fuel_step, "starts": starts, "units": units_by_group, "onsite_kg": kg,
        })
        t += step
    return rows


def compute_reference_loop(facility: FacilityInput, period: Period,
                           options: RunOptions = RunOptions()) -> dict[str, float]:
    """Central totals by a plain loop over steps, under the engine's metric keys (every key in
    :data:`impact.engine.labels.METRIC_LABELS`), plus ``starts:<group>`` and
    ``unit_hours:<group>`` per generator group. Inputs are assumed valid (call
    :func:`impact.engine.validate` first)."""
    gwp = GWP_SETS[options.gwp_set]
    dt_h = period.step_minutes / 60.0
    rows = reference_steps(facility, period)

    tot = {k: 0.0 for k in ("energy_it_mwh", "energy_facility_mwh", "energy_grid_mwh", "energy_onsite_mwh",
                            "energy_battery_discharge_mwh", "energy_battery_charge_mwh", "energy_surplus_mwh",
                            "energy_demand_mwh", "energy_unserved_mwh", "unserved_hours_h", "peak_facility_mw",
                            "peak_it_mw", "fuel_mmbtu", "generator_starts")}
    onsite_kg = {p: 0.0 for p in POLLUTANTS}
    unit_hours = {g.name: 0.0 for g in facility.generators}
    starts = {g.name: 0 for g in facility.generators}
    previous = {g.name: 0 for g in facility.generators}
    u_weighted = 0.0
    weight = 0.0
    accelerators = 0.0
    for row in rows:
        tot["energy_it_mwh"] += row["served_it_mw"] * dt_h
        tot["energy_facility_mwh"] += row["served_mw"] * dt_h
        tot["energy_grid_mwh"] += row["grid_mw"] * dt_h
        tot["energy_onsite_mwh"] += row["onsite_mw"] * dt_h
        tot["energy_battery_discharge_mwh"] += row["battery_discharge_mw"] * dt_h
        tot["energy_battery_charge_mwh"] += row["battery_charge_mw"] * dt_h
        tot["energy_surplus_mwh"] += row["surplus_mw"] * dt_h
        tot["energy_demand_mwh"] += row["demand_mw"] * dt_h
        tot["energy_unserved_mwh"] += row["unserved_mw"] * dt_h
        if row["unserved_mw"] > 0:
            tot["unserved_hours_h"] += dt_h
        tot["peak_facility_mw"] = max(tot["peak_facility_mw"], row["served_mw"])
        tot["peak_it_mw"] = max(tot["peak_it_mw"], row["served_it_mw"])
        tot["fuel_mmbtu"] += row["fuel_mmbtu"]
        tot["generator_starts"] += row["starts"]
        for p in POLLUTANTS:
            onsite_kg[p] += row["onsite_kg"][p]
        for name, units in row["units"].items():
            unit_hours[name] += units * dt_h
            starts[name] += max(units - previous[name], 0)
            previous[name] = units
        u_weighted += row["u_weighted_sum"]
        weight += row["tdp_weight"]
        accelerators += row["accelerators"]

    demand = tot["energy_demand_mwh"]
    tot["unserved_share"] = tot["energy_unserved_mwh"] / demand if demand > 0 else 0.0
    tot["energy_battery_losses_mwh"] = sum(row["battery_losses_mw"] for row in rows) * dt_h
    tot["mean_pue"] = tot["energy_facility_mwh"] / tot["energy_it_mwh"] if tot["energy_it_mwh"] > 0 else math.nan
    tot["mean_utilisation"] = u_weighted / weight if weight > 0 else 0.0
    tot["mean_accelerators_energised"] = accelerators / len(rows) if rows else 0.0
    facility_mwh = tot["energy_facility_mwh"]
    tot["onsite_share"] = tot["energy_onsite_mwh"] / facility_mwh if facility_mwh > 0 else 0.0
    tot["fuel_scf"] = tot["fuel_mmbtu"] * BTU_PER_MMBTU / facility.fuel.hhv_btu_per_scf

    grid_mwh = tot["energy_grid_mwh"]
    location = facility.grid.emission_rates_lb_per_mwh
    market = facility.grid.market_rates_lb_per_mwh
    grid_kg = {p: grid_mwh * location.get(p, 0.0) * KG_PER_LB for p in POLLUTANTS}
    # Market-based scope 2: the supplier's CO2 rate; CH4 and N2O from it where given, otherwise
    # the location-based rate (suppliers rarely publish them). Without a supplier CO2 rate there
    # is no market-based figure at all (0, "not available").
    market_kg = {p: 0.0 for p in ("co2", "ch4", "n2o")}
    if "co2" in market:
        for p in market_kg:
            market_kg[p] = grid_mwh * market.get(p, location.get(p, 0.0)) * KG_PER_LB
    for masses in (onsite_kg, grid_kg, market_kg):
        masses["co2e"] = masses["co2"] + gwp["ch4"] * masses["ch4"] + gwp["n2o"] * masses["n2o"]
    for p in onsite_kg:
        tot[f"{p}_onsite_t"] = onsite_kg[p] / 1000.0
        tot[f"{p}_grid_t"] = grid_kg[p] / 1000.0
        tot[f"{p}_total_t"] = (onsite_kg[p] + grid_kg[p]) / 1000.0
    for p in ("co2", "co2e"):
        tot[f"{p}_grid_market_t"] = market_kg[p] / 1000.0
        tot[f"{p}_total_market_t"] = (onsite_kg[p] + market_kg[p]) / 1000.0
    # MWh × L/kWh = m³ (1,000 kWh per MWh, 1,000 L per m³).
    tot["water_onsite_m3"] = tot["energy_it_mwh"] * facility.cooling.wue_l_per_kwh
    if facility.grid.generation_water_l_per_kwh is not None:
        tot["water_generation_m3"] = grid_mwh * facility.grid.generation_water_l_per_kwh
    for g in facility.generators:
        tot[f"starts:{g.name}"] = float(starts[g.name])
        tot[f"unit_hours:{g.name}"] = unit_hours[g.name]
    optional = set() if facility.grid.generation_water_l_per_kwh is not None else {"water_generation_m3"}
    missing = set(METRIC_LABELS) - set(tot) - optional
    assert not missing, f"reference loop lacks {sorted(missing)}"
    return tot
