"""The engine's metric and pollutant labels in the reader's language (issue 14).

impact.engine.labels stays free of Django, so its English labels are translated here, key by key:
the engine names a figure, this module says it in the active language. A key the mapping does not
know (a metric added to the engine later) keeps the engine's English label rather than no label.
"""

from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from impact.engine.inputs import POLLUTANTS
from impact.engine.labels import METRIC_LABELS, POLLUTANT_SYMBOLS

# The pollutant symbols that are words, not chemistry: the others (CO₂, NOₓ, ...) read the same.
_SYMBOL_WORDS = {
    "pm": _("PM (total, as PM2.5)"),
    "formaldehyde": _("Formaldehyde"),
}

_POLLUTANT_NAMES = {
    "co2": _("Carbon dioxide (CO2)"),
    "ch4": _("Methane (CH4)"),
    "n2o": _("Nitrous oxide (N2O)"),
    "nox": _("Nitrogen oxides (NOx)"),
    "co": _("Carbon monoxide (CO)"),
    "voc": _("Volatile organic compounds (VOC)"),
    "pm": _("Fine particles (PM, filterable + condensable)"),
    "so2": _("Sulphur dioxide (SO2)"),
    "formaldehyde": _("Formaldehyde"),
    "co2e": _("Greenhouse gases as CO2-equivalent (CO2e)"),
}

_BASE = {
    "energy_it_mwh": _("Electricity used by the computers (IT load, served)"),
    "energy_facility_mwh": _("Electricity used by the whole facility, cooling included (served by grid, generators and batteries)"),
    "energy_grid_mwh": _("Electricity drawn from the grid (battery charging included)"),
    "energy_onsite_mwh": _("Electricity made on site by gas generators and used by the load"),
    "energy_battery_discharge_mwh": _("Electricity delivered by batteries"),
    "energy_battery_charge_mwh": _("Electricity taken to charge batteries"),
    "energy_battery_losses_mwh": _("Battery losses (charged × (1 − round-trip efficiency))"),
    "energy_surplus_mwh": _("On-site generation above the load (forced by minimum-load limits; fuel still burned)"),
    "energy_demand_mwh": _("Modelled demand with unlimited supply (diagnostic)"),
    "energy_unserved_mwh": _("Modelled demand no supply could deliver (curtailed demand; diagnostic)"),
    "unserved_share": _("Share of modelled demand no supply could deliver (diagnostic)"),
    "unserved_hours_h": _("Hours with demand no supply could deliver (diagnostic)"),
    "peak_facility_mw": _("Highest facility power draw (served)"),
    "peak_it_mw": _("Highest IT power draw (served)"),
    "mean_pue": _("Power usage effectiveness over the period (facility ÷ IT energy)"),
    "mean_utilisation": _("Average utilisation of the energised accelerators (modelled)"),
    "mean_accelerators_energised": _("Accelerators installed and energised, average over the period"),
    "onsite_share": _("Share of facility electricity made on site"),
    "fuel_mmbtu": _("Natural gas burned on site (higher heating value)"),
    "fuel_scf": _("Natural gas burned on site (volume)"),
    "generator_starts": _("Generator unit starts (startup/shutdown events)"),
    "water_onsite_m3": _("Water used on site for cooling"),
    "water_generation_m3": _("Water used by power plants making the grid electricity"),
}

# Units written in words; the others (MWh, MW, t, m³, MMBtu, h) are symbols in both languages.
_UNIT_WORDS = {"standard cubic feet": _("standard cubic feet")}

# "<pollutant> ..." labels, one whole phrase per place, so each language orders its own words.
_POLLUTANT_PHRASES = {
    "onsite_t": _("%(name)s from on-site generators"),
    "grid_t": _("%(name)s from grid electricity (at the power plants; location-based)"),
    "total_t": _("%(name)s, on site and grid (location-based)"),
    "grid_market_t": _("%(name)s from grid electricity (market-based, supplier's system rate)"),
    "total_market_t": _("%(name)s, on site and grid (market-based)"),
}


def pollutant_symbol(pollutant):
    """A pollutant's short name for tables and charts: "NOₓ", "Formaldehído"."""
    if pollutant in _SYMBOL_WORDS:
        return str(_SYMBOL_WORDS[pollutant])
    return POLLUTANT_SYMBOLS.get(pollutant, pollutant)


def pollutant_symbols():
    """Every pollutant → its short name in the active language (the charts' panel titles)."""
    return {p: pollutant_symbol(p) for p in POLLUTANT_SYMBOLS}


def pollutant_name(pollutant):
    """A pollutant's full name in the active language: "Nitrogen oxides (NOx)"; the key when unknown."""
    return str(_POLLUTANT_NAMES[pollutant]) if pollutant in _POLLUTANT_NAMES else (pollutant or "")


def metric_label(key, fallback=""):
    """The label of metric ``key`` in the active language; ``fallback`` (or the engine's English) if unknown."""
    if key in _BASE:
        return str(_BASE[key])
    for pollutant in (*POLLUTANTS, "co2e"):
        rest = key[len(pollutant) + 1:] if key.startswith(f"{pollutant}_") else None
        if rest in _POLLUTANT_PHRASES:
            return str(_POLLUTANT_PHRASES[rest]) % {"name": _POLLUTANT_NAMES[pollutant]}
    return fallback or METRIC_LABELS.get(key, (key, ""))[0]


def unit_words(unit):
    """A unit written in words in the active language ("standard cubic feet"); symbols unchanged."""
    return str(_UNIT_WORDS[unit]) if unit in _UNIT_WORDS else unit


def translated(metrics):
    """Set each metric's ``label`` (a ReportMetric, in memory only, never saved) to the active language's."""
    for metric in metrics:
        metric.label = metric_label(metric.key, metric.label)
    return metrics


_MONTH_ABBR = (
    pgettext_lazy("month abbreviation", "Jan"), pgettext_lazy("month abbreviation", "Feb"),
    pgettext_lazy("month abbreviation", "Mar"), pgettext_lazy("month abbreviation", "Apr"),
    pgettext_lazy("month abbreviation", "May"), pgettext_lazy("month abbreviation", "Jun"),
    pgettext_lazy("month abbreviation", "Jul"), pgettext_lazy("month abbreviation", "Aug"),
    pgettext_lazy("month abbreviation", "Sep"), pgettext_lazy("month abbreviation", "Oct"),
    pgettext_lazy("month abbreviation", "Nov"), pgettext_lazy("month abbreviation", "Dec"),
)


def month_abbr(month):
    """A month's short name, 1 → "Jan" ("ene" in Spanish), for chart ticks and date ranges."""
    return str(_MONTH_ABBR[month - 1])


def month_year(month, year):
    """"July 2024" ("julio de 2024"): Django's own month names, in a phrase each language orders."""
    return _("%(month)s %(year)s") % {"month": MONTHS[month], "year": year}
