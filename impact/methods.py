"""The Methods of a report, and the worked examples of the public /methods/ page.

:func:`report_methods` joins the engine's list of every factor it used (``summary["methods"]``)
with the run's input snapshot by input path, so each row carries its value, unit, heating-value
basis, regime, source with section and year, and status.

:func:`worked_examples` computes every number on /methods/ from the engine's own constants, input
defaults and functions (IT power, the part-load curve, a distribution's median), so the page cannot
drift from what the engine does. The example inputs are
illustrations with their sources from shared/reference/factors.md, not the Memphis figures.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from impact.engine import constants as c
from impact.engine.inputs import LOAD_BAND_THRESHOLD, FleetInput, FuelInput, GeneratorInput, Uncertain
from impact.engine.montecarlo import median
from impact.engine.physics import GRAMS_PER_LB, KW_PER_HP, fleet_it_mw, heat_rate_multiplier, limit_to_lb_per_mmbtu

# The report page's Methods table reads these in the visitor's language (issue 14).
SCOPE_LABELS = {
    "onsite": gettext_lazy("On-site combustion (scope 1)"),
    "fuel": gettext_lazy("Fuel (Part 98 greenhouse-gas factors)"),
    "grid_location": gettext_lazy("Grid, location-based (GHG Protocol scope 2: regional grid average)"),
    "grid_market": gettext_lazy("Grid, market-based (GHG Protocol scope 2: the supplier's own rate)"),
}
# US short ton = 2,000 lb (NIST Handbook 44, App. C).
LB_PER_SHORT_TON = 2000.0


def _pollutant_name(key):
    from impact.labels import pollutant_name

    return pollutant_name(key)


def report_methods(summary, assumptions):
    """Rows of the Methods table: every factor the run used, joined with its assumption by path.

    Returns a dict with ``rows`` (grouped by scope, location- before market-based grid), ``gwp``
    and ``available`` (False for runs whose engine predates the methods list).
    """
    summary = summary or {}
    by_path = {a.get("path"): a for a in assumptions or []}
    order = list(SCOPE_LABELS)
    rows = []
    for method in summary.get("methods") or []:
        assumption = by_path.get(method.get("path"), {})
        scope = method.get("scope", "")
        rows.append({
            **method,
            "scope_label": str(SCOPE_LABELS.get(scope, scope)),
            "pollutant_name": _pollutant_name(method.get("pollutant")),
            "label": assumption.get("label", ""),
            "status": assumption.get("status") or method.get("status") or "—",
            "source": assumption.get("source") or method.get("source") or "",
            "source_url": assumption.get("source_url") or "",
            "source_section": assumption.get("source_section") or "",
            "source_year": assumption.get("source_year") or method.get("source_year") or None,
            "distribution_reason": assumption.get("distribution_reason") or "",
            "low": assumption.get("low"),
            "high": assumption.get("high"),
        })
    rows.sort(key=lambda r: (order.index(r["scope"]) if r["scope"] in order else len(order)))
    return {"available": "methods" in summary, "rows": rows, "gwp": summary.get("gwp") or {}}


# --- Worked examples ---------------------------------------------------------------------------


def calc(value, sig=5):
    """A number to redo on a calculator: enough digits to check, never scientific notation."""
    value = float(value)
    if value == int(value) and abs(value) < 1e15:
        return f"{value:,.0f}"
    if abs(value) >= 10 ** sig:
        return f"{value:,.0f}"
    return f"{value:,.{sig}g}"


@dataclass
class Step:
    """One line of a worked example: what is computed, the arithmetic, the result."""

    what: str
    arithmetic: str
    result: str


@dataclass
class Example:
    key: str
    title: str
    equation: str
    explanation: str
    steps: list = field(default_factory=list)
    values: dict = field(default_factory=dict)  # the raw results, for tests and cross-references

    def step(self, what, arithmetic, value, unit=""):
        self.steps.append(Step(what, arithmetic, f"{calc(value)} {unit}".strip()))
        return value


def _it_power():
    n, idle, tdp, u, per_server, host_idle, host_max, share = 1000, 70.0, 700.0, 0.6, 8, 600.0, 1400.0, 0.05
    ex = Example(
        "it-power", _("IT power"),
        # Translators: an equation; keep its symbols and operators, translate only the words.
        _("IT W = accelerators × (idle + (TDP − idle) × u) + servers × (host idle + (host max − host idle) × u), "
          "times (1 + network/storage share); servers = accelerators ÷ accelerators per server"),
        _("Only accelerators installed and energised on the report's date count (the fleet's dated stages). "
          "Host idle equal to host max gives a constant overhead per server. Example: %(count)s H100 SXM (TDP "
          "%(tdp)s W, NVIDIA, S; idle %(idle)s W, U), %(per_server)s per server, host %(host_idle)s W idle to "
          "%(host_max)s W at full load, %(share)s %% network and storage, utilisation %(utilisation)s.") % {
            "count": f"{n:,}", "tdp": f"{tdp:g}", "idle": f"{idle:g}", "per_server": f"{per_server}",
            "host_idle": f"{host_idle:,.0f}", "host_max": f"{host_max:,.0f}", "share": f"{share * 100:g}",
            "utilisation": f"{u:g}",
        },
    )
    acc = ex.step(_("Accelerators"), f"{n:,} × ({idle:g} + ({tdp:g} − {idle:g}) × {u:g})", n * (idle + (tdp - idle) * u), "W")
    servers = ex.step(_("Servers"), f"{n:,} ÷ {per_server}", n / per_server)
    host = ex.step(_("Hosts"), f"{calc(servers)} × ({host_idle:g} + ({host_max:g} − {host_idle:g}) × {u:g})",
                   servers * (host_idle + (host_max - host_idle) * u), "W")
    fleet = FleetInput("H100 SXM", n, tdp, idle, host_idle, host_max, per_server, share)
    it_w = ex.step(_("IT power"), f"({calc(acc)} + {calc(host)}) × (1 + {share:g})", fleet_it_mw(fleet, n, u) * 1e6, "W")
    ex.values = {"it_mw": it_w / 1e6}
    return ex


def _pue(it_mw):
    ref, ref_t, slope, temp_f = 1.2, 20.0, 0.01, 95.0
    ex = Example(
        "pue", _("PUE with outdoor temperature"),
        # Translators: an equation; keep its symbols and operators, translate only the words.
        _("PUE = PUE at reference + slope × max(0, T − T reference); facility demand = IT power × PUE"),
        _("Cooling needs more power as the air warms; below the reference temperature PUE stays at its reference "
          "value. Example: PUE %(pue)s at %(reference)s °C rising %(slope)s per °C, an afternoon at "
          "%(temperature)s °F.") % {
            "pue": f"{ref:g}", "reference": f"{ref_t:g}", "slope": f"{slope:g}", "temperature": f"{temp_f:g}",
        },
    )
    temp_c = ex.step(_("Temperature"), f"({temp_f:g} − 32) × 5 ÷ 9", c.fahrenheit_to_celsius(temp_f), "°C")
    pue = ex.step("PUE", f"{ref:g} + {slope:g} × ({calc(temp_c)} − {ref_t:g})", ref + slope * max(0.0, temp_c - ref_t))
    demand = ex.step(_("Facility demand"), f"{calc(it_mw)} MW × {calc(pue)}", it_mw * pue, "MW")
    ex.values = {"pue": pue, "demand_mw": demand}
    return ex


def _dispatch():
    grid_cap, n_gens, gen_mw, battery_mw, battery_mwh, rte = 8.0, 14, 2.5, 10.0, 20.0, 0.9
    gens = n_gens * gen_mw
    demand, quiet = 60.0, 5.0
    ex = Example(
        "dispatch", _("Served load and dispatch"),
        # Translators: an equation; keep its symbols and operators, translate only the words.
        _("served = min(demand, grid capacity + battery + generators); grid + on-site + battery discharge − "
          "battery charging = served, every hour"),
        _("Each hour the grid serves first, up to its contracted capacity; a peak-shaving battery next (a "
          "backup-only battery after the generators); then the on-site generators, one unit at a time. Spare grid "
          "capacity charges the battery, and the battery keeps charged energy × round-trip efficiency. Demand beyond "
          "every supply is not served and never counted as electricity used. Example: July 2024 supply (factors.md "
          "§6: ~%(grid)s MW grid, %(generators)s generators of %(generator_mw)s MW) with a %(battery_mw)s MW / "
          "%(battery_mwh)s MWh battery at %(efficiency)s %% round-trip efficiency.") % {
            "grid": f"{grid_cap:g}", "generators": f"{n_gens}", "generator_mw": f"{gen_mw:g}",
            "battery_mw": f"{battery_mw:g}", "battery_mwh": f"{battery_mwh:g}", "efficiency": f"{rte * 100:.0f}",
        },
    )
    supply = ex.step(_("Supply in a busy hour"), f"{grid_cap:g} + {battery_mw:g} + {n_gens} × {gen_mw:g}",
                     grid_cap + battery_mw + gens, "MW")
    served = ex.step(_("Served"), f"min({demand:g}, {calc(supply)})", min(demand, supply), "MW")
    ex.step(_("Not served (staff diagnostic)"), f"{demand:g} − {calc(served)}", demand - served, "MW")
    ex.step(_("Balance"), f"{grid_cap:g} + {gens:g} + {battery_mw:g} − 0", grid_cap + gens + battery_mw, "MW")
    charge = ex.step(_("Quiet hour (demand %(demand)s MW): charging") % {"demand": f"{quiet:g}"},
                     f"min({grid_cap:g} − {quiet:g}, {battery_mw:g})", min(grid_cap - quiet, battery_mw), "MW")
    ex.step(_("Balance"), f"{grid_cap:g} + 0 + 0 − {calc(charge)}", grid_cap - charge, "MW")
    stored = ex.step(_("Energy stored"), f"{calc(charge)} MWh × {rte:g}", charge * rte, "MWh")
    ex.values = {"served_mw": served, "stored_mwh": stored}
    return ex


def _fuel():
    rated, mwh, heat_rate = 16.5, 12.0, 10_700.0
    ex = Example(
        "fuel", _("Fuel burned"),
        # Translators: an equation; keep its symbols and operators, translate only the words.
        _("fuel (MMBtu) = energy (kWh) × heat rate (Btu/kWh, HHV) × part-load multiplier ÷ 1,000,000"),
        _("The part-load multiplier is read off the group's curve by straight-line interpolation. Example: one "
          "Solar SMT-130 turbine (%(rated)s MW, heat rate %(heat_rate)s Btu/kWh HHV, U) making %(energy)s MWh in "
          "an hour, curve (0.5 → 1.15, 1.0 → 1.0).") % {
            "rated": f"{rated:g}", "heat_rate": f"{heat_rate:,.0f}", "energy": f"{mwh:g}",
        },
    )
    turbine = GeneratorInput("SMT-130", "turbine", 1, rated, 0.5, heat_rate, part_load_heat_rate=((0.5, 1.15), (1.0, 1.0)))
    load = ex.step(_("Load fraction"), f"{mwh:g} ÷ {rated:g}", mwh / rated)
    mult = ex.step(_("Part-load multiplier"), f"1.15 + ({calc(load)} − 0.5) ÷ 0.5 × (1.0 − 1.15)",
                   float(heat_rate_multiplier(turbine, load)))
    fuel = ex.step(_("Fuel"), f"{mwh:g} × {c.KWH_PER_MWH:,.0f} × {heat_rate:,.0f} × {calc(mult)} ÷ {c.BTU_PER_MMBTU:,.0f}",
                   mwh * c.KWH_PER_MWH * heat_rate * mult / c.BTU_PER_MMBTU, "MMBtu")
    scf = ex.step(_("Gas volume"), f"{calc(fuel)} × {c.BTU_PER_MMBTU:,.0f} ÷ {FuelInput().hhv_btu_per_scf:,.0f} Btu/scf",
                  fuel * c.BTU_PER_MMBTU / FuelInput().hhv_btu_per_scf, "scf")
    ex.values = {"load": load, "multiplier": mult, "fuel_mmbtu": fuel, "fuel_scf": scf}
    return ex


def _emissions(fuel_mmbtu):
    fuel = FuelInput()
    # AP-42 NOx (lb/MMBtu): §3.1 uncontrolled turbine, with SCR (from the permit caps), §3.2 engine bands.
    turbine_nox, scr_nox, engine_high, engine_low = 0.32, 0.0075, 4.08, 0.847
    threshold = f"{LOAD_BAND_THRESHOLD * 100:.0f}"
    ex = Example(
        "emissions", _("Emissions from fuel"),
        # Translators: an equation; keep its symbols and operators, translate only the words.
        _("mass (kg) = fuel (MMBtu, HHV) × factor (lb/MMBtu) × 0.45359237 kg/lb; CO₂ = fuel × 53.06 kg/MMBtu"),
        _("CO₂ uses 40 CFR 98 Subpart C Table C-1 (%(co2)s kg/MMBtu, HHV; S), not AP-42's 110 lb. Other pollutants "
          "use EPA AP-42: §3.1 (gas turbines) and §3.2 (4-stroke lean-burn engines), whose engine factors change at "
          "%(threshold)s%% load (NOx %(high)s lb/MMBtu at 90–105 %% load, %(low)s below, U). From a control's date "
          "(a permit's SCR) the controlled factor replaces the uncontrolled one. Same turbine hour as above.") % {
            "co2": f"{fuel.co2_kg_per_mmbtu:g}", "threshold": threshold, "high": f"{engine_high:g}",
            "low": f"{engine_low:g}",
        },
    )
    co2 = ex.step("CO₂", f"{calc(fuel_mmbtu)} × {fuel.co2_kg_per_mmbtu:g}", fuel_mmbtu * fuel.co2_kg_per_mmbtu, "kg")
    nox = ex.step(_("NOx, AP-42 §3.1 uncontrolled (%(factor)s lb/MMBtu, S)") % {"factor": f"{turbine_nox:g}"},
                  f"{calc(fuel_mmbtu)} × {turbine_nox:g} × {c.KG_PER_LB}", fuel_mmbtu * turbine_nox * c.KG_PER_LB, "kg")
    scr = ex.step(_("NOx with SCR (%(factor)s lb/MMBtu, D from the permit caps)") % {"factor": f"{scr_nox:g}"},
                  f"{calc(fuel_mmbtu)} × {scr_nox:g} × {c.KG_PER_LB}", fuel_mmbtu * scr_nox * c.KG_PER_LB, "kg")
    engine = ex.step(_("An engine's NOx at ≥ %(threshold)s %% load (AP-42 §3.2)") % {"threshold": threshold},
                     f"{engine_high:g} × {c.KG_PER_LB}", engine_high * c.KG_PER_LB, "kg/MMBtu")
    ex.step(_("An engine's NOx below %(threshold)s %% load") % {"threshold": threshold},
            f"{engine_low:g} × {c.KG_PER_LB}", engine_low * c.KG_PER_LB, "kg/MMBtu")
    ex.step(_("Tonnes"), f"{calc(nox)} kg ÷ {c.KG_PER_TONNE:,.0f}", nox / c.KG_PER_TONNE, "t")
    ex.values = {"co2_kg": co2, "nox_kg": nox, "nox_scr_kg": scr, "engine_nox_kg_per_mmbtu": engine}
    return ex


def _limit():
    g, eta, heat_rate = 1.0, 0.97, 8200.0
    ex = Example(
        "limit", _("A regulatory limit in g/bhp-hr as a fuel factor"),
        # Translators: an equation; keep its symbols and operators, translate only the words.
        _("lb/MMBtu = g/bhp-hr × 10⁶ ÷ (453.59237 g/lb × 0.7457 kW/hp × η shaft→electric × heat rate Btu/kWh)"),
        _("NSPS subpart JJJJ limits spark-ignition engines in grams per brake horsepower-hour of shaft work. A gram "
          "per horsepower-hour is a gram per 0.7457 kWh of shaft work, the generator turns η of that into "
          "electricity, and each kWh of electricity burns the heat rate in Btu. Example: %(limit)s g/bhp-hr NOx, "
          "η %(efficiency)s, %(heat_rate)s Btu/kWh (a Jenbacher-class engine, U).") % {
            "limit": f"{g:.1f}", "efficiency": f"{eta:g}", "heat_rate": f"{heat_rate:,.0f}",
        },
    )
    # The engine's own conversion, so the page and the reports cannot disagree.
    denominator = ex.step(_("Denominator"), f"{GRAMS_PER_LB:.5f} × {KW_PER_HP:.4f} × {eta:g} × {heat_rate:,.0f}",
                          GRAMS_PER_LB * KW_PER_HP * eta * heat_rate)
    value = ex.step(_("Factor"), f"{g:g} × {c.BTU_PER_MMBTU:,.0f} ÷ {calc(denominator)}",
                    limit_to_lb_per_mmbtu(g, heat_rate, eta), "lb/MMBtu")
    ex.values = {"lb_per_mmbtu": value}
    return ex


def _co2e(gwp_set="AR6"):
    gwp = c.GWP_SETS[gwp_set]
    fuel = FuelInput()
    ex = Example(
        "co2e", _("CO₂-equivalent"),
        "CO₂e = CO₂ + GWP₁₀₀(CH₄) × CH₄ + GWP₁₀₀(N₂O) × N₂O",
        # Translators: %(source)s is the IPCC table cited in English; %(status)s a confidence letter (S, 2°, U, D).
        _("The report's GWP set (here %(gwp_set)s: CH₄ %(gwp_ch4)s, N₂O %(gwp_n2o)s; %(source)s, status "
          "%(status)s). Per MMBtu with the Part 98 factors (Table C-2: CH₄ %(ch4)s, N₂O %(n2o)s kg/MMBtu), and "
          "with AP-42's engine CH₄ (1.25 lb/MMBtu, 2°) where a report uses it.") % {
            "gwp_set": gwp_set, "gwp_ch4": f"{gwp['ch4']:g}", "gwp_n2o": f"{gwp['n2o']:g}", "source": gwp["source"],
            "status": gwp["status"], "ch4": f"{fuel.ch4_kg_per_mmbtu:g}", "n2o": f"{fuel.n2o_kg_per_mmbtu:g}",
        },
    )
    part98 = ex.step(
        _("Part 98 basis"),
        f"{fuel.co2_kg_per_mmbtu:g} + {gwp['ch4']:g} × {fuel.ch4_kg_per_mmbtu:g} + {gwp['n2o']:g} × {fuel.n2o_kg_per_mmbtu:g}",
        fuel.co2_kg_per_mmbtu + gwp["ch4"] * fuel.ch4_kg_per_mmbtu + gwp["n2o"] * fuel.n2o_kg_per_mmbtu, "kg CO₂e/MMBtu",
    )
    ap42_ch4 = 1.25 * c.KG_PER_LB
    ap42 = ex.step(
        _("AP-42 engine CH₄ basis"),
        f"{fuel.co2_kg_per_mmbtu:g} + {gwp['ch4']:g} × (1.25 × {c.KG_PER_LB}) + {gwp['n2o']:g} × {fuel.n2o_kg_per_mmbtu:g}",
        fuel.co2_kg_per_mmbtu + gwp["ch4"] * ap42_ch4 + gwp["n2o"] * fuel.n2o_kg_per_mmbtu, "kg CO₂e/MMBtu",
    )
    ex.values = {"part98_kg_per_mmbtu": part98, "ap42_kg_per_mmbtu": ap42}
    return ex


def _scope2():
    mwh, location_rate, market_rate = 8.0, 931.59, 624.94
    ex = Example(
        "scope2", _("Grid electricity: location-based and market-based (scope 2)"),
        # Translators: an equation; keep its symbols and operators, translate only the words.
        _("mass (kg) = grid energy (MWh) × rate (lb/MWh) × 0.45359237"),
        _("The GHG Protocol scope-2 guidance asks for both. Location-based uses the regional grid's average (eGRID "
          "subregion SRTV, %(location_rate)s lb CO₂/MWh, S, likely eGRID2021); market-based the supplier's own "
          "system rate (TVA 2023, %(market_rate)s lb CO₂/MWh, S). Every report names each rate's vintage. Example: "
          "%(energy)s MWh from the grid.") % {
            "location_rate": f"{location_rate:g}", "market_rate": f"{market_rate:g}", "energy": f"{mwh:g}",
        },
    )
    location = ex.step(_("Location-based CO₂"), f"{mwh:g} × {location_rate:g} × {c.KG_PER_LB}",
                       mwh * location_rate * c.KG_PER_LB, "kg")
    market = ex.step(_("Market-based CO₂"), f"{mwh:g} × {market_rate:g} × {c.KG_PER_LB}",
                     mwh * market_rate * c.KG_PER_LB, "kg")
    ex.values = {"location_kg": location, "market_kg": market}
    return ex


def _water(it_mw):
    wue = 1.0
    ex = Example(
        "water", _("Water"),
        # Translators: an equation; keep its symbols and operators, translate only the words.
        _("water (L) = IT energy served (kWh) × WUE (L/kWh of IT)"),
        _("Water use effectiveness is per kWh of IT energy that was actually served, not of modelled demand. "
          "Example: the IT load above for one hour at a WUE of %(wue)s L/kWh (the seed's figure, D).") % {
            "wue": f"{wue:.1f}",
        },
    )
    kwh = ex.step(_("IT energy"), f"{calc(it_mw)} MW × 1 h × {c.KWH_PER_MWH:,.0f}", it_mw * c.KWH_PER_MWH, "kWh")
    litres = ex.step(_("Water"), f"{calc(kwh)} × {wue:.1f}", kwh * wue, "L")
    gallons = ex.step(_("In US gallons"), f"{calc(litres)} ÷ {c.LITRES_PER_US_GALLON:g}", litres / c.LITRES_PER_US_GALLON, "gal")
    ex.values = {"litres": litres, "gallons": gallons}
    return ex


def _uncertainty():
    low, mode, high = 0.847, 4.08, 4.08
    numbers = {"low": f"{low:g}", "mode": f"{mode:g}", "high": f"{high:g}"}
    ex = Example(
        "uncertainty", _("Uncertainty: P5, P50, P95 and the headline"),
        # Translators: an equation; keep its symbols and operators, translate only the words.
        _("headline = the central run, every uncertain input at the median of its distribution; "
          "P5 / P50 / P95 = percentiles of the Monte Carlo samples"),
        _("Each uncertain input is drawn from its range (triangular with its most likely value as the mode, or "
          "uniform), inputs that are one physical quantity get one draw, and the whole model is rerun per sample. "
          "The headline is never a range's endpoint: with a triangular range the median sits between the mode and "
          "the middle. Example: an engine NOx factor ranging %(low)s–%(high)s lb/MMBtu with mode %(mode)s (the "
          "AP-42 bands).") % numbers,
    )
    # The engine's own median, as its headline run takes it.
    triangular = ex.step(_("Median of triangular(%(low)s, %(mode)s, %(high)s)") % numbers,
                         f"{low:g} + √(({high:g} − {low:g}) × ({mode:g} − {low:g}) ÷ 2)",
                         median(Uncertain("engine NOx", low, high), mode), "lb/MMBtu")
    ex.step(_("Median of uniform(%(low)s, %(high)s)") % numbers, f"({low:g} + {high:g}) ÷ 2",
            median(Uncertain("engine NOx", low, high, "uniform"), mode), "lb/MMBtu")
    ex.values = {"median": triangular}
    return ex


def worked_examples(gwp_set="AR6"):
    """Every worked example of /methods/, in reading order, each number computed here.

    Titles, equations' words, explanations and step labels are translated here, at call time, into the
    active language; the numbers are formatted as before and enter each sentence by a named placeholder.
    """
    it = _it_power()
    fuel = _fuel()
    return [
        it,
        _pue(it.values["it_mw"]),
        _dispatch(),
        fuel,
        _emissions(fuel.values["fuel_mmbtu"]),
        _limit(),
        _co2e(gwp_set),
        _scope2(),
        _water(it.values["it_mw"]),
        _uncertainty(),
    ]
