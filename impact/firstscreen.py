"""The home page's first screen (issue 14): what the latest month put into the air, pollutant by
pollutant, each against its air permit's cap or a comparison with its source.

A permit caps tonnes per *rolling 12 months*; a report covers one month. The page says so: "this
month alone is 31 % of the 12-month cap", never "31 % of the cap". Before a permit's date no cap
applied, and the page shows what the later permit's caps would have said, labelled as such. A
figure the run does not have reads "not available", never 0 (impact.figures.fmt).
"""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from impact import figures, labels, summary
from impact.models import AirPermit, PermitLimit

KG_PER_T = 1000.0
# The chart of the report that shows every pollutant: a question about a figure points at it.
EMISSIONS_CHART = "emissions"

# The pollutants of the first screen, in order: local air first (on-site, where residents breathe
# it), then greenhouse gases (location-based total: the climate does not care where).
POLLUTANTS = (
    ("nox", "nox_onsite_t"),
    ("co", "co_onsite_t"),
    ("voc", "voc_onsite_t"),
    ("pm", "pm_onsite_t"),
    ("formaldehyde", "formaldehyde_onsite_t"),
    ("so2", "so2_onsite_t"),
    ("co2e", "co2e_total_t"),
)
# Symbols that read the same in every language; the others (formaldehyde) come from impact.labels.
SYMBOLS = {"pm": "PM", "co2e": "CO₂e"}

# One line each on what the pollutant does; the glossary (/glossary/#<anchor>) says more.
MEANS = {
    "nox": gettext_lazy("Nitrogen oxides irritate the lungs and help form ground-level ozone (smog) on hot days."),
    "co": gettext_lazy("Carbon monoxide reduces how much oxygen the blood can carry; it matters most close to the source."),
    "voc": gettext_lazy("Volatile organic compounds react with NOₓ in sunlight to make ozone; some are toxic themselves."),
    "pm": gettext_lazy("Fine particles reach deep into the lungs and the blood; no level is known to be harmless."),
    "formaldehyde": gettext_lazy("Formaldehyde is a hazardous air pollutant that irritates eyes and airways and can cause cancer."),
    "so2": gettext_lazy("Sulphur dioxide irritates the airways; burning pipeline gas makes very little of it."),
    "co2e": gettext_lazy("Greenhouse gases warm the climate wherever they are emitted; this counts on-site burning and the grid's power plants."),
}
GLOSSARY_ANCHORS = {"formaldehyde": "formaldehyde", "co2e": "co2e"}

# Comparisons for a pollutant no permit caps, each with its source and status (factors.md).
# factors.md has none for SO₂ or for the criteria pollutants in general; those show none.
LLAMA_31_TRAINING_T_CO2E = 11390.0  # Llama 3.1 model card (2024), location-based; factors.md §1, S
COMPARISONS = {
    "co2e": {
        "value": LLAMA_31_TRAINING_T_CO2E,
        "source": "Llama 3.1 model card (Meta, 2024); factors.md §1",
        "status": "S",
    },
}


@dataclass(frozen=True)
class AirRow:
    """One pollutant on the first screen."""

    key: str
    symbol: str
    figure: str
    range: str
    compare: str
    source: str = ""
    status: str = ""
    bar_step: int | None = None  # share of the cap, 0–100 in steps of 5, for the bar's CSS class
    over_cap: bool = False
    means: str = ""
    glossary: str = ""
    ask_url: str = ""

    @property
    def has_bar(self):
        return self.bar_step is not None


def _day(value):
    return date_format(value, "j F Y")


def permit_for(facility, start, end):
    """The permit that applies to a report from ``start`` to ``end`` (exclusive), and how.

    Returns (permit, framing): "covered" when its limits apply on some day of the period,
    "before" when the nearest permit takes effect after it (its caps are shown as what they would
    have said), "after" when the last permit expired before it; (None, "") when there is none.
    """
    permits = list(AirPermit.objects.filter(facility=facility).prefetch_related("limits", "generators"))
    last_day = end - dt.timedelta(days=1)
    for permit in permits:
        if permit.effective_on <= last_day and (permit.expires_on is None or permit.expires_on >= start):
            return permit, "covered"
    later = sorted((p for p in permits if p.effective_on > last_day), key=lambda p: p.effective_on)
    if later:
        return later[0], "before"
    earlier = sorted(permits, key=lambda p: p.expires_on or dt.date.max)
    return (earlier[-1], "after") if earlier else (None, "")


def permit_note(permit, framing, period_label):
    """The sentence above the pollutants: which permit the caps come from, or that none applied then."""
    if permit is None:
        return _("No air permit is recorded for this facility, so no caps are shown.")
    values = {"issuer": permit.issuer, "day": _day(permit.effective_on), "period": period_label}
    if framing == "covered":
        return _("Caps from the %(issuer)s air permit of %(day)s. They count tonnes over any 12 months in a row; "
                 "each figure here is one month.") % values
    if framing == "before":
        return _("No air permit covered the on-site generators in %(period)s. The caps shown are those of the "
                 "%(issuer)s permit of %(day)s, for comparison only.") % values
    values["expired"] = _day(permit.expires_on)
    return _("The %(issuer)s air permit of %(day)s expired on %(expired)s, before %(period)s; its caps are shown "
             "for comparison only.") % values


