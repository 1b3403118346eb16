"""A facility through time and under its real supply: fleet stages, served load, batteries,
emission factors by load band, by date and from limits, startups, market-based scope 2, and
headlines that sit inside their own P5–P95."""

import dataclasses
import datetime as dt

import numpy as np
import pytest
from engine_factories import T0, facility, fleet, generator, hours, supplied_mw

from impact.engine import (
    BatteryInput,
    EngineInputError,
    FleetStage,
    GridContract,
    RunOptions,
    Uncertain,
    UtilisationProfile,
    compute,
)
from impact.engine.montecarlo import median
from impact.engine.physics import limit_to_lb_per_mmbtu

H = dt.timedelta(hours=1)
LB = 0.45359237


def staged(*stages, it_mw=10.0):
    """A fleet of up to ``it_mw`` MW (1,000 accelerators per MW at 1 kW) with the given stages."""
    return dataclasses.replace(fleet(it_mw), stages=tuple(stages))


def balance_error(series):
    return float(np.max(np.abs(supplied_mw(series) - series.facility_load_mw)))


# --- fleet stages -------------------------------------------------------------------------------

def test_accelerators_are_energised_stage_by_stage_and_none_before_the_first_stage():
    fl = staged(FleetStage(T0 + 2 * H, 4000), FleetStage(T0 + 4 * H, 10_000), FleetStage(T0 + 5 * H, 0))
    result = compute(facility(fleets=(fl,), grid_mw=100.0), hours(6)).base
    np.testing.assert_allclose(result.series.accelerators_energised, [0, 0, 4000, 4000, 10_000, 0])
    np.testing.assert_allclose(result.series.it_load_mw, [0, 0, 4, 4, 10, 0])
    assert result.metric("energy_it_mwh") == pytest.approx(18.0)
    assert result.metric("mean_accelerators_energised") == pytest.approx(18_000 / 6)


def test_a_stage_can_run_its_own_utilisation_profile():
    fl = staged(FleetStage(T0, 10_000), FleetStage(T0 + H, 10_000, UtilisationProfile(mean_utilisation=0.5)))
    result = compute(facility(fleets=(fl,), grid_mw=100.0), hours(2)).base
    np.testing.assert_allclose(result.series.it_load_mw, [10.0, 5.0])
    assert result.metric("mean_utilisation") == pytest.approx(0.75)


def test_a_stage_with_more_accelerators_than_the_fleet_is_refused_naming_the_field():
    fl = staged(FleetStage(T0, 20_000))
    with pytest.raises(EngineInputError, match="fleets.0.accelerator_count"):
        compute(facility(fleets=(fl,), grid_mw=100.0), hours(1))


def test_stages_out_of_order_are_refused():
    fl = staged(FleetStage(T0 + H, 1000), FleetStage(T0, 2000))
    with pytest.raises(EngineInputError, match="fleets.0.stages.1.starts"):
        compute(facility(fleets=(fl,), grid_mw=100.0), hours(2))


def test_host_idle_above_host_maximum_is_refused():
    fl = dataclasses.replace(fleet(), host_idle_w_per_server=500.0, host_max_w_per_server=400.0)
    with pytest.raises(EngineInputError, match="host_idle_w_per_server"):
        compute(facility(fleets=(fl,), grid_mw=10.0), hours(1))


# --- served load --------------------------------------------------------------------------------

def test_only_energy_some_supply_delivers_is_reported_as_consumption():
    # 100 MW asked, 30 MW grid + 2 × 20 MW units: 70 MW served, 30 MW a diagnostic.
    f = facility(it_mw=100.0, grid_mw=30.0, generators=(generator(units=2, rated_mw=20.0),), wue=1.0)
    result = compute(f, hours(10)).base
    assert result.metric("energy_demand_mwh") == pytest.approx(1000.0)
    assert result.metric("energy_facility_mwh") == pytest.approx(700.0)
    assert result.metric("energy_it_mwh") == pytest.approx(700.0)
    assert result.metric("energy_unserved_mwh") == pytest.approx(300.0)
    assert result.metric("unserved_share") == pytest.approx(0.3)
    assert result.metric("onsite_share") == pytest.approx(400.0 / 700.0)
    assert result.metric("peak_facility_mw") == pytest.approx(70.0)
    # Cooling water follows served IT energy: 700 MWh × 1 L/kWh = 700 m³.
    assert result.metric("water_onsite_m3") == pytest.approx(700.0)
    assert result.metric("energy_facility_mwh") <= result.metric("energy_grid_mwh") + result.metric("energy_onsite_mwh") + 1e-9
    assert any("could not be delivered" in note for note in result.checks["notes"])


