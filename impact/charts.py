"""Report charts: matplotlib ``Figure`` objects rendered to PNG and SVG bytes.

Never pyplot: it keeps global state that is unsafe in a server or a worker (matplotlib docs,
"Embedding in a web application server"). Each chart comes with alt text written from its data
and the same data as a table, so a screen-reader user or a journalist gets the numbers too.
Palette: Okabe-Ito, which stays distinguishable with the common colour-vision deficiencies.

Charts that a resident reads (issue 14): linear scales only (pollutants of very different size get
a small panel each, in tonnes or kilograms, instead of one log axis); names wrapped, never cut;
horizontal tick labels; legends sized to fit the figure; every number on an axis, in alt text
and in a table cell written by :func:`impact.figures.fmt`. tests/impact/test_chart_layout.py draws
every chart and fails when two texts overlap, a text leaves the figure or lies on a plot.

Every word a chart writes (titles, axes, legends, table headers, alt text) is gettext'd when the
chart is drawn, so the worker draws each public chart once per language under
translation.override (impact.services). Metric names come from impact.labels, in the same language.

Charts draw from the engine's result, the engine's labels and plain arguments (the facility's
time zone): no model and no database, so the worker can draw a result before anything is saved.
"""

import datetime as dt
import io
import math
import textwrap
from dataclasses import dataclass, field, replace

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from django.utils.translation import gettext as _, ngettext

from impact.figures import HEADLINE_KEYS, column, fmt, number, percent, span, unit_label
from impact.labels import metric_label, month_abbr, pollutant_symbols

matplotlib.rcParams["svg.hashsalt"] = "impact-portal"  # stable SVG ids: same data, same bytes

GRID = "#0072B2"  # blue
ONSITE = "#D55E00"  # vermillion
UNSERVED = "#000000"  # staff diagnostic only: never on a public chart
CONTRACT = "#009E73"  # bluish green
BATTERY = "#CC79A7"  # reddish purple
BASELINE = "#555555"  # reference lines (zero, the base case): grey, so they read as a guide, not data
EXTRA = ("#E69F00", "#56B4E9", "#F0E442", "#999999", "#CC79A7")
LEGEND_FONT_PT = 8
KG_PER_TONNE = 1000.0


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    alt_text: str
    table: dict
    # Kept so the PDF can embed the vector figure (and a test can measure its layout); never stored.
    figure: Figure | None = field(default=None, compare=False, repr=False)
    png: bytes = b""
    svg: bytes = b""


def render(fig):
    """PNG and SVG bytes of a figure (no timestamps in the metadata, so output is repeatable)."""
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=110, metadata={"Software": None})
    fig.savefig(svg, format="svg", metadata={"Date": None})
    return png.getvalue(), svg.getvalue()


def _local_keys(timestamps, zone, pattern):
    """Local calendar keys ("2024-07-15", "2024-07") for naive-UTC datetime64 stamps."""
    keys = []
    for stamp in timestamps.astype("datetime64[s]").astype(object):
        keys.append(stamp.replace(tzinfo=dt.timezone.utc).astimezone(zone).strftime(pattern))
    return np.array(keys)


def _group_mean(keys, *arrays):
    labels, index = np.unique(keys, return_inverse=True)
    counts = np.bincount(index)
    return labels, [np.bincount(index, weights=a) / counts for a in arrays]


def _group_sum(keys, *arrays):
    labels, index = np.unique(keys, return_inverse=True)
    return labels, [np.bincount(index, weights=a, minlength=len(labels)) for a in arrays]


def _column(series, name):
    """A series column, or zeros for a part the run's engine did not model (batteries before engine 2)."""
    values = getattr(series, name, None)
    return np.zeros(series.n_steps) if values is None else np.asarray(values, dtype=float)


def _served_parts(series):
    """Grid to the load, on-site generation, battery discharge (they stack to the served load) and charging.

    The balance grid + on-site + battery discharge − charging = served load holds every hour, and
    charging comes from the grid, so the grid's share of the load is grid − charging.
    """
    charge = _column(series, "battery_charge_mw")
    return series.grid_mw - charge, series.onsite_mw, _column(series, "battery_discharge_mw"), charge


def _wrap(text, width):
    """A name on as many lines as it needs, whole words only (never cut: "VoltaGrid mobi…")."""
    return textwrap.fill(str(text), width, break_long_words=False)


