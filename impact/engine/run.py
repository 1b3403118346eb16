"""Orchestration: validate, apply scenarios, run the central case and the Monte Carlo, assemble
results, check invariants."""

from __future__ import annotations

import dataclasses
from typing import Any, Iterable

import numpy as np

from .climate import has_climate
from .constants import (
    BTU_PER_MMBTU,
    FAMILY_WATER_GAL_PER_DAY,
    FAMILY_WATER_SOURCE,
    GWP_SETS,
    HOURS_PER_DAY,
    HOURS_PER_MONTH,
    HOURS_PER_YEAR,
    KG_PER_LB,
    KWH_PER_MWH,
    LITRES_PER_US_GALLON,
    MLGW_PEAK_SOURCE,
    MLGW_RECORD_PEAK_MW,
    PASSENGER_VEHICLE_SOURCE,
    PASSENGER_VEHICLE_T_CO2_PER_YEAR,
    TN_HOUSEHOLD_KWH_PER_MONTH,
    TN_HOUSEHOLD_SOURCE,
)
from .errors import EngineError, EngineInputError
from .inputs import POLLUTANTS, FacilityInput, Period, RunOptions, Scenario
from .labels import METRIC_LABELS
from .montecarlo import median_facility, run_monte_carlo, spearman_rho
from .paths import path_exists, path_is_under, set_path
from .physics import (
    CELLS,
    Simulation,
    cell_fuel,
    co2e,
    factor_choice,
    generator_factors_kg_per_mmbtu,
    grid_masses_kg,
    heat_rate_multiplier,
    market_rates,
    simulate,
    startup_kg_per_event,
    totals,
)
from .result import Comparison, Driver, EngineResult, GeneratorStats, Metric, RunResult, Series
from .timebase import TimeBase, make_timebase
from .validation import slugify, validate, validate_facility, validate_uncertainties
from .version import ENGINE_VERSION

# Invariants must hold to this relative tolerance, or the run fails loudly (EngineError).
INVARIANT_TOLERANCE = 1e-6
BASE_NAME = "base"


def apply_scenario(facility: FacilityInput, scenario: Scenario) -> tuple[FacilityInput, list[str]]:
    """Apply a scenario's overrides; return the new facility and the uncertain paths dropped.

    An uncertainty on a path the scenario overrides (or on anything inside it, or on something
    the override removed) no longer applies: the scenario fixes that value.
    """
    out = facility
    for path, value in scenario.overrides.items():
        if isinstance(value, list):
            value = tuple(value)  # JSON gives lists; the dataclasses hold tuples
        out = set_path(out, path, value, allow_new_pollutant_key=True)
    keep, dropped = [], []
    for unc in out.uncertainties:
        overridden = any(path_is_under(unc.path, p) for p in scenario.overrides if p != "uncertainties")
        if overridden or not path_exists(out, unc.path):
            dropped.append(unc.path)
        else:
            keep.append(unc)
    return dataclasses.replace(out, uncertainties=tuple(keep)), dropped


