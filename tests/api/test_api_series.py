"""The hourly series: filter by time range and by column, cursor pages in JSON, streamed CSV."""

import base64

import pytest
from django.http import StreamingHttpResponse

pytestmark = pytest.mark.django_db

URL = "/api/v1/series-points/"


def test_it_pages_through_the_hours_with_a_cursor(published, api):
    hours = []
    response = api.get(URL, {"version": published.version.pk, "page_size": 20}).json()
    while True:
        hours += [p["timestamp_utc"] for p in response["results"]]
        if not response["next"]:
            break
        response = api.get(response["next"]).json()
    assert len(hours) == 48
    assert hours == sorted(hours)
    assert hours[0] == "2024-07-01T05:00:00Z"


def test_it_filters_by_time_range_in_utc(published, api):
    data = api.get(URL, {"version": published.version.pk, "start": "2024-07-01T10:00:00Z", "end": "2024-07-01T13:00"}).json()
    assert [p["timestamp_utc"] for p in data["results"]] == [
        "2024-07-01T10:00:00Z", "2024-07-01T11:00:00Z", "2024-07-01T12:00:00Z",
    ]


def test_it_accepts_a_plain_date_as_midnight_utc(published, api):
    data = api.get(URL, {"version": published.version.pk, "end": "2024-07-01"}).json()
    assert data["results"] == []


def test_it_returns_only_the_columns_asked_for(published, api):
    data = api.get(URL, {"version": published.version.pk, "columns": "grid_mw,onsite_mw"}).json()
    assert set(data["results"][0]["values"]) == {"grid_mw", "onsite_mw"}


def test_it_names_an_unknown_column(published, api):
    response = api.get(URL, {"version": published.version.pk, "columns": "grid_mw,magic_mw"})
    assert response.status_code == 400
    assert "magic_mw" in response.json()["columns"][0]


def test_it_needs_a_version_or_a_run(published, api):
    response = api.get(URL)
    assert response.status_code == 400
    assert "version" in response.json()


def test_it_refuses_a_bad_time_naming_the_parameter(published, api):
    response = api.get(URL, {"version": published.version.pk, "start": "soon"})
    assert response.status_code == 400
    assert "start" in response.json()


@pytest.mark.parametrize("query", ["o=abc", "p=not-a-time"])
def test_it_refuses_a_forged_cursor(published, api, query):
    cursor = base64.b64encode(query.encode()).decode()
    response = api.get(URL, {"version": published.version.pk, "cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_it_streams_the_series_as_csv(published, api, csv_rows):
    response = api.get(URL, {"version": published.version.pk, "format": "csv", "columns": "it_load_mw,grid_co2_kg"})
    assert isinstance(response, StreamingHttpResponse), "a multi-year range must not be built in memory"
    rows = csv_rows(response)
    assert rows[0] == ["timestamp_utc", "it_load_mw", "grid_co2_kg"]
    assert len(rows) == 49
    assert rows[1][0] == "2024-07-01T05:00:00Z"
    assert float(rows[1][1]) > 0


def test_the_series_of_a_version_answers_304(published, api):
    params = {"version": published.version.pk, "format": "csv"}
    etag = api.get(URL, params)["ETag"]
    assert api.get(URL, params, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_staff_read_the_series_of_a_draft(published, staff_api):
    data = staff_api.get(URL, {"run": published.draft.pk}).json()
    assert len(data["results"]) == 24
    assert "ETag" not in staff_api.get(URL, {"run": published.draft.pk}), "a draft may still change"


def test_it_reads_an_id_written_as_a_decimal(published, api):
    response = api.get(URL, {"version": f"{published.version.pk}.0"})
    assert response.status_code == 200


def test_it_refuses_an_unknown_parameter(published, api):
    response = api.get(URL, {"version": published.version.pk, "metric": "grid_mw"})
    assert response.status_code == 400
    assert "columns" in response.json()["metric"][0]
