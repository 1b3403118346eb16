"""The published downloads: the hourly CSV writes a missing value as the API does, and the page, the
API and the stored artifacts name a version's files alike (impact.downloads.download_name)."""

import csv
import io
import math
import re

import numpy as np
import pytest

from impact import downloads, services
from portal.core.api.views import stream_csv

pytestmark = pytest.mark.django_db

STAMPS = np.array(["2024-07-01T05:00", "2024-07-01T06:00"], dtype="datetime64[s]")


def _rows(text):
    return list(csv.reader(io.StringIO(text)))


def _streamed(response):
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("missing", [math.nan, math.inf, -math.inf])
def test_a_value_that_is_not_available_is_the_same_empty_cell_in_the_download_and_the_api_csv(missing):
    download = downloads.series_csv({"timestamp_utc": STAMPS, "grid_mw": np.array([8.25, missing])}).decode()
    api = _streamed(stream_csv(["timestamp_utc", "grid_mw"], [["2024-07-01T05:00:00Z", 8.25], ["2024-07-01T06:00:00Z", missing]], "series.csv"))
    assert _rows(download) == _rows(api) == [
        ["timestamp_utc", "grid_mw"], ["2024-07-01T05:00:00Z", "8.25"], ["2024-07-01T06:00:00Z", ""],
    ]
    assert download == api, "one writer: the same bytes, line endings included"


def test_the_api_writes_a_stored_gap_as_an_empty_cell_too():
    api = _streamed(stream_csv(["grid_mw"], [[None], [np.float64(8.25)], [np.float32(0.5)]], "series.csv"))
    assert _rows(api) == [["grid_mw"], [""], ["8.25"], ["0.5"]]


@pytest.fixture
def published_synthetic_run(synthetic_run, monkeypatch, analyst):
    """A factory of published synthetic runs; ``gap_hour`` makes grid power not available (NaN) in that hour."""
    build = synthetic_run.__globals__["build_synthetic_result"]

    def _make(gap_hour=None):
        def with_a_gap(*args, **kwargs):
            result = build(*args, **kwargs)
            if gap_hour is not None:
                series = result.base.series
                series.grid_mw = series.grid_mw.copy()
                series.grid_mw[gap_hour] = np.nan
            return result

        monkeypatch.setitem(synthetic_run.__globals__, "build_synthetic_result", with_a_gap)
        run = synthetic_run()
        services.publish_run(run, user=analyst)
        return run

    return _make


def _download_and_api_csv(client, run):
    download = client.get(f"/reports/downloads/{run.pk}.csv").content.decode()
    api = _streamed(client.get("/api/v1/series-points/", {"version": run.version.pk, "format": "csv"}))
    return download, api


def test_the_published_hourly_csv_is_the_apis_series_csv_byte_for_byte(published_synthetic_run, client):
    download, api = _download_and_api_csv(client, published_synthetic_run())
    assert len(_rows(download)) == 49
    assert download == api


def test_a_missing_hour_is_an_empty_cell_in_the_published_download_and_the_api(published_synthetic_run, client):
    download, api = _download_and_api_csv(client, published_synthetic_run(gap_hour=3))
    column = _rows(download)[0].index("grid_mw")
    assert _rows(download)[4][column] == _rows(api)[4][column] == ""
    assert download == api


def _attachment_name(response):
    return re.fullmatch(r'attachment; filename="([^"]+)"', response["Content-Disposition"]).group(1)


def test_the_page_the_api_and_the_stored_files_name_a_published_version_alike(published_synthetic_run, client):
    run = published_synthetic_run()
    version = run.version
    page = client.get(version.get_absolute_url()).content.decode()
    served = {}
    for artifact in run.artifacts.all():
        assert f'href="{artifact.get_absolute_url()}"' in page
        served[artifact.kind] = _attachment_name(client.get(artifact.get_absolute_url()))
        # Stored before any version existed: the same name with the input hash where the number goes.
        assert artifact.filename == served[artifact.kind].replace("_v1", f"_{run.input_hash[:8]}")
    api_csv = _attachment_name(client.get("/api/v1/series-points/", {"version": version.pk, "format": "csv"}))
    bundle = _attachment_name(client.get(f"/api/v1/report-versions/{version.pk}/bundle/"))

    stem = "test-hall_2024-07-01_to_2024-07-02_v1"
    assert served == {"csv": f"{stem}_hourly.csv", "json": f"{stem}_summary.json", "pdf": f"{stem}.pdf"}
    assert api_csv == served["csv"], "the API's series CSV is the page's hourly CSV, so it has its name"
    assert bundle == f"{stem}.zip"
