"""Plain-language labels and units for every metric key."""

from __future__ import annotations

from .inputs import POLLUTANTS

POLLUTANT_NAMES = {
    "co2": "Carbon dioxide (CO2)",
    "ch4": "Methane (CH4)",
    "n2o": "Nitrous oxide (N2O)",
    "nox": "Nitrogen oxides (NOx)",
    "co": "Carbon monoxide (CO)",
    "voc": "Volatile organic compounds (VOC)",
    "pm": "Fine particles (PM, filterable + condensable)",
    "so2": "Sulphur dioxide (SO2)",
    "formaldehyde": "Formaldehyde",
    "co2e": "Greenhouse gases as CO2-equivalent (CO2e)",
}

_BASE = {
    "energy_it_mwh": ("Electricity used by the computers (IT load)", "MWh"),
    "energy_facility_mwh": ("Electricity used by the whole facility, cooling included", "MWh"),
    "energy_grid_mwh": ("Electricity drawn from the grid", "MWh"),
    "energy_onsite_mwh": ("Electricity made on site by gas generators", "MWh"),
    "energy_curtailed_mwh": ("On-site generation above the load (forced by minimum-load limits)", "MWh"),
    "energy_unserved_mwh": ("Demand neither the grid nor the generators could cover", "MWh"),
    "unserved_hours_h": ("Hours with uncovered demand", "h"),
    "peak_facility_mw": ("Highest facility power draw", "MW"),
    "peak_it_mw": ("Highest IT power draw", "MW"),
    "mean_pue": ("Power usage effectiveness over the period (facility ÷ IT energy)", "ratio"),
    "mean_utilisation": ("Average accelerator utilisation", "fraction"),
    "onsite_share": ("Share of facility electricity made on site", "fraction"),
    "fuel_mmbtu": ("Natural gas burned on site (higher heating value)", "MMBtu"),
    "fuel_scf": ("Natural gas burned on site (volume)", "standard cubic feet"),
    "water_onsite_m3": ("Water used on site for cooling", "m³"),
    "water_generation_m3": ("Water used by power plants making the grid electricity", "m³"),
}


def metric_labels() -> dict[str, tuple[str, str]]:
    """Ordered key -> (label, unit) for every metric the engine reports."""
    out = dict(_BASE)
    for p in POLLUTANTS + ("co2e",):
        name = POLLUTANT_NAMES[p]
        out[f"{p}_onsite_t"] = (f"{name} from on-site generators", "t")
        out[f"{p}_grid_t"] = (f"{name} from grid electricity (at the power plants)", "t")
        out[f"{p}_total_t"] = (f"{name}, on site and grid", "t")
    return out


METRIC_LABELS = metric_labels()
