"""Downloads the worker makes with every run: hourly CSV, summary JSON and a PDF.

They are stored with the run (and so with the published version) together with their SHA-256,
so what a journalist downloads today is byte-for-byte what the page offered on publication. They
are made for the public: served energy only, without the staff's unserved-demand diagnostics
(impact.figures), every figure written with the same rounding as the page. They stay English
whatever the visitor's language (issue 14: data for journalists and analysts, one file per run);
impact.services.execute_run builds them under translation.override("en").
"""

import hashlib
import io
import json
import textwrap
from dataclasses import dataclass

import numpy as np
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from impact import figures
from impact import methods as report_methods
from impact import summary as plain
from portal.core.csvwriter import csv_text

A4_PORTRAIT = (8.27, 11.69)
ASSUMPTION_ROWS_PER_PAGE = 28
METHOD_ROWS_PER_PAGE = 32


# What each download adds to its name: the page's files, and the API's open-data bundle.
NAME_SUFFIXES = {"csv": "_hourly.csv", "json": "_summary.json", "pdf": ".pdf", "zip": ".zip"}


def download_name(run, kind, version=None):
    """The file name of a run's ``kind`` download, wherever it is made or served.

    ``<facility>_<period>_v<number><suffix>`` once published (what a reader cites), before that
    ``<facility>_<period>_<first 8 of the input hash><suffix>``: the worker stores its files under
    this draft name, before any version exists. A custom period's ".." becomes "_to_" so that no
    name holds a "..". The page's downloads (impact.views.download), the API's series CSV and
    bundle (impact.api.views) and the stored artifacts (build_downloads) all name files here.
    """
    report = run.report
    marker = f"v{version.number}" if version is not None else run.input_hash[:8]
    period = report.period.replace("..", "_to_")
    return f"{report.facility.slug}_{period}_{marker}{NAME_SUFFIXES[kind]}"


@dataclass(frozen=True)
class Download:
    kind: str
    filename: str
    content: bytes

    @property
    def sha256(self):
        return hashlib.sha256(self.content).hexdigest()


def iso_utc(stamps):
    """datetime64 (naive UTC) → '2024-07-01T05:00:00Z' strings."""
    return [f"{s}Z" for s in np.datetime_as_string(stamps.astype("datetime64[s]"), unit="s")]


def series_csv(columns):
    """The hourly series as CSV: ISO 8601 UTC timestamps, units in every column name.

    Written by portal.core.csvwriter, as the API's series CSV and the bundle's series.csv are: an hour
    without a value is an empty cell on every road, and this file is byte for byte what
    /api/v1/series-points/?format=csv streams for the same published run.
    """
    names = list(columns)
    stamps = iso_utc(columns["timestamp_utc"])
    data = [columns[n].astype(float).tolist() for n in names[1:]]
    rows = ([stamp, *(col[i] for col in data)] for i, stamp in enumerate(stamps))
    return csv_text(names, rows).encode()


def public_summary(engine_summary):
    """The engine's summary (RunResult.to_dict()) without the unserved-demand diagnostics."""

    def strip(result):
        metrics = result.get("metrics", {})
        return {**result, "metrics": {k: m for k, m in metrics.items() if k not in figures.DIAGNOSTIC_KEYS}}

    out = dict(engine_summary)
    if "base" in out:
        out["base"] = strip(out["base"])
    if "scenarios" in out:
        out["scenarios"] = {name: strip(r) for name, r in out["scenarios"].items()}
    if "comparison_rows" in out:
        out["comparison_rows"] = [r for r in out["comparison_rows"] if r.get("key") not in figures.DIAGNOSTIC_KEYS]
    return out


def summary_json(meta, engine_summary, assumptions):
    """Everything but the series, as indented JSON with sorted keys (stable bytes)."""
    payload = {**meta, "result": public_summary(engine_summary), "assumptions": assumptions}
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False, default=str).encode()


def report_pdf(meta, result, charts, assumptions):
    """A PDF: a summary page, one page per public chart, the Methods, then the assumptions with their sources."""
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": meta["title"], "CreationDate": None, "ModDate": None}) as pdf:
        pdf.savefig(_summary_page(meta, result))
        for chart in charts:
            if chart.figure is not None and chart.key not in figures.STAFF_CHART_KEYS:
                pdf.savefig(chart.figure)
        rows = report_methods.report_methods(result.base.to_dict(), assumptions)
        for start in range(0, max(len(rows["rows"]), 1), METHOD_ROWS_PER_PAGE):
            pdf.savefig(_methods_page(rows, start))
        for start in range(0, max(len(assumptions), 1), ASSUMPTION_ROWS_PER_PAGE):
            pdf.savefig(_assumptions_page(assumptions[start : start + ASSUMPTION_ROWS_PER_PAGE], start))
    return buffer.getvalue()


