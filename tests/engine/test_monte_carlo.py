"""Monte Carlo: reproducible, ordered percentiles, sensible spread, drivers ranked by Spearman."""

import dataclasses
import datetime as dt

import numpy as np
import pytest
from engine_factories import facility, generator, hours

from impact.engine import ClimateInput, CoolingInput, RunOptions, Uncertain, compute
import impact.engine.montecarlo as mc
from impact.engine.montecarlo import draw, ranks, spearman_rho

UNCERTAIN = facility(
    it_mw=50.0, grid_mw=30.0, rates={"co2": 700.0},
    generators=(generator(units=4, rated_mw=10.0, min_load=0.4, part_load_heat_rate=((0.4, 1.3), (1.0, 1.0))),),
    uncertainties=(
        Uncertain("cooling.pue_at_reference", 1.0, 1.3, label="PUE"),
        Uncertain("grid.emission_rates_lb_per_mwh.co2", 600.0, 900.0, label="Grid CO2"),
        Uncertain("generators.0.heat_rate_btu_per_kwh", 9000.0, 12000.0, "uniform", label="Heat rate"),
        Uncertain("fleets.0.utilisation.mean_utilisation", 0.5, 1.0, label="Utilisation"),
    ),
)
MC = RunOptions(monte_carlo_samples=400, seed=7)


def test_the_same_seed_gives_identical_numbers():
    a = compute(UNCERTAIN, hours(24), MC).base.to_dict()
    b = compute(UNCERTAIN, hours(24), MC).base.to_dict()
    assert a["metrics"] == b["metrics"]
    assert a["drivers"] == b["drivers"]


def test_a_different_seed_gives_different_percentiles():
    a = compute(UNCERTAIN, hours(24), MC).base
    b = compute(UNCERTAIN, hours(24), dataclasses.replace(MC, seed=8)).base
    assert a.metrics["co2e_total_t"].p50 != b.metrics["co2e_total_t"].p50


def test_percentiles_are_ordered_and_bracket_a_central_value_in_range():
    result = compute(UNCERTAIN, hours(24), MC).base
    for key, m in result.metrics.items():
        if m.p5 is None or not np.isfinite(m.p5):
            continue
        assert m.p5 <= m.p50 <= m.p95, key
    co2e = result.metrics["co2e_total_t"]
    assert co2e.p5 < co2e.p95
    assert co2e.p5 * 0.8 <= co2e.value <= co2e.p95 * 1.2


def test_without_uncertain_inputs_percentiles_equal_the_central_value():
    f = dataclasses.replace(UNCERTAIN, uncertainties=())
    m = compute(f, hours(5), MC).base.metrics["energy_facility_mwh"]
    assert m.p5 == m.p50 == m.p95 == m.value
    assert compute(f, hours(5), MC).base.drivers == ()


def test_monte_carlo_off_leaves_percentiles_empty():
    m = compute(UNCERTAIN, hours(5)).base.metrics["co2e_total_t"]
    assert (m.p5, m.p50, m.p95) == (None, None, None)


def test_a_zero_width_range_reproduces_the_central_run_exactly_through_the_sampled_path():
    pinned = dataclasses.replace(UNCERTAIN, uncertainties=(
        Uncertain("cooling.pue_at_reference", 1.0, 1.0),
        Uncertain("fleets.0.utilisation.mean_utilisation", 1.0, 1.0),
        Uncertain("generators.0.heat_rate_btu_per_kwh", 10_000.0, 10_000.0),
    ))
    result = compute(pinned, hours(48), RunOptions(monte_carlo_samples=20)).base
    for key, m in result.metrics.items():
        if np.isfinite(m.value):
            assert m.p5 == pytest.approx(m.value, rel=1e-9, abs=1e-12), key
            assert m.p95 == pytest.approx(m.value, rel=1e-9, abs=1e-12), key


