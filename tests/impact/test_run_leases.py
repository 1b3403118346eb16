"""A run always finishes: a worker that dies, a database that blinks or a message that is lost
never leaves a run stuck, and a run is saved exactly once."""

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from impact import engine, leases, services
from impact.models import ReportMetric, ReportRun, SeriesPoint
from impact.periods import PeriodError, parse_period

PERIOD = "2024-07-01..2024-07-01"


@pytest.fixture
def sent(monkeypatch):
    """Record the run ids handed to the broker instead of sending them."""
    ids = []

    def fake_dispatch(run_id):
        ids.append(run_id)
        ReportRun.objects.filter(pk=run_id).update(dispatched_at=timezone.now())
        return True

    monkeypatch.setattr(leases, "dispatch", fake_dispatch)
    return ids


@pytest.fixture
def pending(memphis, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_report(memphis, PERIOD, samples=5)
    return run


def expire(run):
    ReportRun.objects.filter(pk=run.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    run.refresh_from_db()


def result_rows(run):
    return ReportMetric.objects.filter(run=run).count(), SeriesPoint.objects.filter(run=run).count()


def test_a_queued_run_is_sent_to_the_broker_once_committed(pending, sent):
    assert sent == [pending.pk]
    pending.refresh_from_db()
    assert pending.dispatched_at is not None


def test_a_claim_takes_a_lease_and_a_second_delivery_claims_nothing(pending):
    token = leases.claim(pending.pk)
    assert token
    assert leases.claim(pending.pk) is None
    pending.refresh_from_db()
    assert pending.status == ReportRun.Status.RUNNING
    assert pending.lease_token == token and pending.lease_expires_at > timezone.now()
    assert pending.attempts == 1


def test_a_run_whose_worker_died_is_queued_again_and_then_computed_exactly_once(pending, sent):
    leases.claim(pending.pk)  # the worker claims it ... and is killed: nothing renews the lease
    expire(pending)
    assert leases.is_stuck(pending)
    assert leases.sweep() == {"requeued": 1, "failed": 0, "redispatched": 0}
    pending.refresh_from_db()
    assert pending.status == ReportRun.Status.PENDING
    assert "worker lost" in pending.error
    assert sent.count(pending.pk) == 2
    assert services.execute_run(pending.pk) is True
    pending.refresh_from_db()
    assert pending.status == ReportRun.Status.SUCCEEDED and pending.attempts == 2
    metrics, points = result_rows(pending)
    assert points == 24 and metrics > 0
    assert services.execute_run(pending.pk) is False  # the old message delivered again
    assert result_rows(pending) == (metrics, points)


def test_a_healthy_running_run_is_left_alone_by_the_sweeper(pending):
    leases.claim(pending.pk)
    assert leases.sweep() == {"requeued": 0, "failed": 0, "redispatched": 0}
    pending.refresh_from_db()
    assert pending.status == ReportRun.Status.RUNNING


def test_a_run_that_keeps_losing_its_worker_fails_with_the_reason(pending, settings):
    settings.IMPACT_RUN_MAX_ATTEMPTS = 2
    for _ in range(2):
        leases.claim(pending.pk)
        expire(pending)
        leases.sweep()
    pending.refresh_from_db()
    assert pending.status == ReportRun.Status.FAILED
    assert "stopped answering 2 times" in pending.error


def test_a_worker_that_was_only_slow_cannot_save_over_the_run_it_lost(pending, monkeypatch):
    real_compute = engine.compute

    def slow_compute(*args, **kwargs):
        result = real_compute(*args, **kwargs)
        # Meanwhile the lease ran out, the sweeper requeued the run and another worker took it.
        run = ReportRun.objects.get(pk=pending.pk)
        expire(run)
        leases.sweep()
        assert leases.claim(pending.pk)
        return result

    monkeypatch.setattr(engine, "compute", slow_compute)
    assert services.execute_run(pending.pk) is False
    pending.refresh_from_db()
    assert pending.status == ReportRun.Status.RUNNING  # the new holder's, untouched
    assert result_rows(pending) == (0, 0)  # nothing partial from the old worker


def test_a_database_blink_hands_the_run_back_and_the_retry_computes_it(pending, monkeypatch):
    real_compute = engine.compute
    calls = []

    def blinking_compute(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_compute(*args, **kwargs)

    monkeypatch.setattr(engine, "compute", blinking_compute)
    with pytest.raises(OperationalError):
        services.execute_run(pending.pk)  # the task's autoretry takes over from here
    pending.refresh_from_db()
    assert pending.status == ReportRun.Status.PENDING
    assert "lost the database" in pending.error
    assert services.execute_run(pending.pk) is True
    pending.refresh_from_db()
    assert pending.status == ReportRun.Status.SUCCEEDED


def test_the_task_retries_on_database_errors_and_rejects_messages_of_lost_workers():
    from impact.tasks import compute_report_run

    assert compute_report_run.acks_late is True
    assert compute_report_run.reject_on_worker_lost is True
    assert OperationalError in compute_report_run.autoretry_for
    assert compute_report_run.max_retries >= 3


def test_marking_a_failure_retries_on_a_fresh_connection(monkeypatch):
    closed = []
    monkeypatch.setattr(leases.connection, "close", lambda: closed.append(1))
    monkeypatch.setattr(leases.time, "sleep", lambda s: None)
    tries = []

    def action():
        tries.append(1)
        if len(tries) < 3:
            raise OperationalError("the database system is shutting down")
        return "marked"

    assert leases.with_fresh_connection(action) == "marked"
    assert len(tries) == 3 and len(closed) == 2


def test_a_pending_run_whose_message_never_reached_the_broker_is_sent_again(memphis, monkeypatch, settings,
                                                                           django_capture_on_commit_callbacks):
    from impact import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.compute_report_run, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_report(memphis, PERIOD, samples=5)  # no exception reaches the caller
    run.refresh_from_db()
    assert run.status == ReportRun.Status.PENDING and run.dispatched_at is None
    sent = []
    monkeypatch.setattr(tasks.compute_report_run, "delay", lambda run_id: sent.append(run_id))
    ReportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(seconds=settings.IMPACT_RUN_REDISPATCH_SECONDS + 1))
    assert leases.sweep()["redispatched"] == 1
    assert sent == [run.pk]
    assert leases.sweep()["redispatched"] == 0  # just sent: not again until the delay passes


def test_requesting_the_same_report_again_moves_a_stuck_run_on(pending, memphis, sent,
                                                             django_capture_on_commit_callbacks):
    leases.claim(pending.pk)
    expire(pending)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.request_report(memphis, PERIOD, samples=5)
    assert again.pk == pending.pk
    again.refresh_from_db()
    assert again.status == ReportRun.Status.PENDING
    assert sent.count(pending.pk) == 2


def test_staff_can_retry_a_stuck_run_but_not_a_healthy_one(pending, sent, django_capture_on_commit_callbacks):
    leases.claim(pending.pk)
    assert services.retry_run(pending) is False
    expire(pending)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retry_run(pending) is True
    pending.refresh_from_db()
    assert pending.status == ReportRun.Status.PENDING and pending.attempts == 0


def test_the_monthly_draft_moves_a_stuck_draft_on_instead_of_skipping_it_for_good(memphis, sent,
                                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [run] = services.draft_monthly_reports(today=dt.date(2024, 8, 3))
    leases.claim(run.pk)
    expire(run)
    assert services.draft_monthly_reports(today=dt.date(2024, 8, 3)) == []
    run.refresh_from_db()
    assert run.status == ReportRun.Status.PENDING


def test_an_input_the_engine_cannot_use_is_refused_when_the_run_is_requested(memphis, settings):
    cooling = memphis.cooling
    # Written past every form. PostgreSQL stores NaN (which passes a "minimum 1" check, as NaN < 1
    # is false); SQLite turns NaN into NULL, so there a PUE below 1 stands in.
    bad = float("nan") if settings.DATABASE_IS_POSTGRES else 0.5
    cooling.__class__.objects.filter(pk=cooling.pk).update(pue_at_reference=bad)
    facility = type(memphis).objects.get(pk=memphis.pk)
    with pytest.raises(services.ReportError, match="cooling.pue_at_reference"):
        services.request_report(facility, PERIOD, samples=5)
    assert not ReportRun.objects.exists()  # nothing queued that could only fail in the worker


@pytest.mark.parametrize("text", ["9999-12", "9999-12-01..9999-12-31", "0001-01-01..0001-01-02", "1999", "2101-Q1"])
def test_periods_outside_the_covered_years_are_refused_before_any_query(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_the_covered_years_are_a_setting(settings):
    settings.IMPACT_PERIOD_YEARS = (1990, 2200)
    assert parse_period("1995").key == "1995"
