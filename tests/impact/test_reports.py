"""Report runs: requested, claimed once, computed by the worker task, saved whole or not at all."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from impact import charts, services
from impact.models import ReportChart, ReportMetric, ReportRun, SeriesPoint
from impact.periods import PeriodError

from ..conftest import SHORT

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_requesting_a_report_records_a_pending_run_and_enqueues_it_only_after_commit(
    memphis, analyst, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr("impact.tasks.compute_report_run.delay", lambda run_id: sent.append(run_id))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.request_report(memphis, "2024-07", user=analyst)
    assert run.status == ReportRun.Status.PENDING
    assert run.stage == ReportRun.Stage.QUEUED
    assert run.requested_by == analyst
    assert len(run.input_hash) == 64
    assert run.input_snapshot["facility"]["fleets"][0]["accelerator_count"] == 200_000
    assert sent == [], "nothing may reach the broker before the transaction commits"
    for callback in callbacks:
        callback()
    assert sent == [run.pk]


def test_an_identical_request_while_one_is_pending_returns_the_same_run(memphis, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr("impact.tasks.compute_report_run.delay", lambda run_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.request_report(memphis, "2024-07")
        second = services.request_report(memphis, "2024-07")
    assert first.pk == second.pk
    assert ReportRun.objects.count() == 1


def test_a_changed_input_gives_a_different_hash(memphis, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("impact.tasks.compute_report_run.delay", lambda run_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.request_report(memphis, "2024-07")
    memphis.fleets.update(accelerator_count=250_000)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.request_report(memphis, "2024-07")
    assert first.input_hash != second.input_hash
    assert ReportRun.objects.count() == 2


def test_a_fleet_smaller_than_its_stages_is_refused_at_the_request_and_no_run_is_recorded(memphis):
    # The forms refuse this; an update written past them is caught before anything is queued.
    memphis.fleets.update(accelerator_count=120_000)
    with pytest.raises(services.ReportError, match="a stage energises 200,000 accelerators, more than the fleet's 120,000"):
        services.request_report(memphis, "2024-07")
    assert ReportRun.objects.count() == 0


@pytest.mark.parametrize("period", ["July 2024", "2024-13", "2024-07-31..2024-07-01", ""])
def test_a_bad_period_is_refused_with_a_message_and_no_run_is_recorded(memphis, period):
    with pytest.raises(PeriodError, match="period|date|before"):
        services.request_report(memphis, period)
    assert ReportRun.objects.count() == 0


def test_a_facility_without_cooling_data_is_refused_before_queueing(memphis):
    memphis.cooling.delete()
    memphis.refresh_from_db()
    with pytest.raises(services.ReportError, match="cooling"):
        services.request_report(memphis, "2024-07")
    assert ReportRun.objects.count() == 0


def test_the_worker_saves_metrics_the_hourly_series_and_charts(computed_run):
    run = computed_run()
    assert run.status == ReportRun.Status.SUCCEEDED, run.error
    assert run.stage == ReportRun.Stage.DONE
    assert run.started_at <= run.finished_at
    # Two local days in July (CDT, UTC-5) are 48 hourly steps.
    assert SeriesPoint.objects.filter(run=run).count() == 48
    first = SeriesPoint.objects.filter(run=run).order_by("timestamp").first()
    assert first.timestamp.isoformat() == "2024-07-01T05:00:00+00:00"
    assert set(run.series_columns) <= set(first.values)
    energy = ReportMetric.objects.get(run=run, scenario="", key="energy_facility_mwh")
    assert energy.unit == "MWh"
    assert energy.p5 <= energy.p50 <= energy.p95
    # Hourly series and headline agree: sum of facility MW over 1-hour steps is MWh.
    total = sum(p.values["facility_load_mw"] for p in SeriesPoint.objects.filter(run=run))
    assert total == pytest.approx(energy.value, rel=1e-9)
    keys = set(run.charts.values_list("key", flat=True))
    assert {"daily-supply", "emissions", "generator-output"} <= keys
    for chart in run.charts.all():
        assert bytes(chart.png).startswith(PNG_MAGIC)
        assert b"<svg" in bytes(chart.svg)
        assert len(chart.alt_text) > 40
        assert chart.table["rows"], chart.key
    assert ReportMetric.objects.filter(run=run, scenario="No on-site generators").exists()


def test_a_second_delivery_of_the_same_message_does_nothing(computed_run):
    run = computed_run()
    points = SeriesPoint.objects.filter(run=run).count()
    assert services.execute_run(run.pk) is False
    assert SeriesPoint.objects.filter(run=run).count() == points


def test_a_failure_marks_the_run_failed_with_the_reason_and_keeps_no_partial_results(computed_run, monkeypatch):
    def broken_charts(*args, **kwargs):
        raise RuntimeError("matplotlib exploded")

    monkeypatch.setattr(charts, "report_charts", broken_charts)
    run = computed_run()
    assert run.status == ReportRun.Status.FAILED
    assert "matplotlib exploded" in run.error
    assert run.finished_at is not None
    assert not SeriesPoint.objects.filter(run=run).exists()
    assert not ReportMetric.objects.filter(run=run).exists()
    assert not ReportChart.objects.filter(run=run).exists()


def test_a_failure_while_saving_rolls_back_everything_already_written(computed_run, monkeypatch):
    real_bulk_create = ReportChart.objects.bulk_create

    def failing_bulk_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ReportChart.objects, "bulk_create", failing_bulk_create)
    run = computed_run()
    monkeypatch.setattr(ReportChart.objects, "bulk_create", real_bulk_create)
    assert run.status == ReportRun.Status.FAILED
    assert "disk full" in run.error
    assert not ReportMetric.objects.filter(run=run).exists()
    assert not SeriesPoint.objects.filter(run=run).exists()


def test_a_failed_run_can_be_retried_and_then_succeeds(computed_run, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(charts, "report_charts", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("flaky")))
    run = computed_run()
    assert run.status == ReportRun.Status.FAILED
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_run(run) is True
    run.refresh_from_db()
    assert run.status == ReportRun.Status.SUCCEEDED, run.error
    assert services.retry_run(run) is False, "only failed runs are retried"


def test_saving_a_year_of_hours_takes_a_bounded_number_of_queries(computed_run):
    with CaptureQueriesContext(connection) as queries:
        run = computed_run(period="2024", samples=0)
    assert run.status == ReportRun.Status.SUCCEEDED, run.error
    assert SeriesPoint.objects.filter(run=run).count() == 8784  # 2024 is a leap year
    # Batches of rows, never one query per hour (that would be over 8,784).
    assert len(queries) < 200, f"{len(queries)} queries to save a year"
