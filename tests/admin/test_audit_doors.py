"""Each report verb writes exactly one audit row, whichever door it came through (issue 12).

The verbs live in impact.services; the admin, the REST API and the command line only call them.
Each test does one verb through one door and then reads the whole audit log: one row, the right
actor, the right door, the right object — and nothing else written beside it.
"""

from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from impact import services
from impact.models import ReportRun, ReportVersion
from portal.audit.models import StaffAction

RUNS = "/admin/impact/reportrun/"
FACILITIES = "/admin/impact/facility/"
API_RUNS = "/api/v1/report-runs/"

pytestmark = pytest.mark.django_db


def only_row():
    rows = list(StaffAction.objects.exclude(kind__in=["login", "logout"]))
    assert len(rows) == 1, [str(r) for r in rows]
    return rows[0]


@pytest.fixture
def quiet_broker():
    """Queued runs go nowhere: these tests are about the audit row, not the worker."""
    with mock.patch("impact.leases.dispatch"):
        yield


@pytest.fixture
def second_run(computed_run, published):
    """A succeeded run of a report whose version 1 is already published (a correction to make)."""
    run = computed_run(seed=7)
    StaffAction.objects.all().delete()  # the fixtures' own publish is not the verb under test
    return run


@pytest.fixture
def fresh_run(computed_run):
    run = computed_run()
    StaffAction.objects.all().delete()
    return run


@pytest.fixture
def failed(failed_run):
    StaffAction.objects.all().delete()
    return failed_run


# --- request a run ---------------------------------------------------------------------------


