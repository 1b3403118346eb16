"""Spanish for everything impact writes in Python (issue 14): the plain-language summary, every
word a chart draws or tells a screen reader, the report alerts, and the catalogue behind them.

"No English" is checked against the English rendering of the same thing: a Spanish text fails
when it still carries a word of its English twin, apart from names (generator groups, scenarios,
the facility), abbreviations, numbers and units, and the few words both languages spell alike.
"""

import re
import zoneinfo
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest
from django.core import mail
from django.utils import translation
from matplotlib.backends.backend_agg import FigureCanvasAgg

from impact import charts, figures, services, summary
from impact.engine.labels import POLLUTANT_SYMBOLS
from impact.models import ReportChart, ReportSubscription
from tests.conftest import build_synthetic_result
from tests.impact.test_chart_layout import texts_of

# The worker draws the Spanish charts these tests read (tests/conftest.py chart_languages).
pytestmark = pytest.mark.every_chart_language

CATALOGUE = Path(__file__).resolve().parents[2] / "impact" / "locale" / "es" / "LC_MESSAGES" / "django.po"
MEMPHIS = zoneinfo.ZoneInfo("America/Chicago")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# Spelled alike in English and Spanish, or a unit, symbol or abbreviation kept as it is.
SAME_IN_BOTH = {
    "total", "central", "base", "gas", "natural", "local", "panel", "formal", "final", "normal",
    "mwh", "mw", "mmbtu", "pue", "wue", "nox", "co", "voc", "pm", "so", "ch", "ar", "tdp", "gwp", "svg", "png",
    "tennessee", "memphis", "xai", "colossus", "p5", "p50", "p95", "kg", "m³", "co₂", "co₂e", "noₓ", "ch₄", "so₂",
    "gases", "regional", "ignore",  # "ignore este mensaje": the usted form of ignorar
    "feb", "mar", "may", "jun", "jul", "sep", "oct", "nov",  # month abbreviations spelled alike
}
# Chemical symbols (CO₂, N₂O, NOₓ...): every pollutant symbol but the two written in words.
SAME_IN_BOTH |= {w for key, symbol in POLLUTANT_SYMBOLS.items() if key not in ("pm", "formaldehyde") for w in re.findall(r"[^\W\d_]{3,}", symbol.lower())}


def words(text):
    """The words of a text, lower-cased, 3 letters or more (numbers and 1–2 letter symbols are not words)."""
    return {w.lower() for w in re.findall(r"[^\W\d_]{3,}", str(text))}


def english_left(spanish, english, names=()):
    """Words of ``english`` still in its Spanish twin ``spanish``: none, when it is translated."""
    allowed = SAME_IN_BOTH | {w for name in names for w in words(name)}
    return sorted((words(spanish) & words(english)) - allowed)


def in_both(render):
    """``render()`` in English and in Spanish."""
    with translation.override("en"):
        english = render()
    with translation.override("es"):
        spanish = render()
    return english, spanish


# --- The catalogue -------------------------------------------------------------------------------


def test_every_catalogue_entry_is_translated_and_keeps_its_placeholders():
    catalogue = polib.pofile(str(CATALOGUE))
    assert len(catalogue) > 100
    assert not catalogue.fuzzy_entries()
    assert not catalogue.untranslated_entries()
    for entry in catalogue:
        wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for text in entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, entry.msgid
            assert text.count("\n") == entry.msgid.count("\n"), entry.msgid  # chart titles keep their lines


def test_the_english_word_check_catches_an_untranslated_text():
    assert english_left("Energy served by month", "Energy served by month") == ["energy", "month", "served"]
    assert english_left("Energía suministrada por mes", "Energy served by month") == []
    assert english_left("VoltaGrid turbinas", "VoltaGrid turbines", names=["VoltaGrid"]) == []


# --- The plain-language summary ------------------------------------------------------------------


def _metrics(**values):
    return {key: SimpleNamespace(value=value) for key, value in values.items()}


ALL_SENTENCES = _metrics(
    energy_facility_mwh=12_345.0, onsite_share=0.2934, energy_onsite_mwh=3_622.0, fuel_scf=41_000_000.0,
    energy_battery_discharge_mwh=120.0, co2e_total_t=5_678.0, co2e_onsite_t=1_900.0, co2e_grid_t=3_778.0,
    co2e_total_market_t=6_100.0, nox_onsite_t=4.2, formaldehyde_onsite_t=0.031, water_onsite_m3=8_800.0,
)
COMPARISONS = {"comparisons": [{"key": "tn_households_electricity", "value": 14_000.0},
                               {"key": "passenger_cars_co2e", "value": 1_250.0}]}