def test_served_it_energy_divides_the_served_load_by_each_hours_pue():
    f = facility(it_mw=10.0, pue=1.25, grid_mw=10.0)
    result = compute(f, hours(4)).base
    # Demand 12.5 MW, served 10 MW of which 10 ÷ 1.25 = 8 MW IT.
    assert result.metric("energy_it_mwh") == pytest.approx(32.0)
    assert result.metric("mean_pue") == pytest.approx(1.25)


# --- batteries ----------------------------------------------------------------------------------

def test_a_peak_shaving_battery_discharges_before_the_generators_start_and_stops_when_empty():
    gen = generator(units=1, rated_mw=10.0)
    bat = BatteryInput("pack", power_mw=4.0, energy_mwh=6.0, round_trip_efficiency=0.9)
    f = facility(it_mw=15.0, grid_mw=10.0, generators=(gen,), batteries=(bat,))
    result = compute(f, hours(3)).base
    s = result.series
    # Residual 5 MW: 4 MW from the battery (6 → 2 MWh), then 2 MW (empty), then 0.
    np.testing.assert_allclose(s.battery_discharge_mw, [4.0, 2.0, 0.0])
    np.testing.assert_allclose(s.onsite_mw, [1.0, 3.0, 5.0])
    np.testing.assert_allclose(s.battery_soc_mwh, [2.0, 0.0, 0.0], atol=1e-12)
    assert result.metric("energy_battery_discharge_mwh") == pytest.approx(6.0)
    assert balance_error(s) <= 1e-9


def test_a_battery_charges_from_spare_grid_capacity_and_books_its_losses():
    bat = BatteryInput("pack", power_mw=5.0, energy_mwh=9.0, round_trip_efficiency=0.9, initial_state_of_charge=0.0)
    f = facility(it_mw=8.0, grid_mw=10.0, batteries=(bat,), rates={"co2": 1000.0})
    result = compute(f, hours(3)).base
    s = result.series
    # Headroom 2 MW every hour: charge 2, 2, then (9 − 3.6) ÷ 0.9 capped by headroom 2 again.
    np.testing.assert_allclose(s.battery_charge_mw, [2.0, 2.0, 2.0])
    np.testing.assert_allclose(s.battery_soc_mwh, [1.8, 3.6, 5.4])
    np.testing.assert_allclose(s.grid_mw, [10.0, 10.0, 10.0])
    assert result.metric("energy_battery_losses_mwh") == pytest.approx(6.0 * 0.1)
    # The grid's emissions include the charging energy it delivered.
    assert result.metric("co2_grid_t") == pytest.approx(30.0 * 1000 * LB / 1000)
    assert result.metric("energy_facility_mwh") == pytest.approx(24.0)
    assert balance_error(s) <= 1e-9


def test_a_backup_only_battery_waits_for_the_generators_and_covers_only_what_they_cannot():
    gen = generator(units=1, rated_mw=3.0)
    bat = BatteryInput("backup", power_mw=10.0, energy_mwh=10.0, dispatch_rule="backup_only")
    f = facility(it_mw=15.0, grid_mw=10.0, generators=(gen,), batteries=(bat,))
    s = compute(f, hours(2)).base.series
    np.testing.assert_allclose(s.onsite_mw, [3.0, 3.0])
    np.testing.assert_allclose(s.battery_discharge_mw, [2.0, 2.0])
    np.testing.assert_allclose(s.unserved_mw, [0.0, 0.0])


