"""Every numeric input can be uncertain: pinning its range to the central value must reproduce
the central run exactly through the vectorised Monte Carlo path (which broadcasts (samples, 1)
columns through the same physics), and a real range must run without error."""

import dataclasses
import datetime as dt

import numpy as np
import pytest
from engine_factories import T0, facility, generator, hours

from impact.engine import (
    BatteryInput,
    ClimateInput,
    CoolingInput,
    FleetStage,
    GridContract,
    RunOptions,
    Uncertain,
    UtilisationProfile,
    compute,
)
from impact.engine.paths import get_path, is_number
from impact.engine.validation import FIXED_SETTINGS


def rich_site():
    f = facility(
        it_mw=40.0, rates={"co2": 700.0, "ch4": 0.05, "n2o": 0.01, "nox": 0.4}, wue=1.2, generation_water=1.5,
        contracts=(GridContract(10.0, starts=T0 + dt.timedelta(hours=10)), GridContract(5.0, ends=T0 + dt.timedelta(hours=30))),
        generators=(
            generator("gt", units=3, rated_mw=10.0, min_load=0.5, part_load_heat_rate=((0.5, 1.2), (0.8, 1.05), (1.0, 1.0)),
                      availability=0.9, controls="scr", controlled_factors_lb_per_mmbtu={"nox": 0.01},
                      controls_from=T0 + dt.timedelta(hours=24), part_load_factors_lb_per_mmbtu={"nox": 0.2, "co": 0.3},
                      startup_lb_per_event={"nox": 5.0, "co": 20.0},
                      available_to=T0 + dt.timedelta(hours=40)),
            generator("recip", units=6, rated_mw=2.5, min_load=0.3, heat_rate=8200.0,
                      limit_factors_g_per_bhp_hr={"nox": 1.0, "co": 2.0}, shaft_to_electric_efficiency=0.96),
        ),
        batteries=(
            BatteryInput("shaver", power_mw=4.0, energy_mwh=6.0, round_trip_efficiency=0.9, initial_state_of_charge=0.8,
                         available_from=T0 + dt.timedelta(hours=2)),
            BatteryInput("backup", power_mw=3.0, energy_mwh=9.0, round_trip_efficiency=0.85, dispatch_rule="backup_only",
                         initial_state_of_charge=0.5),
        ),
        cooling=CoolingInput(pue_at_reference=1.2, pue_reference_temp_c=18.0, pue_slope_per_degc=0.01, wue_l_per_kwh=1.2),
        climate=ClimateInput(monthly_low_c=tuple(float(m) for m in range(12)),
                             monthly_high_c=tuple(float(m + 15) for m in range(12)), utc_offset_hours=-6.0),
    )
    fl = dataclasses.replace(f.fleets[0], idle_w=100.0, host_idle_w_per_server=400.0, host_max_w_per_server=1600.0,
                             network_storage_share=0.05,
                             utilisation=UtilisationProfile(kind="inference", mean_utilisation=0.7, diurnal_amplitude=0.3))
    fl2 = dataclasses.replace(f.fleets[0], name="second", accelerator_count=5000, host_idle_w_per_server=300.0,
                              host_max_w_per_server=320.0, accelerators_per_server=4,
                              utilisation=UtilisationProfile(kind="hourly", hourly_shape=tuple(0.5 + h / 50 for h in range(24)),
                                                             planned_downtime=((T0, T0 + dt.timedelta(hours=3)),)),
                              stages=(FleetStage(T0 + dt.timedelta(hours=1), 3000),
                                      FleetStage(T0 + dt.timedelta(hours=20), 5000,
                                                 UtilisationProfile(kind="constant", mean_utilisation=0.9)),
                                      FleetStage(T0 + dt.timedelta(hours=44), 0)))
    grid = dataclasses.replace(f.grid, market_rates_lb_per_mwh={"co2": 600.0})
    return dataclasses.replace(f, fleets=(fl, fl2), grid=grid)


def numeric_paths(obj, prefix=""):
    if dataclasses.is_dataclass(obj):
        for field in dataclasses.fields(obj):
            if field.name in ("uncertainties",):
                continue
            yield from numeric_paths(getattr(obj, field.name), f"{prefix}{field.name}.")
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from numeric_paths(item, f"{prefix}{i}.")
    elif isinstance(obj, dict):
        for key, value in obj.items():
            yield from numeric_paths(value, f"{prefix}{key}.")
    elif is_number(obj):
        yield prefix[:-1]


SITE = rich_site()
# Climate normals beyond the first two months and most hourly-shape entries add nothing new.
PATHS = [p for p in numeric_paths(SITE) if p not in FIXED_SETTINGS
         and not (p.startswith("climate.monthly_") and not p.endswith((".0", ".1")))
         and not (p.startswith("fleets.1.utilisation.hourly_shape.") and not p.endswith(".5"))]


def test_the_rich_site_exercises_every_kind_of_input():
    assert len(PATHS) > 50


@pytest.mark.parametrize("path", PATHS)
def test_pinning_one_input_reproduces_the_central_run_through_monte_carlo(path):
    central = get_path(SITE, path)
    pinned = dataclasses.replace(SITE, uncertainties=(Uncertain(path, central, central),))
    result = compute(pinned, hours(48), RunOptions(monte_carlo_samples=3)).base
    for key, m in result.metrics.items():
        if np.isfinite(m.value):
            assert m.p50 == pytest.approx(m.value, rel=1e-9, abs=1e-9), (path, key)


def test_ranges_on_every_input_at_once_run_and_rank_drivers():
    uncertainties = []
    for path in PATHS:
        central = get_path(SITE, path)
        if isinstance(central, int) or central == 0:
            continue  # counts and zeros: a ±10 % range would be invalid or empty
        low, high = sorted((central * 0.95, central * 1.05))
        if path.endswith(("utilisation", "fraction", "availability", "efficiency", "state_of_charge")) or ".hourly_shape." in path:
            high = min(high, 1.0)
        if path.endswith("part_load_heat_rate.2.0"):
            low, high = central * 0.999, central  # the last load point stays <= 1 and increasing
        if ".part_load_heat_rate." in path and path.endswith(".0") and not path.endswith("2.0"):
            low, high = central * 0.99, central * 1.01
        if path == "cooling.pue_at_reference":
            low = max(low, 1.0)
        uncertainties.append(Uncertain(path, low, high))
    f = dataclasses.replace(SITE, uncertainties=tuple(uncertainties))
    result = compute(f, hours(48), RunOptions(monte_carlo_samples=64, seed=3)).base
    assert len(result.drivers) == len(uncertainties)
    m = result.metrics["co2e_total_t"]
    assert m.p5 <= m.p50 <= m.p95
