"""The data dictionary: what every exported column means, its unit and where its numbers come from.

Series columns follow impact.engine.result.Series.columns(): the unit is the last part of the name.
Each hourly row covers the hour that starts at ``timestamp_utc``; powers are averages over that
hour, masses, volumes and fuel are totals for it. Patterns with <slug> and <pollutant> cover
every generator group and every pollutant the engine computes.
"""

import re

from impact.engine.labels import POLLUTANT_SYMBOLS

ENGINE = "Computed by the portal's engine from the run's input snapshot (input_snapshot.json)."
INPUTS = "The facility inputs in input_snapshot.json; their ranges and sources are in assumptions.csv."

# pattern → (meaning, unit, source). Order matters: the first matching pattern describes a column.
SERIES_COLUMNS = [
    ("timestamp_utc", "Start of the hour, ISO 8601 in UTC.", "UTC time", "Engine time base."),
    ("temperature_c", "Outdoor temperature assumed for the hour (daily cycle between the monthly normal low and high).",
     "°C", "Monthly climate normals cited in the input snapshot (facility climate source)."),
    ("pue", "Power usage effectiveness in the hour: facility power divided by IT power.", "ratio",
     "Cooling inputs (PUE at the reference temperature and its rise per °C)."),
    ("it_load_mw", "Mean power drawn by the servers, accelerators, networking and storage (served).", "MW",
     "Compute fleet inputs (energised accelerators per dated stage, TDP, idle power, utilisation, host idle and "
     "maximum power per server, network and storage share)."),
    ("facility_load_mw", "Mean power drawn by the whole site, as served: grid_mw + onsite_mw + battery_discharge_mw "
     "− battery_charge_mw. Never more than some supply delivered.", "MW", ENGINE),
    ("demand_mw", "Staff diagnostic: what the site would have drawn with unlimited supply (IT demand times PUE). "
     "Not consumption.", "MW", ENGINE),
    ("grid_capacity_mw", "Grid capacity contracted in the hour (0 outside every contract).", "MW",
     "Grid contracts in the input snapshot."),
    ("grid_mw", "Mean power taken from the utility grid, battery charging included.", "MW", ENGINE),
    ("onsite_mw", "Mean on-site generation that served the load.", "MW", ENGINE),
    ("battery_discharge_mw", "Mean power delivered by batteries to the load.", "MW", ENGINE),
    ("battery_charge_mw", "Mean power taken from the grid to charge batteries.", "MW", ENGINE),
    ("battery_soc_mwh", "Energy held in the batteries at the end of the hour.", "MWh",
     "Battery inputs (power, energy, round-trip efficiency, dispatch rule) in the input snapshot."),
    ("surplus_mw", "On-site generation above the load, forced by minimum-load limits (fuel still burned).", "MW",
     ENGINE),
    ("curtailed_mw", "Runs before engine 2 only: the old name of surplus_mw.", "MW", ENGINE),
    ("unserved_mw", "Staff diagnostic: demand that neither the grid, the batteries nor the on-site units could "
     "cover. Not consumption.", "MW", ENGINE),
    ("accelerators_energised", "Accelerators installed and energised in the hour.", "count",
     "Dated fleet stages in the input snapshot."),
    ("fuel_mmbtu", "Natural gas burned on site in the hour, higher heating value.", "MMBtu (HHV)",
     "Generator heat rates and part-load curve in the input snapshot."),
    ("fuel_scf", "Natural gas burned on site in the hour.", "standard cubic feet",
     "fuel_mmbtu divided by the gas heating value (40 CFR 98 Subpart C default 1,026 Btu/scf unless overridden)."),
    ("water_onsite_l", "Water consumed by the site's cooling in the hour.", "L",
     "Water use effectiveness (WUE) in the cooling inputs times the IT energy served."),
    ("water_generation_l", "Water consumed by power plants to make the grid electricity used; absent when the "
     "facility gives no rate for it (not estimated).", "L",
     "Grid generation water intensity in the input snapshot."),
    ("utilisation_fraction", "Accelerator utilisation, weighted by TDP.", "fraction (0–1)",
     "Compute fleet utilisation profile in the input snapshot."),
    (r"gen_(?P<slug>.+)_units_running", "Units of generator group <slug> running in the hour.", "count",
     "Dispatch by the engine; group size and availability in the input snapshot."),
    (r"gen_(?P<slug>.+)_mw", "Mean output of generator group <slug>.", "MW", ENGINE),
    (r"onsite_co2e_kg", "On-site greenhouse gases as CO₂ equivalent (GWP set of the run).", "kg CO₂e",
     "CO₂, CH₄ and N₂O times IPCC global warming potentials (the run's gwp_set, AR5 or AR6, 100-year)."),
    (r"grid_co2e_kg", "Greenhouse gases from the grid electricity used, as CO₂ equivalent.", "kg CO₂e",
     "Grid emission rates times grid energy, weighted by the run's GWP set."),
    (r"onsite_(?P<pollutant>[a-z0-9]+)_kg", "<pollutant> emitted by the on-site generators in the hour.", "kg",
     "Fuel burned times the factor in force that hour: AP-42 §3.1 (turbines) or §3.2 (engines, by load band), a "
     "controlled factor from a control's date, or a regulatory limit; CO₂ from 40 CFR 98 Table C-1. Each is listed "
     "in the report's Methods section."),
    (r"grid_market_(?P<pollutant>[a-z0-9]+)_kg", "<pollutant> from the grid electricity used, market-based (the "
     "supplier's own system rate; GHG Protocol scope 2).", "kg",
     "Grid energy times the supplier's system rates (lb/MWh) cited in the input snapshot."),
    (r"grid_(?P<pollutant>[a-z0-9]+)_kg", "<pollutant> emitted by power plants for the grid electricity used "
     "(location-based: the regional grid average; GHG Protocol scope 2).", "kg",
     "Grid energy times the grid emission rates (lb/MWh) cited in the input snapshot."),
]
_COMPILED = [(re.compile(f"^{pattern}$"), meaning, unit, source) for pattern, meaning, unit, source in SERIES_COLUMNS]
_POLLUTANT_LABELS = POLLUTANT_SYMBOLS

