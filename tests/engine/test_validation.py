"""Invalid inputs raise EngineInputError naming the field; nothing is computed from them."""

import dataclasses
import datetime as dt

import pytest
from engine_factories import T0, GT_FACTORS, facility, generator, hours

from impact.engine import (
    ClimateInput,
    EngineInputError,
    GridContract,
    Period,
    RunOptions,
    Scenario,
    Uncertain,
    UtilisationProfile,
    compute,
    validate,
)

OK = facility(it_mw=1.0, grid_mw=1.0, generators=(generator(),))


def replace_fleet(f, **changes):
    return dataclasses.replace(f, fleets=(dataclasses.replace(f.fleets[0], **changes),))


def replace_generator(f, **changes):
    return dataclasses.replace(f, generators=(dataclasses.replace(f.generators[0], **changes),))


def assert_rejected(f, field, period=None, fragment=""):
    with pytest.raises(EngineInputError) as info:
        validate(f, period or hours(1))
    assert info.value.field_path == field
    assert str(info.value).startswith(field + ":")
    assert fragment in str(info.value)
    # compute() refuses the same input before computing anything.
    with pytest.raises(EngineInputError):
        compute(f, period or hours(1))


def test_a_valid_facility_passes():
    validate(OK, hours(1))


def test_engine_input_error_is_a_value_error_that_names_the_field():
    err = EngineInputError("generators.0.min_load_fraction", "too high")
    assert isinstance(err, ValueError)
    assert str(err) == "generators.0.min_load_fraction: too high"


def test_negative_accelerator_count_is_rejected():
    assert_rejected(replace_fleet(OK, accelerator_count=-5), "fleets.0.accelerator_count")


def test_fractional_accelerator_count_is_rejected():
    assert_rejected(replace_fleet(OK, accelerator_count=2.5), "fleets.0.accelerator_count", fragment="whole")


def test_negative_generator_unit_count_is_rejected():
    assert_rejected(replace_generator(OK, unit_count=-1), "generators.0.unit_count")


def test_idle_power_above_tdp_is_rejected():
    assert_rejected(replace_fleet(OK, idle_w=2000.0), "fleets.0.idle_w", fragment="exceeds TDP")


def test_zero_tdp_is_rejected():
    assert_rejected(replace_fleet(OK, tdp_w=0.0), "fleets.0.tdp_w")


def test_pue_below_one_is_rejected():
    f = dataclasses.replace(OK, cooling=dataclasses.replace(OK.cooling, pue_at_reference=0.9))
    assert_rejected(f, "cooling.pue_at_reference")


def test_negative_pue_slope_is_rejected():
    f = dataclasses.replace(OK, cooling=dataclasses.replace(OK.cooling, pue_slope_per_degc=-0.01),
                            climate=ClimateInput(hourly_temp_c=(20.0,)))
    assert_rejected(f, "cooling.pue_slope_per_degc")


def test_temperature_dependent_pue_without_climate_is_rejected():
    f = dataclasses.replace(OK, cooling=dataclasses.replace(OK.cooling, pue_slope_per_degc=0.01))
    assert_rejected(f, "climate")


def test_minimum_load_above_rated_load_is_rejected_with_a_plain_message():
    f = replace_generator(OK, min_load_fraction=1.2)
    with pytest.raises(EngineInputError) as info:
        validate(f, hours(1))
    assert str(info.value) == "generators.0.min_load_fraction: minimum load 1.2 exceeds rated load (must be 0..1)"


@pytest.mark.parametrize("availability", [-0.1, 1.5])
def test_availability_outside_0_to_1_is_rejected(availability):
    assert_rejected(replace_generator(OK, availability=availability), "generators.0.availability")


@pytest.mark.parametrize("u", [-0.2, 1.01])
def test_utilisation_outside_0_to_1_is_rejected(u):
    assert_rejected(replace_fleet(OK, utilisation=UtilisationProfile(mean_utilisation=u)),
                    "fleets.0.utilisation.mean_utilisation")


def test_hourly_shape_value_outside_0_to_1_is_rejected():
    profile = UtilisationProfile(kind="hourly", hourly_shape=(0.5,) * 23 + (1.5,))
    assert_rejected(replace_fleet(OK, utilisation=profile), "fleets.0.utilisation.hourly_shape.23")


