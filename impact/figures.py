"""What the public reads, and how every figure is written.

One place for the headline keys, the staff-only diagnostics and the rounding rule, so the
plain-language text, the headline list, the charts' alt text, the PDF and the API's formatted
figures can never disagree about a number (issue 10: the home page said 29 % where a chart said
80 %). :func:`fmt` is the one entry point for a figure in its unit, :func:`span` for a range
(issue 14: "8–8 MW", "0 t" where the chart said "n/a", "85.0 %" with the unit "fraction").

Energy figures are *served* energy: what the grid, the on-site generators and the batteries
actually delivered. Modelled demand beyond every supply is a diagnostic for staff, never
consumption; a published report shows the unserved share only beside the analyst's written
acknowledgement (see :func:`impact.services.publish_run`).
"""

import math

from django.utils.translation import gettext, gettext_noop

from impact.labels import unit_words

HEADLINE_KEYS = (
    "energy_facility_mwh",
    "peak_facility_mw",
    "onsite_share",
    "co2e_total_t",
    "co2e_total_market_t",
    "nox_onsite_t",
    "water_onsite_m3",
)

# Diagnostics of the supply-constrained model: what demand would have been with unlimited supply.
DIAGNOSTIC_KEYS = ("energy_demand_mwh", "energy_unserved_mwh", "unserved_share", "unserved_hours_h")
DIAGNOSTIC_SERIES_COLUMNS = ("demand_mw", "unserved_mw")
# Charts drawn for staff only (the draft page); the public pages and chart URLs never serve them.
STAFF_CHART_KEYS = ("demand-vs-served",)

GALLONS_PER_M3 = 264.172052  # 1 m³ = 1000 L ÷ 3.785411784 L per US gallon (NIST Handbook 44)


# Written in the reader's language (gettext at the call); the PDF and CSV, drawn outside any
# request, read English.
NOT_AVAILABLE = gettext_noop("not available")
# How a unit is written beside a figure: a fraction is written as a percentage, so its unit reads
# "%" (never "85.0 % fraction"); a count needs no unit.
UNIT_LABELS = {"fraction": "%", "count": ""}


def unit_label(unit):
    """The unit as a reader sees it beside a figure written by :func:`fmt`: "fraction" → "%"."""
    return UNIT_LABELS.get(unit, unit_words(unit or ""))


def _float(value):
    """``value`` as a float, or None when it is not available (None, "", NaN, ±infinity)."""
    if value is None or value == "":
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def number(value, digits=3):
    """The one rounding rule: 82319.4 → "82,319"; 0.01234 → "0.0123"; 0 → "0"; None or NaN → "not available".

    ``digits`` significant figures below 100, whole numbers with thousands separators from 100 up;
    never scientific notation (0.0000123 → "0.0000123", not "1.23e-05"). A value is rounded once,
    here: callers pass full precision, so no figure is rounded two ways in two places.
    """
    if isinstance(value, str) and value and _float(value) is None:
        return value  # already words ("—", a label): leave it
    value = _float(value)
    if value is None:
        return gettext(NOT_AVAILABLE)
    if value == 0:
        return "0"
    decimals = max(int(digits) - 1 - math.floor(math.log10(abs(value))), 0)
    value = round(value, decimals)
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def factor(value):
    """An input or emission factor exactly as the run used it (up to 6 significant figures): 931.59 → "931.59".

    Inputs are quoted, not rounded like results: a reader must be able to find the same number in the source.
    """
    if value is None or value == "":
        return "—"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if abs(value) >= 1e6:
        return f"{value:,.0f}"
    text = f"{value:.6g}"
    if "e" in text:  # tiny factors such as 1e-04 read better as decimals
        text = f"{value:.10f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    whole = f"{int(whole):,}" if whole.lstrip("-").isdigit() else whole
    return f"{whole}.{decimals}" if decimals else whole


