"""Small builders for engine tests: a facility whose IT load is a round number of MW, a
generator group, a period of whole hours. Plain functions, no Django."""

from __future__ import annotations

import dataclasses
import datetime as dt

from impact.engine import (
    ClimateInput,
    CoolingInput,
    FacilityInput,
    FleetInput,
    GeneratorInput,
    GridContract,
    GridInput,
    Period,
    UtilisationProfile,
)

UTC = dt.timezone.utc
T0 = dt.datetime(2025, 1, 1, tzinfo=UTC)

# AP-42 §3.1 gas turbine, uncontrolled (factors.md §4), lb/MMBtu.
GT_FACTORS = {"nox": 0.32, "co": 0.082, "voc": 0.0021, "pm": 0.0066, "so2": 0.0034, "formaldehyde": 7.1e-4}
# Implied by the SCHD permit caps for SCR-controlled SMT-130 turbines (factors.md §4, D), lb/MMBtu.
GT_SCR_FACTORS = {"nox": 0.0075, "co": 0.0081, "formaldehyde": 0.00085}
# AP-42 §3.2 4-stroke lean-burn engine, Table 3.2-2 (factors.md §4), lb/MMBtu: 90-105 % load,
# and the factors that replace them below 90 % load.
ENGINE_FACTORS = {"nox": 4.08, "co": 0.317, "voc": 0.118, "pm": 0.0100, "so2": 5.88e-4,
                  "formaldehyde": 5.28e-2, "ch4": 1.25}
ENGINE_PART_LOAD = {"nox": 0.847, "co": 0.557}


def supplied_mw(series):
    """What the supplies delivered to the load each step: grid + on-site + battery discharge −
    battery charging (the charging is drawn from the grid). It must equal the served load."""
    return series.grid_mw + series.onsite_mw + series.battery_discharge_mw - series.battery_charge_mw


def hours(n: int, step_minutes: int = 60, start: dt.datetime = T0) -> Period:
    return Period(start, start + dt.timedelta(hours=n), step_minutes)


def fleet(it_mw: float = 1.0, utilisation: float = 1.0, **changes) -> FleetInput:
    """1,000 accelerators per MW at TDP 1,000 W, idle 0, no host power: IT MW = it_mw × u."""
    base = FleetInput(
        name="test fleet",
        accelerator_count=int(round(it_mw * 1000)),
        tdp_w=1000.0,
        idle_w=0.0,
        network_storage_share=0.0,
        utilisation=UtilisationProfile(kind="constant", mean_utilisation=utilisation),
    )
    return dataclasses.replace(base, **changes)


def generator(name: str = "gt", units: int = 1, rated_mw: float = 1.0, min_load: float = 0.0,
              heat_rate: float = 10_000.0, **changes) -> GeneratorInput:
    base = GeneratorInput(
        name=name,
        kind="turbine",
        unit_count=units,
        rated_mw=rated_mw,
        min_load_fraction=min_load,
        heat_rate_btu_per_kwh=heat_rate,
        emission_factors_lb_per_mmbtu=dict(GT_FACTORS),
    )
    return dataclasses.replace(base, **changes)


def facility(it_mw: float = 1.0, pue: float = 1.0, grid_mw: float | None = None, contracts=None,
             generators=(), rates=None, wue: float = 0.0, generation_water: float | None = 0.0,
             utilisation: float = 1.0, **changes) -> FacilityInput:
    if contracts is None:
        contracts = (GridContract(grid_mw),) if grid_mw is not None else ()
    base = FacilityInput(
        name="test facility",
        fleets=(fleet(it_mw, utilisation),),
        cooling=CoolingInput(pue_at_reference=pue, wue_l_per_kwh=wue),
        grid=GridInput(utility="test utility", contracts=tuple(contracts),
                       emission_rates_lb_per_mwh=dict(rates or {}),
                       generation_water_l_per_kwh=generation_water),
        generators=tuple(generators),
        climate=ClimateInput(),
    )
    return dataclasses.replace(base, **changes)