def test_a_battery_outside_its_service_dates_does_nothing():
    bat = BatteryInput("pack", power_mw=4.0, energy_mwh=6.0, available_from=T0 + 2 * H)
    f = facility(it_mw=12.0, grid_mw=10.0, batteries=(bat,))
    s = compute(f, hours(3)).base.series
    np.testing.assert_allclose(s.battery_discharge_mw, [0.0, 0.0, 2.0])
    np.testing.assert_allclose(s.unserved_mw, [2.0, 2.0, 0.0])


def test_a_battery_that_would_give_back_more_than_it_took_is_refused():
    bat = BatteryInput("pack", power_mw=4.0, energy_mwh=6.0, round_trip_efficiency=1.2)
    with pytest.raises(EngineInputError, match="batteries.0.round_trip_efficiency"):
        compute(facility(grid_mw=10.0, batteries=(bat,)), hours(1))


def test_the_hourly_balance_holds_to_1e_9_mw_through_batteries_generators_and_curtailment():
    gens = (generator("a", units=2, rated_mw=7.0, min_load=0.6), generator("b", units=3, rated_mw=2.0, min_load=0.5))
    bats = (BatteryInput("shave", power_mw=5.0, energy_mwh=7.0, initial_state_of_charge=0.3),
            BatteryInput("backup", power_mw=2.0, energy_mwh=3.0, dispatch_rule="backup_only"))
    fl = dataclasses.replace(fleet(40.0), utilisation=UtilisationProfile(kind="hourly", hourly_shape=tuple(
        0.2 + 0.8 * ((h * 7) % 24) / 23 for h in range(24))))
    contracts = (GridContract(15.0, ends=T0 + 30 * H), GridContract(25.0, starts=T0 + 30 * H))
    result = compute(facility(fleets=(fl,), contracts=contracts, generators=gens, batteries=bats), hours(72)).base
    assert balance_error(result.series) <= 1e-9
    assert result.checks["energy_balance_max_abs_error_mw"] <= 1e-9


# --- emission factors: band, date, limit, startups ------------------------------------------------

def test_units_below_90_percent_load_use_the_part_load_factor():
    gen = generator(units=1, rated_mw=10.0, heat_rate=10_000.0, part_load_factors_lb_per_mmbtu={"nox": 0.8})
    full = compute(facility(it_mw=9.5, generators=(gen,)), hours(1)).base
    part = compute(facility(it_mw=5.0, generators=(gen,)), hours(1)).base
    # 9.5 MWh × 10 MMBtu/MWh = 95 MMBtu at 0.32 lb (≥ 90 %); 50 MMBtu at 0.8 lb (< 90 %).
    assert full.metric("nox_onsite_t") == pytest.approx(95 * 0.32 * LB / 1000)
    assert part.metric("nox_onsite_t") == pytest.approx(50 * 0.8 * LB / 1000)
    assert {m["regime"] for m in part.methods if m["pollutant"] == "nox"} == {"uncontrolled, unit load < 90%"}


def test_controls_switch_on_at_their_date():
    gen = generator(units=1, rated_mw=10.0, heat_rate=10_000.0, controls="scr", controls_from=T0 + 2 * H,
                    controlled_factors_lb_per_mmbtu={"nox": 0.01})
    result = compute(facility(it_mw=10.0, generators=(gen,)), hours(4)).base
    np.testing.assert_allclose(result.series.onsite_kg["nox"], np.array([0.32, 0.32, 0.01, 0.01]) * 100 * LB)
    shares = {m["regime"]: m["fuel_share"] for m in result.methods if m["pollutant"] == "nox"}
    assert shares == pytest.approx({"uncontrolled": 0.5, "controlled (scr)": 0.5})


def test_unknown_controls_are_refused():
    with pytest.raises(EngineInputError, match="generators.0.controls"):
        compute(facility(generators=(generator(controls="magic"),)), hours(1))


