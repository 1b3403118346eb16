"""A published report is safe to quote: served energy everywhere, the same figure in the text, the
charts' alt text, the CSV and the API, and unserved demand a staff diagnostic behind a publish gate
at every door (service, admin, API, command)."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from impact import figures, services
from impact.models import ReportMetric, ReportVersion
from portal.accounts.models import ApiToken

from ..conftest import verify_second_factor as verified

ACK = "July 2024 supply is known only from news reports; a grid feed is probably missing from the model."


def page_of(client, version):
    return client.get(version.get_absolute_url()).content.decode()


def words(html):
    """The page as a reader sees it: tags dropped, so a figure inside a link reads as plain text."""
    return re.sub(r"<[^>]+>", "", html)


# --- The publish gate ------------------------------------------------------------------------------


def test_a_run_above_the_threshold_is_refused_naming_its_share_and_the_threshold(synthetic_run, analyst):
    run = synthetic_run(unserved_share=0.05)
    with pytest.raises(services.PublishError, match=r"5\.0 %.*2\.0 %"):
        services.publish_run(run, user=analyst)
    assert not ReportVersion.objects.exists()


def test_with_an_acknowledgement_it_is_published_and_the_public_reads_it_with_the_share(synthetic_run, analyst, anonymous):
    run = synthetic_run(unserved_share=0.05)
    version, created = services.publish_run(run, user=analyst, acknowledgement=f"  {ACK}  ")
    assert created and version.unserved_acknowledgement == ACK
    page = page_of(anonymous, version)
    assert ACK in page
    assert "could not serve 5.0 % of its modelled demand" in page


def test_below_the_threshold_a_run_publishes_plainly_and_shows_no_diagnostic(synthetic_run, analyst, anonymous):
    run = synthetic_run(unserved_share=0.01)
    version, created = services.publish_run(run, user=analyst)
    assert created and version.unserved_acknowledgement == ""
    page = page_of(anonymous, version)
    assert 'id="unserved-acknowledgement"' not in page
    assert "metric-energy_unserved_mwh" not in page and "metric-energy_demand_mwh" not in page
    assert "demand-vs-served" not in page


def test_the_threshold_is_a_setting(synthetic_run, analyst, settings):
    settings.IMPACT_UNSERVED_PUBLISH_THRESHOLD = 0.10
    version, created = services.publish_run(synthetic_run(unserved_share=0.05), user=analyst)
    assert created


def test_the_api_refuses_without_an_acknowledgement_and_publishes_with_one(synthetic_run, analyst):
    run = synthetic_run(unserved_share=0.05)
    # Publishing a draft needs to see it (view_reportrun) as well as add_reportversion.
    _, key = ApiToken.objects.issue(analyst, "publishing script", ["impact.view_reportrun", "impact.add_reportversion"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    refused = api.post(f"/api/v1/report-runs/{run.pk}/publish/", {}, format="json")
    assert refused.status_code == 400
    assert "5.0 %" in refused.json()["acknowledgement"][0]
    published = api.post(f"/api/v1/report-runs/{run.pk}/publish/", {"acknowledgement": ACK}, format="json")
    assert published.status_code == 201, published.content
    body = published.json()
    assert body["unserved_acknowledgement"] == ACK
    assert body["unserved_share"] == pytest.approx(0.05)


def test_compute_report_publish_needs_acknowledge_above_the_threshold(synthetic_run, monkeypatch):
    run = synthetic_run(unserved_share=0.05)
    monkeypatch.setattr(services, "request_report", lambda *args, **kwargs: run)
    out = io.StringIO()
    with pytest.raises(CommandError, match="--acknowledge"):
        call_command("compute_report", run.report.facility.slug, period=run.report.period, publish=True, stdout=out)
    assert "5.0 %" in out.getvalue()
    assert not ReportVersion.objects.exists()
    call_command("compute_report", run.report.facility.slug, period=run.report.period, publish=True, acknowledge=ACK, stdout=out)
    assert ReportVersion.objects.get(run=run).unserved_acknowledgement == ACK


def test_the_draft_shows_staff_the_demand_unserved_energy_share_and_hours(synthetic_run, analyst, login, anonymous):
    run = synthetic_run(unserved_share=0.05)
    page = verified(login(analyst), analyst).get(run.get_absolute_url()).content.decode()
    for key in figures.DIAGNOSTIC_KEYS:
        assert f'id="metric-{key}"' in page
    assert "Publishing needs a written acknowledgement" in page
    assert "demand-vs-served" in page
    anonymous.logout()
    assert anonymous.get(f"/reports/charts/{run.pk}/demand-vs-served.png").status_code == 404


def test_the_staff_chart_stays_private_after_publication(synthetic_run, analyst, anonymous):
    run = synthetic_run(unserved_share=0.05)
    version, _ = services.publish_run(run, user=analyst, acknowledgement=ACK)
    assert anonymous.get(f"/reports/charts/{run.pk}/demand-vs-served.png").status_code == 404
    assert anonymous.get(f"/reports/charts/{run.pk}/daily-supply.png").status_code == 200
    assert "demand-vs-served" not in page_of(anonymous, version)


def test_a_forum_moderator_sees_no_draft_while_an_analyst_does(synthetic_run, analyst, moderator, login):
    """Drafts are for the roles that work on reports, not for every staff account (issue 12)."""
    run = synthetic_run()
    mod = login(moderator)
    assert mod.get(f"/reports/runs/{run.pk}/").status_code == 403
    assert mod.get(f"/reports/charts/{run.pk}/daily-supply.png").status_code == 404
    assert mod.get(f"/reports/downloads/{run.pk}.csv").status_code == 404
    ana = verified(login(analyst), analyst)
    assert ana.get(f"/reports/runs/{run.pk}/").status_code == 200
    assert ana.get(f"/reports/charts/{run.pk}/daily-supply.png").status_code == 200


# --- One figure, everywhere ----------------------------------------------------------------------


def _alt(run, key):
    return run.charts.get(key=key, language="en").alt_text


def test_text_alt_text_csv_and_api_write_the_same_figures(synthetic_run, analyst, anonymous):
    run = synthetic_run(unserved_share=0.01)
    version, _ = services.publish_run(run, user=analyst)
    page = page_of(anonymous, version)
    summary = page.split('id="summary-h"')[1].split("</section>")[0]
    api = {m["key"]: m for m in APIClient().get(f"/api/v1/report-versions/{version.pk}/").json()["metrics"]}
    rows = list(csv.DictReader(io.StringIO(bytes(run.artifacts.get(kind="csv").content).decode())))
    hourly = {
        "energy_facility_mwh": sum(float(r["facility_load_mw"]) for r in rows),  # 1-hour steps: MW = MWh
        "co2e_total_t": sum(float(r["onsite_co2e_kg"]) + float(r["grid_co2e_kg"]) for r in rows) / 1000,
        "nox_onsite_t": sum(float(r["onsite_nox_kg"]) for r in rows) / 1000,
        "water_onsite_m3": sum(float(r["water_onsite_l"]) for r in rows) / 1000,
    }
    headline_alt = _alt(run, "headline-ranges")
    for key, unit in [("energy_facility_mwh", "MWh"), ("co2e_total_t", "t"), ("nox_onsite_t", "t"), ("water_onsite_m3", "m³")]:
        text = figures.number(api[key]["value"])
        assert figures.number(hourly[key]) == text, key
        assert text in summary, key
        assert f"{text} {unit}" in headline_alt, key
        assert f"{text} {unit}" in page.split('id="headline-h"')[1].split("</ul>")[0], key
    assert f"{figures.number(api['energy_facility_mwh']['value'])} MWh" in _alt(run, "daily-supply")
    share = figures.percent(api["onsite_share"]["value"])
    assert share in summary and share in _alt(run, "daily-supply")


def test_the_supply_chart_stacks_served_energy_only(synthetic_run):
    run = synthetic_run(unserved_share=0.05)
    chart = run.charts.get(key="daily-supply", language="en")
    served = ReportMetric.objects.get(run=run, scenario="", key="energy_facility_mwh").value
    columns = chart.table["columns"]
    assert not any("not served" in c.lower() for c in columns)
    stacked = sum(row[columns.index("Served (MW avg)")] for row in chart.table["rows"]) * 24
    assert stacked == pytest.approx(served, rel=1e-3)
    assert "not be served" not in chart.alt_text.lower()


def test_the_home_page_never_calls_unserved_energy_used(synthetic_run, analyst, anonymous):
    run = synthetic_run(unserved_share=0.05)
    services.publish_run(run, user=analyst, acknowledgement=ACK)
    page = words(anonymous.get("/").content.decode())
    demand = ReportMetric.objects.get(run=run, scenario="", key="energy_demand_mwh").value
    unserved = ReportMetric.objects.get(run=run, scenario="", key="energy_unserved_mwh").value
    served = ReportMetric.objects.get(run=run, scenario="", key="energy_facility_mwh").value
    assert f"the site used {figures.number(served)} MWh" in page
    for figure in (demand, unserved):
        assert f"{figures.number(figure)} MWh" not in page
    for sentence in re.split(r"(?<=[.!?])\s*", page):
        if "serve" in sentence and "used" in sentence:
            assert "not serve" not in sentence and "unserved" not in sentence, sentence


def test_public_downloads_and_api_leave_out_the_staff_diagnostics(synthetic_run, analyst, anonymous):
    run = synthetic_run(unserved_share=0.01)
    version, _ = services.publish_run(run, user=analyst)
    header = bytes(run.artifacts.get(kind="csv").content).decode().splitlines()[0].split(",")
    assert "demand_mw" not in header and "unserved_mw" not in header and "facility_load_mw" in header
    json_text = bytes(run.artifacts.get(kind="json").content).decode()
    assert "energy_unserved_mwh" not in json_text and "energy_demand_mwh" not in json_text
    api = APIClient()
    keys = {m["key"] for m in api.get("/api/v1/report-metrics/", {"version": version.pk}).json()["results"]}
    assert "energy_facility_mwh" in keys and not keys & set(figures.DIAGNOSTIC_KEYS)
    detail = api.get(f"/api/v1/report-versions/{version.pk}/").json()
    assert "demand_mw" not in detail["series_columns"] and detail["unserved_share"] is None
    series = api.get("/api/v1/series-points/", {"version": version.pk}).json()
    assert "unserved_mw" not in series["results"][0]["values"]


# --- Honest uncertainty --------------------------------------------------------------------------


def test_every_published_metric_of_a_computed_report_lies_inside_its_own_90_percent_range(computed_run, analyst):
    """P5 ≤ headline ≤ P95 for every metric (issue 10): the headline is the central run at input medians."""
    run = computed_run(samples=200)
    assert run.status == "succeeded", run.error
    version, _ = services.publish_run(run, user=analyst, acknowledgement=ACK)
    outside = []
    for m in ReportMetric.objects.filter(run=run):
        if m.p5 is None or not figures.is_public_metric(m.key, version):
            continue
        slack = 1e-9 * max(abs(m.p5), abs(m.p95), 1.0)
        if not (m.p5 - slack <= m.value <= m.p95 + slack):
            outside.append(f"{m.scenario or 'base'} {m.key}: {m.value:.6g} outside {m.p5:.6g}–{m.p95:.6g}")
    assert not outside, "\n".join(outside)


def test_a_computed_report_reports_served_energy_within_supply(computed_run):
    run = computed_run()
    assert run.status == "succeeded", run.error
    metrics = {m.key: m.value for m in ReportMetric.objects.filter(run=run, scenario="")}
    supplied = metrics["energy_onsite_mwh"] + metrics["energy_grid_mwh"] + metrics.get("energy_battery_discharge_mwh", 0)
    supplied -= metrics.get("energy_battery_charge_mwh", 0)
    assert metrics["energy_facility_mwh"] == pytest.approx(supplied, rel=1e-9)
    assert "methods" in run.summary


@pytest.mark.parametrize("raw", ["two percent", "nan", "-0.1", "1.5", "inf"])
def test_a_malformed_threshold_refuses_to_start(raw, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from portal.settings import envfloat

    monkeypatch.setenv("IMPACT_UNSERVED_PUBLISH_THRESHOLD", raw)
    with pytest.raises(ImproperlyConfigured, match="IMPACT_UNSERVED_PUBLISH_THRESHOLD"):
        envfloat("IMPACT_UNSERVED_PUBLISH_THRESHOLD", 0.02, minimum=0.0, maximum=1.0)


def test_the_threshold_defaults_to_two_percent(monkeypatch):
    from portal.settings import envfloat

    monkeypatch.delenv("IMPACT_UNSERVED_PUBLISH_THRESHOLD", raising=False)
    assert envfloat("IMPACT_UNSERVED_PUBLISH_THRESHOLD", 0.02, minimum=0.0, maximum=1.0) == 0.02
    monkeypatch.setenv("IMPACT_UNSERVED_PUBLISH_THRESHOLD", "0.05")
    assert envfloat("IMPACT_UNSERVED_PUBLISH_THRESHOLD", 0.02, minimum=0.0, maximum=1.0) == 0.05


def test_each_source_is_named_once_with_its_section_and_year(computed_run, analyst, anonymous):
    """A reader sees "AP-42 §3.2, Table 3.2-2, 2000", not the section and year a second time."""
    run = computed_run()
    version, _ = services.publish_run(run, user=analyst, acknowledgement=ACK)
    text = words(page_of(anonymous, version))
    cited = [a for a in run.input_snapshot["assumptions"] if a.get("source_section")]
    assert cited
    for a in cited:
        once = figures.citation(a)
        assert once.count(a["source_section"]) == 1
        assert f'{once}, {a["source_section"]}' not in text
    assert figures.citation({"source": "EIA", "source_section": "Table 5", "source_year": 2023}) == "EIA, Table 5, 2023"
    assert figures.citation({"source": "EIA, Table 5, 2023", "source_section": "Table 5", "source_year": 2023}) == "EIA, Table 5, 2023"
    assert figures.citation({}) == ""


def test_power_plant_water_nobody_estimated_is_left_out_not_reported_as_zero(computed_run, memphis):
    """Memphis cites no water rate for TVA's plants: the report has no such figure and no column."""
    assert memphis.grid.generation_water_l_per_kwh is None
    run = computed_run()
    assert run.status == "succeeded", run.error
    assert not ReportMetric.objects.filter(run=run, key="water_generation_m3").exists()
    assert "water_generation_l" not in run.series_columns
    assert ReportMetric.objects.filter(run=run, key="water_onsite_m3").exists()


