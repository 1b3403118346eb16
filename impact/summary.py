"""Plain-language sentences from a run's metrics, for residents who will not read a table.

A sentence is a list of parts: plain words, and figures that know which metric or comparison row
they quote, so the page can link every number to its row in the tables below. Every figure is
written by impact.figures (``fmt``, or ``number`` before a unit in words: "1,234 tonnes of CO₂e"),
like the tables, the charts' alt text and the PDF; a missing one reads "not available", never 0.

Energy is served energy (what the grid, the generators and the batteries delivered). Demand that
no supply could deliver is a staff diagnostic (:func:`diagnostic_sentences`), never "used".
"""

from dataclasses import dataclass

from impact.figures import GALLONS_PER_M3, fmt, number, percent


@dataclass(frozen=True)
class Figure:
    """A number in a sentence and the anchor of the row it comes from."""

    text: str
    anchor: str


@dataclass(frozen=True)
class Sentence:
    parts: tuple  # str | Figure

    @property
    def text(self):
        return "".join(p.text if isinstance(p, Figure) else p for p in self.parts)

    @property
    def anchors(self):
        return tuple(p.anchor for p in self.parts if isinstance(p, Figure))


def _compared(summary, key, before, what, after):
    """The clause quoting comparison ``key`` (" — as much as ", "1,234 Tennessee homes", " use …"),
    its figure linked to the comparison's row; no clause when the run has no such comparison."""
    for item in summary.get("comparisons", []):
        if item.get("key") == key and item.get("value") is not None:
            return [before, Figure(f"{number(item['value'])} {what}", f"comparison-{key}"), after]
    return []


def _values(metrics):
    def value(key):
        metric = metrics.get(key)
        return metric.value if metric else None

    return value


def _fig(key, text):
    return Figure(text, f"metric-{key}")


def sentences(period_label, metrics, summary):
    """Sentences for a report; ``metrics`` maps key → an object with ``.value`` (base case)."""
    value = _values(metrics)
    out = []
    energy = value("energy_facility_mwh")
    if energy is not None:
        parts = [f"In {period_label} the site used ", _fig("energy_facility_mwh", fmt(energy, "MWh")),
                 " of electricity, as delivered by the grid, its gas generators and its batteries"]
        parts += _compared(summary, "tn_households_electricity", " — as much as ", "Tennessee homes",
                           " use over the same time")
        out.append(Sentence((*parts, ".")))
    share, onsite = value("onsite_share"), value("energy_onsite_mwh")
    if share is not None and onsite is not None:
        if onsite > 0:
            parts = [_fig("onsite_share", percent(share)), " of it (", _fig("energy_onsite_mwh", fmt(onsite, "MWh")),
                     ") came from on-site gas generators"]
            fuel = value("fuel_scf")
            if fuel:
                parts += [", burning ", _fig("fuel_scf", f"{number(fuel / 1e6)} million cubic feet"), " of natural gas"]
            out.append(Sentence((*parts, ".")))
        elif not value("energy_battery_discharge_mwh"):
            out.append(Sentence(("All of it came from the grid; the on-site generators did not run.",)))
    battery = value("energy_battery_discharge_mwh")
    if battery:
        out.append(Sentence((
            "Batteries delivered ", _fig("energy_battery_discharge_mwh", fmt(battery, "MWh")),
            " of it, charged from the grid.",
        )))
    co2e = value("co2e_total_t")
    if co2e is not None:
        parts = ["Greenhouse gases came to ", _fig("co2e_total_t", f"{number(co2e)} tonnes of CO₂e")]
        onsite_co2e, grid_co2e = value("co2e_onsite_t"), value("co2e_grid_t")
        if onsite_co2e is not None and grid_co2e is not None:
            parts += [" (", _fig("co2e_onsite_t", fmt(onsite_co2e, "t")), " burned on site, ",
                      _fig("co2e_grid_t", fmt(grid_co2e, "t")), " at the grid's power plants, counted at the "
                      "regional grid average: location-based)"]
        parts += _compared(summary, "passenger_cars_co2e", ", about what ", "passenger cars", " emit over the same time")
        out.append(Sentence((*parts, ".")))
    market = value("co2e_total_market_t")
    if market is not None:
        out.append(Sentence((
            "Counted with the utility's own system rate instead (market-based), they came to ",
            _fig("co2e_total_market_t", f"{number(market)} tonnes of CO₂e"), ".",
        )))
    nox = value("nox_onsite_t")
    if nox:
        formaldehyde_t = value("formaldehyde_onsite_t")
        formaldehyde = fmt(None if formaldehyde_t is None else formaldehyde_t * 1000, "kg")
        out.append(Sentence((
            "The generators emitted ", _fig("nox_onsite_t", f"{number(nox)} tonnes of nitrogen oxides (NOₓ)"), " and ",
            _fig("formaldehyde_onsite_t", f"{formaldehyde} of formaldehyde"), " into the local air.",
        )))
    water = value("water_onsite_m3")
    if water is not None:
        out.append(Sentence((
            "Cooling drew about ", _fig("water_onsite_m3", f"{number(water)} m³ of water"),
            f" ({number(water * GALLONS_PER_M3)} US gallons).",
        )))
    return out


def diagnostic_sentences(metrics, threshold):
    """For staff on the draft: how far modelled demand went beyond every supply.

    Never shown as consumption: the served figures above are what the site used.
    """
    value = _values(metrics)
    demand, unserved = value("energy_demand_mwh"), value("energy_unserved_mwh")
    share, hours = value("unserved_share"), value("unserved_hours_h")
    if demand is None and unserved is None:
        return []
    out = [Sentence((
        "With unlimited supply the model would have asked for ", _fig("energy_demand_mwh", fmt(demand, "MWh")),
        "; ", _fig("energy_unserved_mwh", fmt(unserved, "MWh")),
        " of it (", _fig("unserved_share", percent(share)), ") over ",
        _fig("unserved_hours_h", f"{number(hours)} hours"),
        " could be met neither by the grid, the batteries nor the generators.",
    ))]
    if share is not None and share > threshold:
        out.append(Sentence((
            f"That is above the publish threshold of {percent(threshold)}: either the site ran below the modelled "
            "load (check the fleet's dated stages) or a supply is missing from the model. Publishing needs a written "
            "acknowledgement, which the public report will show.",
        )))
    return out