def test_a_g_per_bhp_hr_limit_is_converted_with_the_heat_rate_and_the_generator_efficiency():
    # NSPS JJJJ NOx 1.0 g/bhp-hr at 8,200 Btu/kWh and 97 %: 10⁶ ÷ (453.59237 × 0.745699872 × 0.97 × 8200)
    assert limit_to_lb_per_mmbtu(1.0, 8200.0, 0.97) == pytest.approx(0.371693, rel=1e-5)
    gen = generator(units=1, rated_mw=10.0, heat_rate=8200.0, limit_factors_g_per_bhp_hr={"nox": 1.0})
    result = compute(facility(it_mw=10.0, generators=(gen,)), hours(1)).base
    assert result.metric("nox_onsite_t") == pytest.approx(82.0 * 0.371693 * LB / 1000, rel=1e-5)
    row = next(m for m in result.methods if m["pollutant"] == "nox")
    assert (row["value"], row["unit"], row["regime"]) == (1.0, "g/bhp-hr", "certified or regulatory limit")
    assert "453.59237" in row["note"]


def test_each_unit_start_adds_its_startup_emissions():
    gen = generator(units=2, rated_mw=10.0, startup_lb_per_event={"co": 50.0})
    fl = dataclasses.replace(fleet(20.0), utilisation=UtilisationProfile(kind="hourly", hourly_shape=(
        0.25, 1.0, 0.25, 1.0) + (0.0,) * 20))
    result = compute(facility(fleets=(fl,), generators=(gen,)), hours(4)).base
    # Units: 1, 2, 1, 2 → starts 1 + 1 + 0 + 1 = 3.
    assert result.metric("generator_starts") == pytest.approx(3.0)
    fuel_co = result.metric("fuel_mmbtu") * 0.082 * LB / 1000
    assert result.metric("co_onsite_t") == pytest.approx(fuel_co + 3 * 50 * LB / 1000)


# --- grid scope 2 ---------------------------------------------------------------------------------

def test_scope_2_is_reported_location_based_and_market_based():
    f = facility(it_mw=10.0, grid_mw=10.0, rates={"co2": 931.59, "ch4": 0.0861, "n2o": 0.0123})
    f = dataclasses.replace(f, grid=dataclasses.replace(f.grid, market_rates_lb_per_mwh={"co2": 624.94}))
    result = compute(f, hours(10)).base
    assert result.metric("co2_grid_t") == pytest.approx(100 * 931.59 * LB / 1000)
    assert result.metric("co2_grid_market_t") == pytest.approx(100 * 624.94 * LB / 1000)
    # CH4 and N2O: the supplier states none, so the location-based rates are used in both.
    extra = 100 * (29.8 * 0.0861 + 273 * 0.0123) * LB / 1000
    assert result.metric("co2e_grid_market_t") == pytest.approx(100 * 624.94 * LB / 1000 + extra)
    assert result.metric("co2e_grid_t") == pytest.approx(100 * 931.59 * LB / 1000 + extra)
    scopes = {m["scope"] for m in result.methods}
    assert scopes == {"grid_location", "grid_market"}
    assert result.checks["grid_market_pollutants_missing"] == []


# --- honest uncertainty ---------------------------------------------------------------------------

def test_the_headline_uses_each_input_at_its_median_and_sits_inside_p5_p95():
    # A triangular range whose mode is its high end (the old NOx seed): the mode would sit at
    # the ~90th+ percentile; the median does not.
    gen = generator(units=1, rated_mw=20.0, heat_rate=10_000.0)
    f = facility(it_mw=10.0, generators=(gen,), uncertainties=(
        Uncertain("generators.0.emission_factors_lb_per_mmbtu.nox", 0.1, 0.32),))
    result = compute(f, hours(24), RunOptions(monte_carlo_samples=2000, seed=7)).base
    nox = result.metrics["nox_onsite_t"]
    mid = median(Uncertain("x", 0.1, 0.32), 0.32)
    assert mid == pytest.approx(0.1 + np.sqrt(0.22 * 0.22 / 2))
    assert nox.value == pytest.approx(240 * 10 * mid * LB / 1000)
    assert nox.p5 <= nox.value <= nox.p95
    assert nox.value == pytest.approx(nox.p50, rel=0.02)
    assert result.checks["headline_outside_p5_p95"] == []


