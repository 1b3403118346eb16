"""Physical bounds of every numeric facility input, defined once.

The engine's validation checks each input against its bound here, and the Django model fields
build their validators from the same table (``impact.models.bounded``), so the admin form, the API
and the engine refuse the same value with the same limit. The bounds are generous on purpose: they
catch a slipped digit, a unit mistake (kW typed as W, Btu/ccf as Btu/scf) and values no machine
has (1e308), never a figure that is merely surprising. Status letters as in constants.py; a
number recalled rather than read in its source is marked U.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .constants import BTU_PER_KWH


@dataclass(frozen=True)
class Bound:
    """The closed range [low, high] a quantity can physically take, its unit, and why."""

    low: float
    high: float
    unit: str
    what: str  # the quantity, as a message names it ("PUE", "accelerator TDP")
    why: str  # why nothing real lies beyond ``high`` (the lower bounds say so themselves)

    def contains(self, value: float) -> bool:
        """True for a finite number within the bound (NaN and ±infinity never are)."""
        return isinstance(value, (int, float)) and math.isfinite(value) and self.low <= value <= self.high

    def describe(self) -> str:
        """'1–3 ratio', '0–10,000,000 count': the range as a message shows it."""
        return f"{number(self.low)}–{number(self.high)} {self.unit}"


def number(value: float) -> str:
    """A limit as people write it: 10,000,000 rather than 1e+07, 3,412.14, 0.1."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) < 1e15 else f"{value:g}"


_FRACTION = "a fraction runs from 0 (none) to 1 (all)"

