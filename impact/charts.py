"""Report charts: matplotlib ``Figure`` objects rendered to PNG and SVG bytes.

Never pyplot: it keeps global state that is unsafe in a server or a worker (matplotlib docs,
"Embedding in a web application server"). Each chart comes with alt text written from its data
and the same data as a table, so a screen-reader user or a journalist gets the numbers too.
Palette: Okabe-Ito, which stays distinguishable with the common colour-vision deficiencies.
"""

import datetime as dt
import io
from dataclasses import dataclass, field

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullLocator

matplotlib.rcParams["svg.hashsalt"] = "impact-portal"  # stable SVG ids: same data, same bytes

GRID = "#0072B2"  # blue
ONSITE = "#D55E00"  # vermillion
UNSERVED = "#000000"
CONTRACT = "#009E73"  # bluish green
EXTRA = ("#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#999999")
# Legends sit under the plot so they never hide a bar.
LEGEND_BELOW = {"loc": "outside lower center", "ncol": 4, "fontsize": 8, "frameon": False}
HEADLINE_KEYS = ("energy_facility_mwh", "onsite_share", "co2e_total_t", "nox_total_t", "water_onsite_m3")


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


def _fmt(value, digits=3):
    if value is None:
        return "n/a"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def daily_supply(series, zone):
    """Daily average supply, stacked grid vs on-site (and unserved), with the contracted capacity."""
    days, (grid, onsite, unserved, contract) = _group_mean(
        _local_keys(series.timestamps, zone, "%Y-%m-%d"),
        series.grid_mw, series.onsite_mw, series.unserved_mw, series.grid_capacity_mw,
    )
    fig = Figure(figsize=(9, 4.2), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(days))
    ax.bar(x, grid, color=GRID, label="Grid", width=0.85)
    ax.bar(x, onsite, bottom=grid, color=ONSITE, label="On-site gas generators", width=0.85)
    if unserved.any():
        ax.bar(x, unserved, bottom=grid + onsite, color=UNSERVED, label="Not served", width=0.85)
    ax.step(x, contract, where="mid", color=CONTRACT, linewidth=2, label="Contracted grid capacity")
    ax.set_ylabel("Average power (MW)")
    ax.set_title("Daily supply: grid vs on-site generation")
    step = max(1, len(days) // 12)
    ax.set_xticks(x[::step], [d[5:] if len(days) <= 62 else d[:7] for d in days[::step]], rotation=45, ha="right")
    fig.legend(**LEGEND_BELOW)
    ax.grid(axis="y", alpha=0.3)
    png, svg = render(fig)
    share = onsite.sum() / max((grid + onsite).sum(), 1e-12)
    alt = (
        f"Stacked bar chart of daily average power over {len(days)} days. Grid supply averaged {_fmt(grid.mean())} MW "
        f"against a contracted capacity of {_fmt(contract.min())}–{_fmt(contract.max())} MW; on-site gas generators "
        f"averaged {_fmt(onsite.mean())} MW ({share:.0%} of supply)"
        + (f"; up to {_fmt(unserved.max())} MW a day could not be served." if unserved.any() else ".")
    )
    table = {
        "columns": ["Day (local)", "Grid (MW avg)", "On-site (MW avg)", "Not served (MW avg)", "Contract (MW)"],
        "rows": [[d, round(g, 2), round(o, 2), round(u, 2), round(c, 2)] for d, g, o, u, c in zip(days, grid, onsite, unserved, contract)],
    }
    return Chart("daily-supply", "Daily supply: grid vs on-site generation", alt, png, svg, table, fig)


def monthly_energy(series, zone):
    """Energy by local month, grid vs on-site (MWh)."""
    hours = _step_hours(series)
    months, (grid, onsite, unserved) = _group_sum(
        _local_keys(series.timestamps, zone, "%Y-%m"),
        series.grid_mw * hours, series.onsite_mw * hours, series.unserved_mw * hours,
    )
    fig = Figure(figsize=(8, 3.8), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(months))
    ax.bar(x, grid, color=GRID, label="Grid")
    ax.bar(x, onsite, bottom=grid, color=ONSITE, label="On-site gas generators")
    if unserved.any():
        ax.bar(x, unserved, bottom=grid + onsite, color=UNSERVED, label="Not served")
    ax.set_xticks(x, list(months))
    ax.set_ylabel("Energy (MWh)")
    ax.set_title("Energy by month")
    fig.legend(**LEGEND_BELOW)
    ax.grid(axis="y", alpha=0.3)
    png, svg = render(fig)
    alt = "Bar chart of energy by month: " + "; ".join(
        f"{m}: {_fmt(g)} MWh from the grid, {_fmt(o)} MWh on site" for m, g, o in zip(months, grid, onsite)
    ) + "."
    table = {
        "columns": ["Month (local)", "Grid (MWh)", "On-site (MWh)", "Not served (MWh)"],
        "rows": [[m, round(g, 1), round(o, 1), round(u, 1)] for m, g, o, u in zip(months, grid, onsite, unserved)],
    }
    return Chart("monthly-energy", "Energy by month", alt, png, svg, table, fig)


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
        grid_text = "grid not available" if p in missing_grid else f"{_fmt(g)} t from the grid"
        parts.append(f"{labels[p]}: {_fmt(o)} t on site, {grid_text}")
    alt = "Horizontal bar chart of emissions by pollutant on a log scale. " + "; ".join(parts) + "."
    table = {
        "columns": ["Pollutant", "On-site (t)", "Grid (t)", "Total (t)"],
        "rows": [
            [labels[p], _round(o), None if p in missing_grid else _round(g), _round(o + g)]
            for p, o, g in zip(pollutants, onsite, grid)
        ],
    }
    return Chart("emissions", "Emissions by pollutant", alt, png, svg, table, fig)


def _round(value):
    return float(f"{value:.4g}")


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
            f"{g.name}: {_fmt(g.energy_mwh)} MWh in total, {_fmt(g.run_hours_per_unit)} run hours and "
            f"{_fmt(g.starts_per_unit)} starts per unit, {g.load_factor_per_unit:.0%} average loading while running"
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
    """Each headline figure as a dot with its P5–P95 Monte Carlo range, one panel per figure."""
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
        spread = f", 90 % range {_fmt(m.p5)} to {_fmt(m.p95)}" if m.p5 is not None else ""
        parts.append(f"{m.label}: {_fmt(m.value)} {m.unit}{spread}")
    alt = "Dot-and-range chart of the headline figures. " + "; ".join(parts) + "."
    table = {
        "columns": ["Figure", "Unit", "Central", "P5", "P50", "P95"],
        "rows": [[m.label, m.unit, _round(m.value), *[None if v is None else _round(v) for v in (m.p5, m.p50, m.p95)]] for m in chosen],
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
        rows.append([base.label, base.unit, _round(base.value), *[_round(result.scenarios[n].metrics[key].value) for n in names]])
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
            f"{row[0]}: base {_fmt(row[2])} {row[1]}, " + ", ".join(f"{n} {_fmt(v)}" for n, v in zip(names, row[3:]))
            for row in rows
        ) + "."
    else:
        alt = "No scenarios were computed with this report."
    table = {"columns": ["Figure", "Unit", "Base case", *names], "rows": rows}
    return Chart("scenarios", "Scenarios compared", alt, png, svg, table, fig)


def report_charts(result, zone, snapshot=None):
    """Every chart of a report, in page order."""
    from impact.models import Pollutant

    base = result.base
    labels = {**dict(Pollutant.choices), "co2e": f"CO₂e ({base.gwp_set})"}
    missing = base.checks.get("grid_pollutants_missing", ()) if isinstance(base.checks, dict) else ()
    charts = [
        daily_supply(base.series, zone),
        monthly_energy(base.series, zone),
        emissions_by_pollutant(base.series, labels, missing),
        generator_output(base.series, base.generators, zone),
    ]
    if any(m.p5 is not None for m in base.metrics.values()):
        charts.append(headline_ranges(base.metrics))
    if result.scenarios:
        charts.append(scenario_comparison(result))
    return charts
