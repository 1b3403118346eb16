"""Plain-language labels and units for every metric key."""

from __future__ import annotations

from .inputs import POLLUTANTS

# Short names for tables, charts and form choices (impact.models.Pollutant is built from these).
POLLUTANT_SYMBOLS = {
    "co2": "CO₂",
    "ch4": "CH₄",
    "n2o": "N₂O",
    "nox": "NOₓ",
    "co": "CO",
    "voc": "VOC",
    "pm": "PM (total, as PM2.5)",
    "so2": "SO₂",
    "formaldehyde": "Formaldehyde",
}

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

# Energy figures are what some supply actually delivered ("served"): the grid, on-site generators
# and batteries. What the model's demand asked for beyond every supply is a diagnostic for staff
# (energy_demand_mwh, energy_unserved_mwh, unserved_share), never consumption.
_BASE = {
    "energy_it_mwh": ("Electricity used by the computers (IT load, served)", "MWh"),
    "energy_facility_mwh": ("Electricity used by the whole facility, cooling included (served by grid, generators and batteries)", "MWh"),
    "energy_grid_mwh": ("Electricity drawn from the grid (battery charging included)", "MWh"),
    "energy_onsite_mwh": ("Electricity made on site by gas generators and used by the load", "MWh"),
    "energy_battery_discharge_mwh": ("Electricity delivered by batteries", "MWh"),
    "energy_battery_charge_mwh": ("Electricity taken to charge batteries", "MWh"),
    "energy_battery_losses_mwh": ("Battery losses (charged × (1 − round-trip efficiency))", "MWh"),
    "energy_surplus_mwh": ("On-site generation above the load (forced by minimum-load limits; fuel still burned)", "MWh"),
    "energy_demand_mwh": ("Modelled demand with unlimited supply (diagnostic)", "MWh"),
    "energy_unserved_mwh": ("Modelled demand no supply could deliver (curtailed demand; diagnostic)", "MWh"),
    "unserved_share": ("Share of modelled demand no supply could deliver (diagnostic)", "fraction"),
    "unserved_hours_h": ("Hours with demand no supply could deliver (diagnostic)", "h"),
    "peak_facility_mw": ("Highest facility power draw (served)", "MW"),
    "peak_it_mw": ("Highest IT power draw (served)", "MW"),
    "mean_pue": ("Power usage effectiveness over the period (facility ÷ IT energy)", "ratio"),
    "mean_utilisation": ("Average utilisation of the energised accelerators (modelled)", "fraction"),
    "mean_accelerators_energised": ("Accelerators installed and energised, average over the period", "count"),
    "onsite_share": ("Share of facility electricity made on site", "fraction"),
    "fuel_mmbtu": ("Natural gas burned on site (higher heating value)", "MMBtu"),
    "fuel_scf": ("Natural gas burned on site (volume)", "standard cubic feet"),
    "generator_starts": ("Generator unit starts (startup/shutdown events)", "count"),
    "water_onsite_m3": ("Water used on site for cooling", "m³"),
    "water_generation_m3": ("Water used by power plants making the grid electricity", "m³"),
}


def metric_labels() -> dict[str, tuple[str, str]]:
    """Ordered key -> (label, unit) for every metric the engine reports."""
    out = dict(_BASE)
    for p in POLLUTANTS + ("co2e",):
        name = POLLUTANT_NAMES[p]
        out[f"{p}_onsite_t"] = (f"{name} from on-site generators", "t")
        out[f"{p}_grid_t"] = (f"{name} from grid electricity (at the power plants; location-based)", "t")
        out[f"{p}_total_t"] = (f"{name}, on site and grid (location-based)", "t")
    # Scope 2, market-based (the supplier's own system rate; GHG Protocol scope-2 guidance), beside
    # the location-based figures above. Only for the greenhouse gases a supplier reports.
    for p in ("co2", "co2e"):
        name = POLLUTANT_NAMES[p]
        out[f"{p}_grid_market_t"] = (f"{name} from grid electricity (market-based, supplier's system rate)", "t")
        out[f"{p}_total_market_t"] = (f"{name}, on site and grid (market-based)", "t")
    return out


METRIC_LABELS = metric_labels()
