"""Charts draw a report from the engine's result and the engine's labels: no model, no database."""

import ast
import datetime as dt
import zoneinfo
from pathlib import Path

from impact import charts, engine
from impact.engine.labels import POLLUTANT_SYMBOLS

UTC = dt.timezone.utc
MEMPHIS = zoneinfo.ZoneInfo("America/Chicago")


def _imports(path):
    tree = ast.parse(Path(path).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module


def _small_result():
    """One day of 1,000 accelerators on a 0.5 MW contract, the rest from one gas engine."""
    fleet = engine.FleetInput(name="fleet", accelerator_count=1_000, tdp_w=1_000.0, idle_w=0.0,
                              utilisation=engine.UtilisationProfile(kind="constant", mean_utilisation=0.8))
    # AP-42 Table 3.2-2, 4-stroke lean-burn, 90-105 % load (factors.md §4), lb/MMBtu.
    factors = {"nox": 4.08, "co": 0.317, "voc": 0.118, "pm": 0.0100, "so2": 5.88e-4, "formaldehyde": 5.28e-2}
    gas_engine = engine.GeneratorInput(name="engine", kind="engine", unit_count=1, rated_mw=2.0, min_load_fraction=0.0,
                                       heat_rate_btu_per_kwh=8_200.0, emission_factors_lb_per_mmbtu=factors)
    facility = engine.FacilityInput(
        name="chart test site",
        fleets=(fleet,),
        cooling=engine.CoolingInput(pue_at_reference=1.25, wue_l_per_kwh=1.0),
        grid=engine.GridInput(utility="test utility", contracts=(engine.GridContract(0.5),),
                              emission_rates_lb_per_mwh={"co2": 900.0}),
        generators=(gas_engine,),
        climate=engine.ClimateInput(),
    )
    period = engine.Period(dt.datetime(2025, 7, 1, 5, tzinfo=UTC), dt.datetime(2025, 7, 2, 5, tzinfo=UTC))
    return engine.compute(facility, period, engine.RunOptions(monte_carlo_samples=0))


def test_the_charts_import_no_model_and_nothing_of_django_but_its_translations():
    # gettext needs no database: the worker still draws a result before anything is saved, once
    # per language (issue 14).
    modules = set(_imports(charts.__file__))
    assert {m for m in modules if m.split(".")[0] == "django"} <= {"django.utils.translation"}
    assert {m for m in modules if m.startswith("impact")} <= {"impact.figures", "impact.labels", "impact.engine.labels"}


def test_a_report_is_drawn_from_an_engine_result_without_a_database():
    # No ``db`` fixture: any query would fail the test.
    drawn = charts.report_charts(_small_result(), MEMPHIS)
    assert [c.key for c in drawn] == ["daily-supply", "monthly-energy", "emissions", "generator-output"]
    assert all(c.png.startswith(b"\x89PNG") and c.svg.lstrip().startswith(b"<?xml") for c in drawn)


def test_pollutants_are_named_by_the_engine_labels_and_co2e_by_its_gwp_set():
    emissions = next(c for c in charts.report_charts(_small_result(), MEMPHIS) if c.key == "emissions")
    names = [row[0] for row in emissions.table["rows"]]
    assert POLLUTANT_SYMBOLS["nox"] in names and POLLUTANT_SYMBOLS["co2"] in names
    assert "CO₂e (AR6)" in names
    assert "NOₓ:" in emissions.alt_text
