"""Report charts: matplotlib ``Figure`` objects rendered to PNG and SVG bytes.

Never pyplot: it keeps global state that is unsafe in a server or a worker (matplotlib docs,
"Embedding in a web application server"). Each chart comes with alt text written from its data
and the same data as a table, so a screen-reader user or a journalist gets the numbers too.
Palette: Okabe-Ito, which stays distinguishable with the common colour-vision deficiencies.

Charts draw from the engine's result, the engine's labels and plain arguments (the facility's
time zone): no model and no database, so the worker can draw a result before anything is saved.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullLocator

from impact.engine.labels import POLLUTANT_SYMBOLS
from impact.figures import HEADLINE_KEYS, metric_text, number, percent

matplotlib.rcParams["svg.hashsalt"] = "impact-portal"  # stable SVG ids: same data, same bytes

GRID = "#0072B2"  # blue
ONSITE = "#D55E00"  # vermillion
UNSERVED = "#000000"
CONTRACT = "#009E73"  # bluish green
BATTERY = "#CC79A7"  # reddish purple
EXTRA = ("#E69F00", "#56B4E9", "#F0E442", "#999999", "#CC79A7")
# Legends sit under the plot so they never hide a bar.
LEGEND_BELOW = {"loc": "outside lower center", "ncol": 4, "fontsize": 8, "frameon": False}
SUPPLY_TITLE = "Daily electricity served: grid, on-site generation and batteries"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    alt_text: str
    png: bytes
    svg: bytes
    table: dict
    # Kept so the PDF can embed the vector figure; never stored.
    figure: Figure | None = field(default=None, compare=False, repr=False)


def render(fig):
    """PNG and SVG bytes of a figure (no timestamps in the metadata, so output is repeatable)."""
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=110, metadata={"Software": None})
    fig.savefig(svg, format="svg", metadata={"Date": None})
    return png.getvalue(), svg.getvalue()


def _local_keys(timestamps, zone, fmt):
    """Local calendar keys ("2024-07-15", "2024-07") for naive-UTC datetime64 stamps."""
    keys = []
    for stamp in timestamps.astype("datetime64[s]").astype(object):
        keys.append(stamp.replace(tzinfo=dt.timezone.utc).astimezone(zone).strftime(fmt))
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


def _span(values):
    low, high = number(values.min()), number(values.max())
    return low if low == high else f"{low}–{high}"


def _metric_value(metrics, key):
    metric = (metrics or {}).get(key)
    return None if metric is None else metric.value


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
    ax.bar(x, grid, color=GRID, label="Grid to the load", width=0.85)
    ax.bar(x, onsite, bottom=grid, color=ONSITE, label="On-site gas generators", width=0.85)
    if battery.any():
        ax.bar(x, battery, bottom=grid + onsite, color=BATTERY, label="Batteries", width=0.85)
    if charge.any():
        ax.bar(x, -charge, color=BATTERY, hatch="//", alpha=0.6, label="Grid charging the batteries", width=0.85)
        ax.axhline(0, color=UNSERVED, linewidth=0.8)
    ax.step(x, contract, where="mid", color=CONTRACT, linewidth=2, label="Contracted grid capacity")
    ax.set_ylabel("Average power served (MW)")
    ax.set_title(SUPPLY_TITLE)
    step = max(1, len(days) // 12)
    ax.set_xticks(x[::step], [d[5:] if len(days) <= 62 else d[:7] for d in days[::step]], rotation=45, ha="right")
    fig.legend(**LEGEND_BELOW)
    ax.grid(axis="y", alpha=0.3)
    png, svg = render(fig)
    served = grid + onsite + battery
    energy, share = _metric_value(metrics, "energy_facility_mwh"), _metric_value(metrics, "onsite_share")
    if share is None:
        share = onsite.sum() / max(served.sum(), 1e-12)
    alt = (
        f"Stacked bar chart of the daily average power served over {len(days)} days"
        + (f", {metric_text(energy, 'MWh')} in all" if energy is not None else "")
        + f". The grid delivered {number(grid.mean())} MW to the load on average against a contracted capacity of "
        f"{_span(contract)} MW; on-site gas generators {number(onsite.mean())} MW "
        f"({percent(share)} of the electricity served)"
        + (f"; batteries {number(battery.mean())} MW" if battery.any() else "")
        + "."
    )
    table = {
        "columns": ["Day (local)", "Grid to the load (MW avg)", "On-site (MW avg)", "Batteries (MW avg)", "Charging (MW avg)",
                    "Served (MW avg)", "Contract (MW)"],
        "rows": [
            [d, round(g, 2), round(o, 2), round(b, 2), round(c, 2), round(g + o + b, 2), round(k, 2)]
            for d, g, o, b, c, k in zip(days, grid, onsite, battery, charge, contract)
        ],
    }
    return Chart("daily-supply", SUPPLY_TITLE, alt, png, svg, table, fig)


def monthly_energy(series, zone):
    """Energy served by local month: grid, on-site and battery (MWh)."""
    hours = _step_hours(series)
    grid_to_load, onsite, battery, _ = _served_parts(series)
    months, (grid, onsite, battery) = _group_sum(
        _local_keys(series.timestamps, zone, "%Y-%m"), grid_to_load * hours, onsite * hours, battery * hours,
    )
    fig = Figure(figsize=(8, 3.8), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(months))
    ax.bar(x, grid, color=GRID, label="Grid")
    ax.bar(x, onsite, bottom=grid, color=ONSITE, label="On-site gas generators")
    if battery.any():
        ax.bar(x, battery, bottom=grid + onsite, color=BATTERY, label="Batteries")
    ax.set_xticks(x, list(months))
    ax.set_ylabel("Energy served (MWh)")
    ax.set_title("Energy served by month")
    fig.legend(**LEGEND_BELOW)
    ax.grid(axis="y", alpha=0.3)
    png, svg = render(fig)
    alt = "Bar chart of the energy served by month: " + "; ".join(
        f"{m}: {number(g + o + b)} MWh, of which {number(g)} MWh from the grid, {number(o)} MWh on site"
        + (f", {number(b)} MWh from batteries" if battery.any() else "")
        for m, g, o, b in zip(months, grid, onsite, battery)
    ) + "."
    table = {
        "columns": ["Month (local)", "Grid (MWh)", "On-site (MWh)", "Batteries (MWh)", "Served (MWh)"],
        "rows": [[m, round(g, 1), round(o, 1), round(b, 1), round(g + o + b, 1)] for m, g, o, b in zip(months, grid, onsite, battery)],
    }
    return Chart("monthly-energy", "Energy served by month", alt, png, svg, table, fig)


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
    step = max(1, len(days) // 12)
    ax.set_xticks(x[::step], [d[5:] if len(days) <= 62 else d[:7] for d in days[::step]], rotation=45, ha="right")
    fig.legend(**LEGEND_BELOW)
    ax.grid(axis="y", alpha=0.3)
    png, svg = render(fig)
    gap = demand - served
    alt = (
        f"Staff diagnostic over {len(days)} days: modelled demand averaged {number(demand.mean())} MW, the load served "
        f"{number(served.mean())} MW; up to {number(gap.max())} MW a day could not be served."
    )
    table = {
        "columns": ["Day (local)", "Demand (MW avg)", "Served (MW avg)", "Not served (MW avg)"],
        "rows": [[d, round(a, 2), round(b, 2), round(a - b, 2)] for d, a, b in zip(days, demand, served)],
    }
    return Chart("demand-vs-served", "Staff diagnostic: modelled demand vs load served", alt, png, svg, table, fig)


def _step_hours(series):
    if series.n_steps < 2:
        return 1.0
    return float((series.timestamps[1] - series.timestamps[0]) / np.timedelta64(1, "h"))


def emissions_by_pollutant(series, labels, missing_grid=()):
    """Tonnes per pollutant, on-site vs grid, on a log scale (they span six orders of magnitude)."""
    pollutants = [p for p in labels if p in series.onsite_kg]
    onsite = np.array([series.onsite_kg[p].sum() / 1000 for p in pollutants])
    grid = np.array([series.grid_kg.get(p, np.zeros(1)).sum() / 1000 for p in pollutants])
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(pollutants))
    ax.barh(y - 0.2, np.where(onsite > 0, onsite, np.nan), height=0.4, color=ONSITE, label="On-site generators")
    ax.barh(y + 0.2, np.where(grid > 0, grid, np.nan), height=0.4, color=GRID, label="Grid (location-based)")
    ax.set_yticks(y, [labels[p] for p in pollutants])
    ax.invert_yaxis()
    positive = np.concatenate([onsite[onsite > 0], grid[grid > 0]])
    if positive.size:
        ax.set_xscale("log")
        # Minor ticks on a log axis spanning many decades cost seconds of text layout and add nothing.
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_locator(LogLocator(numticks=8))
        ax.set_xlim(positive.min() / 3, positive.max() * 3)
    ax.set_xlabel("Tonnes over the period (log scale)")
    ax.set_title("Emissions by pollutant")
    fig.legend(**LEGEND_BELOW)
    ax.grid(axis="x", alpha=0.3)
    png, svg = render(fig)
    parts = []
    for p, o, g in zip(pollutants, onsite, grid):
        grid_text = "grid not available" if p in missing_grid else f"{number(g)} t from the grid"
        parts.append(f"{labels[p]}: {number(o)} t on site, {grid_text}")
    alt = "Horizontal bar chart of emissions by pollutant on a log scale. " + "; ".join(parts) + "."
    table = {
        "columns": ["Pollutant", "On-site (t)", "Grid (t)", "Total (t)"],
        "rows": [
            [labels[p], _plain(o), None if p in missing_grid else _plain(g), _plain(o + g)]
            for p, o, g in zip(pollutants, onsite, grid)
        ],
    }
    return Chart("emissions", "Emissions by pollutant", alt, png, svg, table, fig)


def _plain(value):
    # Full precision: the page writes it with impact.figures.number, like the headline, so a
    # figure rounded here first could come out one digit different there.
    return float(value)


def generator_output(series, generators, zone):
    """Daily on-site energy per generator group, and run hours per unit."""
    hours = _step_hours(series)
    keys = _local_keys(series.timestamps, zone, "%Y-%m-%d")
    names = list(series.generator_mw)
    days, sums = _group_sum(keys, *[series.generator_mw[n] * hours for n in names]) if names else ([], [])
    fig = Figure(figsize=(9, 4.2), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1]})
    x = np.arange(len(days))
    bottom = np.zeros(len(days))
    for i, (name, values) in enumerate(zip(names, sums)):
        ax1.bar(x, values, bottom=bottom, color=(ONSITE, *EXTRA)[i % 6], label=name, width=0.85)
        bottom += values
    ax1.set_ylabel("On-site generation (MWh/day)")
    ax1.set_title("Generator output by day")
    if len(days):
        step = max(1, len(days) // 10)
        ax1.set_xticks(x[::step], [d[5:] for d in days[::step]], rotation=45, ha="right")
        fig.legend(**LEGEND_BELOW)
    ax1.grid(axis="y", alpha=0.3)
    run_hours = [g.run_hours_per_unit for g in generators]
    ax2.bar(np.arange(len(generators)), run_hours, color=ONSITE)
    ax2.set_xticks(np.arange(len(generators)), [g.name[:14] for g in generators], rotation=30, ha="right")
    ax2.set_ylabel("Run hours per unit")
    ax2.set_title("Run hours")
    png, svg = render(fig)
    if generators:
        alt = "Bar charts of on-site generation. " + "; ".join(
            f"{g.name}: {number(g.energy_mwh)} MWh in total, {number(g.run_hours_per_unit)} run hours and "
            f"{number(g.starts_per_unit)} starts per unit, {g.load_factor_per_unit:.0%} average loading while running"
            for g in generators
        ) + "."
    else:
        alt = "This facility has no on-site generators."
    table = {
        "columns": ["Day (local)", *[f"{n} (MWh)" for n in names]],
        "rows": [[d, *[round(float(s[i]), 2) for s in sums]] for i, d in enumerate(days)],
    }
    return Chart("generator-output", "Generator output and run hours", alt, png, svg, table, fig)


def headline_ranges(metrics):
    """Each headline figure as a dot with its P5–P95 Monte Carlo range, one panel per figure.

    The dot is the central run with every uncertain input at its median, so it sits inside its range.
    """
    chosen = [metrics[k] for k in HEADLINE_KEYS if k in metrics]
    fig = Figure(figsize=(8, 0.9 * len(chosen) + 0.8))
    axes = np.atleast_1d(fig.subplots(len(chosen), 1))
    for ax, metric in zip(axes, chosen):
        low, high = metric.p5, metric.p95
        if low is not None and high is not None:
            ax.hlines(0, low, high, color=GRID, linewidth=6, alpha=0.5)
            pad = max((high - low) * 0.15, abs(metric.value) * 0.02, 1e-9)
            ax.set_xlim(min(low, metric.value) - pad, max(high, metric.value) + pad)
        ax.plot([metric.value], [0], "o", color=ONSITE)
        ax.set_yticks([])
        ax.set_title(f"{metric.label} ({metric.unit})", fontsize=9, loc="left")
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
    png, svg = render(fig)
    parts = []
    for m in chosen:
        spread = f", 90 % range {metric_text(m.p5, m.unit)} to {metric_text(m.p95, m.unit)}" if m.p5 is not None else ""
        parts.append(f"{m.label}: {metric_text(m.value, m.unit)}{spread}")
    alt = "Dot-and-range chart of the headline figures. " + "; ".join(parts) + "."
    table = {
        "columns": ["Figure", "Unit", "Central", "P5", "P50", "P95"],
        "rows": [[m.label, m.unit, _plain(m.value), *[None if v is None else _plain(v) for v in (m.p5, m.p50, m.p95)]] for m in chosen],
    }
    return Chart("headline-ranges", "Headline figures with their uncertainty", alt, png, svg, table, fig)


def scenario_comparison(result):
    """Scenario figures as a percentage of the base case."""
    keys = [k for k in HEADLINE_KEYS if k != "onsite_share" and k in result.base.metrics]
    names = list(result.scenarios)
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(keys))
    width = 0.8 / max(len(names), 1)
    rows = []
    for i, name in enumerate(names):
        scenario = result.scenarios[name]
        pct = []
        for key in keys:
            base = result.base.metrics[key].value
            value = scenario.metrics[key].value
            pct.append(100 * value / base if base else np.nan)
        ax.bar(x + (i - (len(names) - 1) / 2) * width, pct, width=width, color=(GRID, ONSITE, *EXTRA)[i % 7], label=name)
    for key in keys:
        base = result.base.metrics[key]
        rows.append([base.label, base.unit, _plain(base.value), *[_plain(result.scenarios[n].metrics[key].value) for n in names]])
    ax.axhline(100, color=UNSERVED, linewidth=1)
    ax.set_xticks(x, [result.base.metrics[k].label for k in keys], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("% of the base case")
    ax.set_title("Scenarios compared with the base case")
    if names:
        fig.legend(**LEGEND_BELOW)
    ax.grid(axis="y", alpha=0.3)
    png, svg = render(fig)
    if names:
        alt = "Grouped bar chart of scenarios as a percentage of the base case. " + "; ".join(
            f"{row[0]}: base {number(row[2])} {row[1]}, " + ", ".join(f"{n} {number(v)}" for n, v in zip(names, row[3:]))
            for row in rows
        ) + "."
    else:
        alt = "No scenarios were computed with this report."
    table = {"columns": ["Figure", "Unit", "Base case", *names], "rows": rows}
    return Chart("scenarios", "Scenarios compared", alt, png, svg, table, fig)


def report_charts(result, zone, snapshot=None):
    """Every chart of a report, in page order."""
    base = result.base
    labels = {**POLLUTANT_SYMBOLS, "co2e": f"CO₂e ({base.gwp_set})"}
    missing = base.checks.get("grid_pollutants_missing", ()) if isinstance(base.checks, dict) else ()
    charts = [
        daily_supply(base.series, zone, base.metrics),
        monthly_energy(base.series, zone),
        emissions_by_pollutant(base.series, labels, missing),
        generator_output(base.series, base.generators, zone),
    ]
    if any(m.p5 is not None for m in base.metrics.values()):
        charts.append(headline_ranges(base.metrics))
    if result.scenarios:
        charts.append(scenario_comparison(result))
    if _column(base.series, "unserved_mw").any():
        charts.append(demand_vs_served(base.series, zone))  # staff only: impact.figures.STAFF_CHART_KEYS
    return charts