def test_the_migration_empties_an_uncited_zero_and_keeps_a_cited_one(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from impact.models import GridSupply

    executor = MigrationExecutor(connection)
    executor.migrate([("impact", "0008_physical_bounds")])
    executor.loader.build_graph()
    old = executor.loader.project_state([("impact", "0008_physical_bounds")]).apps
    OldFacility, OldGrid = old.get_model("impact", "Facility"), old.get_model("impact", "GridSupply")
    uncited = OldGrid.objects.create(facility=OldFacility.objects.create(name="A", slug="a"), utility="X",
                                     generation_water_l_per_kwh=0.0)
    b = OldFacility.objects.create(name="B", slug="b")
    cited = OldGrid.objects.create(facility=b, utility="Y", generation_water_l_per_kwh=0.0)
    measured = OldGrid.objects.create(facility=OldFacility.objects.create(name="C", slug="c"), utility="Z",
                                      generation_water_l_per_kwh=1.9)
    kind = old.get_model("contenttypes", "ContentType").objects.get_or_create(app_label="impact", model="gridsupply")[0]
    old.get_model("impact", "Assumption").objects.create(
        facility=b, content_type_id=kind.pk, object_id=cited.pk, field_name="generation_water_l_per_kwh",
        status="U", low=0.0, high=0.1)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    values = dict(GridSupply.objects.values_list("utility", "generation_water_l_per_kwh"))
    assert values == {"X": None, "Y": 0.0, "Z": 1.9}
