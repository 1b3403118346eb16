"""The Memphis seed as a timeline: every dated fact carries its source and status, the modelled
demand stays within the cited supply in every month, and loading it twice changes nothing."""

import datetime as dt
import math

import pytest
from django.core.management import call_command

from impact import adapters, engine
from impact.models import (
    Assumption,
    BatteryStorage,
    Confidence,
    FleetStage,
    GeneratorEmissionFactor,
    GeneratorGroup,
    GridContract,
    GridEmissionRate,
    Scenario,
)
from impact.seed import load_memphis

import zoneinfo

LOCAL = zoneinfo.ZoneInfo("America/Chicago")


def _assumption(row, field):
    return Assumption.objects.get(content_type__model=row._meta.model_name, object_id=row.pk, field_name=field)


def _counts():
    models = (Assumption, FleetStage, GeneratorGroup, GeneratorEmissionFactor, GridContract, GridEmissionRate,
              BatteryStorage, Scenario)
    return {m.__name__: m.objects.count() for m in models}


def test_loading_the_seed_twice_changes_nothing(memphis):
    before = _counts()
    snapshot = adapters.facility_snapshot(memphis)
    load_memphis()
    call_command("load_memphis")
    assert _counts() == before
    assert adapters.facility_snapshot(memphis) == snapshot


def test_every_dated_fact_carries_a_source_and_a_status(memphis):
    dated = [
        *(stage for fleet in memphis.fleets.all() for stage in fleet.stages.all()),
        *memphis.grid.contracts.all(),
    ]
    for stage_or_contract in dated:
        field = "accelerator_count" if isinstance(stage_or_contract, FleetStage) else "capacity_mw"
        a = _assumption(stage_or_contract, field)
        assert a.status in Confidence.values and a.note, stage_or_contract
        if a.status in (Confidence.SOURCE, Confidence.SECONDARY):
            assert a.source_id, stage_or_contract
        if a.status == Confidence.DERIVED:
            assert any(ch.isdigit() for ch in a.note), f"a derived figure shows its arithmetic: {a.note}"
    for group in memphis.generators.all():
        a = _assumption(group, "unit_count")
        assert a.note and a.status in Confidence.values and (a.source_id or a.status in (Confidence.UNVERIFIED, Confidence.DERIVED))
    battery = memphis.batteries.get()
    assert _assumption(battery, "power_mw").status == Confidence.SECONDARY and _assumption(battery, "power_mw").source_id
    assert _assumption(battery, "energy_mwh").status == Confidence.UNVERIFIED


def test_the_timeline_follows_the_reference(memphis):
    fleet = memphis.fleets.get(name="Colossus GPU fleet")
    stages = [(s.starts.astimezone(LOCAL).date(), s.accelerator_count) for s in fleet.stages.all()]
    assert stages[0] == (dt.date(2024, 7, 1), 30_000) and _assumption(fleet.stages.first(), "accelerator_count").status == "D"
    assert (dt.date(2024, 8, 1), 100_000) in stages and stages[-1] == (dt.date(2025, 2, 1), 200_000)
    assert fleet.accelerator_count == max(c for _, c in stages)
    assert "70 MW" in _assumption(fleet.stages.first(), "accelerator_count").note
    assert [c.capacity_mw for c in memphis.grid.contracts.order_by("starts")] == [8.0, 50.0, 150.0]

    engines = memphis.generators.get(kind=GeneratorGroup.Kind.ENGINE)
    assert engines.unit_count == 14 and engines.available_from.astimezone(LOCAL).date() == dt.date(2024, 6, 1)
    turbines = memphis.generators.filter(kind=GeneratorGroup.Kind.TURBINE)
    permitted = turbines.filter(controls=GeneratorGroup.Controls.SCR)
    assert sum(g.unit_count for g in permitted) == 15
    assert {g.controls_from.astimezone(LOCAL).date() for g in permitted} == {dt.date(2025, 7, 2)}
    first = turbines.order_by("available_from").first()
    assert first.unit_count == 4 and first.available_from.astimezone(LOCAL).date() == dt.date(2024, 8, 1)
    leaving = turbines.exclude(available_to=None).get()
    assert leaving.available_to.astimezone(LOCAL).date() == dt.date(2025, 5, 1)
    assert sum(g.unit_count for g in turbines) == 35  # SELC's count in April 2025

    battery = memphis.batteries.get()
    assert battery.power_mw == 150 and battery.available_from.astimezone(LOCAL).date() == dt.date(2025, 5, 1)
    assert battery.dispatch_rule == BatteryStorage.DispatchRule.PEAK_SHAVING


