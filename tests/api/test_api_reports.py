"""Reports, published versions and headline metrics: public data, drafts for staff only, 304s."""

import pytest

from impact.figures import DIAGNOSTIC_KEYS

pytestmark = pytest.mark.django_db


def test_it_lists_reports_with_their_published_versions(published, api):
    data = api.get("/api/v1/reports/").json()
    assert data["count"] == 1, "the draft-only report stays hidden from the public"
    report = data["results"][0]
    assert report["period"] == published.version.report.period
    assert [v["number"] for v in report["versions"]] == [1]


def test_staff_see_reports_that_only_have_drafts(published, staff_api):
    assert staff_api.get("/api/v1/reports/").json()["count"] == 2


def test_it_filters_reports_by_facility_and_kind(published, api):
    slug = published.facility.slug
    assert api.get("/api/v1/reports/", {"facility": slug, "period_kind": "custom"}).json()["count"] == 1
    assert api.get("/api/v1/reports/", {"period_kind": "month"}).json()["count"] == 0
    assert api.get("/api/v1/reports/", {"period_kind": "fortnight"}).status_code == 400


def test_it_lists_published_versions(published, api):
    data = api.get("/api/v1/report-versions/").json()
    assert data["count"] == 1
    version = data["results"][0]
    assert version["id"] == published.version.pk
    assert version["published_at"].endswith("Z")
    assert version["period_start_utc"] == "2024-07-01T05:00:00Z", "local midnight in Memphis (CDT) in UTC"
    assert version["bundle_url"].endswith(f"/api/v1/report-versions/{published.version.pk}/bundle/")


def test_a_version_shows_its_metrics_columns_and_inputs(published, api):
    version = api.get(f"/api/v1/report-versions/{published.version.pk}/").json()
    keys = {m["key"]: m for m in version["metrics"]}
    co2 = keys["co2_total_t"]
    assert co2["unit"] == "t"
    assert co2["p5"] <= co2["p50"] <= co2["p95"]
    assert "grid_mw" in version["series_columns"]
    assert version["assumptions"][0]["path"]


def test_it_filters_versions_like_the_report_page(published, api, client):
    slug = published.facility.slug
    assert api.get("/api/v1/report-versions/", {"facility": slug, "latest": "true"}).json()["count"] == 1
    assert api.get("/api/v1/report-versions/", {"facility": "elsewhere"}).json()["count"] == 0
    page = client.get("/reports/", {"facility": "elsewhere"})
    assert page.status_code == 200
    assert "No published reports yet." in page.content.decode()
    assert published.version.get_absolute_url() in client.get("/reports/", {"facility": slug}).content.decode()


def test_it_refuses_a_malformed_date_naming_the_parameter(published, api):
    response = api.get("/api/v1/report-versions/", {"published_after": "last tuesday"})
    assert response.status_code == 400
    assert "published_after" in response.json()


def test_a_published_version_answers_a_conditional_get_with_304(published, api):
    url = f"/api/v1/report-versions/{published.version.pk}/"
    first = api.get(url)
    assert first.status_code == 200
    assert first["ETag"] and first["Last-Modified"]
    assert api.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert api.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_the_csv_of_a_version_has_its_own_etag(published, api):
    url = f"/api/v1/report-versions/{published.version.pk}/"
    as_json = api.get(url)
    as_csv = api.get(url, {"format": "csv"})
    assert as_csv["Content-Type"].startswith("text/csv")
    assert as_json["ETag"] != as_csv["ETag"]


def test_it_lists_metrics_of_a_version_with_units_and_ranges(published, api):
    data = api.get("/api/v1/report-metrics/", {"version": published.version.pk, "scenario": "base", "page_size": 1000}).json()
    public = published.run.metrics.filter(scenario="").exclude(key__in=DIAGNOSTIC_KEYS)  # staff diagnostics
    assert data["count"] == public.count()
    metric = data["results"][0]
    assert {"key", "label", "unit", "value", "p5", "p50", "p95", "version", "facility", "period"} <= set(metric)
    assert metric["version"] == published.version.pk


def test_it_filters_metrics_by_key_and_scenario(published, api):
    data = api.get("/api/v1/report-metrics/", {"key": "co2_total_t"}).json()
    scenarios = {m["scenario"] for m in data["results"]}
    assert "" in scenarios and len(scenarios) > 1, "the base case and every scenario"


def test_metrics_of_a_version_answer_304(published, api):
    url = f"/api/v1/report-metrics/?version={published.version.pk}"
    etag = api.get(url)["ETag"]
    assert api.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_it_exports_metrics_as_csv(published, api, csv_rows):
    rows = csv_rows(api.get("/api/v1/report-metrics/", {"version": published.version.pk, "format": "csv"}))
    header = rows[0]
    assert header[:4] == ["id", "version", "run", "facility"]
    public = published.run.metrics.exclude(key__in=DIAGNOSTIC_KEYS)
    assert len(rows) - 1 == public.count(), "CSV holds every row, not one page"
    value = rows[1][header.index("value")]
    assert float(value) == float(value)


def test_it_accepts_text_csv_in_the_accept_header(published, api, csv_rows):
    response = api.get("/api/v1/report-metrics/", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"].startswith("text/csv")


def test_a_csv_client_gets_errors_as_json(published, api):
    response = api.get("/api/v1/report-metrics/", {"format": "csv", "version": "seven"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "version" in response.json()


def test_anonymous_cannot_see_drafts(published, api):
    draft = published.draft
    assert api.get(f"/api/v1/report-runs/{draft.pk}/").status_code == 404
    assert api.get("/api/v1/report-metrics/", {"run": draft.pk}).json()["count"] == 0
    assert api.get("/api/v1/series-points/", {"run": draft.pk}).status_code == 404
    assert draft.pk not in [r["id"] for r in api.get("/api/v1/report-runs/").json()["results"]]
    assert api.get(f"/api/v1/report-runs/{draft.pk}/result/").status_code == 404


def test_a_resident_cannot_see_drafts_either(published, resident_api):
    assert resident_api.get(f"/api/v1/report-runs/{published.draft.pk}/").status_code == 404


def test_staff_see_drafts(published, staff_api):
    runs = staff_api.get("/api/v1/report-runs/", {"published": "false"}).json()
    assert [r["id"] for r in runs["results"]] == [published.draft.pk]
    assert runs["results"][0]["version"] is None
    metrics = staff_api.get("/api/v1/report-metrics/", {"run": published.draft.pk}).json()
    assert metrics["count"] == published.draft.metrics.count()


def test_a_bad_page_is_a_400_naming_the_parameter(published, api):
    response = api.get("/api/v1/report-metrics/", {"page": 999})
    assert response.status_code == 400
    assert "page" in response.json()
    assert api.get("/api/v1/report-metrics/", {"page_size": "-1"}).status_code == 400


def test_a_misspelt_filter_is_a_400_not_every_row(published, api):
    response = api.get("/api/v1/report-metrics/", {"facilty": "memphis-supercluster"})
    assert response.status_code == 400
    assert "facilty" in response.json()
    assert "facility" in response.json()["facilty"][0]


def test_metric_pages_do_not_load_the_runs_json_documents(published, api):
    # Each metric row names its run; the run's inputs, summary and series layout are never shown,
    # so they are not read (they made most of a metrics page's CPU time under load).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/v1/report-metrics/", {"version": published.version.pk}).json()
    assert body["results"] and body["results"][0]["facility"] and body["results"][0]["version"] == published.version.pk
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    for column in ("input_snapshot", "summary", "series_columns"):
        assert f'"{column}"' not in sql, column
