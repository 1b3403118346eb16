"""Every conversion checked against a calculation written out by hand."""

import dataclasses
import json

import pytest
from engine_factories import GT_FACTORS, facility, fleet, generator, hours

from impact.engine import POLLUTANTS, RunOptions, UtilisationProfile, compute

LB = 0.45359237  # kg per lb, exact


def one_mwh_on_site(**generator_changes):
    """1 MW of load for one hour, no grid: one 1 MW unit at 10,000 Btu/kWh makes 1 MWh."""
    return compute(facility(it_mw=1.0, generators=(generator(**generator_changes),)), hours(1)).base


def test_one_mwh_at_10000_btu_per_kwh_burns_10_mmbtu_and_emits_530_6_kg_co2():
    result = one_mwh_on_site()
    # 1 MWh × 10,000 Btu/kWh × 1,000 kWh/MWh = 1e7 Btu = 10 MMBtu; × 53.06 kg/MMBtu = 530.6 kg.
    assert result.metric("energy_onsite_mwh") == pytest.approx(1.0)
    assert result.metric("fuel_mmbtu") == pytest.approx(10.0)
    assert result.metric("co2_onsite_t") == pytest.approx(0.5306)


def test_fuel_volume_uses_the_part_98_default_heating_value():
    # 10 MMBtu × 1e6 Btu/MMBtu ÷ 1,026 Btu/scf = 9,746.59 scf.
    assert one_mwh_on_site().metric("fuel_scf") == pytest.approx(1e7 / 1026.0)


@pytest.mark.parametrize("pollutant", sorted(GT_FACTORS))
def test_each_criteria_pollutant_is_fuel_times_its_ap42_factor(pollutant):
    # 10 MMBtu × factor lb/MMBtu × 0.45359237 kg/lb, in tonnes.
    expected_t = 10.0 * GT_FACTORS[pollutant] * LB / 1000.0
    assert one_mwh_on_site().metric(f"{pollutant}_onsite_t") == pytest.approx(expected_t)


def test_methane_and_nitrous_oxide_come_from_part_98_without_an_override():
    result = one_mwh_on_site()
    assert result.metric("ch4_onsite_t") == pytest.approx(10.0 * 1.0e-3 / 1000.0)  # Table C-2
    assert result.metric("n2o_onsite_t") == pytest.approx(10.0 * 1.0e-4 / 1000.0)


def test_an_ap42_methane_factor_overrides_part_98():
    factors = dict(GT_FACTORS, ch4=1.25)  # 4SLB engine, lb/MMBtu
    result = one_mwh_on_site(emission_factors_lb_per_mmbtu=factors)
    assert result.metric("ch4_onsite_t") == pytest.approx(10.0 * 1.25 * LB / 1000.0)


def test_controls_replace_only_the_factors_they_give():
    result = one_mwh_on_site(controls="scr", controlled_factors_lb_per_mmbtu={"nox": 0.0075})
    assert result.metric("nox_onsite_t") == pytest.approx(10.0 * 0.0075 * LB / 1000.0)
    assert result.metric("co_onsite_t") == pytest.approx(10.0 * 0.082 * LB / 1000.0)


def test_controlled_factors_are_ignored_without_controls_and_a_note_says_so():
    result = one_mwh_on_site(controlled_factors_lb_per_mmbtu={"nox": 0.0075})
    assert result.metric("nox_onsite_t") == pytest.approx(10.0 * 0.32 * LB / 1000.0)
    assert any("no controls set" in note for note in result.checks["notes"])


def test_co2e_with_ar6_uses_fossil_methane_29_8_and_n2o_273():
    result = one_mwh_on_site()
    # 530.6 + 29.8 × 0.01 + 273 × 0.001 = 531.171 kg
    assert result.metric("co2e_onsite_t") == pytest.approx(0.531171)
    assert result.gwp_set == "AR6"
    assert result.to_dict()["gwp"]["status"] == "U"


def test_co2e_with_ar5_uses_28_and_265():
    f = facility(it_mw=1.0, generators=(generator(),))
    result = compute(f, hours(1), RunOptions(gwp_set="AR5")).base
    # 530.6 + 28 × 0.01 + 265 × 0.001 = 531.145 kg
    assert result.metric("co2e_onsite_t") == pytest.approx(0.531145)
    assert result.gwp["ch4"] == 28.0


def test_grid_emissions_are_grid_mwh_times_the_rate():
    f = facility(it_mw=2.0, grid_mw=10.0, rates={"co2": 671.11, "nox": 0.5})
    result = compute(f, hours(3)).base
    # 2 MW × 3 h = 6 MWh; × 671.11 lb/MWh × 0.45359237 kg/lb
    assert result.metric("energy_grid_mwh") == pytest.approx(6.0)
    assert result.metric("co2_grid_t") == pytest.approx(6.0 * 671.11 * LB / 1000.0)
    assert result.metric("nox_grid_t") == pytest.approx(6.0 * 0.5 * LB / 1000.0)


def test_grid_pollutants_without_a_rate_are_listed_as_missing_not_silently_zero():
    result = compute(facility(grid_mw=10.0, rates={"co2": 671.11}), hours(1)).base
    assert result.checks["grid_pollutants_missing"] == [p for p in POLLUTANTS if p != "co2"]
    assert result.metric("nox_grid_t") == 0.0


def test_totals_add_on_site_and_grid():
    f = facility(it_mw=2.0, grid_mw=1.0, rates={"co2": 1000.0}, generators=(generator(),))
    result = compute(f, hours(1)).base
    expected = 0.5306 + 1.0 * 1000.0 * LB / 1000.0
    assert result.metric("co2_total_t") == pytest.approx(expected)


