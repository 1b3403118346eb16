"""One run delivered twice to two real workers (the second message arrives while the first
worker computes it), and once more after it finished: the first claim computes it, every other
delivery does nothing."""

import re

import pytest

from .conftest import wait_for

pytestmark = pytest.mark.services

DONE = re.compile(r"Task impact\.compute_report_run\[[^]]+\] succeeded in [\d.]+s: (True|False)")


def outcomes(workers):
    return sorted(outcome for worker in workers for outcome in DONE.findall(worker.output()))


def test_the_same_run_delivered_twice_to_two_workers_is_computed_once(portal):
    # Both messages wait in the broker before any worker runs; each worker takes one at a time.
    run_id = portal.request_report("2024-07", samples=1003)
    portal.send_task("impact.compute_report_run", run_id)
    workers = portal.workers("twice-a", "twice-b")
    wait_for(lambda: len(outcomes(workers)) == 2, 90,
             lambda: f"both deliveries were not handled: {portal.run(run_id)}\n{portal.diagnostics()}", every=0.3)
    assert outcomes(workers) == ["False", "True"], portal.diagnostics()
    first = portal.result_rows(run_id)

    portal.send_task("impact.compute_report_run", run_id)  # a late third delivery, after the run finished
    wait_for(lambda: len(outcomes(workers)) == 3, 30, lambda: portal.diagnostics(), every=0.3)
    assert outcomes(workers) == ["False", "False", "True"]

    run = portal.run(run_id)
    assert run["status"] == "succeeded" and run["attempts"] == 1
    rows = portal.result_rows(run_id)
    assert rows == first
    assert rows["series"] == (31 * 24, 31 * 24)  # July: 744 local hours, each once
    assert all(count == distinct and count > 0 for count, distinct in rows.values()), rows
    print(f"\ndelivered three times, computed once: rows {rows}")
