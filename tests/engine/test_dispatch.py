"""Grid first, then on-site units in merit order: fewest units, minimum load, availability,
unserved load, contracts that start on a date, run hours and starts."""

import datetime as dt

import numpy as np
import pytest
from engine_factories import T0, facility, generator, hours, supplied_mw

from impact.engine import GridContract, compute


def run(f, n_hours=1, step_minutes=60, start=T0):
    return compute(f, hours(n_hours, step_minutes, start)).base


def assert_balanced(result):
    s = result.series
    # Served load is what the supplies delivered; served + unserved is the modelled demand.
    np.testing.assert_allclose(supplied_mw(s), s.facility_load_mw, rtol=1e-12)
    np.testing.assert_allclose(s.facility_load_mw + s.unserved_mw, s.demand_mw, rtol=1e-12)
    generated = sum(s.generator_mw.values(), np.zeros(s.n_steps))
    np.testing.assert_allclose(generated, s.onsite_mw + s.surplus_mw, rtol=1e-12)


def test_grid_supplies_up_to_its_contract_and_generators_cover_the_rest():
    result = run(facility(it_mw=100.0, grid_mw=60.0, generators=(generator(units=10, rated_mw=10.0),)))
    assert result.series.grid_mw[0] == pytest.approx(60.0)
    assert result.series.onsite_mw[0] == pytest.approx(40.0)
    assert_balanced(result)


def test_dispatch_commits_the_fewest_units_that_cover_the_residual():
    # 33 MW on 16.5 MW units: exactly 2 units (a float round-off must not make it 3).
    result = run(facility(it_mw=33.0, generators=(generator(units=15, rated_mw=16.5),)))
    assert result.series.generator_units_running["gt"][0] == 2
    # 34 MW needs 3 units sharing 11.33 MW each.
    result = run(facility(it_mw=34.0, generators=(generator(units=15, rated_mw=16.5),)))
    assert result.series.generator_units_running["gt"][0] == 3
    assert result.generators[0].load_factor_per_unit == pytest.approx(34.0 / 3 / 16.5)


def test_a_unit_below_its_minimum_load_runs_at_minimum_and_the_surplus_is_curtailed():
    result = run(facility(it_mw=2.0, generators=(generator(units=1, rated_mw=10.0, min_load=0.5),)))
    s = result.series
    assert s.generator_mw["gt"][0] == pytest.approx(5.0)
    assert s.onsite_mw[0] == pytest.approx(2.0)
    assert s.surplus_mw[0] == pytest.approx(3.0)
    # Fuel is burned for all 5 MW, not just the 2 MW used.
    assert result.metric("fuel_mmbtu") == pytest.approx(5.0 * 10.0)
    assert result.metric("energy_surplus_mwh") == pytest.approx(3.0)
    assert_balanced(result)


def test_availability_limits_units_to_the_floor_of_count_times_availability():
    # 10 units × 0.29 = 2.9 -> 2 available units of 10 MW; 50 MW demand leaves 30 MW unserved.
    result = run(facility(it_mw=50.0, generators=(generator(units=10, rated_mw=10.0, availability=0.29),)))
    assert result.series.generator_units_running["gt"][0] == 2
    assert result.metric("energy_unserved_mwh") == pytest.approx(30.0)
    assert result.generators[0].available_units == 2


def test_too_small_a_fleet_of_generators_leaves_unserved_load_that_is_reported_not_dropped():
    result = run(facility(it_mw=150.0, grid_mw=50.0, generators=(generator(units=4, rated_mw=16.5),)), 2)
    assert result.metric("energy_unserved_mwh") == pytest.approx(2 * (150.0 - 50.0 - 66.0))
    assert result.metric("unserved_hours_h") == pytest.approx(2.0)
    assert result.checks["unserved_steps"] == 2
    assert_balanced(result)


def test_groups_run_in_listed_merit_order():
    engines = generator("engines", units=4, rated_mw=2.5)
    turbines = generator("turbines", units=2, rated_mw=16.5)
    result = run(facility(it_mw=20.0, generators=(engines, turbines)))
    s = result.series
    assert s.generator_mw["engines"][0] == pytest.approx(10.0)
    assert s.generator_mw["turbines"][0] == pytest.approx(10.0)
    assert s.generator_units_running["turbines"][0] == 1


def test_a_contract_switching_on_at_a_date_moves_load_from_generators_to_the_grid():
    switch = T0 + dt.timedelta(hours=5)
    f = facility(it_mw=100.0, contracts=(GridContract(150.0, starts=switch),),
                 generators=(generator(units=10, rated_mw=16.5),))
    result = run(f, 10)
    s = result.series
    np.testing.assert_allclose(s.grid_mw, [0] * 5 + [100] * 5)
    np.testing.assert_allclose(s.onsite_mw, [100] * 5 + [0] * 5)
    np.testing.assert_allclose(s.grid_capacity_mw, [0] * 5 + [150] * 5)
    assert result.metric("energy_onsite_mwh") == pytest.approx(500.0)
    assert_balanced(result)


