"""Issue 16: a retry says which inputs it uses (the snapshot frozen when the run was queued), and
"Recompute with current inputs" queues a new run from the facility as it is now."""

from unittest import mock

import pytest

from impact import services
from impact.models import Assumption, GeneratorGroup, ReportRun

from ..conftest import SHORT

RUNS = "/admin/impact/reportrun/"
API_RUNS = "/api/v1/report-runs/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_broker():
    with mock.patch("impact.leases.dispatch"):
        yield


@pytest.fixture
def run_frozen_at_3_5_mw(memphis, quiet_broker):
    """The measured case: 3.5 MW written past the forms, a run queued and failed on it, the value put back."""
    assumption = Assumption.objects.get(facility=memphis, field_name="rated_mw", low=2.0, high=3.0)
    GeneratorGroup.objects.filter(pk=assumption.object_id).update(rated_mw=3.5)
    with mock.patch("impact.engine.validate"):  # as before issue 16: nothing refused it when queued
        run = services.request_report(memphis, SHORT, samples=0)
    ReportRun.objects.filter(pk=run.pk).update(
        status=ReportRun.Status.FAILED, error="EngineInputError: uncertainties.0.low: central value 3.5 … outside low 2 .. high 3")
    GeneratorGroup.objects.filter(pk=assumption.object_id).update(rated_mw=2.5)
    run.refresh_from_db()
    return run


def frozen_rated(run):
    return sorted(g["rated_mw"] for g in run.input_snapshot["facility"]["generators"])


def test_the_admin_retry_message_names_the_frozen_snapshot_and_its_time(analyst, staff_client, run_frozen_at_3_5_mw):
    run = run_frozen_at_3_5_mw
    response = staff_client(analyst).post(RUNS, {"action": "retry", "_selected_action": [run.pk]}, follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert f"Run {run.pk} uses the inputs frozen when it was queued ({run.created_at:%Y-%m-%d %H:%M} UTC" in text
    assert "the facility has changed since" in text
    assert "Recompute with current inputs" in text
    assert 3.5 in frozen_rated(ReportRun.objects.get(pk=run.pk))  # the retry still computes the frozen value


def test_the_api_retry_names_the_snapshot_and_offers_the_recompute_url(analyst, staff_client, run_frozen_at_3_5_mw):
    run = run_frozen_at_3_5_mw
    body = staff_client(analyst).post(f"{API_RUNS}{run.pk}/retry/", {}, content_type="application/json").json()
    assert body["inputs"] == "snapshot" and body["input_hash"] == run.input_hash
    assert body["recompute_url"].endswith(f"{API_RUNS}{run.pk}/recompute/")
    assert "frozen when it was queued" in body["detail"]


def test_recompute_with_current_inputs_queues_a_new_run_with_the_value_put_back(analyst, staff_client, run_frozen_at_3_5_mw):
    run = run_frozen_at_3_5_mw
    response = staff_client(analyst).post(RUNS, {"action": "recompute", "_selected_action": [run.pk]}, follow=True)
    new = ReportRun.objects.exclude(pk=run.pk).get()
    assert new.status == ReportRun.Status.PENDING and new.report_id == run.report_id
    assert 3.5 not in frozen_rated(new) and 2.5 in frozen_rated(new)
    assert (new.gwp_set, new.monte_carlo_samples, new.seed) == (run.gwp_set, run.monte_carlo_samples, run.seed)
    assert ReportRun.objects.get(pk=run.pk).status == ReportRun.Status.FAILED  # the record of what went wrong stays
    assert any(f"in place of run {run.pk}" in str(m) for m in response.context["messages"])


def test_recompute_refuses_current_inputs_the_engine_cannot_compute(analyst, run_frozen_at_3_5_mw):
    run = run_frozen_at_3_5_mw
    GeneratorGroup.objects.filter(rated_mw=2.5).update(rated_mw=3.5)
    with pytest.raises(services.ReportError, match="outside low 2 .. high 3"):
        services.recompute_run(run, user=analyst)
    assert ReportRun.objects.count() == 1
