"""Properties that must hold for any valid input (hypothesis)."""

import dataclasses

from engine_factories import ENGINE_FACTORS, facility, generator, hours
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.engine import ClimateInput, CoolingInput, GridContract, UtilisationProfile, compute

FAST = settings(max_examples=40, deadline=None)

fleet_sizes = st.integers(min_value=0, max_value=200_000)
utilisations = st.floats(min_value=0.0, max_value=1.0)
grid_sizes = st.floats(min_value=0.0, max_value=300.0)


def site(accelerators: int, u: float, grid_mw: float):
    """A synthetic data-centre-like site: temperature-dependent PUE, turbines and engines (round numbers)."""
    f = facility(
        grid_mw=grid_mw, rates={"co2": 700.0, "nox": 0.4},
        generators=(
            generator("turbines", units=15, rated_mw=16.5, min_load=0.5, heat_rate=10_700.0,
                      part_load_heat_rate=((0.5, 1.25), (1.0, 1.0))),
            generator("engines", units=14, rated_mw=2.5, min_load=0.3, heat_rate=8_200.0,
                      emission_factors_lb_per_mmbtu=ENGINE_FACTORS),
        ),
        cooling=CoolingInput(pue_at_reference=1.2, pue_slope_per_degc=0.01),
        climate=ClimateInput(monthly_low_c=(20.0,) * 12, monthly_high_c=(35.0,) * 12, utc_offset_hours=-6),
    )
    fl = dataclasses.replace(f.fleets[0], accelerator_count=accelerators, tdp_w=700.0, idle_w=70.0,
                             host_idle_w_per_server=2400.0, host_max_w_per_server=2400.0,
                             utilisation=UtilisationProfile(kind="inference", mean_utilisation=u))
    return dataclasses.replace(f, fleets=(fl,))


def day(accelerators: int, u: float, grid_mw: float):
    """The base case of one day of the site."""
    return compute(site(accelerators, u, grid_mw), hours(24)).base


@FAST
@given(fleet_sizes, fleet_sizes, utilisations, grid_sizes)
def test_more_accelerators_never_lower_energy(a, b, u, grid_mw):
    small, large = sorted((a, b))
    lo = day(small, u, grid_mw)
    hi = day(large, u, grid_mw)
    assert hi.metric("energy_it_mwh") >= lo.metric("energy_it_mwh") - 1e-9
    assert hi.metric("energy_facility_mwh") >= lo.metric("energy_facility_mwh") - 1e-9


@FAST
@given(fleet_sizes, utilisations, utilisations, grid_sizes)
def test_higher_utilisation_never_lowers_energy(n, u1, u2, grid_mw):
    low_u, high_u = sorted((u1, u2))
    lo = day(n, low_u, grid_mw)
    hi = day(n, high_u, grid_mw)
    assert hi.metric("energy_facility_mwh") >= lo.metric("energy_facility_mwh") - 1e-9


@FAST
@given(fleet_sizes, utilisations, grid_sizes, grid_sizes)
def test_a_larger_grid_contract_never_raises_onsite_emissions(n, u, g1, g2):
    small, large = sorted((g1, g2))
    lo = day(n, u, small)
    hi = day(n, u, large)
    for key in ("co2e_onsite_t", "nox_onsite_t", "fuel_mmbtu", "energy_unserved_mwh"):
        assert hi.metric(key) <= lo.metric(key) * (1 + 1e-12) + 1e-12, key


@FAST
@given(fleet_sizes, utilisations, grid_sizes)
def test_energy_balances_and_nothing_is_negative_for_any_site(n, u, grid_mw):
    result = day(n, u, grid_mw)
    s = result.series
    assert abs((s.grid_mw + s.onsite_mw + s.unserved_mw - s.facility_load_mw)).max() <= 1e-9 * max(1, s.facility_load_mw.max())
    for name, column in s.columns().items():
        if name not in ("timestamp_utc", "temperature_c"):
            assert column.min() >= 0, name
    assert result.checks["energy_balance_max_rel_error"] <= 1e-6
    g = GridContract(grid_mw)
    assert g.capacity_mw >= 0