def test_every_headline_of_a_rich_site_lies_inside_its_own_range():
    gens = (generator("a", units=4, rated_mw=5.0, min_load=0.5, part_load_factors_lb_per_mmbtu={"nox": 0.5}),)
    f = facility(it_mw=25.0, utilisation=0.8, grid_mw=8.0, generators=gens, rates={"co2": 900.0}, wue=1.0, uncertainties=(
        Uncertain("fleets.0.utilisation.mean_utilisation", 0.5, 0.9),
        Uncertain("generators.0.heat_rate_btu_per_kwh", 9000.0, 12_000.0, distribution="uniform"),
        Uncertain("generators.0.emission_factors_lb_per_mmbtu.nox", 0.1, 0.32),
        Uncertain("grid.emission_rates_lb_per_mwh.co2", 800.0, 1000.0),
        Uncertain("cooling.wue_l_per_kwh", 0.3, 1.8),
    ))
    result = compute(f, hours(48), RunOptions(monte_carlo_samples=1000, seed=1)).base
    for key, m in result.metrics.items():
        if m.p5 is not None and np.isfinite(m.value):
            assert m.p5 - 1e-9 * abs(m.p5) <= m.value <= m.p95 + 1e-9 * abs(m.p95), key


def test_one_physical_quantity_in_two_groups_is_drawn_once():
    gens = (generator("first", units=1, rated_mw=10.0), generator("second", units=1, rated_mw=10.0))
    f = facility(it_mw=15.0, generators=gens, uncertainties=(
        Uncertain("generators.0.heat_rate_btu_per_kwh", 9000.0, 11_000.0,
                  also_paths=("generators.1.heat_rate_btu_per_kwh",)),))
    result = compute(f, hours(1), RunOptions(monte_carlo_samples=500, seed=2)).base
    fuel = result.metrics["fuel_mmbtu"]
    # 15 MWh at one heat rate drawn for both groups: fuel = 15 × HR / 1000 exactly in every sample,
    # so its spread is the heat rate's own (9,000–11,000 → 135–165 MMBtu), not a narrower average.
    assert fuel.p5 == pytest.approx(15 * np.percentile(np.random.default_rng(0).triangular(9000, 10_000, 11_000, 200_000), 5) / 1000, rel=0.02)
    assert len(result.drivers) == 1


def test_a_linked_path_that_does_not_exist_is_refused():
    f = facility(generators=(generator(),), uncertainties=(
        Uncertain("generators.0.heat_rate_btu_per_kwh", 9000.0, 11_000.0, also_paths=("generators.3.heat_rate_btu_per_kwh",)),))
    with pytest.raises(EngineInputError, match="uncertainties.0.also_paths.0"):
        compute(f, hours(1))


def test_every_sample_of_a_battery_site_keeps_its_balance():
    bat = BatteryInput("pack", power_mw=5.0, energy_mwh=8.0)
    f = facility(it_mw=15.0, grid_mw=10.0, generators=(generator(units=2, rated_mw=3.0),), batteries=(bat,),
                 uncertainties=(Uncertain("batteries.0.energy_mwh", 4.0, 12.0),
                                Uncertain("fleets.0.utilisation.mean_utilisation", 0.7, 1.0)))
    result = compute(f, hours(12), RunOptions(monte_carlo_samples=200, seed=5)).base
    assert result.checks["monte_carlo_energy_balance_rel_error"] <= 1e-9
    unserved = result.metrics["energy_unserved_mwh"]
    assert unserved.p5 <= unserved.value <= unserved.p95


def test_round_off_after_the_supplies_is_not_counted_as_unserved_hours():
    # Demand met exactly by grid + three generator groups leaves ±1e-13 MW of round-off per hour.
    gens = tuple(generator(f"g{i}", units=3, rated_mw=1.1 + i / 7) for i in range(3))
    f = facility(it_mw=9.3, grid_mw=0.7, generators=gens,
                 uncertainties=(Uncertain("fleets.0.utilisation.mean_utilisation", 0.8, 1.0),))
    result = compute(f, hours(24), RunOptions(monte_carlo_samples=50, seed=4)).base
    assert result.metrics["unserved_hours_h"].p95 == 0.0
    assert result.metrics["energy_unserved_mwh"].p95 == 0.0