def _build_series(sim: Simulation, facility: FacilityInput, tb: TimeBase, gwp: dict[str, Any]) -> Series:
    dt_h = tb.step_hours
    fuel: Any = np.zeros(tb.n_steps)
    onsite_kg = {p: np.zeros(tb.n_steps) for p in POLLUTANTS}
    for run in sim.generators:
        fuel = fuel + run.fuel_mmbtu
        factors = generator_factors_kg_per_mmbtu(run.gen, facility.fuel)
        startup = startup_kg_per_event(run.gen)
        for controlled, part in CELLS:
            mask = (run.controlled_mask == controlled) & (run.part_mask == part)
            for p in POLLUTANTS:
                onsite_kg[p] = onsite_kg[p] + run.fuel_mmbtu * mask * factors[(controlled, part)][p]
        for p in POLLUTANTS:
            onsite_kg[p] = onsite_kg[p] + run.starts_steps * startup[p]
    grid_mwh = sim.grid_mw * dt_h
    grid_kg = grid_masses_kg(grid_mwh, facility.grid.emission_rates_lb_per_mwh)
    onsite_kg["co2e"] = co2e(onsite_kg, gwp)
    grid_kg["co2e"] = co2e(grid_kg, gwp)
    market_kg = grid_masses_kg(grid_mwh, market_rates(facility.grid))
    market_kg["co2e"] = co2e(market_kg, gwp)
    return Series(
        timestamps=tb.timestamps,
        temperature_c=np.asarray(sim.temp_c, dtype=float),
        utilisation=sim.u_weighted,
        pue=sim.pue,
        it_load_mw=sim.it_mw,
        facility_load_mw=sim.facility_mw,
        grid_capacity_mw=sim.capacity_mw,
        grid_mw=sim.grid_mw,
        onsite_mw=sim.onsite_mw,
        surplus_mw=sim.surplus_mw,
        unserved_mw=sim.unserved_mw,
        fuel_mmbtu=fuel,
        fuel_scf=fuel * BTU_PER_MMBTU / facility.fuel.hhv_btu_per_scf,
        water_onsite_l=sim.it_mw * dt_h * KWH_PER_MWH * facility.cooling.wue_l_per_kwh,
        water_generation_l=(None if facility.grid.generation_water_l_per_kwh is None
                            else grid_mwh * KWH_PER_MWH * facility.grid.generation_water_l_per_kwh),
        generator_mw={r.gen.name: r.output_mw for r in sim.generators},
        generator_units_running={r.gen.name: r.units for r in sim.generators},
        onsite_kg=onsite_kg,
        grid_kg=grid_kg,
        generator_slugs={r.gen.name: slugify(r.gen.name) for r in sim.generators},
        demand_mw=sim.demand_mw,
        battery_discharge_mw=sim.discharge_mw,
        battery_charge_mw=sim.charge_mw,
        battery_soc_mwh=sim.soc_mwh,
        accelerators_energised=sim.accelerators,
        grid_market_kg={p: market_kg[p] for p in ("co2", "co2e")},
    )


def _generator_stats(sim: Simulation, tb: TimeBase) -> tuple[GeneratorStats, ...]:
    out = []
    for run in sim.generators:
        gen = run.gen
        units = run.units
        unit_hours = float(units.sum()) * tb.step_hours
        starts = float(run.starts)
        count = int(gen.unit_count)
        energy = float(run.energy_mwh)
        out.append(GeneratorStats(
            name=gen.name,
            kind=gen.kind,
            unit_count=count,
            run_hours_per_unit=unit_hours / count if count else 0.0,
            starts_per_unit=starts / count if count else 0.0,
            load_factor_per_unit=energy / (unit_hours * gen.rated_mw) if unit_hours else 0.0,
            energy_mwh=energy,
            fuel_mmbtu=float(run.fuel_total_mmbtu),
            capacity_factor=energy / (count * gen.rated_mw * tb.period_hours) if count else 0.0,
            available_units=int(float(run.available_units.max())) if tb.n_steps else 0,
            surplus_mwh=float(run.energy_mwh - run.served_mwh),
            starts=starts,
        ))
    return tuple(out)


