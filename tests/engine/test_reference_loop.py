"""The vectorised engine agrees with the plain Python loop, step for step in total."""

import dataclasses
import datetime as dt

import pytest
from engine_factories import T0, facility, generator, hours

from impact.engine import (
    ClimateInput,
    CoolingInput,
    GridContract,
    RunOptions,
    UtilisationProfile,
    compute,
    compute_reference_loop,
)
from impact.engine.climate import MEMPHIS_NORMALS
from impact.engine.examples import colossus_example

KEYS = ("energy_it_mwh", "energy_facility_mwh", "energy_grid_mwh", "energy_onsite_mwh", "energy_curtailed_mwh",
        "energy_unserved_mwh", "peak_facility_mw", "fuel_mmbtu", "fuel_scf", "co2e_total_t", "nox_onsite_t",
        "ch4_onsite_t", "co2_grid_t", "water_onsite_m3", "water_generation_m3")


def assert_agree(f, period, options=RunOptions()):
    engine = compute(f, period, options).base
    loop = compute_reference_loop(f, period, options)
    for key in KEYS:
        assert engine.metric(key) == pytest.approx(loop[key], rel=1e-9, abs=1e-9), key
    for g in engine.generators:
        assert g.starts_per_unit * g.unit_count == pytest.approx(loop[f"starts:{g.name}"])
        assert g.run_hours_per_unit * g.unit_count == pytest.approx(loop[f"unit_hours:{g.name}"])


def test_a_fortnight_of_the_illustrative_colossus_site_agrees():
    f = colossus_example()
    start = dt.datetime(2025, 4, 24, tzinfo=dt.timezone.utc)  # across the 1 May grid switch
    assert_agree(f, hours(24 * 14, start=start), RunOptions(gwp_set="AR5"))


def test_a_tight_site_with_curtailment_unserved_load_windows_and_a_weekly_profile_agrees():
    shape = tuple(0.3 + 0.7 * ((h * 7) % 24) / 23 for h in range(168))
    f = facility(
        it_mw=60.0, rates={"co2": 900.0, "ch4": 0.1, "n2o": 0.01}, wue=1.8, generation_water=1.5,
        contracts=(GridContract(20.0, starts=T0 + dt.timedelta(days=2), ends=T0 + dt.timedelta(days=5)),
                   GridContract(15.0, starts=T0 + dt.timedelta(days=4))),
        generators=(
            generator("big", units=3, rated_mw=16.5, min_load=0.6, availability=0.7,
                      part_load_heat_rate=((0.6, 1.2), (0.8, 1.05), (1.0, 1.0)),
                      available_to=T0 + dt.timedelta(days=6)),
            generator("small", units=5, rated_mw=2.5, min_load=0.3, heat_rate=8200.0),
        ),
        cooling=CoolingInput(pue_at_reference=1.15, pue_slope_per_degc=0.008, wue_l_per_kwh=1.8),
        climate=MEMPHIS_NORMALS,
    )
    profile = UtilisationProfile(kind="hourly", hourly_shape=shape,
                                 planned_downtime=((T0 + dt.timedelta(hours=30), T0 + dt.timedelta(hours=33)),))
    f = dataclasses.replace(f, fleets=(dataclasses.replace(f.fleets[0], utilisation=profile),))
    assert_agree(f, hours(24 * 8))
    assert_agree(f, hours(24, step_minutes=15))


def test_inference_profile_with_hourly_temperatures_agrees():
    profile = UtilisationProfile(kind="inference", mean_utilisation=0.7, diurnal_amplitude=0.5)
    temps = tuple(15 + 10 * ((h % 24) / 23) for h in range(48))
    f = facility(it_mw=40.0, grid_mw=30.0, generators=(generator(units=2, rated_mw=10.0, min_load=0.5),),
                 cooling=CoolingInput(pue_at_reference=1.3, pue_slope_per_degc=0.02),
                 climate=ClimateInput(hourly_temp_c=temps, utc_offset_hours=-5.5))
    f = dataclasses.replace(f, fleets=(dataclasses.replace(f.fleets[0], utilisation=profile),))
    assert_agree(f, hours(48))