def test_hourly_shape_of_the_wrong_length_is_rejected():
    profile = UtilisationProfile(kind="hourly", hourly_shape=(0.5,) * 25)
    assert_rejected(replace_fleet(OK, utilisation=profile), "fleets.0.utilisation.hourly_shape")


def test_unknown_utilisation_kind_is_rejected():
    assert_rejected(replace_fleet(OK, utilisation=UtilisationProfile(kind="bursty")), "fleets.0.utilisation.kind")


def test_missing_criteria_pollutant_factor_is_rejected():
    factors = {k: v for k, v in GT_FACTORS.items() if k != "formaldehyde"}
    assert_rejected(replace_generator(OK, emission_factors_lb_per_mmbtu=factors),
                    "generators.0.emission_factors_lb_per_mmbtu", fragment="formaldehyde")


def test_co2_factor_on_a_generator_is_rejected_because_part_98_supplies_it():
    factors = dict(GT_FACTORS, co2=110.0)
    assert_rejected(replace_generator(OK, emission_factors_lb_per_mmbtu=factors),
                    "generators.0.emission_factors_lb_per_mmbtu.co2", fragment="FuelInput")


def test_unknown_pollutant_in_grid_rates_is_rejected():
    grid = dataclasses.replace(OK.grid, emission_rates_lb_per_mwh={"co2e": 900.0})
    assert_rejected(dataclasses.replace(OK, grid=grid), "grid.emission_rates_lb_per_mwh.co2e", fragment="GWP")


def test_heat_rate_better_than_100_percent_efficiency_is_rejected():
    assert_rejected(replace_generator(OK, heat_rate_btu_per_kwh=3000.0), "generators.0.heat_rate_btu_per_kwh")


def test_non_increasing_part_load_curve_is_rejected():
    assert_rejected(replace_generator(OK, part_load_heat_rate=((0.8, 1.0), (0.5, 1.2))),
                    "generators.0.part_load_heat_rate.1.0")


def test_duplicate_generator_names_are_rejected():
    f = dataclasses.replace(OK, generators=(generator("GT A"), generator("gt-a")))
    assert_rejected(f, "generators.1.name")


def test_unknown_generator_kind_is_rejected():
    assert_rejected(replace_generator(OK, kind="fuel cell"), "generators.0.kind")


def test_period_end_not_after_start_is_rejected():
    assert_rejected(OK, "period.end", Period(T0, T0))


def test_naive_period_datetimes_are_rejected():
    assert_rejected(OK, "period.start", Period(dt.datetime(2025, 1, 1), dt.datetime(2025, 1, 2)), "naive")


def test_a_period_that_is_not_a_whole_number_of_steps_is_rejected():
    assert_rejected(OK, "period.end", Period(T0, T0 + dt.timedelta(minutes=90), 60))


def test_naive_contract_start_is_rejected():
    grid = dataclasses.replace(OK.grid, contracts=(GridContract(10.0, starts=dt.datetime(2025, 1, 1)),))
    assert_rejected(dataclasses.replace(OK, grid=grid), "grid.contracts.0.starts", fragment="naive")


def test_contract_ending_before_it_starts_is_rejected():
    grid = dataclasses.replace(OK.grid, contracts=(GridContract(10.0, T0, T0 - dt.timedelta(days=1)),))
    assert_rejected(dataclasses.replace(OK, grid=grid), "grid.contracts.0.ends")


def test_negative_contract_capacity_is_rejected():
    grid = dataclasses.replace(OK.grid, contracts=(GridContract(-10.0),))
    assert_rejected(dataclasses.replace(OK, grid=grid), "grid.contracts.0.capacity_mw")


def test_hourly_temperatures_that_do_not_cover_the_period_are_rejected():
    f = dataclasses.replace(OK, climate=ClimateInput(hourly_temp_c=(20.0,)))
    assert_rejected(f, "climate.hourly_temp_c", hours(2))


def test_monthly_normals_with_low_above_high_are_rejected():
    f = dataclasses.replace(OK, climate=ClimateInput(monthly_low_c=(10.0,) * 12, monthly_high_c=(5.0,) * 12))
    assert_rejected(f, "climate.monthly_low_c.0")


def test_uncertain_path_that_does_not_exist_is_rejected():
    f = dataclasses.replace(OK, uncertainties=(Uncertain("fleets.3.tdp_w", 1.0, 2.0),))
    assert_rejected(f, "uncertainties.0.path", fragment="does not exist")


