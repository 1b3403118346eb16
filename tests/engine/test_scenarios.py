"""Scenarios: dotted-path overrides, computed with the base in one call, compared side by side."""

import dataclasses
import datetime as dt

import pytest
from engine_factories import T0, facility, generator, hours

import impact.engine.montecarlo as mc
from impact.engine import (
    EngineInputError,
    GridContract,
    RunOptions,
    Scenario,
    Uncertain,
    apply_scenario,
    compute,
)

BASE = facility(it_mw=100.0, grid_mw=50.0, rates={"co2": 700.0}, generators=(generator(units=10, rated_mw=10.0),),
                uncertainties=(Uncertain("fleets.0.accelerator_count", 90_000, 110_000),
                               Uncertain("generators.0.heat_rate_btu_per_kwh", 9_000.0, 11_000.0)))


def test_base_and_every_scenario_are_computed_in_one_call():
    scenarios = (
        Scenario("double fleet", {"fleets.0.accelerator_count": 200_000}),
        Scenario("no generators", {"generators": ()}),
        Scenario("full grid", {"grid.contracts": (GridContract(150.0),)}),
    )
    result = compute(BASE, hours(2), scenarios=scenarios)
    assert result.base.scenario_name == "base"
    assert list(result.scenarios) == ["double fleet", "no generators", "full grid"]
    # Twice the fleet asks for 400 MWh over 2 h, but 50 MW grid + 100 MW of units can deliver only
    # 300 MWh: the rest is a diagnostic, never consumption.
    double = result.scenarios["double fleet"]
    assert double.metric("energy_demand_mwh") == pytest.approx(400.0)
    assert double.metric("energy_it_mwh") == pytest.approx(300.0)
    assert double.metric("energy_unserved_mwh") == pytest.approx(100.0)
    assert double.metric("unserved_share") == pytest.approx(0.25)
    assert result.scenarios["no generators"].metric("energy_unserved_mwh") == pytest.approx(100.0)
    assert result.scenarios["full grid"].metric("energy_onsite_mwh") == 0.0


def test_comparison_rows_put_base_and_scenarios_side_by_side():
    result = compute(BASE, hours(1), scenarios=(Scenario("full grid", {"grid.contracts.0.capacity_mw": 150.0}),))
    rows = {row[0]: row for row in result.comparison_rows}
    key, label, unit, base, others = rows["energy_grid_mwh"]
    assert (unit, base, others) == ("MWh", pytest.approx(50.0), {"full grid": pytest.approx(100.0)})
    assert label
    assert [r[0] for r in result.comparison_rows] == list(result.base.metrics)


def test_overrides_reach_into_mappings_and_may_add_a_pollutant_rate():
    scenario = Scenario("nox rate", {"grid.emission_rates_lb_per_mwh.nox": 0.3})
    f, _ = apply_scenario(BASE, scenario)
    assert f.grid.emission_rates_lb_per_mwh == {"co2": 700.0, "nox": 0.3}
    assert BASE.grid.emission_rates_lb_per_mwh == {"co2": 700.0}  # the base is untouched


def test_an_unknown_mapping_key_that_is_not_a_pollutant_is_an_error():
    with pytest.raises(EngineInputError):
        apply_scenario(BASE, Scenario("typo", {"grid.emission_rates_lb_per_mwh.noxx": 0.3}))


def test_lists_from_json_become_tuples():
    contract = GridContract(80.0, starts=T0)
    f, _ = apply_scenario(BASE, Scenario("json", {"grid.contracts": [contract]}))
    assert f.grid.contracts == (contract,)


def test_an_override_drops_the_uncertainty_on_the_path_it_fixes_and_says_so():
    scenarios = (Scenario("fixed fleet", {"fleets.0.accelerator_count": 150_000}),
                 Scenario("no generators", {"generators": ()}))
    result = compute(BASE, hours(1), RunOptions(monte_carlo_samples=50), scenarios)
    fixed = result.scenarios["fixed fleet"]
    assert fixed.checks["uncertainties_dropped"] == ["fleets.0.accelerator_count"]
    assert [d.path for d in fixed.drivers] == ["generators.0.heat_rate_btu_per_kwh"]
    assert result.scenarios["no generators"].checks["uncertainties_dropped"] == ["generators.0.heat_rate_btu_per_kwh"]


def test_scenarios_share_random_draws_with_the_base_for_the_same_input():
    scenarios = (Scenario("cleaner grid", {"grid.emission_rates_lb_per_mwh.co2": 350.0}),)
    result = compute(BASE, hours(1), RunOptions(monte_carlo_samples=200), scenarios)
    base = result.base.metrics["energy_facility_mwh"]
    other = result.scenarios["cleaner grid"].metrics["energy_facility_mwh"]
    assert (base.p5, base.p50, base.p95) == (other.p5, other.p50, other.p95)


def test_a_contract_from_a_date_scenario_matches_the_hand_count():
    switch = T0 + dt.timedelta(hours=3)
    scenario = Scenario("late grid", {"grid.contracts": (GridContract(150.0, starts=switch),)})
    result = compute(BASE, hours(6), scenarios=(scenario,))
    late = result.scenarios["late grid"]
    assert late.metric("energy_onsite_mwh") == pytest.approx(3 * 100.0)
    assert late.metric("energy_grid_mwh") == pytest.approx(3 * 100.0)
    assert dataclasses.is_dataclass(late)


def test_a_factors_only_scenario_reuses_the_base_simulation_and_matches_a_standalone_run():
    f = dataclasses.replace(BASE, uncertainties=BASE.uncertainties + (
        Uncertain("generators.0.emission_factors_lb_per_mmbtu.nox", 0.1, 0.5),
        Uncertain("grid.emission_rates_lb_per_mwh.co2", 600.0, 800.0)))
    scenario = Scenario("scr", {"generators.0.controls": "scr",
                                "generators.0.controlled_factors_lb_per_mmbtu": {"nox": 0.0075}})
    options = RunOptions(monte_carlo_samples=100, seed=4)
    assert mc.physics_signature(apply_scenario(f, scenario)[0]) == mc.physics_signature(f)
    together = compute(f, hours(24), options, (scenario,)).scenarios["scr"].to_dict()
    alone = compute(apply_scenario(f, scenario)[0], hours(24), options).base.to_dict()
    assert together["metrics"] == alone["metrics"]
    assert together["drivers"] == alone["drivers"]
    assert together["metrics"]["nox_onsite_t"]["value"] < compute(f, hours(24)).base.metric("nox_onsite_t")


def test_the_whole_run_result_is_json_serialisable():
    import json
    scenarios = (Scenario("full grid", {"grid.contracts.0.capacity_mw": 150.0}),)
    result = compute(BASE, hours(3), RunOptions(monte_carlo_samples=20), scenarios)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert set(data) == {"base", "scenarios", "comparison_rows"}
    assert data["scenarios"]["full grid"]["scenario_name"] == "full grid"
    assert data["base"]["drivers"] and data["base"]["metrics"]["co2e_total_t"]["p95"] is not None