def _summary_page(meta, result):
    fig = Figure(figsize=A4_PORTRAIT)
    fig.text(0.08, 0.95, meta["title"], fontsize=15, weight="bold", va="top")
    lines = [f"{meta['facility']} · {meta['period_label']}", f"Engine {meta['engine_version']}, inputs {meta['input_hash'][:16]}, GWP {meta['gwp_set']}", ""]
    base = result.base
    public = {k: m for k, m in base.metrics.items() if k not in figures.DIAGNOSTIC_KEYS}
    for sentence in plain.sentences(meta["period_label"], public, base.to_dict()):
        lines.extend(textwrap.wrap(sentence.text, 95) + [""])
    lines.append("Headline figures (central run at input medians; 90 % range P5–P95):")
    for key in figures.HEADLINE_KEYS:
        m = public.get(key)
        if m is None:
            continue
        spread = f"  (90 % range {figures.span(m.p5, m.p95, m.unit)})" if m.p5 is not None else ""
        lines.extend(textwrap.wrap(f"• {m.label}: {figures.fmt(m.value, m.unit)}{spread}", 95))
    fig.text(0.08, 0.90, "\n".join(lines), fontsize=8.5, va="top", family="DejaVu Sans")
    return fig


def _assumptions_page(rows, offset):
    fig = Figure(figsize=A4_PORTRAIT)
    fig.text(0.05, 0.97, "Assumptions and sources" + (" (continued)" if offset else ""), fontsize=12, weight="bold", va="top")
    ax = fig.add_axes([0.03, 0.03, 0.94, 0.9])
    ax.axis("off")
    cells = [
        [
            textwrap.shorten(a["label"], 42),
            _short(a["central"]),
            _short(a["low"]),
            _short(a["high"]),
            a["status"],
            textwrap.shorten(a["source"] or "—", 60),
        ]
        for a in rows
    ]
    if cells:
        table = ax.table(
            cellText=cells,
            colLabels=["Input", "Value", "Low", "High", "Status", "Source"],
            colWidths=[0.3, 0.09, 0.09, 0.09, 0.06, 0.37],
            loc="upper left",
        )
        table.auto_set_font_size(False)
        table.set_fontsize(6)
        table.scale(1, 1.6)
    return fig


def _methods_page(methods, offset):
    """The Methods table: every factor the run used, with value, unit, basis, regime, source and status."""
    fig = Figure(figsize=A4_PORTRAIT)
    fig.text(0.05, 0.97, "Methods: every factor used" + (" (continued)" if offset else ""), fontsize=12, weight="bold", va="top")
    gwp = methods["gwp"]
    if gwp:
        fig.text(0.05, 0.945, f"CO2e with GWP100 {gwp.get('set', '')}: CH4 {gwp.get('ch4')}, N2O {gwp.get('n2o')} "
                 f"({gwp.get('source', '')}, status {gwp.get('status', '')}). Grid rates: location-based and market-based "
                 "per the GHG Protocol scope-2 guidance. Equations with worked examples: /methods/.", fontsize=6.5, va="top",
                 wrap=True)
    ax = fig.add_axes([0.03, 0.03, 0.94, 0.88])
    ax.axis("off")
    rows = methods["rows"][offset : offset + METHOD_ROWS_PER_PAGE]
    cells = [
        [
            textwrap.shorten(r["scope_label"].split(" (")[0], 28),
            textwrap.shorten(str(r.get("part") or ""), 22),
            r.get("pollutant") or "",
            textwrap.shorten(str(r.get("regime") or ""), 30),
            _short(r.get("value")),
            r.get("unit") or "",
            r.get("basis") or "",
            textwrap.shorten(figures.citation(r) or "—", 48),
            r["status"],
        ]
        for r in rows
    ]
    if cells:
        table = ax.table(
            cellText=cells,
            colLabels=["Scope", "Part", "Pollutant", "Regime", "Value", "Unit", "Basis", "Source, section, year", "Status"],
            colWidths=[0.13, 0.11, 0.07, 0.16, 0.07, 0.07, 0.05, 0.28, 0.06],
            loc="upper left",
        )
        table.auto_set_font_size(False)
        table.set_fontsize(5.5)
        table.scale(1, 1.5)
    else:
        fig.text(0.05, 0.9, "This run's engine did not list the factors it used; see the assumptions.", fontsize=8)
    return fig


def _short(value):
    """An input in a PDF table cell, quoted as the page quotes it (impact.figures.factor: "82,319", never "8.232e+04")."""
    return figures.factor(value)


def _public_columns(columns):
    return {name: values for name, values in columns.items() if name not in figures.DIAGNOSTIC_SERIES_COLUMNS}


def build_downloads(run, result, charts):
    """The three downloads for a run, under their draft names (download_name)."""
    report = run.report
    assumptions = run.input_snapshot.get("assumptions", [])
    meta = {
        "title": f"{report.facility.name}: {report.period_label}",
        "facility": report.facility.name,
        "facility_slug": report.facility.slug,
        "period": report.period,
        "period_label": report.period_label,
        "engine_version": result.base.engine_version,
        "input_hash": run.input_hash,
        "gwp_set": run.gwp_set,
        "monte_carlo_samples": run.monte_carlo_samples,
        "seed": run.seed,
        "timestamps": "ISO 8601, UTC; each row is the step starting at that time",
    }
    engine_summary = result.to_dict()
    return [
        Download("csv", download_name(run, "csv"), series_csv(_public_columns(result.base.series.columns()))),
        Download("json", download_name(run, "json"), summary_json(meta, engine_summary, assumptions)),
        Download("pdf", download_name(run, "pdf"), report_pdf(meta, result, charts, assumptions)),
    ]