def test_onsite_water_is_it_kwh_times_wue_and_generation_water_is_a_separate_line():
    f = facility(it_mw=1.0, pue=1.5, grid_mw=10.0, wue=0.85, generation_water=2.0)
    result = compute(f, hours(2)).base
    # IT: 2 MWh = 2,000 kWh × 0.85 L = 1,700 L = 1.7 m³ (cooling water follows IT, not PUE).
    assert result.metric("water_onsite_m3") == pytest.approx(1.7)
    # Grid: 1.5 MW × 2 h = 3,000 kWh × 2 L = 6 m³.
    assert result.metric("water_generation_m3") == pytest.approx(6.0)


def test_power_plant_water_without_a_rate_is_left_out_not_zero():
    """No cited figure is "not estimated": no metric, no column; a rate of 0 is a figure of 0."""
    unknown = compute(facility(it_mw=1.0, grid_mw=10.0, wue=0.85, generation_water=None), hours(2)).base
    assert "water_generation_m3" not in unknown.metrics
    assert "water_generation_l" not in unknown.series.columns()
    assert unknown.metric("water_onsite_m3") == pytest.approx(1.7)
    zero = compute(facility(it_mw=1.0, grid_mw=10.0, generation_water=0.0), hours(2)).base
    assert zero.metric("water_generation_m3") == 0.0
    assert list(zero.series.columns()["water_generation_l"]) == [0.0, 0.0]


def test_it_load_is_accelerator_idle_plus_dynamic_power_plus_host_idle_plus_dynamic_power():
    f = facility(grid_mw=100.0)
    fl = dataclasses.replace(fleet(), accelerator_count=1000, tdp_w=700.0, idle_w=70.0,
                             host_idle_w_per_server=800.0, host_max_w_per_server=2400.0, accelerators_per_server=8,
                             network_storage_share=0.1, utilisation=UtilisationProfile(mean_utilisation=0.5))
    result = compute(dataclasses.replace(f, fleets=(fl,)), hours(1)).base
    # accelerator 70 + 630 × 0.5 = 385 W; host (800 + 1,600 × 0.5) / 8 = 200 W per accelerator;
    # (385 + 200) × 1.1 network = 643.5 W
    assert result.metric("energy_it_mwh") == pytest.approx(1000 * 643.5 / 1e6)


def test_a_host_whose_idle_equals_its_maximum_is_a_constant_overhead():
    f = facility(grid_mw=100.0)
    fl = dataclasses.replace(fleet(), accelerator_count=800, tdp_w=700.0, idle_w=70.0,
                             host_idle_w_per_server=300.0, host_max_w_per_server=300.0, accelerators_per_server=8)
    idle = compute(dataclasses.replace(f, fleets=(dataclasses.replace(fl, utilisation=UtilisationProfile(mean_utilisation=0.0)),)), hours(1)).base
    busy = compute(dataclasses.replace(f, fleets=(dataclasses.replace(fl, utilisation=UtilisationProfile(mean_utilisation=1.0)),)), hours(1)).base
    # "300 W per server": 100 servers × 300 W = 0.03 MW at any load, on top of the GPUs.
    assert idle.metric("energy_it_mwh") == pytest.approx((800 * 70 + 100 * 300) / 1e6)
    assert busy.metric("energy_it_mwh") == pytest.approx((800 * 700 + 100 * 300) / 1e6)


def test_comparisons_scale_their_bases_to_the_period():
    f = facility(it_mw=10.0, grid_mw=100.0, rates={"co2": 1000.0}, wue=1.0)
    result = compute(f, hours(24 * 30)).base
    comparisons = {c.key: c for c in result.comparisons}
    months = 720 / (8766 / 12)
    assert comparisons["tn_households_electricity"].value == pytest.approx(7200 * 1000 / (1283 * months))
    assert comparisons["mlgw_peak_share"].value == pytest.approx(10.0 / 3395.8 * 100)
    co2e_t = 7200 * 1000 * LB / 1000
    assert comparisons["passenger_cars_co2e"].value == pytest.approx(co2e_t / (4.6 * 720 / 8766))
    assert comparisons["passenger_cars_co2e"].status == "U"
    assert "not in shared/reference/factors.md" in comparisons["passenger_cars_co2e"].source
    water_l = 7200 * 1000 * 1.0
    assert comparisons["households_water"].value == pytest.approx(water_l / (300 * 3.785411784 * 30))
    assert {c.status for c in result.comparisons} <= {"S", "2°", "U", "D"}


def test_result_dict_is_json_serialisable_and_names_every_metric():
    result = one_mwh_on_site()
    data = json.loads(json.dumps(result.to_dict()))
    assert data["engine_version"] == "2.0.0"
    for p in POLLUTANTS + ("co2e",):
        for where in ("onsite", "grid", "total"):
            assert f"{p}_{where}_t" in data["metrics"]
    for key in ("energy_it_mwh", "energy_facility_mwh", "energy_grid_mwh", "energy_onsite_mwh",
                "energy_unserved_mwh", "peak_facility_mw", "mean_pue", "onsite_share", "fuel_mmbtu",
                "fuel_scf", "water_onsite_m3", "water_generation_m3"):
        assert data["metrics"][key]["label"] and data["metrics"][key]["unit"]
    assert data["metrics"]["co2_onsite_t"]["p5"] is None


def test_every_co2e_label_names_its_gwp_set():
    f = facility(it_mw=1.0, generators=(generator(),))
    for gwp_set in ("AR5", "AR6"):
        result = compute(f, hours(1), RunOptions(gwp_set=gwp_set)).base
        for where in ("onsite", "grid", "total"):
            assert f"{gwp_set} GWP100" in result.metrics[f"co2e_{where}_t"].label