def test_engine_factors_split_by_load_band_and_the_nox_headline_is_not_at_an_edge(memphis):
    nox = GeneratorEmissionFactor.objects.get(generator__kind="engine", generator__facility=memphis, pollutant="nox")
    co = GeneratorEmissionFactor.objects.get(generator__kind="engine", generator__facility=memphis, pollutant="co")
    assert (co.lb_per_mmbtu, co.part_load_lb_per_mmbtu) == (0.317, 0.557)
    for field, ap42 in (("lb_per_mmbtu", 4.08), ("part_load_lb_per_mmbtu", 0.847)):
        a = _assumption(nox, field)
        assert a.high == ap42 and a.low < a.central < a.high
        assert a.distribution == Assumption.Distribution.UNIFORM
        assert a.central == pytest.approx((a.low + a.high) / 2, abs=1e-4), "the value in use is the uniform's median"
        assert "JJJJ" in a.distribution_reason


def test_every_ranged_input_says_why_it_has_its_shape(memphis):
    ranged = memphis.all_assumptions.exclude(distribution=Assumption.Distribution.FIXED)
    assert ranged.count() > 20
    for a in ranged:
        assert len(a.distribution_reason) > 30, a


def test_grid_rates_have_a_basis_a_vintage_and_an_honest_range(memphis):
    rates = {(r.basis, r.pollutant): r for r in memphis.grid.emission_rates.all()}
    co2 = rates[("location", "co2")]
    assert co2.lb_per_mwh == 931.59 and co2.vintage == "eGRID2021 (as quoted by MLGW)"
    a = _assumption(co2, "lb_per_mwh")
    assert a.status == "S" and a.low > 624.94, "the market rate is another basis, not a low end"
    assert a.high - a.central == pytest.approx(a.central - a.low, abs=1), "the value in use sits mid-range"
    assert rates[("market", "co2")].lb_per_mwh == 624.94 and rates[("market", "co2")].vintage == "TVA 2023"
    ch4, n2o = rates[("location", "ch4")], rates[("location", "n2o")]
    assert ch4.lb_per_mwh == pytest.approx(931.59 * 0.154 / 1665.755, rel=1e-4)
    assert n2o.lb_per_mwh == pytest.approx(931.59 * 0.022 / 1665.755, rel=1e-3)
    assert _assumption(ch4, "lb_per_mwh").status == "D" and "1,665.755" in _assumption(ch4, "lb_per_mwh").note


def test_one_turbine_model_is_drawn_once_across_its_groups(memphis):
    snapshot = adapters.facility_snapshot(memphis)
    facility = adapters.engine_facility(snapshot)
    names = [g.name for g in facility.generators]
    first = names.index("Solar SMT-130 turbines (first four)")
    more = names.index("Solar SMT-130 turbines (eleven more, permitted)")
    by_path = {u.path: u for u in facility.uncertainties}
    heat = by_path[f"generators.{first}.heat_rate_btu_per_kwh"]
    assert heat.also_paths == (f"generators.{more}.heat_rate_btu_per_kwh",)
    assert f"generators.{more}.heat_rate_btu_per_kwh" not in by_path
    assert by_path[f"generators.{first}.controlled_factors_lb_per_mmbtu.nox"].also_paths == (
        f"generators.{more}.controlled_factors_lb_per_mmbtu.nox",
    )


def test_the_scenarios_name_inputs_that_exist(memphis):
    from impact.engine.paths import path_exists

    snapshot = adapters.facility_snapshot(memphis)
    facility = adapters.engine_facility(snapshot)
    slugs = {s["slug"] for s in snapshot["scenarios"]}
    assert "200k-gpus" not in slugs and "generators-with-scr" in slugs
    for scenario in adapters.engine_scenarios(snapshot):
        for path in scenario.overrides:
            assert path_exists(facility, path), (scenario.name, path)
    scr = next(s for s in adapters.engine_scenarios(snapshot) if s.name == "Gas engines with SCR")
    assert list(scr.overrides.values()) == ["scr"]


MONTHS = [(2024 + (5 + i) // 12, (5 + i) % 12 + 1) for i in range(19)]  # June 2024 … December 2025


@pytest.mark.parametrize("year, month", MONTHS, ids=[f"{y}-{m:02d}" for y, m in MONTHS])
def test_modelled_demand_stays_within_the_cited_supply_every_month(memphis, year, month):
    """The lead's target: with supply-constrained dispatch, less than 2 % of demand goes unserved."""
    facility = adapters.engine_facility(adapters.facility_snapshot(memphis))
    zone = memphis.zone
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    period = engine.Period(start.astimezone(dt.timezone.utc), end.astimezone(dt.timezone.utc))
    result = engine.compute(facility, period, engine.RunOptions(monte_carlo_samples=0))
    share = result.base.metrics["unserved_share"].value
    assert math.isfinite(share) and share < 0.02, f"{year}-{month:02d}: {share:.1%} of demand unserved"
