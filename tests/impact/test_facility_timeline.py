"""The facility through time in the database: stages, host power, batteries, dated controls,
load-band and limit factors, grid rates by basis; the snapshot (format 2, and format 1 of older
runs) turns them into the engine's dataclasses; impossible inputs are refused naming the field."""

import copy
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from impact import adapters
from impact.engine import inputs as ei
from impact.models import (
    Assumption,
    BatteryStorage,
    ComputeFleet,
    Cooling,
    Facility,
    FleetStage,
    GeneratorEmissionFactor,
    GeneratorGroup,
    GridEmissionRate,
    GridSupply,
)

UTC = dt.timezone.utc


@pytest.fixture
def site(db):
    """A small facility with one of every new part."""
    facility = Facility.objects.create(name="Test site", slug="test-site")
    Cooling.objects.create(facility=facility, pue_at_reference=1.2)
    grid = GridSupply.objects.create(facility=facility, utility="Test utility")
    GridEmissionRate.objects.create(grid=grid, pollutant="co2", lb_per_mwh=900, vintage="eGRID2021")
    GridEmissionRate.objects.create(grid=grid, pollutant="co2", basis="market", lb_per_mwh=600, vintage="TVA 2023")
    fleet = ComputeFleet.objects.create(
        facility=facility, name="GPUs", accelerator_model="H100", accelerator_count=1000, tdp_w=700, idle_w=70,
        host_idle_w_per_server=2400, host_max_w_per_server=2400, accelerators_per_server=8,
    )
    FleetStage.objects.create(fleet=fleet, starts=dt.datetime(2024, 7, 1, tzinfo=UTC), accelerator_count=400, label="first")
    FleetStage.objects.create(
        fleet=fleet, starts=dt.datetime(2024, 8, 1, tzinfo=UTC), accelerator_count=1000, utilisation_kind="constant",
        mean_utilisation=0.5,
    )
    group = GeneratorGroup.objects.create(
        facility=facility, name="Turbines", kind="turbine", unit_count=2, rated_mw=16.5, heat_rate_btu_per_kwh=10700,
        controls="scr", controls_from=dt.datetime(2025, 7, 2, 5, tzinfo=UTC), shaft_to_electric_efficiency=0.98,
    )
    GeneratorEmissionFactor.objects.create(
        generator=group, pollutant="nox", lb_per_mmbtu=0.32, controlled_lb_per_mmbtu=0.0075, part_load_lb_per_mmbtu=0.2,
        limit_g_per_bhp_hr=1.0, startup_lb_per_event=3.5,
    )
    BatteryStorage.objects.create(
        facility=facility, name="Packs", power_mw=150, energy_mwh=600, round_trip_efficiency=0.88,
        dispatch_rule="backup_only", initial_state_of_charge=0.5, available_from=dt.datetime(2025, 5, 1, 5, tzinfo=UTC),
    )
    return facility


def _cite(row, field, **values):
    return Assumption.objects.create(facility=row_facility(row), target=row, field_name=field, **values)


def row_facility(row):
    for step in ("facility", "fleet", "grid", "generator"):
        if hasattr(row, step):
            row = getattr(row, step)
            return row if isinstance(row, Facility) else row_facility(row)
    raise AssertionError(row)


def test_every_new_part_reaches_the_engine_dataclasses(site):
    facility = adapters.engine_facility(adapters.facility_snapshot(site))
    fleet = facility.fleets[0]
    assert (fleet.host_idle_w_per_server, fleet.host_max_w_per_server, fleet.accelerators_per_server) == (2400, 2400, 8)
    assert [(s.starts, s.accelerator_count, s.label) for s in fleet.stages] == [
        (dt.datetime(2024, 7, 1, tzinfo=UTC), 400, "first"), (dt.datetime(2024, 8, 1, tzinfo=UTC), 1000, ""),
    ]
    assert fleet.stages[0].utilisation is None, "a stage without its own profile runs on the fleet's"
    assert fleet.stages[1].utilisation.mean_utilisation == 0.5 and fleet.stages[1].utilisation.kind == "constant"
    gen = facility.generators[0]
    assert gen.controls == "scr" and gen.controls_from == dt.datetime(2025, 7, 2, 5, tzinfo=UTC)
    assert gen.shaft_to_electric_efficiency == 0.98
    assert gen.controlled_factors_lb_per_mmbtu == {"nox": 0.0075}
    assert gen.part_load_factors_lb_per_mmbtu == {"nox": 0.2}
    assert gen.limit_factors_g_per_bhp_hr == {"nox": 1.0}
    assert gen.startup_lb_per_event == {"nox": 3.5}
    assert facility.batteries == (
        ei.BatteryInput(
            name="Packs", power_mw=150, energy_mwh=600, round_trip_efficiency=0.88, dispatch_rule="backup_only",
            initial_state_of_charge=0.5, available_from=dt.datetime(2025, 5, 1, 5, tzinfo=UTC),
        ),
    )
    assert facility.grid.emission_rates_lb_per_mwh == {"co2": 900} and facility.grid.market_rates_lb_per_mwh == {"co2": 600}