BOUNDS: dict[str, Bound] = {
    # --- Compute ----------------------------------------------------------------------------------
    "accelerator_count": Bound(
        0, 10_000_000, "count", "accelerators",
        "the largest clusters announced plan about a million accelerators; ten million leaves ten times that",
    ),
    "tdp_w": Bound(
        0, 30_000, "W", "accelerator TDP",
        "a GPU package draws 300–2,700 W and a wafer-scale engine (Cerebras CS-3) about 23 kW (U)",
    ),
    "idle_w": Bound(
        0, 30_000, "W", "accelerator idle power",
        "idle power is below the TDP, and no accelerator's TDP exceeds 30 kW",
    ),
    "host_w_per_server": Bound(
        0, 100_000, "W", "host power per server",
        "even a whole rack modelled as one server (an NVL72 rack: about 120 kW in all, most of it in its GPUs) "
        "has well under 100 kW of host power (U)",
    ),
    "accelerators_per_server": Bound(
        1, 1_000, "count", "accelerators per server",
        "a rack-scale system modelled as one server carries 72 (NVL72) to 576 (NVL576) accelerators",
    ),
    "share_of_load": Bound(
        0, 1, "fraction", "networking and storage share", "it is at most as much again as the servers draw",
    ),
    "utilisation": Bound(0, 1, "fraction", "utilisation", "utilisation runs from 0 (idle) to 1 (flat out)"),
    "diurnal_amplitude": Bound(
        0, 1, "fraction", "daily swing", "above 1 the load would dip below zero at the daily low",
    ),
    # --- Cooling and climate ----------------------------------------------------------------------
    "pue": Bound(
        1, 3, "ratio", "PUE",
        "the Uptime Institute's 2007 survey average was 2.5 and AI halls run 1.1–1.4; above 3 the building would "
        "spend twice its IT load on overhead",
    ),
    "pue_slope_per_degc": Bound(
        0, 0.1, "per °C", "PUE slope",
        "measured PUE curves rise 0.005–0.02 per °C; 0.1 would add 1 to the PUE for every 10 °C",
    ),
    "temperature_c": Bound(
        -90, 60, "°C", "temperature",
        "the recorded extremes are −89.2 °C (Vostok, 1983) and 56.7 °C (Death Valley, 1913; WMO archive)",
    ),
    "utc_offset_hours": Bound(-14, 14, "h", "UTC offset", "the zones in use run from UTC−12 to UTC+14"),
    "wue_l_per_kwh": Bound(
        0, 20, "L/kWh", "WUE",
        "evaporative cooling in hot, dry climates draws 2–5 L/kWh and the industry average is about 1.8 (U)",
    ),
    "generation_water_l_per_kwh": Bound(
        0, 100, "L/kWh", "water intensity",
        "thermoelectric plants consume 1–3 L/kWh and reservoir hydropower about 17 (NREL, Macknick et al. 2012, "
        "median 4,491 gal/MWh; U)",
    ),
    # --- Grid -------------------------------------------------------------------------------------
    "capacity_mw": Bound(
        0, 10_000, "MW", "capacity",
        "the largest data-centre campuses proposed draw a few GW; MLGW's record system peak is 3,396 MW",
    ),
    "grid_rate_lb_per_mwh": Bound(
        0, 5_000, "lb/MWh", "emission rate",
        "a lignite plant emits about 2,500 lb CO2/MWh, the most of any pollutant from any grid (eGRID; U)",
    ),
    # --- On-site generators -----------------------------------------------------------------------
    "unit_count": Bound(0, 10_000, "count", "units", "no plant has ten thousand identical generator units"),
    "rated_mw": Bound(
        0, 1_000, "MW", "rated power",
        "the largest single gas turbines are rated about 570–600 MW (GE 9HA.02, Siemens SGT5-9000HL; U)",
    ),
    "load_fraction": Bound(0, 1, "fraction", "minimum load", "it is a fraction of rated output"),
    "availability": Bound(0, 1, "fraction", "availability", _FRACTION),
    "heat_rate_btu_per_kwh": Bound(
        BTU_PER_KWH, 30_000, "Btu/kWh", "heat rate",
        "below 3,412.14 Btu/kWh a generator would be over 100 % efficient; the oldest simple-cycle peakers run "
        "13,000–17,000 and 30,000 is 11 % efficient",
    ),
    "heat_rate_multiplier": Bound(
        0, 10, "ratio", "heat-rate multiplier",
        "turbines at a quarter load burn 1.5–2 times their full-load heat rate; 10 would be 1 % efficient",
    ),
    "shaft_to_electric_efficiency": Bound(
        0.5, 1, "fraction", "shaft-to-electric efficiency",
        "no machine makes energy, and generators convert 95–98 %, so below 0.5 is a unit mistake",
    ),
    "emission_factor_lb_per_mmbtu": Bound(
        0, 50, "lb/MMBtu", "emission factor",
        "the highest AP-42 gas-engine factors (NOx and CO, §3.2) are below 5 lb/MMBtu; 50 is ten times that (U)",
    ),
    "limit_g_per_bhp_hr": Bound(
        0, 100, "g/bhp-hr", "limit",
        "NSPS JJJJ limits are 1–4 g/bhp-hr and an uncontrolled rich-burn engine emits about 15–20 NOx (U)",
    ),
    "startup_lb_per_event": Bound(
        0, 10_000, "lb/event", "startup emission",
        "permit estimates for a large turbine's cold start reach hundreds of lb NOx and low thousands of lb CO (U)",
    ),
    # --- Batteries --------------------------------------------------------------------------------
    "battery_power_mw": Bound(
        0, 10_000, "MW", "power", "the largest battery plants deliver under 1 GW (Edwards & Sanborn, about 875 MW; U)",
    ),
    "battery_energy_mwh": Bound(
        0, 100_000, "MWh", "energy", "the largest battery plants hold about 3–4 GWh (U); 100 GWh is 25 times that",
    ),
    "round_trip_efficiency": Bound(
        0, 1, "fraction", "round-trip efficiency", "no battery returns more energy than it was charged with",
    ),
    "state_of_charge": Bound(0, 1, "fraction", "state of charge", "it runs from 0 (empty) to 1 (full)"),
    # --- Fuel -------------------------------------------------------------------------------------
    "gas_hhv_btu_per_scf": Bound(
        800, 1_200, "Btu/scf", "heating value",
        "pipeline gas is 1,000–1,100 Btu/scf (Part 98 Table C-1: 1,026); outside 800–1,200 is a unit mistake "
        "(Btu/ccf, MJ/m³)",
    ),
    "fuel_co2_kg_per_mmbtu": Bound(
        0, 150, "kg/MMBtu", "emission factor",
        "the highest Part 98 Table C-1 factor (anthracite, 103.69 kg/MMBtu) is well below 150",
    ),
    "fuel_trace_kg_per_mmbtu": Bound(
        0, 1, "kg/MMBtu", "emission factor", "Part 98 Table C-2 CH4 and N2O factors are all below 0.04 kg/MMBtu",
    ),
}


def bound(name: str) -> Bound:
    """The bound called ``name``; a KeyError names the missing one."""
    return BOUNDS[name]
