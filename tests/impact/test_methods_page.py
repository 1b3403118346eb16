"""The Methods: a section on every report naming each factor used, and /methods/ with worked examples."""

import re

import pytest

from impact import figures, methods, services
from impact.engine import constants


def words(html):
    return re.sub(r"<[^>]+>", "", html)


def test_the_methods_page_shows_every_equation_with_its_worked_numbers(anonymous):
    page = anonymous.get("/methods/")
    assert page.status_code == 200
    text = page.content.decode()
    for example in methods.worked_examples():
        assert f'id="{example.key}"' in text
        for step in example.steps:
            assert step.result in text, (example.key, step.what)
    # The numbers a reader will check by hand.
    assert "612,150 W" in text  # IT power
    assert "53.06" in text and "53.117 kg CO₂e/MMBtu" in text  # Part 98 CO2 and CO2e with AR6
    assert "0.37169 lb/MMBtu" in text  # NSPS JJJJ 1 g/bhp-hr at η 0.97 and 8,200 Btu/kWh
    assert "0.45359237" in text and "location-based" in text and "market-based" in text


def test_the_site_navigation_and_every_report_link_to_the_methods(synthetic_run, anonymous):
    version, _ = services.publish_run(synthetic_run())
    page = anonymous.get(version.get_absolute_url()).content.decode()
    assert page.count('href="/methods/"') >= 2  # site nav and the report's Methods section


def test_worked_numbers_are_computed_from_the_engine_constants():
    by_key = {ex.key: ex for ex in methods.worked_examples()}
    it_w = (1000 * (70 + 630 * 0.6) + 125 * (600 + 800 * 0.6)) * 1.05
    assert by_key["it-power"].values["it_mw"] == pytest.approx(it_w / 1e6)
    fuel = by_key["fuel"].values["fuel_mmbtu"]
    assert by_key["emissions"].values["co2_kg"] == pytest.approx(fuel * 53.06)
    assert by_key["emissions"].values["nox_kg"] == pytest.approx(fuel * 0.32 * constants.KG_PER_LB)
    # 1 hp = 745.699872 W (550 ft·lbf/s; NIST SP 811 App. B), as the engine converts.
    expected = 1.0e6 / (453.59237 * 0.745699872 * 0.97 * 8200)
    assert by_key["limit"].values["lb_per_mmbtu"] == pytest.approx(expected, rel=1e-12)
    gwp = constants.GWP_SETS["AR6"]
    assert by_key["co2e"].values["part98_kg_per_mmbtu"] == pytest.approx(53.06 + gwp["ch4"] * 1e-3 + gwp["n2o"] * 1e-4)
    median = by_key["uncertainty"].values["median"]
    assert 0.847 < median < 4.08 and median == pytest.approx(0.847 + (4.08 - 0.847) / 2**0.5)


def test_a_report_lists_every_factor_used_with_value_unit_basis_and_status(synthetic_run, anonymous):
    run = synthetic_run()
    version, _ = services.publish_run(run)
    section = anonymous.get(version.get_absolute_url()).content.decode().split('id="methods-h"')[1].split("</section>")[0]
    rows = re.findall(r'<tr class="method method-[\w_]+" data-path="([^"]*)">(.*?)</tr>', section, flags=re.S)
    assert [path for path, _ in rows] == [m["path"] for m in run.summary["methods"]]
    assumptions = {a["path"]: a for a in run.input_snapshot["assumptions"]}
    for (path, row), method in zip(rows, run.summary["methods"]):
        cells = words(row)
        assert figures.factor(method["value"]) in cells, path
        assert method["unit"] in cells
        assert (method["basis"] or "—") in cells
        assert f'status-{assumptions[path]["status"]}' in row
        assert assumptions[path]["source_section"] in cells and str(assumptions[path]["source_year"]) in cells
    text = words(section)
    assert "931.59" in text, "a grid rate is quoted as used, not rounded"
    assert "location-based" in text and "market-based" in text
    assert "CH₄ 29.8, N₂O 273.0" in text and "IPCC AR6" in text


def test_the_assumptions_table_says_why_a_range_has_its_shape(synthetic_run, anonymous):
    version, _ = services.publish_run(synthetic_run())
    page = anonymous.get(version.get_absolute_url()).content.decode()
    assert "AP-42 gives the uncontrolled factor; controls can only lower it." in page


def test_the_api_lists_the_methods_of_a_version(synthetic_run):
    from rest_framework.test import APIClient

    version, _ = services.publish_run(synthetic_run())
    detail = APIClient().get(f"/api/v1/report-versions/{version.pk}/").json()
    scopes = [m["scope"] for m in detail["methods"]]
    assert "grid_location" in scopes and "grid_market" in scopes
    nox = next(m for m in detail["methods"] if m["regime"] == "AP-42 uncontrolled, ≥90 % load")
    assert (nox["value"], nox["unit"], nox["basis"], nox["status"]) == (4.08, "lb/MMBtu", "HHV", "U")
    reason = next(a for a in detail["assumptions"] if a["path"] == nox["path"])["distribution_reason"]
    assert reason.startswith("AP-42 gives")


def test_a_run_from_an_engine_without_a_methods_list_says_so(synthetic_run, anonymous):
    run = synthetic_run()
    summary = dict(run.summary)
    summary.pop("methods")
    type(run).objects.filter(pk=run.pk).update(summary=summary)
    version, _ = services.publish_run(run)
    assert "did not list the factors it used" in anonymous.get(version.get_absolute_url()).content.decode()
