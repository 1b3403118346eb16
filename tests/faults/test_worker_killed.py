"""kill -9 of a real Celery worker in the middle of a year's report: the run is finished by a
worker that is still alive, once, with no partial rows left by the one that died.

The lease is LEASE_SECONDS and beat sends the sweeper every SWEEP_SECONDS (tests/faults/conftest.py),
so a run whose worker died must be claimed again within about their sum.
"""

import os
import re
import signal
import time

import pytest

from .conftest import LEASE_SECONDS, SWEEP_SECONDS, wait_for

pytestmark = pytest.mark.services

# Local hours in 2024 (a leap year; the spring and autumn clock changes cancel out over the year)
# and in its third quarter (92 days, no clock change).
HOURS_IN_2024 = 366 * 24
HOURS_IN_2024_Q3 = 92 * 24
# Scheduling slack on a busy 2-core machine, on top of lease + sweep interval.
SLACK_SECONDS = 6


def one_result_set(portal, run_id, hours):
    rows = portal.result_rows(run_id)
    for table, (count, distinct) in rows.items():
        assert count == distinct, f"duplicate {table} rows for run {run_id}: {rows}"
    assert rows["series"][0] == hours
    assert rows["metrics"][0] > 0 and rows["charts"][0] >= 3 and rows["artifacts"][0] > 0
    return rows


def no_rows(portal, run_id):
    return all(count == 0 for count, _ in portal.result_rows(run_id).values())


def recovered(portal, run_id, killed_at):
    """Seconds from the kill until a live worker claimed the run again (attempt 2)."""
    wait_for(lambda: portal.run(run_id)["attempts"] >= 2, LEASE_SECONDS + SWEEP_SECONDS + SLACK_SECONDS,
             lambda: f"run {run_id} not claimed again: {portal.run(run_id)}\n{portal.diagnostics()}", every=0.1)
    return time.monotonic() - killed_at


def finished(portal, run_id, timeout=120):
    run = wait_for(lambda: (r := portal.run(run_id))["status"] in ("succeeded", "failed") and r, timeout,
                   lambda: f"run {run_id} did not finish: {portal.run(run_id)}\n{portal.diagnostics()}", every=0.3)
    assert run["status"] == "succeeded", f"{run}\n{portal.diagnostics()}"
    return run


def test_a_pool_child_killed_mid_report_is_replaced_and_the_run_finished_once(portal):
    worker = portal.worker("prefork", pool="prefork", concurrency=1)
    run_id = portal.request_report("2024", samples=1001)
    wait_for(lambda: portal.run(run_id)["status"] == "running", 60,
             lambda: f"run {run_id} never started: {portal.run(run_id)}\n{worker.tail()}", every=0.1)
    [child] = worker.children()
    time.sleep(1.0)  # well inside the engine's year
    stage = portal.run(run_id)["stage"]
    assert stage in ("computing", "drawing")
    os.kill(child, signal.SIGKILL)
    killed_at = time.monotonic()

    assert no_rows(portal, run_id)
    took = recovered(portal, run_id, killed_at)
    run = finished(portal, run_id)
    rows = one_result_set(portal, run_id, HOURS_IN_2024)
    assert run["attempts"] == 2
    assert re.search(r"exited with 'signal 9", worker.output())
    assert worker.alive() and child not in worker.children(), "the pool replaced its dead child"
    print(f"\npool child killed while {stage}: claimed again after {took:.1f} s, done after "
          f"{time.monotonic() - killed_at:.1f} s; rows {rows}")


def test_a_solo_worker_killed_while_saving_leaves_no_rows_and_the_other_worker_finishes(portal):
    first, second = portal.workers("solo-a", "solo-b")
    run_id = portal.request_report("2024-Q3", samples=1002)
    wait_for(lambda: portal.run(run_id)["stage"] == "saving", 90,
             lambda: f"run {run_id} never reached saving: {portal.run(run_id)}\n{portal.diagnostics()}", every=0.03)
    busy = [w for w in (first, second) if "Task impact.compute_report_run[" in w.output()]
    assert len(busy) == 1, portal.diagnostics()
    [victim] = busy
    survivor = second if victim is first else first
    victim.kill9()  # mid-transaction: PostgreSQL rolls the half-written results back
    killed_at = time.monotonic()

    assert no_rows(portal, run_id)
    assert portal.run(run_id)["status"] == "running"
    took = recovered(portal, run_id, killed_at)
    run = finished(portal, run_id)
    rows = one_result_set(portal, run_id, HOURS_IN_2024_Q3)
    assert run["attempts"] == 2 and run["stage"] == "done"
    assert re.search(r"compute_report_run\[[^]]+\] succeeded in [\d.]+s: True", survivor.output())
    print(f"\nsolo worker killed while saving: claimed again after {took:.1f} s, done after "
          f"{time.monotonic() - killed_at:.1f} s; rows {rows}")
