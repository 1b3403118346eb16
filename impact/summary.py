"""Plain-language sentences from a run's metrics, for residents who will not read a table.

A sentence is a list of parts: plain words, and figures that know which metric or comparison row
they quote, so the page can link every number to its row in the tables below.
"""

from dataclasses import dataclass

GALLONS_PER_M3 = 264.172  # US gallons in a cubic metre


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


def _num(value, digits=3):
    if value is None:
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{digits}g}"


def _comparison(summary, key):
    for item in summary.get("comparisons", []):
        if item.get("key") == key and item.get("value") is not None:
            return item
    return None


def sentences(period_label, metrics, summary):
    """Sentences for a report; ``metrics`` maps key → an object with ``.value`` (base case)."""

    def value(key):
        metric = metrics.get(key)
        return metric.value if metric else None

    def fig(key, text):
        return Figure(text, f"metric-{key}")

    out = []
    energy = value("energy_facility_mwh")
    if energy is not None:
        parts = [f"In {period_label} the site used ", fig("energy_facility_mwh", f"{_num(energy)} MWh"), " of electricity"]
        homes = _comparison(summary, "tn_households_electricity")
        if homes:
            parts += [" — as much as ", Figure(f"{_num(homes['value'])} Tennessee homes", "comparison-tn_households_electricity"),
                      " use over the same time"]
        out.append(Sentence((*parts, ".")))
    share, onsite = value("onsite_share"), value("energy_onsite_mwh")
    if share is not None and onsite is not None:
        if onsite > 0:
            parts = [fig("onsite_share", f"{share:.0%}"), " of it (", fig("energy_onsite_mwh", f"{_num(onsite)} MWh"),
                     ") came from on-site gas generators"]
            fuel = value("fuel_scf")
            if fuel:
                parts += [", burning ", fig("fuel_scf", f"{_num(fuel / 1e6)} million cubic feet"), " of natural gas"]
            out.append(Sentence((*parts, ".")))
        else:
            out.append(Sentence(("All of it came from the grid; the on-site generators did not run.",)))
    unserved = value("energy_unserved_mwh")
    if unserved:
        out.append(Sentence((
            fig("energy_unserved_mwh", f"{_num(unserved)} MWh"),
            " of modelled demand could be met neither by the grid contract nor by the generators: either the site "
            "ran below the modelled load, or a supply is missing from the model.",
        )))
    co2e = value("co2e_total_t")
    if co2e is not None:
        parts = ["Greenhouse gases came to ", fig("co2e_total_t", f"{_num(co2e)} tonnes of CO₂e")]
        onsite_co2e, grid_co2e = value("co2e_onsite_t"), value("co2e_grid_t")
        if onsite_co2e is not None and grid_co2e is not None:
            parts += [" (", fig("co2e_onsite_t", f"{_num(onsite_co2e)} t"), " burned on site, ",
                      fig("co2e_grid_t", f"{_num(grid_co2e)} t"), " at the grid's power plants)"]
        cars = _comparison(summary, "passenger_cars_co2e")
        if cars:
            parts += [", about what ", Figure(f"{_num(cars['value'])} passenger cars", "comparison-passenger_cars_co2e"),
                      " emit over the same time"]
        out.append(Sentence((*parts, ".")))
    nox = value("nox_onsite_t")
    if nox:
        formaldehyde_kg = (value("formaldehyde_onsite_t") or 0) * 1000
        out.append(Sentence((
            "The generators emitted ", fig("nox_onsite_t", f"{_num(nox)} tonnes of nitrogen oxides (NOₓ)"), " and ",
            fig("formaldehyde_onsite_t", f"{_num(formaldehyde_kg)} kg of formaldehyde"), " into the local air.",
        )))
    water = value("water_onsite_m3")
    if water is not None:
        out.append(Sentence((
            "Cooling drew about ", fig("water_onsite_m3", f"{_num(water)} m³ of water"),
            f" ({_num(water * GALLONS_PER_M3)} US gallons).",
        )))
    return out
