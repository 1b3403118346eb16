"""Charts that read (issue 14): every chart a report makes is drawn at its own size and no two
pieces of text overlap, none is cut off at the figure's edge, no axis line runs through a title,
every scale is linear, and the public supply chart draws served energy only.

The results are the seeded Memphis facility's (a month on the first generators, a month with the
turbines and a larger grid contract, a whole year) with the seed's scenarios, and the hand-built
result with batteries and unserved demand that the page tests use.
"""

import datetime as dt
import itertools
import zoneinfo

import pytest
from django.db import transaction
from django.utils import translation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.legend import Legend
from matplotlib.text import Text

from impact import adapters, charts, engine, figures, labels
from impact.seed import load_memphis
from tests.conftest import build_synthetic_result

MEMPHIS = zoneinfo.ZoneInfo("America/Chicago")
UTC = dt.timezone.utc
TOUCH_PX = 1.0  # boxes may touch; more than a pixel of overlap is a collision
PERIODS = {
    "2024-07": (dt.datetime(2024, 7, 1), dt.datetime(2024, 8, 1)),
    "2024-09": (dt.datetime(2024, 9, 1), dt.datetime(2024, 10, 1)),
    "2025": (dt.datetime(2025, 1, 1), dt.datetime(2026, 1, 1)),
}
CASES = [*PERIODS, "synthetic, 5 % unserved"]
# Spanish words run longer than English ones (issue 14): every chart is laid out in both.
LANGUAGES = ("en", "es")
DRAWN = [(case, language) for case in CASES for language in LANGUAGES]
# Every test asks for the database, so that pytest-django has made the test database before the
# module's fixture seeds Memphis into it (and rolls it back).
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def memphis_snapshot(django_db_setup, django_db_blocker):
    """The seeded facility's input snapshot; the rows it took are rolled back with the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        facility, _ = load_memphis()
        snapshot = adapters.facility_snapshot(adapters.load_facility(facility.slug))
        transaction.set_rollback(True)
    return snapshot


@pytest.fixture(scope="module")
def results(memphis_snapshot):
    facility = adapters.engine_facility(memphis_snapshot)
    scenarios = adapters.engine_scenarios(memphis_snapshot)
    options = engine.RunOptions(monte_carlo_samples=20, seed=1)
    out = {}
    for name, (start, end) in PERIODS.items():
        period = engine.Period(start.replace(tzinfo=MEMPHIS).astimezone(UTC), end.replace(tzinfo=MEMPHIS).astimezone(UTC))
        out[name] = engine.compute(facility, period, options, scenarios)
    out["synthetic, 5 % unserved"] = build_synthetic_result(unserved_share=0.05)
    return out


@pytest.fixture(scope="module")
def drawn_in(results):
    """(case, language) → the report's charts in that language, drawn (laid out) but not yet rendered
    to PNG; Spanish has the public charts only, as the worker draws them."""
    out = {}
    for case, result in results.items():
        for language in LANGUAGES:
            with translation.override(language):
                out[case, language] = charts.report_figures(result, MEMPHIS, staff=language == "en")
                for chart in out[case, language]:
                    FigureCanvasAgg(chart.figure).draw()  # the PNG's renderer: text measured as it is drawn
    return out


@pytest.fixture(scope="module")
def drawn(drawn_in):
    """case → the report's charts in English."""
    return {case: drawn_in[case, "en"] for case in CASES}


def _in_view(axis, tick):
    low, high = sorted(axis.get_view_interval())
    slack = 1e-9 * max(abs(high - low), 1e-12)
    return low - slack <= tick.get_loc() <= high + slack


def texts_of(fig):
    """Every visible, non-empty text the figure draws: (Text, the axes it sits in or None, kind)."""
    found = []

    def add(text, inside, kind):
        if text.get_visible() and text.get_text().strip():
            found.append((text, inside, kind))

    def add_legend(legend):
        if legend is not None and legend.get_visible():
            for text in [legend.get_title(), *legend.get_texts()]:
                add(text, None, "legend")

    for text in fig.texts:  # the suptitle is one of them
        add(text, None, "figure text")
    for legend in fig.legends:
        add_legend(legend)
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for child in ax.get_children():
            if isinstance(child, Text):  # the three titles, and annotations (ax.texts), which sit inside
                annotation = any(child is t for t in ax.texts)
                add(child, ax if annotation else None, "annotation" if annotation else "title")
            elif isinstance(child, Legend):
                add_legend(child)
        for axis in (ax.xaxis, ax.yaxis):
            add(axis.label, None, "axis label")
            add(axis.get_offset_text(), None, "axis offset")
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if _in_view(axis, tick):
                    add(tick.label1, None, "tick label")
                    add(tick.label2, None, "tick label")
    return found


