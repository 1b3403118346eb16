"""The vectorised engine agrees with the plain Python loop, on every metric and hour by hour.

The facilities below are built to exercise every part of the model at once: fleet stages (with
their own profiles, a zero stage, a fleet before its first stage), host power between idle and
maximum, networking share, stepping grid contracts, peak-shaving and backup-only batteries with
windows, generator groups with windows, availability, minimum load, part-load heat rates,
load-band factors, dated controls, g/bhp-hr limits and startup masses, and unserved demand.
"""

import dataclasses
import datetime as dt

import numpy as np
import pytest
from engine_factories import (
    ENGINE_FACTORS,
    ENGINE_PART_LOAD,
    GT_FACTORS,
    GT_SCR_FACTORS,
    T0,
    facility,
    fleet,
    generator,
    hours,
)

from impact.engine import (
    METRIC_LABELS,
    ClimateInput,
    CoolingInput,
    GridContract,
    GridInput,
    RunOptions,
    UtilisationProfile,
    compute,
    compute_reference_loop,
)
from impact.engine.climate import MEMPHIS_NORMALS
from impact.engine.inputs import BatteryInput, FleetInput, FleetStage
from impact.engine.reference import reference_steps

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
# Series the engine and the loop both keep, engine attribute -> loop row key.
SERIES = {
    "demand_mw": "demand_mw",
    "facility_load_mw": "served_mw",
    "it_load_mw": "served_it_mw",
    "grid_mw": "grid_mw",
    "onsite_mw": "onsite_mw",
    "surplus_mw": "surplus_mw",
    "unserved_mw": "unserved_mw",
    "battery_discharge_mw": "battery_discharge_mw",
    "battery_charge_mw": "battery_charge_mw",
    "battery_soc_mwh": "battery_soc_mwh",
    "fuel_mmbtu": "fuel_mmbtu",
}


def assert_agree(f, period, options=RunOptions()):
    engine = compute(f, period, options).base
    loop = compute_reference_loop(f, period, options)
    assert set(engine.metrics) == set(METRIC_LABELS) & set(loop), "the engine and the loop give the same metrics"
    for key in engine.metrics:
        assert engine.metric(key) == pytest.approx(loop[key], rel=1e-9, abs=1e-9), key
    for g in engine.generators:
        assert g.starts == pytest.approx(loop[f"starts:{g.name}"]), g.name
        assert g.run_hours_per_unit * g.unit_count == pytest.approx(loop[f"unit_hours:{g.name}"]), g.name
    rows = reference_steps(f, period)
    for attribute, row_key in SERIES.items():
        expected = np.array([row[row_key] for row in rows])
        assert getattr(engine.series, attribute) == pytest.approx(expected, rel=1e-9, abs=1e-9), attribute
    return engine, loop


def staged_fleet(**changes):
    """A fleet installed in three stages, the second with its own profile, the last taking it out."""
    base = FleetInput(
        name="staged H100",
        accelerator_count=30_000,
        tdp_w=700.0,
        idle_w=70.0,
        host_idle_w_per_server=500.0,
        host_max_w_per_server=2_000.0,
        accelerators_per_server=8,
        network_storage_share=0.05,
        # Quiet nights, busy days: the batteries charge at night and discharge by day.
        utilisation=UtilisationProfile(kind="hourly", hourly_shape=tuple(
            0.1 if h < 7 else 1.0 if h < 19 else 0.5 for h in range(24))),
        stages=(
            FleetStage(T0 + 6 * HOUR, 10_000, label="first halls"),
            FleetStage(T0 + 2 * DAY, 30_000, UtilisationProfile(kind="inference", mean_utilisation=0.6,
                                                               diurnal_amplitude=0.4)),
            FleetStage(T0 + 6 * DAY + 5 * HOUR, 0, label="out of service"),
        ),
    )
    return dataclasses.replace(base, **changes)