def test_the_snapshot_records_each_rates_basis_and_vintage(site):
    grid = adapters.facility_snapshot(site)["facility"]["grid"]
    assert {(r["basis"], r["vintage"]) for r in grid["rates"]} == {("location", "eGRID2021"), ("market", "TVA 2023")}


def test_assumptions_on_new_fields_get_engine_paths_with_their_source_and_reason(site):
    fleet = site.fleets.get()
    stage = fleet.stages.last()
    factor = GeneratorEmissionFactor.objects.get()
    battery = site.batteries.get()
    market = site.grid.emission_rates.get(basis="market")
    fleet.host_idle_w_per_server = 1200
    fleet.save()
    for row, field, low, high in [
        (stage, "accelerator_count", 900, 1100), (stage, "mean_utilisation", 0.4, 0.6),
        (fleet, "host_idle_w_per_server", 600, 1800), (battery, "round_trip_efficiency", 0.85, 0.92),
        (factor, "part_load_lb_per_mmbtu", 0.1, 0.3), (factor, "limit_g_per_bhp_hr", 0.5, 1.5),
        (market, "lb_per_mwh", 550, 650),
    ]:
        _cite(row, field, low=low, high=high, distribution_reason=f"why {field}")
    snapshot = adapters.facility_snapshot(site)
    paths = {u["path"] for u in snapshot["facility"]["uncertainties"]}
    assert paths == {
        "fleets.0.stages.1.accelerator_count", "fleets.0.stages.1.utilisation.mean_utilisation",
        "fleets.0.host_idle_w_per_server", "batteries.0.round_trip_efficiency",
        "generators.0.part_load_factors_lb_per_mmbtu.nox", "generators.0.limit_factors_g_per_bhp_hr.nox",
        "grid.market_rates_lb_per_mwh.co2",
    }
    row = next(a for a in snapshot["assumptions"] if a["path"] == "batteries.0.round_trip_efficiency")
    assert row["distribution_reason"] == "why round_trip_efficiency"
    assert {"source_section", "source_year", "also_paths"} <= set(row)
    facility = adapters.engine_facility(snapshot)
    from impact.engine.paths import get_path

    for u in facility.uncertainties:
        assert u.low <= get_path(facility, u.path) <= u.high, u.path


def test_linked_assumptions_become_one_uncertainty_with_also_paths(site):
    group = site.generators.get()
    twin = GeneratorGroup.objects.create(
        facility=site, name="More turbines", kind="turbine", unit_count=3, rated_mw=16.5, heat_rate_btu_per_kwh=10700,
        order=1,
    )
    primary = _cite(group, "heat_rate_btu_per_kwh", low=10000, high=11500)
    linked = _cite(twin, "heat_rate_btu_per_kwh", low=9000, high=12000, same_quantity_as=primary)
    linked.full_clean()
    snapshot = adapters.facility_snapshot(site)
    assert snapshot["facility"]["uncertainties"] == [
        {"path": "generators.0.heat_rate_btu_per_kwh", "low": 10000, "high": 11500, "distribution": "triangular",
         "label": "generators.0.heat_rate_btu_per_kwh", "also_paths": ["generators.1.heat_rate_btu_per_kwh"]},
    ]
    row = next(a for a in snapshot["assumptions"] if a["path"] == "generators.1.heat_rate_btu_per_kwh")
    assert row["same_quantity_as"] == "generators.0.heat_rate_btu_per_kwh" and (row["low"], row["high"]) == (10000, 11500)
    (u,) = adapters.engine_facility(snapshot).uncertainties
    assert u.also_paths == ("generators.1.heat_rate_btu_per_kwh",)