def permit_source(permit):
    """Where the permit's caps come from, how far they are checked, and what it covers."""
    if permit is None:
        return ""
    covers = ", ".join(str(g) for g in permit.generators.all()) or _("no generator group recorded")
    return _("Permit caps: %(source)s (status %(status)s). It covers %(covers)s; the figures are all on-site "
             "generators.") % {"source": str(permit.source), "status": permit.status, "covers": covers}


def _figure_and_range(metric, key):
    """The month's figure and its P5–P95 range, in tonnes (kilograms under a tonne)."""
    value = None if metric is None else metric.value
    small = key != "co2e" and value is not None and abs(value) < 1
    scale, unit = (KG_PER_T, "kg") if small else (1.0, "t")

    def scaled(v):
        return None if v is None else v * scale

    if metric is None:
        return _(figures.NOT_AVAILABLE), _(figures.NOT_AVAILABLE)
    return figures.fmt(scaled(value), unit), figures.span(scaled(metric.p5), scaled(metric.p95), unit)


def _bar_step(share):
    return min(100, max(0, int(round(share * 100 / 5.0)) * 5))


def _cap_text(share, cap, framing, symbol):
    values = {"share": figures.percent(share), "cap": figures.fmt(cap, "t"), "symbol": symbol}
    if framing == "covered":
        return _("This month alone is %(share)s of the permit's 12-month %(symbol)s cap (%(cap)s).") % values
    return _("Had the later permit applied, this month alone would be %(share)s of its 12-month %(symbol)s cap "
             "(%(cap)s).") % values


def _compare_text(key, value, symbol):
    comparison = COMPARISONS.get(key)
    if comparison is None or value is None:
        return "", "", ""
    ratio = value / comparison["value"]
    values = {"ratio": figures.number(ratio), "reference": figures.fmt(comparison["value"], "t"), "symbol": symbol}
    text = _("No permit caps %(symbol)s. For scale: %(ratio)s × the %(reference)s of CO₂e that Meta reported for "
             "training its Llama 3.1 models.") % values
    return text, comparison["source"], comparison["status"]


def ask_url(version, key, symbol, chart_keys):
    """The forum's ask page with this report version, its emissions chart and the figure named."""
    query = {"report": version.pk, "topic": "air",
             "title": _("About the %(symbol)s figure in the %(period)s report") % {
                 "symbol": symbol, "period": version.report.period_label}}
    if EMISSIONS_CHART in chart_keys:
        query["chart"] = EMISSIONS_CHART
    return f"{reverse('forums:ask')}?{urlencode(query)}"


def air_rows(version, metrics, permit, framing, chart_keys=()):
    """The first screen's pollutants: figure, range, cap or comparison, what it means, where to ask."""
    caps = permit.emission_caps() if permit is not None else {}
    unavailable = figures.unavailable_keys((version.run.summary or {}).get("checks"))
    rows = []
    for key, metric_key in POLLUTANTS:
        symbol = SYMBOLS.get(key) or labels.pollutant_symbol(key)
        metric = None if metric_key in unavailable else metrics.get(metric_key)
        figure, spread = _figure_and_range(metric, key)
        value = None if metric is None else metric.value
        cap = caps.get(key)
        extra = {}
        if cap is not None and value is not None:
            share = value / cap
            compare = _cap_text(share, cap, framing, symbol)
            extra = {"bar_step": _bar_step(share), "over_cap": share > 1}
            if key == "formaldehyde" and PermitLimit.HAP in caps:
                compare += " " + _("All hazardous air pollutants together are capped at %(cap)s; the model computes "
                                   "formaldehyde only.") % {"cap": figures.fmt(caps[PermitLimit.HAP], "t")}
        elif cap is not None:
            compare = _("The 12-month cap is %(cap)s; this month's figure is not available.") % {"cap": figures.fmt(cap, "t")}
        else:
            compare, source, status = _compare_text(key, value, symbol)
            extra = {"source": source, "status": status}
            if not compare:
                compare = _("No permit cap and no local comparison with a source for %(symbol)s.") % {"symbol": symbol}
        rows.append(AirRow(
            key=key, symbol=symbol, figure=figure, range=spread, compare=compare, means=str(MEANS[key]),
            glossary=GLOSSARY_ANCHORS.get(key, key), ask_url=ask_url(version, key, symbol, chart_keys), **extra,
        ))
    return rows


# The lead: served energy, where it came from and the gas burned (impact.summary's own sentences).
LEAD_KEYS = {"energy_facility_mwh", "onsite_share", "energy_onsite_mwh", "fuel_scf", "energy_battery_discharge_mwh"}


def lead_sentences(period_label, metrics, data):
    """The summary's sentences on energy and gas, in plain words; "not available" when the energy is missing."""
    out = [s.text for s in summary.sentences(period_label, metrics, data)
           if {a.removeprefix("metric-") for a in s.anchors if a.startswith("metric-")} <= LEAD_KEYS]
    if "energy_facility_mwh" not in metrics:
        out.insert(0, _("In %(period)s the electricity the site used is %(na)s.") % {
            "period": period_label, "na": _(figures.NOT_AVAILABLE)})
    return out


def first_screen(version, metrics, chart_keys=()):
    """The home page's context for the latest published ``version``; ``metrics`` maps key → metric."""
    report = version.report
    permit, framing = permit_for(report.facility, report.start_date, report.end_date)
    return {
        "lead": lead_sentences(report.period_label, metrics, version.run.summary or {}),
        "permit": permit,
        "permit_framing": framing,
        "permit_note": permit_note(permit, framing, report.period_label),
        "permit_source": permit_source(permit),
        "air_rows": air_rows(version, metrics, permit, framing, chart_keys),
    }
