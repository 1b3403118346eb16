"""The three cases worked by hand in docs/validation.md, matched by the engine and by the plain
reference loop to 0.1 %, and the hourly energy balance of each to 1e-9 MW.

The expected figures below are copied from docs/validation.md (calculator results, not engine
output); if one changes, change both.
"""

import datetime as dt

import pytest
from engine_factories import ENGINE_FACTORS, ENGINE_PART_LOAD, GT_FACTORS, GT_SCR_FACTORS, supplied_mw

from impact.engine import compute, compute_reference_loop
from impact.engine.inputs import (
    BatteryInput,
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
from impact.engine.reference import reference_steps

UTC = dt.timezone.utc
LB = 0.45359237  # kg per lb, exact

# eGRID SRTV CO2, total output (factors.md §7, S) and MLGW general-power customers' system rate
# 2022 (factors.md §7, S), lb/MWh.
SRTV_CO2 = 931.59
MLGW_CO2 = 671.11


def h100_fleet(count, utilisation, host_w_per_server=300.0, network_storage_share=0.0):
    """H100 SXM (700 W TDP, S; ~70 W idle, U) in 8-GPU servers with a constant host draw."""
    return FleetInput(
        name="H100 SXM",
        accelerator_count=count,
        tdp_w=700.0,
        idle_w=70.0,
        host_idle_w_per_server=host_w_per_server,
        host_max_w_per_server=host_w_per_server,
        accelerators_per_server=8,
        network_storage_share=network_storage_share,
        utilisation=utilisation,
    )


def grid(capacity_mw):
    return GridInput(
        utility="MLGW (TVA)",
        contracts=(GridContract(capacity_mw),),
        emission_rates_lb_per_mwh={"co2": SRTV_CO2},
        market_rates_lb_per_mwh={"co2": MLGW_CO2},
    )


def case_1_grid_only():
    """1,000 H100s at 0.8, 300 W per 8-GPU server, PUE 1.2, one day on a 10 MW contract."""
    facility = FacilityInput(
        name="case 1: grid only",
        fleets=(h100_fleet(1_000, UtilisationProfile(kind="constant", mean_utilisation=0.8)),),
        cooling=CoolingInput(pue_at_reference=1.2, wue_l_per_kwh=1.8),
        grid=grid(10.0),
        climate=ClimateInput(),
    )
    return facility, Period(dt.datetime(2024, 7, 1, tzinfo=UTC), dt.datetime(2024, 7, 2, tzinfo=UTC))


def case_2_engines_at_part_load():
    """10,000 H100s at 0.5 with 300 W per server and 5 % networking, PUE 1.2, a 1 MW contract
    and 14 VoltaGrid-type 2.5 MW engines covering the rest at part load."""
    engines = GeneratorInput(
        name="VoltaGrid engines",
        kind="engine",
        unit_count=14,
        rated_mw=2.5,
        min_load_fraction=0.5,
        heat_rate_btu_per_kwh=8_200.0,
        emission_factors_lb_per_mmbtu=ENGINE_FACTORS,
        part_load_factors_lb_per_mmbtu=ENGINE_PART_LOAD,
        part_load_heat_rate=((0.5, 1.15), (1.0, 1.0)),
    )
    facility = FacilityInput(
        name="case 2: engines at part load",
        fleets=(h100_fleet(10_000, UtilisationProfile(kind="constant", mean_utilisation=0.5),
                           network_storage_share=0.05),),
        cooling=CoolingInput(pue_at_reference=1.2, wue_l_per_kwh=1.0),
        grid=grid(1.0),
        generators=(engines,),
        climate=ClimateInput(),
    )
    return facility, Period(dt.datetime(2024, 7, 1, tzinfo=UTC), dt.datetime(2024, 7, 2, tzinfo=UTC))


PERMIT_DATE = dt.datetime(2025, 7, 2, tzinfo=UTC)  # SCHD permit, 2 Jul 2025 (factors.md §6)


def case_3_turbines_with_scr_and_a_battery():
    """40,000 H100s at 0.3 from 00:00 to 06:00 and 1.0 the rest of the day, PUE 1.25, a 25 MW
    contract, a 15 MW / 30 MWh peak-shaving battery half full, and two SMT-130 turbines whose
    SCR is in force from the permit date; 1-2 July 2025."""
    shape = tuple(0.3 if hour < 6 else 1.0 for hour in range(24))
    turbines = GeneratorInput(
        name="SMT-130 turbines",
        kind="turbine",
        unit_count=2,
        rated_mw=16.5,
        min_load_fraction=0.5,
        heat_rate_btu_per_kwh=10_700.0,
        emission_factors_lb_per_mmbtu=GT_FACTORS,
        controls="scr",
        controlled_factors_lb_per_mmbtu=GT_SCR_FACTORS,
        controls_from=PERMIT_DATE,
    )
    battery = BatteryInput(
        name="Megapacks",
        power_mw=15.0,
        energy_mwh=30.0,
        round_trip_efficiency=0.9,
        dispatch_rule="peak_shaving",
        initial_state_of_charge=0.5,
    )
    facility = FacilityInput(
        name="case 3: turbines with SCR and a battery",
        fleets=(h100_fleet(40_000, UtilisationProfile(kind="hourly", hourly_shape=shape)),),
        cooling=CoolingInput(pue_at_reference=1.25, wue_l_per_kwh=0.85),
        grid=grid(25.0),
        generators=(turbines,),
        batteries=(battery,),
        climate=ClimateInput(),
    )
    return facility, Period(dt.datetime(2025, 7, 1, tzinfo=UTC), dt.datetime(2025, 7, 3, tzinfo=UTC))


# Every total docs/validation.md gives, by metric key (tonnes where the document says kg ÷ 1,000).
EXPECTED = {
    "case 1": (case_1_grid_only, {
        "energy_it_mwh": 14.676,
        "energy_facility_mwh": 17.6112,
        "energy_demand_mwh": 17.6112,
        "energy_unserved_mwh": 0.0,
        "energy_grid_mwh": 17.6112,
        "energy_onsite_mwh": 0.0,
        "peak_facility_mw": 0.7338,
        "fuel_mmbtu": 0.0,
        "co2_grid_t": 7.441826,
        "co2_total_t": 7.441826,
        "co2_grid_market_t": 5.361032,
        "co2_total_market_t": 5.361032,
        "co2e_total_t": 7.441826,
        "nox_total_t": 0.0,
        "water_onsite_m3": 26.4168,
        "mean_utilisation": 0.8,
        "mean_accelerators_energised": 1_000.0,
    }),
    "case 2": (case_2_engines_at_part_load, {
        "energy_it_mwh": 106.47,
        "energy_facility_mwh": 127.764,
        "energy_grid_mwh": 24.0,
        "energy_onsite_mwh": 103.764,
        "energy_surplus_mwh": 0.0,
        "energy_unserved_mwh": 0.0,
        "fuel_mmbtu": 885.4014,
        "fuel_scf": 862_964.3,
        "generator_starts": 2.0,
        "co2_onsite_t": 46.97940,
        "co2_grid_t": 10.14149,
        "co2_total_t": 57.12089,
        "ch4_onsite_t": 0.5020142,
        "n2o_onsite_t": 8.854014e-5,
        "co2e_onsite_t": 61.96359,
        "nox_onsite_t": 0.3401648,
        "nox_total_t": 0.3401648,
        "co_onsite_t": 0.2236975,
        "voc_onsite_t": 0.04739014,
        "formaldehyde_onsite_t": 0.02120508,
        "water_onsite_m3": 106.47,
        "onsite_share": 0.8121536,
    }),
    "case 3": (case_3_turbines_with_scr_and_a_battery, {
        "energy_demand_mwh": 1_505.4,
        "energy_unserved_mwh": 0.0,
        "energy_it_mwh": 1_204.32,
        "energy_facility_mwh": 1_505.4,
        "energy_grid_mwh": 1_127.9,
        "energy_onsite_mwh": 367.5,
        "energy_battery_discharge_mwh": 60.0,
        "energy_battery_charge_mwh": 50.0,
        "energy_battery_losses_mwh": 5.0,
        "energy_surplus_mwh": 5.25,
        "peak_facility_mw": 36.875,
        "fuel_mmbtu": 3_988.425,
        "generator_starts": 2.0,
        "co2_onsite_t": 211.6258,
        "co2_grid_t": 476.6078,
        "co2_total_t": 688.2336,
        "co2_grid_market_t": 343.3445,
        "co2_total_market_t": 554.9703,
        "co2e_onsite_t": 211.8536,
        "nox_onsite_t": 0.2962433,
        "nox_total_t": 0.2962433,
        "co_onsite_t": 0.08150082,
        "water_onsite_m3": 1_023.672,
        "mean_utilisation": 0.825,
    }),
}
CASES = sorted(EXPECTED)


def expected_pairs():
    return [(case, key) for case in CASES for key in EXPECTED[case][1]]


@pytest.fixture(scope="module")
def engine_results():
    return {case: compute(*EXPECTED[case][0]()).base for case in CASES}


@pytest.fixture(scope="module")
def loop_results():
    return {case: compute_reference_loop(*EXPECTED[case][0]()) for case in CASES}


@pytest.mark.parametrize("case,key", expected_pairs())
def test_the_engine_matches_the_hand_calculation(engine_results, case, key):
    expected = EXPECTED[case][1][key]
    assert engine_results[case].metrics[key].value == pytest.approx(expected, rel=1e-3, abs=1e-9)


@pytest.mark.parametrize("case,key", expected_pairs())
def test_the_reference_loop_matches_the_hand_calculation(loop_results, case, key):
    expected = EXPECTED[case][1][key]
    assert loop_results[case][key] == pytest.approx(expected, rel=1e-3, abs=1e-9)


@pytest.mark.parametrize("case", CASES)
def test_every_hour_grid_onsite_and_battery_discharge_less_charging_equal_the_served_load(engine_results, case):
    s = engine_results[case].series
    assert abs(supplied_mw(s) - s.facility_load_mw).max() <= 1e-9
    # Served load plus curtailed demand is the demand, hour by hour.
    assert abs(s.facility_load_mw + s.unserved_mw - s.demand_mw).max() <= 1e-9


@pytest.mark.parametrize("case", CASES)
def test_every_hour_of_the_reference_loop_balances_too(case):
    for row in reference_steps(*EXPECTED[case][0]()):
        supplied = row["grid_mw"] + row["onsite_mw"] + row["battery_discharge_mw"] - row["battery_charge_mw"]
        assert supplied == pytest.approx(row["served_mw"], rel=0, abs=1e-9)


def test_case_3_battery_empties_before_the_first_turbine_starts(engine_results):
    # docs/validation.md, case 3 table: state of charge after each hour of 1 July.
    s = engine_results["case 3"].series
    soc = [24.1575, 30.0, 30.0, 30.0, 30.0, 30.0, 18.125, 6.25, 0.0, 0.0]
    assert list(s.battery_soc_mwh[:10]) == pytest.approx(soc, abs=1e-9)
    assert list(s.onsite_mw[6:10]) == pytest.approx([0.0, 0.0, 5.625, 11.875], abs=1e-9)
    assert list(s.surplus_mw[6:10]) == pytest.approx([0.0, 0.0, 2.625, 0.0], abs=1e-9)
    # 2 July: charging 10.175, 10.175, 10.175, then 2.5275 MWh of room ÷ 0.9 = 2.808333 MW.
    assert list(s.battery_charge_mw[24:29]) == pytest.approx([10.175, 10.175, 10.175, 2.808333, 0.0], abs=1e-6)