def through_time_site():
    """Everything dated: stages, contracts, batteries and generators entering and leaving service."""
    steady = FleetInput(
        name="GB200", accelerator_count=4_000, tdp_w=1_200.0, idle_w=150.0,
        host_idle_w_per_server=1_000.0, host_max_w_per_server=1_000.0, accelerators_per_server=4,
        utilisation=UtilisationProfile(kind="constant", mean_utilisation=0.7,
                                       planned_downtime=((T0 + 3 * DAY, T0 + 3 * DAY + 4 * HOUR),)),
    )
    engines = generator(
        "engines", units=8, rated_mw=2.5, min_load=0.3, heat_rate=8_200.0, kind="engine",
        emission_factors_lb_per_mmbtu=ENGINE_FACTORS, part_load_factors_lb_per_mmbtu=ENGINE_PART_LOAD,
        part_load_heat_rate=((0.3, 1.3), (0.6, 1.08), (1.0, 1.0)),
        # An NSPS JJJJ-style certified limit replaces the AP-42 VOC factor (g/bhp-hr).
        limit_factors_g_per_bhp_hr={"voc": 0.7}, shaft_to_electric_efficiency=0.96,
        startup_lb_per_event={"nox": 1.5, "co": 4.0},
        available_to=T0 + 5 * DAY,
    )
    turbines = generator(
        "turbines", units=2, rated_mw=16.5, min_load=0.5, heat_rate=10_700.0, availability=0.5,
        part_load_heat_rate=((0.5, 1.25), (0.75, 1.09), (1.0, 1.0)),
        controls="scr", controlled_factors_lb_per_mmbtu=GT_SCR_FACTORS,
        controls_from=T0 + 3 * DAY + 7 * HOUR,
        startup_lb_per_event={"nox": 20.0},
        available_from=T0 + DAY,
    )
    batteries = (
        BatteryInput("megapacks", power_mw=6.0, energy_mwh=20.0, round_trip_efficiency=0.88,
                     dispatch_rule="peak_shaving", initial_state_of_charge=0.4,
                     available_from=T0 + 12 * HOUR, available_to=T0 + 6 * DAY),
        BatteryInput("backup", power_mw=3.0, energy_mwh=5.0, round_trip_efficiency=0.92,
                     dispatch_rule="backup_only", initial_state_of_charge=1.0),
        BatteryInput("late", power_mw=2.0, energy_mwh=4.0, dispatch_rule="peak_shaving",
                     initial_state_of_charge=0.0, available_from=T0 + 4 * DAY),
    )
    grid = GridInput(
        utility="test utility",
        contracts=(GridContract(12.0, ends=T0 + 4 * DAY), GridContract(8.0, starts=T0 + 2 * DAY + 3 * HOUR),
                   GridContract(5.0, starts=T0 + 4 * DAY)),
        emission_rates_lb_per_mwh={"co2": 931.59, "ch4": 0.154, "n2o": 0.022, "nox": 0.4},
        market_rates_lb_per_mwh={"co2": 671.11, "n2o": 0.01},
        generation_water_l_per_kwh=1.2,
    )
    return dataclasses.replace(
        facility(), fleets=(staged_fleet(), steady), grid=grid, generators=(engines, turbines),
        batteries=batteries, cooling=CoolingInput(pue_at_reference=1.15, pue_slope_per_degc=0.01, wue_l_per_kwh=0.9),
        climate=MEMPHIS_NORMALS,
    )


def test_a_facility_through_time_agrees_on_every_metric_and_every_hour():
    engine, loop = assert_agree(through_time_site(), hours(24 * 7))
    # The facility is built to use every part of the model: make sure it does.
    for key in ("energy_battery_discharge_mwh", "energy_battery_charge_mwh", "energy_surplus_mwh",
                "energy_unserved_mwh", "generator_starts", "energy_onsite_mwh", "co2_grid_market_t"):
        assert loop[key] > 0, key
    assert 0 < loop["mean_accelerators_energised"] < 34_000


def test_the_same_facility_agrees_at_15_minute_steps_and_with_ar5():
    assert_agree(through_time_site(), hours(48, step_minutes=15, start=T0 + 2 * DAY), RunOptions(gwp_set="AR5"))


