"""IT load, utilisation profiles, outdoor temperature and PUE."""

import dataclasses
import datetime as dt

import numpy as np
import pytest
from engine_factories import T0, facility, generator, hours

from impact.engine import ClimateInput, CoolingInput, UtilisationProfile, compute
from impact.engine.climate import MEMPHIS_NORMALS


def with_profile(profile, **kw):
    f = facility(it_mw=1.0, grid_mw=10.0, **kw)
    return dataclasses.replace(f, fleets=(dataclasses.replace(f.fleets[0], utilisation=profile),))


def test_idle_accelerators_still_draw_idle_power():
    f = facility(grid_mw=10.0)
    fl = dataclasses.replace(f.fleets[0], idle_w=100.0,
                             utilisation=UtilisationProfile(mean_utilisation=0.0))
    result = compute(dataclasses.replace(f, fleets=(fl,)), hours(1)).base
    assert result.metric("energy_it_mwh") == pytest.approx(1000 * 100.0 / 1e6)


def test_planned_downtime_idles_the_fleet_in_its_window():
    profile = UtilisationProfile(planned_downtime=((T0 + dt.timedelta(hours=1), T0 + dt.timedelta(hours=3)),),
                                 mean_utilisation=1.0)
    result = compute(with_profile(profile), hours(4)).base
    np.testing.assert_allclose(result.series.utilisation, [1, 0, 0, 1])
    np.testing.assert_allclose(result.series.it_load_mw, [1, 0, 0, 1])


def test_inference_profile_peaks_in_the_local_evening_and_keeps_its_daily_mean():
    profile = UtilisationProfile(kind="inference", mean_utilisation=0.5, diurnal_amplitude=0.4)
    climate = ClimateInput(utc_offset_hours=-6.0)
    result = compute(with_profile(profile, climate=climate), hours(24)).base
    u = result.series.utilisation
    assert u.mean() == pytest.approx(0.5)
    assert u.max() == pytest.approx(0.7)
    # 18:00 local = 00:00 UTC next day; within the first day the peak is at 00:00 UTC.
    assert int(np.argmax(u)) == 0


def test_hourly_shape_of_a_week_starts_on_monday_local():
    shape = tuple([0.1] * 24 + [0.9] * 24 * 6)
    profile = UtilisationProfile(kind="hourly", hourly_shape=shape)
    # 2025-01-06 is a Monday; start at 00:00 UTC with UTC offset 0.
    start = dt.datetime(2025, 1, 6, tzinfo=dt.timezone.utc)
    result = compute(with_profile(profile), hours(48, start=start)).base
    np.testing.assert_allclose(result.series.utilisation[:24], 0.1)
    np.testing.assert_allclose(result.series.utilisation[24:], 0.9)


def test_hourly_shape_of_a_day_repeats_every_day():
    shape = tuple(h / 23 for h in range(24))
    result = compute(with_profile(UtilisationProfile(kind="hourly", hourly_shape=shape)), hours(48)).base
    np.testing.assert_allclose(result.series.utilisation[:24], shape)
    np.testing.assert_allclose(result.series.utilisation[24:], shape)


def test_memphis_normals_are_the_factors_md_fahrenheit_values_in_celsius():
    assert MEMPHIS_NORMALS.monthly_low_c[0] == pytest.approx((32 - 32) * 5 / 9)
    assert MEMPHIS_NORMALS.monthly_high_c[6] == pytest.approx((97 - 32) * 5 / 9, abs=1e-3)
    assert MEMPHIS_NORMALS.utc_offset_hours == -6.0
    assert "ovogo.com" in MEMPHIS_NORMALS.source and "2°" in MEMPHIS_NORMALS.source


def test_daily_minimum_and_maximum_fall_at_the_local_hours_on_a_mid_month_day():
    # Mid-July: the interpolation weight is ~0, so the day spans the July normal low..high.
    start = dt.datetime(2025, 7, 16, 6, tzinfo=dt.timezone.utc)  # 00:00 local (UTC−6)
    result = compute(facility(grid_mw=10.0, climate=MEMPHIS_NORMALS), hours(24, start=start)).base
    temp = result.series.temperature_c
    assert int(np.argmin(temp)) == 6 and int(np.argmax(temp)) == 15  # local hours
    assert temp.min() == pytest.approx((71 - 32) * 5 / 9, abs=0.1)
    assert temp.max() == pytest.approx((97 - 32) * 5 / 9, abs=0.1)


def test_monthly_normals_are_interpolated_between_month_midpoints_without_a_step():
    start = dt.datetime(2025, 1, 31, 12, tzinfo=dt.timezone.utc)
    result = compute(facility(grid_mw=10.0, climate=MEMPHIS_NORMALS), hours(24, start=start)).base
    temp = result.series.temperature_c
    assert np.max(np.abs(np.diff(temp))) < 3.0  # °C per hour: the diurnal cycle only


def test_pue_rises_above_the_reference_temperature_and_never_falls_below_it():
    cooling = CoolingInput(pue_at_reference=1.2, pue_reference_temp_c=20.0, pue_slope_per_degc=0.01)
    hot_cold = ClimateInput(hourly_temp_c=(10.0, 20.0, 30.0, 35.0))
    f = dataclasses.replace(facility(grid_mw=10.0), cooling=cooling, climate=hot_cold)
    result = compute(f, hours(4)).base
    np.testing.assert_allclose(result.series.pue, [1.2, 1.2, 1.3, 1.35])
    np.testing.assert_allclose(result.series.facility_load_mw, [1.2, 1.2, 1.3, 1.35])
    assert result.metric("mean_pue") == pytest.approx((1.2 + 1.2 + 1.3 + 1.35) / 4)


def test_without_climate_data_pue_is_constant_and_the_temperature_column_is_left_out():
    result = compute(facility(pue=1.3, grid_mw=10.0), hours(3)).base
    np.testing.assert_allclose(result.series.pue, 1.3)
    assert "temperature_c" not in result.series.columns()
    assert any("No climate data" in n for n in result.checks["notes"])


def test_series_columns_carry_units_in_their_names_and_share_one_length():
    f = facility(it_mw=5.0, grid_mw=2.0, generators=(generator("SMT-130 turbines", units=1, rated_mw=5.0),),
                 climate=MEMPHIS_NORMALS)
    cols = compute(f, hours(5)).base.series.columns()
    assert list(cols)[:3] == ["timestamp_utc", "temperature_c", "pue"]
    for name in ("it_load_mw", "facility_load_mw", "grid_mw", "onsite_mw", "unserved_mw", "surplus_mw",
                 "fuel_mmbtu", "fuel_scf", "water_onsite_l", "water_generation_l", "onsite_nox_kg",
                 "grid_co2e_kg", "gen_smt_130_turbines_mw", "gen_smt_130_turbines_units_running"):
        assert name in cols
    assert {len(v) for v in cols.values()} == {5}
