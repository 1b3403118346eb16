"""The facility model: the Memphis seed, its citations, and the invariants analysts are held to."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from impact.models import Assumption, Confidence, Cooling, Facility, GeneratorGroup, GridContract
from impact.periods import PeriodError, parse_period


def test_load_memphis_is_idempotent(memphis):
    counts = (Facility.objects.count(), Assumption.objects.count(), GridContract.objects.count())
    call_command("load_memphis")
    assert (Facility.objects.count(), Assumption.objects.count(), GridContract.objects.count()) == counts


def test_the_seed_carries_the_articles_facts(memphis):
    fleet = memphis.fleets.get(name="Colossus GPU fleet")
    assert fleet.accelerator_count == 200_000 and fleet.tdp_w == 700
    assert fleet.stages.get(accelerator_count=100_000).starts.month == 8
    gens = memphis.generators.get(kind=GeneratorGroup.Kind.ENGINE)
    assert gens.unit_count == 14
    capacities = list(memphis.grid.contracts.order_by("starts").values_list("capacity_mw", flat=True))
    assert capacities == [8.0, 50.0, 150.0]
    assert memphis.time_zone == "America/Chicago"


def test_every_secondary_or_source_figure_cites_its_source_and_unknowns_are_marked_u(memphis):
    for a in memphis.all_assumptions.all():
        if a.status in (Confidence.SOURCE, Confidence.SECONDARY):
            assert a.source_id, a
        if a.low is not None:
            assert a.low <= a.central <= a.high, a
    statuses = set(memphis.all_assumptions.values_list("status", flat=True))
    assert {"S", "2°", "U", "D"} <= statuses


def test_the_snapshot_turns_assumptions_into_engine_uncertainties(memphis):
    from impact import adapters

    snapshot = adapters.facility_snapshot(memphis)
    paths = {u["path"] for u in snapshot["facility"]["uncertainties"]}
    assert "fleets.0.utilisation.mean_utilisation" in paths
    assert "generators.0.emission_factors_lb_per_mmbtu.nox" in paths
    assert "fleets.0.tdp_w" not in paths, "a fixed figure has no range to sample"
    facility = adapters.engine_facility(snapshot)
    engines = facility.generators[0]
    assert engines.part_load_factors_lb_per_mmbtu["nox"] < engines.emission_factors_lb_per_mmbtu["nox"] < 4.08


@pytest.mark.parametrize(
    "model, fields, message_field",
    [
        (Cooling, {"pue_at_reference": 0.9}, "pue_at_reference"),
        (GeneratorGroup, {"part_load_heat_rate": [[1.5, 1.0]]}, "part_load_heat_rate"),
    ],
)
def test_physically_impossible_inputs_are_refused_naming_the_field(memphis, model, fields, message_field):
    obj = model.objects.filter(facility=memphis).first()
    for name, value in fields.items():
        setattr(obj, name, value)
    with pytest.raises(ValidationError) as err:
        obj.full_clean()
    assert message_field in err.value.message_dict


def test_idle_power_above_tdp_is_refused(memphis):
    fleet = memphis.fleets.first()
    fleet.idle_w = 800
    with pytest.raises(ValidationError, match="cannot exceed the TDP"):
        fleet.full_clean()


def test_an_assumption_range_must_contain_the_value_in_use(memphis):
    a = memphis.all_assumptions.get(field_name="mean_utilisation", object_id=memphis.fleets.first().pk)
    a.low, a.high = 0.9, 0.95  # the value in use is 0.85
    with pytest.raises(ValidationError, match="outside the range"):
        a.full_clean()


def test_a_grid_contract_must_end_after_it_starts(memphis):
    contract = memphis.grid.contracts.first()
    contract.ends = contract.starts - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="end after"):
        contract.full_clean()


@pytest.mark.parametrize(
    "text, kind, start, end",
    [
        ("2024-07", "month", dt.date(2024, 7, 1), dt.date(2024, 8, 1)),
        ("2024-12", "month", dt.date(2024, 12, 1), dt.date(2025, 1, 1)),
        ("2024-q3", "quarter", dt.date(2024, 7, 1), dt.date(2024, 10, 1)),
        ("2024", "year", dt.date(2024, 1, 1), dt.date(2025, 1, 1)),
        ("2024-07-01..2024-07-15", "custom", dt.date(2024, 7, 1), dt.date(2024, 7, 16)),
    ],
)
def test_periods_are_understood_as_residents_write_them(text, kind, start, end):
    period = parse_period(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)


def test_compute_report_names_the_known_facilities_when_given_a_wrong_one(memphis):
    with pytest.raises(CommandError, match="memphis-supercluster"):
        call_command("compute_report", "nowhere", period="2024-07")


def test_compute_report_explains_a_bad_period(memphis):
    with pytest.raises(CommandError, match="Use a month"):
        call_command("compute_report", "memphis-supercluster", period="last july")
    with pytest.raises(PeriodError):
        parse_period("2024-02-30..2024-03-01")