def _overlap(a, b):
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width > TOUCH_PX and height > TOUCH_PX


def _describe(text):
    return f"{text.get_text()!r}"


def layout_problems(chart):
    """What a reader would see wrong in a drawn chart, in words; empty when it reads cleanly."""
    fig = chart.figure
    renderer = fig.canvas.get_renderer()
    boxes = [(text, inside, kind, text.get_window_extent(renderer)) for text, inside, kind in texts_of(fig)]
    page = fig.bbox
    problems = []
    for text, inside, kind, box in boxes:
        if box.x0 < page.x0 - TOUCH_PX or box.y0 < page.y0 - TOUCH_PX or box.x1 > page.x1 + TOUCH_PX or box.y1 > page.y1 + TOUCH_PX:
            problems.append(f"{kind} {_describe(text)} leaves the figure ({box.bounds} outside {page.bounds})")
    for (a, _, kind_a, box_a), (b, _, kind_b, box_b) in itertools.combinations(boxes, 2):
        if _overlap(box_a, box_b):
            problems.append(f"{kind_a} {_describe(a)} overlaps {kind_b} {_describe(b)}")
    # An axes' frame, grid and bars fill its bbox: only its own annotations may sit on it.
    for ax in fig.axes:
        for text, inside, kind, box in boxes:
            if inside is not ax and _overlap(box, ax.bbox):
                problems.append(f"{kind} {_describe(text)} lies on the plot area of {ax.get_title()!r}")
    return problems


def public(charts_of_case):
    return [c for c in charts_of_case if c.key not in figures.STAFF_CHART_KEYS]


def test_every_kind_of_chart_is_checked(drawn):
    keys = {c.key for case in drawn.values() for c in case}
    assert keys >= {"daily-supply", "monthly-energy", "emissions", "generator-output", "headline-ranges", "scenarios",
                    "demand-vs-served"}


@pytest.mark.parametrize("case, language", DRAWN)
def test_no_text_overlaps_other_text_an_axes_or_the_figure_edge(drawn_in, case, language):
    problems = {c.key: layout_problems(c) for c in drawn_in[case, language]}
    assert not {key: found for key, found in problems.items() if found}


@pytest.mark.parametrize("case, language", DRAWN)
def test_public_charts_use_linear_scales(drawn_in, case, language):
    for chart in public(drawn_in[case, language]):
        for ax in chart.figure.axes:
            assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "linear"), chart.key


def _written(chart):
    return " ".join(t.get_text().replace("\n", " ") for t, _, _ in texts_of(chart.figure))


def _names(result):
    """Every name a chart may write: generator groups, scenarios, metric labels."""
    base = result.base
    return [g.name for g in base.generators] + list(result.scenarios) + [labels.metric_label(m.key, m.label)
                                                                         for m in base.metrics.values()]


@pytest.mark.parametrize("case, language", DRAWN)
def test_no_name_is_cut_short(drawn_in, results, case, language):
    """Names are wrapped, never truncated ("VoltaGrid mobi…")."""
    with translation.override(language):
        names = _names(results[case])
    for chart in drawn_in[case, language]:
        for text, _, _ in texts_of(chart.figure):
            written = " ".join(text.get_text().split()).rstrip("…. ")
            cut = [n for n in names if len(written) >= 4 and n.startswith(written) and n[len(written):][:1].isalnum()]
            assert not cut, f"{chart.key}: {text.get_text()!r} cuts {cut[0]!r}"
        assert "…" not in _written(chart), chart.key


def test_generator_names_are_written_in_full(drawn, results):
    chart = next(c for c in drawn["2024-09"] if c.key == "generator-output")
    for group in results["2024-09"].base.generators:
        assert group.name in _written(chart)


def test_the_public_supply_chart_draws_no_unserved_demand(drawn):
    chart = next(c for c in drawn["synthetic, 5 % unserved"] if c.key == "daily-supply")
    written = _written(chart).lower()
    assert "not served" not in written and "unserved" not in written and "demand" not in written
    bars = [p for ax in chart.figure.axes for p in ax.patches]
    assert bars and not [p for p in bars if p.get_facecolor()[:3] == (0.0, 0.0, 0.0)]
    # The stacked bars reach the served load, not the modelled demand.
    top = max(p.get_y() + p.get_height() for p in bars)
    served = chart.table["columns"].index("Served (MW avg)")
    assert top == pytest.approx(max(row[served] for row in chart.table["rows"]), rel=1e-6)
