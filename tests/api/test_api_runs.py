"""Staff writes with a token: request a run (202), poll its result (409 + Retry-After), publish, retry."""

import pytest
from rest_framework.test import APIClient

from impact import services
from impact.models import ReportRun, ReportVersion

from .conftest import issue_token, token_client

pytestmark = pytest.mark.django_db

RUNS = "/api/v1/report-runs/"


@pytest.fixture
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def request_run(staff_api, published, period="2024-07-03..2024-07-03", **extra):
    return staff_api.post(
        RUNS, {"facility": published.facility.slug, "period": period, "monte_carlo_samples": 10, **extra}, format="json"
    )


def test_staff_request_a_run_and_poll_its_result(published, staff_api, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = request_run(staff_api, published)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert response["Location"] == body["url"]
    assert body["url"].endswith(f"{RUNS}{body['id']}/")
    assert body["result_url"].endswith(f"{RUNS}{body['id']}/result/")

    waiting = staff_api.get(body["result_url"])
    assert waiting.status_code == 409
    assert int(waiting["Retry-After"]) > 0
    assert waiting.json()["status"] == "pending"

    for callback in queued:  # what the commit would have sent to the worker
        callback()
    done = staff_api.get(body["result_url"])
    assert done.status_code == 200
    assert done.json()["status"] == "succeeded"
    assert {m["key"] for m in done.json()["metrics"]} >= {"co2_total_t", "energy_facility_mwh"}
    assert done.json()["version"] is None


def test_a_run_request_names_the_bad_parameter(published, staff_api):
    response = request_run(staff_api, published, period="July")
    assert response.status_code == 400
    assert "period" in response.json()
    response = staff_api.post(RUNS, {"facility": "atlantis", "period": "2024-07"}, format="json")
    assert response.status_code == 400
    assert "facility" in response.json()
    response = request_run(staff_api, published, gwp_set="AR2")
    assert response.status_code == 400
    assert "gwp_set" in response.json()


def test_anonymous_cannot_request_or_publish(published, api):
    assert request_run(api, published).status_code == 401
    assert api.post(f"{RUNS}{published.draft.pk}/publish/", {}, format="json").status_code == 401
    assert not ReportVersion.objects.filter(run=published.draft).exists()


def test_a_resident_cannot_request_or_publish(published, resident_api):
    assert request_run(resident_api, published).status_code == 403
    assert resident_api.post(f"{RUNS}{published.draft.pk}/publish/", {}, format="json").status_code == 403


def test_a_staff_session_needs_the_csrf_token(published, analyst):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert request_run(client, published).status_code == 403


def test_staff_publish_a_draft_and_the_public_sees_it(published, staff_api, api):
    response = staff_api.post(f"{RUNS}{published.draft.pk}/publish/", {}, format="json")
    assert response.status_code == 201
    version = response.json()
    assert version["number"] == 1 and version["run"] == published.draft.pk
    assert api.get(f"{RUNS}{published.draft.pk}/").status_code == 200
    again = staff_api.post(f"{RUNS}{published.draft.pk}/publish/", {}, format="json")
    assert again.status_code == 200, "publishing twice is harmless"
    assert again.json()["id"] == version["id"]


def test_a_correction_needs_a_changelog(published, staff_api):
    correction = services.request_report(published.facility, "2024-07-01..2024-07-02", samples=5, seed=7)
    services.execute_run(correction.pk)
    response = staff_api.post(f"{RUNS}{correction.pk}/publish/", {}, format="json")
    assert response.status_code == 400
    assert "changelog" in response.json()
    response = staff_api.post(f"{RUNS}{correction.pk}/publish/", {"changelog": "Fewer samples."}, format="json")
    assert response.status_code == 201
    assert response.json()["number"] == 2


@pytest.fixture
def failed_run(published, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(services.engine, "compute", broken)
    run = services.request_report(published.facility, "2024-07-05..2024-07-05", samples=5)
    services.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    return run


def test_a_failed_runs_result_says_why_without_retry_after(failed_run, staff_api):
    response = staff_api.get(f"{RUNS}{failed_run.pk}/result/")
    assert response.status_code == 409
    assert "Retry-After" not in response
    assert response.json()["status"] == "failed"
    assert "engine exploded" in response.json()["error"]


def test_a_failed_run_cannot_be_published(failed_run, staff_api):
    response = staff_api.post(f"{RUNS}{failed_run.pk}/publish/", {}, format="json")
    assert response.status_code == 409


def test_staff_retry_a_failed_run(failed_run, staff_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = staff_api.post(f"{RUNS}{failed_run.pk}/retry/", {}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert staff_api.post(f"{RUNS}{failed_run.pk}/retry/", {}, format="json").status_code == 409


def test_a_published_runs_result_is_public_and_cacheable(published, api):
    response = api.get(f"{RUNS}{published.run.pk}/result/")
    assert response.status_code == 200
    assert response.json()["version"] == published.version.pk
    assert api.get(f"{RUNS}{published.run.pk}/result/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_it_exports_runs_as_csv(published, staff_api, csv_rows):
    rows = csv_rows(staff_api.get(RUNS, {"format": "csv"}))
    assert rows[0][:3] == ["id", "url", "result_url"]
    assert len(rows) == 3


@pytest.fixture(params=["forum-staff", "moderator"])
def other_staff_api(request, db):
    """Staff whose role is the forum, not reports: a token of the forum's staff group or a moderator."""
    from tests.conftest import make_user

    group = "staff" if request.param == "forum-staff" else "moderator"
    user = make_user(f"{group}-member", groups=(group,), is_staff=True)
    return token_client(issue_token(user))


def test_staff_of_other_roles_cannot_request_publish_or_retry_and_see_no_drafts(published, failed_run, other_staff_api):
    """Issue 12: a forum-staff token published version 2 of a report (201); the role decides, not is_staff."""
    runs_before = ReportRun.objects.count()
    response = other_staff_api.post(f"{RUNS}{published.draft.pk}/publish/", {}, format="json")
    assert response.status_code == 403
    assert "analyst" in response.json()["detail"]
    assert not ReportVersion.objects.filter(run=published.draft).exists()
    assert request_run(other_staff_api, published).status_code == 403
    assert ReportRun.objects.count() == runs_before
    assert other_staff_api.post(f"{RUNS}{failed_run.pk}/retry/").status_code == 403
    failed_run.refresh_from_db()
    assert failed_run.status == ReportRun.Status.FAILED
    listed = {r["id"] for r in other_staff_api.get(RUNS, {"page_size": 100}).json()["results"]}
    assert published.draft.pk not in listed and published.run.pk in listed
    assert other_staff_api.get(f"{RUNS}{published.draft.pk}/").status_code == 404


def test_the_services_refuse_a_role_without_the_permission(published, moderator):
    with pytest.raises(services.NotPermitted, match="publish reports"):
        services.publish_run(published.draft, user=moderator)
    with pytest.raises(services.NotPermitted, match="request report runs"):
        services.request_report(published.facility, "2024-07", user=moderator)
    assert not ReportVersion.objects.filter(run=published.draft).exists()