def test_request_through_the_admin_is_one_admin_row(analyst, staff_client, memphis, quiet_broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        staff_client(analyst).post(FACILITIES, {"action": "compute_report", "_selected_action": [memphis.pk], "apply": "1",
                                                "period": "2024-07", "gwp_set": "AR6", "samples": "0"})
    run = ReportRun.objects.get()
    row = only_row()
    assert (row.door, row.actor, row.name, row.object_id) == ("admin", analyst, "compute report", str(run.pk))
    assert row.ip == "127.0.0.1"


def test_request_through_the_api_is_one_api_row(analyst, staff_client, memphis, quiet_broker):
    response = staff_client(analyst).post(API_RUNS, {"facility": memphis.slug, "period": "2024-07", "monte_carlo_samples": 0},
                                          content_type="application/json")
    assert response.status_code == 202, response.content
    row = only_row()
    assert (row.door, row.actor, row.name, row.object_id) == ("api", analyst, "compute report", str(ReportRun.objects.get().pk))


def test_request_through_the_command_line_is_one_cli_row_naming_the_shell_user(memphis, quiet_broker):
    call_command("compute_report", memphis.slug, "--period", "2024-07", "--samples", "0")
    row = only_row()
    assert (row.door, row.actor, row.name) == ("cli", None, "compute report")
    assert row.actor_name.endswith("(shell)")


def test_the_command_line_acts_as_an_account_with_its_role(memphis, analyst, moderator, quiet_broker):
    call_command("compute_report", memphis.slug, "--period", "2024-07", "--samples", "0", "--as", analyst.username)
    row = only_row()
    assert (row.door, row.actor, row.actor_name) == ("cli", analyst, analyst.username)
    with pytest.raises(CommandError, match="impact.add_reportrun"):
        call_command("compute_report", memphis.slug, "--period", "2024-08", "--samples", "0", "--as", moderator.username)
    assert StaffAction.objects.count() == 1
    with pytest.raises(CommandError, match="No active account"):
        call_command("compute_report", memphis.slug, "--period", "2024-08", "--as", "nobody")


def test_a_request_that_finds_its_run_already_queued_says_so_in_its_one_row(analyst, memphis, quiet_broker):
    first = services.request_report(memphis, "2024-07", user=analyst, samples=0)
    StaffAction.objects.all().delete()
    again = services.request_report(memphis, "2024-07", user=analyst, samples=0)
    assert again.pk == first.pk
    row = only_row()
    assert row.object_id == str(first.pk) and "already queued" in row.reason


def test_the_monthly_beat_task_is_a_system_row(memphis, quiet_broker):
    import datetime as dt

    [run] = services.draft_monthly_reports(today=dt.date(2024, 8, 1))
    row = only_row()
    assert (row.door, row.actor, row.object_id) == ("system", None, str(run.pk))


# --- publish and correct ---------------------------------------------------------------------


def test_publish_through_the_admin_is_one_admin_row(analyst, staff_client, fresh_run):
    staff_client(analyst).post(RUNS, {"action": "publish", "_selected_action": [fresh_run.pk]})
    version = ReportVersion.objects.get(run=fresh_run)
    row = only_row()
    assert (row.door, row.actor, row.kind, row.name, row.object_id) == ("admin", analyst, "add", "publish", str(version.pk))


def test_publish_through_the_api_is_one_api_row(analyst, staff_client, fresh_run):
    response = staff_client(analyst).post(f"{API_RUNS}{fresh_run.pk}/publish/", {}, content_type="application/json")
    assert response.status_code == 201, response.content
    row = only_row()
    assert (row.door, row.name, row.object_id) == ("api", "publish", str(ReportVersion.objects.get(run=fresh_run).pk))


def test_publish_through_the_command_line_is_one_cli_row(fresh_run, memphis):
    # The command requests a run, waits for it, then publishes it: hand it the succeeded run.
    with mock.patch("impact.services.request_report", return_value=fresh_run):
        call_command("compute_report", memphis.slug, "--period", fresh_run.report.period, "--publish")
    row = only_row()
    assert (row.door, row.name) == ("cli", "publish")


def test_publishing_a_run_twice_writes_no_second_row(analyst, fresh_run):
    services.publish_run(fresh_run, user=analyst)
    services.publish_run(fresh_run, user=analyst)
    assert only_row().name == "publish"


def test_a_correction_through_the_api_is_one_row_with_its_changelog(analyst, staff_client, second_run):
    note = "Corrected the turbine heat rate to the permit value."
    response = staff_client(analyst).post(f"{API_RUNS}{second_run.pk}/publish/", {"changelog": note}, content_type="application/json")
    assert response.status_code == 201, response.content
    row = only_row()
    assert (row.door, row.name, row.reason) == ("api", "publish correction", note)


def test_a_refused_publish_writes_nothing(moderator, staff_client, fresh_run):
    response = staff_client(moderator).post(f"{API_RUNS}{fresh_run.pk}/publish/", {}, content_type="application/json")
    assert response.status_code == 403
    assert not StaffAction.objects.exclude(kind__in=["login", "logout"]).exists()
    assert not ReportVersion.objects.exists()


# --- retry -----------------------------------------------------------------------------------


def test_retry_through_the_admin_is_one_admin_row_with_before_and_after(analyst, staff_client, failed, quiet_broker):
    staff_client(analyst).post(RUNS, {"action": "retry", "_selected_action": [failed.pk]})
    row = only_row()
    assert (row.door, row.name, row.object_id) == ("admin", "retry run", str(failed.pk))
    assert row.before["status"] == "failed" and row.after["status"] == "pending"


def test_retry_through_the_api_is_one_api_row(analyst, staff_client, failed, quiet_broker):
    response = staff_client(analyst).post(f"{API_RUNS}{failed.pk}/retry/", {}, content_type="application/json")
    assert response.status_code == 202, response.content
    row = only_row()
    assert (row.door, row.name) == ("api", "retry run")


def test_a_retry_of_a_run_that_has_not_failed_writes_nothing(analyst, fresh_run):
    assert services.retry_run(fresh_run, user=analyst) is False
    assert not StaffAction.objects.exists()


# --- recompute with current inputs (issue 16) --------------------------------------------------


def test_recompute_through_the_admin_is_one_admin_row(analyst, staff_client, failed, quiet_broker):
    staff_client(analyst).post(RUNS, {"action": "recompute", "_selected_action": [failed.pk]})
    new = ReportRun.objects.exclude(pk=failed.pk).get()
    row = only_row()
    assert (row.door, row.actor, row.name, row.object_id) == ("admin", analyst, "recompute with current inputs", str(new.pk))
    assert f"replaces run {failed.pk}" in row.reason


def test_recompute_through_the_api_is_one_api_row(analyst, staff_client, failed, quiet_broker):
    response = staff_client(analyst).post(f"{API_RUNS}{failed.pk}/recompute/", {}, content_type="application/json")
    assert response.status_code == 202, response.content
    row = only_row()
    assert (row.door, row.name, row.object_id) == ("api", "recompute with current inputs", str(response.json()["id"]))


def test_a_refused_recompute_writes_nothing(moderator, staff_client, failed, quiet_broker):
    response = staff_client(moderator).post(f"{API_RUNS}{failed.pk}/recompute/", {}, content_type="application/json")
    assert response.status_code == 403
    assert not StaffAction.objects.exclude(kind__in=["login", "logout"]).exists()
    assert ReportRun.objects.count() == 1


# --- load the cited facility -------------------------------------------------------------------


def test_loading_the_memphis_seed_from_the_command_line_is_one_cli_row(analyst, moderator):
    call_command("load_memphis")
    row = only_row()
    assert (row.door, row.kind, row.name, row.object_repr) == ("cli", "add", "load the Memphis seed", "Memphis Supercluster (xAI Colossus)")
    call_command("load_memphis", "--as", analyst.username)
    again = StaffAction.objects.exclude(pk=row.pk).get()
    assert (again.kind, again.actor) == ("change", analyst)
    with pytest.raises(CommandError, match="impact.add_facility"):
        call_command("load_memphis", "--as", moderator.username)
    assert StaffAction.objects.count() == 2