def test_a_link_between_different_values_or_units_is_refused(site):
    group = site.generators.get()
    twin = GeneratorGroup.objects.create(
        facility=site, name="Other", kind="turbine", unit_count=1, rated_mw=5.2, heat_rate_btu_per_kwh=12000,
    )
    primary = _cite(group, "heat_rate_btu_per_kwh", low=10000, high=11500)
    with pytest.raises(ValidationError, match="two values in use"):
        Assumption(facility=site, target=twin, field_name="heat_rate_btu_per_kwh", same_quantity_as=primary,
                   distribution="fixed").full_clean()
    with pytest.raises(ValidationError, match="unit"):
        Assumption(facility=site, target=twin, field_name="rated_mw", same_quantity_as=primary,
                   distribution="fixed").full_clean()


def _format_1(snapshot):
    """A snapshot as stored on runs before format 2: overhead per accelerator, free-text controls."""
    old = copy.deepcopy(snapshot)
    old["format"] = 1
    for fleet in old["facility"]["fleets"]:
        for key in ("host_idle_w_per_server", "host_max_w_per_server", "accelerators_per_server", "stages"):
            fleet.pop(key)
        fleet["server_overhead_w_per_accelerator"] = 300.0
    for gen in old["facility"]["generators"]:
        for key in ("controls_from", "shaft_to_electric_efficiency", "part_load_factors_lb_per_mmbtu",
                    "limit_factors_g_per_bhp_hr", "startup_lb_per_event"):
            gen.pop(key)
        gen["controls"] = "SCR"
    old["facility"].pop("batteries")
    old["facility"]["grid"].pop("market_rates_lb_per_mwh")
    old["facility"]["grid"].pop("rates")
    old["facility"]["uncertainties"] = [
        {"path": "fleets.0.server_overhead_w_per_accelerator", "low": 110.0, "high": 575.0, "distribution": "triangular",
         "label": "Server power per GPU beyond the GPU"},
    ]
    old["scenarios"] = [{"name": "SCR", "slug": "scr", "description": "", "overrides": {"generators.0.controls": "SCR"}}]
    return old


def test_a_format_1_snapshot_of_an_older_run_still_converts(site):
    old = _format_1(adapters.facility_snapshot(site))
    facility = adapters.engine_facility(old)
    fleet = facility.fleets[0]
    # Overhead 300 W per accelerator scaled by the load ratio = 2,400 W per 8-GPU server at full
    # load and 2,400 × 70/700 = 240 W at idle: the same power at every utilisation.
    assert (fleet.host_max_w_per_server, fleet.host_idle_w_per_server, fleet.accelerators_per_server) == (2400, 240, 8)
    assert fleet.stages == () and facility.batteries == ()
    assert facility.generators[0].controls == "scr" and facility.generators[0].controls_from is None
    assert facility.grid.market_rates_lb_per_mwh == {}
    (u,) = facility.uncertainties
    assert (u.path, u.low, u.high) == ("fleets.0.host_max_w_per_server", 880, 4600)
    (scenario,) = adapters.engine_scenarios(old)
    assert scenario.overrides == {"generators.0.controls": "scr"}


