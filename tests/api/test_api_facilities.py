"""Facilities with their inputs, sources and confidence; assumptions and scenarios as flat lists."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_lists_facilities_with_their_inputs(memphis, api):
    response = api.get("/api/v1/facilities/")
    assert response.status_code == 200
    facility = response.json()["results"][0]
    assert facility["slug"] == memphis.slug
    assert facility["fleets"][0]["accelerator_count"] > 0
    assert facility["cooling"]["pue_at_reference"] >= 1
    assert facility["grid"]["contracts"]
    assert facility["generators"][0]["emission_factors"]
    assert facility["url"].endswith(f"/api/v1/facilities/{memphis.slug}/")


def test_it_shows_each_inputs_range_confidence_and_source(memphis, api):
    facility = api.get(f"/api/v1/facilities/{memphis.slug}/").json()
    sourced = [a for a in facility["assumptions"] if a["source"]]
    assert sourced, "the Memphis seed cites sources"
    first = sourced[0]
    assert first["status"] in {"S", "2°", "U", "D"}
    assert first["source"]["title"]
    assert {"target_type", "target_id", "field_name", "central", "low", "high", "unit"} <= set(first)


def test_it_gives_times_in_utc(memphis, api):
    facility = api.get(f"/api/v1/facilities/{memphis.slug}/").json()
    assert facility["updated_at"].endswith("Z")


def test_it_filters_facilities_by_name(memphis, api):
    assert api.get("/api/v1/facilities/", {"name": "memphis"}).json()["count"] == 1
    assert api.get("/api/v1/facilities/", {"name": "nowhere"}).json()["count"] == 0


def test_it_answers_404_for_an_unknown_facility(memphis, api):
    assert api.get("/api/v1/facilities/no-such-place/").status_code == 404


def test_it_exports_facilities_as_csv(memphis, api, csv_rows):
    response = api.get("/api/v1/facilities/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    assert rows[0][:3] == ["id", "url", "page_url"]
    assert len(rows) == 2


def test_it_lists_assumptions_flat_for_a_spreadsheet(memphis, api, csv_rows):
    data = api.get("/api/v1/assumptions/", {"facility": memphis.slug, "page_size": 1000}).json()
    assert data["count"] == memphis.all_assumptions.count()
    rows = csv_rows(api.get("/api/v1/assumptions/", {"format": "csv", "status": "S"}))
    header = rows[0]
    assert {"label", "central", "low", "high", "unit", "status", "source"} <= set(header)
    assert all(row[header.index("status")] == "S" for row in rows[1:])


def test_it_refuses_an_unknown_confidence_status(memphis, api):
    response = api.get("/api/v1/assumptions/", {"status": "X"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_it_lists_scenarios_of_a_facility(memphis, api):
    data = api.get("/api/v1/scenarios/", {"facility": memphis.slug}).json()
    assert data["count"] == memphis.scenarios.count()
    assert all(s["overrides"] for s in data["results"])


def test_it_refuses_ordering_by_an_unknown_field(memphis, api):
    response = api.get("/api/v1/scenarios/", {"ordering": "password"})
    assert response.status_code == 400
    assert "ordering" in response.json()


def test_it_orders_scenarios(memphis, api):
    names = [s["name"] for s in api.get("/api/v1/scenarios/", {"ordering": "-name"}).json()["results"]]
    assert names == sorted(names, reverse=True)


def test_anonymous_cannot_write(memphis, api):
    assert api.post("/api/v1/facilities/", {"name": "x"}).status_code in (401, 403, 405)
    assert api.delete(f"/api/v1/facilities/{memphis.slug}/").status_code in (401, 403, 405)
