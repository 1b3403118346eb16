"""The open-data bundle: CSVs, data dictionary, input snapshot and checksums, linked from the page."""

import csv
import hashlib
import io
import json
import zipfile

import pytest

from impact.api.dictionary import describe_series_column
from impact.figures import DIAGNOSTIC_KEYS

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(published, api):
    response = api.get(f"/api/v1/report-versions/{published.version.pk}/bundle/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return response, zipfile.ZipFile(io.BytesIO(body))


def read_csv(archive, name):
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))


def test_it_downloads_a_zip_named_after_the_report(bundle, published):
    response, archive = bundle
    assert response["Content-Type"] == "application/zip"
    assert f"{published.facility.slug}_" in response["Content-Disposition"]
    assert set(archive.namelist()) == {
        "README.txt", "metrics.csv", "series.csv", "assumptions.csv", "input_snapshot.json",
        "data_dictionary.csv", "SHA256SUMS",
    }


def test_every_file_matches_its_checksum(bundle):
    _, archive = bundle
    lines = archive.read("SHA256SUMS").decode().splitlines()
    assert len(lines) == 6
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest


def test_the_data_dictionary_describes_every_column(bundle):
    _, archive = bundle
    dictionary = read_csv(archive, "data_dictionary.csv")
    assert dictionary[0] == ["file", "column", "meaning", "unit", "source"]
    described = {(row[0], row[1]) for row in dictionary[1:] if row[2] and row[4]}
    for name in ("series.csv", "metrics.csv", "assumptions.csv"):
        for column in read_csv(archive, name)[0]:
            assert (name, column) in described, f"{name}:{column} has no meaning or source"


def test_the_series_and_metrics_are_complete(bundle, published):
    _, archive = bundle
    series = read_csv(archive, "series.csv")
    assert len(series) == 1 + published.run.points.count()
    assert series[1][0] == "2024-07-01T05:00:00Z"
    metrics = read_csv(archive, "metrics.csv")
    assert len(metrics) == 1 + published.run.metrics.exclude(key__in=DIAGNOSTIC_KEYS).count()  # staff diagnostics
    assert "unserved_mw" not in series[0] and "facility_load_mw" in series[0]


def test_the_input_snapshot_is_the_runs(bundle, published):
    _, archive = bundle
    assert json.loads(archive.read("input_snapshot.json")) == published.run.input_snapshot
    assumptions = read_csv(archive, "assumptions.csv")
    assert len(assumptions) == 1 + len(published.run.input_snapshot["assumptions"])


def test_the_same_version_gives_the_same_bytes(published, api):
    url = f"/api/v1/report-versions/{published.version.pk}/bundle/"
    first = b"".join(api.get(url).streaming_content)
    second = b"".join(api.get(url).streaming_content)
    assert first == second


def test_the_bundle_answers_a_conditional_get(published, api):
    url = f"/api/v1/report-versions/{published.version.pk}/bundle/"
    response = api.get(url)
    assert api.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_draft_has_no_public_bundle(published, api):
    assert api.get(f"/api/v1/report-versions/{published.draft.pk + 1000}/bundle/").status_code == 404


def test_the_report_page_links_to_the_bundle(published, client):
    page = client.get(published.version.get_absolute_url()).content.decode()
    assert f"/api/v1/report-versions/{published.version.pk}/bundle/" in page


@pytest.mark.parametrize(
    "column, unit",
    [("gen_voltagrid_mw", "MW"), ("gen_voltagrid_units_running", "count"), ("onsite_nox_kg", "kg"),
     ("grid_co2e_kg", "kg CO₂e"), ("water_onsite_l", "L"), ("pue", "ratio")],
)
def test_the_dictionary_knows_each_column_pattern(column, unit):
    meaning, found_unit, source = describe_series_column(column)
    assert found_unit == unit
    assert meaning and source