METRIC_COLUMNS = [
    ("version", "Report version id (see /api/v1/report-versions/).", "", "Portal."),
    ("run", "Run id: the computation the version publishes.", "", "Portal."),
    ("facility", "Facility slug.", "", "Portal."),
    ("period", "Report period key (2024-07, 2024-Q3, 2024, or first..last day).", "", "Portal."),
    ("scenario", "Scenario name; empty for the base case.", "", INPUTS),
    ("key", "Metric key; the unit is in the key and in the unit column.", "", ENGINE),
    ("label", "What the metric measures, in words.", "", ENGINE),
    ("unit", "Unit of value, p5, p50 and p95.", "", ENGINE),
    ("value", "Central estimate: the run with every uncertain input at its median (so p5 ≤ value ≤ p95). Energy "
     "figures are served energy.", "see unit", ENGINE),
    ("p5", "5th percentile of the Monte Carlo samples over the input ranges.", "see unit", ENGINE),
    ("p50", "Median of the Monte Carlo samples.", "see unit", ENGINE),
    ("p95", "95th percentile of the Monte Carlo samples.", "see unit", ENGINE),
]

ASSUMPTION_COLUMNS = [
    ("path", "Engine input path the assumption sets, e.g. generators.0.rated_mw.", "", INPUTS),
    ("label", "What the input is, in words.", "", INPUTS),
    ("unit", "Unit of central, low and high.", "", INPUTS),
    ("central", "Value used for the central estimate.", "see unit", "The cited source (see source)."),
    ("low", "Low end of the range sampled by the Monte Carlo run.", "see unit", "The cited source (see source)."),
    ("high", "High end of the range sampled by the Monte Carlo run.", "see unit", "The cited source (see source)."),
    ("distribution", "How the range is sampled: triangular, uniform or fixed.", "", INPUTS),
    ("status", "Confidence: S read in the source, 2° secondary, U unverified, D derived.", "", INPUTS),
    ("source", "Citation of the source.", "", INPUTS),
    ("source_url", "Link to the source, where it is online.", "", INPUTS),
    ("note", "Analyst's note on the figure.", "", INPUTS),
    ("source_section", "Section, table or page of the source.", "", INPUTS),
    ("source_year", "Year (vintage) of the source.", "", INPUTS),
    ("distribution_reason", "Why the range has the shape it has.", "", INPUTS),
]


def describe_series_column(name):
    """(meaning, unit, source) of a series column, or a plain fallback for a column not listed here."""
    for regex, meaning, unit, source in _COMPILED:
        match = regex.match(name)
        if match:
            groups = match.groupdict()
            if "slug" in groups:
                meaning = meaning.replace("<slug>", groups["slug"].replace("_", "-"))
            if "pollutant" in groups:
                meaning = meaning.replace("<pollutant>", _POLLUTANT_LABELS.get(groups["pollutant"], groups["pollutant"]))
            return meaning, unit, source
    unit = name.rsplit("_", 1)[-1] if "_" in name else ""
    return "Engine series column (unit in the last part of the name).", unit, ENGINE


def dictionary_rows(series_columns):
    """Every column of the bundle's CSV files as (file, column, meaning, unit, source) rows."""
    rows = []
    for column in ["timestamp_utc", *series_columns]:
        rows.append(("series.csv", column, *describe_series_column(column)))
    for column, meaning, unit, source in METRIC_COLUMNS:
        rows.append(("metrics.csv", column, meaning, unit, source))
    for column, meaning, unit, source in ASSUMPTION_COLUMNS:
        rows.append(("assumptions.csv", column, meaning, unit, source))
    return rows