def _rel_error(a: np.ndarray | float, b: np.ndarray | float) -> float:
    """Largest |a − b| relative to max(|b|), 0 when both are 0."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    diff = float(np.max(np.abs(a - b))) if a.size else 0.0
    return diff / scale if scale > 0 else diff


def _checks(sim: Simulation, series: Series, tot: dict[str, Any], facility: FacilityInput,
            tb: TimeBase) -> dict[str, Any]:
    """Invariants of the central run; raise EngineError if any is violated."""
    supplied = series.grid_mw + series.onsite_mw + series.battery_discharge_mw - series.battery_charge_mw
    balance_mw = float(np.max(np.abs(supplied - series.facility_load_mw), initial=0.0))
    balance = _rel_error(supplied, series.facility_load_mw)
    demand = _rel_error(series.facility_load_mw + series.unserved_mw, series.demand_mw)
    generated = sum((r.output_mw for r in sim.generators), np.zeros(tb.n_steps))
    generation = _rel_error(generated, series.onsite_mw + series.surplus_mw)
    grid_limit = float(np.max(series.grid_mw - series.grid_capacity_mw, initial=0.0))
    over_demand = float(np.max(series.facility_load_mw - series.demand_mw, initial=0.0))
    fuel_expected = 0.0
    for run in sim.generators:
        # Recompute fuel from energy x heat rate x part-load multiplier, the load fraction taken
        # from output ÷ (units × rated MW).
        fraction = run.output_mw / (np.maximum(run.units, 1.0) * run.gen.rated_mw)
        multiplier = heat_rate_multiplier(run.gen, fraction)
        energy_mwh = run.output_mw * tb.step_hours
        fuel_expected += float(np.sum(energy_mwh * run.gen.heat_rate_btu_per_kwh / 1000.0 * multiplier))
    fuel = _rel_error(float(series.fuel_mmbtu.sum()), tot["fuel_mmbtu"])
    fuel_vs_energy = _rel_error(fuel_expected, float(series.fuel_mmbtu.sum()))
    emissions = 0.0
    for p in POLLUTANTS + ("co2e",):
        emissions = max(emissions, _rel_error(float(series.onsite_kg[p].sum()) / 1000.0, tot[f"{p}_onsite_t"]))
        emissions = max(emissions, _rel_error(float(series.grid_kg[p].sum()) / 1000.0, tot[f"{p}_grid_t"]))
    for p, mass in series.grid_market_kg.items():
        emissions = max(emissions, _rel_error(float(mass.sum()) / 1000.0, tot[f"{p}_grid_market_t"]))
    soc_low = 0.0
    soc_high = 0.0
    for r in sim.batteries:
        soc_low = min(soc_low, float(np.min(r.soc_mwh, initial=0.0)))
        soc_high = max(soc_high, float(np.max(r.soc_mwh - r.battery.energy_mwh, initial=0.0)))
    minimum = min(float(np.min(a, initial=0.0)) for name, a in series.columns().items()
                  if name not in ("timestamp_utc", "temperature_c"))
    checks = {
        "energy_balance_max_rel_error": balance,
        "energy_balance_max_abs_error_mw": balance_mw,
        "demand_balance_max_rel_error": demand,
        "generation_balance_max_rel_error": generation,
        "fuel_balance_rel_error": max(fuel, fuel_vs_energy),
        "emissions_balance_rel_error": emissions,
        "grid_above_capacity_mw": grid_limit,
        "served_above_demand_mw": over_demand,
        "battery_soc_outside_mwh": max(-soc_low, soc_high),
        "min_value": minimum,
    }
    failures = [k for k in ("energy_balance_max_rel_error", "demand_balance_max_rel_error",
                            "generation_balance_max_rel_error", "fuel_balance_rel_error",
                            "emissions_balance_rel_error")
                if checks[k] > INVARIANT_TOLERANCE]
    scale = max(1.0, float(series.demand_mw.max(initial=0.0)))
    for key in ("grid_above_capacity_mw", "served_above_demand_mw", "battery_soc_outside_mwh"):
        if checks[key] > INVARIANT_TOLERANCE * scale:
            failures.append(key)
    if minimum < -INVARIANT_TOLERANCE * scale:
        failures.append("min_value")
    if failures:
        raise EngineError(f"invariant(s) violated: {', '.join(failures)} ({checks})")
    return checks


def _comparisons(tot: dict[str, Any], tb: TimeBase) -> tuple[Comparison, ...]:
    hours = tb.period_hours
    months = hours / HOURS_PER_MONTH
    years = hours / HOURS_PER_YEAR
    days = hours / HOURS_PER_DAY
    household_kwh = TN_HOUSEHOLD_KWH_PER_MONTH * months
    family_l = FAMILY_WATER_GAL_PER_DAY * LITRES_PER_US_GALLON * days
    car_t = PASSENGER_VEHICLE_T_CO2_PER_YEAR * years
    return (
        Comparison(
            key="tn_households_electricity",
            label="Tennessee households using the same electricity over the same time",
            value=float(tot["energy_facility_mwh"]) * KWH_PER_MWH / household_kwh,
            unit="households",
            basis=f"facility electricity ÷ ({TN_HOUSEHOLD_KWH_PER_MONTH:,.0f} kWh per household per month × {months:.2f} months)",
            source=TN_HOUSEHOLD_SOURCE,
            status="2°",
        ),
        Comparison(
            key="mlgw_peak_share",
            label="Peak facility draw as a share of MLGW's record system peak",
            value=float(tot["peak_facility_mw"]) / MLGW_RECORD_PEAK_MW * 100.0,
            unit="%",
            basis=f"peak facility load ÷ {MLGW_RECORD_PEAK_MW:,.1f} MW (MLGW record, Aug 2007)",
            source=MLGW_PEAK_SOURCE,
            status="2°",
        ),
        Comparison(
            key="passenger_cars_co2e",
            label="Passenger cars emitting as much over the same time",
            value=float(tot["co2e_total_t"]) / car_t,
            unit="cars",
            basis=f"total CO2e ÷ ({PASSENGER_VEHICLE_T_CO2_PER_YEAR} t CO2 per car per year × {years:.3f} years); cars' figure is tailpipe CO2",
            source=PASSENGER_VEHICLE_SOURCE,
            status="U",
        ),
        Comparison(
            key="households_water",
            label="Families using as much water at home over the same time (on-site cooling water)",
            value=float(tot["water_onsite_m3"]) * 1000.0 / family_l,
            unit="families",
            basis=f"on-site water ÷ ({FAMILY_WATER_GAL_PER_DAY:.0f} US gal per family per day × {days:.1f} days)",
            source=FAMILY_WATER_SOURCE,
            status="2°",
        ),
    )


def _notes(facility: FacilityInput, sim: Simulation) -> list[str]:
    notes = []
    if not has_climate(facility.climate):
        notes.append("No climate data: PUE held at its reference value; temperature column is empty (NaN).")
    for fleet in facility.fleets:
        for p in [fleet.utilisation] + [s.utilisation for s in fleet.stages if s.utilisation]:
            if p.kind == "inference" and p.mean_utilisation * (1 + p.diurnal_amplitude) > 1:
                notes.append(f"Fleet {fleet.name!r}: the inference peak would exceed 100 % and is clipped, "
                             "so the realised mean utilisation is below the stated mean.")
                break
    for gen in facility.generators:
        if gen.controlled_factors_lb_per_mmbtu and not gen.controls:
            notes.append(f"Generator {gen.name!r}: controlled factors given but no controls set; "
                         "uncontrolled factors used.")
    unserved = float(sim.sums["energy_unserved_mwh"])
    if unserved > 0:
        demand = float(sim.sums["energy_demand_mwh"])
        notes.append(f"The modelled demand exceeded every supply in some hours: {unserved:,.0f} MWh "
                     f"({unserved / demand:.1%} of demand) could not be delivered. It is left out of every "
                     "consumption figure; either the site ran below the modelled load or a supply is missing.")
    return notes


PART98_SOURCE = "40 CFR 98 Subpart C, Table C-1 (CO2, HHV) and Table C-2 (CH4, N2O)"


def _methods(sim: Simulation, facility: FacilityInput, gwp_info: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """Every emission factor and grid rate the central run used, with where it came from.

    An on-site factor is listed when some fuel was burned under it (its share of the group's
    fuel given); grid rates when the grid delivered energy.
    """
    out: list[dict[str, Any]] = []
    for index, (run, gen) in enumerate(zip(sim.generators, facility.generators)):
        total = float(run.fuel_total_mmbtu)
        if total <= 0:
            continue
        by_cell = {cell: float(v) for cell, v in cell_fuel(run).items()}
        for p in POLLUTANTS:
            used: dict[tuple[str, str], dict[str, Any]] = {}
            for cell in CELLS:
                if by_cell[cell] <= total * 1e-12:
                    continue
                choice = factor_choice(gen, facility.fuel, p, *cell, index=index)
                key = (choice.path, choice.regime)
                row = used.get(key)
                if row is None:
                    row = used[key] = {
                        "scope": "onsite", "part": gen.name, "pollutant": p, "regime": choice.regime,
                        "value": float(choice.value), "unit": choice.unit, "basis": "HHV",
                        "path": choice.path, "fuel_share": 0.0, "note": choice.note,
                        "source": PART98_SOURCE if choice.path.startswith("fuel.") else "",
                        # Part 98's factors are engine constants with no assumption row: their
                        # status (read in the regulation, factors.md §3) travels with them.
                        "status": "S" if choice.path.startswith("fuel.") else "",
                    }
                row["fuel_share"] += by_cell[cell] / total
            out.extend(used.values())
        if float(run.starts) > 0:
            for p, lb in gen.startup_lb_per_event.items():
                out.append({"scope": "onsite", "part": gen.name, "pollutant": p, "regime": "startup/shutdown event",
                            "value": float(lb), "unit": "lb/event", "basis": "per unit start",
                            "path": f"generators.{index}.startup_lb_per_event.{p}", "fuel_share": None,
                            "note": f"{float(run.starts):,.0f} starts", "source": "", "status": ""})
    if float(sim.sums["energy_grid_mwh"]) > 0:
        grid = facility.grid
        for p, rate in grid.emission_rates_lb_per_mwh.items():
            out.append({"scope": "grid_location", "part": grid.utility, "pollutant": p,
                        "regime": "location-based (grid subregion average)", "value": float(rate), "unit": "lb/MWh",
                        "basis": "per MWh drawn", "path": f"grid.emission_rates_lb_per_mwh.{p}", "fuel_share": None,
                        "note": "", "source": "", "status": ""})
        market = market_rates(grid)
        for p, rate in market.items():
            own = p in grid.market_rates_lb_per_mwh
            out.append({"scope": "grid_market", "part": grid.utility, "pollutant": p,
                        "regime": "market-based (supplier's system rate)", "value": float(rate), "unit": "lb/MWh",
                        "basis": "per MWh drawn",
                        "path": f"grid.{'market_rates_lb_per_mwh' if own else 'emission_rates_lb_per_mwh'}.{p}",
                        "fuel_share": None,
                        "note": "" if own else "supplier gives no rate: the location-based rate is used",
                        "source": "", "status": ""})
    return tuple(out)


def _run_one(name: str, facility: FacilityInput, period: Period, tb: TimeBase, options: RunOptions,
             dropped: list[str], shared: list) -> EngineResult:
    gwp_info = GWP_SETS[options.gwp_set]
    # The headline is the central run with every uncertain input at its median, so it sits
    # inside its own P5–P95 (a triangular mode at a range's end would not).
    central = median_facility(facility)
    sim = simulate(central, tb, full=True)
    tot = totals(sim, central, tb, gwp_info)
    series = _build_series(sim, central, tb, gwp_info)
    checks = _checks(sim, series, tot, central, tb)
    rates = central.grid.emission_rates_lb_per_mwh
    checks["grid_pollutants_missing"] = [p for p in POLLUTANTS if p not in rates]
    checks["grid_market_pollutants_missing"] = [p for p in ("co2",) if p not in central.grid.market_rates_lb_per_mwh]
    checks["unserved_steps"] = int(np.count_nonzero(series.unserved_mw > 0))
    checks["notes"] = _notes(central, sim)
    checks["uncertainties_dropped"] = list(dropped)
    checks["monte_carlo_samples"] = options.monte_carlo_samples
    checks["seed"] = options.seed
    checks["n_steps"] = tb.n_steps
    checks["headline"] = "central run with every uncertain input at the median of its distribution"

    samples: dict[str, np.ndarray] = {}
    draws: dict[str, np.ndarray] = {}
    n = options.monte_carlo_samples
    if n and facility.uncertainties:
        draws, samples = run_monte_carlo(facility, tb, gwp_info, n, options.seed, shared)
        # The same balances must hold in every sample.
        lhs = (samples["energy_grid_mwh"] + samples["energy_onsite_mwh"] + samples["energy_battery_discharge_mwh"]
               - samples["energy_battery_charge_mwh"])
        err = max(_rel_error(lhs, samples["energy_facility_mwh"]),
                  _rel_error(samples["energy_facility_mwh"] + samples["energy_unserved_mwh"],
                             samples["energy_demand_mwh"]))
        checks["monte_carlo_energy_balance_rel_error"] = err
        if err > INVARIANT_TOLERANCE:
            raise EngineError(f"Monte Carlo energy balance violated (relative error {err:g})")

    metrics: dict[str, Metric] = {}
    outside = []
    for key, (label, unit) in METRIC_LABELS.items():
        if key not in tot:  # not estimated for this facility (no power-plant water rate)
            continue
        if key.startswith("co2e_"):
            # Every CO2e figure names the GWP set it was computed with.
            label = label.replace("(CO2e)", f"(CO2e, {options.gwp_set} GWP100)")
        value = float(tot[key])
        p5 = p50 = p95 = None
        if n:
            if key in samples:
                p5, p50, p95 = (float(v) for v in np.percentile(samples[key], [5, 50, 95]))
            else:  # no uncertain inputs: every sample equals the central value
                p5 = p50 = p95 = value
            slack = 1e-9 * max(abs(p5), abs(p95), 1e-12)
            if not (p5 - slack <= value <= p95 + slack):
                outside.append(key)
        metrics[key] = Metric(key, label, unit, value, p5, p50, p95)
    checks["headline_outside_p5_p95"] = outside

    drivers: list[Driver] = []
    if samples:
        for unc in facility.uncertainties:
            x = draws[unc.path]
            drivers.append(Driver(
                path=unc.path,
                label=unc.label or unc.path,
                spearman_rho=spearman_rho(x, samples["co2e_total_t"]),
                spearman_rho_energy=spearman_rho(x, samples["energy_facility_mwh"]),
                low=float(unc.low),
                high=float(unc.high),
                distribution=unc.distribution,
            ))
        drivers.sort(key=lambda d: (-abs(d.spearman_rho), -abs(d.spearman_rho_energy), d.path))

    gwp = {"set": options.gwp_set, "ch4": gwp_info["ch4"], "n2o": gwp_info["n2o"],
           "source": gwp_info["source"], "status": gwp_info["status"]}
    return EngineResult(
        scenario_name=name,
        engine_version=ENGINE_VERSION,
        gwp_set=options.gwp_set,
        period=period,
        series=series,
        metrics=metrics,
        generators=_generator_stats(sim, tb),
        comparisons=_comparisons(tot, tb),
        drivers=tuple(drivers),
        checks=checks,
        gwp=gwp,
        methods=_methods(sim, central, gwp_info),
    )


def compute(facility: FacilityInput, period: Period, options: RunOptions = RunOptions(),
            scenarios: Iterable[Scenario] = ()) -> RunResult:
    """Validate, then compute the base facility and every scenario over ``period``.

    Raises :class:`EngineInputError` for invalid input (nothing is computed) and
    :class:`EngineError` if an invariant fails.
    """
    scenarios = tuple(scenarios)
    validate(facility, period, options)
    variants: list[tuple[str, FacilityInput, list[str]]] = [(BASE_NAME, facility, [])]
    seen = {BASE_NAME}
    for i, scenario in enumerate(scenarios):
        if not isinstance(scenario.name, str) or not scenario.name.strip():
            raise EngineInputError(f"scenarios.{i}.name", "a scenario needs a name")
        if scenario.name in seen:
            raise EngineInputError(f"scenarios.{i}.name", f"{scenario.name!r} is used twice (or is reserved)")
        seen.add(scenario.name)
        try:
            variant, dropped = apply_scenario(facility, scenario)
            validate_facility(variant, period)
            validate_uncertainties(variant, period)
        except EngineInputError as exc:
            raise EngineInputError(exc.field_path, exc.message, scenario=scenario.name) from None
        variants.append((scenario.name, variant, dropped))

    tb = make_timebase(period)
    shared: list = []  # Monte Carlo simulations reusable by variants that differ only in factors
    results = {name: _run_one(name, fac, period, tb, options, dropped, shared)
               for name, fac, dropped in variants}
    base = results.pop(BASE_NAME)
    rows = [
        (key, m.label, m.unit, m.value, {name: r.metrics[key].value for name, r in results.items()})
        for key, m in base.metrics.items()
    ]
    return RunResult(base=base, scenarios=results, comparison_rows=rows)


__all__ = ["compute", "apply_scenario"]
