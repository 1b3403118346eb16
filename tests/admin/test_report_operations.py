"""Report operations in the admin: compute (enqueue only), publish, publish a correction, retry, runs list."""

from unittest import mock

import pytest

from impact.models import ReportRun, ReportVersion
from portal.audit.models import StaffAction

RUNS = "/admin/impact/reportrun/"
FACILITIES = "/admin/impact/facility/"


def compute(client, facility, **fields):
    data = {"action": "compute_report", "_selected_action": [facility.pk], "gwp_set": "AR6", **fields}
    return client.post(FACILITIES, data)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_compute_report_first_asks_for_the_period_and_queues_nothing(analyst, staff_client, memphis):
    page = compute(staff_client(analyst), memphis)
    assert page.status_code == 200
    assert b'name="period"' in page.content
    assert b"Queue the report" in page.content
    assert not ReportRun.objects.exists()


def test_compute_report_enqueues_a_run_and_never_computes_in_the_request(
    analyst, staff_client, memphis, django_capture_on_commit_callbacks
):
    client = staff_client(analyst)
    with (
        mock.patch("impact.engine.compute", side_effect=AssertionError("computed in the request")),
        mock.patch("impact.tasks.compute_report_run.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = compute(client, memphis, apply="1", period="2024-07", samples="0")
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert (run.status, run.requested_by, run.report.period) == (ReportRun.Status.PENDING, analyst, "2024-07")
    delay.assert_called_once_with(run.pk)
    page = client.get(response.url)
    assert any("queued for July 2024" in m for m in messages_of(page))
    assert StaffAction.objects.filter(name="compute report", actor=analyst, object_id=str(run.pk)).exists()


def test_a_period_that_does_not_parse_is_explained_and_nothing_is_queued(analyst, staff_client, memphis):
    page = compute(staff_client(analyst), memphis, apply="1", period="July")
    assert page.status_code == 200
    assert b"errorlist" in page.content
    assert not ReportRun.objects.exists()


def test_publish_makes_a_succeeded_run_version_1(analyst, staff_client, computed_run):
    run = computed_run()
    response = staff_client(analyst).post(RUNS, {"action": "publish", "_selected_action": [run.pk]}, follow=True)
    version = ReportVersion.objects.get(run=run)
    assert version.number == 1 and version.published_by == analyst
    assert any("published as" in m for m in messages_of(response))
    assert StaffAction.objects.filter(kind="add", name="publish", object_id=str(version.pk)).exists()


def test_publishing_a_second_run_without_a_changelog_is_refused(analyst, staff_client, published, computed_run):
    second = computed_run(seed=7)
    response = staff_client(analyst).post(RUNS, {"action": "publish", "_selected_action": [second.pk]}, follow=True)
    assert ReportVersion.objects.count() == 1
    assert any("needs a changelog" in m and "Publish correction" in m for m in messages_of(response))


def test_publish_correction_asks_for_the_changelog_then_publishes_version_2(analyst, staff_client, published, computed_run):
    second = computed_run(seed=7)
    client = staff_client(analyst)
    action = {"action": "publish_correction", "_selected_action": [second.pk]}
    page = client.post(RUNS, action)
    assert page.status_code == 200
    assert b'name="changelog"' in page.content
    assert b"superseding" in page.content
    assert ReportVersion.objects.count() == 1

    too_short = client.post(RUNS, {**action, "apply": "1", "changelog": " "})
    assert too_short.status_code == 200 and b"errorlist" in too_short.content
    assert ReportVersion.objects.count() == 1

    client.post(RUNS, {**action, "apply": "1", "changelog": "Corrected the turbine heat rate to the permit value."})
    version = ReportVersion.objects.get(run=second)
    assert version.number == 2
    assert version.changelog == "Corrected the turbine heat rate to the permit value."
    entry = StaffAction.objects.get(object_id=str(version.pk), content_type__model="reportversion")
    assert (entry.name, entry.door, entry.reason) == ("publish correction", "admin", version.changelog)


def test_a_correction_is_published_one_run_at_a_time(analyst, staff_client, published, computed_run):
    second = computed_run(seed=7)
    response = staff_client(analyst).post(
        RUNS, {"action": "publish_correction", "_selected_action": [published.run.pk, second.pk]}, follow=True
    )
    assert any("exactly one run" in m for m in messages_of(response))
    assert ReportVersion.objects.count() == 1


def test_publishing_a_published_run_again_changes_nothing(analyst, staff_client, published):
    client = staff_client(analyst)
    action = {"action": "publish_correction", "_selected_action": [published.run.pk]}
    assert b"is already published as" in client.post(RUNS, action).content
    client.post(RUNS, {**action, "apply": "1", "changelog": "Trying to publish the same run twice."})
    assert list(ReportVersion.objects.values_list("number", flat=True)) == [1]


def test_retry_queues_a_failed_run_again(analyst, staff_client, failed_run, django_capture_on_commit_callbacks):
    with mock.patch("impact.tasks.compute_report_run.delay") as delay, django_capture_on_commit_callbacks(execute=True):
        staff_client(analyst).post(RUNS, {"action": "retry", "_selected_action": [failed_run.pk]})
    failed_run.refresh_from_db()
    assert (failed_run.status, failed_run.error) == (ReportRun.Status.PENDING, "")
    delay.assert_called_once_with(failed_run.pk)
    entry = StaffAction.objects.get(name="retry run")
    assert entry.before["status"] == "failed" and entry.after["status"] == "pending"


def test_retry_leaves_a_published_run_alone(analyst, staff_client, published):
    response = staff_client(analyst).post(RUNS, {"action": "retry", "_selected_action": [published.run.pk]}, follow=True)
    run = ReportRun.objects.get(pk=published.run.pk)
    assert run.status == ReportRun.Status.SUCCEEDED
    assert any("only failed runs are retried" in m for m in messages_of(response))


def test_a_post_that_would_change_a_published_run_is_refused(analyst, administrator, staff_client, published):
    run = published.run
    before = (run.status, run.error, run.input_hash, run.metrics.count(), run.points.count(), run.charts.count())
    for user in (analyst, administrator):  # a superuser is refused too
        client = staff_client(user)
        response = client.post(f"{RUNS}{run.pk}/change/", {"status": "failed", "error": "edited", "input_hash": "0" * 64}, follow=True)
        assert any("never changes" in m for m in messages_of(response))
        assert client.post(f"{RUNS}{run.pk}/delete/", {"post": "yes"}).status_code == 403
        assert client.post(f"/admin/impact/reportversion/{published.pk}/change/", {"changelog": "rewritten"}).status_code == 302
        assert client.post(f"/admin/impact/reportversion/{published.pk}/delete/", {"post": "yes"}).status_code == 403
    run.refresh_from_db()
    assert (run.status, run.error, run.input_hash, run.metrics.count(), run.points.count(), run.charts.count()) == before
    assert ReportVersion.objects.get(pk=published.pk).changelog == published.changelog


def test_runs_have_no_add_page_and_metrics_series_and_charts_are_not_in_the_admin(administrator, staff_client):
    client = staff_client(administrator)
    assert client.get(f"{RUNS}add/").status_code == 403
    for model in ("reportmetric", "seriespoint", "reportchart"):
        assert client.get(f"/admin/impact/{model}/").status_code == 404


def test_the_runs_list_shows_status_stage_duration_requester_and_the_first_line_of_an_error(
    analyst, staff_client, failed_run, computed_run
):
    done = computed_run(user=analyst)
    page = staff_client(analyst).get(RUNS)
    text = page.content.decode()
    assert "Failed" in text and "Succeeded" in text
    assert "Done" in text and "Queued" in text  # stages
    assert f"{done.duration.total_seconds():.1f}" in text
    assert "Analyst Ana" in text
    assert "EngineError: generators cannot cover the load" in text
    assert "Traceback" not in text


def test_the_runs_list_reloads_itself_while_a_run_is_active_and_not_otherwise(analyst, staff_client, failed_run):
    client = staff_client(analyst)
    assert b'http-equiv="refresh"' not in client.get(RUNS).content
    ReportRun.objects.filter(pk=failed_run.pk).update(status=ReportRun.Status.RUNNING, stage=ReportRun.Stage.COMPUTING)
    page = client.get(RUNS)
    assert b'http-equiv="refresh"' in page.content
    assert b"Computing" in page.content


@pytest.mark.parametrize("url", [RUNS, "/admin/impact/reportversion/", "/admin/impact/report/"])
def test_report_lists_open_for_analysts(analyst, staff_client, published, url):
    assert staff_client(analyst).get(url).status_code == 200