@pytest.mark.django_db(transaction=True)
def test_the_migration_maps_old_overhead_controls_and_assumptions():
    executor = MigrationExecutor(connection)
    executor.migrate([("impact", "0004_version_unserved_acknowledgement")])
    apps = executor.loader.project_state([("impact", "0004_version_unserved_acknowledgement")]).apps
    OldFacility, OldFleet, OldGroup = (apps.get_model("impact", m) for m in ("Facility", "ComputeFleet", "GeneratorGroup"))
    OldAssumption, ContentType = apps.get_model("impact", "Assumption"), apps.get_model("contenttypes", "ContentType")
    facility = OldFacility.objects.create(name="Old", slug="old")
    fleet = OldFleet.objects.create(
        facility=facility, name="GPUs", accelerator_model="H100", accelerator_count=10, tdp_w=700, idle_w=70,
        server_overhead_w_per_accelerator=300,
    )
    OldGroup.objects.create(facility=facility, name="Engines", kind="engine", unit_count=1, rated_mw=2.5,
                            heat_rate_btu_per_kwh=8200, controls="SCR")
    fleet_type, _ = ContentType.objects.get_or_create(app_label="impact", model="computefleet")
    OldAssumption.objects.create(facility=facility, content_type=fleet_type, object_id=fleet.pk,
                                 field_name="server_overhead_w_per_accelerator", low=110, high=575)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("impact"))

    fleet = ComputeFleet.objects.get(name="GPUs", facility__slug="old")
    assert (fleet.host_max_w_per_server, fleet.host_idle_w_per_server, fleet.accelerators_per_server) == (2400, 240, 8)
    assert GeneratorGroup.objects.get(facility__slug="old").controls == "scr"
    a = Assumption.objects.get(object_id=fleet.pk, content_type__model="computefleet")
    assert (a.field_name, a.low, a.high) == ("host_max_w_per_server", 880, 4600)


@pytest.mark.parametrize(
    "make, field, message",
    [
        (lambda s: _set(s.fleets.get(), host_idle_w_per_server=3000), "host_idle_w_per_server", "cannot exceed host power"),
        (lambda s: _set(s.fleets.get(), tdp_w=float("nan")), "tdp_w", "finite number"),
        (lambda s: _set(s.batteries.get(), round_trip_efficiency=1.2), "round_trip_efficiency", "less than or equal to 1"),
        (lambda s: _set(s.batteries.get(), round_trip_efficiency=0.0), "round_trip_efficiency", "gives back nothing"),
        (lambda s: _set(s.batteries.get(), energy_mwh=float("inf")), "energy_mwh", "finite number"),
        (lambda s: _set(s.batteries.get(), energy_mwh=0.0), "energy_mwh", "no energy"),
        (lambda s: _set(s.fleets.get().stages.first(), accelerator_count=5000), "accelerator_count", "more than the fleet"),
        (lambda s: _set(s.fleets.get(), accelerator_count=500), "accelerator_count", "most it ever has"),
        (lambda s: _set(s.generators.get(), controls="", controls_from=dt.datetime(2025, 1, 1, tzinfo=UTC)),
         "controls_from", "needs a control"),
        (lambda s: _set(s.generators.get(), shaft_to_electric_efficiency=1.5), "shaft_to_electric_efficiency", "less than"),
        (lambda s: _set(GeneratorEmissionFactor.objects.get(), part_load_lb_per_mmbtu=float("nan")),
         "part_load_lb_per_mmbtu", "finite number"),
        (lambda s: _set(s.grid.emission_rates.first(), lb_per_mwh=float("nan")), "lb_per_mwh", "finite number"),
        (lambda s: _set(s, gas_hhv_btu_per_scf=float("nan")), "gas_hhv_btu_per_scf", "finite number"),
    ],
)
def test_impossible_inputs_are_refused_naming_the_field(site, make, field, message):
    row = make(site)
    with pytest.raises(ValidationError) as err:
        row.full_clean()
    assert field in err.value.message_dict, err.value.message_dict
    assert any(message in m for m in err.value.message_dict[field]), err.value.message_dict[field]


def _set(row, **values):
    for name, value in values.items():
        setattr(row, name, value)
    return row


def test_a_nan_assumption_range_is_refused(site):
    a = Assumption(facility=site, target=site.cooling, field_name="pue_at_reference", low=float("nan"), high=1.3)
    with pytest.raises(ValidationError) as err:
        a.full_clean()
    assert "finite number" in err.value.message_dict["low"][0]


def test_a_fleet_has_one_stage_per_start(site):
    stage = site.fleets.get().stages.first()
    with pytest.raises(IntegrityError):
        FleetStage.objects.create(fleet=stage.fleet, starts=stage.starts, accelerator_count=1)


def test_a_grid_has_one_rate_per_pollutant_and_basis(site):
    with pytest.raises(IntegrityError):
        GridEmissionRate.objects.create(grid=site.grid, pollutant="co2", basis="market", lb_per_mwh=1)
