"""Plain-language sentences from a run's metrics, for residents who will not read a table.

Each sentence carries the metric keys it quotes, so the page can link every number to its row.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Sentence:
    text: str
    metric_keys: tuple[str, ...]


def _num(value, digits=3):
    if value is None:
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.{digits}g}"


def _comparison(summary, key):
    for item in summary.get("comparisons", []):
        if item.get("key") == key:
            return item
    return None


def sentences(period_label, metrics, summary):
    """Sentences for a report; ``metrics`` maps key → ReportMetric (base case)."""

    def value(key):
        metric = metrics.get(key)
        return metric.value if metric else None

    out = []
    energy = value("energy_facility_mwh")
    if energy is not None:
        text = f"In {period_label} the site used {_num(energy)} MWh of electricity"
        homes = _comparison(summary, "tn_households_electricity")
        if homes and homes.get("value") is not None:
            text += f" — as much as {_num(homes['value'])} Tennessee homes use over the same time"
        out.append(Sentence(text + ".", ("energy_facility_mwh",)))
    share = value("onsite_share")
    onsite = value("energy_onsite_mwh")
    if share is not None and onsite is not None:
        if onsite > 0:
            fuel = value("fuel_scf")
            text = f"{share:.0%} of it ({_num(onsite)} MWh) came from on-site gas generators"
            if fuel:
                text += f", burning {_num(fuel / 1e6)} million cubic feet of natural gas"
            out.append(Sentence(text + ".", ("onsite_share", "energy_onsite_mwh", "fuel_scf")))
        else:
            out.append(Sentence("All of it came from the grid; the on-site generators did not run.", ("onsite_share",)))
    unserved = value("energy_unserved_mwh")
    if unserved:
        out.append(
            Sentence(
                f"{_num(unserved)} MWh of demand could be met neither by the grid contract nor by the generators "
                "as modelled: either the site ran below the modelled load or a supply is missing from the model.",
                ("energy_unserved_mwh",),
            )
        )
    co2e = value("co2e_total_t")
    if co2e is not None:
        text = f"Greenhouse gases came to {_num(co2e)} tonnes of CO₂e"
        onsite_co2e, grid_co2e = value("co2e_onsite_t"), value("co2e_grid_t")
        if onsite_co2e is not None and grid_co2e is not None:
            text += f" ({_num(onsite_co2e)} t burned on site, {_num(grid_co2e)} t at the grid's power plants)"
        cars = _comparison(summary, "passenger_cars_co2e")
        if cars and cars.get("value") is not None:
            text += f", about what {_num(cars['value'])} passenger cars emit over the same time"
        out.append(Sentence(text + ".", ("co2e_total_t", "co2e_onsite_t", "co2e_grid_t")))
    nox = value("nox_onsite_t")
    if nox:
        out.append(
            Sentence(
                f"The generators emitted {_num(nox)} tonnes of nitrogen oxides (NOₓ) and "
                f"{_num((value('formaldehyde_onsite_t') or 0) * 1000)} kg of formaldehyde into the local air.",
                ("nox_onsite_t", "formaldehyde_onsite_t"),
            )
        )
    water = value("water_onsite_m3")
    if water is not None:
        text = f"Cooling drew about {_num(water)} m³ of water ({_num(water * 264.172)} US gallons)"
        out.append(Sentence(text + ".", ("water_onsite_m3",)))
    return out