def _period_label():
    from impact.periods import parse_period

    return parse_period("2025-07").label


@pytest.mark.parametrize("case", ["every figure and comparison", "no comparisons, no split", "grid only"])
def test_the_summary_in_spanish_has_no_english_and_links_the_same_figures(case):
    data, metrics = COMPARISONS, ALL_SENTENCES
    if case == "no comparisons, no split":
        data = {}
        metrics = {k: v for k, v in ALL_SENTENCES.items() if k not in ("co2e_onsite_t", "fuel_scf")}
    elif case == "grid only":
        metrics = _metrics(energy_facility_mwh=500.0, onsite_share=0.0, energy_onsite_mwh=0.0, co2e_total_t=200.0)
    english, spanish = in_both(lambda: summary.sentences(_period_label(), metrics, data))
    assert len(english) == len(spanish) >= 2
    for en, es in zip(english, spanish):
        assert es.anchors == en.anchors, es.text  # every figure keeps its link to its row
        assert not english_left(es.text, en.text), es.text
        numbers = re.findall(r"\d[\d,.]*", en.text)
        assert all(n in es.text for n in numbers), es.text
    assert "julio de 2025" in spanish[0].text


def test_a_missing_figure_reads_not_available_in_spanish():
    with translation.override("es"):
        assert figures.fmt(None, "MWh") == "no disponible"
        assert figures.span(8.0, 8.0001, "MW") == "alrededor de 8 MW"
        assert figures.span(-5, 3, "t") == "de -5 a 3 t"


# --- Charts --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def both_languages():
    """(English, Spanish) public charts of the hand-built result with batteries and 5 % unserved demand."""
    result = build_synthetic_result(unserved_share=0.05)
    english, spanish = in_both(lambda: charts.report_figures(result, MEMPHIS, staff=False))
    for chart in english + spanish:
        FigureCanvasAgg(chart.figure).draw()
    names = [g.name for g in result.base.generators] + list(result.scenarios)
    return english, spanish, names


def _drawn_texts(chart):
    return [t.get_text() for t, _, _ in texts_of(chart.figure)]


def test_spanish_charts_have_no_english_in_titles_axes_legends_tables_or_alt_text(both_languages):
    english, spanish, names = both_languages
    assert [c.key for c in spanish] == [c.key for c in english]
    for en, es in zip(english, spanish):
        assert not english_left(es.title, en.title, names), (es.key, es.title)
        assert not english_left(es.alt_text, en.alt_text, names), (es.key, es.alt_text)
        for en_col, es_col in zip(en.table["columns"], es.table["columns"]):
            assert not english_left(es_col, en_col, names), (es.key, es_col)
        for text in _drawn_texts(es):
            assert not english_left(text, " ".join(_drawn_texts(en)), names), (es.key, text)


def test_spanish_charts_quote_the_same_figures(both_languages):
    english, spanish, _names = both_languages
    for en, es in zip(english, spanish):
        assert re.findall(r"\d[\d,.]*", en.alt_text) == re.findall(r"\d[\d,.]*", es.alt_text), es.key
        numbers = [[c for c in row if not isinstance(c, str)] for row in en.table["rows"]]
        assert numbers == [[c for c in row if not isinstance(c, str)] for row in es.table["rows"]], es.key


def test_the_worker_draws_the_staff_diagnostic_in_english_only():
    drawn = services.draw_charts(build_synthetic_result(unserved_share=0.05), MEMPHIS)
    assert set(drawn) == {"en", "es"}
    assert "demand-vs-served" in [c.key for c in drawn["en"]]
    assert [c.key for c in drawn["es"]] == [c.key for c in drawn["en"] if c.key not in figures.STAFF_CHART_KEYS]


# --- Pages and chart images ----------------------------------------------------------------------


def _spanish(client):
    client.cookies["django_language"] = "es"
    return client