def test_drivers_rank_the_input_that_moves_co2e_most_first():
    result = compute(UNCERTAIN, hours(24), MC).base
    assert [d.path for d in result.drivers][0] in ("fleets.0.utilisation.mean_utilisation", "cooling.pue_at_reference")
    rhos = [abs(d.spearman_rho) for d in result.drivers]
    assert rhos == sorted(rhos, reverse=True)
    by_path = {d.path: d for d in result.drivers}
    # The grid CO2 rate changes emissions but not energy.
    assert by_path["grid.emission_rates_lb_per_mwh.co2"].spearman_rho > 0.1
    assert abs(by_path["grid.emission_rates_lb_per_mwh.co2"].spearman_rho_energy) < 0.2
    assert by_path["cooling.pue_at_reference"].label == "PUE"


def test_triangular_samples_stay_inside_the_range_and_centre_on_the_mode():
    x = draw(Uncertain("a", 1.0, 4.0), 2.0, 20_000, 1)
    assert x.min() >= 1.0 and x.max() <= 4.0
    assert x.mean() == pytest.approx((1 + 2 + 4) / 3, rel=0.02)
    u = draw(Uncertain("a", 1.0, 4.0, "uniform"), 2.0, 20_000, 1)
    assert u.mean() == pytest.approx(2.5, rel=0.02)


def test_spearman_rho_is_one_for_any_monotone_relation_and_zero_for_a_constant():
    x = np.linspace(0, 1, 50)
    assert spearman_rho(x, np.exp(3 * x)) == pytest.approx(1.0)
    assert spearman_rho(x, -x ** 3) == pytest.approx(-1.0)
    assert spearman_rho(x, np.ones(50)) == 0.0
    np.testing.assert_array_equal(ranks(np.array([3.0, 1.0, 2.0])), [2, 0, 1])


def test_monte_carlo_over_many_chunks_matches_one_big_chunk(monkeypatch):
    one = compute(UNCERTAIN, hours(24), MC).base.to_dict()["metrics"]
    monkeypatch.setattr(mc, "CHUNK_ELEMENTS", 24 * 3)
    many = compute(UNCERTAIN, hours(24), MC).base.to_dict()["metrics"]
    for key in one:
        for q in ("p5", "p50", "p95"):
            if one[key][q] is not None:
                assert many[key][q] == pytest.approx(one[key][q], rel=1e-12, abs=1e-12)


def test_uncertain_inputs_inside_lists_are_sampled_too():
    climate = ClimateInput(monthly_low_c=(10.0,) * 12, monthly_high_c=(30.0,) * 12)
    f = dataclasses.replace(
        UNCERTAIN, climate=climate,
        cooling=CoolingInput(pue_at_reference=1.1, pue_slope_per_degc=0.02),
        uncertainties=(Uncertain("climate.monthly_high_c.0", 25.0, 40.0),
                       Uncertain("grid.contracts.0.capacity_mw", 20.0, 40.0)),
    )
    start = dt.datetime(2025, 1, 10, tzinfo=dt.timezone.utc)
    result = compute(f, hours(48, start=start), MC).base
    drivers = {d.path: d for d in result.drivers}
    assert drivers["climate.monthly_high_c.0"].spearman_rho_energy > 0.5
    assert drivers["grid.contracts.0.capacity_mw"].spearman_rho < -0.2  # more grid, fewer turbines


def test_each_monte_carlo_sample_equals_a_central_run_with_its_drawn_inputs():
    from impact.engine.constants import GWP_SETS
    from impact.engine.paths import set_paths
    from impact.engine.timebase import make_timebase

    period = hours(48)
    draws, samples = mc.run_monte_carlo(UNCERTAIN, make_timebase(period), GWP_SETS["AR6"], 6, seed=11)
    for i in range(6):
        one = set_paths(UNCERTAIN, {path: float(values[i]) for path, values in draws.items()})
        central = compute(dataclasses.replace(one, uncertainties=()), period).base
        for key in ("energy_facility_mwh", "energy_onsite_mwh", "fuel_mmbtu", "co2e_total_t", "peak_facility_mw"):
            assert samples[key][i] == pytest.approx(central.metric(key), rel=1e-9), (i, key)