def _numbers(axis, bins=6):
    """An axis whose tick labels are written like every other figure ("1,400", "0.5")."""
    axis.set_major_locator(MaxNLocator(nbins=bins))
    axis.set_major_formatter(FuncFormatter(lambda value, _position: number(value)))


def legend_below(fig, handles=None, labels=None):
    """A legend under the plots (so it never hides a bar) in as many columns as fit the figure's width.

    A column is as wide as the longest label: an average character is about 0.55 em, plus the
    colour swatch and the gaps (about 3.5 em).
    """
    if handles is None:
        handles, labels = [], []
        for ax in fig.axes:
            h, l = ax.get_legend_handles_labels()
            handles += h
            labels += l
    labels = [_wrap(label, 40) for label in labels]
    if not labels:
        return None
    widest = max(len(line) for label in labels for line in label.splitlines())
    column_in = (0.55 * widest + 3.5) * LEGEND_FONT_PT / 72
    columns = max(1, min(len(labels), int(0.95 * fig.get_figwidth() // column_in)))
    return fig.legend(handles, labels, loc="outside lower center", ncol=columns, fontsize=LEGEND_FONT_PT, frameon=False)


def _day_ticks(ax, days):
    """Horizontal day labels: "1 Sep" about ten times across a month, the first of each month across a year."""
    if len(days) <= 62:
        step = max(1, math.ceil(len(days) / 10))
        at = list(range(0, len(days), step))
        labels = [f"{int(days[i][8:])} {month_abbr(int(days[i][5:7]))}" for i in at]
    else:
        at = [i for i, d in enumerate(days) if d.endswith("-01")] or [0]
        step = max(1, math.ceil(len(at) / 12))
        at = at[::step]
        labels = [_month_label(days[i][:7], first=i == at[0]) for i in at]
    ax.set_xticks(at, labels, fontsize=8)


def _month_label(key, first=False):
    """"2025-01" → "Jan 2025" in January or on the first tick, "Feb" otherwise."""
    year, month = key.split("-")
    name = month_abbr(int(month))
    return f"{name} {year}" if first or month == "01" else name


def _metric_value(metrics, key):
    metric = (metrics or {}).get(key)
    return None if metric is None else metric.value


def _plain(value):
    """A table cell at full precision, or None when not available (NaN, infinity).

    The page writes every cell with impact.figures.fmt, like the headline: a figure rounded here
    first would come out one digit different there ("16,391 vs 16,390").
    """
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _contract_text(contract):
    """The contracted capacity over the period: "8 MW" when it held, "8–50 MW" when it changed."""
    if not len(contract):
        return fmt(None)
    return fmt(contract[0], "MW") if np.ptp(contract) == 0 else span(contract.min(), contract.max(), "MW")


def daily_supply(series, zone, metrics=None):
    """Daily average of the served load, stacked grid / on-site / battery, with the contracted grid capacity.

    Demand that no supply could deliver is not drawn: it was never used (staff see it in
    :func:`demand_vs_served` on the draft). The alt text quotes the report's own metrics.
    """
    grid_to_load, onsite, battery, charge = _served_parts(series)
    days, (grid, onsite, battery, charge, contract) = _group_mean(
        _local_keys(series.timestamps, zone, "%Y-%m-%d"), grid_to_load, onsite, battery, charge, series.grid_capacity_mw,
    )
    fig = Figure(figsize=(9, 4.2), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(days))
    title = _("Daily electricity served: grid, on-site generation and batteries")
    ax.bar(x, grid, color=GRID, label=_("Grid to the load"), width=0.85)
    ax.bar(x, onsite, bottom=grid, color=ONSITE, label=_("On-site gas generators"), width=0.85)
    if battery.any():
        ax.bar(x, battery, bottom=grid + onsite, color=BATTERY, label=_("Batteries"), width=0.85)
    if charge.any():
        ax.bar(x, -charge, color=BATTERY, hatch="//", edgecolor=BASELINE, alpha=0.6, label=_("Grid charging the batteries"),
               width=0.85)
        ax.axhline(0, color=BASELINE, linewidth=0.8)
    ax.step(x, contract, where="mid", color=CONTRACT, linewidth=2, label=_("Contracted grid capacity"))
    ax.set_ylabel(_("Average power served (MW)"))
    ax.set_title(title)
    _day_ticks(ax, days)
    _numbers(ax.yaxis)
    legend_below(fig)
    ax.grid(axis="y", alpha=0.3)
    served = grid + onsite + battery
    energy, share = _metric_value(metrics, "energy_facility_mwh"), _metric_value(metrics, "onsite_share")
    if share is None:
        share = onsite.sum() / max(served.sum(), 1e-12)
    figures = {
        "days": len(days), "energy": fmt(energy, "MWh"), "grid": fmt(grid.mean(), "MW"), "contract": _contract_text(contract),
        "onsite": fmt(onsite.mean(), "MW"), "share": percent(share), "battery": fmt(battery.mean(), "MW"),
    }
    # One whole text per case (energy known or not, batteries or not), so each language words it its own way.
    if energy is not None and battery.any():
        alt = ngettext(
            "Stacked bar chart of the daily average power served over %(days)s day, %(energy)s in all. The grid delivered "
            "%(grid)s to the load on average against a contracted capacity of %(contract)s; on-site gas generators "
            "%(onsite)s (%(share)s of the electricity served); batteries %(battery)s.",
            "Stacked bar chart of the daily average power served over %(days)s days, %(energy)s in all. The grid delivered "
            "%(grid)s to the load on average against a contracted capacity of %(contract)s; on-site gas generators "
            "%(onsite)s (%(share)s of the electricity served); batteries %(battery)s.", len(days))
    elif energy is not None:
        alt = ngettext(
            "Stacked bar chart of the daily average power served over %(days)s day, %(energy)s in all. The grid delivered "
            "%(grid)s to the load on average against a contracted capacity of %(contract)s; on-site gas generators "
            "%(onsite)s (%(share)s of the electricity served).",
            "Stacked bar chart of the daily average power served over %(days)s days, %(energy)s in all. The grid delivered "
            "%(grid)s to the load on average against a contracted capacity of %(contract)s; on-site gas generators "
            "%(onsite)s (%(share)s of the electricity served).", len(days))
    elif battery.any():
        alt = ngettext(
            "Stacked bar chart of the daily average power served over %(days)s day. The grid delivered %(grid)s to the "
            "load on average against a contracted capacity of %(contract)s; on-site gas generators %(onsite)s "
            "(%(share)s of the electricity served); batteries %(battery)s.",
            "Stacked bar chart of the daily average power served over %(days)s days. The grid delivered %(grid)s to the "
            "load on average against a contracted capacity of %(contract)s; on-site gas generators %(onsite)s "
            "(%(share)s of the electricity served); batteries %(battery)s.", len(days))
    else:
        alt = ngettext(
            "Stacked bar chart of the daily average power served over %(days)s day. The grid delivered %(grid)s to the "
            "load on average against a contracted capacity of %(contract)s; on-site gas generators %(onsite)s "
            "(%(share)s of the electricity served).",
            "Stacked bar chart of the daily average power served over %(days)s days. The grid delivered %(grid)s to the "
            "load on average against a contracted capacity of %(contract)s; on-site gas generators %(onsite)s "
            "(%(share)s of the electricity served).", len(days))
    avg = _("MW avg")
    table = {
        "columns": [_("Day (local)"), *(column(name, avg) for name in (
            _("Grid to the load"), _("On-site"), _("Batteries"), _("Charging"), _("Served"))), column(_("Contract"), "MW")],
        "rows": [[d, *map(_plain, (g, o, b, c, g + o + b, k))] for d, g, o, b, c, k in zip(days, grid, onsite, battery, charge, contract)],
    }
    return Chart("daily-supply", title, alt % figures, table, fig)


def monthly_energy(series, zone):
    """Energy served by local month: grid, on-site and battery (MWh)."""
    hours = _step_hours(series)
    grid_to_load, onsite, battery, _charge = _served_parts(series)
    months, (grid, onsite, battery) = _group_sum(
        _local_keys(series.timestamps, zone, "%Y-%m"), grid_to_load * hours, onsite * hours, battery * hours,
    )
    fig = Figure(figsize=(8, 3.8), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(months))
    title = _("Energy served by month")
    ax.bar(x, grid, color=GRID, label=_("Grid"))
    ax.bar(x, onsite, bottom=grid, color=ONSITE, label=_("On-site gas generators"))
    if battery.any():
        ax.bar(x, battery, bottom=grid + onsite, color=BATTERY, label=_("Batteries"))
    ax.set_xticks(x, [_month_label(m, first=i == 0) for i, m in enumerate(months)], fontsize=8)
    ax.set_ylabel(_("Energy served (MWh)"))
    ax.set_title(title)
    _numbers(ax.yaxis)
    legend_below(fig)
    ax.grid(axis="y", alpha=0.3)
    if battery.any():
        month_text = _("%(month)s: %(served)s, of which %(grid)s from the grid, %(onsite)s on site, %(battery)s from batteries")
    else:
        month_text = _("%(month)s: %(served)s, of which %(grid)s from the grid, %(onsite)s on site")
    alt = _("Bar chart of the energy served by month: %(months)s.") % {"months": "; ".join(
        month_text % {"month": _month_label(m, first=True), "served": fmt(g + o + b, "MWh"), "grid": fmt(g, "MWh"),
                      "onsite": fmt(o, "MWh"), "battery": fmt(b, "MWh")}
        for m, g, o, b in zip(months, grid, onsite, battery)
    )}
    table = {
        "columns": [_("Month (local)"), *(column(name, "MWh") for name in (_("Grid"), _("On-site"), _("Batteries"), _("Served")))],
        "rows": [[m, *map(_plain, (g, o, b, g + o + b))] for m, g, o, b in zip(months, grid, onsite, battery)],
    }
    return Chart("monthly-energy", title, alt, table, fig)


def demand_vs_served(series, zone):
    """Staff only: daily modelled demand against the load served (the gap is demand no supply could deliver)."""
    demand = _column(series, "demand_mw")
    if not demand.any():
        demand = series.facility_load_mw + _column(series, "unserved_mw")
    days, (demand, served) = _group_mean(
        _local_keys(series.timestamps, zone, "%Y-%m-%d"), demand, series.facility_load_mw
    )
    fig = Figure(figsize=(9, 3.8), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(days))
    ax.bar(x, served, color=GRID, label="Served", width=0.85)
    ax.bar(x, demand - served, bottom=served, color=UNSERVED, label="Modelled demand not served", width=0.85)
    ax.set_ylabel("Average power (MW)")
    ax.set_title("Staff diagnostic: modelled demand vs load served")
    _day_ticks(ax, days)
    _numbers(ax.yaxis)
    legend_below(fig)
    ax.grid(axis="y", alpha=0.3)
    gap = demand - served
    alt = (
        f"Staff diagnostic over {len(days)} days: modelled demand averaged {fmt(demand.mean(), 'MW')}, the load served "
        f"{fmt(served.mean(), 'MW')}; up to {fmt(gap.max(), 'MW')} a day could not be served."
    )
    table = {
        "columns": ["Day (local)", *(column(name, "MW avg") for name in ("Demand", "Served", "Not served"))],
        "rows": [[d, *map(_plain, (a, b, a - b))] for d, a, b in zip(days, demand, served)],
    }
    return Chart("demand-vs-served", "Staff diagnostic: modelled demand vs load served", alt, table, fig)


def _step_hours(series):
    if series.n_steps < 2:
        return 1.0
    return float((series.timestamps[1] - series.timestamps[0]) / np.timedelta64(1, "h"))


def _pollutant_tonnes(series, metrics, p, where):
    """Tonnes of pollutant ``p`` on site or from the grid: the report's metric where there is one
    (so the chart quotes the same figure as the tables), else the series' sum."""
    value = _metric_value(metrics, f"{p}_{where}_t")
    if value is None:
        masses = series.onsite_kg if where == "onsite" else series.grid_kg
        value = float(np.sum(masses[p])) / KG_PER_TONNE if p in masses else 0.0
    return _plain(value)


def emissions_by_pollutant(series, labels, missing_grid=(), metrics=None):
    """Emissions per pollutant, on site and at the grid's power plants: one small panel each.

    Pollutants span six orders of magnitude (tonnes of CO₂ against kilograms of SO₂), which one
    axis can only show on a log scale that few residents read. Each pollutant gets its own linear
    axis instead, in tonnes, or in kilograms when it is under a tonne, with the unit in its title.
    A grid figure the run has no rate for is written "not available", never drawn as 0.
    """
    pollutants = [p for p in labels if p in series.onsite_kg]
    rows = []
    for p in pollutants:
        onsite = _pollutant_tonnes(series, metrics, p, "onsite")
        grid = None if p in missing_grid else _pollutant_tonnes(series, metrics, p, "grid")
        total = _metric_value(metrics, f"{p}_total_t")
        if total is None and onsite is not None:
            total = onsite + (grid or 0.0)
        rows.append((p, onsite, grid, _plain(total)))
    ncols = 2
    nrows = max(1, math.ceil(len(rows) / ncols))
    fig = Figure(figsize=(8, 0.6 + 1.2 * nrows), layout="constrained")
    fig.suptitle(_("Emissions by pollutant over the period: on site and at the grid's power plants\n"
                   "(each panel has its own scale)"), fontsize=10)
    not_available = fmt(None)
    axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
    parts = []
    for ax, (p, onsite, grid, _total) in zip(axes, rows):
        known = [v for v in (onsite, grid) if v is not None]
        unit, scale = ("t", 1.0) if max(known, default=0.0) >= 1 else ("kg", KG_PER_TONNE)
        values = [np.nan if v is None else v * scale for v in (onsite, grid)]
        ax.barh([0, 1], values, height=0.6, color=[ONSITE, GRID])
        ax.set_yticks([0, 1], [_("On site"), _("Grid")], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(0, max([v for v in values if not np.isnan(v)], default=0.0) * 1.15 or 1.0)
        for y, value in enumerate(values):
            if np.isnan(value):
                ax.text(0.02, y, not_available, transform=ax.get_yaxis_transform(), va="center", fontsize=8, color=BASELINE)
        _numbers(ax.xaxis, bins=4)
        ax.tick_params(axis="x", labelsize=8)
        ax.set_title(f"{labels[p]} ({unit})", fontsize=9, loc="left")
        ax.grid(axis="x", alpha=0.3)
        figures = {"pollutant": labels[p], "onsite": fmt(None if onsite is None else onsite * scale, unit)}
        if grid is None:
            parts.append(_("%(pollutant)s: %(onsite)s on site, grid not available") % figures)
        else:
            parts.append(_("%(pollutant)s: %(onsite)s on site, %(grid)s from the grid") % {**figures, "grid": fmt(grid * scale, unit)})
    for ax in axes[len(rows):]:
        ax.set_visible(False)
    alt = _("Small bar charts of emissions, one per pollutant, each on its own linear scale. %(pollutants)s.") % {
        "pollutants": "; ".join(parts)}
    table = {
        "columns": [_("Pollutant"), *(column(name, "t") for name in (_("On-site"), _("Grid"), _("Total")))],
        "rows": [[labels[p], onsite, grid, total] for p, onsite, grid, total in rows],
    }
    return Chart("emissions", _("Emissions by pollutant"), alt, table, fig)


def generator_output(series, generators, zone):
    """Daily on-site energy per generator group, and run hours per unit, each group named in full."""
    hours = _step_hours(series)
    keys = _local_keys(series.timestamps, zone, "%Y-%m-%d")
    names = list(series.generator_mw)
    days, sums = _group_sum(keys, *[series.generator_mw[n] * hours for n in names]) if names else ([], [])
    groups = max(len(generators), 1)
    fig = Figure(figsize=(9, 4.6 + 0.45 * groups), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, height_ratios=[3.2, 0.35 + 0.45 * groups])
    x = np.arange(len(days))
    bottom = np.zeros(len(days))
    colours = (ONSITE, *EXTRA)
    for i, (name, values) in enumerate(zip(names, sums)):
        ax1.bar(x, values, bottom=bottom, color=colours[i % 6], label=name, width=0.85)
        bottom += values
    ax1.set_ylabel(_("On-site generation\n(MWh/day)"))
    ax1.set_title(_("Generator output by day"))
    if len(days):
        _day_ticks(ax1, list(days))
    _numbers(ax1.yaxis)
    ax1.grid(axis="y", alpha=0.3)
    y = np.arange(len(generators))
    ax2.barh(y, [g.run_hours_per_unit for g in generators], color=[colours[i % 6] for i in range(len(generators))])
    ax2.set_yticks(y, [_wrap(g.name, 38) for g in generators], fontsize=8)
    ax2.invert_yaxis()
    ax2.set_xlabel(_("Run hours per unit over the period"))
    ax2.set_title(_("Run hours per unit"), fontsize=10)
    _numbers(ax2.xaxis)
    ax2.grid(axis="x", alpha=0.3)
    legend_below(fig, *ax1.get_legend_handles_labels())
    if generators:
        alt = _("Bar charts of on-site generation. %(groups)s.") % {"groups": "; ".join(
            _("%(name)s: %(energy)s in total, %(hours)s of running and %(starts)s starts per unit, %(load)s average "
              "loading while running") % {
                "name": g.name, "energy": fmt(g.energy_mwh, "MWh"), "hours": fmt(g.run_hours_per_unit, "h"),
                "starts": fmt(g.starts_per_unit, "count"), "load": percent(g.load_factor_per_unit)}
            for g in generators
        )}
    else:
        alt = _("This facility has no on-site generators.")
    table = {
        "columns": [_("Day (local)"), *[column(n, "MWh") for n in names]],
        "rows": [[d, *[_plain(s[i]) for s in sums]] for i, d in enumerate(days)],
    }
    return Chart("generator-output", _("Generator output and run hours"), alt, table, fig)


def headline_ranges(metrics):
    """Each headline figure as a dot with its P5–P95 Monte Carlo range: one small panel per figure,
    each on its own linear scale in its unit (fractions in %).

    The dot is the central run with every uncertain input at its median, so it sits inside its range.
    """
    chosen = [metrics[k] for k in HEADLINE_KEYS if k in metrics]
    names = {m.key: metric_label(m.key, m.label) for m in chosen}
    titles = [_wrap(f"{names[m.key]} ({unit_label(m.unit)})", 95) for m in chosen]
    lines = sum(t.count("\n") for t in titles)
    fig = Figure(figsize=(8, 0.7 + 1.0 * len(chosen) + 0.18 * lines), layout="constrained")
    fig.suptitle(_("Headline figures: central estimate (dot) and 90 %% range, P5 to P95 (bar)") % {}, fontsize=10)
    axes = np.atleast_1d(fig.subplots(len(chosen), 1))
    for ax, metric, title in zip(axes, chosen, titles):
        scale = 100.0 if metric.unit == "fraction" else 1.0  # fractions are read as percentages
        value = metric.value * scale
        low, high = (None, None) if metric.p5 is None or metric.p95 is None else (metric.p5 * scale, metric.p95 * scale)
        ends = [v for v in (low, high, value) if v is not None and math.isfinite(v)]
        if not ends:  # nothing to draw: say so rather than draw a 0
            ax.text(0.5, 0, fmt(None), transform=ax.get_yaxis_transform(), ha="center", va="center", fontsize=8)
            ends = [0.0]
        if low is not None:
            ax.hlines(0, low, high, color=GRID, linewidth=6, alpha=0.5)
        pad = max((max(ends) - min(ends)) * 0.15, abs(ends[-1]) * 0.02, 1e-9)
        ax.set_xlim(min(ends) - pad, max(ends) + pad)
        ax.plot([value], [0], "o", color=ONSITE)
        ax.set_ylim(-1, 1)
        ax.set_yticks([])
        ax.set_title(title, fontsize=9, loc="left")
        _numbers(ax.xaxis, bins=5)
        ax.tick_params(axis="x", labelsize=8)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
    parts = []
    for m in chosen:
        figures = {"name": names[m.key], "value": fmt(m.value, m.unit)}
        if m.p5 is not None and m.p95 is not None:
            parts.append(_("%(name)s: %(value)s, 90 %% range %(range)s") % {**figures, "range": span(m.p5, m.p95, m.unit)})
        else:
            parts.append(_("%(name)s: %(value)s") % figures)
    alt = _("Dot-and-range chart of the headline figures. %(figures)s.") % {"figures": "; ".join(parts)}
    table = {
        "columns": [_("Figure"), _("Unit"), _("Central"), "P5", "P50", "P95"],
        "rows": [[names[m.key], unit_label(m.unit) or m.unit, *map(_plain, _as_written(m))] for m in chosen],
    }
    return Chart("headline-ranges", _("Headline figures with their uncertainty"), alt, table, fig)


def _as_written(metric):
    """Central, P5, P50 and P95 in the unit the table names: a fraction's cells are percentages."""
    scale = 100.0 if metric.unit == "fraction" else 1.0
    return [None if v is None else v * scale for v in (metric.value, metric.p5, metric.p50, metric.p95)]


def scenario_comparison(result):
    """Scenario figures as a percentage of the base case: one group of horizontal bars per figure,
    its name written out beside it (no rotated labels)."""
    keys = [k for k in HEADLINE_KEYS if k != "onsite_share" and k in result.base.metrics]
    names = list(result.scenarios)
    bar_in = 0.14  # each bar's thickness, inches
    group_in = bar_in * max(len(names), 1) + 0.3
    fig = Figure(figsize=(8, 1.6 + group_in * len(keys) + 0.3 * math.ceil(len(names) / 2)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(keys))
    height = 0.8 / max(len(names), 1)
    rows = []
    for i, name in enumerate(names):
        scenario = result.scenarios[name]
        pct = []
        for key in keys:
            base = result.base.metrics[key].value
            value = scenario.metrics[key].value
            pct.append(100 * value / base if base else np.nan)
        ax.barh(y + (i - (len(names) - 1) / 2) * height, pct, height=height, color=(GRID, ONSITE, *EXTRA)[i % 7], label=name)
    for key in keys:
        base = result.base.metrics[key]
        rows.append([metric_label(key, base.label), unit_label(base.unit) or base.unit, _plain(base.value),
                     *[_plain(result.scenarios[n].metrics[key].value) for n in names]])
    ax.axvline(100, color=BASELINE, linewidth=1)
    ax.set_yticks(y, [_wrap(row[0], 34) for row in rows], fontsize=8)
    ax.set_ylim(len(keys) - 0.5, -0.5)  # first figure on top
    ax.set_xlabel(_("% of the base case (the grey line is the base case, 100 %)"))
    ax.set_title(_("Scenarios compared with the base case"))
    _numbers(ax.xaxis)
    if names:
        legend_below(fig)
    ax.grid(axis="x", alpha=0.3)
    if names:
        alt = _("Horizontal bar chart of scenarios as a percentage of the base case. %(figures)s.") % {"figures": "; ".join(
            _("%(figure)s: base %(base)s, %(scenarios)s") % {
                "figure": row[0], "base": fmt(row[2], key_unit),
                "scenarios": ", ".join(f"{n} {fmt(v, key_unit)}" for n, v in zip(names, row[3:]))}
            for row, key_unit in zip(rows, (result.base.metrics[k].unit for k in keys))
        )}
    else:
        alt = _("No scenarios were computed with this report.")
    table = {"columns": [_("Figure"), _("Unit"), _("Base case"), *names], "rows": rows}
    return Chart("scenarios", _("Scenarios compared"), alt, table, fig)


def report_charts(result, zone, snapshot=None, staff=True):
    """Every chart of a report, in page order, rendered to PNG and SVG, in the active language.

    ``staff=False`` leaves out the staff-only diagnostic (drawn in English only: staff read English).
    """
    return [replace(chart, **dict(zip(("png", "svg"), render(chart.figure)))) for chart in report_figures(result, zone, staff)]


def report_figures(result, zone, staff=True):
    """Every chart of a report, in page order: its figure, alt text and table, not yet rendered.

    Public charts first; the staff-only diagnostic (impact.figures.STAFF_CHART_KEYS) last, unless
    ``staff`` is False.
    """
    base = result.base
    labels = {**pollutant_symbols(), "co2e": f"CO₂e ({base.gwp_set})"}
    missing = base.checks.get("grid_pollutants_missing", ()) if isinstance(base.checks, dict) else ()
    charts = [
        daily_supply(base.series, zone, base.metrics),
        monthly_energy(base.series, zone),
        emissions_by_pollutant(base.series, labels, missing, base.metrics),
        generator_output(base.series, base.generators, zone),
    ]
    if any(m.p5 is not None for m in base.metrics.values()):
        charts.append(headline_ranges(base.metrics))
    if result.scenarios:
        charts.append(scenario_comparison(result))
    if staff and _column(base.series, "unserved_mw").any():
        charts.append(demand_vs_served(base.series, zone))  # staff only: impact.figures.STAFF_CHART_KEYS
    return charts