def test_a_spanish_visitor_sees_the_spanish_charts_and_alt_text(synthetic_run, analyst, anonymous):
    run = synthetic_run()
    version, _ = services.publish_run(run, user=analyst)
    page = _spanish(anonymous).get(version.get_absolute_url()).content.decode()
    for chart in run.charts.filter(language="es"):
        assert f'src="/reports/charts/{run.pk}/es/{chart.key}.png"' in page
        assert f'alt="{chart.alt_text[:40]}' in page
    assert 'lang="en"' not in page.split('id="charts-h"')[1].split("</section>")[0]
    assert "Electricidad suministrada por día" in page
    # The Methods table names each scope and pollutant in Spanish too.
    assert "Combustión en el sitio (alcance 1)" in page and "On-site combustion" not in page
    assert "Óxidos de nitrógeno (NOx)" in page and "Nitrogen oxides" not in page
    english = ReportChart.objects.get(run=run, key="daily-supply", language="en")
    spanish = ReportChart.objects.get(run=run, key="daily-supply", language="es")
    image = anonymous.get(f"/reports/charts/{run.pk}/es/daily-supply.png")
    assert image.status_code == 200 and image.content == bytes(spanish.png) != bytes(english.png)
    assert anonymous.get(f"/reports/charts/{run.pk}/daily-supply.png").content == bytes(english.png), "the old URL stays English"
    assert anonymous.get(f"/reports/charts/{run.pk}/fr/daily-supply.png").status_code == 404


def test_a_run_drawn_before_spanish_charts_falls_back_to_english_marked_so(synthetic_run, analyst, anonymous):
    run = synthetic_run()
    ReportChart.objects.filter(run=run, language="es").delete()  # as the worker drew runs before issue 14
    version, _ = services.publish_run(run, user=analyst)
    page = _spanish(anonymous).get(version.get_absolute_url()).content.decode()
    charts_html = page.split('id="charts-h"')[1].split("</section>")[0]
    english = ReportChart.objects.get(run=run, key="daily-supply", language="en")
    assert f'src="/reports/charts/{run.pk}/en/daily-supply.png" alt="{english.alt_text}" loading="lazy" lang="en"' in charts_html
    assert f'<span lang="en">{english.title}</span>' in charts_html


def test_an_english_visitor_sees_the_english_charts_unmarked(synthetic_run, analyst, anonymous):
    run = synthetic_run()
    version, _ = services.publish_run(run, user=analyst)
    page = anonymous.get(version.get_absolute_url()).content.decode()
    assert f'src="/reports/charts/{run.pk}/en/daily-supply.png"' in page
    assert 'lang="en"' not in page.split('id="charts-h"')[1].split("</section>")[0]


# --- Report alerts -------------------------------------------------------------------------------


def test_report_alerts_are_written_in_the_language_the_resident_subscribed_in(analyst, synthetic_run):
    run = synthetic_run()
    facility = run.report.facility
    for language in ("en", "es"):
        with translation.override(language):
            subscription, _ = services.subscribe(facility, f"{language}@example.org")
        services.confirm_subscription(subscription.token)
        assert ReportSubscription.objects.get(pk=subscription.pk).language == language
    version, _ = services.publish_run(run, user=analyst)
    with translation.override("en"):  # the worker's own language is English: the subscriber's must win
        assert services.notify_subscribers(version.pk) == 2
    by_reader = {}
    for message in mail.outbox:
        by_reader.setdefault(message.to[0], []).append((message.subject, re.sub(r"https?://\S+", "", message.body)))
    english, spanish = by_reader["en@example.org"], by_reader["es@example.org"]
    assert len(english) == len(spanish) == 2  # the confirmation, then the new report
    for (en_subject, en_body), (es_subject, es_body) in zip(english, spanish):
        assert not english_left(es_subject, en_subject, [facility.name]), es_subject
        assert not english_left(es_body, en_body, [facility.name]), es_body  # links are addresses, not words
    assert spanish[0][0].startswith("Confirme")
    assert "Se publicó un nuevo informe" in spanish[1][1]


def test_subscribing_from_a_spanish_page_stores_spanish(memphis, anonymous):
    _spanish(anonymous).post(f"/facilities/{memphis.slug}/subscribe/", {"email": "vecina@example.org"})
    assert ReportSubscription.objects.get().language == "es"
    assert mail.outbox[0].subject.startswith("Confirme")


def test_the_downloads_stay_english_when_a_run_is_computed_in_a_spanish_request(memphis, monkeypatch):
    run = services.request_report(memphis, "2024-07", samples=0)
    monkeypatch.setattr(services.engine, "compute", lambda *args, **kwargs: build_synthetic_result())
    built_in = []
    real = services.downloads.build_downloads

    def build(*args):
        built_in.append(translation.get_language())
        return real(*args)

    monkeypatch.setattr(services.downloads, "build_downloads", build)
    with translation.override("es"):  # an eager task inside a Spanish staff request
        assert services.execute_run(run.pk)
    assert built_in == ["en"]
    assert set(ReportChart.objects.filter(run=run).values_list("language", flat=True)) == {"en", "es"}