def test_a_backup_battery_waits_for_the_generators_and_a_peak_shaving_battery_does_not():
    f = facility(
        it_mw=30.0, grid_mw=20.0, rates={"co2": 900.0},
        generators=(generator(units=1, rated_mw=6.0, min_load=0.5,
                              part_load_factors_lb_per_mmbtu={"nox": 0.1}),),
        batteries=(BatteryInput("backup", power_mw=5.0, energy_mwh=12.0, dispatch_rule="backup_only"),
                   BatteryInput("shaver", power_mw=2.0, energy_mwh=3.0, initial_state_of_charge=0.5)),
        fleets=(dataclasses.replace(staged_fleet(), tdp_w=1000.0, idle_w=0.0, host_idle_w_per_server=0.0,
                                    host_max_w_per_server=0.0, network_storage_share=0.0,
                                    utilisation=UtilisationProfile(kind="hourly",
                                                                   hourly_shape=tuple(0.4 + 0.025 * h for h in range(24)))),),
    )
    assert_agree(f, hours(24 * 4))


def data_centre_scale_site():
    """A synthetic site at data-centre scale, round illustrative numbers (not a cited facility):
    100,000 accelerators in 8-way servers, a contract stepping from 50 to 150 MW after a week,
    fifteen turbines with SCR and fourteen engines that leave with the step."""
    step = T0 + 7 * DAY
    accelerators = dataclasses.replace(
        fleet(), name="H100-class", accelerator_count=100_000, tdp_w=700.0, idle_w=70.0, host_idle_w_per_server=200.0,
        host_max_w_per_server=2_000.0, accelerators_per_server=8, network_storage_share=0.05,
        utilisation=UtilisationProfile(kind="training", mean_utilisation=0.8),
    )
    turbines = generator(
        "turbines", units=15, rated_mw=16.5, min_load=0.5, heat_rate=10_700.0, availability=0.95,
        part_load_heat_rate=((0.5, 1.25), (0.75, 1.09), (1.0, 1.0)),
        emission_factors_lb_per_mmbtu=dict(GT_FACTORS, ch4=8.6e-3),
        controls="scr", controlled_factors_lb_per_mmbtu=GT_SCR_FACTORS,
    )
    engines = generator(
        "engines", kind="engine", units=14, rated_mw=2.5, min_load=0.3, heat_rate=8_200.0,
        emission_factors_lb_per_mmbtu=ENGINE_FACTORS, part_load_heat_rate=((0.3, 1.3), (0.6, 1.08), (1.0, 1.0)),
        available_to=step,
    )
    return facility(
        fleets=(accelerators,), contracts=(GridContract(50.0, ends=step), GridContract(150.0, starts=step)),
        rates={"co2": 900.0}, generators=(turbines, engines), climate=MEMPHIS_NORMALS,
        cooling=CoolingInput(pue_at_reference=1.2, pue_reference_temp_c=20.0, pue_slope_per_degc=0.005, wue_l_per_kwh=1.0),
    )


def test_a_fortnight_of_a_data_centre_scale_site_agrees_across_its_grid_step():
    engine, _ = assert_agree(data_centre_scale_site(), hours(24 * 14), RunOptions(gwp_set="AR5"))
    # The generators carry the first week and stop when the larger contract starts.
    onsite = engine.series.onsite_mw
    assert onsite[: 24 * 7].min() > 0 and onsite[24 * 7:].max() == 0


def test_a_tight_site_with_surplus_unserved_load_windows_and_a_weekly_profile_agrees():
    shape = tuple(0.3 + 0.7 * ((h * 7) % 24) / 23 for h in range(168))
    f = facility(
        it_mw=60.0, rates={"co2": 900.0, "ch4": 0.1, "n2o": 0.01}, wue=1.8, generation_water=1.5,
        contracts=(GridContract(20.0, starts=T0 + dt.timedelta(days=2), ends=T0 + dt.timedelta(days=5)),
                   GridContract(15.0, starts=T0 + dt.timedelta(days=4))),
        generators=(
            generator("big", units=3, rated_mw=16.5, min_load=0.6, availability=0.7,
                      part_load_heat_rate=((0.6, 1.2), (0.8, 1.05), (1.0, 1.0)),
                      available_to=T0 + dt.timedelta(days=6)),
            generator("small", units=5, rated_mw=2.5, min_load=0.3, heat_rate=8200.0,
                      emission_factors_lb_per_mmbtu=dict(GT_FACTORS, ch4=1.25)),
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