def fmt(value, unit="", digits=3):
    """Every figure the public reads, in its unit: pages, alt text, chart labels, the PDF, the CLI.

    - None, NaN or infinity → "not available", never "0";
    - a fraction is a percentage with one decimal: fmt(0.85, "fraction") → "85.0 %";
    - anything else is :func:`number` and its unit: fmt(82319.4, "MWh") → "82,319 MWh";
      a count has no unit: fmt(42, "count") → "42".
    """
    value = _float(value)
    if value is None:
        return gettext(NOT_AVAILABLE)
    if unit == "fraction":
        return f"{value * 100:.1f} %"
    return f"{number(value, digits)} {unit_label(unit)}".strip()


def metric_text(value, unit):
    """A metric value in its unit (the templates' ``|metric`` filter): :func:`fmt`."""
    return fmt(value, unit)


def percent(fraction):
    """A fraction as a percentage with one decimal: 0.2934 → "29.3 %"; None → "not available"."""
    return fmt(fraction, "fraction")


def span(low, high, unit=""):
    """A range written once, its unit at the end: "23,050–28,413 MWh", "55.1–58.0 %".

    The one rule for a range whose ends are written the same ("8–8 MW"): it is narrower than the
    rounding, so it reads "about 8 MW". Either end not available → "not available".
    """
    low, high = _float(low), _float(high)
    if low is None or high is None:
        return gettext(NOT_AVAILABLE)
    ends = [fmt(v, unit) for v in (low, high)]
    if ends[0] == ends[1]:
        return gettext("about %(figure)s") % {"figure": ends[0]}
    label = unit_label(unit)
    words = [e[: -len(label)].strip() if label and e.endswith(label) else e for e in ends]
    if low < 0 or high < 0:  # "−5–3" would read as a subtraction
        return (gettext("%(low)s to %(high)s") % {"low": words[0], "high": words[1]} + f" {label}").strip()
    return f"{words[0]}–{words[1]} {label}".strip()


def column(name, unit):
    """A table or CSV column header with its unit written as the cells are: "Grid (MWh)", "Share (%)"."""
    label = unit_label(unit)
    return f"{name} ({label})" if label else name


def unavailable_keys(checks):
    """Metric keys a run could not estimate, from its checks: grid figures of pollutants without a
    grid rate (the engine counts them as 0, which is not a measurement) and market-based grid
    figures without a supplier rate. Pages write these as "not available"."""
    checks = checks if isinstance(checks, dict) else {}
    keys = {f"{p}_grid_t" for p in checks.get("grid_pollutants_missing") or ()}
    keys |= {f"{p}_grid_market_t" for p in checks.get("grid_market_pollutants_missing") or ()}
    return keys


def is_public_metric(key, version=None):
    """Whether the public may read this metric of ``version``.

    The unserved share joins the public figures only when an analyst published the run with a
    written acknowledgement, which the page shows beside it.
    """
    if key not in DIAGNOSTIC_KEYS:
        return True
    return key == "unserved_share" and bool(getattr(version, "unserved_acknowledgement", ""))


def public_series_columns(columns):
    """Series columns without the staff-only demand diagnostics."""
    return [c for c in columns if c not in DIAGNOSTIC_SERIES_COLUMNS]


def unserved_share(metrics):
    """Share of modelled demand no supply could deliver, from ``key → metric`` (value attr or dict).

    None when the run carries no such diagnostic at all.
    """

    def value(key):
        m = metrics.get(key)
        if m is None:
            return None
        return m.get("value") if isinstance(m, dict) else m.value

    share = value("unserved_share")
    if share is not None:
        return float(share)
    unserved, demand = value("energy_unserved_mwh"), value("energy_demand_mwh")
    if unserved is None:
        return None
    if demand:
        return float(unserved) / float(demand)
    # Runs from before served energy (engine < 2): their facility energy *was* the demand.
    facility = value("energy_facility_mwh")
    return float(unserved) / float(facility) if facility else 0.0


def citation(row):
    """A source named once: title, section and year, from an assumption or Methods row.

    Snapshots store ``source`` as the Source's own text ("title, section, year") beside its
    section and year; older rows may hold the title alone. Parts already in ``source`` are not
    added again, so neither shows "Table 3.2-2, 2000, Table 3.2-2".
    """
    text = str(row.get("source") or "")
    for part in (row.get("source_section"), row.get("source_year")):
        part = str(part or "")
        if part and part not in text:
            text = f"{text}, {part}" if text else part
    return text

