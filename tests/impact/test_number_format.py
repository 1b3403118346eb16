"""One way to write a figure (issue 14): impact.figures.fmt for pages, alt text, chart labels, the
PDF, the CLI and column headers. "Not available" is never written as 0, a range never reads
"8–8 MW", a fraction is a percentage with the unit "%", and no figure is rounded twice."""

import math
import re
import zoneinfo

import pytest
from django.core.management import call_command

from impact import charts, downloads, figures, services
from impact.engine.labels import POLLUTANT_SYMBOLS
from impact.models import ReportMetric
from tests.conftest import build_synthetic_result

MEMPHIS = zoneinfo.ZoneInfo("America/Chicago")


def words(html):
    """The page as a reader sees it: tags dropped, whitespace folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- The function ------------------------------------------------------------------------------


@pytest.mark.parametrize("missing", [None, "", math.nan, math.inf])
def test_a_missing_figure_is_not_available_never_zero(missing):
    assert figures.fmt(missing, "t") == "not available"
    assert figures.number(missing) == "not available"
    assert figures.percent(missing) == "not available"


def test_figures_keep_the_rounding_rule_and_never_use_scientific_notation():
    assert figures.fmt(82_319.4, "MWh") == "82,319 MWh"
    assert figures.fmt(0.01234, "t") == "0.0123 t"
    assert figures.fmt(0.0000123, "t") == "0.0000123 t"  # was "1.23e-05"
    assert figures.fmt(99.96, "MW") == "100 MW"
    assert figures.fmt(0, "t") == "0 t"
    assert figures.fmt(42, "count") == "42"


def test_a_fraction_is_a_percentage_and_its_unit_is_written_as_percent():
    assert figures.fmt(0.85, "fraction") == "85.0 %"
    assert figures.unit_label("fraction") == "%"
    assert figures.column("Utilisation", "fraction") == "Utilisation (%)"
    assert figures.column("Grid", "MWh") == "Grid (MWh)"


@pytest.mark.parametrize("low, high, unit, written", [
    (7.9996, 8.0004, "MW", "about 8 MW"),  # was "8–8 MW"
    (5_952.0, 5_952.0, "MWh", "about 5,952 MWh"),
    (23_050.2, 28_413.0, "MWh", "23,050–28,413 MWh"),
    (0.551, 0.58, "fraction", "55.1–58.0 %"),
    (-5.0, 3.0, "t", "-5 to 3 t"),
    (None, 3.0, "t", "not available"),
])
def test_a_range_is_written_once_and_never_with_equal_ends(low, high, unit, written):
    assert figures.span(low, high, unit) == written


# --- Charts: alt text, tables, headers ---------------------------------------------------------


def test_a_pollutant_that_is_not_available_reads_so_in_the_chart_table_and_alt_text():
    result = build_synthetic_result()
    result.base.metrics.pop("nox_onsite_t", None)
    result.base.series.onsite_kg["nox"] = result.base.series.onsite_kg["nox"] * math.nan
    labels = {**POLLUTANT_SYMBOLS, "co2e": "CO₂e (AR6)"}
    chart = charts.emissions_by_pollutant(result.base.series, labels, ("voc",), result.base.metrics)
    rows = {row[0]: row for row in chart.table["rows"]}
    assert rows["NOₓ"][1] is None  # the page writes None as "not available"
    assert rows["VOC"][2] is None
    assert "NOₓ: not available on site" in chart.alt_text
    assert "VOC: " in chart.alt_text and "grid not available" in chart.alt_text.split("VOC: ")[1]
    assert "NOₓ: 0 " not in chart.alt_text


def test_chart_tables_carry_full_precision_so_the_page_rounds_once():
    """A cell rounded in the chart (round(x, 1)) and again on the page could read 16,390 where the
    headline reads 16,391."""
    result = build_synthetic_result()
    monthly = charts.monthly_energy(result.base.series, MEMPHIS)
    served = sum(row[monthly.table["columns"].index("Served (MWh)")] for row in monthly.table["rows"])
    assert served == pytest.approx(result.base.metrics["energy_facility_mwh"].value, rel=1e-12)
    daily = charts.daily_supply(result.base.series, MEMPHIS, result.base.metrics)
    served = daily.table["columns"].index("Served (MW avg)")
    daily_mwh = sum(row[served] for row in daily.table["rows"]) * 24  # two whole local days of hourly steps
    assert daily_mwh == pytest.approx(result.base.metrics["energy_facility_mwh"].value, rel=1e-12)


def test_the_emissions_chart_quotes_the_reports_own_figures():
    result = build_synthetic_result()
    metrics = result.base.metrics
    metrics["co2e_onsite_t"] = metrics["co2e_onsite_t"].__class__(
        *(getattr(metrics["co2e_onsite_t"], f) for f in ("key", "label", "unit")), 16_390.51, None, None, None)
    labels = {**POLLUTANT_SYMBOLS, "co2e": "CO₂e (AR6)"}
    chart = charts.emissions_by_pollutant(result.base.series, labels, (), metrics)
    row = next(r for r in chart.table["rows"] if r[0] == "CO₂e (AR6)")
    assert row[1] == 16_390.51
    assert "CO₂e (AR6): 16,391 t on site" in chart.alt_text


def test_the_headline_chart_writes_fractions_in_percent():
    result = build_synthetic_result()
    chart = charts.headline_ranges(result.base.metrics)
    row = next(r for r in chart.table["rows"] if r[0] == result.base.metrics["onsite_share"].label)
    assert row[1] == "%" and row[2] == pytest.approx(result.base.metrics["onsite_share"].value * 100)
    titles = [ax.get_title(loc="left") for ax in chart.figure.axes]
    assert not [t for t in titles if "fraction" in t]


def test_a_headline_figure_that_is_not_available_is_not_drawn_as_zero():
    result = build_synthetic_result()
    metrics = dict(result.base.metrics)
    water = metrics["water_onsite_m3"]
    metrics["water_onsite_m3"] = water.__class__(water.key, water.label, water.unit, math.nan, None, None, None)
    chart = charts.headline_ranges(metrics)
    assert f"{water.label}: not available" in chart.alt_text
    assert next(r for r in chart.table["rows"] if r[0] == water.label)[2] is None
    panel = chart.figure.axes[list(figures.HEADLINE_KEYS).index("water_onsite_m3")]
    assert [t.get_text() for t in panel.texts] == ["not available"]


def test_the_pdf_quotes_inputs_without_scientific_notation():
    assert downloads._short(16_390.6) == "16,390.6"  # was "1.639e+04"
    assert downloads._short(None) == "—"


# --- Pages and the CLI ---------------------------------------------------------------------------


@pytest.fixture
def memphis_page(computed_run, analyst, anonymous):
    """A published two-day Memphis report, its peak power given a range narrower than the rounding."""
    run = computed_run()
    ReportMetric.objects.filter(run=run, scenario="", key="peak_facility_mw").update(value=8.0, p5=7.9996, p95=8.0004)
    version, _ = services.publish_run(run, user=analyst)
    return run, words(anonymous.get(version.get_absolute_url()).content.decode())


def test_a_figure_the_run_could_not_estimate_reads_not_available_in_the_tables_and_chart_data(memphis_page):
    run, page = memphis_page
    assert "nox" in run.summary["checks"]["grid_pollutants_missing"]
    label = ReportMetric.objects.get(run=run, scenario="", key="nox_grid_t").label
    assert f"{label} not available" in page  # the "All figures" row, where it read "0 t"
    assert f"{label} 0 t" not in page
    emissions = page.split("Data behind this chart Emissions by pollutant")[1].split("Data behind this chart")[0]
    assert emissions.split("NOₓ ")[1].split(" ")[1:3] == ["not", "available"]  # on site, then the grid


def test_fractions_read_in_percent_with_the_unit_percent_and_no_range_has_equal_ends(memphis_page):
    run, page = memphis_page
    share = ReportMetric.objects.get(run=run, scenario="", key="onsite_share")
    central, p5, p95 = (figures.fmt(v, "fraction") for v in (share.value, share.p5, share.p95))
    assert f"{share.label} {central} {p5} {p95} %" in page  # the "All figures" row's unit column
    all_figures = page.split("Base case (energy is served energy)")[1].split("Methods")[0]
    assert "fraction" not in all_figures
    assert "90 % range: about 8 MW" in page
    assert "8–8" not in page and "8 MW – 8 MW" not in page


def test_the_cli_writes_figures_as_the_page_does(computed_run, monkeypatch):
    run = computed_run()
    monkeypatch.setattr(services, "request_report", lambda *args, **kwargs: run)
    from io import StringIO

    out = StringIO()
    call_command("compute_report", run.report.facility.slug, "--period", run.report.period, "--wait", stdout=out)
    text = out.getvalue()
    assert not re.search(r"\de[+-]\d", text), text  # was "8.232e+04 MWh"
    for metric in run.metrics.filter(scenario="", key__in=figures.HEADLINE_KEYS):
        assert f"{metric.label}: {figures.fmt(metric.value, metric.unit)}" in text
