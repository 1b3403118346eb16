"""What the public reads, and how every figure is written.

One place for the headline keys, the staff-only diagnostics and the rounding rule, so the
plain-language text, the headline list, the charts' alt text, the PDF and the API's formatted
figures can never disagree about a number (issue 10: the home page said 29 % where a chart said
80 %).

Energy figures are *served* energy: what the grid, the on-site generators and the batteries
actually delivered. Modelled demand beyond every supply is a diagnostic for staff, never
consumption; a published report shows the unserved share only beside the analyst's written
acknowledgement (see :func:`impact.services.publish_run`).
"""

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


def number(value, digits=3):
    """The one rounding rule: 82319.4 → "82,319"; 0.01234 → "0.0123"; 0 → "0"; None → "n/a".

    Three significant figures below 100, whole numbers with thousands separators above.
    """
    if value is None or value == "":
        return "n/a"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{int(digits)}g}"


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


def percent(fraction):
    """A fraction as a percentage with one decimal: 0.2934 → "29.3 %"."""
    if fraction is None:
        return "n/a"
    return f"{float(fraction) * 100:.1f} %"


def metric_text(value, unit):
    """A metric value in its unit; fractions are percentages. The same string everywhere."""
    if unit == "fraction":
        return percent(value)
    return f"{number(value)} {unit}".strip()


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