def test_uncertain_path_to_a_non_number_is_rejected():
    f = dataclasses.replace(OK, uncertainties=(Uncertain("grid.utility", 1.0, 2.0),))
    assert_rejected(f, "uncertainties.0.path", fragment="not a number")


def test_uncertain_low_above_central_is_rejected():
    f = dataclasses.replace(OK, uncertainties=(Uncertain("fleets.0.tdp_w", 1100.0, 1200.0),))
    assert_rejected(f, "uncertainties.0.low", fragment="outside")


def test_uncertain_low_above_high_is_rejected():
    f = dataclasses.replace(OK, uncertainties=(Uncertain("fleets.0.tdp_w", 1200.0, 900.0),))
    assert_rejected(f, "uncertainties.0.low")


def test_uncertain_range_reaching_an_invalid_value_is_rejected():
    # PUE central 1.0 is valid, but a low end of 0.9 would sample impossible PUEs.
    f = dataclasses.replace(OK, uncertainties=(Uncertain("cooling.pue_at_reference", 0.9, 1.2),))
    assert_rejected(f, "uncertainties.0.low", fragment="cooling.pue_at_reference")


def test_clock_settings_cannot_be_uncertain():
    f = dataclasses.replace(OK, climate=ClimateInput(utc_offset_hours=-6.0),
                            uncertainties=(Uncertain("climate.utc_offset_hours", -7.0, -5.0),))
    assert_rejected(f, "uncertainties.0.path", fragment="fixed setting")


def test_unknown_distribution_is_rejected():
    f = dataclasses.replace(OK, uncertainties=(Uncertain("fleets.0.tdp_w", 900.0, 1100.0, "normal"),))
    assert_rejected(f, "uncertainties.0.distribution")


def test_bad_gwp_set_is_rejected_by_compute():
    with pytest.raises(EngineInputError) as info:
        compute(OK, hours(1), RunOptions(gwp_set="AR4"))
    assert info.value.field_path == "options.gwp_set"


def test_negative_monte_carlo_samples_are_rejected():
    with pytest.raises(EngineInputError) as info:
        compute(OK, hours(1), RunOptions(monte_carlo_samples=-1))
    assert info.value.field_path == "options.monte_carlo_samples"


def test_scenario_override_on_an_unknown_path_is_rejected_naming_scenario_and_path():
    with pytest.raises(EngineInputError) as info:
        compute(OK, hours(1), scenarios=(Scenario("typo", {"fleets.0.tdp_watts": 800}),))
    assert info.value.field_path == "fleets.0.tdp_watts"
    assert info.value.scenario == "typo"
    assert str(info.value).startswith("scenario 'typo': fleets.0.tdp_watts:")


def test_scenario_override_that_makes_the_input_invalid_is_rejected():
    with pytest.raises(EngineInputError) as info:
        compute(OK, hours(1), scenarios=(Scenario("bad", {"generators.0.availability": 2.0}),))
    assert info.value.field_path == "generators.0.availability"
    assert info.value.scenario == "bad"


def test_duplicate_scenario_names_are_rejected():
    with pytest.raises(EngineInputError) as info:
        compute(OK, hours(1), scenarios=(Scenario("a"), Scenario("a")))
    assert info.value.field_path == "scenarios.1.name"


def test_engine_input_error_survives_pickling_for_celery():
    import pickle
    err = pickle.loads(pickle.dumps(EngineInputError("a.b", "msg", scenario="s")))
    assert (err.field_path, err.message, err.scenario) == ("a.b", "msg", "s")


def test_a_part_load_curve_that_burns_less_fuel_at_higher_output_is_rejected():
    # At half load the heat rate is 3× full load: 0.5 × 3 = 1.5 > 1.0 × 1.0.
    assert_rejected(replace_generator(OK, part_load_heat_rate=((0.5, 3.0), (1.0, 1.0))),
                    "generators.0.part_load_heat_rate", fragment="less fuel at higher output")


def test_a_realistic_part_load_curve_is_accepted():
    validate(replace_generator(OK, part_load_heat_rate=((0.3, 1.3), (0.5, 1.25), (0.75, 1.09), (1.0, 1.0))), hours(1))
