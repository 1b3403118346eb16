"""Plain-language sentences from a run's metrics, for residents who will not read a table.

A sentence is a list of parts: plain words, and figures that know which metric or comparison row
they quote, so the page can link every number to its row in the tables below. Every figure is
written by impact.figures (``fmt``, or ``number`` before a unit in words: "1,234 tonnes of CO₂e"),
like the tables, the charts' alt text and the PDF; a missing one reads "not available", never 0.

Energy is served energy (what the grid, the generators and the batteries delivered). Demand that
no supply could deliver is a staff diagnostic (:func:`diagnostic_sentences`), never "used".
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

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


def _sentence(template, **values):
    """A Sentence from a whole translated sentence: each ``%(name)s`` becomes its value, a Figure or
    words, where that language put it (never English fragments glued in English word order)."""
    parts = []
    for i, piece in enumerate(_PLACEHOLDER.split(str(template))):
        if i % 2:
            parts.append(values[piece])
        elif piece:
            parts.append(piece.replace("%%", "%"))
    return Sentence(tuple(parts))


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _comparison(summary, key, text):
    """The figure of comparison ``key`` ("1,234 Tennessee homes") linked to its row; None when the
    run has no such comparison. ``text`` is the translated phrase with a ``%(count)s``."""
    for item in summary.get("comparisons", []):
        if item.get("key") == key and item.get("value") is not None:
            return Figure(text % {"count": number(item["value"])}, f"comparison-{key}")
    return None


def _values(metrics):
    def value(key):
        metric = metrics.get(key)
        return metric.value if metric else None

    return value


def _fig(key, text):
    return Figure(text, f"metric-{key}")


def _tonnes(value, what):
    """ "1,234 tonnes of CO₂e": a figure with its unit in words, in the reader's language."""
    return what % {"count": number(value)}


def sentences(period_label, metrics, summary):
    """Sentences for a report; ``metrics`` maps key → an object with ``.value`` (base case).

    Each sentence is one msgid with named placeholders, in the active language (issue 14).
    """
    value = _values(metrics)
    out = []
    energy = value("energy_facility_mwh")
    if energy is not None:
        figure = _fig("energy_facility_mwh", fmt(energy, "MWh"))
        homes = _comparison(summary, "tn_households_electricity", _("%(count)s Tennessee homes"))
        if homes:
            out.append(_sentence(_(
                "In %(period)s the site used %(energy)s of electricity, as delivered by the grid, its gas generators "
                "and its batteries — as much as %(homes)s use over the same time."
            ), period=period_label, energy=figure, homes=homes))
        else:
            out.append(_sentence(_(
                "In %(period)s the site used %(energy)s of electricity, as delivered by the grid, its gas generators "
                "and its batteries."
            ), period=period_label, energy=figure))
    share, onsite = value("onsite_share"), value("energy_onsite_mwh")
    if share is not None and onsite is not None:
        if onsite > 0:
            figures = {"share": _fig("onsite_share", percent(share)), "onsite": _fig("energy_onsite_mwh", fmt(onsite, "MWh"))}
            fuel = value("fuel_scf")
            if fuel:
                gas = _("%(count)s million cubic feet") % {"count": number(fuel / 1e6)}
                out.append(_sentence(_(
                    "%(share)s of it (%(onsite)s) came from on-site gas generators, burning %(gas)s of natural gas."
                ), gas=_fig("fuel_scf", gas), **figures))
            else:
                out.append(_sentence(_("%(share)s of it (%(onsite)s) came from on-site gas generators."), **figures))
        elif not value("energy_battery_discharge_mwh"):
            out.append(_sentence(_("All of it came from the grid; the on-site generators did not run.")))
    battery = value("energy_battery_discharge_mwh")
    if battery:
        out.append(_sentence(_("Batteries delivered %(battery)s of it, charged from the grid."),
                             battery=_fig("energy_battery_discharge_mwh", fmt(battery, "MWh"))))
    co2e = value("co2e_total_t")
    if co2e is not None:
        out.append(_co2e_sentence(value, summary, co2e))
    market = value("co2e_total_market_t")
    if market is not None:
        out.append(_sentence(_(
            "Counted with the utility's own system rate instead (market-based), they came to %(co2e)s."
        ), co2e=_fig("co2e_total_market_t", _tonnes(market, _("%(count)s tonnes of CO₂e")))))
    nox = value("nox_onsite_t")
    if nox:
        formaldehyde_t = value("formaldehyde_onsite_t")
        formaldehyde = fmt(None if formaldehyde_t is None else formaldehyde_t * 1000, "kg")
        out.append(_sentence(
            _("The generators emitted %(nox)s and %(formaldehyde)s into the local air."),
            nox=_fig("nox_onsite_t", _tonnes(nox, _("%(count)s tonnes of nitrogen oxides (NOₓ)"))),
            formaldehyde=_fig("formaldehyde_onsite_t", _("%(mass)s of formaldehyde") % {"mass": formaldehyde}),
        ))
    water = value("water_onsite_m3")
    if water is not None:
        out.append(_sentence(
            _("Cooling drew about %(water)s (%(gallons)s US gallons)."),
            water=_fig("water_onsite_m3", _("%(count)s m³ of water") % {"count": number(water)}),
            gallons=number(water * GALLONS_PER_M3),
        ))
    return out


def _co2e_sentence(value, summary, co2e):
    """Greenhouse gases, with the on-site / grid split and the cars comparison when the run has them:
    one whole sentence for each of the four cases, so every language words each its own way."""
    total = _fig("co2e_total_t", _tonnes(co2e, _("%(count)s tonnes of CO₂e")))
    onsite, grid = value("co2e_onsite_t"), value("co2e_grid_t")
    cars = _comparison(summary, "passenger_cars_co2e", _("%(count)s passenger cars"))
    split = onsite is not None and grid is not None
    figures = {"total": total}
    if split:
        figures |= {"onsite": _fig("co2e_onsite_t", fmt(onsite, "t")), "grid": _fig("co2e_grid_t", fmt(grid, "t"))}
    if cars:
        figures["cars"] = cars
    if split and cars:
        template = _(
            "Greenhouse gases came to %(total)s (%(onsite)s burned on site, %(grid)s at the grid's power plants, counted "
            "at the regional grid average: location-based), about what %(cars)s emit over the same time."
        )
    elif split:
        template = _(
            "Greenhouse gases came to %(total)s (%(onsite)s burned on site, %(grid)s at the grid's power plants, counted "
            "at the regional grid average: location-based)."
        )
    elif cars:
        template = _("Greenhouse gases came to %(total)s, about what %(cars)s emit over the same time.")
    else:
        template = _("Greenhouse gases came to %(total)s.")
    return _sentence(template, **figures)


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