def test_overlapping_contracts_add_and_the_grid_is_zero_outside_every_contract():
    a = GridContract(10.0, starts=T0, ends=T0 + dt.timedelta(hours=2))
    b = GridContract(5.0, starts=T0 + dt.timedelta(hours=1), ends=T0 + dt.timedelta(hours=3))
    result = run(facility(it_mw=100.0, contracts=(a, b)), 4)
    np.testing.assert_allclose(result.series.grid_capacity_mw, [10, 15, 5, 0])
    assert result.metric("energy_unserved_mwh") == pytest.approx(400 - 30)


def test_generators_run_only_inside_their_availability_window():
    window = dict(available_from=T0 + dt.timedelta(hours=1), available_to=T0 + dt.timedelta(hours=3))
    result = run(facility(it_mw=5.0, generators=(generator(units=1, rated_mw=10.0, **window),)), 4)
    np.testing.assert_allclose(result.series.onsite_mw, [0, 5, 5, 0])
    np.testing.assert_allclose(result.series.unserved_mw, [5, 0, 0, 5])


def test_run_hours_and_starts_count_off_to_on_transitions_per_unit():
    # Grid 0 for 2 h, 20 MW for 2 h, 0 for 2 h: the 2-unit group starts twice for 2 units.
    contracts = (GridContract(20.0, starts=T0 + dt.timedelta(hours=2), ends=T0 + dt.timedelta(hours=4)),)
    result = run(facility(it_mw=20.0, contracts=contracts, generators=(generator(units=2, rated_mw=10.0),)), 6)
    stats = result.generators[0]
    np.testing.assert_allclose(result.series.generator_units_running["gt"], [2, 2, 0, 0, 2, 2])
    assert stats.starts_per_unit == pytest.approx(2.0)  # 4 starts over 2 units
    assert stats.run_hours_per_unit == pytest.approx(4.0)
    assert stats.load_factor_per_unit == pytest.approx(1.0)
    assert stats.capacity_factor == pytest.approx(80.0 / (2 * 10.0 * 6))


def test_part_load_heat_rate_is_interpolated_linearly():
    curve = ((0.5, 1.2), (1.0, 1.0))
    # 7.5 MW on one 10 MW unit: load 0.75, multiplier 1.1, 7.5 MWh × 11,000 Btu/kWh = 82.5 MMBtu.
    result = run(facility(it_mw=7.5, generators=(generator(units=1, rated_mw=10.0, part_load_heat_rate=curve),)))
    assert result.metric("fuel_mmbtu") == pytest.approx(82.5)
    # Below the first point the multiplier stays flat: 3 MW at load 0.3 -> 1.2.
    result = run(facility(it_mw=3.0, generators=(generator(units=1, rated_mw=10.0, part_load_heat_rate=curve),)))
    assert result.metric("fuel_mmbtu") == pytest.approx(3.0 * 12.0)


def test_one_minute_steps_give_the_same_energy_as_hourly_steps_for_a_flat_load():
    f = facility(it_mw=10.0, grid_mw=4.0, generators=(generator(units=2, rated_mw=5.0),))
    hourly = run(f, 3)
    minutely = run(f, 3, step_minutes=1)
    for key in ("energy_facility_mwh", "energy_onsite_mwh", "fuel_mmbtu", "co2e_total_t"):
        assert minutely.metric(key) == pytest.approx(hourly.metric(key))
    assert minutely.series.n_steps == 180


def test_a_non_utc_aware_start_is_converted_to_utc_timestamps():
    start = dt.datetime(2025, 1, 1, 6, 0, tzinfo=dt.timezone(dt.timedelta(hours=-6)))
    result = run(facility(grid_mw=10.0), 2, start=start)
    assert result.series.timestamps[0] == np.datetime64("2025-01-01T12:00")
    assert result.series.timestamps.dtype == np.dtype("datetime64[m]")
    assert result.period.start.tzinfo is not None


def test_a_broken_energy_balance_raises_engine_error_instead_of_returning_numbers(monkeypatch):
    import impact.engine.run as run_module
    from impact.engine import EngineError

    real_build = run_module._build_series

    def leaky(sim, *args):
        sim.grid_mw = sim.grid_mw * 0.9  # lose 10 % of the grid supply
        return real_build(sim, *args)

    monkeypatch.setattr(run_module, "_build_series", leaky)
    with pytest.raises(EngineError, match="energy_balance"):
        compute(facility(it_mw=10.0, grid_mw=20.0), hours(2))


def test_checks_report_the_measured_errors_and_are_json_ready():
    import json
    result = run(facility(it_mw=30.0, grid_mw=10.0, generators=(generator(units=3, rated_mw=10.0),)), 5)
    checks = json.loads(json.dumps(result.to_dict()["checks"]))
    assert checks["energy_balance_max_rel_error"] <= 1e-12
    assert checks["fuel_balance_rel_error"] <= 1e-9
    assert checks["emissions_balance_rel_error"] <= 1e-9
    assert checks["min_value"] >= 0
    assert checks["n_steps"] == 5
