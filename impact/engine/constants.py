"""Physical constants, unit conversions, GWP sets and comparison bases, each with its source.

Status letters follow shared/reference/factors.md: S read in the cited source, 2° secondary,
U unverified, D derived here.
"""

from __future__ import annotations

# --- Unit conversions -------------------------------------------------------------------------

# 1 kWh = 3,412.14 Btu (International Table Btu; EIA "Energy conversion calculators";
# factors.md §5 rounds to 3,412). Also the heat rate of a 100 %-efficient generator.
BTU_PER_KWH = 3412.14
# Exact by definition of the international avoirdupois pound (1959; NIST Handbook 44, App. C).
KG_PER_LB = 0.45359237
# Exact: 1 US gallon = 231 in³ = 3.785411784 L (NIST Handbook 44, App. C).
LITRES_PER_US_GALLON = 3.785411784
KWH_PER_MWH = 1000.0
BTU_PER_MMBTU = 1.0e6
KG_PER_TONNE = 1000.0  # metric tonne; every "_t" metric is metric tonnes
LITRES_PER_M3 = 1000.0
# Julian year (365.25 d), used only to scale per-year and per-month comparison bases to a period.
HOURS_PER_YEAR = 8766.0
HOURS_PER_MONTH = HOURS_PER_YEAR / 12.0
HOURS_PER_DAY = 24.0


def fahrenheit_to_celsius(temp_f: float) -> float:
    """°C = (°F − 32) × 5/9 (exact)."""
    return (temp_f - 32.0) * 5.0 / 9.0


# --- Global warming potentials (100-year) -----------------------------------------------------

# factors.md §3 marks both sets U (recalled, check before relying on the last digit).
# AR6 uses the fossil-methane value because every CH4 source here burns fossil natural gas.
GWP_SETS = {
    "AR5": {
        "co2": 1.0,
        "ch4": 28.0,
        "n2o": 265.0,
        "source": "IPCC AR5 WG1 Table 8.7 (GWP100, no climate-carbon feedback)",
        "status": "U",
    },
    "AR6": {
        "co2": 1.0,
        "ch4": 29.8,
        "n2o": 273.0,
        "source": "IPCC AR6 WG1 Table 7.15 (GWP100, fossil CH4)",
        "status": "U",
    },
}

# --- Limits used by validation -----------------------------------------------------------------

# The physical bounds of each facility input (PUE, heat rate, …) live in bounds.py.
# Guard against runaway memory: 5 M steps is about 9.5 years at 1-minute resolution.
MAX_STEPS = 5_000_000
MAX_MONTE_CARLO_SAMPLES = 100_000

# --- Inference load shape ---------------------------------------------------------------------

# Hour of peak inference traffic, local time. Assumption (U): consumer chat traffic peaks in the
# evening; no measured Memphis figure exists. Only used by UtilisationProfile(kind="inference").
INFERENCE_PEAK_HOUR_LOCAL = 18.0

# --- Comparison bases (factors.md §8) ---------------------------------------------------------

# Tennessee residential electricity use, EIA-861 via iPropertyManagement (2018), status 2°.
TN_HOUSEHOLD_KWH_PER_MONTH = 1283.0
TN_HOUSEHOLD_SOURCE = "EIA-861 via iPropertyManagement (Tennessee, 2018); factors.md §8"
# MLGW record system peak, Aug 2007, WMC Action News 5; no newer record found. Status 2°.
MLGW_RECORD_PEAK_MW = 3395.8
MLGW_PEAK_SOURCE = "WMC Action News 5 (MLGW record system peak, Aug 2007); factors.md §8"
# Typical US passenger vehicle, 4.6 t CO2 per year. NOT in factors.md; recalled, status U.
PASSENGER_VEHICLE_T_CO2_PER_YEAR = 4.6
PASSENGER_VEHICLE_SOURCE = (
    "US EPA Greenhouse Gas Equivalencies (typical passenger vehicle), "
    "not in shared/reference/factors.md"
)
# EPA WaterSense: "more than 300 gallons of water per day" per American family. Status 2°.
FAMILY_WATER_GAL_PER_DAY = 300.0
FAMILY_WATER_SOURCE = "EPA WaterSense (>300 gal/day per family); factors.md §8"
